// streamPrint against lab routers over the real protocol, checked against RouterClient.print
// (node-routeros) reading the same menus.
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { RouteTable } from "../../src/core/route-table.js";
import { Lab, type LabRouterInfo } from "../../src/lab/lab.js";
import { RouterClient, type RouterItem, type RouterTarget } from "../../src/routeros/client.js";
import { RouterError } from "../../src/routeros/errors.js";
import { printBatches, routeProplist, routeUpdatesOf, streamPrint, type PrintBatch, type StreamPrintOptions } from "../../src/routeros/route-stream.js";

/** BGP routes loaded into each router on top of its own, enough for many batches and chunks. */
const LOADED = 12_000;
const BATCH_ROWS = 1000;
const ISP1 = "10.255.0.1";
const ISP2 = "10.255.0.5";

let lab: Lab;
const clients: RouterClient[] = [];

beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], ssh: false, tickMs: 0 });
  for (const name of ["alice", "carol"]) {
    const v6 = lab.router(name).version.startsWith("6");
    lab.router(name).store.at("/ip/route").load(bgpRoutes(LOADED, v6));
  }
});

afterAll(() => lab.stop());

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function* bgpRoutes(count: number, v6: boolean): Generator<Record<string, string>> {
  for (let i = 0; i < count; i++) {
    const gateway = i % 2 ? ISP2 : ISP1;
    const path = i % 3 ? "64513,64520" : "64513";
    yield {
      "dst-address": `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`,
      gateway,
      distance: "20",
      dynamic: "true",
      bgp: "true",
      active: String(i % 2 === 0),
      ...(v6
        ? { "bgp-as-path": path, "bgp-local-pref": i % 2 ? "100" : "200", "received-from": i % 2 ? "remi-isp2" : "remi-isp1" }
        : { "bgp.as-path": path, "bgp.local-pref": i % 2 ? "100" : "200", "immediate-gw": `${gateway}%wg-remi-isp${(i % 2) + 1}` }),
      // A long value: words of more than 127 bytes take a two-byte length prefix.
      comment: i % 1000 === 0 ? "x".repeat(300 + i / 100) : `route ${i}`,
    };
  }
}

function info(name: string): LabRouterInfo {
  return lab.info().routers.find((r) => r.name === name)!;
}

function target(name: string, extra: Partial<RouterTarget> = {}): RouterTarget {
  const r = info(name);
  return { host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 5000, ...extra };
}

async function client(name: string): Promise<RouterClient> {
  const c = await RouterClient.connect(target(name));
  clients.push(c);
  return c;
}

/** Streams a print and keeps every row, and each batch's size. */
async function streamed(t: RouterTarget, path: string, options: Partial<StreamPrintOptions> = {}) {
  const items: RouterItem[] = [];
  const sizes: number[] = [];
  const summary = await streamPrint(t, path, {
    batchRows: BATCH_ROWS,
    ...options,
    onBatch: (batch: PrintBatch) => {
      sizes.push(batch.size);
      items.push(...batch.items());
    },
  });
  return { items, sizes, summary };
}

async function failure(call: Promise<unknown>): Promise<RouterError> {
  const error = await call.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RouterError);
  return error as RouterError;
}

describe.each([
  { name: "alice", version: "7.24", dialect: "v7" as const },
  { name: "carol", version: "6.49.10", dialect: "v6" as const },
])("$name (RouterOS $version)", ({ name, version, dialect }) => {
  test("streams the same rows as RouterClient.print, in batches", async () => {
    expect(lab.router(name).version).toBe(version);
    const expected = await (await client(name)).print("/ip/route");
    expect(expected.length).toBeGreaterThan(LOADED);
    const { items, sizes, summary } = await streamed(target(name), "/ip/route");
    expect(items).toEqual(expected);
    expect(summary).toMatchObject({ rows: expected.length, cancelled: false, fingerprint: null });
    expect(sizes.length).toBeGreaterThan(LOADED / BATCH_ROWS);
    expect(Math.max(...sizes)).toBe(BATCH_ROWS);
  });

  test("with .proplist and a query, as RouterClient.print asks them", async () => {
    const proplist = routeProplist(dialect);
    const query = { gateway: ISP2 };
    const expected = await (await client(name)).print("/ip/route", { proplist, query });
    expect(expected).toHaveLength(LOADED / 2);
    const { items } = await streamed(target(name), "ip route", { proplist, query });
    expect(items).toEqual(expected);
    // Raw query words: ISP1 or ISP2.
    const both = await streamed(target(name), "/ip/route", { proplist, query: [`?gateway=${ISP1}`, `?gateway=${ISP2}`, "?#|"] });
    expect(both.items).toHaveLength(LOADED);
  });

  test("rows become routes for the route table, whatever the dialect names them", async () => {
    const table = new RouteTable();
    await streamPrint(target(name), "/ip/route", {
      proplist: routeProplist(dialect),
      query: { bgp: "true" },
      onBatch: (batch) => table.upsert(routeUpdatesOf(batch).routes),
    });
    expect(table.counts()).toMatchObject({ total: LOADED, active: LOADED / 2 });
    const [first] = table.window(0, 1);
    expect(first).toMatchObject({ prefix: "20.0.0.0/24", gateway: ISP1, active: true, localPref: 200, asPath: "64513" });
    expect(first?.link).toBe(dialect === "v6" ? "remi-isp1" : "wg-remi-isp1");
    table.setFilter("64520");
    expect(table.matching).toBe(LOADED - LOADED / 3);
  });
});

