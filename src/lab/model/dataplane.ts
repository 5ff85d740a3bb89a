// The lab's dataplane: tunnels, BGP sessions and the routes they bring, tick by tick on the lab clock.
// Routes flow through the routers' own filters (read by the lab's own filter reader, ../filter) and
// best-path selection.
import { readDuration } from "../duration.js";
import { compileV6, compileV7, type FilterRoute, type V6Judge, type V7Judge, type Verdict } from "../filter/index.js";
import { addressInPrefix, formatPrefix, parseAddress, parsePrefix } from "../ipv4.js";
import { routerOs } from "../versions.js";
import { inputAccepts } from "./firewall.js";
import { Budget, LeakIntake, leakPrefix, type BulkGroup } from "./bulk.js";
import { connectedNetworks, parseGateway, tableOf, type Connected } from "./routing.js";
import { computeTunnels, type Tunnel } from "./tunnels.js";
import { enabled, isTrue, type Item, type RouterView, type World } from "./types.js";

/** A RouterOS duration in ms, or the fallback when unset. */
export function parseDuration(text: string | undefined, fallbackMs: number): number {
  return readDuration(text) ?? fallbackMs;
}

const DEFAULT_HOLD = 180_000;
const BGP_DISTANCE = 20;
const DEFAULT_LOCAL_PREF = 100;
// Bytes a tunnel's counters move per second of lab time while up (keepalives and BGP).
const TRAFFIC_PER_SECOND = 180;
// WireGuard starts a new session every two minutes while traffic flows (REKEY_AFTER_TIME).
const REKEY_AFTER_MS = 120_000;
// A WireGuard keepalive: an empty data message, 32 bytes on the wire.
const KEEPALIVE_BYTES = 32;

/** One configured BGP neighbour, v6 peer or v7 connection, with what it needs resolved. */
interface Speaker {
  router: RouterView;
  item: Item;
  name: string;
  localAs: number;
  remoteAs: number;
  remoteAddress: string;
  localAddress?: string;
  routerId: string;
  holdMs: number;
  inputChain?: string;
  outputChain?: string;
  limit?: number;
  v6: boolean;
  /** Why the speaker cannot run at all (instance missing, disabled...). */
  broken?: string;
}

export interface SessionState {
  router: string;
  /** The connection (v7) or peer (v6) name. */
  name: string;
  itemId: string;
  remoteAddress: string;
  localAddress: string;
  remoteAs: number;
  localAs: number;
  state: "established" | "idle" | "active" | "connect";
  /** Lab time the session established, when it is. */
  since: number | null;
  /** Prefixes received from and advertised to the neighbour. */
  received: number;
  accepted: number;
  advertised: number;
  limitExceeded: boolean;
  lastError: string;
  /** Where the session runs (the tunnel interface). */
  interface: string;
}

export interface RouteState {
  dst: string;
  gateway: string;
  distance: number;
  protocol: "connected" | "static" | "bgp";
  active: boolean;
  /** The static route's config item, for flags on it. */
  itemId?: string;
  interface?: string;
  /** The routing table a static route is in, when not main: it competes only there. */
  table?: string;
  /**
   * Rejected by the receiving session's input filter and kept in memory, never active: RouterOS 7
   * lists it in /routing/route with the `filtered` flag (not in /ip/route); RouterOS 6 keeps a route
   * its filter `reject`s in /ip/route, inactive, and forgets one it `discard`s.
   */
  filtered?: boolean;
  bgp?: { asPath: number[]; localPref: number; session: string; routerId: string };
}

export interface TunnelState {
  tunnel: Tunnel;
}

/**
 * What a WireGuard peer entry shows, kept per peer like RouterOS does: when the other end goes
 * (its peer removed, its WAN cut), the entry keeps its last handshake, which ages, and its
 * counters; rx stops growing, tx grows by the keepalives still sent into the void.
 */
export interface PeerState {
  /** Lab time of the last handshake, null if never. */
  lastHandshake: number | null;
  rx: number;
  tx: number;
}

