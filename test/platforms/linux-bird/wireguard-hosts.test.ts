// The rendered files and commands run as they are on two Linux "hosts" (network namespaces with
// their own /etc, as `ip netns exec` gives them): wireguard-go tunnels over two WAN veths, BIRD
// reconfigured onto the include file (each link's route in its table), nftables and the rules; then BGP comes up
// over WireGuard and the LANs reach each other. Only BIRD's control socket is given by flag (the
// hosts share /run).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePeering, type Peering } from "../../../src/core/peering.js";
import { PLACEHOLDER_KEY } from "../../../src/core/links/wireguard.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { renderLinux, type LinuxRendered } from "../../../src/platforms/linux-bird/render/render.js";
import { endsWithTest, onCleanup, tempDir, until } from "../../helpers.js";
import { holdEtcNftablesD } from "../../netlab/netlab.js";

// Names of this process only: interfaces (wg-<friend>-<link>) and wireguard-go's sockets in the shared /run stay apart.
const ALICE = `a${process.pid}`;
const REMI = `r${process.pid}`;
const NS = { [ALICE]: `bgpals-wg${process.pid}-a`, [REMI]: `bgpals-wg${process.pid}-r` };

function peering(keys: Record<string, Record<string, string>>): Peering {
  const link = (name: string, n: number) => ({
    name,
    kind: "wireguard",
    wan: { [ALICE]: name, [REMI]: name },
    listener: ALICE,
    port: 13230 + n,
    subnet: `172.16.${9 + n}.0/30`,
    address: { [ALICE]: `172.16.${9 + n}.1`, [REMI]: `172.16.${9 + n}.2` },
    publicKey: { [ALICE]: keys[ALICE]?.[name] ?? PLACEHOLDER_KEY, [REMI]: keys[REMI]?.[name] ?? PLACEHOLDER_KEY },
    keepalive: "5s",
  });
  const r = parsePeering({
    format: "bgpals/peering@1",
    name: `t${process.pid}`,
    sides: {
      [ALICE]: { asn: 64514, routerId: "192.168.0.1", platform: { os: "linux", bird: "2.0.12" }, networks: ["192.168.0.0/24"], wans: { isp1: { interface: "wan1", endpoint: "10.201.1.1" }, isp2: { interface: "wan2", endpoint: "10.201.2.1" } } },
      [REMI]: { asn: 64513, routerId: "192.168.42.1", platform: { os: "linux", bird: "2.0.12" }, networks: ["192.168.42.0/24"], wans: { isp1: { interface: "wan1" }, isp2: { interface: "wan2" } } },
    },
    links: [link("isp1", 1), link("isp2", 2)],
    policy: { mode: "bgp", primary: "isp1", timers: { hold: "9s", keepalive: "3s" } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.peering;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A command of the render, run on a host as the host layer would: `sh -c` in its namespace. */
function onHost(side: string, line: string, ctl: string): string {
  // The hosts share /run: each BIRD has its own control socket.
  return run("ip", ["netns", "exec", NS[side]!, "sh", "-c", line.replace(/^birdc /, `birdc -s ${ctl} `)]);
}

const ctl: Record<string, string> = {};
let rendered: Record<string, LinuxRendered>;
let p: Peering;
const configured: Record<string, string> = {};

beforeAll(async () => {
  const dir = tempDir("bgpals-wghosts-");
  // `ip netns exec` mounts /etc/netns/<ns>/<entry> over /etc/<entry>, which must exist; Debian has no /etc/nftables.d.
  onCleanup(holdEtcNftablesD());
  for (const [side, ns] of Object.entries(NS)) {
    run("ip", ["netns", "add", ns]);
    onCleanup(() => {
      spawnSync("ip", ["netns", "del", ns]);
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    });
    // wireguard-go runs on as a daemon: ended by its pid, after BIRD (cleanups run newest first).
    onCleanup(async () => {
      const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
      for (const pid of pids) process.kill(pid, "SIGTERM");
      await until(() => pids.every((pid) => { try { process.kill(pid, 0); return false; } catch { return true; } }), `the processes of ${ns} to end`, 5000);
    });
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    run("ip", ["-n", ns, "address", "add", side === ALICE ? "192.168.0.1/24" : "192.168.42.1/24", "dev", "lo"]);
    mkdirSync(`/etc/netns/${ns}/bird`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/bird/bird.conf`, [`router id ${side === ALICE ? "192.168.0.1" : "192.168.42.1"};`, "protocol device {}", 'protocol direct { ipv4; interface "lo"; }', "protocol kernel { ipv4 { export all; }; }", ""].join("\n"));
    mkdirSync(`/etc/netns/${ns}/wireguard`, { recursive: true });
    mkdirSync(`/etc/netns/${ns}/nftables.d`, { recursive: true });
    ctl[side] = join(dir, `${side}.ctl`);
    endsWithTest(spawn("ip", ["netns", "exec", ns, "bird", "-f", "-c", "/etc/bird/bird.conf", "-s", ctl[side]!, "-P", join(dir, `${side}.pid`)], { stdio: "ignore" }));
  }
  // ISP2 gives remi an address alice has no route to but her default one, which leaves by ISP1; and
  // remi, like an ISP, drops what arrives on a WAN it would not send to (strict reverse-path
  // filtering). Only answers that leave alice by the WAN they came in on reach him over isp2.
  for (const n of [1, 2]) {
    run("ip", ["-n", NS[ALICE]!, "link", "add", `wan${n}`, "type", "veth", "peer", "name", `wan${n}`, "netns", NS[REMI]!]);
    run("ip", ["-n", NS[ALICE]!, "address", "add", `10.201.${n}.1/24`, "dev", `wan${n}`]);
    run("ip", ["-n", NS[REMI]!, "address", "add", `10.20${n}.${n}.2/24`, "dev", `wan${n}`]);
    for (const ns of Object.values(NS)) run("ip", ["-n", ns, "link", "set", `wan${n}`, "up"]);
  }
  run("ip", ["-n", NS[ALICE]!, "route", "add", "default", "via", "10.201.1.2", "dev", "wan1"]);
  for (const key of ["all", "wan1", "wan2"]) run("ip", ["netns", "exec", NS[REMI]!, "sysctl", "-qw", `net.ipv4.conf.${key}.rp_filter=1`]);
  // Each host makes its keys first (the render's own command); only the public keys cross.
  const keys: Record<string, Record<string, string>> = {};
  for (const side of [ALICE, REMI]) {
    const draft = renderLinux(peering({}), side);
    keys[side] = {};
    for (const link of draft.commands.filter((c) => c.run.includes("wg genkey"))) {
      const file = /> (\S+)$/.exec(link.run)![1]!;
      onHost(side, link.run, ctl[side]!);
      const name = draft.files.find((f) => f.content.includes(file))!.path.match(/-(isp\d)\.conf$/)![1]!;
      keys[side]![name] = onHost(side, `wg pubkey < ${file}`, ctl[side]!).trim();
    }
  }
  p = peering(keys);
  rendered = { [ALICE]: renderLinux(p, ALICE), [REMI]: renderLinux(p, REMI) };
  await until(() => Object.values(ctl).every((c) => spawnSync("birdc", ["-s", c, "show", "status"]).status === 0), "both BIRDs up", 20_000, 100);
  for (const side of [ALICE, REMI]) {
    for (const file of rendered[side]!.files) {
      const path = `/etc/netns/${NS[side]}/${file.path.replace(/^\/etc\//, "")}`;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content, { mode: Number.parseInt(file.mode, 8) });
    }
    for (const command of rendered[side]!.commands) configured[`${side} ${command.run}`] = onHost(side, command.run, ctl[side]!);
  }
}, 90_000);

describe("a Linux host built from the render", () => {
  it("BIRD takes the include file from the commands", () => {
    for (const side of [ALICE, REMI]) expect(configured[`${side} birdc configure`]).toMatch(/Reconfigured/);
    // The include line went in once, whoever ran the command how often.
    onHost(ALICE, rendered[ALICE]!.commands.find((c) => c.run.startsWith("grep -qxF"))!.run, ctl[ALICE]!);
    expect(onHost(ALICE, "grep -c bgpals- /etc/bird/bird.conf", ctl[ALICE]!).trim()).toBe("1");
  });

  it("brings both WireGuard tunnels up, keys made on the hosts", async () => {
    for (const link of p.links) {
      const iface = linuxNames.tunnelInterface(link, REMI);
      await until(() => Number(onHost(ALICE, `wg show ${iface} latest-handshakes`, ctl[ALICE]!).trim().split(/\s+/)[1] ?? 0) > 0, `a handshake on ${iface}`, 20_000, 200);
      expect(onHost(ALICE, `wg show ${iface} listen-port`, ctl[ALICE]!).trim()).toBe(String(link.port));
    }
  }, 60_000);

  it("establishes BGP over the tunnels and routes the friend's LAN through the primary", async () => {
    await until(() => (onHost(ALICE, "birdc show protocols", ctl[ALICE]!).match(/^bgpals_\S+\s+BGP\s+.*Established/gm) ?? []).length === 2, "both sessions Established", 40_000, 250);
    await until(() => /via 172\.16\.10\.2 dev wg-r\d+-isp1/.test(onHost(ALICE, "ip route show 192.168.42.0/24", ctl[ALICE]!)), "the kernel route through isp1", 20_000, 250);
    // The answer's way back (Established is before the routes).
    await until(() => /via 172\.16\.10\.1 /.test(onHost(REMI, "ip route show 192.168.0.0/24", ctl[REMI]!)), "alice's LAN in remi's kernel through isp1", 20_000, 250);
    // LAN to LAN, through the tunnel.
    expect(onHost(ALICE, "ping -c 1 -W 3 -I 192.168.0.1 192.168.42.1", ctl[ALICE]!)).toMatch(/1 received/);
  }, 90_000);

  it("answers remi on isp2 by the WAN he came in on, though alice's routes lead elsewhere", async () => {
    // Without the mark, an answer to remi's ISP2 address would leave by ISP1, and remi would drop it.
    expect(onHost(ALICE, "ip route get 10.202.2.2", ctl[ALICE]!)).toMatch(/dev wan1/);
    const mark = /ct mark set (0x[0-9a-f]+)/.exec(onHost(ALICE, `nft list chain inet bgpals bgpals-t${process.pid}-prerouting`, ctl[ALICE]!).split("\n").find((l) => l.includes('"wan2"'))!)![1]!;
    expect(onHost(ALICE, `ip route get 10.202.2.2 mark ${mark}`, ctl[ALICE]!)).toMatch(/dev wan2/);
    // The tunnel over isp2 shook hands: the answers went out of wan2.
    const iface = linuxNames.tunnelInterface(p.links[1]!, REMI);
    await until(() => Number(onHost(ALICE, `wg show ${iface} latest-handshakes`, ctl[ALICE]!).trim().split(/\s+/)[1] ?? 0) > 0, `a handshake on ${iface}`, 20_000, 200);
    expect(onHost(ALICE, `wg show ${iface} endpoints`, ctl[ALICE]!)).toMatch(/10\.202\.2\.2:\d+/);
  }, 60_000);

  it("holds what the commands set: the pin rules and BIRD's routes in their tables, the reply rules and bgpals's nftables chains", () => {
    const table = rendered[REMI]!.tables.isp2!;
    expect(onHost(REMI, "ip rule show", ctl[REMI]!)).toMatch(new RegExp(`to 10\\.201\\.2\\.1 lookup ${table}`));
    expect(onHost(REMI, `ip route show table ${table}`, ctl[REMI]!)).toMatch(/^default dev wan2 proto bird/m);
    expect(onHost(REMI, "ip route get 10.201.2.1", ctl[REMI]!)).toMatch(new RegExp(`dev wan2 table ${table}`));
    expect(onHost(ALICE, "ip rule show", ctl[ALICE]!)).toMatch(/fwmark 0x4247[0-9a-f]{4} lookup \d+/);
    const chains = onHost(ALICE, "nft list table inet bgpals", ctl[ALICE]!);
    expect(chains.match(/tcp dport 179 accept/g)).toHaveLength(2);
    expect(chains).toMatch(/ct mark set 0x4247/);
  });
});
