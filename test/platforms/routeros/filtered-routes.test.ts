// The routes a friend sent that alice's input filters refused, read from the lab's RouterOS 7 as
// the monitor reads them: a capped list with the rule in words, not part of the route stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { dialectOf } from "../../../src/platforms/routeros/dialects.js";
import { readFilteredRoutes } from "../../../src/platforms/routeros/filtered.js";
import { example } from "../../helpers.js";
import { buildPeering } from "../../lab/lab-helpers.js";
import { targetOf } from "./apply-helpers.js";

// S1: remi's addresses on the two tunnels, as alice's sessions name them.
const REMI = ["172.16.10.2", "172.16.11.2"];
const LEAKED: Record<string, string> = {
  "0.0.0.0/0": "default route",
  "192.168.0.0/24": "your own network 192.168.0.0/23",
  "10.99.0.0/24": "not in friend's allowed prefixes",
};

let lab: Lab;
let client: RouterClient;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
  await buildPeering(lab, example("s1"));
  lab.leakPrefixes("remi", Object.keys(LEAKED));
  client = await RouterClient.connect(targetOf(lab, "alice"));
}, 60_000);
afterAll(async () => {
  await client.close();
  await lab.stop();
});

describe("filtered routes (RouterOS 7)", () => {
  it("lists each with the rule of its link that refused it, in words", async () => {
    const found = await readFilteredRoutes(client, targetOf(lab, "alice"), dialectOf("7.24")!, REMI, 1000);
    expect(found.total).toBe(6);
    expect(found.routes.map((r) => `${r.prefix} ${r.gateway} ${r.reason}`).sort()).toEqual(
      Object.entries(LEAKED).flatMap(([prefix, reason]) => REMI.map((gateway) => `${prefix} ${gateway} ${reason}`)).sort(),
    );
  });

  it("reads no more than asked for when there are more (streamed and cancelled), and says how many there are", async () => {
    const found = await readFilteredRoutes(client, targetOf(lab, "alice"), dialectOf("7.24")!, REMI, 4);
    expect(found.total).toBe(6);
    expect(found.routes).toHaveLength(4);
    for (const r of found.routes) expect(r.reason).toBe(LEAKED[r.prefix]);
  });

  it("only those from the friend's addresses asked for", async () => {
    const found = await readFilteredRoutes(client, targetOf(lab, "alice"), dialectOf("7.24")!, [REMI[0]!], 1000);
    expect(found.routes.map((r) => r.gateway)).toEqual([REMI[0], REMI[0], REMI[0]]);
  });

  it("none on RouterOS 6, whose bgpals rules forget what they refuse", async () => {
    expect(await readFilteredRoutes(client, targetOf(lab, "alice"), dialectOf("6.49.10")!, REMI, 1000)).toEqual({ routes: [], total: 0 });
  });
});
