// A host's OWN WAN going down and up (a cable pulled, a PPPoE session made again, a DHCP address
// renewed) on real BIRD and WireGuard: two netlab hosts peered over two ISPs (remi dials, alice
// listens). The kernel deletes every route through an interface that goes down and never puts it
// back. While remi's wan1 is down his isp1 tunnel must not slip out of wan2 (both "links" riding
// one ISP would make failover fake): the LANs' routes move to isp2. Once wan1 is up again the
// route that keeps isp1 on wan1 is back, and the isp1 session, by itself: bgpals does not run again.
// Everything is read from BIRD (birdc), the kernel (ip) and WireGuard (wg), not from bgpals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durationMs } from "../../../src/core/duration.js";
import { ALICE, bestIs, establishedOn, expectedBest, mustOnHost, REMI, startPeeredHosts, tunnelOf, waitFor, type PeeredHosts } from "./peered-hosts.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";

// BIRD notices a dead path by its hold timer; what follows takes moments, on a machine shared by parallel workers.
const MARGIN_MS = 15_000;
// After a session fails BIRD waits its "error wait time" (60 s at first) before it tries again.
const FAILBACK_MS = 150_000;
// WireGuard's handshakes are retried every few seconds: a few of them, had the tunnel a way out of wan2.
const HANDSHAKES_MS = 12_000;

let hosts: PeeredHosts;

const lanOf = (side: string) => hosts.peering.sides[side]!.networks[0]!;
const lab = () => hosts.lab;
/** Remi's WAN of the primary link (isp1), and the address of alice's end of it (where his isp1 tunnel dials). */
const remiWan = () => lab().hosts[REMI]!.wans[0]!;
const aliceEndpoint = () => lab().hosts[ALICE]!.wans[0]!.address;
const { primary, backup } = { primary: "isp1", backup: "isp2" };

/** Where the kernel sends a packet to `address` from `side` now (`ip route get`), or why it cannot. */
async function routeTo(side: string, address: string): Promise<string> {
  const r = await lab().exec(side, ["ip", "route", "get", address]);
  return r.code === 0 ? r.stdout.trim() : `no route: ${r.stderr.trim()}`;
}

/** The endpoint alice's end of `link` hears remi from (WireGuard learns it from his last handshake). */
async function remiSeenFrom(link: string): Promise<string> {
  const out = await hosts.onHost(ALICE, `wg show ${tunnelOf(hosts, ALICE, link)} endpoints`);
  return out.trim().split("\t")[1]?.replace(/:\d+$/, "") ?? "";
}

/** The endpoint remi's end of `link` sends to: alice's address he last heard it from. */
async function aliceSeenFrom(link: string): Promise<string> {
  const out = await hosts.onHost(REMI, `wg show ${tunnelOf(hosts, REMI, link)} endpoints`);
  return out.trim().split("\t")[1]?.replace(/:\d+$/, "") ?? "";
}

const bestOnBoth = async (link: string, localPref: number) =>
  (await bestIs(hosts, ALICE, lanOf(REMI), expectedBest(hosts, ALICE, link, localPref))) && (await bestIs(hosts, REMI, lanOf(ALICE), expectedBest(hosts, REMI, link, localPref)));

const isp1Session = () => linuxNames.bgpProtocol(hosts.peering, primary);

beforeAll(async () => {
  hosts = await startPeeredHosts();
  await waitFor(async () => (await establishedOn(hosts, ALICE)).length === 2 && (await establishedOn(hosts, REMI)).length === 2, "both sessions Established on both hosts", 90_000);
  await waitFor(() => bestOnBoth(primary, hosts.peering.policy.localPref.primary), "the LANs' routes via isp1 on both hosts");
}, 150_000);
afterAll(() => hosts?.lab.teardown());

