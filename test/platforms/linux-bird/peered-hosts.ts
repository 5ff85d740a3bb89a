// Two netlab hosts with a bgpals peering applied by hand from the render (as wireguard-hosts.test.ts
// does, but on netlab hosts reachable over SSH): WireGuard over both ISPs, BIRD with the include
// file, sessions coming up. For the read side (status, why, the route feed) to have something real
// to read.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parsePeering, type Peering } from "../../../src/core/peering.js";
import { PLACEHOLDER_KEY } from "../../../src/core/links/wireguard.js";
import { connectNetlabHost } from "./helpers.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import type { Router } from "../../../src/platforms/platform.js";
import { renderLinux } from "../../../src/platforms/linux-bird/render/render.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { cliAsync } from "../../cli/cli-async.js";
import { onCleanup } from "../../helpers.js";

// Side (and host) names of this process only: they name the tunnels (wg-<friend>-<link>), and
// wireguard-go's sockets are in /run/wireguard, which every namespace shares.
export const ALICE = `a${process.pid}`;
export const REMI = `r${process.pid}`;

export interface PeeredHosts {
  lab: Netlab;
  peering: Peering;
  /** A command on a host as the render's commands run there (`birdc` on the host's own socket). */
  onHost(side: string, line: string): Promise<string>;
}

/** What sets the two-WAN peerings of the Linux tests apart (their sides, ports and subnets must not meet another file's). */
export interface TwoWanPeering {
  name: string;
  alice: string;
  remi: string;
  /** The first link's port is this plus one. */
  portBase: number;
  /** The first link's subnet is 172.16.(this + 1).0/30. */
  subnetBase: number;
  /** Alice listens on both links, on her hosts' WANs (address and gateway). */
  aliceWans: ReadonlyArray<{ address: string; gateway: string }>;
  /** Remi's WAN gateways (he dials: no endpoint). */
  remiGateways: readonly [string, string];
  keys?: Record<string, Record<string, string>>;
  /** Remi may send more than his LAN: what falls outside is filtered (and kept, for why). */
  remiAllowed?: Array<{ prefix: string; maxLength: number }>;
}

/** Alice's WANs and remi's gateways as the netlab made its hosts `alice` and `remi`. */
export function netlabWans(lab: Netlab, alice: string, remi: string): Pick<TwoWanPeering, "aliceWans" | "remiGateways"> {
  const theirs = lab.hosts[remi]!.wans;
  return { aliceWans: lab.hosts[alice]!.wans, remiGateways: [theirs[0]!.gateway, theirs[1]!.gateway] };
}

