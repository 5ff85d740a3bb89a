// What a Linux host is doing for its peerings: tunnels from WireGuard and OpenVPN, sessions and routes from
// BIRD, why a prefix was accepted or filtered, and the friends' routes as a polled feed. Each look
// is one SSH command (a script whose sections bird-show.ts reads); nothing is written. While the
// monitor polls, its three readers (tunnels and sessions, the routes' feed, the filtered routes)
// share one look per poll (BirdPoll): one exec, and one moment of the host for all three.
import { randomBytes } from "node:crypto";
import { formatDuration } from "../../core/duration.js";
import { isIPv4Prefix } from "../../core/ipv4.js";
import type { FilterVerdict } from "../../core/policy.js";
import type { ObservedRoute } from "../../core/prefer.js";
import type { RouteUpdate } from "../../core/route-table.js";
import { UsageError, UserError } from "../../errors.js";
import type { FilteredRoutes, RouteFeedOptions, RouterStatus, RouteStatus, SessionStatus, StatusOptions, TunnelStatus, WhyAnswer } from "../platform.js";
import {
  commaPath,
  endpointAddress,
  filteredRoutesOf,
  parseInclude,
  parseProtocolsAll,
  parseRoutes,
  parseWireguardHeaders,
  parseWireguardDump,
  WG_PEERS,
  secondsSince,
  serverTime,
  sessionState,
  type BirdInclude,
  type BirdRoute,
  type IncludeSession,
} from "./bird-show.js";
import { parseSections, RUN_SECTION, TEMP_DIR } from "./discovery.js";
import { runFilter } from "./render/filters.js";
import type { LinuxShell } from "./ssh.js";

// WireGuard re-handshakes every 2 minutes while traffic flows; past 3 the tunnel is not up (as on RouterOS).
const HANDSHAKE_FRESH_S = 180;
/** The route feed looks at most this often: each look is an SSH command and a walk of BIRD's table. */
export const ROUTE_POLL_MS = 2000;

/** Where a look runs: the host's shell and its BIRD's control socket. */
export interface BirdHost {
  shell: LinuxShell;
  socket: string;
  label: string;
}

/**
 * `ours <dir> <header>`: "<file>:<first line>" of each config in dir whose first line starts with the
 * header (bgpals writes its header first), as `grep -H` prints it; their names (the file's, less
 * .conf) left in $is. The shell reads the first line itself: no grep, which was four processes a look.
 */
export const OURS = 'ours() { is=""; for c in "$1"/*.conf; do [ -f "$c" ] || continue; l=; IFS= read -r l < "$c" || [ -n "$l" ] || continue; case "$l" in "$2"*) echo "$c:$l"; i=${c##*/}; is="$is ${i%.conf}" ;; esac; done; }';

// `$1` is a marker random per look, `$2` BIRD's control socket, `$3` what else to read.
const LOOK = [
  'm=$1; s=$2',
  TEMP_DIR,
  RUN_SECTION,
  OURS,
  ...WG_PEERS,
  "for f in /etc/bird/bgpals-*.conf; do [ -f \"$f\" ] && run \"include:$f\" cat \"$f\"; done",
  // The routes before the sessions: a route that moved because a session went down is then never
  // seen in a look that still has that session up (the session's end is told first, then the move).
  // Only bgpals's sessions' routes, chosen by BIRD: a host may hold a full table from elsewhere.
  'case " $3 " in *" routes "*) run routes birdc -s "$s" show route all where "source = RTS_BGP && proto ~ \\"bgpals_*\\"" ;; esac',
  'case " $3 " in *" protocols "*) run status birdc -s "$s" show status; run protocols birdc -s "$s" show protocols all ;; esac',
  // Only the tunnels whose config bgpals wrote, each by name: `wg show all` would read every other
  // tunnel too (on a test machine, other hosts' userspace ones), and one that does not answer spoils
  // it. bgpals writes its header as a config's first line: the shell reads that line of each config
  // (no grep), keeps the names in $is, and wg reads each tunnel once (WG_PEERS).
  'case " $3 " in *" tunnels "*)',
  "  run now date +%s",
  '  run headers ours /etc/wireguard "# bgpals: WireGuard tunnel"',
  "  run wg wgpeers $is",
  // OpenVPN links: the configs bgpals wrote, each tun device's counters and what its openvpn last wrote.
  '  run ovpnheaders ours /etc/openvpn "# bgpals: OpenVPN tunnel"',
  "  for i in $is; do",
  '    run "ovpnlink:$i" ip -j -s link show dev "$i"; run "ovpnstatus:$i" cat "/run/bgpals/openvpn-$i.status"',
  "  done ;;",
  "esac",
  // BIRD keeps what bgpals's filters rejected (`import keep filtered on`); the receive limit caps how many.
  'case " $3 " in *" filtered "*) run filtered birdc -s "$s" show route all filtered where "source = RTS_BGP && proto ~ \\"bgpals_*\\"" ;; esac',
  'case " $3 " in *" why "*) run accepted birdc -s "$s" show route all "$4"; run filtered birdc -s "$s" show route all filtered "$4" ;; esac',
  "exit 0",
].join("\n");

