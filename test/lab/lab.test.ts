// Lab routers as a client sees them: personalities, RouterOS-like refusals, !empty, faults.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { example, until } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi", "carol"], tickMs: 0 });
});
afterAll(async () => lab.stop());

async function trapOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a trap");
}

describe("lab personalities", () => {
  it("hold what their configuration says", async () => {
    const expectations: Record<string, { version: string; lan: string; wans: string[] }> = {
      alice: { version: "7.24 (stable)", lan: "192.168.0.1/24", wans: ["vlan832-orange-internet", "sfp-wan-sfr"] },
      remi: { version: "7.19.6 (stable)", lan: "192.168.42.1/24", wans: ["pppoe-out1", "pppoe-out2"] },
      carol: { version: "6.49.10 (stable)", lan: "192.168.88.1/24", wans: ["pppoe-out1"] },
    };
    for (const [name, want] of Object.entries(expectations)) {
      const api = await connect(lab, name);
      expect((await print(api, "/system/identity"))[0]!.name).toBe(name);
      expect((await print(api, "/system/resource"))[0]!.version).toBe(want.version);
      expect((await print(api, "/ip/address")).map((a) => a.address)).toContain(want.lan);
      const wanMembers = (await print(api, "/interface/list/member", ["?list=WAN"])).map((m) => m.interface);
      expect(wanMembers).toEqual(want.wans);
      const defaults = (await print(api, "/ip/route", ["?dst-address=0.0.0.0/0"])).map((r) => r.distance);
      expect(defaults).toEqual(want.wans.map((_, i) => String(i + 1)));
      await api.close();
    }
    const carol = await connect(lab, "carol");
    expect((await print(carol, "/ip/cloud"))[0]).toMatchObject({ "ddns-enabled": "true", "dns-name": "c0ffee123456.sn.mynetname.net", "public-address": "198.18.0.77" });
    await carol.close();
  });
});

