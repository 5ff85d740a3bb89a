// The lab's dataplane, driven through the real API with the foundation's S1 render.
import { afterEach, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { example } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

async function routesTo(l: Lab, router: string, dst: string) {
  const api = await connect(l, router);
  const routes = await print(api, "/ip/route", [`?dst-address=${dst}`, "?bgp=true"]);
  await api.close();
  return routes;
}

describe("lab dataplane (S1 over WireGuard)", () => {
  it("brings both tunnels and sessions up, prefers isp1, fails over to isp2 after the hold time and back", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    await buildPeering(lab, example("s1"));
    lab.tick();

    const alice = await connect(lab, "alice");
    const peers = await print(alice, "/interface/wireguard/peers");
    expect(peers.map((p) => p["last-handshake"])).toEqual([expect.stringMatching(/s$/), expect.stringMatching(/s$/)]);
    const sessions = await print(alice, "/routing/bgp/session");
    expect(sessions.map((s) => [s.name, s.established, s["prefix-count"]])).toEqual([
      ["remi-isp1-1", "true", "1"],
      ["remi-isp2-1", "true", "1"],
    ]);
    await alice.close();

    const before = await routesTo(lab, "alice", "192.168.42.0/24");
    expect(before.map((r) => [r.gateway, r.active, r["bgp.local-pref"]])).toEqual(
      expect.arrayContaining([
        ["172.16.10.2", "true", "200"],
        ["172.16.11.2", "false", "100"],
      ]),
    );
    // remi prefers alice's network over isp1 too, and sees the backup prepended.
    const remiView = await routesTo(lab, "remi", "192.168.0.0/24");
    expect(remiView.find((r) => r.active === "true")).toMatchObject({ gateway: "172.16.10.1", "bgp.as-path": "64514" });
    expect(remiView.find((r) => r.active === "false")).toMatchObject({ gateway: "172.16.11.1", "bgp.as-path": "64514,64514,64514,64514" });

    // Cut alice's ISP1: the isp1 session holds until its 30 s hold timer expires.
    lab.setWan("alice", "vlan832-orange-internet", false);
    lab.advance(10_000);
    expect((await routesTo(lab, "alice", "192.168.42.0/24")).find((r) => r.active === "true")?.gateway).toBe("172.16.10.2");
    lab.advance(25_000);
    const after = await routesTo(lab, "alice", "192.168.42.0/24");
    expect(after.map((r) => [r.gateway, r.active])).toEqual([["172.16.11.2", "true"]]);
    const down = await connect(lab, "alice");
    expect((await print(down, "/routing/bgp/session", ["?name=remi-isp1-1"]))[0]).toMatchObject({ established: "false", "last-error": "hold timer expired" });
    await down.close();

    lab.setWan("alice", "vlan832-orange-internet", true);
    lab.advance(1000);
    expect((await routesTo(lab, "alice", "192.168.42.0/24")).find((r) => r.active === "true")?.gateway).toBe("172.16.10.2");
  });

  it("keeps a tunnel down when the keys do not match, and says why in no uncertain terms", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const peering = example("s1");
    await buildPeering(lab, peering);
    const remi = await connect(lab, "remi");
    const [peer] = await print(remi, "/interface/wireguard/peers", ["?name=alice-isp1"]);
    await remi.write("/interface/wireguard/peers/set", [`=.id=${peer![".id"]}`, "=public-key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]);
    await remi.close();
    lab.tick();
    const tunnel = lab.dataplane.of("remi").tunnels.find((t) => t.tunnel.initiator.interface === "wg-alice-isp1")!;
    expect(tunnel.tunnel.up).toBe(false);
    expect(tunnel.tunnel.reason).toMatch(/public key/);
    expect(lab.dataplane.of("alice").sessions.find((s) => s.name === "remi-isp1")?.state).not.toBe("established");
  });
});

describe("lab dataplane (S4: RouterOS 6.49 and 7.24 over OpenVPN)", () => {
  it("brings the OpenVPN tunnels up with certificates and PPP secrets, and v6 BGP sessions through v6 filters", async () => {
    lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 0 });
    // Certificates as bgpals's preparation leaves them: a CA and server certificate on alice, the
    // CA (trusted) and a client certificate on carol.
    const fingerprint = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true" });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
    await buildPeering(lab, example("s4"), { pppPassword: { isp1: "first-secret", isp2: "second-secret" } });
    lab.tick();

    const carol = await connect(lab, "carol");
    const peers = await print(carol, "/routing/bgp/peer");
    expect(peers.map((p) => [p.name, p.state, p["prefix-count"]])).toEqual([
      ["alice-isp1", "established", "1"],
      ["alice-isp2", "established", "1"],
    ]);
    const routes = await print(carol, "/ip/route", ["?dst-address=192.168.0.0/24", "?bgp=true"]);
    expect(routes.find((r) => r.active === "true")).toMatchObject({ gateway: "172.16.20.1", "bgp-local-pref": "200", "bgp-as-path": "64514" });
    await carol.close();

    const alice = await connect(lab, "alice");
    expect((await print(alice, "/ppp/active")).map((a) => a.name).sort()).toEqual(["ovpn-carol-isp1", "ovpn-carol-isp2"]);
    const back = await print(alice, "/ip/route", ["?dst-address=192.168.88.0/24", "?bgp=true"]);
    expect(back.find((r) => r.active === "true")).toMatchObject({ gateway: "172.16.20.2", "bgp.local-pref": "200" });
    // carol prepends on the backup link: alice sees it in the AS path.
    expect(back.find((r) => r.active === "false")?.["bgp.as-path"]).toBe("64515,64515,64515,64515");

    // A wrong PPP password keeps that tunnel down.
    const [secret] = await print(alice, "/ppp/secret", ["?name=carol-isp2"]);
    await alice.write("/ppp/secret/set", [`=.id=${secret![".id"]}`, "=password=changed"]);
    lab.tick();
    const isp2 = lab.dataplane.of("carol").tunnels.find((t) => t.tunnel.initiator.interface === "ovpn-alice-isp2")!;
    expect(isp2.tunnel).toMatchObject({ up: false, reason: "alice refuses user carol-isp2: unknown user or wrong password" });
    await alice.close();
  });
});