interface Look {
  includes: BirdInclude[];
  out(name: string): string;
  code(name: string): number | null;
}

type Part = "protocols" | "tunnels" | "routes" | "filtered";

async function look(host: BirdHost, parts: readonly string[], prefix = ""): Promise<Look> {
  const marker = `@@bgpals-${randomBytes(8).toString("hex")}`;
  const sections = parseSections(await host.shell.must(["sh", "-c", LOOK, "sh", marker, host.socket, parts.join(" "), prefix]), marker);
  const includes = [...sections.entries()].filter(([name, s]) => name.startsWith("include:") && s.code === 0).map(([, s]) => parseInclude(s.stdout));
  return { includes, out: (name) => sections.get(name)?.stdout ?? "", code: (name) => sections.get(name)?.code ?? null };
}

/**
 * The OpenVPN tunnels whose config bgpals wrote: up while the tun device is there and, for a
 * server (its status lists clients), the friend is connected; a client's device exists only while
 * connected. OpenVPN has no handshake time to show; rx and tx are the tun device's bytes.
 */
function openvpnTunnels(l: Look): TunnelStatus[] {
  const out: TunnelStatus[] = [];
  for (const line of l.out("ovpnheaders").split("\n")) {
    const m = /^(?:.*\/)?([^/:]+)\.conf:# bgpals: OpenVPN tunnel to (\S+) over (\S+) \(peering (\S+)\)/.exec(line);
    if (m === null) continue;
    const iface = m[1]!;
    const device = l.code(`ovpnlink:${iface}`) === 0 ? (JSON.parse(l.out(`ovpnlink:${iface}`).trim() || "[]") as Array<{ stats64?: { rx?: { bytes?: number }; tx?: { bytes?: number } } }>)[0] : undefined;
    const status = l.out(`ovpnstatus:${iface}`);
    const server = /^HEADER,CLIENT_LIST/m.test(status);
    const up = device !== undefined && (!server || /^CLIENT_LIST,/m.test(status));
    out.push({ name: iface, link: m[3]!, peering: m[4]!, state: up ? "up" : "down", lastHandshake: null, rx: device?.stats64?.rx?.bytes ?? 0, tx: device?.stats64?.tx?.bytes ?? 0 });
  }
  return out;
}

/** BIRD answered (birdc's exit status 0), else what it said: a BIRD that stopped must not read as "no sessions". */
function birdOutput(host: BirdHost, l: Look, name: string, command: string): string {
  if (l.code(name) !== 0) throw new UserError(`${host.label}: birdc ${command} failed: ${l.out(name).trim() || "no answer"} (BIRD's control socket ${host.socket})`);
  return l.out(name);
}

const keepaliveOf = (s: IncludeSession): { keepaliveTime?: string } => (s.keepaliveTime === undefined ? {} : { keepaliveTime: s.keepaliveTime });

const sessionsOf = (includes: readonly BirdInclude[]): IncludeSession[] => includes.flatMap((i) => i.sessions);

function routeStatus(routes: BirdRoute[], sessions: IncludeSession[]): RouteStatus[] {
  const byProtocol = new Map(sessions.map((s) => [s.protocol, s]));
  return routes
    .filter((r) => byProtocol.has(r.protocol))
    .map((r) => ({ dst: r.dst, gateway: r.gateway, active: r.best, localPref: r.localPref, asPath: commaPath(r.asPath), link: byProtocol.get(r.protocol)?.link ?? null }));
}

