// The API-SSL pin holds for every connection a run makes, not only the first: after a drop, an
// impostor answering on the router's address (a fake TLS server with another certificate) must
// receive nothing, neither the login nor the password. The router is reached through a relay
// that, once the connection drops, sends new connections to the impostor.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { generate } from "selfsigned";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import type { Router } from "../../../src/platforms/platform.js";
import { RouterError } from "../../../src/platforms/routeros/api/errors.js";
import { streamPrint } from "../../../src/platforms/routeros/api/route-stream.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import type { RouterOsRouter } from "../../../src/platforms/routeros/router.js";
import { appliedOn, example, repoRoot } from "../../helpers.js";
import { labResolve } from "./apply-helpers.js";

let lab: Lab;
const home = mkdtempSync(join(tmpdir(), "bgpals-pin-"));
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tls: true, ssh: false, tickMs: 0 });
});
afterAll(async () => {
  await lab.stop();
  rmSync(home, { recursive: true, force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TLS server with a certificate of its own, counting connections and the bytes it receives (decrypted). */
async function impostor(): Promise<{ port: number; connections: () => number; received: () => number }> {
  const pems = await generate([{ name: "commonName", value: "not-the-router" }], { keyType: "ec", curve: "P-256", algorithm: "sha256" });
  let connections = 0;
  let received = 0;
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key: pems.private, cert: pems.cert }, (socket) => {
    sockets.add(socket);
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => {});
  // Counted at TCP: a client that refuses the certificate may hang up before the server's side of the handshake ends.
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections, received: () => received };
}

/**
 * Forwards TCP to `upstream`. `drop()` cuts every connection; after `divert(port)`, connections
 * made from then on go to `port`, and so do those made after the router itself drops one.
 */
async function relay(upstream: number): Promise<{ port: number; drop(): void; divert(port: number, onRouterDrop?: boolean): void }> {
  let target = upstream;
  let divertOnDrop: number | null = null;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((down) => {
    const up = net.connect(target, "127.0.0.1");
    const pair: [net.Socket, net.Socket] = [down, up];
    pairs.add(pair);
    down.pipe(up);
    up.pipe(down);
    down.on("error", () => up.destroy());
    up.on("error", () => down.destroy());
    // The router hung up: from now on the impostor answers (before the client can reconnect).
    up.on("close", () => {
      pairs.delete(pair);
      if (divertOnDrop !== null) target = divertOnDrop;
      down.end();
    });
    down.on("close", () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const [down, up] of pairs) (down.destroy(), up.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    drop: () => {
      for (const [down, up] of pairs) (down.destroy(), up.destroy());
    },
    divert: (port, onRouterDrop = false) => {
      if (onRouterDrop) divertOnDrop = port;
      else target = port;
    },
  };
}

function info(name: string) {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return { ...r, tlsPort: r.tlsPort! };
}

async function connectVia(port: number, name: string): Promise<Router> {
  const r = info(name);
  const router = await routerOs.connect({ host: "127.0.0.1", port, user: r.user, password: r.password, tls: true, knownFingerprint: null, timeoutMs: 3000 });
  cleanups.push(() => router.close());
  return router;
}

async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function refusal(call: Promise<unknown>): Promise<RouterError> {
  const error = await call.then(
    () => new Error("expected the impostor to be refused"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RouterError);
  return error as RouterError;
}

describe("after a drop, the impostor on the router's address gets nothing", () => {
  test("reconnect, and a print streamed on a connection of its own", async () => {
    const via = await relay(info("alice").tlsPort);
    const router = await connectVia(via.port, "alice");
    expect(router.fingerprint).toBe(lab.router("alice").server.tlsCertificate!.fingerprint256);
    const fake = await impostor();
    via.divert(fake.port);
    via.drop();
    await until(() => router.closed, "the connection to drop");

    const error = await refusal(router.reconnect());
    expect(error.kind).toBe("fingerprint-changed");
    expect(error.expectedFingerprint).toBe(router.fingerprint);
    const streamed = await refusal(streamPrint((router as RouterOsRouter).target, "/ip/route", { onBatch: () => {} }));
    expect(streamed.kind).toBe("fingerprint-changed");

    // It was reached (twice), and it heard nothing.
    expect(fake.connections()).toBe(2);
    expect(fake.received()).toBe(0);
  });

  test("the route feed", async () => {
    const via = await relay(info("alice").tlsPort);
    const router = await connectVia(via.port, "alice");
    const fake = await impostor();
    via.divert(fake.port);
    const error = await refusal(router.feedFriendRoutes({ addresses: ["10.255.0.1"], onUpdates: () => {}, signal: new AbortController().signal }));
    expect(error.kind).toBe("fingerprint-changed");
    expect(fake.connections()).toBe(1);
    expect(fake.received()).toBe(0);
  });

  test("apply's undo after the router dropped the connection mid-apply", async () => {
    const via = await relay(info("remi").tlsPort);
    const router = await connectVia(via.port, "remi");
    const fake = await impostor();
    const planned = await router.plan({ peering: appliedOn(example("s1"), "remi"), side: "remi" });
    expect(planned.refusals).toEqual([]);
    via.divert(fake.port, true);
    // The lock is write 1; the router drops the connection after write 3.
    lab.router("remi").failWrite(3, "drop");
    const result = await router.apply(planned.plan, { resolve: labResolve });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.undoProblems.join("\n")).toMatch(/could not reconnect to undo: the certificate of 127\.0\.0\.1:\d+ changed/);
    // The undo may try more than once; each try met the pin and sent nothing.
    expect(fake.connections()).toBeGreaterThanOrEqual(1);
    expect(fake.received()).toBe(0);
  });

  test("bgpals status --watch reconnecting (user@host --tls, pinned on first use)", async () => {
    const r = info("alice");
    const via = await relay(r.tlsPort);
    const fake = await impostor();
    const child = spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), "status", "--watch", "--json", "--tls", "--interval", "0.2", "--timeout", "2", "--router", `${r.user}@127.0.0.1:${via.port}`], {
      env: { ...process.env, BGPALS_HOME: home, BGPALS_PASSWORD: r.password, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const events = () => stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { event: string; error?: string });

    await until(() => events().some((e) => e.event === "snapshot"), `the first snapshot (${stderr})`);
    via.divert(fake.port);
    via.drop();
    await until(() => events().some((e) => e.event === "connection-lost"), "the connection lost");
    // The watch tries again (backoff 250 ms, 500 ms, ...): twice is enough to see what it sends.
    await until(() => fake.connections() >= 2, "the watch to reach the impostor twice");
    expect(fake.received()).toBe(0);

    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(fake.received()).toBe(0);
  });
});
