// RouterClient against lab routers, through node-routeros over real sockets.
import { X509Certificate } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { inspect } from "node:util";
import { RStream } from "node-routeros";
import { until } from "../../helpers.js";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ApiServer, type ApiServerOptions } from "../../../src/lab/protocol/server.js";
import { labCertificate } from "../../../src/lab/protocol/certificate.js";
import { FatalMessage } from "../../../src/lab/protocol/traps.js";
import { ConfigStore, createStoreHandler, type StoreHandlerOptions } from "../../../src/lab/store/index.js";
import { RouterClient, type ClientTarget, type RouterItem } from "../../../src/platforms/routeros/api/client.js";
import { RouterError } from "../../../src/platforms/routeros/api/errors.js";

const USER = "admin";
const PASSWORD = "correct-horse-battery";

const servers: ApiServer[] = [];
const clients: RouterClient[] = [];
const closers: (() => Promise<void>)[] = [];
/** Every RouterError a test saw, to check that none of them shows the password. */
const seen: RouterError[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function startRouter(
  options: Partial<ApiServerOptions> = {},
  commands: StoreHandlerOptions["commands"] = {},
): Promise<{ server: ApiServer; store: ConfigStore }> {
  const store = new ConfigStore();
  store.register({ path: "/system/identity", singleton: true, defaults: { name: "alice" } });
  store.register({ path: "/ip/address" }, [
    { address: "192.168.88.1/24", interface: "bridge" },
    { address: "10.0.0.1/30", interface: "wg-remi" },
  ]);
  store.register({ path: "/ip/route" });
  const server = await new ApiServer({
    handler: createStoreHandler(store, { commands }),
    users: [{ name: USER, password: PASSWORD }],
    tlsPort: null,
    ...options,
  }).start();
  servers.push(server);
  return { server, store };
}

async function connect(port: number, extra: Partial<ClientTarget> = {}): Promise<RouterClient> {
  const client = await RouterClient.connect({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeoutMs: 3000, ...extra });
  clients.push(client);
  return client;
}

/** The RouterError a call fails with (and remembers it for the secrets check). */
async function failure(call: Promise<unknown>): Promise<RouterError> {
  const error = await call.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RouterError);
  seen.push(error as RouterError);
  return error as RouterError;
}

