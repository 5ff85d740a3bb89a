// Reading what BIRD and WireGuard print, on output captured from a real BIRD 2.0.12 and
// wireguard-go in the netlab (test/fixtures/linux-bird/README.md says how), and reading back the
// include file the render writes.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { runFilter } from "../../../src/platforms/linux-bird/render/filters.js";
import { renderLinux } from "../../../src/platforms/linux-bird/render/render.js";
import {
  commaPath,
  endpointAddress,
  parseInclude,
  parseProtocolsAll,
  parseRoutes,
  parseWireguardHeaders,
  parseWireguardDump,
  secondsSince,
  serverTime,
  sessionState,
  WG_PEERS,
} from "../../../src/platforms/linux-bird/bird-show.js";
import { HASHES, parseSha256sum } from "../../../src/platforms/linux-bird/host-state.js";
import { OURS } from "../../../src/platforms/linux-bird/status.js";
import { repoRoot, tempDir } from "../../helpers.js";
import { fileOf, linuxExample } from "./helpers.js";

const fixture = (name: string) => readFileSync(join(repoRoot, "test/fixtures/linux-bird", name), "utf8");
const protocol = (text: string, name: string) => {
  const found = parseProtocolsAll(text).find((p) => p.name === name);
  if (found === undefined) throw new Error(`no protocol ${name}`);
  return found;
};

describe("birdc show protocols all", () => {
  it("reads an Established session: state, neighbour, routes imported, filtered and exported", () => {
    const all = parseProtocolsAll(fixture("show-protocols-all.txt"));
    expect(all.map((p) => p.name)).toEqual(["device1", "direct1", "kernel1", "bgpals_st_networks", "bgpals_st_isp1", "bgpals_st_isp2"]);
    const isp1 = protocol(fixture("show-protocols-all.txt"), "bgpals_st_isp1");
    expect(isp1).toMatchObject({ proto: "BGP", state: "up", since: "13:12:51.668", bgpState: "Established", description: "bgpals st isp1 (primary)", neighborAddress: "172.16.10.2", neighborAs: 64513, imported: 2, filtered: 2, exported: 1, limitHit: false, lastError: "" });
    expect(sessionState(isp1)).toBe("established");
    // The capability lists' "AF announced: ipv4" are not fields of the protocol.
    expect(protocol(fixture("show-protocols-all.txt"), "kernel1")).toMatchObject({ proto: "Kernel", exported: 2, description: "" });
  });

  it("reads a session disabled here as down, and one the friend shut down as active with its last error", () => {
    const disabled = protocol(fixture("show-protocols-all-disabled.txt"), "bgpals_st_isp2");
    expect(disabled).toMatchObject({ state: "down", bgpState: "Down", imported: 0 });
    expect(sessionState(disabled)).toBe("down");
    const shut = protocol(fixture("show-protocols-all-remote-down.txt"), "bgpals_st_isp1");
    expect(shut).toMatchObject({ state: "start", bgpState: "Active", lastError: "Received: Administrative shutdown" });
    expect(sessionState(shut)).toBe("active");
  });

  it("tells a receive limit that stopped the session", () => {
    const hit = protocol(fixture("show-protocols-all-limit.txt"), "bgpals_st_isp1");
    expect(hit).toMatchObject({ state: "down", limitHit: true, lastError: "Automatic shutdown: Route limit exceeded" });
    expect(protocol(fixture("show-protocols-all.txt"), "bgpals_st_isp2").limitHit).toBe(false);
  });

  it("maps every BGP state", () => {
    const base = protocol(fixture("show-protocols-all.txt"), "bgpals_st_isp1");
    const states = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Down"].map((bgpState) => sessionState({ ...base, state: "start", bgpState }));
    expect(states).toEqual(["idle", "connect", "active", "connect", "connect", "established", "down"]);
  });
});

describe("BIRD's clock and uptime", () => {
  it("reads the server time and counts from a protocol's since", () => {
    const now = serverTime(fixture("show-status.txt"));
    expect(now).toBe("2026-12-03 13:12:55");
    expect(secondsSince("13:12:51.668", now)).toBe(4);
    // A time of day later than now was yesterday.
    expect(secondsSince("13:12:56.000", "2026-12-03 13:12:55")).toBe(86_399);
    expect(secondsSince("2026-12-01", "2026-12-03 12:00:00")).toBe(2 * 86_400 + 12 * 3600);
    expect(secondsSince("13:12:51", null)).toBeNull();
  });
});

