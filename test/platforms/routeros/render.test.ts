import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePrefix, prefixWithin } from "../../../src/core/ipv4.js";
import { allowedOf } from "../../../src/core/peering.js";
import { render, RenderError } from "../../../src/platforms/routeros/render/render.js";
import { quote, toScript } from "../../../src/platforms/routeros/render/script.js";
import { example, GOLDEN_MATRIX } from "../../helpers.js";


const goldenDir = new URL("../../golden/", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";

describe("golden renders", () => {
  for (const [scenario, side, version] of GOLDEN_MATRIX) {
    it(`${scenario} ${side} RouterOS ${version}`, () => {
      const out = render(example(scenario), side, version);
      const text = toScript(out.commands, { header: [`${scenario} side ${side}, RouterOS ${version} (${out.dialect.family})`, ...out.notes.map((n) => `note: ${n}`)] });
      const file = new URL(`${scenario}-${side}-${version}.rsc`, goldenDir);
      if (update || !existsSync(file)) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, text);
        if (!update) throw new Error(`golden ${file.pathname} was missing and has been written: review it and run again`);
      }
      expect(text).toBe(readFileSync(file, "utf8"));
    });
  }
});

describe("render", () => {
  it("picks the dialect from the version", () => {
    const s1 = example("s1");
    expect(render(s1, "alice").dialect.family).toBe("v7.20");
    expect(render(s1, "remi").dialect.family).toBe("v7");
    expect(render(example("s4"), "carol").dialect.family).toBe("v6");
  });

  it("tags every object it creates, with a distinct role", () => {
    for (const [scenario, side, version] of GOLDEN_MATRIX) {
      const out = render(example(scenario), side, version);
      const roles = out.commands.map((c) => c.role);
      expect(new Set(roles).size, `${scenario} ${side} ${version}`).toBe(roles.length);
      for (const c of out.commands) {
        if (c.singleton) expect(c.attrs.comment).toBeUndefined();
        else expect(c.attrs.comment).toBe(`bgpals:${out.peering}:${c.role}`);
      }
    }
  });

  it("covers the friend's tunnel address and every allowed prefix in WireGuard allowed-address", () => {
    for (const [scenario, side, version] of GOLDEN_MATRIX) {
      const p = example(scenario);
      const friend = Object.keys(p.sides).find((s) => s !== side)!;
      const peers = render(p, side, version).commands.filter((c) => c.path === "/interface/wireguard/peers");
      const wireguardLinks = p.links.filter((l) => l.kind === "wireguard");
      expect(peers).toHaveLength(wireguardLinks.length);
      for (const link of wireguardLinks) {
        const peer = peers.find((c) => c.role === `peer-${link.name}`)!;
        const allowed = peer.attrs["allowed-address"]!.split(",").map(parsePrefix);
        const covered = (prefix: string) => allowed.some((a) => prefixWithin(parsePrefix(prefix), a));
        expect(covered(`${link.address[friend]}/32`)).toBe(true);
        for (const a of allowedOf(p.sides[friend]!)) expect(covered(a.prefix), a.prefix).toBe(true);
        expect(peer.attrs["public-key"]).toBe(link.publicKey![friend]);
      }
    }
  });

  it("lets only the initiator carry the endpoint and keepalive, and pins its WAN", () => {
    const remi = render(example("s1"), "remi").commands;
    const alice = render(example("s1"), "alice").commands;
    const peerOf = (cmds: typeof remi, link: string) => cmds.find((c) => c.role === `peer-${link}`)!.attrs;
    expect(peerOf(remi, "isp2")).toMatchObject({ "endpoint-address": "vpn2.alice.example", "endpoint-port": "13232", "persistent-keepalive": "25s" });
    expect(peerOf(alice, "isp2")["endpoint-address"]).toBeUndefined();
    const pin = remi.find((c) => c.role === "pin-isp2")!;
    expect(pin.attrs).toMatchObject({ "dst-address": "vpn2.alice.example", gateway: "pppoe-out2" });
    expect(pin.resolve).toEqual(["dst-address"]);
    expect(alice.some((c) => c.role.startsWith("pin-"))).toBe(false);
  });

  it("accepts the tunnel port on the listener's WAN only, and BGP on tunnels only", () => {
    const alice = render(example("s1"), "alice").commands.filter((c) => c.path === "/ip/firewall/filter");
    expect(alice.map((c) => [c.attrs.protocol, c.attrs["dst-port"], c.attrs["in-interface"]])).toEqual([
      ["udp", "13231", "vlan832-orange-internet"],
      ["tcp", "179", "wg-remi-isp1"],
      ["udp", "13232", "sfp-wan-sfr"],
      ["tcp", "179", "wg-remi-isp2"],
    ]);
    expect(alice.every((c) => c.placement === "top")).toBe(true);
  });

  it("puts secrets only where given, and marks them", () => {
    const withSecrets = render(example("s3"), "alice", undefined, { pppPassword: { isp1: "s3cret-1" } }).commands;
    const isp1 = withSecrets.find((c) => c.role === "ppp-secret-isp1")!;
    const isp2 = withSecrets.find((c) => c.role === "ppp-secret-isp2")!;
    expect(isp1.attrs.password).toBe("s3cret-1");
    expect(isp1.secret).toEqual(["password"]);
    expect(isp2.attrs).toMatchObject({ disabled: "yes" });
    expect(isp2.attrs.password).toBeUndefined();
    expect(toScript(withSecrets)).not.toContain("s3cret-1");
    expect(toScript(withSecrets)).toContain("password=********");
  });

  it("refuses what the target version cannot do", () => {
    expect(() => render(example("s1"), "alice", "6.49")).toThrow(RenderError);
    expect(() => render(example("s1"), "alice", "6.49")).toThrow(/uses WireGuard but alice runs RouterOS 6\.49, which has no WireGuard/);
    expect(() => render(example("s1"), "alice", "8.1")).toThrow(/not supported/);
  });

  it("renders static mode without BGP: distance 10 primary, 20 backup, check-gateway=ping", () => {
    const cmds = render(example("s7"), "remi").commands;
    expect(cmds.some((c) => c.path.startsWith("/routing"))).toBe(false);
    expect(cmds.filter((c) => c.role.startsWith("static-")).map((c) => c.attrs)).toEqual([
      { "dst-address": "192.168.0.0/24", gateway: "172.16.10.1", distance: "10", "check-gateway": "ping", comment: "bgpals:alice-remi-static:static-isp1-192.168.0.0/24" },
      { "dst-address": "192.168.0.0/24", gateway: "172.16.11.1", distance: "20", "check-gateway": "ping", comment: "bgpals:alice-remi-static:static-isp2-192.168.0.0/24" },
    ]);
  });
});

describe("script quoting", () => {
  it("leaves plain words bare and quotes the rest the RouterOS way", () => {
    expect(quote("192.168.0.0/24,10.0.0.0/8")).toBe("192.168.0.0/24,10.0.0.0/8");
    expect(quote("")).toBe('""');
    expect(quote("a b")).toBe('"a b"');
    expect(quote('say "hi" $x?\\')).toBe('"say \\"hi\\" \\$x\\?\\\\"');
    expect(quote("é\n")).toBe('"\\C3\\A9\\n"');
    expect(quote("if (dst in 10.0.0.0/8) { reject; }")).toBe('"if (dst in 10.0.0.0/8) { reject; }"');
  });
});
