// The monitor's route feed against the lab: the friends' routes as the router has them, then every
// change (RouterOS 7 follows the print; RouterOS 6 prints again), and a clean end when cancelled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteTable } from "../../../src/core/route-table.js";
import type { Peering } from "../../../src/core/peering.js";
import { Lab } from "../../../src/lab/lab.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { friendRouteQuery } from "../../../src/platforms/routeros/status.js";
import { feedRoutes, settledAfterMs } from "../../../src/platforms/routeros/api/route-feed.js";
import { example, exampleJson, mustParse, until } from "../../helpers.js";
import { buildPeering } from "../../lab/lab-helpers.js";
import { targetOf } from "./apply-helpers.js";

/** The feed of `side`'s router into a table, as the monitor runs it. */
function feed(lab: Lab, peering: Peering, side: string, dialect: "v6" | "v7") {
  const friend = Object.keys(peering.sides).find((s) => s !== side)!;
  const table = new RouteTable();
  const controller = new AbortController();
  const updates: Array<{ routes: number; removed: string[] }> = [];
  let loaded: number | null = null;
  const linkByAddress = new Map(peering.links.map((l) => [l.address[friend]!, l.name]));
  const running = feedRoutes({
    target: targetOf(lab, side),
    dialect: { follows: dialect === "v7", dottedRouteAttributes: dialect === "v7" },
    query: friendRouteQuery(peering.links.map((l) => l.address[friend]!)),
    linkOf: (gateway) => linkByAddress.get(gateway),
    signal: controller.signal,
    pollMs: 100,
    onUpdates: (routes, removed) => {
      updates.push({ routes: routes.length, removed });
      table.upsert(routes);
      table.remove(removed);
    },
    onLoaded: (n) => (loaded = n),
  });
  const rows = () => table.window(0, table.size).map((r) => ({ prefix: r.prefix, link: r.link, active: r.active }));
  return { table, controller, updates, running, rows, loaded: () => loaded };
}

describe("when a follow's table is all in", () => {
  it("a pause settles it soon once nearly every counted row came, and only after a long one before", () => {
    const TABLE = 1_000_000;
    const nearlyAll = settledAfterMs(TABLE - 10, TABLE);
    // A router pausing halfway through a million routes is busy, not done.
    const halfway = settledAfterMs(TABLE / 2, TABLE);
    expect(halfway).toBeGreaterThan(nearlyAll * 5);
    expect(settledAfterMs(TABLE, TABLE)).toBe(nearlyAll);
    // Rows past the count (routes changed during the print come again) are all in too.
    expect(settledAfterMs(TABLE + 5, TABLE)).toBe(nearlyAll);
    expect(settledAfterMs(0, 1)).toBe(halfway);
  });
});

describe("route feed on RouterOS 7 (alice 7.24, S1)", () => {
  let lab: Lab;
  let peering: Peering;
  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, clockFactor: 20, tls: false, ssh: false });
    peering = await buildPeering(lab, example("s1"));
    lab.tick();
  });
  afterAll(async () => lab.stop());

  it("counts what the router holds without reading it", async () => {
    const client = await RouterClient.connect(targetOf(lab, "alice"));
    try {
      const all = await client.print("/ip/route");
      expect(await client.count("/ip/route")).toBe(all.length);
      expect(await client.count("/ip/route", { query: { "dst-address": "192.168.42.0/24" } })).toBe(2);
      expect(await client.count("/ip/route", { query: { "dst-address": "10.99.99.0/24" } })).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("loads remi's prefix on both links, follows the failover to isp2 and back, and ends when cancelled", async () => {
    const f = feed(lab, peering, "alice", "v7");
    await until(() => f.loaded() !== null && f.table.size === 2, "both of remi's routes");
    expect(f.loaded()).toBe(2);
    expect(f.rows()).toEqual([
      { prefix: "192.168.42.0/24", link: "isp1", active: true },
      { prefix: "192.168.42.0/24", link: "isp2", active: false },
    ]);
    // Only the friend's routes: alice's connected networks and her default routes stay out.
    expect(f.rows().every((r) => r.prefix === "192.168.42.0/24")).toBe(true);

    lab.setWan("alice", "vlan832-orange-internet", false);
    await until(() => f.rows().length === 1 && f.rows()[0]!.link === "isp2" && f.rows()[0]!.active, "the isp1 route gone, isp2 active");
    expect(f.updates.some((u) => u.removed.length === 1)).toBe(true);

    lab.setWan("alice", "vlan832-orange-internet", true);
    await until(() => f.rows().find((r) => r.link === "isp1" && r.active), "isp1 back and active");

    f.controller.abort();
    await expect(f.running).resolves.toBeUndefined();
  }, 30_000);

  it("rejects with the router's error when the router goes away", async () => {
    const f = feed(lab, peering, "alice", "v7");
    await until(() => f.loaded() !== null, "the table");
    const rebooting = lab.reboot("alice");
    await expect(f.running).rejects.toMatchObject({ kind: expect.stringMatching(/closed|timeout/) });
    await rebooting;
  }, 30_000);
});

describe("route feed on RouterOS 6 (carol 6.49.10, S4): prints again", () => {
  let lab: Lab;
  let peering: Peering;
  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 50, tls: false, ssh: false });
    const json = exampleJson("s4");
    json.sides.alice.allowed.push({ prefix: "10.200.0.0/16", maxLength: 24 });
    const fingerprint = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true" });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
    peering = await buildPeering(lab, mustParse(json), { pppPassword: { isp1: "first-secret", isp2: "second-secret" } });
    lab.tick();
  });
  afterAll(async () => lab.stop());

  it("sees new prefixes arrive and withdrawn ones go", async () => {
    const f = feed(lab, peering, "carol", "v6");
    await until(() => f.loaded() !== null && f.table.size === 2, "alice's prefix on both links");
    expect(new Set(f.rows().map((r) => r.link))).toEqual(new Set(["isp1", "isp2"]));

    lab.leak("alice", 3);
    await until(() => f.rows().filter((r) => r.prefix.startsWith("10.200.")).length === 6, "three new prefixes on both links");
    lab.leak("alice", 0);
    await until(() => f.table.size === 2, "the three withdrawn");

    f.controller.abort();
    await expect(f.running).resolves.toBeUndefined();
  }, 30_000);
});