describe("birdc show route all", () => {
  it("reads each route to a prefix: protocol, best, next hop, tunnel, AS path and local-pref", () => {
    const routes = parseRoutes(fixture("show-route-all-bgp.txt"));
    expect(routes.map((r) => `${r.dst} ${r.protocol}${r.best ? " *" : ""}`)).toEqual([
      "192.168.41.0/24 bgpals_st_isp1 *",
      "192.168.41.0/24 bgpals_st_isp2",
      "192.168.42.0/24 bgpals_st_isp1 *",
      "192.168.42.0/24 bgpals_st_isp2",
    ]);
    expect(routes[2]).toEqual({ dst: "192.168.42.0/24", type: "unicast", protocol: "bgpals_st_isp1", best: true, gateway: "172.16.10.2", interface: "wg-remi-isp1", asPath: "64513", localPref: 200 });
    // The backup's path carries the friend's prepends.
    expect(commaPath(routes[3]!.asPath)).toBe("64513,64513,64513,64513");
    expect(routes[3]!.localPref).toBe(100);
  });

  it("reads the filtered routes BIRD keeps", () => {
    const filtered = parseRoutes(fixture("show-route-all-filtered.txt"));
    expect(filtered.map((r) => r.dst)).toEqual(["192.168.32.0/20", "192.168.32.0/20", "10.99.0.0/16", "10.99.0.0/16"]);
    expect(parseRoutes(fixture("show-route-filtered-one.txt")).map((r) => `${r.dst} ${r.gateway}`)).toEqual(["10.99.0.0/16 172.16.11.2", "10.99.0.0/16 172.16.10.2"]);
  });
});

/** A script's shell functions run in `sh` as a host runs them, with `bin` first on the PATH. */
const inSh = (lines: readonly string[], args: string[], bin?: string) =>
  execFileSync("sh", ["-c", lines.join("\n"), "sh", ...args], { encoding: "utf8", env: { ...process.env, PATH: `${bin === undefined ? "" : `${bin}:`}${process.env.PATH}` }, stdio: ["ignore", "pipe", "pipe"] });

describe("wg show <interface> dump, read on the host", () => {
  // The shape wg (wireguard-tools 1.0.20210914) printed for a wireguard-go interface with two peers,
  // one with a preshared key. The keys are made up; the secret ones spelled so a leak shows.
  const PRIVATE = `${"P".repeat(43)}=`;
  const PRESHARED = `${"S".repeat(43)}=`;
  const dump = [
    [PRIVATE, "j6sZ/gERi4QTHzFGjVNpkv/jXLFng91N7LyuAV3LpUs=", "51999", "0x4247"],
    ["CtsNh29/yz5O9Qe6SzXKfU3s/YeGB/W3Skl5QKkp8Sw=", "(none)", "203.0.113.2:47308", "172.16.11.0/30,192.168.42.0/24", "1796303567", "1380", "1388", "25"],
    ["8DHDIKfo0e+5SCqjR53LdOznkBwssfYmTQmVaeFpUG0=", PRESHARED, "(none)", "(none)", "0", "0", "0", "off"],
  ]
    .map((fields) => fields.join("\t"))
    .join("\n");

  it("prints each interface's settings and peers, never its private or preshared keys", () => {
    const bin = tempDir("bgpals-wg-");
    writeFileSync(join(bin, "dump"), `${dump}\n`);
    // wg-b is another namespace's tunnel going away as it is read: wg fails, the others are read.
    writeFileSync(join(bin, "wg"), `#!/bin/sh\ncase "$2 $3" in "wg-a dump") cat "${join(bin, "dump")}" ;; *) echo "Unable to access interface: Protocol not supported" >&2; exit 1 ;; esac\n`);
    chmodSync(join(bin, "wg"), 0o755);
    const out = inSh([...WG_PEERS, 'wgpeers "$@" 2>/dev/null'], ["wg-b", "wg-a"], bin);
    expect(out).not.toContain(PRIVATE);
    expect(out).not.toContain(PRESHARED);
    const { interfaces, peers } = parseWireguardDump(out);
    expect([...interfaces.entries()]).toEqual([["wg-a", { listenPort: "51999", fwmark: "0x4247" }]]);
    expect(peers).toEqual([
      { interface: "wg-a", publicKey: "CtsNh29/yz5O9Qe6SzXKfU3s/YeGB/W3Skl5QKkp8Sw=", latestHandshake: 1796303567, rx: 1380, tx: 1388, endpoint: "203.0.113.2:47308", allowedIps: ["172.16.11.0/30", "192.168.42.0/24"], keepalive: "25s" },
      { interface: "wg-a", publicKey: "8DHDIKfo0e+5SCqjR53LdOznkBwssfYmTQmVaeFpUG0=", latestHandshake: 0, rx: 0, tx: 0, endpoint: null, allowedIps: [] },
    ]);
    expect(endpointAddress(peers[0]!.endpoint!)).toBe("203.0.113.2");
    expect(endpointAddress("[2001:db8::1]:51820")).toBe("2001:db8::1");
  });

  it("finds bgpals's configs by their first line, and hashes only the files it may", () => {
    const dir = tempDir("bgpals-configs-");
    writeFileSync(join(dir, "wg-remi-isp1.conf"), "# bgpals: WireGuard tunnel to remi over isp1 (peering st)\n[Interface]\n");
    writeFileSync(join(dir, "wg-remi-isp2.conf"), "# bgpals: WireGuard tunnel to remi over isp2 (peering st)");
    // A config of the user's, whose comment says bgpals further down: not one of bgpals's.
    writeFileSync(join(dir, "wg0.conf"), "[Interface]\n# bgpals: WireGuard tunnel to nobody\n");
    const found = inSh([OURS, 'ours "$1" "# bgpals: WireGuard tunnel"', 'echo "names:$is"'], [dir]);
    expect(found.split("\n").at(-2)).toBe("names: wg-remi-isp1 wg-remi-isp2");
    expect([...parseWireguardHeaders(found).keys()]).toEqual(["wg-remi-isp1", "wg-remi-isp2"]);

    // The first two files hashed (one not there), the third (a private key) not: one sha256sum.
    writeFileSync(join(dir, "key"), "PRIVATE");
    const sums = parseSha256sum(inSh(["nh=2", HASHES, 'hashes "$@" || true'], [join(dir, "wg0.conf"), join(dir, "gone.conf"), join(dir, "key")]));
    expect([...sums.keys()]).toEqual([join(dir, "wg0.conf")]);
    expect(sums.get(join(dir, "wg0.conf"))).toBe(createHash("sha256").update("[Interface]\n# bgpals: WireGuard tunnel to nobody\n").digest("hex"));
    // A name sha256sum prints escaped.
    expect(parseSha256sum(`\\${"a".repeat(64)}  /etc/odd\\nname\\\\x\n`).get("/etc/odd\nname\\x")).toBe("a".repeat(64));
  });

  it("knows bgpals's tunnels by the first line of their config", () => {
    const ours = parseWireguardHeaders(fixture("wireguard-headers.txt"));
    expect([...ours.entries()]).toEqual([
      ["wg-remi-isp1", { friend: "remi", link: "isp1", peering: "st" }],
      ["wg-remi-isp2", { friend: "remi", link: "isp2", peering: "st" }],
    ]);
  });
});

