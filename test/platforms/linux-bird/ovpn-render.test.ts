// OpenVPN links on a Linux side: the render (a golden), and a Linux side and a RouterOS 6.49 side
// of one peering rendered each by its own platform agree on port, protocol, cipher, user and addresses.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPeering } from "../../../src/core/checks.js";
import type { Peering } from "../../../src/core/peering.js";
import { featuresOfAnySide } from "../../../src/platforms/index.js";
import { linuxBird } from "../../../src/platforms/linux-bird/index.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { OvpnRenderError, passwordHash } from "../../../src/platforms/linux-bird/render/ovpn.js";
import { renderLinux } from "../../../src/platforms/linux-bird/render/render.js";
import { linuxText, MASK } from "../../../src/platforms/linux-bird/render/text.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { render as renderRouterOs } from "../../../src/platforms/routeros/render/render.js";
import { mustParse, repoRoot } from "../../helpers.js";
import { birdParse, fileOf, nftCheck } from "./helpers.js";

const FIXTURE = join(repoRoot, "test/fixtures/linux-bird/ovpn-routeros6.peering.json");
const golden = new URL("../../golden/ovpn-alice-linux-carol-routeros-6.49.txt", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";
const LINUX = "alice";
const ROUTEROS = "carol";
const PASSWORDS = { isp1: "isp1-pw-Ω'x", isp2: "isp2-password" };

const json = (): Record<string, any> => JSON.parse(readFileSync(FIXTURE, "utf8"));
const peering = (edit: (j: Record<string, any>) => void = () => undefined): Peering => {
  const j = json();
  edit(j);
  return mustParse(j);
};

/** The directives of an OpenVPN config: first word → the rest. */
function directives(conf: string): Map<string, string> {
  return new Map(conf.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).map((l) => [l.split(" ")[0]!, l.split(" ").slice(1).join(" ")]));
}

/** The RouterOS side's commands on a path, as attribute maps. */
function rosItems(p: Peering, path: string): Array<Record<string, string>> {
  return renderRouterOs(p, ROUTEROS, undefined, { pppPassword: PASSWORDS }).commands.filter((c) => c.path === path).map((c) => c.attrs);
}