describe("RouterOS-like refusals", () => {
  it("refuses on 7.19.6 what only 7.20 has, with the router's words", async () => {
    const remi = await connect(lab, "remi");
    expect(await trapOf(remi.write("/routing/bgp/connection/add", ["=name=x", "=remote.as=64514", "=instance=bgpals"]))).toBe("unknown parameter instance");
    expect(await trapOf(remi.write("/routing/bgp/instance/add", ["=name=x", "=as=64513"]))).toMatch(/no such command/);
    expect(await trapOf(remi.write("/interface/wireguard/add", ["=name=bridge"]))).toBe("failure: already have interface with such name");
    expect(await remi.write("/routing/bgp/connection/print")).toEqual([]); // !empty on 7.18+
    await remi.close();
    const alice = await connect(lab, "alice");
    const id = await alice.write("/routing/bgp/instance/add", ["=name=probe", "=as=64514", "=router-id=192.168.0.1"]);
    expect(id).toEqual([expect.objectContaining({ ret: expect.stringMatching(/^\*/) })]);
    await alice.write("/routing/bgp/instance/remove", [`=.id=${(id as any)[0].ret}`]);
    await alice.close();
  });

  it("speaks RouterOS 6 on carol: no WireGuard, v6 BGP menus, unnamed unknown parameters", async () => {
    const carol = await connect(lab, "carol");
    expect(await trapOf(carol.write("/interface/wireguard/add", ["=name=wg1"]))).toMatch(/no such command/);
    expect((await print(carol, "/routing/bgp/instance")).map((i) => i.name)).toEqual(["default"]);
    expect(await print(carol, "/routing/bgp/peer")).toEqual([]);
    await carol.close();
  });

  it("clears a /routing filter rule's set-bgp-prepend on carol with unset, as RouterOS 6 does over the API", async () => {
    const carol = await connect(lab, "carol");
    const id = (await carol.write("/routing/filter/add", ["=chain=probe-out", "=prefix=192.168.88.0/24", "=action=accept", "=set-bgp-prepend=3"]))[0]!.ret as string;
    expect((await print(carol, "/routing/filter", [`?.id=${id}`]))[0]).toMatchObject({ "set-bgp-prepend": "3" });
    await carol.write("/routing/filter/unset", [`=.id=${id}`, "=value-name=set-bgp-prepend"]);
    const [rule] = await print(carol, "/routing/filter", [`?.id=${id}`]);
    expect(rule).not.toHaveProperty("set-bgp-prepend");
    expect(rule).toMatchObject({ chain: "probe-out", prefix: "192.168.88.0/24", action: "accept" });
    // Clearing what is already clear changes nothing.
    await carol.write("/routing/filter/unset", [`=.id=${id}`, "=value-name=set-bgp-prepend"]);
    expect((await print(carol, "/routing/filter", [`?.id=${id}`]))[0]).toEqual(rule);
    await carol.write("/routing/filter/remove", [`=.id=${id}`]);
    await carol.close();
  });

  it("generates WireGuard keys on the router; the private key shows only to users with the sensitive policy", async () => {
    const alice = await connect(lab, "alice");
    await alice.write("/interface/wireguard/add", ["=name=wg-probe", "=listen-port=40000"]);
    const [wg] = await print(alice, "/interface/wireguard", ["?name=wg-probe"]);
    expect(wg!["public-key"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // admin is in the full group, which has `sensitive` (test/lab/undo-models.test.ts has the rest).
    expect(wg!["private-key"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect((await print(alice, "/interface", ["?name=wg-probe"]))[0]).toMatchObject({ type: "wg", running: "false" });
    await alice.write("/interface/wireguard/remove", [`=.id=${wg![".id"]}`]);
    expect(await print(alice, "/interface", ["?name=wg-probe"])).toEqual([]);
    await alice.close();
  });
});

describe("faults through the /lab menu", () => {
  it("cuts a WAN, leaks routes past max-prefix, clears the session, reboots keeping the configuration", async () => {
    await buildPeering(lab, example("s1"));
    lab.tick();
    const remi = await connect(lab, "remi");
    await remi.write("/lab/wan-down", ["=interface=pppoe-out1"]);
    lab.advance(31_000);
    const alice = await connect(lab, "alice");
    expect((await print(alice, "/routing/bgp/session")).map((s) => [s.name, s.established])).toEqual([
      ["remi-isp1-1", "false"],
      ["remi-isp2-1", "true"],
    ]);
    await remi.write("/lab/wan-up", ["=interface=pppoe-out1"]);
    lab.advance(1000);

    // remi leaks 150 routes: alice's cap of 100 trips and the session stays down until cleared.
    expect(await remi.write("/lab/leak", ["=count=150"])).toEqual([{ ret: "150" }]);
    const tripped = await print(alice, "/routing/bgp/session", ["?name=remi-isp1-1"]);
    expect(tripped[0]).toMatchObject({ established: "false", "limit-exceeded": "true" });
    await remi.write("/lab/leak", ["=count=0"]);
    lab.advance(1000);
    expect((await print(alice, "/routing/bgp/session", ["?name=remi-isp1-1"]))[0]!["limit-exceeded"]).toBe("true");
    await alice.write("/routing/bgp/session/clear", [`=.id=${tripped[0]![".id"]}`]);
    expect((await print(alice, "/routing/bgp/session", ["?name=remi-isp1-1"]))[0]).toMatchObject({ established: "true", "limit-exceeded": "false" });
    // The leak tripped the backup session too; it stays down until cleared as well.
    expect((await print(alice, "/routing/bgp/session", ["?name=remi-isp2-1"]))[0]).toMatchObject({ established: "false", "limit-exceeded": "true" });
    await alice.write("/routing/bgp/session/clear", ["=numbers=remi-isp2-1"]);

    const before = lab.router("remi").exportConfig();
    expect(await remi.write("/lab/export")).toEqual([{ ret: before }]);
    const closed = new Promise<void>((resolve) => remi.once("close", () => resolve()));
    await remi.write("/lab/reboot");
    await closed;
    await until(() => lab.router("remi").server.available, "remi back from its reboot");
    expect(lab.router("remi").exportConfig()).toBe(before);
    const back = await connect(lab, "remi");
    expect((await print(back, "/interface/wireguard")).map((w) => w.name)).toEqual(["wg-alice-isp1", "wg-alice-isp2"]);
    lab.tick();
    expect((await print(alice, "/routing/bgp/session")).map((s) => [s.name, s.established, s["last-error"]])).toEqual([["remi-isp1-1", "true", ""], ["remi-isp2-1", "true", ""]]);
    await back.close();
    await alice.close();
  });

  it("adds latency to replies", async () => {
    const alice = await connect(lab, "alice");
    await alice.write("/lab/latency", ["=ms=150"]);
    const t0 = Date.now();
    await print(alice, "/system/identity");
    const slow = Date.now() - t0;
    await alice.write("/lab/latency", ["=ms=0"]);
    expect(slow).toBeGreaterThanOrEqual(140);
    expect(await trapOf(alice.write("/lab/latency", ["=ms=-5"]))).toMatch(/=ms= must be/);
    await alice.close();
  });
});