interface PeerMemory extends PeerState {
  lastTick: number;
  /** Whether an up tunnel carried it at the last tick. */
  carried: boolean;
}

export interface RouterSnapshot {
  running: Set<string>;
  tunnels: TunnelState[];
  /** Each WireGuard peer entry by its .id. */
  peers: Map<string, PeerState>;
  /** Addresses PPP gives the OpenVPN ends, as /ip/address items would show them. */
  pppAddresses: Array<{ address: string; network: string; interface: string }>;
  sessions: SessionState[];
  routes: RouteState[];
  /** Leaked routes by the hundred thousand, one group per receiving session (see bulk.ts). */
  bulk: BulkGroup[];
}

interface SessionMemory {
  state: SessionState;
  lastHeard: number;
}

export class Dataplane {
  private running = new Map<string, Set<string>>();
  /** WireGuard peer entries by "router/.id". */
  private peerMemory = new Map<string, PeerMemory>();
  private sessions = new Map<string, SessionMemory>();
  private limitTripped = new Set<string>();
  /** Routes each session last brought in, kept while its hold timer runs. */
  private lastRoutes = new Map<string, RouteState[]>();
  /** Leaked routes each session takes in, judged a slice per tick; kept while its hold timer runs. */
  private leakIntakes = new Map<string, LeakIntake>();
  private snapshot = new Map<string, RouterSnapshot>();

  /** The last computed state of a router. */
  of(router: string): RouterSnapshot {
    return this.snapshot.get(router) ?? { running: new Set(), tunnels: [], peers: new Map(), pppAddresses: [], sessions: [], routes: [], bulk: [] };
  }

  /** `/routing/bgp/session clear`: forget a max-prefix trip so the session may come back. */
  clearSession(router: string, name: string): boolean {
    return this.limitTripped.delete(`${router}/${name}`);
  }

  /** A reboot: sessions and tunnels of that router start over. */
  reset(router: string): void {
    for (const key of [...this.sessions.keys()]) if (key.startsWith(`${router}/`)) this.sessions.delete(key);
    for (const key of [...this.limitTripped]) if (key.startsWith(`${router}/`)) this.limitTripped.delete(key);
    for (const key of [...this.lastRoutes.keys()]) if (key.startsWith(`${router}/`)) this.lastRoutes.delete(key);
    for (const key of [...this.leakIntakes.keys()]) if (key.startsWith(`${router}/`)) this.leakIntakes.delete(key);
    // The counters and the handshake start from nothing again.
    for (const key of [...this.peerMemory.keys()]) if (key.startsWith(`${router}/`)) this.peerMemory.delete(key);
    this.running.set(router, new Set());
  }

  tick(world: World): void {
    const tunnels = this.settleTunnels(world);
    const ppp = pppAddresses(tunnels);
    const connected = new Map(world.routers.map((r) => [r.name, connectedNetworks(r, world, this.running.get(r.name) ?? new Set(), ppp.get(r.name) ?? [])]));
    const speakers = world.routers.flatMap((r) => speakersOf(r));
    const established = this.updateSessions(world, speakers, connected);
    const bulk = new Map<string, BulkGroup[]>(world.routers.map((r) => [r.name, []]));
    const routes = this.exchangeRoutes(world, speakers, established, connected, bulk);
    const peers = this.updatePeers(world, tunnels);

    for (const router of world.routers) {
      const mine = tunnels.filter((t) => t.initiator.router === router.name || t.listener?.router === router.name);
      this.snapshot.set(router.name, {
        running: this.running.get(router.name) ?? new Set(),
        tunnels: mine.map((tunnel) => ({ tunnel })),
        peers: peers.get(router.name) ?? new Map(),
        pppAddresses: (ppp.get(router.name) ?? []).map((a) => ({ address: a.address ?? "", network: a.network ?? "", interface: a.interface ?? "" })),
        sessions: [...this.sessions.values()].map((m) => m.state).filter((s) => s.router === router.name),
        routes: routes.get(router.name) ?? [],
        bulk: bulk.get(router.name) ?? [],
      });
    }
  }