/** A port nobody listens on: a server's port right after it closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP (or TLS) server that accepts and never says anything; counts the bytes (after TLS) it receives. */
async function silentServer(secure = false): Promise<{ port: number; received: () => number; openConnections: () => number }> {
  let received = 0;
  let open = 0;
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.on("error", () => {});
  };
  let server: net.Server;
  if (secure) {
    const { key, cert } = await labCertificate();
    server = tls.createServer({ key, cert }, onSocket);
    server.on("tlsClientError", () => {});
  } else {
    server = net.createServer(onSocket);
  }
  // Every connection, handshake done or not: once it closed, all that came over it was received.
  server.on("connection", (raw: net.Socket) => {
    open++;
    raw.once("close", () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, received: () => received, openConnections: () => open };
}

describe("commands", () => {
  test("print, add, set and remove round trip", async () => {
    const { server, store } = await startRouter();
    const client = await connect(server.port);

    expect(await client.print("/system/identity")).toEqual([{ name: "alice" }]);
    await client.set("/system/identity", null, { name: "alice-gw" });
    expect(store.get("/system/identity")).toMatchObject({ name: "alice-gw" });

    const id = await client.add("/ip/address", { address: "10.0.0.5/30", interface: "wg-carol", comment: "bgpals" });
    expect(id).toMatch(/^\*[0-9A-F]+$/);
    await client.set("/ip/address", id, { comment: "bgpals: carol" });
    expect(await client.print("/ip/address", { query: { comment: "bgpals: carol" }, proplist: [".id", "address"] })).toEqual([
      { ".id": id, address: "10.0.0.5/30" },
    ]);
    await client.remove("/ip/address", id);
    expect((await client.print("ip address", { proplist: ["address"] })).map((item) => item.address)).toEqual([
      "192.168.88.1/24",
      "10.0.0.1/30",
    ]);
  });

  test("a print over its row budget fails, is stopped, and the client stays usable", async () => {
    const { server, store } = await startRouter();
    store.at("/ip/route").load(Array.from({ length: 500 }, (_, i) => ({ "dst-address": `10.${i >> 8}.${i & 255}.0/24`, gateway: "10.0.0.2" })));
    const client = await connect(server.port, { maxRows: 200 });
    const error = await failure(client.print("/ip/route"));
    expect(error).toMatchObject({ kind: "protocol", command: "/ip/route/print" });
    expect(error.message).toBe(
      `/ip/route/print on 127.0.0.1:${server.port} answered more than 200 rows, the most bgpals reads in one answer, so it stopped ` +
        "reading — a menu that large (a full BGP table?) is more than this command handles; if the router really holds that many, please report it",
    );
    // The budget of one print, raised for it; and the client's for the next.
    expect(await client.print("/ip/route", { maxRows: 500 })).toHaveLength(500);
    expect((await failure(client.print("/ip/route", { maxRows: 499 }))).kind).toBe("protocol");
    expect(await client.print("/system/identity")).toEqual([{ name: "alice" }]);
  });

  test("raw query words are passed as they are", async () => {
    const { server } = await startRouter();
    const client = await connect(server.port);
    const items = await client.print("/ip/address", {
      query: ["?interface=bridge", "?interface=wg-remi", "?#|"],
      proplist: ["interface"],
    });
    expect(items).toEqual([{ interface: "bridge" }, { interface: "wg-remi" }]);
  });

  test("an empty print on a RouterOS 7.18+ router (which sends !empty) returns []", async () => {
    const { server } = await startRouter({ emptyReplies: true });
    const client = await connect(server.port);
    expect(await client.print("/ip/route")).toEqual([]);
    expect(await client.print("/ip/address", { query: { interface: "ether9" } })).toEqual([]);
    // The connection is still in order afterwards.
    expect(await client.print("/system/identity")).toEqual([{ name: "alice" }]);
  });

  test("20 concurrent commands on one client all resolve to their own answers", async () => {
    const { server } = await startRouter({ latencyMs: 200 });
    const client = await connect(server.port);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? client.add("/ip/route", { "dst-address": `10.${i}.0.0/16`, gateway: "10.0.0.2" })
          : client.print("/ip/address", { query: { interface: "bridge" }, proplist: ["address"] }),
      ),
    );
    // Pipelined, not one after another: 20 round trips of 200 ms would take 4 s.
    expect(Date.now() - started).toBeLessThan(2000);
    answers.forEach((answer, i) => {
      if (i % 2 === 0) expect(answer).toMatch(/^\*[0-9A-F]+$/);
      else expect(answer).toEqual([{ address: "192.168.88.1/24" }]);
    });
    expect(new Set(answers.filter((answer) => typeof answer === "string")).size).toBe(10);
  });

  test("sequential commands do not pay Nagle's delay", async () => {
    const { server } = await startRouter();
    const client = await connect(server.port);
    await client.print("/system/identity");
    const started = Date.now();
    for (let i = 0; i < 50; i++) await client.print("/system/identity");
    // With Nagle and delayed ACKs each round trip costs about 40 ms: 2 s for these.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("run sends any command and returns its answer", async () => {
    const { server } = await startRouter({}, {
      "/routing/bgp/session/clear": (request, reply) => {
        reply.item({ cleared: request.attributes.get(".id") ?? "" });
        reply.done();
      },
    });
    const client = await connect(server.port);
    expect(await client.run("/routing/bgp/session/clear", { ".id": "*3" })).toEqual([{ cleared: "*3" }]);
  });

  test("listen reports an added item, then stops", async () => {
    const { server } = await startRouter();
    const client = await connect(server.port);
    const changes: RouterItem[] = [];
    const listening = client.listen("/ip/address", (item) => changes.push(item));
    const id = await client.add("/ip/address", { address: "10.0.0.9/30", interface: "wg-carol" });
    await expect.poll(() => changes).toEqual([expect.objectContaining({ ".id": id, address: "10.0.0.9/30" })]);
    // node-routeros calls back with [] every ~2.3 s while a listen is idle: those are not changes.
    const delivered = vi.spyOn(RStream.prototype as unknown as { onStream(packet: unknown): void }, "onStream");
    try {
      await until(() => delivered.mock.calls.some(([packet]) => Array.isArray(packet) && packet.length === 0), "node-routeros's idle callback", 5000);
    } finally {
      delivered.mockRestore();
    }
    expect(changes).toHaveLength(1);

    await listening.stop();
    await client.add("/ip/address", { address: "10.0.0.13/30", interface: "wg-dave" });
    await client.print("/system/identity");
    expect(changes).toHaveLength(1);
    // Stopping twice is harmless.
    await listening.stop();
  });

  // node-routeros re-arms a listen's idle timer for ever (its condition is always true): a monitor
  // quit just after it opened stayed alive on it alone (node-routeros-fix.ts).
  describe("a listen's idle timer", () => {
    /** The listen's stream (node-routeros's), caught as it starts, and its idle callbacks from then on. */
    async function idleListen(client: RouterClient) {
      const started = vi.spyOn(RStream.prototype as unknown as { start(): void }, "start");
      const delivered = vi.spyOn(RStream.prototype as unknown as { onStream(packet: unknown): void }, "onStream");
      const listening = client.listen("/ip/address", () => {});
      const stream = started.mock.contexts[0] as { debounceSendingEmptyData: { run(): void } };
      started.mockRestore();
      await client.add("/ip/address", { address: "10.0.0.9/30", interface: "wg-carol" });
      const idle = () => delivered.mock.calls.filter(([packet]) => Array.isArray(packet) && packet.length === 0).length;
      await until(() => idle() > 0, "the first idle callback", 5000);
      return { listening, stream, idle, restore: () => delivered.mockRestore() };
    }
    const IDLE_MS = 2300;

    test("ends with the client closed under it, calling back no more", async () => {
      const { server } = await startRouter();
      const client = await connect(server.port);
      const { stream, idle, restore } = await idleListen(client);
      try {
        await client.close();
        // What node-routeros does for a packet still in the socket's buffer as it closed.
        stream.debounceSendingEmptyData.run();
        const after = idle();
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 1.5)); // two idle periods: the timer's absence is the point
        expect(idle()).toBe(after);
      } finally {
        restore();
      }
    });

    test("stays stopped when a packet comes while the stop's /cancel is on the way", async () => {
      const { server } = await startRouter();
      const client = await connect(server.port);
      const { listening, stream, idle, restore } = await idleListen(client);
      try {
        const stopping = listening.stop();
        // What node-routeros does for each packet that arrives meanwhile.
        stream.debounceSendingEmptyData.run();
        await stopping;
        const after = idle();
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 1.5)); // as above
        expect(idle()).toBe(after);
      } finally {
        restore();
      }
    });
  });
});

