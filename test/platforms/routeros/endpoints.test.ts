// The friend's endpoint names on the router (issue 13, points 3 and 7): resolved while planning, so
// a name that does not resolve is refused before any write; held as addresses, and followed on the
// router by a bgpals-tagged scheduler script, so a friend whose address changes comes back without
// anyone running bgpals. Through the real client, against the lab.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliAsync } from "../../cli/cli-async.js";
import type { Peering } from "../../../src/core/peering.js";
import { Lab } from "../../../src/lab/lab.js";
import type { Router } from "../../../src/platforms/platform.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { appliedOn, example, exampleJson, mustParse } from "../../helpers.js";
import { connect, print } from "../../lab/lab-helpers.js";
import { exportOf, targetOf } from "./apply-helpers.js";
import { linkPath } from "../../../src/ui/screens/monitor/LinkLines.js";

let lab: Lab | undefined;
const routers: Router[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const r of routers.splice(0)) await r.close().catch(() => undefined);
  await lab?.stop();
  lab = undefined;
});

/** A router whose plans resolve names in the lab's DNS, as the CLI's do in this computer's. */
async function open(name: string): Promise<Router> {
  const l = lab!;
  const router = await routerOs.connect(targetOf(l, name), name, { resolve: async (n) => l.resolve(n) ?? Promise.reject(new Error("the lab's DNS does not know it")) });
  routers.push(router);
  return router;
}

async function applySide(router: Router, peering: Peering, side: string, remove = false): Promise<void> {
  await router.exclusive({ command: remove ? "remove" : "apply", peering: peering.name }, async () => {
    const planned = await router.plan({ peering, side, remove });
    expect(planned.refusals).toEqual([]);
    expect(await router.apply(planned.plan)).toMatchObject({ ok: true, verified: true });
  });
}

/** S1 with the keys the routers made, as the wizard does. */
async function withRouterKeys(sides: Record<string, Router>): Promise<Peering> {
  const peering = structuredClone(example("s1"));
  for (const [side, router] of Object.entries(sides)) {
    const keys = await router.prepareLinks(peering, side);
    for (const link of peering.links) link.publicKey![side] = keys[link.name]!;
  }
  return peering;
}