  // Tunnels may ride routes through other tunnels: iterate until the set of running interfaces settles.
  private settleTunnels(world: World): Tunnel[] {
    let tunnels: Tunnel[] = [];
    for (let round = 0; round < 4; round++) {
      tunnels = computeTunnels(world, this.running);
      const next = new Map<string, Set<string>>(world.routers.map((r) => [r.name, new Set<string>()]));
      for (const t of tunnels.filter((x) => x.up)) {
        next.get(t.initiator.router)?.add(t.initiator.interface);
        if (t.listener) next.get(t.listener.router)?.add(t.listener.interface);
      }
      const same = world.routers.every((r) => setEquals(next.get(r.name)!, this.running.get(r.name) ?? new Set()));
      this.running = next;
      if (same) break;
    }
    return tunnels;
  }

  /**
   * Each WireGuard peer entry's handshake and counters. A peer carried by an up tunnel (as the
   * initiator's peer or the listener's) receives and sends, and handshakes again every two minutes;
   * any other keeps what it had, its handshake ageing, and sends only its persistent keepalives.
   */
  private updatePeers(world: World, tunnels: readonly Tunnel[]): Map<string, Map<string, PeerState>> {
    const carried = new Set<string>();
    for (const t of tunnels) {
      if (t.kind !== "wireguard" || !t.up) continue;
      carried.add(`${t.initiator.router}/${t.initiator.itemId}`);
      if (t.listener !== undefined) carried.add(`${t.listener.router}/${t.listener.itemId}`);
    }
    const out = new Map<string, Map<string, PeerState>>();
    const seen = new Set<string>();
    for (const router of world.routers) {
      const mine = new Map<string, PeerState>();
      out.set(router.name, mine);
      for (const peer of router.items("/interface/wireguard/peers")) {
        const key = `${router.name}/${peer[".id"]}`;
        seen.add(key);
        const memory = this.peerMemory.get(key) ?? { lastHandshake: null, rx: 0, tx: 0, lastTick: world.now, carried: false };
        const seconds = Math.max(0, world.now - memory.lastTick) / 1000;
        if (carried.has(key)) {
          memory.rx += seconds * TRAFFIC_PER_SECOND;
          memory.tx += seconds * TRAFFIC_PER_SECOND * 1.1;
          // A peer that sent and heard nothing back handshakes again as soon as the way is open.
          if (!memory.carried || memory.lastHandshake === null || world.now - memory.lastHandshake >= REKEY_AFTER_MS) memory.lastHandshake = world.now;
        } else {
          const keepalive = readDuration(peer["persistent-keepalive"]);
          if (enabled(peer) && peer["endpoint-address"] && keepalive !== null && keepalive > 0) memory.tx += ((seconds * 1000) / keepalive) * KEEPALIVE_BYTES;
        }
        memory.lastTick = world.now;
        memory.carried = carried.has(key);
        this.peerMemory.set(key, memory);
        // Counted in fractions of a byte per tick, shown in whole bytes.
        mine.set(peer[".id"] ?? "", { lastHandshake: memory.lastHandshake, rx: Math.floor(memory.rx), tx: Math.floor(memory.tx) });
      }
    }
    // A peer removed and added again starts from nothing.
    for (const key of [...this.peerMemory.keys()]) if (!seen.has(key)) this.peerMemory.delete(key);
    return out;
  }