describe("failures", () => {
  test("bad credentials: kind bad-credentials, and the password is not in the message", async () => {
    const { server } = await startRouter();
    const error = await failure(connect(server.port, { password: "not-the-password" }));
    expect(error.kind).toBe("bad-credentials");
    expect(error.message).toBe(`wrong user name or password for admin@127.0.0.1:${server.port} — check the credentials of this router profile`);
    expect(error.message).not.toContain("not-the-password");
  });

  test("refused: nobody listens on the port", async () => {
    const port = await closedPort();
    const error = await failure(connect(port));
    expect(error.kind).toBe("refused");
    expect(error.message).toBe(
      `cannot connect to 127.0.0.1:${port}: connection refused — is the API service enabled (/ip service enable api) and the port right?`,
    );
  });

  test("timeout: a server that accepts and never answers", async () => {
    const { port } = await silentServer();
    const started = Date.now();
    const error = await failure(connect(port, { timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/^no answer from 127\.0\.0\.1:\d+ within 0\.4 s — /);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    // It ends; a loaded machine may take a while to say so.
    expect(elapsed).toBeLessThan(5000);
  });

  test("timeout: a command the router never answers; the client stays usable", async () => {
    const { server } = await startRouter({}, { "/tool/hang": () => {} });
    const client = await connect(server.port, { timeoutMs: 400 });
    const started = Date.now();
    const error = await failure(client.run("/tool/hang"));
    expect(error.kind).toBe("timeout");
    expect(error.command).toBe("/tool/hang");
    expect(error.message).toContain("to /tool/hang");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await client.print("/system/identity")).toEqual([{ name: "alice" }]);
  });

  test("a trap keeps RouterOS's message and category", async () => {
    const { server } = await startRouter();
    const client = await connect(server.port);
    const error = await failure(client.print("/ip/adress"));
    expect(error).toMatchObject({ kind: "trap", command: "/ip/adress/print", category: 0 });
    expect(error.routerMessage).toBe("no such command or directory (adress)");
    expect(error.message).toBe(`/ip/adress/print failed on 127.0.0.1:${server.port}: no such command or directory (adress)`);

    const missing = await failure(client.remove("/ip/address", "*99"));
    expect(missing).toMatchObject({ kind: "trap", routerMessage: "no such item" });
    // A trap ends one command, not the session.
    expect(await client.print("/system/identity")).toEqual([{ name: "alice" }]);
  });

  test("a dropped connection fails the waiting command as closed, with the router's reason", async () => {
    let commandArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (commandArrived = resolve));
    const { server } = await startRouter({}, { "/tool/slow": () => commandArrived() });
    const client = await connect(server.port);
    const slow = client.run("/tool/slow");
    await arrived;
    expect(server.dropConnections()).toBe(1);

    const error = await failure(slow);
    expect(error.kind).toBe("closed");
    expect(error.routerMessage).toBe(FatalMessage.dropped);
    expect(error.message).toContain(`closed by the router: ${FatalMessage.dropped}`);
    expect(client.closed).toBe(true);
    // Later calls fail at once, the same way.
    expect((await failure(client.print("/system/identity"))).kind).toBe("closed");
    expect(() => client.listen("/ip/address", () => {})).toThrow(RouterError);
  });

  test("a listen learns that its connection was lost", async () => {
    const { server } = await startRouter();
    const client = await connect(server.port);
    const errors: RouterError[] = [];
    const listening = client.listen("/ip/address", () => {}, { onError: (error) => errors.push(error) });
    await client.print("/system/identity");
    server.dropConnections();
    await expect.poll(() => errors.map((error) => error.kind)).toEqual(["closed"]);
    await listening.stop();
  });

  test("close fails what still waits, and is idempotent", async () => {
    const { server } = await startRouter({}, { "/tool/slow": () => {} });
    const client = await connect(server.port);
    const slow = failure(client.run("/tool/slow"));
    await client.close();
    await client.close();
    expect((await slow).kind).toBe("closed");
    await expect.poll(() => server.connectionCount).toBe(0);
  });

  test("a router that closes before login", async () => {
    const { server } = await startRouter();
    server.available = false;
    const error = await failure(connect(server.port));
    expect(error.kind).toBe("closed");
    expect(error.message).toBe(
      `127.0.0.1:${server.port} closed the connection before login — is ${server.port} the router's api port, ` +
        "and is a session free (/ip service api max-sessions)?",
    );
  });
});

