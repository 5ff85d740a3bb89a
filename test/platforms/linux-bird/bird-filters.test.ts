// The rendered filters on real BIRD: two BIRD 2 instances in network namespaces of their own,
// joined by veth pairs named like the tunnels (no WireGuard needed to prove the policy). Alice runs
// her rendered include file; remi runs his with every export opened and leaks a default route,
// alice's own prefix, a too-specific prefix and public space.
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { renderLinux } from "../../../src/platforms/linux-bird/render/render.js";
import { endsWithTest, mustParse, onCleanup, tempDir, until } from "../../helpers.js";
import type { Peering } from "../../../src/core/peering.js";
import { fileOf, linuxExampleJson } from "./helpers.js";

const json = linuxExampleJson("linux");
// remi may send 192.168.42.0/23 down to /24 only: a /25 is too specific.
json.sides.remi.allowed = [{ prefix: "192.168.42.0/23", maxLength: 24 }];
json.policy.timers = { hold: "9s", keepalive: "3s" };
const p = mustParse(json);
const LEAKS = { "0.0.0.0/0": "a default route", "192.168.0.0/24": "alice's own network", "192.168.42.128/25": "a prefix longer than remi may send", "8.8.8.0/24": "public space" };

function run(command: string, args: string[], orElse?: RegExp): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
  // birdc fails for a prefix it has no route to: that is an empty answer.
  if (r.status !== 0 && orElse?.test(r.stdout)) return "";
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface Host {
  ns: string;
  ctl: string;
  birdc(...command: string[]): string;
}

/** One namespace with its LAN on lo and BIRD on `include`, ended with the test file. */
function host(dir: string, ns: string, routerId: string, lans: string[], include: string): Host {
  const conf = join(dir, `${ns}.conf`);
  writeFileSync(join(dir, `${ns}-bgpals.conf`), include);
  writeFileSync(conf, [`router id ${routerId};`, "protocol device {}", 'protocol direct { ipv4; interface "lo"; }', "protocol kernel { ipv4 { export all; }; }", `include "${join(dir, `${ns}-bgpals.conf`)}";`, ""].join("\n"));
  for (const lan of lans) run("ip", ["-n", ns, "address", "add", lan, "dev", "lo"]);
  run("ip", ["-n", ns, "link", "set", "lo", "up"]);
  const ctl = join(dir, `${ns}.ctl`);
  // -f: BIRD stays our child, so the test ends it by its handle.
  endsWithTest(spawn("ip", ["netns", "exec", ns, "bird", "-f", "-c", conf, "-s", ctl, "-P", join(dir, `${ns}.pid`)], { stdio: "ignore" }));
  return { ns, ctl, birdc: (...command) => run("birdc", ["-s", ctl, ...command], /Network not found/) };
}

