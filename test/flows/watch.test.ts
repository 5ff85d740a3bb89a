// The watcher is one live model of a router: looks at tunnels and sessions, and the friends' routes
// on one stream. However many looks it takes, it prints the friends' routes once; best-path
// events come off that stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteTable } from "../../src/core/route-table.js";
import { watchRouter, type WatchEvent } from "../../src/flows/watch.js";
import { Lab } from "../../src/lab/lab.js";
import type { ApiRequest } from "../../src/lab/protocol/server.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { example } from "../helpers.js";
import { buildPeering } from "../lab/lab-helpers.js";
import { targetOf } from "../platforms/routeros/apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  // 20 lab seconds per real second: the 30 s hold timer expires in 1.5 s.
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, clockFactor: 20, tls: false, ssh: false });
  await buildPeering(lab, example("s1"));
  lab.tick();
}, 60_000);
afterAll(async () => lab.stop());

async function until<T>(find: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Watches alice, looking every 100 ms, until `stop`. */
function watchAlice(options: Pick<Parameters<typeof watchRouter>[0], "onEvent" | "onStatus" | "routes">): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const watching = watchRouter({ connect: () => routerOs.connect(targetOf(lab, "alice"), "alice"), signal: controller.signal, pollMs: 100, ...options });
  return {
    stop: async () => {
      controller.abort();
      await watching;
    },
  };
}

/** Prints of /ip/route that ask for BGP routes (the friends' are among them), counts included. */
const routePrints = (requests: readonly ApiRequest[]) => requests.filter((r) => r.command === "/ip/route/print" && r.queries.includes("bgp=true"));

describe("watchRouter", () => {
  it("prints the friend's routes once however many looks, and tells a best path moving off the stream", async () => {
    const alice = lab.router("alice");
    const from = alice.requests.length;
    const events: WatchEvent[] = [];
    let looks = 0;
    const table = new RouteTable();
    const watching = watchAlice({ onEvent: (e) => events.push(e), onStatus: () => looks++, routes: { table } });
    try {
      const snapshot = await until(() => events.find((e) => e.event === "snapshot"), "the snapshot");
      expect(snapshot).toMatchObject({ routes: 2 });
      expect(table.size).toBe(2);
      await until(() => (looks >= 10 ? true : undefined), "ten looks");
      const prints = routePrints(alice.requests.slice(from));
      // A count (when the table is all in), then the print that follows every change: nothing per look.
      expect(prints.map((p) => (p.attributes.has("count-only") ? "count" : p.attributes.has("follow") ? "follow" : "print"))).toEqual(["count", "follow"]);
      // And never a print of the whole table.
      expect(alice.requests.slice(from).filter((r) => r.command === "/ip/route/print" && r.queries.length === 0)).toEqual([]);

      lab.setWan("alice", "vlan832-orange-internet", false);
      const moved = await until(() => events.find((e) => e.event === "best-path-moved"), "the best path moving");
      expect(moved).toMatchObject({ prefix: "192.168.42.0/24", from: { link: "isp1" }, to: { link: "isp2" } });
      expect(routePrints(alice.requests.slice(from))).toHaveLength(2);
    } finally {
      lab.setWan("alice", "vlan832-orange-internet", true);
      await watching.stop();
    }
  }, 60_000);

  it("lists the filtered routes up to its limit, and counts every one the router holds", async () => {
    // Three prefixes remi may not send, refused on both links: six filtered routes, three listed.
    lab.leakPrefixes("remi", ["10.97.1.0/24", "10.97.2.0/24", "10.97.3.0/24"]);
    const table = new RouteTable();
    const watching = watchAlice({ onEvent: () => undefined, routes: { table, filtered: 3 } });
    try {
      const counts = await until(() => {
        const c = table.counts();
        return c.filteredHeld === 6 && c.total === 2 ? c : undefined;
      }, "remi's two routes and six filtered ones counted");
      expect(counts.filtered).toBe(3);
      lab.leakPrefixes("remi", []);
      await until(() => (table.counts().filteredHeld === 0 ? true : undefined), "no filtered route once remi stops");
      expect(table.counts().filtered).toBe(0);
    } finally {
      lab.leakPrefixes("remi", []);
      await watching.stop();
    }
  });

  it("with routes: false, reads tunnels and sessions only", async () => {
    const alice = lab.router("alice");
    const from = alice.requests.length;
    const events: WatchEvent[] = [];
    const watching = watchAlice({ onEvent: (e) => events.push(e), routes: false });
    try {
      const snapshot = await until(() => events.find((e) => e.event === "snapshot"), "the snapshot");
      expect(snapshot).toMatchObject({ routes: 0 });
      if (snapshot.event === "snapshot") expect(snapshot.status.sessions.map((s) => s.remoteAddress).sort()).toEqual(["172.16.10.2", "172.16.11.2"]);
      expect(routePrints(alice.requests.slice(from))).toEqual([]);
    } finally {
      await watching.stop();
    }
  });
});