export async function birdStatus(poll: BirdPoll, options: StatusOptions = {}): Promise<RouterStatus> {
  const withRoutes = options.routes !== false;
  const host = poll.host;
  const l = await poll.look(withRoutes ? ["protocols", "tunnels", "routes"] : ["protocols", "tunnels"]);
  const sessions = sessionsOf(l.includes);
  const protocols = new Map(parseProtocolsAll(birdOutput(host, l, "protocols", "show protocols all")).map((p) => [p.name, p]));
  const now = serverTime(l.out("status"));

  const sessionStatus = sessions.map((s): SessionStatus => {
    const p = protocols.get(s.protocol);
    if (p === undefined) {
      // The file is there but BIRD has not taken it (birdc configure not run, or it failed).
      return { name: s.protocol, link: s.link, peering: s.peering, remoteAs: s.remoteAs, remoteAddress: s.neighborAddress, state: "down", uptime: null, prefixes: 0, advertised: 0, limitExceeded: false, lastError: `BIRD has no protocol ${s.protocol}: its configuration does not hold ${`/etc/bird/bgpals-${s.peering}.conf`} yet (birdc configure)`, ...keepaliveOf(s) };
    }
    const state = sessionState(p);
    const up = state === "established" ? secondsSince(p.since, now) : null;
    return {
      name: s.protocol,
      link: s.link,
      peering: s.peering,
      remoteAs: s.remoteAs,
      remoteAddress: s.neighborAddress,
      state,
      uptime: up === null ? null : formatDuration(up * 1000),
      prefixes: p.imported,
      advertised: state === "established" ? p.exported : 0,
      limitExceeded: p.limitHit,
      lastError: p.lastError,
      ...keepaliveOf(s),
    };
  });

  // Only the tunnels whose config bgpals wrote on this host.
  const ours = parseWireguardHeaders(l.out("headers"));
  const { peers } = parseWireguardDump(l.out("wg"));
  const nowS = Number(l.out("now").trim()) || Math.floor(Date.now() / 1000);
  const tunnels = [...ours.entries()].map(([iface, owner]): TunnelStatus => {
    const peer = peers.find((p) => p.interface === iface);
    const age = peer !== undefined && peer.latestHandshake > 0 ? Math.max(0, nowS - peer.latestHandshake) : null;
    const tunnel: TunnelStatus = { name: iface, link: owner.link, peering: owner.peering, state: age !== null && age < HANDSHAKE_FRESH_S ? "up" : "down", lastHandshake: age === null ? null : formatDuration(age * 1000), rx: peer?.rx ?? 0, tx: peer?.tx ?? 0 };
    if (peer?.endpoint) tunnel.endpointAddress = endpointAddress(peer.endpoint);
    if (peer?.keepalive) tunnel.keepalive = peer.keepalive;
    return tunnel;
  });

  tunnels.push(...openvpnTunnels(l));

  const routes = withRoutes ? routeStatus(parseRoutes(birdOutput(host, l, "routes", "show route all")), sessions) : [];
  return { tunnels, sessions: sessionStatus, routes };
}

/** The BGP routes bgpals's sessions brought, as a primary swap predicts and observes them. */
export async function birdBgpRoutes(host: BirdHost): Promise<ObservedRoute[]> {
  const l = await look(host, ["routes"]);
  return routeStatus(parseRoutes(birdOutput(host, l, "routes", "show route all")), sessionsOf(l.includes)).map(({ dst, gateway, active, localPref, asPath }) => ({ dst, gateway, active, localPref, asPath }));
}

/** "Network not found" is an answer (no such route), not a failure. */
function routesOrNone(host: BirdHost, l: Look, name: string, command: string): BirdRoute[] {
  if (l.code(name) !== 0 && /Network not found/.test(l.out(name))) return [];
  return parseRoutes(birdOutput(host, l, name, command));
}

/**
 * Why a prefix is accepted or filtered on each bgpals session: the session's import filter, read
 * back from the include file on the host and run on the prefix (the rule that decides), beside what
 * BIRD holds now (`import keep filtered on` keeps what a filter rejected).
 */