/** The route blocks BIRD prints for one prefix, best first ("*"). */
function routes(h: Host, prefix: string, filtered = false): Array<{ protocol: string; best: boolean; attrs: string }> {
  const out = h.birdc("show", "route", prefix, ...(filtered ? ["filtered"] : []), "all");
  const blocks = out.split(/\n(?=\S|\s+unicast)/).filter((b) => /unicast \[/.test(b));
  return blocks.map((b) => ({ protocol: /unicast \[(\S+)/.exec(b)![1]!, best: /\] \*/.test(b), attrs: b }));
}

/** Alice and remi for peering `p`: BIRD on both, remi leaking; `established` says when to go on. */
async function network(p: Peering, tag: string, established: (alice: Host, remi: Host) => boolean): Promise<{ alice: Host; remi: Host }> {
  const dir = tempDir("bgpals-birdns-");
  const a = `bgpals-t${process.pid}-${tag}-alice`;
  const r = `bgpals-t${process.pid}-${tag}-remi`;
  for (const ns of [a, r]) {
    run("ip", ["netns", "add", ns]);
    onCleanup(() => spawnSync("ip", ["netns", "del", ns]));
  }
  for (const link of p.links) {
    const mine = linuxNames.tunnelInterface(link, "remi");
    const theirs = linuxNames.tunnelInterface(link, "alice");
    run("ip", ["-n", a, "link", "add", mine, "type", "veth", "peer", "name", theirs, "netns", r]);
    const length = link.subnet.split("/")[1];
    run("ip", ["-n", a, "address", "add", `${link.address.alice}/${length}`, "dev", mine]);
    run("ip", ["-n", r, "address", "add", `${link.address.remi}/${length}`, "dev", theirs]);
    run("ip", ["-n", a, "link", "set", mine, "up"]);
    run("ip", ["-n", r, "link", "set", theirs, "up"]);
  }
  const mine = fileOf(renderLinux(p, "alice"), linuxNames.birdInclude(p));
  // remi leaks: his rendered sessions, every export opened, and a static protocol of bad routes.
  const leaky = fileOf(renderLinux(p, "remi"), linuxNames.birdInclude(p)).replace(/export filter \S+;/g, "export all;");
  expect(leaky).not.toMatch(/export filter/);
  const statics = `protocol static leaks {\n\tipv4;\n${Object.keys(LEAKS).map((prefix) => `\troute ${prefix} blackhole;`).join("\n")}\n}\n`;
  // Alice's lo also holds a network that is not the peering's: her BIRD has it, her filters keep it home.
  const alice = host(dir, a, "192.168.0.1", ["192.168.0.1/24", "10.99.0.1/24"], mine);
  const remi = host(dir, r, "192.168.42.1", ["192.168.42.1/24"], `${leaky}\n${statics}`);
  await until(() => {
    try {
      return established(alice, remi);
    } catch {
      return false; // BIRD still starting
    }
  }, () => `the sessions, as alice sees them:\n${alice.birdc("show", "protocols", "all")}`, 45_000, 250);
  return { alice, remi };
}

const sessionsUp = (h: Host) => (h.birdc("show", "protocols").match(/^bgpals_\S+\s+BGP\s+.*Established/gm) ?? []).length;

let alice: Host;
let remi: Host;

beforeAll(async () => {
  // Both sessions up, and both links' routes in on both sides.
  ({ alice, remi } = await network(p, "filters", (a, r) => sessionsUp(a) === 2 && sessionsUp(r) === 2 && routes(a, "192.168.42.0/24").length === 2 && routes(r, "192.168.0.0/24").length === 2));
}, 90_000);

describe("rendered BIRD filters on real BIRD", () => {
  it("take the friend's LAN on both links, best through the primary with local-pref 200", () => {
    const lan = routes(alice, "192.168.42.0/24");
    const best = lan.find((r) => r.best)!;
    expect(best.protocol).toBe(linuxNames.bgpProtocol(p, "isp1"));
    expect(best.attrs).toMatch(/BGP\.local_pref: 200/);
    expect(lan.find((r) => !r.best)!.attrs).toMatch(/BGP\.local_pref: 100/);
    // And the kernel routes it through the primary link.
    expect(run("ip", ["-n", alice.ns, "route", "show", "192.168.42.0/24"])).toMatch(/via 172\.16\.10\.2 dev wg-remi-isp1/);
  });

  it("keep each leak out of the table, and show it as filtered", () => {
    for (const [prefix, what] of Object.entries(LEAKS)) {
      const sessions = p.links.map((l) => linuxNames.bgpProtocol(p, l.name));
      const taken = routes(alice, prefix).filter((r) => sessions.includes(r.protocol));
      expect(taken, `${what} (${prefix}) was taken`).toEqual([]);
      const filtered = routes(alice, prefix, true).map((r) => r.protocol).sort();
      expect(filtered, `${what} (${prefix}) is not shown as filtered`).toEqual([linuxNames.bgpProtocol(p, "isp1"), linuxNames.bgpProtocol(p, "isp2")].sort());
    }
  });

  it("announce only alice's network, with her AS prepended on the backup link", () => {
    const lan = routes(remi, "192.168.0.0/24");
    const path = (link: string) => /BGP\.as_path: (.*)/.exec(lan.find((r) => r.protocol === linuxNames.bgpProtocol(p, link))!.attrs)![1]!.trim();
    expect(path("isp1")).toBe("64514");
    expect(path("isp2")).toBe("64514 64514 64514 64514");
    expect(routes(alice, "10.99.0.0/24").length).toBeGreaterThan(0);
    expect(routes(remi, "10.99.0.0/24")).toEqual([]);
    expect(remi.birdc("show", "route", "protocol", linuxNames.bgpProtocol(p, "isp1"))).not.toMatch(/192\.168\.42\./);
  });
});

describe("the max-prefix cap on real BIRD", () => {
  it("cuts off a friend who sends more routes than the cap, filtered ones counted, as RouterOS does", async () => {
    const capped = mustParse({ ...json, policy: { ...json.policy, maxPrefixes: 3 } });
    // remi sends his LAN and four leaks: five routes, over a cap of three.
    const tripped = (h: Host) => (h.birdc("show", "protocols").match(/^bgpals_\S+\s+BGP\s+.*down.*Route limit exceeded/gm) ?? []).length;
    const { alice } = await network(capped, "cap", (a) => tripped(a) === 2);
    const status = alice.birdc("show", "protocols", "all", linuxNames.bgpProtocol(capped, "isp1"));
    expect(status).toMatch(/Receive limit:\s+3 \[HIT\]/);
    expect(routes(alice, "192.168.42.0/24")).toEqual([]);
  }, 90_000);
});
