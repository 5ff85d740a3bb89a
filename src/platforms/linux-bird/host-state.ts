// What a Linux host holds of the things a peering puts there, read in one SSH exec: file hashes
// (contents never travel back: some are secrets), whether key files exist, interfaces and their
// WireGuard settings, the peering's nftables chains, routes, rules and BIRD's protocols. Plans are
// made from it, and the read-back after an undo compares two of them.
import { randomBytes } from "node:crypto";
import { parseWireguardDump, WG_PEERS } from "./bird-show.js";
import { parseSections, RUN_SECTION, TEMP_DIR } from "./discovery.js";
import { shellQuote, type LinuxShell } from "./ssh.js";

export interface WgPeer {
  publicKey: string;
  endpoint: string | null;
  allowedIps: string[];
  keepalive: string;
}

export interface WgInterface {
  listenPort: string;
  /** "off", or the mark as wg prints it ("0x4247..."). */
  fwmark: string;
  peers: WgPeer[];
}

export interface HostRoute {
  dst: string;
  table: string;
  dev: string;
  gateway: string | null;
  /** BIRD wrote it (a link's path, kept by BIRD): the plan leaves it to BIRD. */
  bird?: true;
  /** BIRD's route of a type with no next hop ("unreachable"). */
  type?: string;
}

export interface HostState {
  /** sha256 of each file asked about; null where there is none. */
  files: Record<string, string | null>;
  /** Files asked about whose contents are not read (private keys): whether they exist. */
  present: Record<string, boolean>;
  /** bird.conf as it is (no secret in it), or null. */
  birdConf: string | null;
  /** The bgpals include files in /etc/bird. */
  birdIncludes: string[];
  /** Interface name → its MTU, up, IPv4 addresses ("a.b.c.d/len"). */
  links: Record<string, { mtu: number; up: boolean; addresses: string[] }>;
  wireguard: Record<string, WgInterface>;
  /** Chains of table inet bgpals (null: no such table). */
  nftChains: string[] | null;
  routes: HostRoute[];
  /**
   * "fwmark/table@priority" of every rule with a fwmark, and "to dst/len/table@priority" of every rule
   * by destination alone (an undo puts a rule back at its priority).
   */
  rules: string[];
  /** BIRD's protocol names (null: birdc failed). */
  birdProtocols: string[] | null;
  /** BIRD runs a protocol device (it sees interfaces come and go; the links' routes follow their WANs by it). */
  birdDevice: boolean;
  /** The config files of the openvpn processes running in this host's network namespace. */
  openvpn: string[];
  /** The bgpals units systemd starts at boot (enabled: in multi-user.target.wants); none without systemd. */
  bootUnits: string[];
}

/**
 * The openvpn processes of this host's network namespace (there may be others on the machine),
 * one a line: pid, a tab, the command line's words separated by spaces. Builtins only, as FIND_BIRD.
 */
export const FIND_OPENVPN = [
  "find_openvpn() {",
  "  for d in /proc/[0-9]*; do",
  '    read -r comm < "$d/comm" 2>/dev/null || continue',
  '    [ "$comm" = openvpn ] && [ "$d/ns/net" -ef /proc/self/ns/net ] || continue',
  '    printf \'%s\\t\' "${d#/proc/}"; tr "\\0" " " < "$d/cmdline"; echo',
  "  done",
  "}",
];

/** The config file an openvpn command line runs (`--config FILE`), or null. */
export function openvpnConfigOf(cmdline: string): string | null {
  return /(?:^| )--config (\S+)/.exec(cmdline)?.[1] ?? null;
}

/**
 * `names <dir> <pattern>`: the names in a directory that match a shell pattern, a line each (symlinks
 * whose target is gone too; none, and exit 0, for a directory that is not there), by the shell's own
 * glob: no `ls | grep`, which was two processes more on every read of the host.
 */
export const NAMES = 'names() { for f in "$1"/$2; do if [ -e "$f" ] || [ -L "$f" ]; then echo "${f##*/}"; fi; done; }';

