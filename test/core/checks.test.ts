import { routerOsFeatures } from "../../src/platforms/routeros/dialects.js";
import { describe, expect, it } from "vitest";
import { acceptPublicProblem, checkPeering, ownNetworksProblems, type Refusal } from "../../src/core/checks.js";
import { coverAllAddresses, formatAddress, parsePrefix } from "../../src/core/ipv4.js";
import { parsePeering } from "../../src/core/peering.js";
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

// What the friend may send us (issue 12, point 8): private space or what the user confirmed, never more
// than a /8, never a default route in pieces, no endpoint that leads back into our own networks.
describe("friend input", () => {
  const s1With = (change: (json: Record<string, any>) => void) => {
    const json = exampleJson("s1");
    change(json);
    return mustParse(json);
  };
  const check = (peering: ReturnType<typeof mustParse>, options: { side?: string; acceptPublic?: string[]; others?: ReturnType<typeof mustParse>[] } = {}) =>
    summary(checkPeering({ featuresOf: routerOsFeatures, peering, side: options.side ?? "alice", acceptPublic: options.acceptPublic, others: options.others }));
  const withAllowed = (...prefixes: string[]) =>
    s1With((j) => {
      j.sides.remi.allowed = [...j.sides.remi.allowed, ...prefixes.map((prefix) => ({ prefix, maxLength: 32 }))];
    });

  it("takes every private space: RFC 1918 and RFC 6598", () => {
    expect(check(withAllowed("10.0.0.0/8", "172.20.0.0/14", "172.31.255.0/24", "100.64.0.0/10", "192.168.128.0/17"))).toEqual([]);
  });

  it("refuses public space unless this side's user confirmed it, and only what they confirmed", () => {
    const p = withAllowed("93.184.216.0/24", "172.32.0.0/16", "100.128.0.0/16");
    expect(check(p)).toEqual([
      expect.stringMatching(/^prefix-public sides\.remi\.allowed\[1\]\.prefix: remi may send 93\.184\.216\.0\/24, which is not private space \(10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, 100\.64\.0\.0\/10\).*--accept-public 93\.184\.216\.0\/24/),
      expect.stringMatching(/^prefix-public sides\.remi\.allowed\[2\]\.prefix: remi may send 172\.32\.0\.0\/16/),
      expect.stringMatching(/^prefix-public sides\.remi\.allowed\[3\]\.prefix: remi may send 100\.128\.0\.0\/16/),
    ]);
    // Confirmed exactly, or by a wider prefix the user gave.
    expect(check(p, { acceptPublic: ["93.184.216.0/24", "172.32.0.0/11", "100.128.0.0/16"] })).toEqual([]);
    // A narrower confirmation does not cover the friend's wider prefix.
    expect(check(p, { acceptPublic: ["93.184.216.0/25", "172.32.0.0/16", "100.128.0.0/16"] })).toEqual([expect.stringMatching(/^prefix-public sides\.remi\.allowed\[1\]\.prefix/)]);
    // Networks stand for allowed when it is absent.
    const networksOnly = s1With((j) => {
      delete j.sides.remi.allowed;
      j.sides.remi.networks = ["192.168.42.0/24", "93.184.216.0/24"];
    });
    expect(check(networksOnly)).toEqual([expect.stringMatching(/^prefix-public sides\.remi\.networks\[1\]: remi may send 93\.184\.216\.0\/24/)]);
  });

  it("refuses more than a /8, confirmed or not", () => {
    const p = withAllowed("64.0.0.0/2", "10.0.0.0/7");
    const refused = [
      expect.stringMatching(/^prefix-too-wide sides\.remi\.allowed\[1\]\.prefix: remi may send 64\.0\.0\.0\/2, more than a \/8 \(1,073,741,824 addresses\): bgpals never accepts more than a \/8 from a friend, confirmed or not/),
      expect.stringMatching(/^prefix-too-wide sides\.remi\.allowed\[2\]\.prefix: remi may send 10\.0\.0\.0\/7/),
    ];
    expect(check(p)).toEqual(refused);
    expect(check(p, { acceptPublic: ["64.0.0.0/2", "10.0.0.0/7", "0.0.0.0/0"] })).toEqual(refused);
  });

  it("refuses reserved space (loopback, link-local, multicast, class E, 0/8), confirmed or not", () => {
    const p = withAllowed("127.0.0.0/8", "169.254.10.0/24", "169.0.0.0/8", "224.0.0.0/8", "240.0.0.0/8", "0.0.0.0/8");
    const got = check(p, { acceptPublic: ["127.0.0.0/8", "169.0.0.0/8", "224.0.0.0/8"] });
    expect(got).toEqual([
      expect.stringMatching(/^prefix-reserved sides\.remi\.allowed\[1\]\.prefix: remi may send 127\.0\.0\.0\/8, which lies in 127\.0\.0\.0\/8, loopback space/),
      expect.stringMatching(/^prefix-reserved sides\.remi\.allowed\[2\]\.prefix: .* lies in 169\.254\.0\.0\/16, link-local/),
      expect.stringMatching(/^prefix-reserved sides\.remi\.allowed\[3\]\.prefix: remi may send 169\.0\.0\.0\/8, which covers 169\.254\.0\.0\/16/),
      expect.stringMatching(/^prefix-reserved sides\.remi\.allowed\[4\]\.prefix: .*multicast/),
      expect.stringMatching(/^prefix-reserved sides\.remi\.allowed\[5\]\.prefix: .*class E/),
      expect.stringMatching(/^prefix-reserved sides\.remi\.allowed\[6\]\.prefix: .*"this network"/),
    ]);
  });

  it("refuses a default route in pieces, whatever its shape", () => {
    const shapes = [
      ["0.0.0.0/1", "128.0.0.0/1"],
      ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
      ["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/3"],
      // Overlapping pieces, out of order.
      ["192.0.0.0/2", "0.0.0.0/1", "64.0.0.0/2", "128.0.0.0/1"],
      // 256 /8s: each alone within the /8 limit.
      Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`),
    ];
    for (const shape of shapes) {
      const got = check(withAllowed(...shape));
      expect(got, shape.slice(0, 4).join(" ")).toContainEqual(expect.stringMatching(/^split-default sides\.remi\.allowed: remi's prefixes .* together cover every IPv4 address: a default route in pieces/));
    }
    // Networks only: the list it names is networks.
    const networks = s1With((j) => {
      delete j.sides.remi.allowed;
      j.sides.remi.networks = ["0.0.0.0/1", "128.0.0.0/1"];
    });
    expect(check(networks)).toContainEqual(expect.stringMatching(/^split-default sides\.remi\.networks: remi's prefixes 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 together cover/));
    // Half of the space, or everything but one address, is no default.
    expect(check(withAllowed("0.0.0.0/1")).join("\n")).not.toMatch(/split-default/);
  });

  it("refuses the friend's endpoint inside our networks, a tunnel subnet, their own prefixes or reserved space", () => {
    const at = (endpoint: string, options: { others?: ReturnType<typeof mustParse>[] } = {}) =>
      check(
        s1With((j) => {
          j.sides.remi.wans.isp1.endpoint = endpoint;
        }),
        options,
      );
    expect(at("192.168.0.77")).toEqual([expect.stringMatching(/^endpoint-loop sides\.remi\.wans\.isp1\.endpoint: remi's endpoint 192\.168\.0\.77 \(WAN isp1\) is inside our own 192\.168\.0\.0\/24 \(sides\.alice\.networks\[0\]\): the tunnel to remi would be sent into our own network; ask remi for the public address or DNS name of that WAN$/)]);
    // Our allowed space counts too (192.168.1.0/24 is in alice's 192.168.0.0/23).
    expect(at("192.168.1.9")).toEqual([expect.stringMatching(/^endpoint-loop sides\.remi\.wans\.isp1\.endpoint: .* inside our own 192\.168\.0\.0\/23 \(sides\.alice\.allowed\[0\]\)/)]);
    expect(at("172.16.11.2")).toEqual([expect.stringMatching(/^endpoint-loop sides\.remi\.wans\.isp1\.endpoint: .* inside the tunnel subnet 172\.16\.11\.0\/30 \(links\[1\]\.subnet\): the tunnel would be routed into a tunnel/)]);
    expect(at("192.168.43.1")).toEqual([expect.stringMatching(/^endpoint-loop sides\.remi\.wans\.isp1\.endpoint: .* inside 192\.168\.42\.0\/23, which remi may send us \(sides\.remi\.allowed\[0\]\.prefix\): once BGP is up, the way to the endpoint leads through the tunnel itself/)]);
    for (const reserved of ["127.0.0.1", "0.0.0.0", "169.254.1.1", "224.0.0.5", "255.255.255.255"]) {
      expect(at(reserved), reserved).toEqual([expect.stringMatching(/^endpoint-reserved sides\.remi\.wans\.isp1\.endpoint: remi's endpoint .* is .* space \(.*\), not a router on the internet/)]);
    }
    // Another peering's tunnel subnet on our router.
    const carol = example("s4");
    expect(at("172.16.20.1", { others: [carol] })).toEqual([expect.stringMatching(/^endpoint-loop sides\.remi\.wans\.isp1\.endpoint: .* inside the tunnel subnet 172\.16\.20\.0\/30 \(link isp1 of peering alice-carol\)/)]);
    // A public address or a name is fine.
    expect(at("192.0.2.33")).toEqual([]);
    expect(at("vpn.remi.example")).toEqual([]);
  });

  it("refuses our own endpoint inside what the friend may send", () => {
    const p = s1With((j) => {
      j.sides.alice.wans.isp2.endpoint = "93.184.216.34";
      j.sides.remi.allowed.push({ prefix: "93.184.216.0/24", maxLength: 24 });
    });
    expect(check(p, { acceptPublic: ["93.184.216.0/24"] })).toEqual([
      expect.stringMatching(/^endpoint-loop sides\.remi\.allowed\[1\]\.prefix: our endpoint 93\.184\.216\.34 \(WAN isp2\) is inside 93\.184\.216\.0\/24, which remi may send us: remi's router would reach us through the tunnel itself/),
    ]);
  });

  it("checks only the friend's side: our own prefixes are ours to choose", () => {
    const p = s1With((j) => {
      j.sides.alice.networks.push("93.184.216.0/24");
      j.sides.alice.allowed.push({ prefix: "93.184.216.0/24", maxLength: 24 });
    });
    expect(check(p)).toEqual([]);
    // Seen from remi, alice is the friend.
    expect(check(p, { side: "remi" })).toEqual([expect.stringMatching(/^prefix-public sides\.alice\.allowed\[1\]\.prefix: alice may send 93\.184\.216\.0\/24/)]);
  });

  it("reports friend input with every other refusal at once", () => {
    const p = s1With((j) => {
      j.sides.remi.asn = 64514;
      j.sides.remi.allowed.push({ prefix: "0.0.0.0/1", maxLength: 32 }, { prefix: "128.0.0.0/1", maxLength: 32 }, { prefix: "93.184.216.0/24", maxLength: 32 });
      j.sides.remi.wans.isp1.endpoint = "192.168.0.5";
    });
    const codes = checkPeering({ featuresOf: routerOsFeatures, peering: p, side: "alice" }).map((r) => r.code);
    expect(new Set(codes)).toEqual(new Set(["asn-collision", "prefix-overlap", "prefix-too-wide", "prefix-public", "split-default", "endpoint-loop"]));
  });

  it("says which confirmations it cannot take", () => {
    expect(acceptPublicProblem("93.184.216.0/24")).toBeNull();
    expect(acceptPublicProblem("93.184.216.1/24")).toMatch(/host bits set: did you mean 93\.184\.216\.0\/24/);
    expect(acceptPublicProblem("64.0.0.0/2")).toMatch(/more than a \/8/);
    expect(acceptPublicProblem("127.0.0.0/8")).toMatch(/loopback/);
    expect(acceptPublicProblem("vpn.example")).toMatch(/not an IPv4 prefix/);
    expect(acceptPublicProblem("93.184.216.0/24\u200b")).toMatch(/not an IPv4 prefix/);
  });
});

describe("covering every address", () => {
  const cover = (...texts: string[]) => coverAllAddresses(texts.map(parsePrefix));
  it("sees a default in any pieces, and nothing less", () => {
    expect(cover("0.0.0.0/0")).toBe(true);
    expect(cover("128.0.0.0/1", "0.0.0.0/1")).toBe(true);
    expect(cover("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3")).toBe(true);
    expect(cover()).toBe(false);
    expect(cover("0.0.0.0/1")).toBe(false);
    expect(cover("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4")).toBe(false);
    // Everything but 255.255.255.255.
    expect(cover(...Array.from({ length: 32 }, (_, i) => `${formatAddress((2 ** 32 - 2 ** (32 - i)) >>> 0)}/${i + 1}`).slice(0, 31), "255.255.255.254/32")).toBe(false);
    expect(cover(...Array.from({ length: 32 }, (_, i) => `${formatAddress((2 ** 32 - 2 ** (32 - i)) >>> 0)}/${i + 1}`), "255.255.255.255/32")).toBe(true);
    // A gap in the middle.
    expect(cover("0.0.0.0/1", "128.0.0.0/2", "224.0.0.0/3")).toBe(false);
  });
});

describe("text that is not what it seems", () => {
  const problems = (change: (json: Record<string, any>) => void) => {
    const json = exampleJson("s1");
    change(json);
    const r = parsePeering(json);
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it("refuses zero-width, bidi and control characters anywhere in a peering file", () => {
    const cases: Array<[(j: Record<string, any>) => void, RegExp]> = [
      [(j) => (j.sides.remi.wans.isp1.interface = "pppoe-out1\u200b"), /^sides\.remi\.wans\.isp1\.interface: this text contains U\+200B, an invisible or control character/],
      [(j) => (j.sides.remi.wans.isp1.interface = "pppoe\u202eout1"), /^sides\.remi\.wans\.isp1\.interface: this text contains U\+202E/],
      [(j) => (j.sides.alice.wans.isp1.endpoint = "vpn.alice\u2060.example"), /^sides\.alice\.wans\.isp1\.endpoint: this text contains U\+2060/],
      [(j) => (j.name = "alice-remi\ufeff"), /^name: this text contains U\+FEFF/],
      [(j) => (j.links[0].name = "isp1\u0000"), /^links\[0\]\.name: this text contains U\+0000/],
      [(j) => ((j.sides["remi\u200d"] = j.sides.remi), delete j.sides.remi), /^sides\.remi\u200d: this name contains U\+200D/],
      [(j) => (j.$schema = "./peering.schema.json\u2066"), /^\$schema: this text contains U\+2066/],
    ];
    for (const [change, why] of cases) expect(problems(change), String(why)).toContainEqual(expect.stringMatching(why));
    expect(problems(() => undefined)).toEqual([]);
  });

  it("refuses endpoints that look like an address but are not one in dotted-quad form", () => {
    for (const endpoint of ["3232235525", "0xc0a80005", "127.1", "192.168.000.1", "010.0.0.1", "vpn.0x7f"]) {
      expect(problems((j) => (j.sides.alice.wans.isp1.endpoint = endpoint)), endpoint).toEqual([expect.stringMatching(/^sides\.alice\.wans\.isp1\.endpoint: looks like an IPv4 address but is not one in dotted-quad form/)]);
    }
    for (const endpoint of ["203.0.113.10", "vpn.alice.example", "c0ffee123456.sn.mynetname.net", "1e100.net"]) {
      expect(problems((j) => (j.sides.alice.wans.isp1.endpoint = endpoint)), endpoint).toEqual([]);
    }
  });
});

describe("ownNetworksProblems (issue 15: the networks field)", () => {
  const wans = [{ interface: "ether1", address: "203.0.113.10/24" }];
  it("passes LANs, and refuses a default route, a network holding a WAN address, the friend's networks and a tunnel subnet", () => {
    expect(ownNetworksProblems("alice", ["192.168.0.0/24"], { wans, tunnelSubnets: ["172.16.20.0/30"], friend: { name: "remi", networks: ["192.168.42.0/24"] } })).toEqual([]);
    expect(ownNetworksProblems("alice", ["192.168.0.0/24", "0.0.0.0/0"], { wans })).toEqual([expect.stringContaining("0.0.0.0/0 is a default route")]);
    expect(ownNetworksProblems("alice", ["203.0.113.0/25"], { wans }).join("\n")).toContain("203.0.113.0/25 holds your WAN address 203.0.113.10 (ether1)");
    expect(ownNetworksProblems("alice", ["192.168.0.0/16"], { wans, friend: { name: "remi", networks: ["192.168.42.0/24"] } })).toEqual([expect.stringContaining("192.168.0.0/16 overlaps remi's 192.168.42.0/24")]);
    expect(ownNetworksProblems("alice", ["172.16.20.0/24"], { wans, tunnelSubnets: ["172.16.20.0/30"] })).toEqual([expect.stringContaining("overlaps the tunnel subnet 172.16.20.0/30")]);
    expect(ownNetworksProblems("alice", ["0.0.0.0/1", "128.0.0.0/1"], { wans: [] }).join("\n")).toContain("your friend would refuse this");
  });
});
