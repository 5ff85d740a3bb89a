// What a Linux host has, read from what its own tools print (`ip -j`, `ss`, `birdc`, `nft -j`):
// plain functions from text to the seam's Inventory, so each is tested on real output alone. The
// commands themselves run in router.ts.
import { enclosing, formatPrefix, parsePrefix } from "../../core/ipv4.js";
import type { Inventory, PortInUse, WanCandidate } from "../platform.js";

/** BIRD's defaults on Debian and most distributions, used unless the running bird's command line says otherwise. */
export const DEFAULT_BIRD_CONFIG = "/etc/bird/bird.conf";
export const DEFAULT_BIRD_SOCKET = "/run/bird/bird.ctl";

export interface BirdProtocol {
  name: string;
  proto: string;
  table: string;
  state: string;
  since: string;
  info: string;
  /** BGP only, from `show protocols all`. */
  bgp?: { state: string; neighborAddress: string; neighborAs: number | null; localAs: number | null };
}

export interface NftInputChain {
  family: string;
  table: string;
  name: string;
  policy: string;
  rules: number;
}

/** What only a Linux host has: its inventory carries it as `linux` (and `bgpals inventory --json` shows it). */
export interface LinuxFacts {
  kernel: string;
  bird: {
    /** "2.0.12", or null when BIRD is not installed. */
    version: string | null;
    /** The running bird's pid, or null when none runs. */
    pid: number | null;
    config: string;
    socket: string;
    protocols: BirdProtocol[];
  };
  wireguard: {
    /** The kernel makes WireGuard interfaces (`ip link add ... type wireguard` worked). */
    kernel: boolean;
    /** wireguard-go is installed: bgpals can start it where the kernel cannot. */
    wireguardGo: boolean;
    /** `wg` (wireguard-tools) is installed. */
    tools: boolean;
  };
  nftables: {
    /** `nft` is installed and answered. */
    available: boolean;
    inputChains: NftInputChain[];
  };
}

export interface LinuxInventory extends Inventory {
  linux: LinuxFacts;
}

// --- ip -j ---------------------------------------------------------------------------------------

export interface IpLink {
  ifname: string;
  flags?: string[];
  operstate?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
}

export interface IpAddr {
  ifname: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number; dynamic?: boolean; scope?: string }>;
}

export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  flags?: string[];
  protocol?: string;
  type?: string;
}

/** Interfaces whose addresses are tunnels, not LANs. */
const TUNNEL_KINDS = new Set(["wireguard", "tun", "gre", "ipip", "sit", "vti", "ipsec", "l2tp"]);

function linkType(link: IpLink): string {
  return link.linkinfo?.info_kind ?? link.link_type ?? "unknown";
}

function isTunnel(link: IpLink | undefined): boolean {
  if (link === undefined) return false;
  return TUNNEL_KINDS.has(linkType(link)) || link.link_type === "none";
}

const ipv4 = (addr: IpAddr) => (addr.addr_info ?? []).filter(({ family }) => family === "inet");

function networkOf(address: string, length: number): string {
  return formatPrefix(parsePrefix(`${address}/${length}`));
}

/** Space that is never a LAN or a prefix in use: loopback and link-local. */
function hostOnly(address: string): boolean {
  return address.startsWith("127.") || address.startsWith("169.254.");
}

/** Private space (RFC 1918): a LAN's. Public space on an interface that is not a WAN is offered only when typed. */
const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Bridges and links that containers and virtual machines get: their networks are the host's own business. */
const VIRTUAL: ReadonlyArray<{ name: RegExp; what: string }> = [
  { name: /^docker\d*$|^br-[0-9a-f]{12}$/, what: "Docker's network" },
  { name: /^virbr\d+/, what: "libvirt's virtual machines' network" },
  { name: /^(lxcbr|lxdbr|incusbr)\d+/, what: "LXC's containers' network" },
  { name: /^(podman|cni|cali|flannel|cilium|kube|vnet)/, what: "containers' network" },
];

/**
 * Why a connected network is not suggested as a LAN to share, or null: it is one. Tunnels,
 * containers' and virtual machines' networks, point-to-point links and public space are not.
 */
function notALan(name: string, link: IpLink | undefined, address: string, length: number): string | null {
  if (isTunnel(link) || /^(wg|tun)/.test(name)) return `a tunnel${link === undefined ? "" : ` (${linkType(link)})`}`;
  if (link !== undefined && linkType(link) === "veth") return "a container's link (veth)";
  const virtual = VIRTUAL.find((v) => v.name.test(name));
  if (virtual !== undefined) return virtual.what;
  if (length === 32) return "a single address (/32)";
  if (length >= 30) return `a point-to-point link (/${length})`;
  if (enclosing(parsePrefix(`${address}/${length}`), RFC1918) === undefined) return "not private (RFC 1918) space: type it to announce it";
  return null;
}