describe("endpoint names", () => {
  it("a friend's new address is followed by the router's endpoint script within a lab minute: the tunnel comes back", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
    const alice = await open("alice");
    const remi = await open("remi");
    const before = exportOf(lab, "remi");
    const peering = await withRouterKeys({ alice, remi });
    await applySide(alice, peering, "alice");
    await applySide(remi, peering, "remi");
    lab.advance(1000);
    // Which of remi's tunnels run now (a tunnel interface runs while its tunnel is up).
    const up = async () => {
      const api = await connect(lab!, "remi");
      const running = await print(api, "/interface", ["?type=wg", "?running=true"]);
      await api.close();
      return running.map((i) => i.name).sort();
    };
    expect(await up()).toEqual(["wg-alice-isp1", "wg-alice-isp2"]);

    // alice's ISP gives her isp1 WAN a new address; her DNS name follows it.
    const api = await connect(lab, "alice");
    const [address] = await print(api, "/ip/address", ["?address=203.0.113.10/24"]);
    await api.write("/ip/address/set", [`=.id=${address![".id"]}`, "=address=203.0.113.77/24"]);
    await api.write("/lab/dns", ["=name=vpn.alice.example", "=address=203.0.113.77"]);
    await api.close();
    lab.advance(5_000);
    expect(await up()).toEqual(["wg-alice-isp2"]);

    // Within one lab minute of the change, remi's router has resolved the name again and moved the tunnel and its pin.
    lab.advance(55_000);
    expect(await up()).toEqual(["wg-alice-isp1", "wg-alice-isp2"]);
    const remiApi = await connect(lab, "remi");
    const pins = await print(remiApi, "/ip/route", ["?comment=bgpals:alice-remi:pin-isp1"]);
    const [peer] = await print(remiApi, "/interface/wireguard/peers", ["?comment=bgpals:alice-remi:peer-isp1"]);
    await remiApi.close();
    expect(pins.map((r) => r["dst-address"])).toEqual(["203.0.113.77/32"]);
    expect(peer).toMatchObject({ "endpoint-address": "203.0.113.77" });
    // The monitor's line for the link shows the router's last resolution.
    const isp1 = (await remi.status({ routes: false })).tunnels.find((t) => t.link === "isp1");
    expect(isp1).toMatchObject({ endpointAddress: "203.0.113.77" });
    expect(linkPath(peering, peering.links.find((l) => l.name === "isp1")!, "remi", isp1!.endpointAddress)).toBe("wg via pppoe-out1 → vpn.alice.example:13231 (router resolved 203.0.113.77)");

    // What the script moved is what bgpals wants: the plan stays empty; remove takes the script and its scheduler too.
    expect((await remi.plan({ peering, side: "remi" })).plan.changes).toEqual([]);
    await applySide(remi, peering, "remi", true);
    expect(exportOf(lab, "remi")).toBe(before);
  });

  it("a name that does not resolve is refused while planning, naming it and what to pass; nothing is written", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
    const remi = await open("remi");
    // As applied on remi (its keys the placeholder: remi's router makes them), so the name is the one refusal.
    const peering = appliedOn(example("s1"), "remi");
    peering.sides.alice!.wans.isp2!.endpoint = "gone.alice.example";
    const before = exportOf(lab, "remi");
    const writes = () => lab!.router("remi").requests.filter((r) => /\/(add|set|remove|unset|enable|disable|move)$/.test(r.command)).length;
    const written = writes();

    const planned = await remi.exclusive({ command: "apply", peering: peering.name }, () => remi.plan({ peering, side: "remi" }));
    expect(planned.refusals).toEqual([
      {
        code: "endpoint-unresolved",
        path: "sides.alice.wans.isp2.endpoint",
        message: expect.stringMatching(/^alice's endpoint gone\.alice\.example cannot be resolved \(the lab's DNS does not know it\): .*--resolve gone\.alice\.example=<address>$/),
      },
    ]);
    expect(planned.plan.changes).toEqual([]);
    // The lock came and went; nothing of the peering was written.
    expect(lab.router("remi").requests.filter((r) => /\/(add|set|remove)$/.test(r.command) && !r.command.startsWith("/system/scheduler")).length).toBe(0);
    expect(writes() - written).toBeLessThanOrEqual(2);
    expect(exportOf(lab, "remi")).toBe(before);
  });

  it("bgpals plan refuses it too: exit 1, the name, the flag to pass, nothing written", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
    const dir = mkdtempSync(join(tmpdir(), "bgpals-endpoints-"));
    dirs.push(dir);
    const json = exampleJson("s1");
    json.sides.alice.wans.isp2.endpoint = "gone.alice.invalid";
    writeFileSync(join(dir, "peering.json"), JSON.stringify(appliedOn(mustParse(json), "remi")));
    const r = lab.info().routers.find((x) => x.name === "remi")!;
    const before = exportOf(lab, "remi");
    const planned = await cliAsync(["plan", "--router", `${r.user}@${r.host}:${r.port}`, "--peering", join(dir, "peering.json"), "--side", "remi", "--resolve", "vpn.alice.example=203.0.113.10"], { BGPALS_HOME: dir, BGPALS_PASSWORD: r.password });
    expect(planned.code, planned.stderr).toBe(1);
    expect(planned.stderr).toMatch(/refused for this router \(1 problem\), nothing written:\n.*sides\.alice\.wans\.isp2\.endpoint: alice's endpoint gone\.alice\.invalid cannot be resolved \(this computer's DNS does not know it\): .*--resolve gone\.alice\.invalid=<address>/);
    expect(exportOf(lab, "remi")).toBe(before);
  });
});