describe("a Linux side's OpenVPN links", () => {
  it("render as the golden says (server side, RouterOS 6 friend)", () => {
    const text = linuxText(renderLinux(peering(), LINUX, { pppPassword: PASSWORDS }, featuresOfAnySide), { pppPassword: PASSWORDS });
    if (update || !existsSync(golden)) {
      writeFileSync(golden, text);
      if (!update) throw new Error(`golden ${golden.pathname} was missing and has been written: review it and run again`);
    }
    expect(text).toBe(readFileSync(golden, "utf8"));
    // The password is masked in every printed form.
    expect(text).not.toContain(PASSWORDS.isp1);
  });

  it("keep every config line within openvpn's 256 characters, with long names too", () => {
    const p = peering((j) => {
      j.links[0].user = `u${"x".repeat(30)}`;
      j.sides.carol.wans.dsl.endpoint = `${"a".repeat(60)}.${"b".repeat(60)}.example`;
      j.links[0].listener = ROUTEROS;
    });
    for (const side of [LINUX]) {
      const out = renderLinux(p, side, { pppPassword: PASSWORDS }, featuresOfAnySide);
      const confs = out.files.filter((f) => f.path.startsWith("/etc/openvpn/") && f.path.endsWith(".conf"));
      expect(confs).toHaveLength(2);
      for (const conf of confs) expect(conf.content.split("\n").filter((l) => l.length > 255), conf.path).toEqual([]);
    }
  });

  it("pass the peering's checks on both sides and give BIRD and nft files they take", () => {
    const p = peering();
    for (const side of [LINUX, ROUTEROS]) expect(checkPeering({ peering: p, side, featuresOf: featuresOfAnySide, others: [] })).toEqual([]);
    const out = renderLinux(p, LINUX, { pppPassword: PASSWORDS }, featuresOfAnySide);
    const bird = birdParse(fileOf(out, linuxNames.birdInclude(p)));
    expect(bird.output).toBe("");
    expect(bird.code).toBe(0);
    const nft = fileOf(out, linuxNames.nftablesFile(p));
    expect(nft).toContain('iifname "enp1s0" tcp dport 1194 accept');
    expect(nft).toContain('iifname "enp2s0" tcp dport 1195 accept');
    expect(nft).toContain('iifname "ovpn-carol-isp1" tcp dport 179 accept');
    expect(nftCheck(nft).code).toBe(0);
  });

  it("agree with RouterOS 6.49 as server: port, tcp, AES-256-CBC/SHA-1, the PPP user and the addresses", () => {
    const p = peering();
    const out = renderLinux(p, LINUX, { pppPassword: PASSWORDS }, featuresOfAnySide);
    const clients = rosItems(p, "/interface/ovpn-client");
    expect(clients).toHaveLength(2);
    for (const link of p.links) {
      const iface = linuxNames.tunnelInterface(link, ROUTEROS);
      const conf = directives(fileOf(out, linuxNames.openvpnConfig(iface)));
      const client = clients.find((c) => c.name === `ovpn-${LINUX}-${link.name}`)!;
      expect(client).toBeDefined();
      // Port and protocol: RouterOS 6 dials TCP (it has no protocol attribute: TCP only).
      expect(conf.get("port")).toBe(client.port);
      expect(conf.get("proto")).toBe("tcp-server");
      expect(client.protocol).toBeUndefined();
      // The cipher and HMAC RouterOS 6 speaks.
      expect([client.cipher, client.auth]).toEqual(["aes256", "sha1"]);
      expect(conf.get("data-ciphers")).toBe("AES-256-CBC");
      expect(conf.get("data-ciphers-fallback")).toBe("AES-256-CBC");
      expect(conf.get("auth")).toBe("SHA1");
      expect(client.mode).toBe("ip");
      expect(conf.get("tun-mtu")).toBe(client["max-mtu"]);
      // RouterOS dials the endpoint of alice's WAN of this link.
      expect(client["connect-to"]).toBe(p.sides[LINUX]!.wans[link.wan[LINUX]!]!.endpoint);
      // The PPP user and password RouterOS logs in with are the ones the server's check takes.
      const script = fileOf(out, linuxNames.openvpnScript(iface));
      expect(script).toContain(`= '${client.user}' ]`);
      expect(client.user).toBe(link.user);
      expect(script).toContain(passwordHash(client.password!));
      // Addresses: the server keeps its own, pushes carol's.
      expect(conf.get("ifconfig")).toBe(`${link.address[LINUX]} ${link.address[ROUTEROS]}`);
      expect(script).toContain(`ifconfig-push ${link.address[ROUTEROS]} ${link.address[LINUX]}`);
      // RouterOS shows a client certificate: alice requires one signed by carol's CA.
      expect(client.certificate).not.toBe("none");
      expect(conf.get("verify-client-cert")).toBe("require");
      expect(conf.get("ca")).toBe(linuxNames.certificates(p.name).friendCa);
      expect(conf.get("comp-lzo")).toBeUndefined();
    }
    // BGP: alice's neighbor is carol's tunnel address.
    const include = fileOf(out, linuxNames.birdInclude(p));
    for (const link of p.links) expect(include).toContain(`neighbor ${link.address[ROUTEROS]} as ${p.sides[ROUTEROS]!.asn};`);
    const peers = rosItems(p, "/routing/bgp/peer");
    expect(peers.map((x) => x["remote-address"]).sort()).toEqual(p.links.map((l) => l.address[LINUX]).sort());
  });

  it("agree with RouterOS 6.49 as server when the Linux side dials", () => {
    const p = peering((j) => {
      j.links = [{ ...j.links[0], listener: ROUTEROS }];
      j.sides.carol.wans.dsl.endpoint = "198.51.100.77";
      j.policy.primary = "isp1";
    });
    const out = renderLinux(p, LINUX, { pppPassword: PASSWORDS }, featuresOfAnySide);
    const link = p.links[0]!;
    const iface = linuxNames.tunnelInterface(link, ROUTEROS);
    const conf = directives(fileOf(out, linuxNames.openvpnConfig(iface)));
    const [server] = rosItems(p, "/interface/ovpn-server/server");
    const [secret] = rosItems(p, "/ppp/secret");
    expect(server).toBeDefined();
    expect(conf.get("remote")).toBe(`198.51.100.77 ${server!.port}`);
    expect(conf.get("proto")).toBe("tcp-client");
    expect([server!.cipher, server!.auth]).toEqual(["aes256", "sha1"]);
    expect([conf.get("data-ciphers-fallback"), conf.get("auth")]).toEqual(["AES-256-CBC", "SHA1"]);
    expect(conf.get("tun-mtu")).toBe(server!["max-mtu"]);
    expect(conf.get("auth-user-pass")).toBe(linuxNames.openvpnLogin(iface));
    // The login file holds the PPP secret's name and password, and the secret carries the addresses.
    expect(fileOf(out, linuxNames.openvpnLogin(iface))).toBe(`${secret!.name}\n${secret!.password}\n`);
    expect([secret!["local-address"], secret!["remote-address"]]).toEqual([link.address[ROUTEROS], link.address[LINUX]]);
    expect(server!["require-client-certificate"]).toBe("yes");
    expect(conf.get("cert")).toBe(linuxNames.certificates(p.name).client);
    expect(conf.get("route-nopull")).toBe("");
    // No nft accept for a port the Linux side does not listen on; the way to the server rides the link's WAN (its table, whose route BIRD keeps).
    expect(fileOf(out, linuxNames.nftablesFile(p))).not.toContain("dport 1194 accept");
    const table = out.tables[link.name]!;
    expect(out.commands.map((c) => c.run)).toContain(`ip rule del to 198.51.100.77/32 lookup ${table} 2>/dev/null; ip rule add to 198.51.100.77/32 lookup ${table}`);
    expect(fileOf(out, linuxNames.birdInclude(p))).toContain(`route 0.0.0.0/0 via 203.0.113.1;`);
  });

  it("use AES-256-GCM with SHA-256 with a RouterOS 7 friend, as RouterOS 7 renders it", () => {
    const p = peering((j) => (j.sides.carol.platform = { os: "routeros", version: "7.24" }));
    const conf = directives(fileOf(renderLinux(p, LINUX, {}, featuresOfAnySide), linuxNames.openvpnConfig(linuxNames.tunnelInterface(p.links[0]!, ROUTEROS))));
    const client = rosItems(p, "/interface/ovpn-client")[0]!;
    expect([client.cipher, client.auth]).toEqual(["aes256-gcm", "sha256"]);
    expect([conf.get("data-ciphers"), conf.get("auth")]).toEqual(["AES-256-GCM", "SHA256"]);
  });

  it("refuse two links listening on one port, and RouterOS 6 refuses UDP", () => {
    const shared = peering((j) => (j.links[1].port = 1194));
    expect(() => renderLinux(shared, LINUX)).toThrow(OvpnRenderError);
    expect(() => renderLinux(shared, LINUX)).toThrow(/isp1 and isp2 both listen on OpenVPN tcp 1194/);
    const udp = peering((j) => (j.links[0].protocol = "udp"));
    expect(checkPeering({ peering: udp, side: LINUX, featuresOf: featuresOfAnySide, others: [] }).map((r) => r.message).join("\n")).toMatch(/TCP only/);
  });

  it("mask the password in the offline render, which without a password refuses every login", () => {
    const p = peering();
    const text = linuxBird.render(p, LINUX, { secrets: { pppPassword: PASSWORDS }, featuresOf: featuresOfAnySide }).text;
    expect(text).not.toContain(PASSWORDS.isp2);
    const bare = renderLinux(p, LINUX, {}, featuresOfAnySide);
    expect(fileOf(bare, linuxNames.openvpnScript(linuxNames.tunnelInterface(p.links[0]!, ROUTEROS)))).toMatch(/user-pass-verify\)\n\texit 1\n/);
    expect(bare.notes.join("\n")).toMatch(/refuses every login/);
    expect(routerOs.name).toMatch(/RouterOS/);
    void MASK;
  });
});