// --- Sections of one script ----------------------------------------------------------------------

export interface Section {
  stdout: string;
  stderr: string;
  /** The command's exit status; null when the script ended before it did. */
  code: number | null;
}

/**
 * A script's temp dir `$t`, removed however the script ends: on exit, and on the signals that end a
 * script cut short (its SSH session closed, a look interrupted), which skip a shell's EXIT trap
 * unless trapped themselves (an empty dir with an `e` in it was left in the host's /tmp so).
 */
export const TEMP_DIR = 't=$(mktemp -d) || exit 1; trap \'rm -rf "$t"\' EXIT; trap \'exit 129\' HUP INT TERM PIPE';

/**
 * The shell function the scripts run each command with, `run <name> <command...>`: a line
 * `<marker> <name>`, the command's output as it comes, a newline, `<marker> <name> exit <code>`, and
 * only when it wrote errors, `<marker> <name> stderr` and them. The output goes straight out, not
 * through a file: a look runs some twenty commands every two seconds, and a `cat` of each one's
 * output and errors more than doubled the processes it started on the host. Needs `$m` (the marker)
 * and `$t` (a temporary directory: TEMP_DIR).
 */
export const RUN_SECTION = 'run() { n=$1; shift; echo "$m $n"; "$@" 2>"$t/e"; c=$?; echo; echo "$m $n exit $c"; if [ -s "$t/e" ]; then echo "$m $n stderr"; cat "$t/e"; echo; fi; }';

/** The output of a script that ran its commands with RUN_SECTION: each one's output, errors and exit status, by name. */
export function parseSections(text: string, marker: string): Map<string, Section> {
  const out = new Map<string, Section>();
  let current: { section: Section; into: "stdout" | "stderr" } | null = null;
  // Lines end with a newline: what follows the last one is no line.
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    if (line.startsWith(`${marker} `)) {
      const [name = "", word, code] = line.slice(marker.length + 1).split(" ");
      const section = out.get(name);
      if (word === undefined) {
        const started: Section = { stdout: "", stderr: "", code: null };
        out.set(name, started);
        current = { section: started, into: "stdout" };
      } else if (word === "exit" && section !== undefined) {
        section.code = Number(code);
        current = null;
      } else if (word === "stderr" && section !== undefined) {
        current = { section, into: "stderr" };
      } else {
        // No shape of ours (a name with a space): what follows belongs to no section read so far.
        current = null;
      }
      continue;
    }
    if (current !== null) current.section[current.into] += `${line}\n`;
  }
  return out;
}

// --- ss -------------------------------------------------------------------------------------------

/** Listening sockets from `ss -Hlnup` / `ss -Hlntp`: port and the process that holds it. */
export function parseListeners(text: string, protocol: "udp" | "tcp"): PortInUse[] {
  const out: PortInUse[] = [];
  const seen = new Set<number>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // State Recv-Q Send-Q Local:Port Peer:Port [Process]
    const local = fields[3];
    if (local === undefined) continue;
    const port = Number(local.slice(local.lastIndexOf(":") + 1));
    if (!Number.isInteger(port) || port <= 0 || seen.has(port)) continue;
    seen.add(port);
    const by = /users:\(\("([^"]+)"/.exec(line)?.[1] ?? "unknown process";
    out.push({ port, protocol, by });
  }
  return out;
}

// --- birdc ----------------------------------------------------------------------------------------

/** "BIRD 2.0.12 ready." or "BIRD version 2.0.12" → "2.0.12". */
export function birdVersionOf(text: string): string | null {
  return /BIRD (?:version )?v?(\d+\.\d+(?:\.\d+)*)/.exec(text)?.[1] ?? null;
}

/** The protocols of `birdc show protocols all`, with each BGP protocol's neighbour. */
export function parseBirdProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  let current: BirdProtocol | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^BIRD .* ready\.$/.test(line) || /^Name\s+Proto\s+Table/.test(line)) continue;
    if (!/^\s/.test(line)) {
      const [name = "", proto = "", table = "", state = "", since = "", ...info] = line.trim().split(/\s+/);
      current = { name, proto, table, state, since, info: info.join(" ") };
      out.push(current);
      continue;
    }
    if (current === null || current.proto !== "BGP") continue;
    const m = /^\s+(BGP state|Neighbor address|Neighbor AS|Local AS):\s+(\S+)/.exec(line);
    if (m === null) continue;
    current.bgp ??= { state: "", neighborAddress: "", neighborAs: null, localAs: null };
    if (m[1] === "BGP state") current.bgp.state = m[2]!;
    if (m[1] === "Neighbor address") current.bgp.neighborAddress = m[2]!;
    if (m[1] === "Neighbor AS") current.bgp.neighborAs = Number(m[2]);
    if (m[1] === "Local AS") current.bgp.localAs = Number(m[2]);
  }
  return out;
}

