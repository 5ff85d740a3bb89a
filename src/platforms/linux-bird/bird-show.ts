// What a Linux host says about its peerings, read from the text BIRD and WireGuard print: `birdc show
// protocols all`, `birdc show route all`, `birdc show status`, `wg show <interface> dump` (its secrets
// left on the host), and bgpals's own
// files there (the BIRD include, the WireGuard configs' first line). Pure functions: the router
// (router.ts) runs the commands, these read what they printed.
import { parsePrefix, prefixWithin } from "../../core/ipv4.js";
import type { FilteredRoutes } from "../platform.js";
import { runFilter, type BirdFilter, type FilterMatch, type FilterRule } from "./render/filters.js";

// --- birdc show protocols all ------------------------------------------------------------------

export interface BirdProtocolStatus {
  name: string;
  proto: string;
  /** BIRD's protocol state: up, down, start, stop. */
  state: string;
  /** When the state last changed, as BIRD prints it: a time of day today ("13:11:41.417"), else a date. */
  since: string;
  info: string;
  description: string;
  /** BGP only: the session's state (Idle, Connect, Active, OpenSent, OpenConfirm, Established, Down). */
  bgpState: string;
  neighborAddress: string;
  neighborAs: number | null;
  lastError: string;
  /** The channel's route counts: "Routes: 2 imported, 2 filtered, 1 exported, 1 preferred". */
  imported: number;
  filtered: number;
  exported: number;
  /** The channel's receive or import limit stopped the protocol (action disable): BIRD says so in Info or Last error. */
  limitHit: boolean;
}

const LIMIT_HIT = /limit (exceeded|reached|hit)|Maximum number of prefixes reached/i;

export function parseProtocolsAll(text: string): BirdProtocolStatus[] {
  const out: BirdProtocolStatus[] = [];
  let current: BirdProtocolStatus | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^BIRD .* ready\.$/.test(line) || /^Name\s+Proto\s+Table/.test(line)) continue;
    if (!/^\s/.test(line)) {
      // name proto table state since info...; `since` is one word (time or date), or two (date and time).
      const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?|\S+)\s*(.*)$/.exec(line);
      if (m === null) continue;
      current = { name: m[1]!, proto: m[2]!, state: m[4]!, since: m[5]!, info: m[6]!.trim(), description: "", bgpState: "", neighborAddress: "", neighborAs: null, lastError: "", imported: 0, filtered: 0, exported: 0, limitHit: false };
      out.push(current);
      continue;
    }
    if (current === null) continue;
    const field = /^\s+([A-Za-z][A-Za-z .-]*?):\s+(.*)$/.exec(line);
    if (field === null) continue;
    const [, key, value] = field as unknown as [string, string, string];
    if (key === "Description") current.description = value.trim();
    else if (key === "BGP state") current.bgpState = value.trim();
    else if (key === "Neighbor address") current.neighborAddress = value.trim();
    else if (key === "Neighbor AS") current.neighborAs = Number(value.trim());
    else if (key === "Last error") current.lastError = value.trim();
    else if (/limit$/.test(key) && value.includes("[HIT]")) current.limitHit = true;
    else if (key === "Routes") {
      const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(value)?.[1] ?? 0);
      current.imported = count("imported");
      current.filtered = count("filtered");
      current.exported = count("exported");
    }
  }
  for (const p of out) p.limitHit ||= LIMIT_HIT.test(p.info) || LIMIT_HIT.test(p.lastError);
  return out;
}

/** BIRD's BGP state as the seam names it: Established, and the states on the way (OpenSent and OpenConfirm are still connecting). */
export function sessionState(p: BirdProtocolStatus): "established" | "idle" | "active" | "connect" | "down" {
  if (p.state === "down" || p.bgpState === "Down") return "down";
  switch (p.bgpState) {
    case "Established":
      return "established";
    case "Active":
      return "active";
    case "Connect":
    case "OpenSent":
    case "OpenConfirm":
      return "connect";
    case "Idle":
      return "idle";
    default:
      return "down";
  }
}