  private updateSessions(world: World, speakers: Speaker[], connected: Map<string, Connected[]>): Map<string, [Speaker, Speaker, SessionState]> {
    const established = new Map<string, [Speaker, Speaker, SessionState]>();
    const seen = new Set<string>();
    for (const s of speakers) {
      const key = `${s.router.name}/${s.name}`;
      seen.add(key);
      const memory = this.sessions.get(key);
      const link = linkOf(s, connected);
      const base: SessionState = memory?.state ?? {
        router: s.router.name,
        name: s.name,
        itemId: s.item[".id"] ?? "",
        remoteAddress: s.remoteAddress,
        localAddress: s.localAddress ?? link?.address ?? "",
        remoteAs: s.remoteAs,
        localAs: s.localAs,
        state: "idle",
        since: null,
        received: 0,
        accepted: 0,
        advertised: 0,
        limitExceeded: false,
        lastError: "",
        interface: link?.interface ?? "",
      };
      const state: SessionState = { ...base, remoteAs: s.remoteAs, localAs: s.localAs, interface: link?.interface ?? base.interface, localAddress: s.localAddress ?? link?.address ?? base.localAddress };
      const { peer, problem, transport } = this.findPeer(s, speakers, connected);
      if (this.limitTripped.has(key)) {
        Object.assign(state, { state: "idle", since: null, limitExceeded: true, lastError: "max prefix limit exceeded; clear the session to restart it" });
      } else if (peer !== null) {
        if (state.state !== "established") Object.assign(state, { state: "established", since: world.now, lastError: "" });
        state.limitExceeded = false;
        this.sessions.set(key, { state, lastHeard: world.now });
        established.set(key, [s, peer, state]);
        continue;
      } else if (state.state === "established" && transport && memory !== undefined && world.now - memory.lastHeard < s.holdMs) {
        // The neighbour went silent: the session holds until the hold timer expires.
        this.sessions.set(key, { state, lastHeard: memory.lastHeard });
        established.set(key, [s, s, state]);
        continue;
      } else {
        const expired = state.state === "established" && transport;
        // Like RouterOS, the last error stays until the session establishes again.
        Object.assign(state, { state: link ? "active" : "idle", since: null, lastError: expired ? "hold timer expired" : state.lastError || problem });
      }
      this.sessions.set(key, { state, lastHeard: memory?.lastHeard ?? 0 });
    }
    for (const key of [...this.sessions.keys()]) if (!seen.has(key)) this.sessions.delete(key);
    for (const key of [...this.lastRoutes.keys()]) if (!established.has(key)) this.lastRoutes.delete(key);
    for (const key of [...this.leakIntakes.keys()]) if (!established.has(key)) this.leakIntakes.delete(key);
    return established;
  }

  private findPeer(s: Speaker, speakers: Speaker[], connected: Map<string, Connected[]>): { peer: Speaker | null; problem: string; transport: boolean } {
    if (s.broken) return { peer: null, problem: s.broken, transport: false };
    const link = linkOf(s, connected);
    if (link === undefined) return { peer: null, problem: `no connected route to ${s.remoteAddress}`, transport: true };
    const localAddress = s.localAddress ?? link.address;
    for (const other of speakers) {
      if (other === s || other.remoteAddress !== localAddress || other.broken) continue;
      const otherLink = linkOf(other, connected);
      if (otherLink === undefined || otherLink.address !== s.remoteAddress) continue;
      if (s.remoteAs !== other.localAs || other.remoteAs !== s.localAs) {
        return { peer: null, problem: `AS mismatch: expecting AS${s.remoteAs}, ${other.router.name} is AS${other.localAs}`, transport: false };
      }
      if (s.localAs === other.localAs) return { peer: null, problem: "both ends have the same AS: this is not eBGP", transport: false };
      const mineOpen = inputAccepts(s.router, { protocol: "tcp", dstPort: 179, inInterface: link.interface }).accepted;
      const theirsOpen = inputAccepts(other.router, { protocol: "tcp", dstPort: 179, inInterface: otherLink.interface }).accepted;
      if (!mineOpen && !theirsOpen) return { peer: null, problem: "TCP 179 is dropped by both firewalls", transport: false };
      return { peer: other, problem: "", transport: true };
    }
    return { peer: null, problem: `no BGP neighbour configured at ${s.remoteAddress} for this session`, transport: true };
  }