export async function birdWhy(host: BirdHost, prefix: string, options: { session?: string } = {}): Promise<WhyAnswer[]> {
  if (!isIPv4Prefix(prefix)) throw new UsageError(`${prefix} is not an IPv4 prefix like 192.168.42.0/24`);
  const l = await look(host, ["why"], prefix);
  const accepted = routesOrNone(host, l, "accepted", `show route all ${prefix}`);
  const filtered = routesOrNone(host, l, "filtered", `show route all filtered ${prefix}`);
  const chosen = sessionsOf(l.includes).filter((s) => options.session === undefined || s.protocol === options.session);
  return chosen.map((s): WhyAnswer => {
    const filter = l.includes.flatMap((i) => i.filters).find((f) => f.name === s.importFilter);
    const verdict: FilterVerdict =
      filter === undefined
        ? { action: "accept", decidedBy: null, changes: {}, trace: [`${s.protocol} has no import filter in its file: BIRD imports what it is sent`] }
        : runFilter(filter, prefix);
    const held = accepted.find((r) => r.protocol === s.protocol);
    const kept = filtered.find((r) => r.protocol === s.protocol);
    const rule = verdict.decidedBy === null ? "no rule matched (rejected at the end)" : `rule ${verdict.decidedBy.index}: ${verdict.decidedBy.comment}`;
    let summary: string;
    if (held !== undefined) summary = `accepted: BIRD holds it from ${s.protocol}${held.best ? " as its best route" : ""}${held.localPref !== null ? `, local-pref ${held.localPref}` : ""} (${filter?.name ?? "no filter"} ${rule})`;
    else if (kept !== undefined) summary = `filtered: BIRD keeps it as rejected by ${filter?.name ?? "the import filter"}, ${rule}`;
    else summary = `not received on ${s.protocol} now; ${filter?.name ?? "its import"} would ${verdict.action} it, ${rule}`;
    return { session: s.protocol, link: s.link, chain: filter?.name ?? null, verdict, summary };
  });
}

/** The friends' routes that bgpals's import filters rejected, at most `limit`, with why (bird-show.ts filteredRoutesOf). */
export async function birdFilteredRoutes(poll: BirdPoll, addresses: readonly string[], limit: number): Promise<FilteredRoutes> {
  if (addresses.length === 0 || limit <= 0) return { routes: [], total: 0 };
  const host = poll.host;
  const l = await poll.look(["filtered"]);
  if (l.code("filtered") !== 0 && /Network not found/.test(l.out("filtered"))) return { routes: [], total: 0 };
  return filteredRoutesOf(birdOutput(host, l, "filtered", "show route all filtered"), l.includes, addresses, limit);
}

/**
 * The friends' routes as a feed, by polling BIRD (it has no change stream to follow over SSH): all
 * of them first and onLoaded, then only what changed, until `signal`. Each look at the host brings
 * them (BirdPoll: the monitor's look at tunnels and sessions reads them too), and one of the feed's
 * own comes when none did for ROUTE_POLL_MS.
 */
export async function birdRouteFeed(poll: BirdPoll, options: RouteFeedOptions): Promise<void> {
  const host = poll.host;
  const friends = new Set(options.addresses.map((a) => a.replace(/\/32$/, "")));
  let known = new Map<string, RouteUpdate>();
  let loaded = false;
  const following = poll.follow();
  try {
    while (!options.signal.aborted) {
      const l = await following.next(options.signal);
      if (l === null || options.signal.aborted) break;
      const sessions = new Map(sessionsOf(l.includes).map((s) => [s.protocol, s]));
      const now = new Map<string, RouteUpdate>();
      for (const r of parseRoutes(birdOutput(host, l, "routes", "show route all"))) {
        if (!friends.has(r.gateway) && !sessions.has(r.protocol)) continue;
        const link = options.linkOf?.(r.gateway) ?? sessions.get(r.protocol)?.link;
        const id = `${r.protocol} ${r.dst}`;
        now.set(id, { id, prefix: r.dst, gateway: r.gateway, active: r.best, localPref: r.localPref, asPath: commaPath(r.asPath), ...(link !== undefined ? { link } : {}) });
      }
      const changed = [...now.values()].filter((r) => !sameRoute(known.get(r.id), r));
      const removed = [...known.keys()].filter((id) => !now.has(id));
      known = now;
      if (changed.length > 0 || removed.length > 0) options.onUpdates(changed, removed);
      if (!loaded) {
        loaded = true;
        options.onLoaded?.(now.size);
      }
    }
  } finally {
    following.stop();
  }
}

