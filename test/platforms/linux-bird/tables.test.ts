// Two peerings on one real Linux host whose links' kernel table numbers (from their names) meet:
// the second takes another table, BIRD takes both, and each keeps its table whichever is re-planned
// or removed first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Peering } from "../../../src/core/peering.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import type { Router } from "../../../src/platforms/platform.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { withNetlabHost } from "./helpers.js";
import { twoWanPeering } from "./peered-hosts.js";

// Names of this file and process only: they name the tunnels, whose wireguard-go sockets share /run/wireguard.
const ALICE = `t${process.pid}`;
const BOB = `b${process.pid}`;
const CAROL = `c${process.pid}`;
const FIRST = `tf${process.pid}`;

let lab: Netlab;

/** A peering name whose isp1 table is the first peering's isp1 table, as 12 bits of two names' hashes can be. */
function collidingName(): string {
  const taken = linuxNames.pathTable({ name: FIRST } as Peering, "isp1");
  // 4096 numbers: one in a few thousand names meets it; a hundred thousand without one is a changed hash.
  for (let i = 0; i < 100_000; i++) {
    const name = `tg${process.pid}${i}`;
    if (linuxNames.pathTable({ name } as Peering, "isp1") === taken) return name;
  }
  throw new Error(`no peering name meets table ${taken}: did linuxNames.pathTable change?`);
}

function peeringOf(name: string, friend: string, portBase: number, subnetBase: number): Peering {
  // Alice listens on both links; the friend is never applied here (its gateways are not used).
  return twoWanPeering({ name, alice: ALICE, remi: friend, portBase, subnetBase, aliceWans: lab.hosts[ALICE]!.wans, remiGateways: ["192.0.2.1", "192.0.2.2"] });
}

async function applyOn(router: Router, peering: Peering, remove = false): Promise<void> {
  const result = await router.apply((await router.plan({ peering, side: ALICE, remove })).plan);
  expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
}

/** The kernel tables alice's rules look up: what ip rule says, not what bgpals thinks. */
async function ruleTables(): Promise<string[]> {
  const r = await lab.exec(ALICE, ["ip", "-4", "rule", "show"]);
  return [...r.stdout.matchAll(/lookup (\d+)/g)].map((m) => m[1]!).sort();
}

beforeAll(async () => {
  lab = await startNetlab([{ name: ALICE, lan: "192.168.10.1/24" }]);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
});

describe("kernel tables of two peerings on one Linux host", () => {
  it("the second peering takes a table of its own where the names give the first's; each keeps its table across re-plans and the other's removal", async () => {
    const first = peeringOf(FIRST, BOB, 13430, 29);
    const second = peeringOf(collidingName(), CAROL, 13440, 39);
    const table = String(linuxNames.pathTable(first, "isp1"));
    expect(String(linuxNames.pathTable(second, "isp1"))).toBe(table);
    await withNetlabHost(lab, ALICE, async (router) => {
      await applyOn(router, first);
      const firsts = await ruleTables();
      expect(firsts).toContain(table);
      // BIRD refused the second kernel protocol on the same table; now it takes another.
      await applyOn(router, second);
      const both = await ruleTables();
      expect(both).toHaveLength(4);
      expect(new Set(both).size).toBe(4);
      const birdProtocols = await lab.birdc(ALICE, "show", "protocols");
      for (const [p, link] of [first, second].flatMap((p) => ["isp1", "isp2"].map((l) => [p, l] as const))) expect(birdProtocols).toMatch(new RegExp(`^${linuxNames.pathKernelProtocol(p, link)}\\s+Kernel\\s+\\S+\\s+up`, "m"));
      // Each re-plan is empty, whichever is read first.
      for (const p of [first, second]) expect((await router.plan({ peering: p, side: ALICE })).plan.changes, p.name).toEqual([]);
      // The first goes: the second keeps the table it has (no re-plan moves it back to its own number).
      await applyOn(router, first, true);
      expect((await router.plan({ peering: second, side: ALICE })).plan.changes).toEqual([]);
      expect(await ruleTables()).toEqual(both.filter((t) => !firsts.includes(t)));
      await applyOn(router, second, true);
      expect(await ruleTables()).not.toContain(table);
    });
  }, 240_000);
});
