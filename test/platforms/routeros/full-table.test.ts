// A router that carries a full table from an upstream that is not a bgpals peer: discovery, plan,
// status and a swap's routes ask for what they need (queries), never for the whole /ip/route, and
// find the same as on a router without that table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import type { ApiRequest } from "../../../src/lab/protocol/server.js";
import type { Router } from "../../../src/platforms/platform.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { example } from "../../helpers.js";
import type { Peering } from "../../../src/core/peering.js";
import { buildPeering } from "../../lab/lab-helpers.js";
import { targetOf } from "./apply-helpers.js";

let lab: Lab;
let router: Router;
let peering: Peering;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
  peering = await buildPeering(lab, example("s1"));
  router = await routerOs.connect(targetOf(lab, "alice"), "alice");
  // Both sessions up, remi's prefix in on both: the state stays as it is from here.
  for (let i = 0; (await router.bgpRoutes()).length < 2; i++) {
    if (i > 300) throw new Error("the peering did not come up");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 60_000);
afterAll(async () => {
  await router?.close();
  await lab.stop();
});

/** What each look reads, with and without 5,000 upstream routes on the router. */
async function looks() {
  const inventory = await router.discover();
  const planned = await router.plan({ peering, side: "alice" });
  const removal = await router.plan({ peering, side: "alice", remove: true });
  const routes = await router.bgpRoutes();
  const status = await router.status();
  return { inventory, changes: planned.plan.changes.length, refusals: planned.refusals, removal: removal.plan.changes.map((c) => `${c.op} ${c.path} ${c.role}`), routes, status: { routes: status.routes, sessions: status.sessions.map((s) => [s.name, s.state, s.prefixes]) } };
}

const routePrints = (requests: readonly ApiRequest[]) => requests.filter((r) => r.command === "/ip/route/print");

describe("a router carrying an upstream table", () => {
  it("is read by query: no print of the whole /ip/route, nor of every BGP route, and the same answers", async () => {
    const without = await looks();
    expect(await lab.router("alice").store.at("/ip/route").size).toBeLessThan(20);
    lab.table("alice", 5000);
    await lab.settle();
    expect(lab.router("alice").store.at("/ip/route").size).toBeGreaterThan(5000);

    const from = lab.router("alice").requests.length;
    const withTable = await looks();
    expect(without.routes).toHaveLength(2);
    expect(without.status.routes).toHaveLength(2);
    expect(withTable).toEqual(without);
    const prints = routePrints(lab.router("alice").requests.slice(from));
    expect(prints.length).toBeGreaterThan(0);
    for (const print of prints) {
      // Each asks for what it needs: static or non-BGP routes, given destinations, given next hops.
      expect(print.queries.length, JSON.stringify(print.queries)).toBeGreaterThan(0);
      expect(print.queries.some((q) => /^(-dynamic|-bgp|dst-address=|gateway=)/.test(q)), JSON.stringify(print.queries)).toBe(true);
    }
  }, 60_000);
});