function sameRoute(a: RouteUpdate | undefined, b: RouteUpdate): boolean {
  return a !== undefined && a.gateway === b.gateway && a.active === b.active && a.localPref === b.localPref && a.asPath === b.asPath && a.link === b.link;
}

/** A look shared by whoever asks for what it holds while it runs, or within this long after. */
const SHARED_MS = ROUTE_POLL_MS / 2;
/** A reader that asked within this long is still polling: the next look reads its part too. */
const POLLING_MS = 2 * ROUTE_POLL_MS + SHARED_MS;

interface Taken {
  parts: ReadonlySet<string>;
  look: Promise<Look>;
  /** When it ended (null while it runs). */
  at: number | null;
}

/**
 * The looks at one host. Alone, each reader's look is its own, as fresh as can be. While the
 * routes' feed follows (the monitor), every look also reads what the other readers polled for
 * lately (tunnels and sessions, the filtered routes), the feed takes the routes of each look
 * whoever made it, and a reader asking while a look with its part runs, or just after, shares it:
 * one SSH exec per poll period, and events told in the order of one moment of the host.
 */
export class BirdPoll {
  #last: Taken | null = null;
  #followers = new Set<(l: Look) => void>();
  #askedAt = new Map<Part, number>();

  constructor(readonly host: BirdHost) {}

  look(parts: readonly Part[]): Promise<Look> {
    const now = Date.now();
    for (const part of parts) this.#askedAt.set(part, now);
    const last = this.#last;
    const shared = this.#followers.size > 0 && last !== null && (last.at === null || now - last.at < SHARED_MS) && parts.every((p) => last.parts.has(p));
    if (shared) return last.look;
    const all = new Set<string>(parts);
    if (this.#followers.size > 0) {
      all.add("routes");
      for (const [part, at] of this.#askedAt) if (now - at < POLLING_MS) all.add(part);
    }
    const taken: Taken = { parts: all, look: look(this.host, [...all]), at: null };
    this.#last = taken;
    taken.look.then(
      (l) => {
        taken.at = Date.now();
        if (all.has("routes")) for (const follower of [...this.#followers]) follower(l);
      },
      () => {
        if (this.#last === taken) this.#last = null;
      },
    );
    return taken.look;
  }

  /**
   * The routes of every look from now on, in order: the next one whoever makes it, or one of its
   * own once ROUTE_POLL_MS passed without.
   */
  follow(): { next(signal: AbortSignal): Promise<Look | null>; stop(): void } {
    // The look made while the follower was busy with the one before (only the latest matters).
    let ready: Look | null = null;
    let waiter: ((l: Look) => void) | null = null;
    let givenAt = 0;
    const follower = (l: Look) => {
      if (waiter !== null) waiter(l);
      else ready = l;
    };
    this.#followers.add(follower);
    return {
      next: (signal) =>
        new Promise<Look | null>((resolve, reject) => {
          let timer: NodeJS.Timeout | undefined;
          const settle = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", aborted);
            waiter = null;
            givenAt = Date.now();
          };
          const aborted = () => {
            settle();
            resolve(null);
          };
          const got = (l: Look) => {
            settle();
            resolve(l);
          };
          if (ready !== null) {
            const l = ready;
            ready = null;
            return got(l);
          }
          if (signal.aborted) return resolve(null);
          waiter = got;
          signal.addEventListener("abort", aborted, { once: true });
          // None made by another reader in time: one of its own (shared if one with routes just ran).
          timer = setTimeout(() => {
            this.look(["routes"]).then(
              (l) => waiter === got && got(l),
              (e: unknown) => {
                if (waiter !== got) return;
                settle();
                reject(e);
              },
            );
          }, Math.max(0, ROUTE_POLL_MS - (Date.now() - givenAt)));
        }),
      stop: () => {
        this.#followers.delete(follower);
      },
    };
  }
}