  private exchangeRoutes(
    world: World,
    speakers: Speaker[],
    established: Map<string, [Speaker, Speaker, SessionState]>,
    connected: Map<string, Connected[]>,
    bulk: Map<string, BulkGroup[]>,
  ): Map<string, RouteState[]> {
    const candidates = new Map<string, RouteState[]>(world.routers.map((r) => [r.name, baseRoutes(r, world, connected.get(r.name) ?? [])]));
    // One budget for the tick's bulk work: a big leak is judged over several ticks.
    const budget = new Budget();
    for (const [key, [receiver, sender, state]] of established) {
      if (sender === receiver) {
        // Holding on a silent neighbour: its routes stay until the hold timer expires.
        candidates.get(receiver.router.name)!.push(...(this.lastRoutes.get(key) ?? []).map((r) => ({ ...r, active: false })));
        const intake = this.leakIntakes.get(key);
        if (intake !== undefined) bulk.get(receiver.router.name)!.push(leakGroup(receiver, state, intake, state.localAddress, "", true));
        continue;
      }
      const offered = announcements(sender, connected.get(sender.router.name) ?? [], candidates.get(sender.router.name) ?? []);
      // Named prefixes leaked past the output filter (`/lab/leak =prefixes=`), judged like any route.
      for (const dst of world.leakedPrefixes?.get(sender.router.name) ?? []) if (!offered.some((o) => o.dst === dst)) offered.push({ dst, asPath: [sender.localAs] });
      // A leak ignores the output filter: that is what makes it a leak.
      const leaked = world.leaks.get(sender.router.name) ?? 0;
      const intake = leaked > 0 ? this.leakIntake(key, receiver, sender, leaked) : undefined;
      if (intake === undefined) this.leakIntakes.delete(key);
      else if (!intake.done) intake.advance(budget);
      state.received = offered.length + leaked;
      const accepted: RouteState[] = [];
      const filtered: RouteState[] = [];
      const gateway = sender.localAddress ?? linkOf(sender, connected)?.address ?? receiver.remoteAddress;
      for (const route of offered) {
        if (route.asPath.includes(receiver.localAs)) continue; // eBGP loop prevention
        const verdict = inputVerdict(receiver, route.dst, route.asPath);
        if (!verdict.accepted) {
          if (!verdict.discarded) filtered.push({ dst: route.dst, gateway, distance: BGP_DISTANCE, protocol: "bgp", active: false, filtered: true, interface: state.interface, bgp: { asPath: route.asPath, localPref: DEFAULT_LOCAL_PREF, session: receiver.name, routerId: sender.routerId } });
          continue;
        }
        accepted.push({
          dst: route.dst,
          gateway,
          distance: BGP_DISTANCE,
          protocol: "bgp",
          active: false,
          interface: state.interface,
          bgp: { asPath: route.asPath, localPref: verdict.localPref, session: receiver.name, routerId: sender.routerId },
        });
      }
      state.accepted = accepted.length + (intake?.accepted ?? 0);
      // v7 limits routes processed (received); v6 limits prefixes accepted.
      const counted = receiver.v6 ? state.accepted : state.received;
      if (receiver.limit !== undefined && counted > receiver.limit) {
        this.limitTripped.add(key);
        this.leakIntakes.delete(key);
        Object.assign(state, { state: "idle", since: null, limitExceeded: true, lastError: `max prefix limit ${receiver.limit} exceeded (${counted} prefixes)` });
        continue;
      }
      candidates.get(receiver.router.name)!.push(...accepted, ...filtered);
      this.lastRoutes.set(key, accepted);
      if (intake !== undefined) bulk.get(receiver.router.name)!.push(leakGroup(receiver, state, intake, gateway, sender.routerId, false));
      const senderKey = `${sender.router.name}/${sender.name}`;
      const senderState = established.get(senderKey)?.[2];
      if (senderState) senderState.advertised = offered.length + leaked;
    }
    for (const list of candidates.values()) selectBest(list);
    return candidates;
  }

