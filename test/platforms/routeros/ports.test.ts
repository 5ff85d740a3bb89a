// Ports are checked against what already listens on the router before anything is written: a
// WireGuard port a user's interface uses, an OpenVPN server (7.17+) on a port another server uses
// (issue 13, point 5).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { PLACEHOLDER_KEY } from "../../../src/core/offer.js";
import { example, exampleJson, mustParse, onCleanup } from "../../helpers.js";
import { inventoryLines } from "../../../src/flows/inventory-text.js";
import { exportOf, planAndApply, readyOn, targetOf } from "./apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

/** Adds an object a user made (no bgpals tag) through the lab's store; it goes when the test ends. */
function userObject(router: string, path: string, attrs: Record<string, string>): void {
  const id = lab.router(router).store.add(path, attrs);
  onCleanup(() => lab.router(router).store.remove(path, id));
}

/** Plans the example as applied on `router` (readyOn: its placeholder key, the friend's CA held). */
async function planOn(router: string, peering = example("s1"), side = router) {
  peering = await readyOn(lab, side, peering);
  const r = await routerOs.connect(targetOf(lab, router), router);
  try {
    return await r.plan({ peering, side, secrets: { pppPassword: { isp1: "first-secret", isp2: "second-secret" } } });
  } finally {
    await r.close();
  }
}

describe("ports already in use", () => {
  it("an initiator's WireGuard port that a user's interface listens on is refused at plan, naming both", async () => {
    const port = example("s1").links[0]!.port;
    userObject("remi", "/interface/wireguard", { name: "wg-home", "listen-port": String(port), mtu: "1420" });
    const before = exportOf(lab, "remi");
    const planned = await planOn("remi");
    expect(planned.refusals).toEqual([
      { code: "port-in-use", path: "links[0].port", message: `link isp1: udp/${port} is already taken by WireGuard wg-home (not made by bgpals), and WireGuard interface wg-alice-isp1 cannot listen there too: give the link another port in the peering file (both sides use it), or free that one` },
    ]);
    expect(planned.plan.changes).toEqual([]);
    expect(exportOf(lab, "remi")).toBe(before);
  });

  it("the same port is refused before the WireGuard interfaces are made for their keys (offer, accept)", async () => {
    const port = example("s1").links[1]!.port;
    userObject("remi", "/interface/wireguard", { name: "wg-office", "listen-port": String(port), mtu: "1420" });
    const json = exampleJson("s1");
    for (const link of json.links) link.publicKey.remi = PLACEHOLDER_KEY;
    const before = exportOf(lab, "remi");
    const router = await routerOs.connect(targetOf(lab, "remi"), "remi");
    try {
      await expect(router.prepareLinks(mustParse(json), "remi")).rejects.toThrow(new RegExp(`^nothing written: link isp2: udp/${port} is already taken by WireGuard wg-office \\(not made by bgpals\\)`));
    } finally {
      await router.close();
    }
    expect(exportOf(lab, "remi")).toBe(before);
  });

  it("an OpenVPN server on 7.17+ on a port another server listens on is refused at plan", async () => {
    const port = example("s3").links[0]!.port;
    userObject("alice", "/interface/ovpn-server/server", { name: "road-warriors", port: String(port), protocol: "tcp", disabled: "no" });
    // The friend's CA on alice first (as accept puts it there): planning must write nothing after it.
    await readyOn(lab, "alice", example("s3"));
    const before = exportOf(lab, "alice");
    const planned = await planOn("alice", example("s3"));
    expect(planned.refusals.map((r) => [r.code, r.message])).toEqual([
      ["port-in-use", expect.stringMatching(new RegExp(`^link isp1, isp2: tcp/${port} is already taken by OpenVPN server road-warriors \\(not made by bgpals\\), and OpenVPN server bgpals-alice-remi-ovpn-${port} cannot listen there too`))],
    ]);
    expect(exportOf(lab, "alice")).toBe(before);
  });

  it("a disabled server on that port is no obstacle, nor the peering's own listeners on a re-plan", async () => {
    const port = example("s3").links[0]!.port;
    userObject("alice", "/interface/ovpn-server/server", { name: "old-server", port: String(port), protocol: "tcp", disabled: "yes" });
    const secrets = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };
    onCleanup(() => planAndApply(lab, "alice", example("s3"), { remove: true }));
    expect((await planAndApply(lab, "alice", example("s3"), { secrets })).result).toMatchObject({ ok: true, verified: true });
    const again = await planOn("alice", example("s3"));
    expect(again.refusals).toEqual([]);
    expect(again.plan.changes).toEqual([]);
    // The inventory says whose each listener is.
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    onCleanup(() => router.close());
    const inventory = await router.discover();
    expect(inventory.portsInUse).toEqual([{ port, protocol: "tcp", by: `OpenVPN server bgpals-alice-remi-ovpn-${port}`, peering: "alice-remi-ovpn" }]);
    expect(inventoryLines(inventory)).toContain(`Ports in use: tcp/${port} (OpenVPN server bgpals-alice-remi-ovpn-${port}, bgpals peering alice-remi-ovpn)`);
  });
});
