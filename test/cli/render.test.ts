import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES, exampleJson, tempDir } from "../helpers.js";
import { runCli, STACK_TRACE } from "./run.js";

const S1 = EXAMPLES.s1;
const scratch = tempDir("bgpals-render-");

function writePeering(name: string, json: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

function expectRefused(args: string[], pathAndMessage: RegExp) {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(pathAndMessage);
  expect(r.stderr).not.toMatch(STACK_TRACE);
}

describe("bgpals render", () => {
  it("prints a paste-able script for a side at its own version", () => {
    const r = runCli(["render", S1, "--side", "alice"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# bgpals: peering alice-remi, side alice, RouterOS 7\.24 \(v7\.20 syntax\)$/m);
    expect(r.stdout).toContain("/routing bgp instance\nadd as=64514 comment=bgpals:alice-remi:instance name=bgpals-alice-remi router-id=192.168.0.1\n");
    const golden = readFileSync(new URL("../golden/s1-alice-7.24.rsc", import.meta.url), "utf8");
    const body = (text: string) => text.split("\n").filter((l) => !l.startsWith("#")).join("\n");
    expect(body(r.stdout)).toBe(body(golden));
  });

  it("prints JSON with API paths and attribute names, for the --routeros version", () => {
    const r = runCli(["render", S1, "--side", "remi", "--routeros", "7.24", "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ side: "remi", version: "7.24", dialect: "v7.20" });
    const connection = out.commands.find((c: any) => c.path === "/routing/bgp/connection");
    expect(connection).toMatchObject({ verb: "add", attrs: { name: "alice-isp1", "remote.as": "64514", instance: "bgpals-alice-remi", afi: "ip" } });
    expect(out.commands.every((c: any) => typeof c.path === "string" && c.path.startsWith("/") && ["add", "set"].includes(c.verb))).toBe(true);
    const v7 = JSON.parse(runCli(["render", S1, "--side", "remi", "--format", "json"]).stdout);
    expect(v7.dialect).toBe("v7");
    expect(v7.commands.some((c: any) => c.path === "/routing/bgp/instance")).toBe(false);
  });

  it("renders RouterOS 6 for carol", () => {
    const r = runCli(["render", EXAMPLES.s4, "--side", "carol", "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dialect).toBe("v6");
    expect(out.commands.map((c: any) => c.path)).toEqual(expect.arrayContaining(["/routing/bgp/peer", "/routing/filter", "/routing/bgp/network", "/interface/ovpn-client"]));
  });

  it("refuses malformed files with the JSON path and no stack trace", () => {
    expectRefused(["render", writePeering("bad.json", '{"format": "bgpals/peering@1", '), "--side", "alice"], /bad\.json is not a valid peering file[\s\S]*\(file\): not valid JSON/);
    const missing = exampleJson("s1");
    delete missing.links[0].port;
    expectRefused(["render", writePeering("missing.json", missing), "--side", "alice"], /links\[0\]\.port: missing: expected number/);
    const cidr = exampleJson("s1");
    cidr.sides.remi.networks = ["192.168.42.0/33"];
    expectRefused(["render", writePeering("cidr.json", cidr), "--side", "alice"], /sides\.remi\.networks\[0\]: not an IPv4 prefix/);
    const key = exampleJson("s1");
    key.links[0].publicKey.alice = "AAAA";
    expectRefused(["render", writePeering("key.json", key), "--side", "alice"], /links\[0\]\.publicKey\.alice: not a WireGuard public key/);
    const link = exampleJson("s1");
    link.policy.primary = "isp3";
    expectRefused(["render", writePeering("link.json", link), "--side", "alice"], /policy\.primary: unknown link isp3; links are isp1, isp2/);
    expectRefused(["render", join(scratch, "nope.json"), "--side", "alice"], /cannot read peering file .*nope\.json: no such file/);
  });

  it("refuses what the checks refuse, naming the path, writing nothing to stdout", () => {
    expectRefused(["render", S1, "--side", "alice", "--routeros", "6.49"], /refused \(2 problems\)[\s\S]*links\[0\]\.kind: link isp1 uses WireGuard/);
    const overlap = exampleJson("s1");
    overlap.sides.remi.allowed = [{ prefix: "192.168.0.0/22", maxLength: 32 }];
    expectRefused(["render", writePeering("overlap.json", overlap), "--side", "alice"], /sides\.remi\.allowed\[0\]: remi's 192\.168\.0\.0\/22 overlaps our/);

    // A peers directory where bob already uses remi's ASN.
    const peers = join(scratch, "peers");
    mkdirSync(peers, { recursive: true });
    const bob = exampleJson("s4");
    bob.name = "alice-bob";
    bob.sides.bob = { ...bob.sides.carol, asn: 64513, networks: ["10.7.0.0/24"] };
    delete bob.sides.carol;
    for (const l of bob.links) for (const k of ["wan", "address"]) { l[k].bob = l[k].carol; delete l[k].carol; }
    writeFileSync(join(peers, "bob.json"), JSON.stringify(bob));
    expectRefused(["render", S1, "--side", "alice", "--peers", peers], /sides\.remi\.asn: AS64513 is already used by bob \(peering alice-bob\)/);
  });

  it("reports a broken file in the peers directory instead of skipping it", () => {
    const peers = join(scratch, "broken-peers");
    mkdirSync(peers, { recursive: true });
    writeFileSync(join(peers, "x.json"), "{}");
    expectRefused(["render", S1, "--side", "alice", "--peers", peers], /x\.json is not a valid peering file/);
  });

  it("exits 2 on usage errors", () => {
    for (const args of [["render", S1], ["render", S1, "--side", "alice", "--format", "xml"], ["render", "--bogus"], ["render", S1, "--side", "alice", "--routeros", "banana"], ["frobnicate"]]) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect(runCli(["render", S1]).stderr).toMatch(/--side is required: render for --side alice or --side remi/);
  });

  it("names the sides when the side is unknown", () => {
    expectRefused(["render", S1, "--side", "bob"], /no side named bob; the sides are alice and remi/);
  });

  it("has help for the program and the command", () => {
    const top = runCli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/render \[options\] <peering\.json>/);
    expect(top.stdout).toMatch(/Exit codes: 0 ok, 1 error/);
    const sub = runCli(["render", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--routeros <version>/);
    expect(sub.stdout).toMatch(/--format <format>/);
  });
});

describe("bgpals render: what the friend may send", () => {
  const PUBLIC = "93.184.216.0/24";
  const withPublic = () => {
    const json = exampleJson("s1");
    json.sides.remi.allowed.push({ prefix: PUBLIC, maxLength: 24 });
    return writePeering("s1-public.json", json);
  };

  it("refuses public space, more than a /8 and a split default, each at its path", () => {
    const json = exampleJson("s1");
    json.sides.remi.allowed.push({ prefix: "0.0.0.0/1", maxLength: 32 }, { prefix: "128.0.0.0/1", maxLength: 32 }, { prefix: PUBLIC, maxLength: 24 });
    json.sides.remi.wans.isp1.endpoint = "192.168.0.9";
    const r = runCli(["render", writePeering("s1-hostile.json", json), "--side", "alice"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe("");
    for (const line of [
      /sides\.remi\.allowed\[1\]\.prefix: remi may send 0\.0\.0\.0\/1, more than a \/8/,
      /sides\.remi\.allowed\[3\]\.prefix: remi may send 93\.184\.216\.0\/24, which is not private space/,
      /sides\.remi\.allowed: remi's prefixes .* together cover every IPv4 address/,
      /sides\.remi\.wans\.isp1\.endpoint: remi's endpoint 192\.168\.0\.9 \(WAN isp1\) is inside our own 192\.168\.0\.0\/24/,
    ]) expect(r.stderr).toMatch(line);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it("renders public space the user confirms with --accept-public, or confirmed before in their own config", () => {
    const file = withPublic();
    expectRefused(["render", file, "--side", "alice"], /sides\.remi\.allowed\[1\]\.prefix: .*--accept-public 93\.184\.216\.0\/24/);
    const flagged = runCli(["render", file, "--side", "alice", "--accept-public", PUBLIC]);
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stdout).toContain("93.184.216.0/24");

    // Kept in the config home (never in peers/): for this peering and this friend only.
    const home = tempDir("bgpals-render-home-");
    const keep = (friend: string) => writeFileSync(join(home, "accepted-public.json"), JSON.stringify({ format: "bgpals/accepted-public@1", peerings: { "alice-remi": { friend, prefixes: [PUBLIC] } } }));
    keep("carol");
    expect(runCli(["render", file, "--side", "alice"], { BGPALS_HOME: home }).code).toBe(1);
    keep("remi");
    expect(runCli(["render", file, "--side", "alice"], { BGPALS_HOME: home }).code).toBe(0);
    // Seen from remi, alice is the friend: remi's confirmation says nothing about alice.
    expect(runCli(["render", file, "--side", "remi"], { BGPALS_HOME: home }).code).toBe(0);
  });

  it("takes no confirmation wider than a /8 or in reserved space (usage, exit 2)", () => {
    for (const [value, why] of [["0.0.0.0/1", /more than a \/8/], ["127.0.0.0/8", /loopback/], ["93.184.216.1/24", /host bits set/], ["nope", /not an IPv4 prefix/]] as const) {
      const r = runCli(["render", withPublic(), "--side", "alice", "--accept-public", value]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(why);
    }
  });
});

describe("bgpals render for a Linux side", () => {
  const LINUX = "peers/s1-alice-remi-linux.peering.json";
  const MIXED = "peers/s1-alice-remi-mixed.peering.json";

  it("prints the host's files, then its commands, as the golden render", () => {
    const r = runCli(["render", LINUX, "--side", "remi"]);
    expect(r.code, r.stderr).toBe(0);
    // Offline, the render cannot know the host: two notes say what a host with kernel WireGuard or systemd gets instead (the golden is the render's own, without them).
    const offline = /^# note: (a host whose kernel has WireGuard|on a host running systemd)\b.*\n/gm;
    expect(r.stdout.match(offline)).toHaveLength(2);
    expect(r.stdout.replace(offline, "")).toBe(readFileSync(new URL("../golden/s1-remi-linux-2.0.12.txt", import.meta.url), "utf8"));
    expect(r.stdout).toMatch(/^# --- \/etc\/bird\/bgpals-alice-remi\.conf ---$/m);
  });

  it("prints files and commands as JSON", () => {
    const r = runCli(["render", LINUX, "--side", "alice", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ side: "alice", platform: { os: "linux", bird: "2.x" }, peering: "alice-remi" });
    expect(out.files.map((f: any) => f.path)).toEqual(["/etc/wireguard/wg-remi-isp1.conf", "/etc/wireguard/wg-remi-isp2.conf", "/etc/nftables.d/bgpals-alice-remi.nft", "/etc/bird/bgpals-alice-remi.conf"]);
    expect(out.files.every((f: any) => /^0[0-7]{3}$/.test(f.mode) && typeof f.content === "string" && f.content.length > 0)).toBe(true);
    expect(out.commands.map((c: any) => c.run)).toEqual(expect.arrayContaining(["nft -f /etc/nftables.d/bgpals-alice-remi.nft", "birdc configure check", "birdc configure"]));
  });

  it("renders each side of a RouterOS ↔ Linux peering with its own platform", () => {
    const routeros = runCli(["render", MIXED, "--side", "alice"]);
    expect(routeros.code, routeros.stderr).toBe(0);
    expect(routeros.stdout).toMatch(/^# bgpals: peering alice-remi, side alice, RouterOS 7\.24/m);
    expect(routeros.stdout).toContain("/interface wireguard");
    const linux = runCli(["render", MIXED, "--side", "remi"]);
    expect(linux.code, linux.stderr).toBe(0);
    expect(linux.stdout).toMatch(/^# bgpals: peering alice-remi, side remi, Linux with BIRD 2\.0\.12/m);
  });

  it("says --routeros is for RouterOS sides", () => {
    const r = runCli(["render", MIXED, "--side", "remi", "--routeros", "7.24"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/--routeros is for a RouterOS side, and remi runs Linux \(BIRD 2\)/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it("renders an OpenVPN link between RouterOS 6.49 and a Linux side, each side with the cipher RouterOS 6 speaks", () => {
    const json = JSON.parse(readFileSync(MIXED, "utf8"));
    json.sides.alice.platform.version = "6.49.10";
    json.links = [json.links[1]];
    Object.assign(json.links[0], { kind: "ovpn", protocol: "tcp", port: 1194, user: "remi", caFingerprint: "0".repeat(64) });
    delete json.links[0].publicKey;
    delete json.links[0].keepalive;
    json.policy.primary = json.links[0].name;
    const file = writePeering("mixed-ovpn.json", json);
    const ros = runCli(["render", file, "--side", "alice"]);
    expect(ros.stderr).toBe("");
    expect(ros.stdout).toMatch(/^\/interface ovpn-server server\nset auth=sha1 .*cipher=aes256 .*port=1194 /m);
    const linux = runCli(["render", file, "--side", "remi"]);
    expect(linux.stderr).toBe("");
    expect(linux.stdout).toContain("# --- /etc/openvpn/ovpn-alice-isp2.conf ---");
    expect(linux.stdout).toContain("data-ciphers-fallback AES-256-CBC\nauth SHA1\n");
    expect(linux.stdout).toContain("proto tcp-client\nremote vpn2.alice.example 1194\n");
    expect(linux.stdout).toContain(`tun-mtu ${json.links[0].mtu}\n`);
  });
});