/** Alice (AS64514, 192.168.10.0/24) and remi (AS64513, 192.168.42.0/24), two WireGuard links over wan1 and wan2, BGP, isp1 primary. */
export function twoWanPeering(o: TwoWanPeering): Peering {
  const keys = o.keys ?? {};
  const link = (name: string, n: number) => ({
    name,
    kind: "wireguard",
    wan: { [o.alice]: name, [o.remi]: name },
    listener: o.alice,
    port: o.portBase + n,
    subnet: `172.16.${o.subnetBase + n}.0/30`,
    address: { [o.alice]: `172.16.${o.subnetBase + n}.1`, [o.remi]: `172.16.${o.subnetBase + n}.2` },
    publicKey: { [o.alice]: keys[o.alice]?.[name] ?? PLACEHOLDER_KEY, [o.remi]: keys[o.remi]?.[name] ?? PLACEHOLDER_KEY },
    keepalive: "5s",
  });
  const r = parsePeering({
    format: "bgpals/peering@1",
    name: o.name,
    sides: {
      [o.alice]: {
        asn: 64514,
        routerId: "192.168.10.1",
        platform: { os: "linux", bird: "2.0.12" },
        networks: ["192.168.10.0/24"],
        // Ethernet WANs behind an ISP's router: the reply routes need its address.
        wans: {
          isp1: { interface: "wan1", endpoint: o.aliceWans[0]!.address, gateway: o.aliceWans[0]!.gateway },
          isp2: { interface: "wan2", endpoint: o.aliceWans[1]!.address, gateway: o.aliceWans[1]!.gateway },
        },
      },
      [o.remi]: {
        asn: 64513,
        routerId: "192.168.42.1",
        platform: { os: "linux", bird: "2.0.12" },
        networks: ["192.168.42.0/24"],
        ...(o.remiAllowed === undefined ? {} : { allowed: o.remiAllowed }),
        wans: { isp1: { interface: "wan1", gateway: o.remiGateways[0] }, isp2: { interface: "wan2", gateway: o.remiGateways[1] } },
      },
    },
    links: [link("isp1", 1), link("isp2", 2)],
    policy: { mode: "bgp", primary: "isp1", timers: { hold: "9s", keepalive: "3s" } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.peering;
}

function peeringOf(lab: Netlab, keys: Record<string, Record<string, string>>): Peering {
  const remiAllowed = [{ prefix: "192.168.40.0/21", maxLength: 24 }];
  return twoWanPeering({ name: "st", alice: ALICE, remi: REMI, portBase: 13230, subnetBase: 9, ...netlabWans(lab, ALICE, REMI), keys, remiAllowed });
}

export async function startPeeredHosts(birdExtra: Partial<Record<string, string>> = {}): Promise<PeeredHosts> {
  const lab = await startNetlab([
    { name: ALICE, lan: "192.168.10.1/24", ...(birdExtra[ALICE] ? { bird: birdExtra[ALICE] } : {}) },
    { name: REMI, lan: "192.168.42.1/24", ...(birdExtra[REMI] ? { bird: birdExtra[REMI] } : {}) },
  ]);
  try {
    const onHost = async (side: string, line: string): Promise<string> => {
      const h = lab.hosts[side]!;
      const r = await lab.exec(side, ["sh", "-c", line.replace(/\bbirdc /g, `birdc -s ${h.bird.socket} `)]);
      if (r.code !== 0) throw new Error(`${side}: ${line} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    // Each host makes its keys first (the render's own command); only the public keys cross.
    const keys: Record<string, Record<string, string>> = {};
    for (const side of [ALICE, REMI]) {
      const draft = renderLinux(peeringOf(lab, {}), side);
      keys[side] = {};
      for (const command of draft.commands.filter((c) => c.run.includes("wg genkey"))) {
        const file = /> (\S+)$/.exec(command.run)![1]!;
        await onHost(side, command.run);
        const name = draft.files.find((f) => f.content.includes(file))!.path.match(/-(isp\d)\.conf$/)![1]!;
        keys[side]![name] = (await onHost(side, `wg pubkey < ${file}`)).trim();
      }
    }
    const peering = peeringOf(lab, keys);
    for (const side of [ALICE, REMI]) {
      const rendered = renderLinux(peering, side);
      for (const file of rendered.files) {
        const path = join(lab.hosts[side]!.etc, file.path.replace(/^\/etc\//, ""));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.content, { mode: Number.parseInt(file.mode, 8) });
      }
      for (const command of rendered.commands) await onHost(side, command.run);
    }
    return { lab, peering, onHost };
  } catch (e) {
    await lab.teardown();
    throw e;
  }
}

/** Waits until `probe` holds (polling every 250 ms), or fails saying what it waited for. */
export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250)); // poll interval
  }
}

/** The built CLI as an operator whose router is `side`'s netlab host, over SSH with the run's key (no agent), config in `home`. */
export function asOperator(lab: Netlab, home: string, side: string, args: string[], env: Record<string, string> = {}) {
  const h = lab.hosts[side]!;
  return cliAsync([...args, "--router", `ssh://root@${h.ssh.host}:${h.ssh.port}`, "--key", lab.key.file], { BGPALS_HOME: home, SSH_AUTH_SOCK: "", ...env });
}

/** A command in `side`'s namespace on the test machine (not over SSH) that must succeed: its output. */
export async function mustOnHost(lab: Netlab, side: string, argv: string[]): Promise<string> {
  const r = await lab.exec(side, argv);
  if (r.code !== 0) throw new Error(`${side}: ${argv.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// --- What BIRD holds on the peered hosts (birdc), for the failover tests ---------------------------

export interface BestRoute {
  protocol: string;
  via: string;
  localPref: number;
  asPath: string;
}

export const friendOf = (side: string) => (side === ALICE ? REMI : ALICE);

/** A side's tunnel interface on `link`. */
export const tunnelOf = (hosts: PeeredHosts, side: string, link: string) => linuxNames.tunnelInterface(hosts.peering.links.find((l) => l.name === link)!, friendOf(side));

/** BIRD's routes to `prefix` on `side`, read from `birdc show route PREFIX all` ("*" marks the best). */
export async function birdRoutes(hosts: PeeredHosts, side: string, prefix: string): Promise<Array<BestRoute & { best: boolean }>> {
  const text = await hosts.onHost(side, `birdc show route ${prefix} all`);
  const blocks = text.split(/\n(?=\S*\s+unicast \[)/).filter((b) => /unicast \[/.test(b));
  return blocks.map((block) => {
    const head = /unicast \[(\S+) [^\]]*\]( \*)?/.exec(block)!;
    return {
      protocol: head[1]!,
      best: head[2] !== undefined,
      via: /^\s*via (\S+ on \S+)/m.exec(block)?.[1] ?? "",
      localPref: Number(/BGP\.local_pref: (\d+)/.exec(block)?.[1]),
      asPath: /BGP\.as_path: (.*)$/m.exec(block)?.[1]?.trim() ?? "",
    };
  });
}

export async function bestRoute(hosts: PeeredHosts, side: string, prefix: string): Promise<BestRoute | null> {
  const found = (await birdRoutes(hosts, side, prefix)).find((r) => r.best);
  return found === undefined ? null : { protocol: found.protocol, via: found.via, localPref: found.localPref, asPath: found.asPath };
}

/** The best route `side` should have to its friend's LAN over `link`, with `localPref`. */
export function expectedBest(hosts: PeeredHosts, side: string, link: string, localPref: number): Omit<BestRoute, "asPath"> {
  const l = hosts.peering.links.find((x) => x.name === link)!;
  return { protocol: linuxNames.bgpProtocol(hosts.peering, link), via: `${l.address[friendOf(side)]!} on ${tunnelOf(hosts, side, link)}`, localPref };
}

export async function bestIs(hosts: PeeredHosts, side: string, prefix: string, want: Omit<BestRoute, "asPath">): Promise<boolean> {
  const b = await bestRoute(hosts, side, prefix);
  return b !== null && b.protocol === want.protocol && b.via === want.via && b.localPref === want.localPref;
}

/** The BGP sessions of the peering Established on `side`. */
export async function establishedOn(hosts: PeeredHosts, side: string): Promise<string[]> {
  return [...(await hosts.onHost(side, "birdc show protocols")).matchAll(/^(bgpals_\S+)\s+BGP\s+.*Established/gm)].map((m) => m[1]!);
}

/** bgpals's Linux router on `side`'s host, over SSH as root with the netlab's key; closed when the test (or file) ends. */
export async function connectHost(hosts: PeeredHosts, side: string): Promise<Router> {
  const router = await connectNetlabHost(hosts.lab, side);
  onCleanup(() => router.close());
  return router;
}

/** `side` announces everything BIRD has (its render's last export rule turned to accept): what the friend's filters refuse is theirs to show. */
export async function announceEverything(hosts: PeeredHosts, side: string): Promise<void> {
  await hosts.onHost(side, `sed -i '/# announce nothing else/{n;s/reject;/accept;/}' ${linuxNames.birdInclude(hosts.peering)} && birdc configure`);
}
