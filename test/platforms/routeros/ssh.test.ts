// SSH to a router against the lab's SSH server: login, host key pinning, export, SFTP upload, and
// how failures are named.
import { randomBytes } from "node:crypto";
import net from "node:net";
import ssh2 from "ssh2";
import type { SFTPWrapper } from "ssh2";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LabSshServer } from "../../../src/lab/ssh-server.js";
import { RouterError } from "../../../src/platforms/routeros/api/errors.js";
import { SshSession, normalizeHostKeyFingerprint, type SshTarget } from "../../../src/platforms/routeros/ssh.js";

const PASSWORD = "lab-pass-1234";
const EXPORT = "# lab export\n/system identity set name=alice\n";

let server: LabSshServer;
let target: SshTarget;

beforeAll(async () => {
  server = await new LabSshServer({ users: [{ name: "admin", password: PASSWORD }], exportText: () => EXPORT }).start();
  target = { host: "127.0.0.1", port: server.port, user: "admin", password: PASSWORD, timeoutMs: 5000 };
});

afterAll(async () => {
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<RouterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RouterError);
  return error as RouterError;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("SshSession", () => {
  test("first use: password login, the host key fingerprint to store, export and upload", async () => {
    const session = await SshSession.connect(target);
    try {
      expect(session.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(session.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
      expect(await session.exportConfig()).toBe(EXPORT);

      const contents = randomBytes(100 * 1024);
      await session.upload("cert.pem", contents);
      expect(server.files.get("cert.pem")?.equals(contents)).toBe(true);
      // A second upload on the same session replaces the file.
      await session.upload("/cert.pem", "short");
      expect(server.files.get("cert.pem")?.toString()).toBe("short");
    } finally {
      await session.close();
    }
  });

  test("the pinned host key is accepted, with or without the SHA256: prefix", async () => {
    for (const knownHostKey of [server.hostKeyFingerprint, server.hostKeyFingerprint.slice("SHA256:".length) + "="]) {
      expect(normalizeHostKeyFingerprint(knownHostKey)).toBe(server.hostKeyFingerprint);
      const session = await SshSession.connect({ ...target, knownHostKey });
      expect(session.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
      await session.close();
    }
  });

  test("an unknown command fails with the router's words; the session stays usable", async () => {
    const session = await SshSession.connect(target);
    try {
      const error = await failure(session.exec("/frobnicate now"));
      expect(error.kind).toBe("trap");
      expect(error.routerMessage).toBe("bad command name frobnicate (line 1 column 1)");
      expect(error.message).toContain("bad command name frobnicate");
      expect(await session.exec("/export")).toBe(EXPORT);
    } finally {
      await session.close();
    }
    const closed = await failure(session.exec("/export"));
    expect(closed.kind).toBe("closed");
  });

  test("a wrong password is `bad-credentials`, and the message does not show it", async () => {
    const error = await failure(SshSession.connect({ ...target, password: "wrong-secret-99" }));
    expect(error.kind).toBe("bad-credentials");
    expect(error.message).toContain(`admin@127.0.0.1:${server.port}`);
    expect(error.message).not.toContain("wrong-secret-99");
  });

  test("asking for ssh-agent keys without an agent or a password fails before connecting", async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const error = await failure(SshSession.connect({ ...target, password: undefined, useAgent: true }));
      expect(error.kind).toBe("bad-credentials");
      expect(error.message).toContain("SSH_AUTH_SOCK");
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });

  test("a closed port is `refused`", async () => {
    const error = await failure(SshSession.connect({ ...target, port: await closedPort() }));
    expect(error.kind).toBe("refused");
    expect(error.message).toContain("/ip service enable ssh");
  });

  test("a server that never speaks SSH is `timeout`", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const sockets: net.Socket[] = [];
    silent.on("connection", (socket) => sockets.push(socket));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const error = await failure(SshSession.connect({ ...target, port, timeoutMs: 300 }));
      expect(error.kind).toBe("timeout");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("host key pinning", () => {
  test("after the key changed, the old pin is refused before any authentication", async () => {
    const router = await new LabSshServer({ users: [{ name: "admin", password: PASSWORD }], exportText: () => "" }).start();
    try {
      const pinned = router.hostKeyFingerprint;
      const rotated = router.rotateHostKey();
      expect(rotated).not.toBe(pinned);
      const attempts = router.authAttempts;

      const error = await failure(SshSession.connect({ ...target, port: router.port, knownHostKey: pinned }));
      expect(error.kind).toBe("fingerprint-changed");
      expect(error).toMatchObject({ expectedFingerprint: pinned, actualFingerprint: rotated });
      expect(error.message).toContain(pinned);
      expect(error.message).toContain(rotated);
      expect(error.message).toContain("remove the stored SSH host key of this router profile");
      expect(router.authAttempts).toBe(attempts);

      // Accepting the new key is connecting without a pin.
      const session = await SshSession.connect({ ...target, port: router.port });
      expect(session.hostKeyFingerprint).toBe(rotated);
      expect(router.authAttempts).toBeGreaterThan(attempts);
      await session.close();
    } finally {
      await router.stop();
    }
  });
});

describe("LabSshServer", () => {
  test("SFTP: stat, list, read back; unsupported and out-of-range requests are refused", async () => {
    server.files.set("flash/old.rsc", Buffer.from("old"));
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve()).once("error", reject);
      client.connect({ host: "127.0.0.1", port: server.port, username: "admin", password: PASSWORD });
    });
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((e, s) => (e ? reject(e) : resolve(s))));
      const call = <T>(start: (cb: (e: Error | null | undefined, value?: T) => void) => void) =>
        new Promise<T>((resolve, reject) => start((e, value) => (e ? reject(e) : resolve(value as T))));

      await call<void>((cb) => sftp.writeFile("a/../up.txt", "hello", cb));
      expect(server.files.get("up.txt")?.toString()).toBe("hello");
      expect((await call<Buffer>((cb) => sftp.readFile("/up.txt", cb))).toString()).toBe("hello");
      expect((await call<{ size: number }>((cb) => sftp.stat("up.txt", cb))).size).toBe(5);
      expect(await call<string>((cb) => sftp.realpath(".", cb))).toBe("/");
      const names = (await call<{ filename: string }[]>((cb) => sftp.readdir("/", cb))).map((entry) => entry.filename);
      expect(names).toEqual(expect.arrayContaining(["up.txt", "flash"]));
      await expect(call<void>((cb) => sftp.mkdir("newdir", cb))).rejects.toMatchObject({ code: ssh2.utils.sftp.STATUS_CODE.OP_UNSUPPORTED });
      await expect(call<unknown>((cb) => sftp.stat("missing", cb))).rejects.toMatchObject({ code: ssh2.utils.sftp.STATUS_CODE.NO_SUCH_FILE });

      const handle = await call<Buffer>((cb) => sftp.open("big.bin", "w", cb));
      await expect(call<void>((cb) => sftp.write(handle, Buffer.from("x"), 0, 1, 2 ** 40, cb))).rejects.toMatchObject({
        code: ssh2.utils.sftp.STATUS_CODE.FAILURE,
      });
      await call<void>((cb) => sftp.close(handle, cb));
      await expect(call<void>((cb) => sftp.close(handle, cb))).rejects.toMatchObject({ code: ssh2.utils.sftp.STATUS_CODE.FAILURE });
    } finally {
      client.end();
    }
  });

  test("survives garbage and half-done handshakes, and stop() still returns", async () => {
    const router = await new LabSshServer({ users: [{ name: "admin", password: PASSWORD }], exportText: () => EXPORT }).start();
    const connect = () =>
      new Promise<net.Socket>((resolve) => {
        const socket = net.connect(router.port, "127.0.0.1", () => resolve(socket));
        socket.on("error", () => {});
      });
    const sent = (socket: net.Socket, data: string | Buffer) => new Promise<void>((resolve) => socket.write(data, () => resolve()));
    const hanging = await connect();
    const garbage = await connect();
    const bad = await connect();
    // All of it handed to the kernel before the real session starts: the router reads it in the
    // turns of its event loop that the session's handshake needs anyway.
    await Promise.all([
      sent(hanging, "SSH-2.0-half_done\r\n"),
      sent(garbage, randomBytes(4096)),
      sent(bad, Buffer.concat([Buffer.from("SSH-2.0-bad\r\n"), randomBytes(2048)])),
    ]);

    const session = await SshSession.connect({ ...target, port: router.port });
    expect(await session.exportConfig()).toBe(EXPORT);
    // stop() with a session and half-open connections still open.
    await router.stop();
    const closed = await failure(session.exec("/export"));
    expect(closed.kind).toBe("closed");
    for (const socket of [hanging, garbage, bad]) socket.destroy();
  });
});