test("an empty print ends cleanly, also on a 7.18+ router that answers !empty", async () => {
  expect(lab.router("alice").server.emptyReplies).toBe(true);
  expect(lab.router("carol").server.emptyReplies).toBe(false);
  for (const name of ["alice", "carol"]) {
    const { items, summary } = await streamed(target(name), "/ip/route", { query: { gateway: "192.0.2.99" } });
    expect(items).toEqual([]);
    expect(summary).toMatchObject({ rows: 0, cancelled: false });
  }
});

test("API-SSL with the certificate pinned; a different pin is refused before login", async () => {
  const r = info("alice");
  const pin = lab.router("alice").server.tlsCertificate!.fingerprint256;
  const secure = target("alice", { port: r.tlsPort!, tls: true, knownFingerprint: pin });
  const { items, summary } = await streamed(secure, "/system/identity");
  expect(items).toEqual([{ name: "alice" }]);
  expect(summary.fingerprint).toBe(pin);

  const wrong = "AA:" + pin.slice(3);
  const error = await failure(streamed({ ...secure, knownFingerprint: wrong }, "/system/identity"));
  expect(error.kind).toBe("fingerprint-changed");
  expect(error.actualFingerprint).toBe(pin);
});

test("a print the router refuses is a trap with RouterOS's words", async () => {
  const error = await failure(streamed(target("alice"), "/ip/nothing"));
  expect(error.kind).toBe("trap");
  expect(error.command).toBe("/ip/nothing/print");
  expect(error.routerMessage).toMatch(/no such command/);
  expect(error.message).toContain("/ip/nothing/print failed on 127.0.0.1");
});

test("wrong credentials and a silent host fail as RouterClient's do", async () => {
  const refused = await failure(streamed(target("alice", { password: "nope-nope" }), "/ip/route"));
  expect(refused.kind).toBe("bad-credentials");
  expect(refused.message).not.toContain("nope-nope");

  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const timeout = await failure(streamed({ ...target("alice"), port, timeoutMs: 300 }, "/ip/route"));
    expect(timeout.kind).toBe("timeout");
  } finally {
    silent.close();
  }
});

test("cancelling mid-stream stops the print and hands out nothing more", async () => {
  const server = lab.router("alice").server;
  const before = server.connectionCount;
  const abort = new AbortController();
  let rows = 0;
  let batchesAfterEnd = 0;
  let ended = false;
  const summary = await streamPrint(target("alice"), "/ip/route", {
    batchRows: 100,
    signal: abort.signal,
    onBatch: (batch) => {
      if (ended) batchesAfterEnd++;
      rows += batch.size;
      if (rows >= 500) abort.abort();
    },
  });
  ended = true;
  expect(summary.cancelled).toBe(true);
  expect(summary.rows).toBe(rows);
  expect(rows).toBeGreaterThanOrEqual(500);
  expect(rows).toBeLessThan(LOADED);
  // The router let go of the connection.
  const deadline = Date.now() + 5000;
  while (server.connectionCount > before && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  expect(server.connectionCount).toBe(before);
  expect(batchesAfterEnd).toBe(0);
});

test("as an async iterator: every batch in order, and leaving the loop cancels", async () => {
  const expected = await (await client("carol")).print("/ip/route", { proplist: [".id", "dst-address"] });
  const seen: RouterItem[] = [];
  for await (const batch of printBatches(target("carol"), "/ip/route", { proplist: [".id", "dst-address"], batchRows: 500 })) {
    seen.push(...batch.items());
  }
  expect(seen).toEqual(expected);

  let batches = 0;
  for await (const batch of printBatches(target("carol"), "/ip/route", { batchRows: 500 })) {
    expect(batch.size).toBeGreaterThan(0);
    if (++batches === 2) break;
  }
  expect(batches).toBe(2);
});