/** `-c` and `-s` of a running bird's command line (`/proc/<pid>/cmdline`, one word a line). */
export function birdPaths(argv: readonly string[]): { config: string; socket: string } {
  const flag = (name: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const word = argv[i]!;
      if (word === name) return argv[i + 1];
      if (word.startsWith(name) && !word.startsWith("--")) return word.slice(name.length);
    }
    return undefined;
  };
  return { config: flag("-c") || DEFAULT_BIRD_CONFIG, socket: flag("-s") || DEFAULT_BIRD_SOCKET };
}

// --- nft -j ---------------------------------------------------------------------------------------

/** The base chains on the input hook of `nft -j list ruleset`, with their policy and rule count. */
export function parseInputChains(json: string): NftInputChain[] {
  const items = (JSON.parse(json) as { nftables?: Array<Record<string, { family?: string; table?: string; name?: string; hook?: string; policy?: string; chain?: string }>> }).nftables ?? [];
  const chains: NftInputChain[] = [];
  for (const item of items) {
    const chain = item.chain;
    if (chain?.hook === "input") chains.push({ family: chain.family ?? "", table: chain.table ?? "", name: chain.name ?? "", policy: chain.policy ?? "accept", rules: 0 });
  }
  for (const item of items) {
    const rule = item.rule;
    if (rule === undefined) continue;
    const chain = chains.find((c) => `${c.family} ${c.table} ${c.name}` === `${rule.family} ${rule.table} ${rule.chain}`);
    if (chain !== undefined) chain.rules++;
  }
  return chains;
}

// --- The whole inventory -------------------------------------------------------------------------

export interface DiscoveryOutputs {
  /** `uname -n -r -m`: hostname, kernel release, machine. */
  uname: string;
  links: IpLink[];
  addrs: IpAddr[];
  /** IPv4 routes of the main table. */
  routes: IpRoute[];
  udp: string;
  tcp: string;
  birdVersion: string | null;
  bird: { pid: number | null; config: string; socket: string; protocols: BirdProtocol[] };
  wireguard: LinuxFacts["wireguard"];
  /** `nft -j list ruleset`, or null when nft is missing or refused. */
  nftRuleset: string | null;
}

