// A side on Linux with BIRD: the peering file takes it, the checks ask each side's own platform,
// and offers and answers carry it.
import { describe, expect, it } from "vitest";
import { createIdentity, decodeBundle, encodeBundle } from "../../src/core/bundle.js";
import { checkPeering } from "../../src/core/checks.js";
import { peeringOf, proposeLinks, type AnswerBody, type OfferBody } from "../../src/core/offer.js";
import { parsePeering, platformText } from "../../src/core/peering.js";
import { featuresOfAnySide, platformForOs } from "../../src/platforms/index.js";
import { routerOsFeatures } from "../../src/platforms/routeros/dialects.js";
import { mustParse } from "../helpers.js";
import { linuxExample, linuxExampleJson } from "../platforms/linux-bird/helpers.js";

describe("a Linux side in the peering file", () => {
  it("takes BIRD's version as bird --version prints it, or 2.x", () => {
    for (const bird of ["2.0.12", "2.15.1", "2.x", "2.16"]) {
      const json = linuxExampleJson("mixed");
      json.sides.remi.platform = { os: "linux", bird };
      expect(parsePeering(json).ok, bird).toBe(true);
    }
  });

  it("refuses what is not a BIRD version, an unknown os and a RouterOS version on Linux", () => {
    const problems = (platform: unknown) => {
      const json = linuxExampleJson("mixed");
      json.sides.remi.platform = platform;
      const r = parsePeering(json);
      return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems({ os: "linux", bird: "two" })).toEqual(["sides.remi.platform.bird: not a BIRD version (e.g. 2.0.12, 2.15.1, or 2.x for any BIRD 2)"]);
    expect(problems({ os: "openbsd", version: "7.4" })).toEqual([expect.stringMatching(/^sides\.remi\.platform(\.os)?: .*"os": "linux", "bird": "2\.x"/)]);
    expect(problems({ os: "linux", version: "7.24" })).not.toEqual([]);
    expect(problems({ os: "routeros", bird: "2.x" })).not.toEqual([]);
  });

  it("says which platform a side runs, in words", () => {
    const p = linuxExample("mixed");
    expect(platformText(p.sides.alice!.platform)).toBe("RouterOS 7.24");
    expect(platformText(p.sides.remi!.platform)).toBe("Linux (BIRD 2.0.12)");
  });
});

describe("checks with a RouterOS side and a Linux side", () => {
  it("pass for both sides when each side's platform answers for it", () => {
    const p = linuxExample("mixed");
    expect(checkPeering({ peering: p, side: "alice", featuresOf: featuresOfAnySide })).toEqual([]);
    expect(checkPeering({ peering: p, side: "remi", featuresOf: featuresOfAnySide })).toEqual([]);
    expect(checkPeering({ peering: linuxExample("linux"), side: "alice", featuresOf: featuresOfAnySide })).toEqual([]);
  });

  it("would refuse the Linux side if only RouterOS answered", () => {
    expect(checkPeering({ peering: linuxExample("mixed"), side: "alice", featuresOf: routerOsFeatures })).toEqual([
      { code: "version-gate", path: "sides.remi.platform.bird", message: "linux is not RouterOS; upgrade remi's router" },
    ]);
  });

  it("take OpenVPN to the Linux side, and refuse a BIRD bgpals does not write for", () => {
    const json = linuxExampleJson("mixed");
    Object.assign(json.links[1], { kind: "ovpn", protocol: "tcp", user: "remi", caFingerprint: "0".repeat(64) });
    delete json.links[1].publicKey;
    delete json.links[1].keepalive;
    json.sides.remi.platform.bird = "3.0.1";
    const refusals = checkPeering({ peering: mustParse(json), side: "alice", featuresOf: featuresOfAnySide });
    expect(refusals).toEqual([{ code: "version-gate", path: "sides.remi.platform.bird", message: expect.stringMatching(/^BIRD 3\.0\.1 is not supported: bgpals writes BIRD 2 configuration/) }]);
    json.sides.remi.platform.bird = "2.0.12";
    expect(checkPeering({ peering: mustParse(json), side: "alice", featuresOf: featuresOfAnySide })).toEqual([]);
    expect(checkPeering({ peering: mustParse(json), side: "remi", featuresOf: featuresOfAnySide })).toEqual([]);
  });

  it("give each OpenVPN link a Linux side listens on its own port (an openvpn server per link): checks refuse a shared one, an offer proposes one each", () => {
    const json = linuxExampleJson("linux");
    for (const link of json.links) {
      Object.assign(link, { kind: "ovpn", port: 1194, protocol: "tcp", user: `remi-${link.name}`, caFingerprint: "0".repeat(64) });
      delete link.publicKey;
      delete link.keepalive;
    }
    const listener = json.links[0].listener as string;
    expect(json.links[1].listener).toBe(listener);
    const bird = json.sides[listener].platform.bird as string;
    expect(checkPeering({ peering: mustParse(json), side: listener, featuresOf: featuresOfAnySide })).toEqual([
      { code: "version-gate", path: "links", message: `${listener} runs Linux (BIRD ${bird}), which runs one OpenVPN server per link: every OpenVPN link ${listener} listens on needs its own port (isp1 1194/tcp, isp2 1194/tcp)` },
    ]);
    json.links[1].port = 1195;
    expect(checkPeering({ peering: mustParse(json), side: listener, featuresOf: featuresOfAnySide })).toEqual([]);

    const requests = [{ name: "isp1", kind: "ovpn" as const, wan: "isp1" }, { name: "isp2", kind: "ovpn" as const, wan: "isp2" }];
    const ports = (portPerLink: boolean) => {
      const proposed = proposeLinks(requests, { prefixes: [], ports: [1195], portPerLink });
      return proposed.ok ? proposed.links.map((l) => l.port) : proposed.message;
    };
    // A Linux host: one port each, around those in use; RouterOS: its one server's port for both.
    expect(ports(true)).toEqual([1194, 1196]);
    expect(ports(false)).toEqual([1194, 1194]);
  });

  it("a RouterOS version given for the render (--routeros) still concerns the RouterOS side only", () => {
    const p = linuxExample("mixed");
    expect(checkPeering({ peering: p, side: "alice", featuresOf: featuresOfAnySide, version: "6.49.10" }).map((r) => r.path)).toEqual(["links[0].kind", "links[1].kind"]);
  });

  it("finds the platform by os, and names the ones it knows for any other", () => {
    expect(platformForOs("linux").name).toBe("Linux (BIRD 2)");
    expect(platformForOs("routeros").name).toBe("RouterOS");
    expect(() => platformForOs("vyos")).toThrow(/no platform for "os": "vyos"; bgpals knows "routeros" \(RouterOS\) and "linux" \(Linux \(BIRD 2\)\)/);
    expect(featuresOfAnySide({ os: "vyos", version: "1.4" })).toEqual({ unsupported: expect.stringMatching(/does not know the platform "vyos"/) });
  });
});

