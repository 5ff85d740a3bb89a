// streamPrint against lab routers over the real protocol, checked against RouterClient.print
// (node-routeros) reading the same menus.
import net from "node:net";
import { until } from "../../helpers.js";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { RouteTable } from "../../../src/core/route-table.js";
import { Lab, type LabRouterInfo } from "../../../src/lab/lab.js";
import { SentenceDecoder } from "../../../src/lab/protocol/words.js";
import { RouterClient, type RouterItem, type RouterTarget } from "../../../src/platforms/routeros/api/client.js";
import { RouterError } from "../../../src/platforms/routeros/api/errors.js";
import { printBatches, routeProplist, routeUpdatesOf, streamPrint, type PrintBatch, type StreamPrintOptions } from "../../../src/platforms/routeros/api/route-stream.js";

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
    const proplist = routeProplist({ dottedRouteAttributes: dialect === "v7" });
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
      proplist: routeProplist({ dottedRouteAttributes: dialect === "v7" }),
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

/**
 * A TCP relay in front of a lab router that passes the router's bytes on cut into pieces of
 * ever-changing sizes (1 byte to 64 KB), one write each with a turn of the event loop between, so
 * chunk boundaries fall inside length prefixes, names and values. With `prefixBytes`, every word
 * is sent again with a length prefix of that size: RouterOS itself uses the 4-byte form from
 * 2 MB and the 5-byte form from 256 MB, too big for a test.
 */