/** Inventory of a Linux host from what its tools printed. */
export function linuxInventory(o: DiscoveryOutputs): LinuxInventory {
  const [hostname = "?", kernel = "?", machine = "?"] = o.uname.trim().split(/\s+/);
  const linkByName = new Map(o.links.map((l) => [l.ifname, l]));
  const defaults = o.routes.filter((r) => r.dst === "default" && r.type !== "unreachable" && r.type !== "blackhole");
  const usable = defaults.filter((r) => !(r.flags ?? []).includes("linkdown"));
  const best = Math.min(...usable.map((r) => r.metric ?? 0));
  const addrsOf = (name: string) => ipv4(o.addrs.find((a) => a.ifname === name) ?? { ifname: name });

  const wanNames = [...new Set(defaults.map((r) => r.dev).filter((d): d is string => d !== undefined))];
  const wans: WanCandidate[] = wanNames.map((name) => {
    const link = linkByName.get(name);
    const routes = defaults.filter((r) => r.dev === name);
    const first = addrsOf(name)[0];
    const pointToPoint = (link?.flags ?? []).includes("POINTOPOINT") || link?.link_type === "ppp" || routes.every((r) => r.gateway === undefined);
    const dynamic = link?.link_type === "ppp" ? "PPP" : first?.dynamic ? "DHCP" : undefined;
    const gateway = routes.find((r) => r.gateway !== undefined)?.gateway;
    return {
      interface: name,
      reasons: ["default route"],
      ...(first === undefined ? {} : { address: `${first.local}/${first.prefixlen}` }),
      ...(dynamic === undefined ? {} : { dynamic }),
      defaultRoutes: routes.map((r) => ({ gateway: r.gateway ?? name, distance: r.metric ?? 0, active: usable.includes(r) && (r.metric ?? 0) === best })),
      pointToPoint,
      ...(gateway === undefined ? {} : { nextHop: gateway }),
    };
  });

  const addresses = o.addrs.flatMap((a) => ipv4(a).map((info) => ({ interface: a.ifname, address: info.local, length: info.prefixlen })));
  // Connected networks that are not a WAN's, loopback or link-local: a LAN, or left out saying why.
  const connected = addresses
    .filter((a) => !wanNames.includes(a.interface) && !hostOnly(a.address))
    .map((a) => ({ network: networkOf(a.address, a.length), interface: a.interface, address: `${a.address}/${a.length}`, why: notALan(a.interface, linkByName.get(a.interface), a.address, a.length) }));
  const lans = connected.filter((a) => a.why === null).map(({ network, interface: name, address }) => ({ network, interface: name, address }));
  const lansLeftOut = connected.flatMap((a) => (a.why === null ? [] : [{ network: a.network, interface: a.interface, why: a.why }]));
  const tunnelDevs = new Set(o.links.filter(isTunnel).map((l) => l.ifname));
  const routeDsts = o.routes.filter((r) => r.dst !== "default" && r.protocol !== "kernel" && !hostOnly(r.dst)).filter((r) => r.protocol !== "bird");
  const inputChains = o.nftRuleset === null ? [] : parseInputChains(o.nftRuleset);
  const bgpProtocols = o.bird.protocols.filter((p) => p.bgp !== undefined);
  const listeners = [...parseListeners(o.udp, "udp"), ...parseListeners(o.tcp, "tcp")];

  const wireguard = o.wireguard.kernel ? "kernel" : o.wireguard.wireguardGo ? "wireguard-go (no kernel module)" : "none (neither the kernel module nor wireguard-go)";
  const firewall = o.nftRuleset === null ? "nftables: not available" : inputChains.length === 0 ? "nftables: no input chain (accepts everything)" : `nftables: ${inputChains.map((c) => `${c.family} ${c.table} ${c.name} policy ${c.policy}, ${c.rules} rule${c.rules === 1 ? "" : "s"}`).join("; ")}`;
  const protocols = o.bird.protocols.map((p) => `${p.name} (${p.proto} ${p.state}${p.info ? ` ${p.info}` : ""})`).join(", ");

  return {
    identity: hostname,
    version: o.birdVersion ?? "",
    dialect: o.birdVersion?.startsWith("2.") ? "bird2" : null,
    board: `Linux ${kernel}`,
    architecture: machine,
    system: `Linux ${kernel} (${machine}), ${o.birdVersion === null ? "BIRD not installed" : `BIRD ${o.birdVersion}${o.bird.pid === null ? " (not running)" : ""}`}`,
    notes: [
      // What a peering needs first (the screens show what fits), the long list of protocols last.
      `WireGuard: ${wireguard}${o.wireguard.tools ? "" : ", wg (wireguard-tools) not installed"}`,
      firewall,
      `BIRD: ${o.bird.pid === null ? "not running" : `pid ${o.bird.pid}, config ${o.bird.config}, control socket ${o.bird.socket}`}`,
      ...(o.bird.protocols.length > 0 ? [`BIRD protocols: ${protocols}`] : []),
    ],
    interfaces: o.links.map((l) => ({ name: l.ifname, type: linkType(l), running: l.operstate === "UP" || (l.operstate === "UNKNOWN" && (l.flags ?? []).includes("LOWER_UP")), disabled: !(l.flags ?? []).includes("UP") })),
    interfaceLists: {},
    wans,
    lans,
    lansLeftOut,
    prefixesInUse: [
      ...addresses.filter((a) => !tunnelDevs.has(a.interface) && !hostOnly(a.address)).map((a) => `${a.address}/${a.length}`),
      ...routeDsts.filter((r) => r.dev === undefined || !tunnelDevs.has(r.dev)).map((r) => (r.dst.includes("/") ? r.dst : `${r.dst}/32`)),
    ],
    tunnelPrefixes: [
      ...addresses.filter((a) => tunnelDevs.has(a.interface)).map((a) => ({ prefix: `${a.address}/${a.length}`, interface: a.interface })),
      ...routeDsts.filter((r) => r.dev !== undefined && tunnelDevs.has(r.dev)).map((r) => ({ prefix: r.dst.includes("/") ? r.dst : `${r.dst}/32`, interface: r.dev })),
    ],
    recursiveRoutes: [],
    bgp: {
      asns: [...new Set(bgpProtocols.map((p) => p.bgp?.localAs).filter((a): a is number => a !== null && a !== undefined))],
      sessions: bgpProtocols.map((p) => ({ name: p.name, remoteAddress: p.bgp?.neighborAddress ?? "", remoteAs: String(p.bgp?.neighborAs ?? ""), established: p.bgp?.state === "Established" })),
    },
    cloud: { ddnsEnabled: false, none: true },
    firewall: { inputRules: inputChains.reduce((n, c) => n + c.rules, 0), dropsFromWan: inputChains.some((c) => c.policy === "drop") },
    portsInUse: listeners,
    linux: {
      kernel,
      bird: { version: o.birdVersion, ...o.bird },
      wireguard: o.wireguard,
      nftables: { available: o.nftRuleset !== null, inputChains },
    },
  };
}
