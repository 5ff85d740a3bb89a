// Routes an input filter rejects stay visible where each RouterOS generation keeps them: RouterOS 7
// in /routing/route with the `filtered` flag (not in /ip/route), RouterOS 6 in /ip/route, inactive,
// when the rule `reject`s (a `discard` forgets the route).
import { afterEach, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { example } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";

// What a careless friend sends: a default route, the receiver's own network, a prefix it may not send.
const ALICE_LAN = "192.168.0.0/24";
const CAROL_LAN = "192.168.88.0/24";
const DEFAULT = "0.0.0.0/0";
const NOT_ALLOWED = "10.99.0.0/24";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

describe("filtered routes in the lab", () => {
  it("RouterOS 7 lists what its input filters rejected in /routing/route with filtered=true, and not in /ip/route", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    await buildPeering(lab, example("s1"));
    const remi = await connect(lab, "remi");
    const ret = await remi.write("/lab/leak", [`=prefixes=${DEFAULT},${ALICE_LAN},${NOT_ALLOWED}`]);
    expect(ret).toEqual([{ ret: "3" }]);
    await remi.close();
    lab.tick();

    const alice = await connect(lab, "alice");
    const filtered = await print(alice, "/routing/route", ["?filtered=true", "=.proplist=dst-address,gateway,filtered,active"]);
    expect(filtered.map((r) => `${r["dst-address"]} ${r.gateway}`).sort()).toEqual(
      [DEFAULT, ALICE_LAN, NOT_ALLOWED].flatMap((p) => [`${p} 172.16.10.2`, `${p} 172.16.11.2`]).sort(),
    );
    expect(new Set(filtered.map((r) => `${r.filtered} ${r.active}`))).toEqual(new Set(["true false"]));
    // Only the asked-for attributes come back.
    expect(Object.keys(filtered[0]!).sort()).toEqual(["active", "dst-address", "filtered", "gateway"]);
    // The route remi may send is in /routing/route too, not filtered, and active on isp1.
    const accepted = await print(alice, "/routing/route", ["?dst-address=192.168.42.0/24", "?filtered=false"]);
    expect(accepted.map((r) => [r.gateway, r.active]).sort()).toEqual([["172.16.10.2", "true"], ["172.16.11.2", "false"]]);
    // /ip/route shows none of what was filtered.
    for (const prefix of [DEFAULT, NOT_ALLOWED]) expect(await print(alice, "/ip/route", [`?dst-address=${prefix}`, "?bgp=true"])).toEqual([]);
    expect((await print(alice, "/ip/route", [`?dst-address=${ALICE_LAN}`])).every((r) => r.bgp !== "true")).toBe(true);
    expect(await alice.write("/routing/route/print", ["?filtered=true", "=count-only="])).toEqual([{ ret: "6" }]);

    // Leaking nothing takes them away.
    const again = await connect(lab, "remi");
    await again.write("/lab/leak", ["=prefixes="]);
    await again.close();
    lab.tick();
    expect(await print(alice, "/routing/route", ["?filtered=true"])).toEqual([]);
    await alice.close();
  });

  it("refuses a leak of something that is not a prefix, and changes nothing", async () => {
    lab = await Lab.start({ routers: ["remi"], tickMs: 0 });
    const remi = await connect(lab, "remi");
    await expect(remi.write("/lab/leak", ["=prefixes=10.0.0.0/24,not-a-prefix"])).rejects.toThrow(/=prefixes= takes IPv4 prefixes.*not-a-prefix/);
    expect(lab.leakedPrefixes.size).toBe(0);
    await remi.close();
  });

  it("RouterOS 6 forgets a route its filter discards, and keeps one it rejects in /ip/route, inactive", async () => {
    lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 0 });
    const fingerprint = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true" });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
    await buildPeering(lab, example("s4"), { pppPassword: { isp1: "first-secret", isp2: "second-secret" } });
    lab.leakPrefixes("alice", [DEFAULT, CAROL_LAN]);
    lab.tick();

    // bgpals's RouterOS 6 rules discard: nothing of either is kept.
    const carol = await connect(lab, "carol");
    const bgpTo = async (prefix: string) => print(carol, "/ip/route", [`?dst-address=${prefix}`, "?bgp=true"]);
    expect(await bgpTo(DEFAULT)).toEqual([]);
    expect(await bgpTo(CAROL_LAN)).toEqual([]);

    // The same rules with action=reject: the routes stay in memory, never active.
    const rules = await print(carol, "/routing/filter", ["?action=discard"]);
    for (const rule of rules) await carol.write("/routing/filter/set", [`=.id=${rule[".id"]}`, "=action=reject"]);
    lab.tick();
    const kept = await bgpTo(DEFAULT);
    expect(kept.map((r) => [r.gateway, r.active]).sort()).toEqual([["172.16.20.1", "false"], ["172.16.21.1", "false"]]);
    expect((await bgpTo(CAROL_LAN)).map((r) => r.active)).toEqual(["false", "false"]);
    await carol.close();
  });
});
