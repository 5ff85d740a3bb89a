// Routes through our WANs, planned and applied through the real client on the lab: an Ethernet WAN
// with a DHCP lease is reached through its next hop, a PPPoE WAN through its interface; a listener's
// answers leave by the WAN the friend came in on; two links from different WANs to one endpoint
// are refused.
import { afterEach, describe, expect, it } from "vitest";
import type { Peering } from "../../../src/core/peering.js";
import { Lab } from "../../../src/lab/lab.js";
import type { Router } from "../../../src/platforms/platform.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { exampleJson, mustParse, until } from "../../helpers.js";
import { planAndApply, targetOf } from "./apply-helpers.js";

let lab: Lab | undefined;
const routers: Router[] = [];
afterEach(async () => {
  for (const r of routers.splice(0)) await r.close().catch(() => undefined);
  await lab?.stop();
  lab = undefined;
});

async function open(l: Lab, name: string): Promise<Router> {
  const router = await routerOs.connect(targetOf(l, name), name);
  routers.push(router);
  return router;
}

// The key a bundle carries before the router made one: the router makes it (prepareLinks).
const PLACEHOLDER = `${"A".repeat(43)}=`;

/** S1 between alice and dana: dana's isp1 is his DHCP Ethernet WAN, isp2 his PPPoE. */
function aliceDana(mutate: (json: Record<string, any>) => void = () => {}): Peering {
  const json = exampleJson("s1");
  json.name = "alice-dana";
  const dana = json.sides.remi;
  delete json.sides.remi;
  Object.assign(dana, { routerId: "192.168.77.1", platform: { os: "routeros", version: "7.22.3" }, networks: ["192.168.77.0/24"], allowed: [{ prefix: "192.168.76.0/23", maxLength: 32 }] });
  dana.wans = { isp1: { interface: "ether1" }, isp2: { interface: "pppoe-out1" } };
  json.sides.dana = dana;
  // Alice's WAN gateways are learned from her router, not written in the file.
  for (const wan of Object.values(json.sides.alice.wans) as Array<Record<string, unknown>>) delete wan.gateway;
  for (const link of json.links) {
    link.wan = { alice: link.wan.alice, dana: link.wan.remi };
    link.address = { alice: link.address.alice, dana: link.address.remi };
    link.publicKey = { alice: PLACEHOLDER, dana: PLACEHOLDER };
  }
  mutate(json);
  return mustParse(json);
}

/**
 * The peering as `side` plans it once the friend's keys are known (the example's, carried by the
 * friend's bundle), its own still the placeholder its router makes: the key checks pass, and what
 * a test proves is refused for its own reason alone.
 */
function friendKeysKnown(peering: Peering, side: string): Peering {
  const example = exampleJson("s1");
  const out = structuredClone(peering);
  out.links.forEach((link, i) => {
    if (link.kind !== "wireguard") return;
    const theirs = Object.keys(out.sides).find((s) => s !== side)!;
    link.publicKey = { ...link.publicKey, [theirs]: example.links[i].publicKey[theirs === "alice" ? "alice" : "remi"] };
  });
  return out;
}

/** Both sides' tunnels made by their routers (keys router-made, as the wizard does), then planned and applied. */
async function build(l: Lab, draft: Peering): Promise<Peering> {
  const peering: Peering = structuredClone(draft);
  for (const side of Object.keys(peering.sides)) {
    const keys = await (await open(l, side)).prepareLinks(draft, side);
    for (const link of peering.links) link.publicKey![side] = keys[link.name]!;
  }
  for (const side of Object.keys(peering.sides)) await planAndApply(l, side, peering);
  return peering;
}

describe("discovery of WAN gateways", () => {
  it("learns each WAN's next hop and whether it is point-to-point, and follows a WAN that goes down", async () => {
    lab = await Lab.start({ routers: ["alice", "dana"], tickMs: 0 });
    const wans = async (name: string) => Object.fromEntries((await (await open(lab!, name)).discover()).wans.map((w) => [w.interface, { pointToPoint: w.pointToPoint, nextHop: w.nextHop }]));
    expect(await wans("dana")).toEqual({ ether1: { pointToPoint: false, nextHop: "198.19.4.1" }, "pppoe-out1": { pointToPoint: true, nextHop: undefined } });
    expect(await wans("alice")).toEqual({
      "vlan832-orange-internet": { pointToPoint: false, nextHop: "203.0.113.1" },
      "sfp-wan-sfr": { pointToPoint: false, nextHop: "198.51.100.1" },
    });
    // While the lease is gone, there is no next hop to learn.
    lab.setWan("dana", "ether1", false);
    expect((await wans("dana")).ether1).toEqual({ pointToPoint: false, nextHop: undefined });
  });
});