  /** The session's intake of a leak, started over when the leak or the receiver's filters change. */
  private leakIntake(key: string, receiver: Speaker, sender: Speaker, count: number): LeakIntake {
    const signature = `${count} ${sender.localAs} ${receiver.localAs} ${receiver.inputChain ?? ""} ${filtersOf(receiver.router).signature}`;
    const known = this.leakIntakes.get(key);
    if (known !== undefined && known.signature === signature) return known;
    const asPath = [sender.localAs];
    // eBGP loop prevention: a leak of the receiver's own AS comes to nothing.
    const judge = sender.localAs === receiver.localAs ? () => null : (dst: string) => runInputFilter(receiver, dst, asPath);
    const intake = new LeakIntake(signature, count, judge);
    this.leakIntakes.set(key, intake);
    return intake;
  }
}

/** A session's leaked routes as its router's table shows them. */
function leakGroup(receiver: Speaker, state: SessionState, intake: LeakIntake, gateway: string, routerId: string, held: boolean): BulkGroup {
  const asPath = intake.signature.split(" ")[1]!;
  return {
    key: `leak ${receiver.name}`,
    count: intake.count,
    ready: intake.ready,
    localPref: intake.localPref,
    fixedLocalPref: DEFAULT_LOCAL_PREF,
    version: `${intake.signature} ${gateway} ${routerId} ${state.interface} ${held}`,
    prefixOf: leakPrefix,
    gateway,
    asPathOf: () => asPath,
    session: receiver.name,
    routerId,
    interface: state.interface,
    competes: true,
    held,
  };
}

function setEquals(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function pppAddresses(tunnels: Tunnel[]): Map<string, Item[]> {
  const out = new Map<string, Item[]>();
  const add = (router: string, item: Item) => out.set(router, [...(out.get(router) ?? []), item]);
  for (const t of tunnels) {
    if (!t.up || t.ppp === undefined || t.listener === undefined) continue;
    add(t.listener.router, { address: `${t.ppp.local}/32`, network: t.ppp.remote, interface: t.listener.interface });
    add(t.initiator.router, { address: `${t.ppp.remote}/32`, network: t.ppp.local, interface: t.initiator.interface });
  }
  return out;
}

function speakersOf(router: RouterView): Speaker[] {
  const os = routerOs(router.version);
  if (os === null) return [];
  if (os.v6) {
    const instances = router.items("/routing/bgp/instance");
    return router
      .items("/routing/bgp/peer")
      .filter(enabled)
      .map((p) => {
        const instance = instances.find((i) => i.name === (p.instance ?? "default"));
        return {
          router,
          item: p,
          name: p.name ?? p[".id"] ?? "",
          localAs: Number(instance?.as ?? 0),
          remoteAs: Number(p["remote-as"] ?? 0),
          remoteAddress: p["remote-address"] ?? "",
          routerId: instance?.["router-id"] ?? "",
          holdMs: parseDuration(p["hold-time"], DEFAULT_HOLD),
          inputChain: p["in-filter"] || undefined,
          outputChain: p["out-filter"] || undefined,
          limit: p["max-prefix-limit"] ? Number(p["max-prefix-limit"]) : undefined,
          v6: true,
          broken: instance === undefined ? `BGP instance ${p.instance ?? "default"} does not exist` : !enabled(instance) ? `BGP instance ${instance.name} is disabled` : undefined,
        };
      });
  }
  const instances = router.items("/routing/bgp/instance");
  return router
    .items("/routing/bgp/connection")
    .filter(enabled)
    .map((c) => {
      const instance = os.bgpInstances ? instances.find((i) => i.name === c.instance) : undefined;
      const localAs = Number(c.as ?? instance?.as ?? 0);
      const broken = os.bgpInstances && instance === undefined ? `BGP instance ${c.instance ?? "(none)"} does not exist` : !localAs ? "no local AS" : undefined;
      return {
        router,
        item: c,
        name: c.name ?? c[".id"] ?? "",
        localAs,
        remoteAs: Number(c["remote.as"] ?? 0),
        remoteAddress: (c["remote.address"] ?? "").split("/")[0] ?? "",
        localAddress: c["local.address"] || undefined,
        routerId: c["router-id"] ?? instance?.["router-id"] ?? "",
        holdMs: parseDuration(c["hold-time"], DEFAULT_HOLD),
        inputChain: c["input.filter"] || undefined,
        outputChain: c["output.filter-chain"] || undefined,
        limit: c["input.limit-process-routes-ipv4"] ? Number(c["input.limit-process-routes-ipv4"]) : undefined,
        v6: false,
        broken,
      };
    });
}

function linkOf(s: Speaker, connected: Map<string, Connected[]>): Connected | undefined {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(s.remoteAddress)) return undefined;
  const target = parseAddress(s.remoteAddress);
  return (connected.get(s.router.name) ?? []).find((c) => addressInPrefix(target, c.prefix) && c.address !== s.remoteAddress);
}

