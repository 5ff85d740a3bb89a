import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePeering, parsePeeringText, peeringJsonSchema } from "../../src/core/peering.js";
import { exampleJson, sharedDir } from "../helpers.js";

const problemsOf = (json: unknown) => {
  const r = parsePeering(json);
  if (r.ok) throw new Error("expected problems, file was accepted");
  return r.problems;
};

describe("peering file", () => {
  it("accepts every example, and the shared S1 example as given", () => {
    for (const name of ["s1", "s3", "s4", "s7"] as const) expect(parsePeering(exampleJson(name)).ok, name).toBe(true);
    const shared = JSON.parse(readFileSync(`${sharedDir}/examples/s1-alice-remi.peering.json`, "utf8"));
    const r = parsePeering(shared);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.peering.links.map((l) => l.name)).toEqual(["isp1", "isp2"]);
  });

  it("reads a CA fingerprint in bare hex or sha256:<hex>, any case, as RouterOS prints it", () => {
    const json = exampleJson("s3");
    const hex = json.links[0].caFingerprint as string;
    for (const written of [hex.toUpperCase(), `sha256:${hex}`, `SHA256:${hex.toUpperCase()}`]) {
      json.links[0].caFingerprint = written;
      const r = parsePeering(json);
      expect(r.ok && r.peering.links[0]!.caFingerprint, written).toBe(hex.toLowerCase());
    }
    json.links[0].caFingerprint = `sha1:${hex}`;
    expect(problemsOf(json).map((p) => p.path)).toContain("links[0].caFingerprint");
  });

  it("fills policy defaults", () => {
    const json = exampleJson("s1");
    json.policy = { mode: "bgp", primary: "isp1" };
    const r = parsePeering(json);
    expect(r.ok && r.peering.policy).toEqual({
      mode: "bgp",
      primary: "isp1",
      localPref: { primary: 200, backup: 100 },
      backupPrepend: 3,
      maxPrefixes: 100,
      timers: { hold: "30s", keepalive: "10s" },
    });
  });

  it("reports bad JSON with its position", () => {
    const r = parsePeeringText('{"format": "bgpals/peering@1",');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ path: "(file)", message: expect.stringMatching(/not valid JSON/) });
  });

  it("names the JSON path of a missing field", () => {
    const json = exampleJson("s1");
    delete json.sides.remi.asn;
    expect(problemsOf(json)).toContainEqual({ path: "sides.remi.asn", message: "missing: expected a private ASN" });
    delete json.sides.remi.routerId;
    expect(problemsOf(json)).toContainEqual({ path: "sides.remi.routerId", message: "missing: expected string" });
  });

  it("names the JSON path of a bad CIDR, a bad key and an unknown link, all at once", () => {
    const json = exampleJson("s1");
    json.sides.alice.networks = ["192.168.0.1/24"];
    json.links[1].publicKey.remi = "not-a-key";
    json.policy.primary = "isp9";
    const problems = problemsOf(json);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["sides.alice.networks[0]", "links[1].publicKey.remi", "policy.primary"]));
    expect(problems.find((p) => p.path === "policy.primary")?.message).toMatch(/unknown link isp9; links are isp1, isp2/);
    expect(problems.find((p) => p.path === "links[1].publicKey.remi")?.message).toMatch(/WireGuard public key/);
  });

  it("refuses a link on a WAN the side does not declare", () => {
    const json = exampleJson("s1");
    json.links[0].wan.remi = "isp3";
    expect(problemsOf(json)).toContainEqual({ path: "links[0].wan.remi", message: "remi has no WAN named isp3; its WANs are isp1, isp2" });
  });

  it("refuses addresses outside the subnet, equal addresses and overlapping subnets", () => {
    const json = exampleJson("s1");
    json.links[0].address.remi = "172.16.99.2";
    json.links[1].subnet = "172.16.10.0/29";
    json.links[1].address = { alice: "172.16.10.1", remi: "172.16.10.1" };
    const paths = problemsOf(json).map((p) => `${p.path}: ${p.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "links[0].address.remi: 172.16.99.2 is outside the link subnet 172.16.10.0/30",
        "links[1].address: both sides use 172.16.10.1",
        "links[1].subnet: 172.16.10.0/29 overlaps link isp1's subnet 172.16.10.0/30",
      ]),
    );
  });

  it("refuses unknown fields, public ASNs and a third side", () => {
    const json = exampleJson("s1");
    json.sides.alice.asn = 3215;
    json.policy.colour = "blue";
    expect(problemsOf(json).map((p) => p.path)).toEqual(expect.arrayContaining(["sides.alice.asn", "policy"]));
    const three = exampleJson("s1");
    three.sides.carol = three.sides.remi;
    expect(problemsOf(three)).toContainEqual({ path: "sides", message: "a peering has exactly two sides, found 3" });
  });

  it("requires an endpoint on the listener's WAN and OpenVPN fields on OpenVPN links", () => {
    const json = exampleJson("s3");
    delete json.sides.alice.wans.isp2.endpoint;
    delete json.links[0].user;
    json.links[1].publicKey = { alice: "+idoHCxIdRIM5oB6P+imCZWfhQmJuGIMAQ8GLPPxNiw=" };
    const messages = problemsOf(json).map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "links[1].listener: alice listens on isp2 but its WAN isp2 has no endpoint for the friend to reach",
        "links[0].user: missing: the PPP secret name of this OpenVPN link",
        "links[1].publicKey: publicKey belongs to WireGuard links, not OpenVPN",
      ]),
    );
  });

  it("publishes the JSON Schema it validates with", () => {
    const published = JSON.parse(readFileSync(new URL("../../peers/peering.schema.json", import.meta.url), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(peeringJsonSchema())));
    expect(published.properties.format.const).toBe("bgpals/peering@1");
    expect(published.required).toEqual(expect.arrayContaining(["format", "name", "sides", "links", "policy"]));
  });
});