describe("API-SSL", () => {
  test("first use records the fingerprint; the same one passes; a different one is refused before login", async () => {
    const { server } = await startRouter({ tlsPort: 0 });
    const port = server.tlsPort!;
    const first = await connect(port, { tls: true });
    expect(first.fingerprint).toBe(server.tlsCertificate!.fingerprint256);
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await first.print("/system/identity")).toEqual([{ name: "alice" }]);

    const again = await connect(port, { tls: true, knownFingerprint: first.fingerprint });
    expect(again.fingerprint).toBe(first.fingerprint);
    // As RouterOS's /certificate print shows it: lower case, no colons.
    const routerForm = first.fingerprint!.replaceAll(":", "").toLowerCase();
    await connect(port, { tls: true, knownFingerprint: routerForm });

    const stored = "AB:".repeat(31) + "AB";
    const error = await failure(connect(port, { tls: true, knownFingerprint: stored }));
    expect(error.kind).toBe("fingerprint-changed");
    expect(error.expectedFingerprint).toBe(stored);
    expect(error.actualFingerprint).toBe(first.fingerprint);
    expect(error.message).toContain(stored);
    expect(error.message).toContain(first.fingerprint!);
    expect(error.message).toContain("remove the stored fingerprint of this router profile");
  });

  test("a changed certificate never receives the login", async () => {
    const { cert } = await labCertificate();
    const pinned = new X509Certificate(cert).fingerprint256;
    // The control: with the right fingerprint the login goes out (and this router never answers).
    const honest = await silentServer(true);
    expect((await failure(connect(honest.port, { tls: true, knownFingerprint: pinned, timeoutMs: 300 }))).kind).toBe("timeout");
    expect(honest.received()).toBeGreaterThan(0);

    const impostor = await silentServer(true);
    const error = await failure(connect(impostor.port, { tls: true, knownFingerprint: "00".repeat(32) }));
    expect(error.kind).toBe("fingerprint-changed");
    // The client hung up: once the impostor saw the connection close, it has had all it will get.
    await until(() => impostor.openConnections() === 0, "the impostor to see the connection close", 5000);
    expect(impostor.received()).toBe(0);
  });

  test("TLS to the plain API port fails as a TLS problem", async () => {
    // A plain API port reads the ClientHello as API words, and when it answers depends on the
    // hello's random bytes: one may promise a word longer than the rest, and the lab's router then
    // waits for it (the client times out instead, one run in eight). This port answers what it
    // reads at once, as a router does with a sentence it refuses: !fatal.
    const server = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end(Buffer.from("\x06!fatal\x0dnot logged in\x00", "latin1")));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const error = await failure(connect((server.address() as net.AddressInfo).port, { tls: true, timeoutMs: 5000 }));
    expect(error.kind).toBe("tls");
    expect(error.message).toBe(
      `TLS handshake with 127.0.0.1:${(server.address() as net.AddressInfo).port} failed: wrong version number — is API-SSL enabled on this port ` +
        "with a certificate (/ip service set api-ssl certificate=<name>)?",
    );
  });

  test("a TLS handshake nobody answers fails as a TLS problem, not a firewall one", async () => {
    const { port } = await silentServer();
    const error = await failure(connect(port, { tls: true, timeoutMs: 400 }));
    expect(error.kind).toBe("tls");
    expect(error.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: no answer to the handshake within 0\.4 s — is API-SSL enabled/);
  });
});

describe("secrets", () => {
  test("no error message, stack or inspection shows the password, nor does the client", async () => {
    const { server } = await startRouter({}, {
      // A router that echoes a value back in its trap, as "invalid value" traps do.
      "/tool/echo": (request, reply) => reply.fail(`invalid value ${request.attributes.get("value") ?? ""}`),
    });
    const client = await connect(server.port);
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(PASSWORD);

    const echoed = await failure(client.run("/tool/echo", { value: PASSWORD }));
    expect(echoed.routerMessage).toBe("invalid value ***");
    await failure(connect(server.port, { password: `${PASSWORD}-typo` }));
    await failure(connect(await closedPort()));
    await failure(client.print("/ip/adress"));
    server.dropConnections();
    await failure(client.run("/tool/echo", { value: "x" }));

    for (const error of seen) {
      expect(error.message).not.toContain(PASSWORD);
      expect(String(error.stack)).not.toContain(PASSWORD);
      expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
    }
  });
});
