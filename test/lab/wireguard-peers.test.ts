// A WireGuard peer entry after the other end goes, as RouterOS shows it: the entry keeps its last
// handshake, which goes on ageing, and its counters; rx stops growing (nothing is received), and
// the side that sends persistent keepalives still counts them in tx. Driven through the real API.
import type { RouterOSAPI } from "node-routeros";
import { afterEach, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { planAndApply } from "../platforms/routeros/apply-helpers.js";
import { example } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";

// S1: alice listens on both links, remi dials her with a persistent keepalive.
const ALICE_PEER = "?comment=bgpals:alice-remi:peer-isp1";
const REMI_PEER = "?name=alice-isp1";
const ALICE_WAN = "vlan832-orange-internet";

let lab: Lab | undefined;
const apis: RouterOSAPI[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
  await lab?.stop();
  lab = undefined;
});

/** A lab whose clock moves only when a test advances it. */
async function s1(): Promise<{ l: Lab; alice: RouterOSAPI; remi: RouterOSAPI; peering: Awaited<ReturnType<typeof buildPeering>> }> {
  const l = (lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, clockFactor: 0, tls: false, ssh: false }));
  const peering = await buildPeering(l, example("s1"));
  l.tick();
  const alice = await connect(l, "alice");
  const remi = await connect(l, "remi");
  apis.push(alice, remi);
  return { l, alice, remi, peering };
}

async function peer(api: RouterOSAPI, query: string): Promise<Record<string, string>> {
  const [found] = await print(api, "/interface/wireguard/peers", [query]);
  if (found === undefined) throw new Error(`no WireGuard peer ${query}`);
  return found;
}

describe("a WireGuard peer after the other end goes", () => {
  it("keeps its handshake ageing and its counters when the friend removes the peering; rx stops", async () => {
    const { l, alice, remi, peering } = await s1();
    l.advance(10_000);
    const before = await peer(alice, ALICE_PEER);
    expect(before["last-handshake"]).toBe("10s");
    expect(Number(before.rx)).toBeGreaterThan(0);

    expect((await planAndApply(l, "remi", peering, { remove: true })).result).toMatchObject({ ok: true, verified: true });
    expect(await print(remi, "/interface/wireguard/peers", [REMI_PEER])).toEqual([]);
    l.advance(60_000);
    const after = await peer(alice, ALICE_PEER);
    // The handshake is the same one, a minute older: fresh enough by its age alone.
    expect(after["last-handshake"]).toBe("1m10s");
    expect(after.rx).toBe(before.rx);
    expect(after.tx).toBe(before.tx);
  });

  it("keeps them when the listener's WAN is cut: rx stops on both ends, the dialling side's keepalives still count in tx", async () => {
    const { l, alice, remi } = await s1();
    l.advance(10_000);
    const aliceBefore = await peer(alice, ALICE_PEER);
    const remiBefore = await peer(remi, REMI_PEER);
    l.setWan("alice", ALICE_WAN, false);
    l.advance(100_000);
    const aliceAfter = await peer(alice, ALICE_PEER);
    const remiAfter = await peer(remi, REMI_PEER);
    expect([aliceAfter["last-handshake"], remiAfter["last-handshake"]]).toEqual(["1m50s", "1m50s"]);
    expect([aliceAfter.rx, remiAfter.rx]).toEqual([aliceBefore.rx, remiBefore.rx]);
    expect(aliceAfter.tx).toBe(aliceBefore.tx);
    // 100 s of 25 s keepalives, 32 bytes each.
    expect(Number(remiAfter.tx) - Number(remiBefore.tx)).toBe(4 * 32);

    // Back: the side that sent and heard nothing handshakes again at once, and the counters grow.
    l.setWan("alice", ALICE_WAN, true);
    l.advance(5_000);
    const back = await peer(alice, ALICE_PEER);
    expect(back["last-handshake"]).toBe("5s");
    expect(Number(back.rx)).toBeGreaterThan(Number(aliceAfter.rx));
  });
});