/**
 * `hashes <file>...`: one sha256sum of the first $nh files (a file not there is left out of what it
 * prints, and sha256sum exits 1); the others (private keys) are only tested for, by the shell: their
 * contents, hashed or not, stay on the host. One process for every file, not one a file.
 */
export const HASHES = 'hashes() { n=$#; i=0; for f; do i=$((i+1)); [ $i -le "$nh" ] && set -- "$@" "$f"; done; shift "$n"; [ $# -eq 0 ] || sha256sum -- "$@"; }';

const SCRIPT = [
  'm=$1; shift',
  TEMP_DIR,
  RUN_SECTION,
  'sock=$1; shift; nh=$1; shift',
  ...FIND_OPENVPN,
  HASHES,
  'run hashes hashes "$@"',
  'i=0; for f in "$@"; do i=$((i+1)); [ $i -gt "$nh" ] && run "present$i" test -e "$f"; done',
  "run birdconf cat /etc/bird/bird.conf",
  NAMES,
  "run includes names /etc/bird 'bgpals-*.conf'",
  "run links ip -j addr show",
  // This host's WireGuard interfaces only: wireguard-go's sockets are in /run/wireguard, which
  // namespaces sharing a /run share, and one of another namespace going away while wg read it failed
  // the whole read. This host's interfaces are the names in /proc/net/dev (the shell's own network
  // namespace, read by the shell itself). Each read once, its secrets left on the host (WG_PEERS).
  'own=" "; while IFS=: read -r d _; do own="$own${d##* } "; done < /proc/net/dev',
  'wgs=""; for i in $(wg show interfaces 2>/dev/null); do case "$own" in *" $i "*) wgs="$wgs $i" ;; esac; done',
  ...WG_PEERS,
  "run wg wgpeers $wgs",
  "run nft nft -j list table inet bgpals",
  "run routes ip -j -4 route show table all",
  "run rules ip -j -4 rule show",
  'run bird birdc -s "$sock" show protocols',
  "run openvpn find_openvpn",
  "run units names /etc/systemd/system/multi-user.target.wants 'bgpals-*.service'",
  "exit 0",
].join("\n");