// --- birdc show status -------------------------------------------------------------------------

/** "Current server time is 2026-12-03 13:11:58.701": the host's clock as BIRD reads it (local time, no zone). */
export function serverTime(text: string): string | null {
  return /Current server time is (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/.exec(text)?.[1] ?? null;
}

/**
 * How long a protocol has been in its state, in seconds, from its `since` and BIRD's clock: exact
 * when BIRD prints a time of day (the last 20 hours); from midnight when it prints only a date, so
 * at least that long. Null when either cannot be read.
 */
export function secondsSince(since: string, now: string | null): number | null {
  if (now === null) return null;
  const nowMs = Date.parse(`${now.replace(" ", "T")}Z`);
  if (Number.isNaN(nowMs)) return null;
  let sinceMs: number;
  if (/^\d\d:\d\d:\d\d/.test(since)) {
    sinceMs = Date.parse(`${now.slice(0, 10)}T${since.slice(0, 8)}Z`);
    // A time later than now is yesterday's.
    if (sinceMs > nowMs) sinceMs -= 86_400_000;
  } else if (/^\d{4}-\d\d-\d\d$/.test(since)) {
    sinceMs = Date.parse(`${since}T00:00:00Z`);
  } else {
    sinceMs = Date.parse(`${since.replace(" ", "T").slice(0, 19)}Z`);
  }
  return Number.isNaN(sinceMs) ? null : Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
}

// --- birdc show route all ----------------------------------------------------------------------

export interface BirdRoute {
  dst: string;
  /** unicast, blackhole, unreachable, ... */
  type: string;
  protocol: string;
  /** BIRD's best route for the prefix (`*`). */
  best: boolean;
  /** Next hop (`via`), or "" for a route without one. */
  gateway: string;
  /** The interface it leaves by (`on` / `dev`). */
  interface: string;
  /** "64513 64513", as BIRD prints BGP.as_path. */
  asPath: string;
  localPref: number | null;
}

export function parseRoutes(text: string): BirdRoute[] {
  const out: BirdRoute[] = [];
  let dst = "";
  let current: BirdRoute | null = null;
  for (const line of text.split("\n")) {
    // "192.168.42.0/24      unicast [bgpals_st_isp1 13:11:41.627] * (100) [AS64513i]", or the same
    // without the prefix for the next route to it.
    const head = /^(\S+)?\s+(\w+) \[(\S+)[^\]]*\](\s+\*)?\s+\(\d+/.exec(line);
    if (head !== null && !line.startsWith("\t")) {
      if (head[1] !== undefined) dst = head[1];
      current = { dst, type: head[2]!, protocol: head[3]!, best: head[4] !== undefined, gateway: "", interface: "", asPath: "", localPref: null };
      out.push(current);
      continue;
    }
    if (current === null) continue;
    const via = /^\s+via (\S+) on (\S+)/.exec(line);
    if (via !== null) {
      current.gateway = via[1]!;
      current.interface = via[2]!;
      continue;
    }
    const dev = /^\s+dev (\S+)/.exec(line);
    if (dev !== null) {
      current.interface = dev[1]!;
      continue;
    }
    const attr = /^\s+BGP\.(as_path|local_pref):\s*(.*)$/.exec(line);
    if (attr?.[1] === "as_path") current.asPath = attr[2]!.trim();
    if (attr?.[1] === "local_pref") current.localPref = Number(attr[2]);
  }
  return out;
}

/** An AS path as the seam carries it (RouterOS's form): "64513,64513". */
export function commaPath(asPath: string): string {
  return asPath.trim().split(/\s+/).filter((a) => a !== "").join(",");
}

// --- birdc show route all filtered ---------------------------------------------------------------

/**
 * Why a bgpals import filter rejected a route, in the words the RouterOS platform uses
 * (FilteredRoute.reason): its rules say it by what they match, and a route that runs to the end
 * inside an allowed prefix was longer than allowed.
 */
export function rejectionReason(filter: BirdFilter | undefined, prefix: string): string {
  const fallback = "rejected by an input filter";
  if (filter === undefined) return fallback;
  const verdict = runFilter(filter, prefix);
  // Accepted now: the file changed since the route came; BIRD re-filters it on its next reconfigure.
  if (verdict.action === "accept") return fallback;
  const rule = verdict.decidedBy === null ? undefined : filter.rules[verdict.decidedBy.index];
  if (rule?.match?.kind === "default") return "default route";
  // bgpals's rejects by prefix are our own networks (render/filters.ts peeringFilters).
  if (rule?.match?.kind === "prefix") return `your own network ${rule.match.prefix}`;
  const route = parsePrefix(prefix);
  for (const allow of filter.rules) {
    if (allow.action !== "accept" || allow.match?.kind !== "prefix" || !prefixWithin(route, parsePrefix(allow.match.prefix))) continue;
    if (route.length > allow.match.to) return `longer than /${allow.match.to}`;
  }
  return "not in friend's allowed prefixes";
}

/**
 * The friends' filtered routes from `birdc show route all filtered` (BIRD keeps them: the include
 * says `import keep filtered on`): those that came over a session of bgpals's with one of
 * `addresses` as its neighbour (or next hop), at most `limit`, each with why its filter refused it.
 */
export function filteredRoutesOf(text: string, includes: readonly BirdInclude[], addresses: readonly string[], limit: number): FilteredRoutes {
  const friends = new Set(addresses.map((a) => a.replace(/\/32$/, "")));
  const sessions = new Map(includes.flatMap((i) => i.sessions).map((s) => [s.protocol, s]));
  const filters = includes.flatMap((i) => i.filters);
  const theirs = parseRoutes(text).filter((r) => {
    const session = sessions.get(r.protocol);
    return session !== undefined && (friends.has(session.neighborAddress) || friends.has(r.gateway));
  });
  const routes = theirs.slice(0, Math.max(0, limit)).map((r) => {
    const filter = filters.find((f) => f.name === sessions.get(r.protocol)!.importFilter);
    return { id: `${r.protocol} ${r.dst}`, prefix: r.dst, gateway: r.gateway, asPath: commaPath(r.asPath), reason: rejectionReason(filter, r.dst) };
  });
  return { routes, total: theirs.length };
}

// --- wg show <interface> dump ------------------------------------------------------------------

export interface WireguardPeer {
  interface: string;
  publicKey: string;
  /** Seconds since the epoch; 0: never. */
  latestHandshake: number;
  rx: number;
  tx: number;
  /** "198.51.100.2:13231", or null before the peer was ever heard from (a listener's side). */
  endpoint: string | null;
  /** Persistent keepalive ("25s"), where one is set: the side that dials. */
  keepalive?: string;
}

/**
 * `wgpeers <interface>...`: what `wg show <interface> dump` says of each, in one wg process an
 * interface (four to five a look before, one per field), without the secrets it prints: the
 * interface's private key and each peer's preshared key are read by the shell on the host and never
 * printed. A line `interface<TAB>name<TAB>listen-port<TAB>fwmark` per interface, then one
 * `peer<TAB>interface<TAB>public-key<TAB>endpoint<TAB>allowed-ips<TAB>latest-handshake<TAB>rx<TAB>tx<TAB>keepalive`
 * per peer (allowed-ips comma separated; "(none)" and "off" as wg prints them). An interface wg
 * cannot read is left out, as the field-by-field reads left it (its error goes to the caller's stderr).
 * Builtins only besides wg. `read` splits at tabs alone; a tab is IFS white space, so an empty field
 * would shift the ones after it, but wg prints none empty ("(none)", "off", "0").
 */
export const WG_PEERS = [
  "wgpeers() {",
  "  for i; do",
  '    d=$(wg show "$i" dump) || continue; f=1',
  "    while IFS='\t' read -r a b c e g h k l; do",
  '      if [ $f = 1 ]; then f=0; printf \'interface\\t%s\\t%s\\t%s\\n\' "$i" "$c" "$e"',
  '      else printf \'peer\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n\' "$i" "$a" "$c" "$e" "$g" "$h" "$k" "$l"; fi',
  "    done <<EOF",
  "$d",
  "EOF",
  "  done",
  "}",
];

export interface WireguardInterface {
  listenPort: string;
  /** "off", or the mark as wg prints it ("0x4247"). */
  fwmark: string;
}

/** What WG_PEERS printed: each interface's settings, and its peers (allowed IPs sorted). */
export function parseWireguardDump(text: string): { interfaces: Map<string, WireguardInterface>; peers: Array<WireguardPeer & { allowedIps: string[] }> } {
  const interfaces = new Map<string, WireguardInterface>();
  const peers: Array<WireguardPeer & { allowedIps: string[] }> = [];
  for (const line of text.split("\n")) {
    const [kind, iface, ...f] = line.split("\t");
    if (kind === "interface" && f.length === 2) interfaces.set(iface!, { listenPort: f[0]!, fwmark: f[1]! });
    if (kind !== "peer" || f.length !== 7) continue;
    const [publicKey, endpoint, allowedIps, handshake, rx, tx, keepalive] = f as [string, string, string, string, string, string, string];
    const peer: WireguardPeer & { allowedIps: string[] } = {
      interface: iface!,
      publicKey,
      latestHandshake: Number(handshake) || 0,
      rx: Number(rx) || 0,
      tx: Number(tx) || 0,
      endpoint: endpoint === "(none)" ? null : endpoint,
      allowedIps: allowedIps.split(",").filter((ip) => ip !== "" && ip !== "(none)").sort(),
    };
    // `wg` prints "off" for none, else seconds.
    if (/^[1-9]\d*$/.test(keepalive)) peer.keepalive = `${keepalive}s`;
    peers.push(peer);
  }
  return { interfaces, peers };
}

/** The address of a `host:port` endpoint ("[2001:db8::1]:51820" too). */
export function endpointAddress(endpoint: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(endpoint);
  return v6 !== null ? v6[1]! : endpoint.replace(/:\d+$/, "");
}

/**
 * The tunnels bgpals made on this host, by interface: the first line of each WireGuard config it
 * wrote, as `grep -H` prints it ("/etc/wireguard/wg-remi-isp1.conf:# bgpals: WireGuard tunnel to
 * remi over isp1 (peering st)").
 */
export function parseWireguardHeaders(text: string): Map<string, { friend: string; link: string; peering: string }> {
  const out = new Map<string, { friend: string; link: string; peering: string }>();
  for (const line of text.split("\n")) {
    const m = /^(?:.*\/)?([^/:]+)\.conf:# bgpals: WireGuard tunnel to (\S+) over (\S+) \(peering (\S+)\)/.exec(line);
    if (m !== null) out.set(m[1]!, { friend: m[2]!, link: m[3]!, peering: m[4]! });
  }
  return out;
}

// --- /etc/bird/bgpals-<peering>.conf -----------------------------------------------------------

export interface IncludeSession {
  protocol: string;
  peering: string;
  link: string;
  localAddress: string;
  localAs: number;
  neighborAddress: string;
  remoteAs: number;
  importFilter: string | null;
  exportFilter: string | null;
  /** BGP's keepalive time as the file configures it ("3s"), as RouterOS's keepalive-time reads. */
  keepaliveTime?: string;
}

export interface BirdInclude {
  peering: string;
  sessions: IncludeSession[];
  /** The filters as rules again (render/filters.ts), so `why` runs what the host holds. */
  filters: BirdFilter[];
  /** Our networks, from the direct protocol's import. */
  networks: string[];
}

/** A rule's text as render/filters.ts ruleText writes it, back into a rule; null for a line it did not write. */
export function parseRuleText(text: string, why: string): FilterRule | null {
  const m = /^(?:if (.+?) then )?(?:\{ (.*) \}|(.*))$/.exec(text.trim());
  if (m === null) return null;
  const body = (m[2] ?? m[3] ?? "").trim();
  const action = /\b(accept|reject);\s*$/.exec(body)?.[1] as "accept" | "reject" | undefined;
  if (action === undefined) return null;
  const localPref = /bgp_local_pref = (\d+);/.exec(body);
  const prepend = (body.match(/bgp_path\.prepend\(/g) ?? []).length;
  const set = { ...(localPref !== null ? { localPref: Number(localPref[1]) } : {}), ...(prepend > 0 ? { prepend } : {}) };
  const rule: FilterRule = { action, why, ...(Object.keys(set).length > 0 ? { set } : {}) };
  if (m[1] === undefined) return rule;
  const match = parseMatch(m[1]);
  return match === null ? null : { ...rule, match };
}

function parseMatch(test: string): FilterMatch | null {
  if (test === "net = 0.0.0.0/0") return { kind: "default" };
  const pattern = /^net ~ \[ (\S+?)(\+|\{(\d+),(\d+)\})? \]$/.exec(test);
  if (pattern === null) return null;
  const prefix = pattern[1]!;
  const length = parsePrefix(prefix).length;
  if (pattern[2] === "+") return { kind: "prefix", prefix, from: length, to: 32 };
  if (pattern[3] !== undefined) return { kind: "prefix", prefix, from: Number(pattern[3]), to: Number(pattern[4]) };
  return { kind: "prefix", prefix, from: length, to: length };
}

/** The include file bgpals wrote for a peering (render/render.ts renderBird), read back. */
export function parseInclude(text: string): BirdInclude {
  const peering = /^# bgpals: peering (\S+),/m.exec(text)?.[1] ?? "";
  const sessions: IncludeSession[] = [];
  const filters: BirdFilter[] = [];
  const networks = /import where net ~ \[ ([^\]]*) \]/.exec(text)?.[1]?.split(",").map((n) => n.trim()).filter((n) => n !== "") ?? [];
  let filter: BirdFilter | null = null;
  let session: IncludeSession | null = null;
  let why = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const filterHead = /^filter (\S+) \{$/.exec(line);
    if (filterHead !== null) {
      const name = filterHead[1]!;
      // bgpals_<peering>_in_<link>: the direction and link come from the session that uses it (below).
      filter = { name, direction: /_in_/.test(name) ? "in" : "out", link: "", rules: [] };
      filters.push(filter);
      continue;
    }
    const bgpHead = /^protocol bgp (\S+) \{$/.exec(line);
    if (bgpHead !== null) {
      session = { protocol: bgpHead[1]!, peering, link: "", localAddress: "", localAs: 0, neighborAddress: "", remoteAs: 0, importFilter: null, exportFilter: null };
      sessions.push(session);
      continue;
    }
    if (filter !== null) {
      if (line === "}") {
        filter = null;
        continue;
      }
      if (line.startsWith("#")) {
        why = line.replace(/^#\s*/, "");
        continue;
      }
      const rule = parseRuleText(line, why);
      if (rule !== null) filter.rules.push(rule);
      why = "";
      continue;
    }
    if (session === null) continue;
    let m: RegExpExecArray | null;
    if ((m = /^description "bgpals (\S+) (\S+)/.exec(line)) !== null) session.link = m[2]!;
    else if ((m = /^local (\S+) as (\d+);/.exec(line)) !== null) Object.assign(session, { localAddress: m[1]!, localAs: Number(m[2]) });
    else if ((m = /^neighbor (\S+) as (\d+);/.exec(line)) !== null) Object.assign(session, { neighborAddress: m[1]!, remoteAs: Number(m[2]) });
    else if ((m = /^import filter (\S+);/.exec(line)) !== null) session.importFilter = m[1]!;
    else if ((m = /^export filter (\S+);/.exec(line)) !== null) session.exportFilter = m[1]!;
    else if ((m = /^keepalive time (\d+);/.exec(line)) !== null) session.keepaliveTime = `${m[1]}s`;
  }
  for (const s of sessions) {
    for (const f of filters) if (f.name === s.importFilter || f.name === s.exportFilter) f.link = s.link;
  }
  return { peering, sessions, filters, networks };
}