async function relay(port: number, prefixBytes?: 4 | 5): Promise<{ port: number; close: () => Promise<void> }> {
  const pieces = [1, 2, 3, 4, 5, 7, 11, 13, 64, 127, 128, 129, 1000, 4096, 65536];
  const server = net.createServer((client) => {
    const router = net.connect(port, "127.0.0.1");
    client.pipe(router);
    client.on("error", () => router.destroy());
    router.on("error", () => client.destroy());
    const decoder = new SentenceDecoder();
    let queue = Buffer.alloc(0);
    let pumping = false;
    let next = 0;
    const pump = async (): Promise<void> => {
      pumping = true;
      while (queue.length > 0 && !client.destroyed) {
        const size = pieces[next++ % pieces.length]!;
        client.write(queue.subarray(0, size));
        queue = queue.subarray(size);
        await new Promise((resolve) => setImmediate(resolve));
      }
      pumping = false;
      if (routerEnded && !client.destroyed) client.end();
    };
    let routerEnded = false;
    router.on("data", (chunk: Buffer) => {
      const bytes = prefixBytes === undefined ? chunk : Buffer.concat(decoder.push(chunk).map((words) => reframed(words, prefixBytes)));
      queue = Buffer.concat([queue, bytes]);
      if (!pumping) void pump();
    });
    router.on("end", () => {
      routerEnded = true;
      if (!pumping) client.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A sentence with every word's length in the 4- or 5-byte form, ended by the empty word. */
function reframed(words: readonly string[], prefixBytes: 4 | 5): Buffer {
  const parts = words.map((word) => {
    const n = word.length;
    const prefix = prefixBytes === 4 ? [0xe0 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff] : [0xf0, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    return Buffer.concat([Buffer.from(prefix), Buffer.from(word, "latin1")]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

describe("the reply decoder", () => {
  /** Word length of `=note=<value>` for a value of `n` bytes. */
  const note = (wordLength: number) => "v".repeat(wordLength - "=note=".length);
  let items: Record<string, string>[];

  beforeAll(() => {
    const menu = lab.router("alice").store.register({ path: "/test/words" });
    const rows: Record<string, string>[] = [];
    // Words right below and at each length where the prefix grows: 1, 2, 3 and 4 bytes.
    for (const length of [0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000]) rows.push({ name: `long ${length}`, note: note(length) });
    // Rows whose attributes come and go, so the column expected at a place in the row is often wrong.
    for (let i = 0; i < 300; i++) {
      const row: Record<string, string> = { name: `row ${i}` };
      if (i % 3 === 0) row["note"] = i % 2 ? "" : `note ${i}`;
      if (i % 5 === 0) row["weight"] = String(i);
      if (i % 7 === 0) row["bytes"] = "\u00e9\u00ff\u0000=="; // any byte, `=` too, after the name
      rows.push(row);
    }
    // Names alike but for their first, their last or their only bytes, taking turns at the same place.
    for (let i = 0; i < 20; i++) {
      const odd = i % 2 === 1;
      rows.push({ name: `pair ${i}`, [odd ? "lift-side" : "left-side"]: "a", [odd ? "side-lefu" : "side-left"]: "b", [odd ? "x1" : "x2"]: "c" });
    }
    menu.load(rows);
    items = menu.list();
  });

  test("words of every prefix length, empty values and changing columns", async () => {
    const { items: got, sizes } = await streamed(target("alice"), "/test/words", { batchRows: 150 });
    expect(got).toEqual(items);
    expect(got.find((item) => item["name"] === `long ${0x200000}`)?.["note"]).toHaveLength(0x200000 - 6);
    // The first batches are smaller, growing up to batchRows.
    expect(sizes[0]).toBeLessThan(150);
    expect(Math.max(...sizes)).toBe(150);
  });

  test.each([
    { prefixes: "as RouterOS sends them", prefixBytes: undefined },
    { prefixes: "all of 4 bytes", prefixBytes: 4 as const },
    { prefixes: "all of 5 bytes", prefixBytes: 5 as const },
  ])("chunks cut anywhere, length prefixes $prefixes", async ({ prefixBytes }) => {
    const via = await relay(info("alice").port, prefixBytes);
    try {
      const { items: got, summary } = await streamed(target("alice", { port: via.port }), "/test/words", { batchRows: 50 });
      expect(got).toEqual(items);
      expect(summary.rows).toBe(items.length);
      // A print that finds nothing, from a router that answers !empty: through the same cuts.
      const empty = await streamed(target("alice", { port: via.port }), "/test/words", { query: { name: "nothing" } });
      expect(empty.items).toEqual([]);
      expect(empty.summary).toMatchObject({ rows: 0, cancelled: false });
    } finally {
      await via.close();
    }
  });
});

test("one read of many rows is handed out a batch per turn of the event loop", async () => {
  // Batches of 20 rows: one read from the socket (up to 64 KB) brings dozens of them. A flag
  // cleared by setImmediate tells whether the loop turned (timers, the screen's frame, ran)
  // since the batch before; the trickle flush (batchMs) is kept out of it.
  let sameTurn = 0;
  let turning = false;
  let batches = 0;
  const rows: number[] = [];
  const summary = await streamPrint(target("alice"), "/ip/route", {
    batchRows: 20,
    batchMs: 60_000,
    onBatch: (batch) => {
      batches++;
      rows.push(batch.size);
      if (turning) sameTurn++;
      turning = true;
      setImmediate(() => (turning = false));
    },
  });
  const expected = await (await client("alice")).print("/ip/route");
  expect(summary.rows).toBe(expected.length);
  expect(rows.reduce((a, b) => a + b, 0)).toBe(expected.length);
  expect(batches).toBeGreaterThan(LOADED / 20);
  expect(sameTurn).toBe(0);
});

test("a follow brings changes after the table, and removals as .dead=yes", async () => {
  const menu = lab.router("alice").store.register({ path: "/test/follow" });
  menu.load(bgpRoutes(50, false));
  const [first, second] = menu.list();
  const table = new RouteTable();
  const removed: string[] = [];
  const abort = new AbortController();
  const streaming = streamPrint(target("alice"), "/test/follow", {
    follow: true,
    proplist: routeProplist({ dottedRouteAttributes: true }),
    signal: abort.signal,
    onBatch: (batch) => {
      const updates = routeUpdatesOf(batch);
      table.upsert(updates.routes);
      table.remove(updates.removed);
      removed.push(...updates.removed);
    },
  });
  await until(() => table.size === 50, "the 50 routes in the table", 5000);
  menu.remove([first![".id"]!]);
  menu.set([second![".id"]!], { active: "false" });
  await until(() => removed.length > 0 && table.get(second![".id"]!)?.active === false, "a removal, and the second route inactive", 5000);
  expect(removed).toEqual([first![".id"]]);
  expect(table.size).toBe(49);
  expect(table.get(first![".id"]!)).toBeUndefined();
  abort.abort();
  expect(await streaming).toMatchObject({ cancelled: true });
});