interface IpAddrJson {
  ifname: string;
  mtu: number;
  flags?: string[];
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/**
 * Reads what the host holds: `hashed` files by hash, `probed` files by existence only; of the routes
 * BIRD writes, those in `tables` (the peering's links' tables: what they hold is the peering's).
 */
export async function readHostState(shell: LinuxShell, birdSocket: string, hashed: readonly string[], probed: readonly string[], tables: readonly string[] = []): Promise<HostState> {
  const marker = `@@bgpals-${randomBytes(8).toString("hex")}`;
  const result = await shell.run(["sh", "-c", SCRIPT, "sh", marker, birdSocket, String(hashed.length), ...hashed, ...probed]);
  if (result.code !== 0) throw new Error(`reading the host failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  const sections = parseSections(result.stdout, marker);
  // Each section ends with the newline the script's `echo` adds after the output: not the output's.
  const ok = (name: string): string | null => (sections.get(name)?.code === 0 ? sections.get(name)!.stdout.replace(/\n$/, "") : null);
  // sha256sum exits 1 when a file is not there, and hashes the others all the same.
  const sums = parseSha256sum(sections.get("hashes")?.stdout ?? "");
  const files: Record<string, string | null> = {};
  for (const path of hashed) files[path] = sums.get(path) ?? null;
  const present: Record<string, boolean> = {};
  probed.forEach((path, i) => (present[path] = ok(`present${hashed.length + i + 1}`) !== null));

  const links: HostState["links"] = {};
  const linkNames = new Set<string>();
  for (const link of JSON.parse(ok("links")?.trim() || "[]") as IpAddrJson[]) {
    linkNames.add(link.ifname);
    links[link.ifname] = { mtu: link.mtu, up: (link.flags ?? []).includes("UP"), addresses: (link.addr_info ?? []).filter(({ family }) => family === "inet").map((a) => `${a.local}/${a.prefixlen}`) };
  }
  const wireguard: Record<string, WgInterface> = {};
  const dump = parseWireguardDump(ok("wg") ?? "");
  for (const [iface, settings] of dump.interfaces) wireguard[iface] = { ...settings, peers: [] };
  for (const peer of dump.peers) {
    (wireguard[peer.interface] ??= { listenPort: "", fwmark: "off", peers: [] }).peers.push({ publicKey: peer.publicKey, endpoint: peer.endpoint, allowedIps: peer.allowedIps, keepalive: peer.keepalive?.replace(/s$/, "") ?? "" });
  }
  // wireguard-go's sockets are in /run/wireguard, which hosts sharing a /run (namespaces) share: only this host's interfaces count.
  for (const iface of Object.keys(wireguard)) if (links[iface] === undefined && !linkNames.has(iface)) delete wireguard[iface];
  const nftText = ok("nft");
  const nftChains =
    nftText === null
      ? null
      : ((JSON.parse(nftText.trim() || "{}") as { nftables?: Array<{ chain?: { name: string } }> }).nftables ?? []).flatMap((item) => (item.chain ? [item.chain.name] : [])).sort();
  // BIRD's own routes come and go with its sessions: not something a run writes. The peering's
  // links' tables are its own: BIRD writes them as a run makes BIRD take the include, and drops them with it.
  const routes = (JSON.parse(ok("routes")?.trim() || "[]") as Array<{ dst: string; table?: string; dev?: string; gateway?: string; protocol?: string; type?: string }>)
    .filter((r) => r.protocol !== "bird" || tables.includes(r.table ?? "main"))
    .map((r) => ({
      dst: r.dst,
      table: r.table ?? "main",
      dev: r.dev ?? "",
      gateway: r.gateway ?? null,
      ...(r.protocol === "bird" ? { bird: true as const, ...(r.type !== undefined && r.type !== "unicast" ? { type: r.type } : {}) } : {}),
    }));
  const rules = (JSON.parse(ok("rules")?.trim() || "[]") as Array<{ priority?: number; fwmark?: string; dst?: string; dstlen?: number; src?: string; table?: string }>)
    .flatMap((r) => {
      if (r.fwmark !== undefined) return [`${r.fwmark}/${r.table}@${r.priority ?? ""}`];
      if (r.dst !== undefined && (r.src ?? "all") === "all") return [`to ${r.dst}/${r.dstlen ?? 32}/${r.table}@${r.priority ?? ""}`];
      return [];
    })
    .sort();
  const birdText = ok("bird");
  // "Name Proto Table State Since Info", after BIRD's greeting and the heading.
  const birdRows = (birdText ?? "").split("\n").slice(2).map((l) => l.split(/\s+/)).filter((row) => row[0] !== "");
  const birdProtocols = birdText === null ? null : birdRows.map((row) => row[0]!).sort();
  return {
    files,
    present,
    birdConf: ok("birdconf"),
    birdIncludes: (ok("includes") ?? "").split("\n").map((l) => l.trim()).filter((l) => l !== "").sort(),
    links,
    wireguard,
    nftChains,
    routes,
    rules,
    birdProtocols,
    birdDevice: birdRows.some((row) => row[1] === "Device"),
    openvpn: (ok("openvpn") ?? "")
      .split("\n")
      .map((line) => openvpnConfigOf(line.split("\t")[1] ?? ""))
      .filter((config): config is string => config !== null)
      .sort(),
    bootUnits: (ok("units") ?? "").split("\n").map((l) => l.trim()).filter((l) => l !== "").sort(),
  };
}

/**
 * sha256sum's lines ("<hash>  <file>"), by file. A name with a newline or a backslash in it is
 * printed escaped, the line starting with a backslash (GNU coreutils): read back as it was named.
 */
export function parseSha256sum(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^(\\?)([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (m === null) continue;
    const name = m[1] === "" ? m[3]! : m[3]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));
    out.set(name, m[2]!);
  }
  return out;
}

/** A sh line that runs `argv` with every word quoted. */
export const shellLine = (argv: readonly string[]): string => argv.map(shellQuote).join(" ");
