import { describe, expect, test } from "vitest";
import { BestPaths } from "../../src/core/best-paths.js";
import { RouteTable, type RouteUpdate } from "../../src/core/route-table.js";

const ISP1 = "10.255.0.1";
const ISP2 = "10.255.0.5";
const PREFIXES = 1_000;
const LIMIT = 64;

/** Two routes per prefix, one per link; `primary` says which is active. */
function routes(primary: "isp1" | "isp2", from = 0, count = PREFIXES): RouteUpdate[] {
  return Array.from({ length: count }, (_, i) => i + from).flatMap((n) => {
    const prefix = `10.${n >> 8}.${n & 255}.0/24`;
    return [
      { id: `*${(2 * n + 1).toString(16)}`, prefix, gateway: ISP1, link: "isp1", active: primary === "isp1", localPref: 200, asPath: "64513" },
      { id: `*${(2 * n + 2).toString(16)}`, prefix, gateway: ISP2, link: "isp2", active: primary === "isp2", localPref: 100, asPath: "64513" },
    ];
  });
}

/** A table holding every prefix via isp1, and a BestPaths told that they all moved to isp2. */
function moved(): BestPaths {
  const table = new RouteTable();
  table.upsert(routes("isp1"));
  const best = new BestPaths(table);
  const updates = routes("isp2");
  best.note(updates, []);
  table.upsert(updates);
  return best;
}

describe("best paths told in slices", () => {
  test("changes(limit) gives the same events, in the same order, as all at once, and leaves the rest pending", () => {
    const all = moved().changes();
    expect(all).toHaveLength(PREFIXES);
    expect(all[0]).toEqual({ event: "best-path-moved", prefix: "10.0.0.0/24", from: { gateway: ISP1, link: "isp1" }, to: { gateway: ISP2, link: "isp2" } });
    const best = moved();
    const sliced = [];
    while (best.pending > 0) {
      const before = best.pending;
      const events = best.changes(LIMIT);
      expect(events.length).toBe(Math.min(LIMIT, before));
      expect(best.pending).toBe(before - events.length);
      sliced.push(...events);
    }
    expect(sliced).toEqual(all);
  });

  test("what is noted between two slices is told too: nothing is lost", () => {
    const table = new RouteTable();
    table.upsert(routes("isp1"));
    const best = new BestPaths(table);
    const updates = routes("isp2");
    best.note(updates, []);
    table.upsert(updates);
    const first = best.changes(LIMIT);
    // New prefixes arrive while the rest of the burst waits.
    const arriving = routes("isp1", PREFIXES, 10);
    best.note(arriving, []);
    table.upsert(arriving);
    const rest = [];
    while (best.pending > 0) rest.push(...best.changes(LIMIT));
    const told = [...first, ...rest];
    expect(told.filter((e) => e.event === "best-path-moved")).toHaveLength(PREFIXES);
    expect(told.filter((e) => e.event === "prefix-arrived").map((e) => e.prefix)).toEqual(arriving.filter((r) => r.active).map((r) => r.prefix));
  });
});