/** Connected networks and static routes (with check-gateway), before BGP adds its own. */
function baseRoutes(router: RouterView, world: World, connected: Connected[]): RouteState[] {
  const routes: RouteState[] = connected.map((c) => ({ dst: formatPrefix(c.prefix), gateway: c.interface, distance: 0, protocol: "connected", active: false, interface: c.interface }));
  for (const r of router.items("/ip/route")) {
    if (!enabled(r) || isTrue(r.dynamic) || r["dst-address"] === undefined) continue;
    const gateway = r.gateway ?? "";
    let reachable: boolean;
    let iface: string | undefined;
    const { hop, interface: named } = parseGateway(gateway);
    if (hop !== undefined) {
      // `203.0.113.1%ether1`: that next hop, on that interface only.
      const via = connected.find((c) => addressInPrefix(parseAddress(hop), c.prefix) && (named === undefined || c.interface === named));
      iface = via?.interface;
      // check-gateway=ping: the far end must answer, i.e. some router holds that address on a live link.
      reachable = via !== undefined && (r["check-gateway"] !== "ping" || world.routers.some((o) => o !== router && o.items("/ip/address").some((a) => a.address?.split("/")[0] === hop)));
    } else {
      iface = gateway;
      reachable = connected.some((c) => c.interface === gateway) || isTrue(r.blackhole);
    }
    if (!reachable) continue;
    routes.push({ dst: formatPrefix(parsePrefix(r["dst-address"])), gateway, distance: Number(r.distance ?? 1), protocol: "static", active: false, itemId: r[".id"], interface: iface, table: tableOf(r) });
  }
  return routes;
}

interface Announcement {
  dst: string;
  asPath: number[];
}

function announcements(sender: Speaker, connected: Connected[], senderRoutes: RouteState[]): Announcement[] {
  const router = sender.router;
  const haveRoute = (dst: string) => senderRoutes.some((r) => r.dst === dst && r.protocol !== "bgp") || connected.some((c) => formatPrefix(c.prefix) === dst);
  let networks: string[];
  if (sender.v6) {
    networks = router.items("/routing/bgp/network").filter((n) => enabled(n) && (!isTrue(n.synchronize) || haveRoute(n.network ?? ""))).map((n) => n.network ?? "");
  } else {
    const list = sender.item["output.network"];
    // RouterOS 7 announces an output.network entry only while a route to it exists.
    networks = list ? router.items("/ip/firewall/address-list").filter((e) => enabled(e) && e.list === list && haveRoute(normalize(e.address ?? ""))).map((e) => normalize(e.address ?? "")) : [];
  }
  const out: Announcement[] = [];
  for (const dst of new Set(networks)) {
    const prepend = runOutputFilter(sender, dst);
    if (prepend === null) continue;
    out.push({ dst, asPath: Array(1 + prepend).fill(sender.localAs) });
  }
  return out;
}