describe("offers and answers with a Linux side", () => {
  const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
  const p = linuxExample("mixed");
  const offer: OfferBody = {
    peering: p.name,
    friend: "remi",
    side: { name: "alice", asn: 64514, routerId: "192.168.0.1", version: "7.24", networks: ["192.168.0.0/24"], allowed: [{ prefix: "192.168.0.0/23", maxLength: 32 }], wans: p.sides.alice!.wans },
    links: p.links.map((l) => ({ name: l.name, kind: "wireguard" as const, wan: l.wan.alice!, subnet: l.subnet, addresses: [l.address.alice!, l.address.remi!] as [string, string], port: l.port, publicKey: l.publicKey!.alice!, keepalive: "25s", mtu: 1420 })),
    policy: p.policy,
  };
  const answer: Omit<AnswerBody, "offer"> = {
    side: { name: "remi", asn: 64513, routerId: "192.168.42.1", version: "2.0.12", platform: { os: "linux", bird: "2.0.12" }, networks: ["192.168.42.0/24"], allowed: [{ prefix: "192.168.42.0/23", maxLength: 32 }], wans: p.sides.remi!.wans },
    links: Object.fromEntries(p.links.map((l) => [l.name, { wan: l.wan.remi!, publicKey: l.publicKey!.remi! }])),
  };

  it("make the peering with each side's platform; a side without one is RouterOS at its version", () => {
    const made = peeringOf(offer, answer);
    expect(made.ok && made.peering.sides).toMatchObject({ alice: { platform: { os: "routeros", version: "7.24" } }, remi: { platform: { os: "linux", bird: "2.0.12" } } });
    const { $schema: _schema, ...file } = p;
    expect(made.ok && made.peering).toEqual(file);
  });

  it("carry a Linux side through a signed bundle", () => {
    const alice = createIdentity("alice");
    const remi = createIdentity("remi");
    const linuxOffer: OfferBody = { ...offer, side: { ...offer.side, version: "2.x", platform: { os: "linux", bird: "2.x" } } };
    const bundle = encodeBundle({ identity: alice, kind: "offer", body: linuxOffer as unknown as Record<string, unknown>, now: NOW });
    const opened = decodeBundle(bundle.text, { now: NOW, identity: remi, expectedKind: "offer" });
    if (!opened.ok) throw new Error(opened.message);
    const made = peeringOf(opened.bundle.body as unknown as OfferBody, answer);
    expect(made.ok && made.peering.sides.alice!.platform).toEqual({ os: "linux", bird: "2.x" });
  });

  it("take the side's platform as its router's platform writes it", () => {
    const made = peeringOf({ ...offer, side: { ...offer.side, platform: platformForOs("routeros").sidePlatform("7.24") } }, { ...answer, side: { ...answer.side, platform: platformForOs("linux").sidePlatform("2.0.12") } });
    expect(made.ok && [made.peering.sides.alice!.platform, made.peering.sides.remi!.platform]).toEqual([{ os: "routeros", version: "7.24" }, { os: "linux", bird: "2.0.12" }]);
  });

  it("refuse a side whose platform is not one the peering file takes", () => {
    const made = peeringOf(offer, { ...answer, side: { ...answer.side, platform: { os: "linux", bird: "three" } as never } });
    expect(made.ok).toBe(false);
    expect(!made.ok && made.problems.map((x) => x.path)).toEqual(["sides.remi.platform.bird"]);
  });
});