describe("the include file, read back", () => {
  it("gives the sessions with their link, addresses, ASes and filters", () => {
    const include = parseInclude(fixture("include.conf"));
    expect(include.peering).toBe("st");
    expect(include.networks).toEqual(["192.168.10.0/24"]);
    expect(include.sessions).toEqual([
      { protocol: "bgpals_st_isp1", peering: "st", link: "isp1", localAddress: "172.16.10.1", localAs: 64514, neighborAddress: "172.16.10.2", remoteAs: 64513, importFilter: "bgpals_st_in_isp1", exportFilter: "bgpals_st_out_isp1", keepaliveTime: "3s" },
      { protocol: "bgpals_st_isp2", peering: "st", link: "isp2", localAddress: "172.16.11.1", localAs: 64514, neighborAddress: "172.16.11.2", remoteAs: 64513, importFilter: "bgpals_st_in_isp2", exportFilter: "bgpals_st_out_isp2", keepaliveTime: "3s" },
    ]);
    const isp1 = include.filters.find((f) => f.name === "bgpals_st_in_isp1")!;
    // What BIRD did with the captured routes, the filter read back does too.
    expect(runFilter(isp1, "10.99.0.0/16").action).toBe("reject");
    expect(runFilter(isp1, "192.168.32.0/20").action).toBe("reject");
    expect(runFilter(isp1, "192.168.42.0/24")).toMatchObject({ action: "accept", changes: { localPref: 200 } });
    expect(runFilter(isp1, "192.168.10.0/25").decidedBy?.comment).toBe("never take our own 192.168.10.0/24 from remi");
  });

  it("reads back exactly the filters and sessions the render wrote, on every side of the Linux examples", () => {
    for (const name of ["linux", "mixed"] as const) {
      const p = linuxExample(name);
      for (const side of Object.keys(p.sides).filter((s) => p.sides[s]!.platform.os === "linux")) {
        const rendered = renderLinux(p, side);
        const include = parseInclude(fileOf(rendered, linuxNames.birdInclude(p)));
        expect(include.filters, `${name} ${side}`).toEqual(rendered.filters);
        expect(include.sessions.map((s) => [s.protocol, s.link]), `${name} ${side}`).toEqual(p.links.map((l) => [linuxNames.bgpProtocol(p, l.name), l.name]));
      }
    }
  });
});
