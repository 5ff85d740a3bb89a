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
