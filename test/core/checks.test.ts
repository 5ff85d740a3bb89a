import { routerOsFeatures } from "../../src/platforms/routeros/dialects.js";
import { describe, expect, it } from "vitest";
import { checkPeering, type Refusal } from "../../src/core/checks.js";
import { example, exampleJson, mustParse } from "../helpers.js";

const summary = (refusals: Refusal[]) => refusals.map((r) => `${r.code} ${r.path}: ${r.message}`);

describe("refusals", () => {
  it("accepts every example from both sides", () => {
    for (const name of ["s1", "s3", "s4", "s7"] as const) {
      const p = example(name);
      for (const side of Object.keys(p.sides)) expect(checkPeering({ featuresOf: routerOsFeatures, peering: p, side }), `${name} ${side}`).toEqual([]);
    }
  });

  it("refuses friend prefixes overlapping our LANs and tunnel subnets", () => {
    const json = exampleJson("s1");
    json.sides.remi.allowed = [{ prefix: "192.168.0.0/16", maxLength: 24 }];
    json.sides.remi.networks = ["192.168.42.0/24", "172.16.11.0/30"];
    const got = summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(json), side: "alice" }));
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^prefix-overlap sides\.remi\.allowed\[0\]: remi's 192\.168\.0\.0\/16 overlaps our 192\.168\.0\.0\/24 \(sides\.alice\.networks\[0\]\)/),
        expect.stringMatching(/^prefix-overlap sides\.remi\.networks\[1\]: remi's 172\.16\.11\.0\/30 overlaps the tunnel subnet 172\.16\.11\.0\/30 \(links\[1\]\.subnet\): pick another tunnel subnet/),
      ]),
    );
  });

  it("refuses the factory LAN clash found on the router (S5)", () => {
    const carol = example("s4");
    const got = checkPeering({ featuresOf: routerOsFeatures, peering: carol, side: "alice", router: { interfaces: ["vlan832-orange-internet", "sfp-wan-sfr"], prefixesInUse: ["0.0.0.0/0", "192.168.88.1/24", "192.168.0.1/24"] } });
    expect(summary(got)).toEqual([expect.stringMatching(/^prefix-overlap sides\.carol\.networks\[0\]: carol's 192\.168\.88\.0\/24 overlaps 192\.168\.88\.1\/24, already on our router.*factory LAN/)]);
  });

  it("refuses ASN collisions: with us, and with another friend in the peers directory", () => {
    const same = exampleJson("s1");
    same.sides.remi.asn = 64514;
    expect(summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(same), side: "alice" }))).toContainEqual(expect.stringMatching(/^asn-collision sides\.remi\.asn: remi uses AS64514, the same as ours/));

    // A third friend, bob, joins with remi's ASN.
    const bob = exampleJson("s1");
    bob.name = "alice-bob";
    bob.sides.bob = { ...bob.sides.remi, networks: ["10.9.0.0/24"], allowed: undefined };
    delete bob.sides.remi;
    for (const l of bob.links) {
      for (const key of ["wan", "address", "publicKey"]) {
        l[key].bob = l[key].remi;
        delete l[key].remi;
      }
      l.subnet = l.name === "isp1" ? "172.16.30.0/30" : "172.16.31.0/30";
      l.address = l.name === "isp1" ? { alice: "172.16.30.1", bob: "172.16.30.2" } : { alice: "172.16.31.1", bob: "172.16.31.2" };
    }
    const got = checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(bob), side: "alice", others: [example("s1")] });
    expect(summary(got)).toEqual(["asn-collision sides.bob.asn: AS64513 is already used by remi (peering alice-remi): every friend needs a distinct ASN; ask bob to pick another"]);
  });

  it("refuses prefixes and tunnel subnets another peering already uses", () => {
    const carol = exampleJson("s4");
    carol.sides.carol.networks = ["192.168.42.0/24"];
    carol.links[0].subnet = "172.16.10.0/30";
    carol.links[0].address = { alice: "172.16.10.1", carol: "172.16.10.2" };
    const got = summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(carol), side: "alice", others: [example("s1")] }));
    expect(got).toEqual(
      expect.arrayContaining([
        "prefix-overlap sides.carol.networks[0]: carol's 192.168.42.0/24 overlaps 192.168.42.0/23, which remi announces (peering alice-remi): every friend needs distinct prefixes",
        "prefix-overlap links[0].subnet: tunnel subnet 172.16.10.0/30 overlaps 172.16.10.0/30, used by peering alice-remi: pick a free subnet",
      ]),
    );
  });

  it("refuses a filter set that would miss a rule", () => {
    const json = exampleJson("s1");
    json.policy.localPref = { primary: 100, backup: 100 };
    json.policy.backupPrepend = 0;
    json.sides.remi.allowed = [{ prefix: "0.0.0.0/0", maxLength: 32 }];
    json.sides.alice.networks = ["192.168.0.0/24", "10.1.0.0/24"];
    const got = summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(json), side: "alice" }));
    expect(got).toEqual(
      expect.arrayContaining([
        "filter-set policy.localPref: local-pref of the primary link (100) must be higher than the backup's (100), or the primary is not preferred",
        "filter-set policy.backupPrepend: backupPrepend is 0: the friend would not prefer the primary link back to us; prepend at least once",
        "filter-set sides.remi.allowed[0].prefix: remi may announce 0.0.0.0/0, which would let a default route in: list the friend's real prefixes",
        expect.stringMatching(/^filter-set sides\.alice\.networks\[1\]: alice announces 10\.1\.0\.0\/24, outside its own allowed prefixes/),
      ]),
    );
  });

  it("refuses a WAN interface the router does not have", () => {
    const got = checkPeering({ featuresOf: routerOsFeatures, peering: example("s1"), side: "remi", router: { interfaces: ["ether1", "pppoe-out1"], prefixesInUse: [] } });
    expect(summary(got)).toEqual(["wan-missing sides.remi.wans.isp2.interface: WAN isp2 names interface pppoe-out2, which this router does not have: pick one of ether1, pppoe-out1"]);
  });

  it("refuses WireGuard on RouterOS 6, for either side", () => {
    const json = exampleJson("s1");
    json.sides.remi.platform.version = "6.49.10";
    const got = summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(json), side: "alice" }));
    expect(got).toEqual([
      expect.stringMatching(/^wireguard-v6 links\[0\]\.kind: link isp1 uses WireGuard but remi runs RouterOS 6\.49\.10, which has no WireGuard: use "kind": "ovpn"/),
      expect.stringMatching(/^wireguard-v6 links\[1\]\.kind: link isp2 uses WireGuard/),
    ]);
    expect(summary(checkPeering({ featuresOf: routerOsFeatures, peering: example("s1"), side: "alice", version: "6.48" }))).toHaveLength(2);
  });

  it("refuses version-gated features on versions without them", () => {
    const udp = exampleJson("s4");
    udp.links[0].protocol = "udp";
    expect(summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(udp), side: "alice" }))).toEqual([
      expect.stringMatching(/^version-gate links\[0\]\.protocol: link isp1 uses OpenVPN over UDP but carol runs RouterOS 6\.49\.10, whose OpenVPN is TCP only/),
    ]);
    const ports = exampleJson("s3");
    ports.links[1].port = 1195;
    expect(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(ports), side: "alice" })).toEqual([]);
    expect(summary(checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(ports), side: "alice", version: "7.15.3" }))).toEqual([
      expect.stringMatching(/^version-gate links: alice runs RouterOS 7\.15\.3, which has one OpenVPN server, but its OpenVPN links listen on 1194\/tcp and 1195\/tcp/),
    ]);
    expect(summary(checkPeering({ featuresOf: routerOsFeatures, peering: example("s1"), side: "alice", version: "5.26" }))).toEqual([
      expect.stringMatching(/^version-gate --routeros: RouterOS 5\.26 is not supported/),
    ]);
  });

  it("reports every problem at once", () => {
    const json = exampleJson("s1");
    json.sides.remi.asn = 64514;
    json.sides.remi.platform.version = "6.49";
    json.sides.remi.allowed = [{ prefix: "192.168.0.0/22", maxLength: 32 }];
    const codes = checkPeering({ featuresOf: routerOsFeatures, peering: mustParse(json), side: "alice" }).map((r) => r.code);
    expect(new Set(codes)).toEqual(new Set(["wireguard-v6", "asn-collision", "prefix-overlap", "filter-set"]));
  });
});