describe("a host's own WAN going down and up", () => {
  it("keeps the primary's tunnel off the other WAN while it is down, and brings its route and session back when it is up, without bgpals", async () => {
    const holdMs = durationMs(hosts.peering.policy.timers.hold)!;
    const wan = remiWan();
    const other = lab().hosts[REMI]!.wans[1]!;
    expect(await routeTo(REMI, aliceEndpoint())).toContain(`dev ${wan.interface}`);
    expect(await remiSeenFrom(primary)).toBe(wan.address);

    await mustOnHost(lab(), REMI, ["ip", "link", "set", wan.interface, "down"]);
    try {
      await waitFor(() => bestOnBoth(backup, hosts.peering.policy.localPref.backup), "both BIRDs' best routes via isp2 while remi's wan1 is down", holdMs + MARGIN_MS);
      // Nowhere rather than out of wan2: the way to alice's isp1 end is unreachable, not the main table's default via wan2.
      const way = await routeTo(REMI, aliceEndpoint());
      expect(way).not.toContain(`dev ${other.interface}`);
      expect(way).toMatch(/unreachable|no route/i);
      // Time for a few handshakes: alice never hears remi's isp1 tunnel from his wan2 address, and its session stays down.
      const until = Date.now() + HANDSHAKES_MS;
      while (Date.now() < until) {
        expect(await remiSeenFrom(primary)).not.toBe(other.address);
        expect(await establishedOn(hosts, REMI)).not.toContain(isp1Session());
        await new Promise((resolve) => setTimeout(resolve, 1000)); // between two looks
      }
    } finally {
      await mustOnHost(lab(), REMI, ["ip", "link", "set", wan.interface, "up"]);
    }

    // The route through wan1 is back by itself (the kernel took it when wan1 went down), and the tunnel with it.
    await waitFor(async () => (await routeTo(REMI, aliceEndpoint())).includes(`via ${wan.gateway} dev ${wan.interface}`), "remi's way to alice's isp1 end through wan1 again", 30_000);
    const rules = await mustOnHost(lab(), REMI, ["ip", "rule", "show"]);
    const table = new RegExp(`to ${aliceEndpoint().replace(/\./g, "\\.")} lookup (\\d+)`).exec(rules)?.[1];
    expect(table, rules).toBeDefined();
    expect(await mustOnHost(lab(), REMI, ["ip", "route", "show", "table", table!])).toMatch(new RegExp(`^default via ${wan.gateway.replace(/\./g, "\\.")} dev ${wan.interface} proto bird`, "m"));
    await waitFor(() => bestOnBoth(primary, hosts.peering.policy.localPref.primary), "both BIRDs' best routes via isp1 again, local-pref 200", FAILBACK_MS);
    expect(await establishedOn(hosts, REMI)).toContain(isp1Session());
    expect(await remiSeenFrom(primary)).toBe(wan.address);
  }, 60_000 + MARGIN_MS + HANDSHAKES_MS + FAILBACK_MS);

  it("an address taken off the WAN and put back (DHCP): the way through it goes and comes back", async () => {
    const wan = remiWan();
    const other = lab().hosts[REMI]!.wans[1]!;
    const address = `${wan.address}/${wan.prefixLength}`;
    await mustOnHost(lab(), REMI, ["ip", "address", "del", address, "dev", wan.interface]);
    try {
      await waitFor(async () => /unreachable|no route/i.test(await routeTo(REMI, aliceEndpoint())), "remi's way to alice's isp1 end unreachable without wan1's address", 10_000);
      expect(await routeTo(REMI, aliceEndpoint())).not.toContain(`dev ${other.interface}`);
    } finally {
      await mustOnHost(lab(), REMI, ["ip", "address", "add", address, "dev", wan.interface]);
    }
    await waitFor(async () => {
      const way = await routeTo(REMI, aliceEndpoint());
      return way.includes(`via ${wan.gateway} dev ${wan.interface}`) && way.includes(`src ${wan.address}`);
    }, "remi's way to alice's isp1 end through wan1, from its address, again", 30_000);
  }, 60_000);

  it("the listener's answers: their table loses its route while alice's wan1 is down, nothing of the tunnel's leaves by wan2, and the route is back when it is up", async () => {
    const wan = lab().hosts[ALICE]!.wans[0]!;
    const rules = await mustOnHost(lab(), ALICE, ["ip", "rule", "show"]);
    // alice's isp1 answers: the rule by the mark nftables gives remi's isp1 connection.
    const tables = [...rules.matchAll(/fwmark 0x[0-9a-f]+ lookup (\d+)/g)].map((m) => m[1]!);
    expect(tables.length).toBe(2);
    const holds = async (table: string) => mustOnHost(lab(), ALICE, ["ip", "route", "show", "table", table]);
    const isp1 = (await Promise.all(tables.map(async (t) => ({ t, routes: await holds(t) })))).find(({ routes }) => routes.includes(`dev ${wan.interface}`))?.t;
    expect(isp1, `${tables.join(", ")}`).toBeDefined();
    await mustOnHost(lab(), ALICE, ["ip", "link", "set", wan.interface, "down"]);
    try {
      await waitFor(async () => /^unreachable default/m.test(await holds(isp1!)), "alice's isp1 answer table unreachable while wan1 is down", 10_000);
      // What alice's isp1 tunnel still sends (BGP keepalives) goes nowhere: wireguard-go, its
      // source address gone with wan1, sends from another one, and were that let out of wan2,
      // remi's end would follow alice there (WireGuard roams) and the session would stay up.
      const aliceWan2 = lab().hosts[ALICE]!.wans[1]!.address;
      const until = Date.now() + HANDSHAKES_MS;
      while (Date.now() < until) {
        expect(await aliceSeenFrom(primary)).not.toBe(aliceWan2);
        await new Promise((resolve) => setTimeout(resolve, 1000)); // between two looks
      }
    } finally {
      await mustOnHost(lab(), ALICE, ["ip", "link", "set", wan.interface, "up"]);
    }
    await waitFor(async () => new RegExp(`^default via ${wan.gateway.replace(/\./g, "\\.")} dev ${wan.interface} proto bird`, "m").test(await holds(isp1!)), "alice's isp1 answer table through wan1 again", 30_000);
  }, 60_000 + HANDSHAKES_MS);
});