function normalize(address: string): string {
  try {
    return formatPrefix(parsePrefix(address));
  } catch {
    return address;
  }
}

/** A router's filters read once per tick (a leak is judged by the hundred thousand), and what they say, for noticing a change. */
interface Filters {
  signature: string;
  v6?: V6Judge;
  v7?: V7Judge;
}

const filtersByView = new WeakMap<RouterView, Filters>();

function filtersOf(router: RouterView): Filters {
  let filters = filtersByView.get(router);
  if (filters === undefined) {
    const v6 = routerOs(router.version)?.v6 === true;
    const rules = router.items(v6 ? "/routing/filter" : "/routing/filter/rule");
    const lists = v6 ? [] : router.items("/ip/firewall/address-list").filter((e) => enabled(e) && e.address !== undefined);
    const addressList = (name: string) => {
      const entries = lists.filter((e) => e.list === name);
      return entries.length === 0 ? undefined : entries.map((e) => e.address!);
    };
    const signature = JSON.stringify([rules.map((r) => Object.entries(r).filter(([k]) => k !== ".id")), lists.map((e) => [e.list, e.address])]);
    filters = v6 ? { signature, v6: compileV6(rules) } : { signature, v7: compileV7(rules, { addressList }) };
    filtersByView.set(router, filters);
  }
  return filters;
}

/** Runs a route through one of the router's chains, by the rules of its RouterOS generation. */
function judge(speaker: Speaker, chain: string, route: FilterRoute): Verdict {
  const filters = filtersOf(speaker.router);
  return filters.v6 !== undefined ? filters.v6.judge(chain, route) : filters.v7!.judge(chain, route);
}

/** Prepend count, or null when the output chain rejects the network. */
function runOutputFilter(sender: Speaker, dst: string): number | null {
  if (sender.outputChain === undefined) return 0;
  const verdict = judge(sender, sender.outputChain, { dst, protocol: "connected", bgpNetwork: true });
  return verdict.accepted ? (verdict.route.prepend ?? 0) : null;
}

/** Local-pref, or null when the input chain rejects the route. No input filter accepts everything. */
function runInputFilter(receiver: Speaker, dst: string, asPath: number[]): number | null {
  const verdict = inputVerdict(receiver, dst, asPath);
  return verdict.accepted ? verdict.localPref : null;
}

/** What the input chain does with a route: accepted with its local-pref, or rejected (kept) or discarded (forgotten). */
function inputVerdict(receiver: Speaker, dst: string, asPath: number[]): { accepted: boolean; localPref: number; discarded: boolean } {
  if (receiver.inputChain === undefined) return { accepted: true, localPref: DEFAULT_LOCAL_PREF, discarded: false };
  // eBGP does not carry LOCAL_PREF; the lab starts every received route at the default.
  const verdict = judge(receiver, receiver.inputChain, { dst, protocol: "bgp", asPath, localPref: DEFAULT_LOCAL_PREF });
  return { accepted: verdict.accepted, localPref: verdict.route.localPref ?? DEFAULT_LOCAL_PREF, discarded: verdict.discarded === true };
}

/** Marks the best route per destination: lowest distance, then BGP's local-pref and AS-path length. */
function selectBest(routes: RouteState[]): void {
  const byDst = new Map<string, RouteState[]>();
  for (const r of routes) {
    if (r.filtered) continue;
    const key = `${r.table ?? "main"} ${r.dst}`;
    byDst.set(key, [...(byDst.get(key) ?? []), r]);
  }
  for (const list of byDst.values()) {
    list.sort(
      (a, b) =>
        a.distance - b.distance ||
        (b.bgp?.localPref ?? 0) - (a.bgp?.localPref ?? 0) ||
        (a.bgp?.asPath.length ?? 0) - (b.bgp?.asPath.length ?? 0) ||
        (a.bgp?.routerId ?? "").localeCompare(b.bgp?.routerId ?? "") ||
        a.gateway.localeCompare(b.gateway),
    );
    list[0]!.active = true;
  }
}