describe("routes through Ethernet and PPPoE WANs", () => {
  it("a peering over dana's DHCP Ethernet WAN comes up: the pin names the lease's next hop, the PPPoE pin its interface", async () => {
    lab = await Lab.start({ routers: ["alice", "dana"] });
    await build(lab, aliceDana());

    const dana = await open(lab, "dana");
    const tunnels = await until(async () => {
      const status = await dana.status({ routes: false });
      return status.tunnels.length === 2 && status.tunnels.every((t) => t.state === "up") && status.tunnels;
    }, () => `both of dana's tunnels up: ${lab!.dataplane.of("dana").tunnels.map((t) => `${t.tunnel.initiator.interface} ${t.tunnel.reason ?? "up"}`).join("; ")}`);
    expect(tunnels.map((t) => t.link).sort()).toEqual(["isp1", "isp2"]);
    // Each rides the WAN it is pinned to.
    expect(Object.fromEntries(lab.dataplane.of("dana").tunnels.map((t) => [t.tunnel.initiator.interface, t.tunnel.via]))).toEqual({ "wg-alice-isp1": "ether1", "wg-alice-isp2": "pppoe-out1" });

    const pins = lab.router("dana").store.at("/ip/route").list().filter((r) => /^bgpals:alice-dana:pin-isp\d$/.test(r.comment ?? ""));
    expect(pins.map((r) => [r.comment, r.gateway]).sort()).toEqual([
      ["bgpals:alice-dana:pin-isp1", "198.19.4.1"],
      ["bgpals:alice-dana:pin-isp2", "pppoe-out1"],
    ]);
    const sessions = await until(async () => {
      const s = (await dana.status({ routes: false })).sessions;
      return s.length === 2 && s.every((x) => x.state === "established") && s;
    }, "both BGP sessions established");
    expect(sessions.map((s) => s.link).sort()).toEqual(["isp1", "isp2"]);
  });

  it("refuses an Ethernet WAN without a next hop to learn, naming the field to set", async () => {
    lab = await Lab.start({ routers: ["dana"] });
    const peering = aliceDana((json) => {
      json.sides.dana.wans.isp1 = { interface: "ether3" };
    });
    const planned = await (await open(lab, "dana")).plan({ peering: friendKeysKnown(peering, "dana"), side: "dana" });
    expect(planned.refusals).toEqual([
      expect.objectContaining({ path: "sides.dana.wans.isp1.gateway", message: expect.stringMatching(/ether3, an Ethernet-like interface \(ether\) with no default route or DHCP lease.*set it as sides\.dana\.wans\.isp1\.gateway/) }),
    ]);
    expect(planned.plan.changes).toEqual([]);
  });

  it("refuses two links from different WANs to one endpoint of the friend, before anything is written", async () => {
    lab = await Lab.start({ routers: ["alice", "dana"] });
    const peering = aliceDana((json) => {
      json.links[1].wan.alice = "isp1";
    });
    for (const side of ["alice", "dana"]) {
      const planned = await (await open(lab, side)).plan({ peering: friendKeysKnown(peering, side), side });
      expect(planned.refusals.map((r) => [r.path, r.message])).toEqual([
        [
          "links[1].wan.dana",
          "links isp1 and isp2 both reach alice at vpn.alice.example but leave dana by different WANs (isp1, isp2): two routes to one address at the same distance are shared by the router as it likes, so a link would not stay on its WAN. Give alice's WANs an endpoint each, or run both links on one of dana's WANs",
        ],
      ]);
    }
  });
});

describe("answers on the second WAN", () => {
  it("S1 applied through the client: remi's isp2 tunnel reaches alice on sfp-wan-sfr and alice answers through it", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"] });
    const json = exampleJson("s1");
    for (const link of json.links) link.publicKey = { alice: PLACEHOLDER, remi: PLACEHOLDER };
    await build(lab, mustParse(json));
    const remi = await open(lab, "remi");
    await until(async () => (await remi.status({ routes: false })).tunnels.every((t) => t.state === "up"), () => `remi's tunnels up: ${lab!.dataplane.of("remi").tunnels.map((t) => `${t.tunnel.initiator.interface} ${t.tunnel.reason ?? "up"}`).join("; ")}`);
    const isp2 = lab.dataplane.of("remi").tunnels.find((t) => t.tunnel.initiator.interface === "wg-alice-isp2")!;
    expect(isp2.tunnel).toMatchObject({ up: true, via: "pppoe-out2", listener: { router: "alice", interface: "wg-remi-isp2" } });
    // The answers' route: alice's own table for isp2, through sfr's next hop (learned from alice's default route).
    const replies = lab.router("alice").store.at("/ip/route").list().find((r) => r.comment === "bgpals:alice-remi:reply-route-isp2");
    expect(replies).toMatchObject({ "dst-address": "0.0.0.0/0", gateway: "198.51.100.1", "routing-table": "bgpals-alice-remi-isp2" });
  });
});
