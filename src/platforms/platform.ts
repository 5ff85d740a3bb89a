// The seam: what a flow may ask of a router, in platform-neutral words. A platform (RouterOS
// today, src/platforms/routeros/) implements it; flows and screens see only these types, so a new
// platform is a new folder behind this file.
import type { Refusal } from "../core/checks.js";
import type { FeaturesOf } from "../core/features.js";
import type { CaCertificateBody } from "../core/offer.js";
import type { Peering, Side } from "../core/peering.js";
import type { Change, Plan } from "../core/plan.js";
import type { FilterVerdict } from "../core/policy.js";
import type { ObservedRoute } from "../core/prefer.js";
import type { RouteUpdate } from "../core/route-table.js";
import type { JournalContents } from "../core/journal.js";
import type { RouterTarget } from "../core/target.js";
import { ReadOnlyError, UserError } from "../errors.js";
import type { Journal } from "../core/journal.js";

// --- Reaching a router ---------------------------------------------------------------------------

export type { RouterTarget };

// --- What a router has ---------------------------------------------------------------------------

export interface WanCandidate {
  interface: string;
  /** Why it looks like a WAN: "pppoe-client", "dhcp-client", "default route", "interface list WAN". */
  reasons: string[];
  address?: string;
  /** Why the address may change: the ISP hands it out ("PPPoE", "DHCP"), or absent for a static one. */
  dynamic?: string;
  defaultRoutes: Array<{ gateway: string; distance: number; checkGateway?: string; active: boolean }>;
  /**
   * A link with one router at the other end (PPPoE, LTE, a tunnel): a route may name the interface
   * as its gateway. Otherwise (Ethernet, VLAN) a route needs the next hop's address.
   */
  pointToPoint: boolean;
  /** The ISP's router on a WAN that is not point-to-point: a default route's gateway, or the DHCP lease's. */
  nextHop?: string;
}

/** What discovery finds on a router. */
export interface PortInUse {
  port: number;
  protocol: "udp" | "tcp";
  /** What listens there, for people ("WireGuard wg-home"). */
  by: string;
  /** The peering whose listener it is, when bgpals made it. */
  peering?: string;
  /**
   * The one OpenVPN server a router has before 7.17: the peerings bgpals shares it between (a new
   * peering's OpenVPN links join it, on its port), none when a user set it up (it is not changed).
   */
  oneServer?: { peerings: string[] };
}

export interface Inventory {
  identity: string;
  version: string;
  /** The syntax family bgpals renders for ("v7.20"), or null when the version is not supported. */
  dialect: string | null;
  board: string;
  architecture: string;
  /** For people, on platforms other than RouterOS: what runs there ("Linux 6.1.0 (x86_64), BIRD 2.0.12"). */
  system?: string;
  /** More of what discovery found that only this platform has, for people, one line each. */
  notes?: string[];
  interfaces: Array<{ name: string; type: string; running: boolean; disabled: boolean }>;
  interfaceLists: Record<string, string[]>;
  wans: WanCandidate[];
  /** Connected networks on interfaces that are not WANs: the networks a wizard suggests sharing. */
  lans: Array<{ network: string; interface: string; address: string }>;
  /** Connected networks not taken as LANs, with why, for people ("Docker's network", "a tunnel"); absent: none left out. */
  lansLeftOut?: Array<{ network: string; interface: string; why: string }>;
  /**
   * Every address (with its mask) and route destination that is not bgpals's own: what tunnel
   * subnets and friends' prefixes must avoid.
   */
  prefixesInUse: string[];
  /** Addresses and routes bgpals made, or on tunnel interfaces, with who owns them. */
  tunnelPrefixes: Array<{ prefix: string; interface?: string; comment?: string }>;
  /** Routes that resolve through other routes (scope/target-scope), e.g. recursive failover. */
  recursiveRoutes: Array<{ dst: string; gateway: string; distance: number }>;
  bgp: { asns: number[]; sessions: Array<{ name: string; remoteAddress: string; remoteAs: string; established: boolean }> };
  /** RouterOS's IP Cloud; `none`: the platform has no such service (a Linux host). */
  cloud: { ddnsEnabled: boolean; dnsName?: string; publicAddress?: string; none?: boolean };
  firewall: { inputRules: number; dropsFromWan: boolean };
  /** UDP/TCP ports already taken by tunnel listeners; `peering` when bgpals made that listener for one. */
  portsInUse: PortInUse[];
}

// --- What a router is doing ----------------------------------------------------------------------

export interface TunnelStatus {
  name: string;
  link: string;
  peering: string;
  state: "up" | "down";
  lastHandshake: string | null;
  rx: number;
  tx: number;
  /**
   * Where the tunnel is sent now (the WireGuard peer's address, or the route pinning an OpenVPN
   * client's endpoint): for a friend's endpoint name, the last resolution of the router's endpoint script.
   */
  endpointAddress?: string;
  /** The WireGuard peer's persistent-keepalive, on the side that dials the friend. */
  keepalive?: string;
  /**
   * Router time nothing has been received from the friend, where that is why the tunnel is down
   * though its handshake is fresh: set by whoever compares looks (core/tunnel-liveness.ts).
   */
  silentFor?: string;
}

export interface SessionStatus {
  name: string;
  link: string;
  peering: string;
  remoteAs: number;
  /** The neighbour's address: routes with it as next hop came over this session. */
  remoteAddress: string;
  state: "established" | "idle" | "active" | "connect" | "down";
  uptime: string | null;
  prefixes: number;
  /** Our networks this session announces (those with a route, as the router requires); 0 while down. */
  advertised: number;
  limitExceeded: boolean;
  lastError: string;
  /** BGP's keepalive-time, as the router has it configured. */
  keepaliveTime?: string;
}

export interface RouteStatus {
  dst: string;
  gateway: string;
  active: boolean;
  localPref: number | null;
  asPath: string;
  link: string | null;
}

/** The peerings' tunnels and sessions on one router, and the friends' routes. */
export interface RouterStatus {
  tunnels: TunnelStatus[];
  sessions: SessionStatus[];
  routes: RouteStatus[];
}

/** Why a prefix was accepted or filtered on one session. */
export interface WhyAnswer {
  session: string;
  link: string | null;
  chain: string | null;
  verdict: FilterVerdict;
  summary: string;
}

/** A route a friend sent that an input filter rejected (the router keeps it, never active). */
export interface FilteredRoute {
  readonly id: string;
  readonly prefix: string;
  readonly gateway: string;
  /** AS path as the router prints it, comma separated. */
  readonly asPath: string;
  /**
   * Which rule rejected it, in words: "default route", "your own network 192.168.0.0/23",
   * "longer than /24", "not in friend's allowed prefixes", or the rule where it is not bgpals's.
   */
  readonly reason: string;
}

/** Filtered routes, at most the number asked for, and how many the router holds. */
export interface FilteredRoutes {
  readonly routes: readonly FilteredRoute[];
  readonly total: number;
}

export interface RouteFeedOptions {
  /** The friends' tunnel addresses: routes whose next hop is one of them are theirs. */
  readonly addresses: readonly string[];
  /** Routes added or changed, and ids gone. Keep it short: it runs as data arrives. */
  readonly onUpdates: (routes: RouteUpdate[], removed: string[]) => void;
  /** The table as it was when the feed started is all in (once per feed). */
  readonly onLoaded?: (routes: number) => void;
  /** How many routes are coming, where the router says so before sending them (room is made once). */
  readonly onExpected?: (routes: number) => void;
  /** The link a gateway belongs to (a friend's tunnel address → `isp1`). */
  readonly linkOf?: (gateway: string) => string | undefined;
  /** Ends the feed; the promise then resolves. */
  readonly signal: AbortSignal;
}

export interface StatusOptions {
  /**
   * Also read the friends' routes (default true). A watcher says false and follows them with
   * feedFriendRoutes instead: one stream, not a print of every route per look.
   */
  readonly routes?: boolean;
}

/** A subscription to a router's changes; stop() ends it on the router. */
export interface Watching {
  stop(): Promise<void>;
}

// --- Planning and writing ------------------------------------------------------------------------

/** Secrets a render needs and the peering file never holds. */
export interface LinkSecrets {
  /** OpenVPN PPP password per link name. */
  pppPassword?: Record<string, string>;
  /** WireGuard preshared key per link name. */
  presharedKey?: Record<string, string>;
  /**
   * The password of the read-only account this side granted the friend's monitor. A router never
   * shows it: a removal needs it to put the account back exactly if the removal is undone.
   */
  monitorPassword?: string;
}

export interface PlanRequest {
  peering: Peering;
  side: string;
  /** Other peerings of the peers directory (checked for ASN and prefix collisions). */
  others?: readonly Peering[];
  secrets?: LinkSecrets;
  /** Plan the removal of the peering instead. */
  remove?: boolean;
  /** "policy": only what a primary swap changes (filters and sessions); the rest is counted. */
  scope?: "all" | "policy";
  /** Public prefixes this side's user confirmed the friend may send (core/checks.ts CheckInput.acceptPublic). */
  acceptPublic?: readonly string[];
  /**
   * Turns the friend's endpoint names into addresses while planning, so a name that does not
   * resolve is refused before anything is written (default: the router's ConnectOptions.resolve).
   */
  resolve?: (name: string) => Promise<string>;
  /** The friend's OpenVPN CA this run puts on the router before applying (complete): checked as if it were there. */
  friendCa?: CaCertificateBody;
  /** What each side's platform offers, for the checks (default: the router's Router.featuresOf). */
  featuresOf?: FeaturesOf;
}

export interface RouterPlan {
  /** The version planned for: the router's own. */
  version: string;
  /** Why the peering cannot go on this router; the plan is empty when there are any. */
  refusals: Refusal[];
  plan: Plan;
  /** With scope "policy": changes the router needs that the plan leaves out (drift). */
  otherChanges: number;
}

export type ApplyEvent =
  | { kind: "start"; index: number; total: number; change: Change }
  | { kind: "done"; index: number; total: number; change: Change }
  | { kind: "failed"; change: Change; error: Error }
  | { kind: "undo"; change: Change }
  | { kind: "undone"; count: number; problems: string[] };

export interface ApplyOptions {
  /** Turns a DNS name into an address where a change needs one (a pinned endpoint route). */
  resolve?: (name: string) => Promise<string>;
  /** Send independent changes together (default) or one at a time. */
  pipeline?: boolean;
  onEvent?: (event: ApplyEvent) => void;
}

export type ApplyResult =
  | {
      ok: true;
      applied: number;
      roundTrips: number;
      /** Read back after: a re-plan found nothing left to do. */
      verified: boolean;
      /** What a re-plan still found (empty when verified). */
      differences: string[];
    }
  | {
      ok: false;
      error: Error;
      failedAt: Change | null;
      undone: number;
      undoProblems: string[];
      /** Read back after the undo: the router holds what it held before the run. */
      verified: boolean;
      message: string;
    };

/** What the steps that prepare a peering report while they write. */
export interface PrepareHooks {
  onApply?: (event: ApplyEvent) => void;
}

/** Objects a peering's preparation makes before its plan: all of them, or only those a complete writes just before the plan. */
export type PreparedPart = "all" | "friend-ca" | "monitor-account";

// --- Holding a router, and the journal of what a run writes ------------------------------------
// A run is the work done under one lock: read, plan and write. Every write goes into a journal,
// flushed before the write is sent, so that a run that dies half way (SIGKILL, a reboot, a closed
// laptop) can be undone by the next one.

/** Who holds a router, as the lock on the router says. */
export interface LockHolder {
  host: string;
  pid: number;
  /** The bgpals command: apply, remove, prefer, accept, ... */
  command: string;
  peering: string | null;
  /** When the lock was taken (ISO). */
  since: string;
  /** The holder's last sign of life (ISO); a holder silent for a minute is gone. */
  heartbeat: string;
}

/** A run that ended without finishing, as its journal tells it. */
export interface InterruptedRun {
  command: string;
  peering: string | null;
  /** The router, as the run named it. */
  router: string;
  host: string;
  pid: number;
  startedAt: string;
  /** Writes the run meant to send (each flushed before it was sent), and how many the router answered. */
  writes: number;
  answered: number;
  /** Writes already undone by the run itself. */
  undone: number;
  /** For people: the writes not undone yet, newest first. */
  pending: string[];
  /** Where the journal is. */
  file: string;
  /** Secrets undo needs (private keys, passwords) that this journal could not keep or cannot open here. */
  secretsMissing: boolean;
}

/** An interrupted run as its journal tells it (every platform journals alike, core/journal.ts). */
export function interruptedRunOf(contents: JournalContents): InterruptedRun {
  const pending = contents.writes.filter((w) => !w.undone);
  return {
    ...contents.run,
    file: contents.file,
    writes: contents.writes.length,
    answered: contents.writes.filter((w) => w.answered).length,
    undone: contents.writes.length - pending.length,
    pending: pending.map((w) => w.what).reverse(),
    secretsMissing: contents.secretsMissing,
  };
}

/** What an undo did, and what reading the router back showed. */
export interface UndoReport {
  undone: number;
  problems: string[];
  /** The router read back equal to what it held before the run: only then is it "as it was before". */
  verified: boolean;
  /** Where the read-back differs from before (empty when verified). */
  differences: string[];
}

export interface LockRequest {
  /** The command, for the lock and the journal: apply, remove, prefer, accept, ... */
  command: string;
  peering?: string | null;
  /** How long to wait for a live holder, in ms; 0 (default) refuses at once. */
  waitMs?: number;
  /** While waiting, about once a second: who holds the router, and how much longer we wait. */
  onWait?: (holder: LockHolder, remainingMs: number) => void;
  /** A holder that is gone (same host and its process is not running, or no heartbeat for a minute) was replaced. */
  onTakeover?: (holder: LockHolder, why: string) => void;
  /**
   * An earlier run on this router was interrupted (its journal is here): "undo" undoes it first (and
   * then `work` runs); "refuse" (default) throws InterruptedRunError saying what to run.
   */
  recover?: "undo" | "refuse";
  /** The interrupted run and its undo, before `work` runs. */
  onRecovered?: (run: InterruptedRun, report: UndoReport) => void;
  /** Each write an undo makes. */
  onUndo?: (what: string) => void;
  /** Aborted (Ctrl-C): no new write is sent; what was written is undone, and `work` fails. */
  signal?: AbortSignal;
  /** How often the holder renews its heartbeat, in ms (default 10 s). */
  heartbeatMs?: number;
}

/** Another run holds the router. */
export class RouterLockedError extends UserError {
  constructor(
    message: string,
    readonly holder: LockHolder,
  ) {
    super(message);
  }
}

/** A run on this router was interrupted and has not been undone yet. */
export class InterruptedRunError extends UserError {
  constructor(
    message: string,
    readonly run: InterruptedRun,
  ) {
    super(message);
  }
}

// The journal's shapes are core's (the store implements them, platforms write through them).
export type { Journal, JournalContents, JournalRun, JournalWrite } from "../core/journal.js";

/** Opens the journal of a router, by a key the platform gives (its address). */
export type JournalStore = (routerKey: string) => Journal;

/** bgpals runs read-only: nothing is written to any router. `leave` says how to write ("run without --read-only"). */
export interface ReadOnlyMode {
  readonly leave: string;
}

export interface ConnectOptions {
  /** Open the router read-only: every write is refused (readOnlyRouter), and below that by the platform's own client. */
  readOnly?: ReadOnlyMode;
  /** Where runs keep their journal; without it a run's journal is kept in memory only (no crash recovery). */
  journals?: JournalStore;
  /** How plans on this router resolve endpoint names (PlanRequest.resolve). */
  resolve?: (name: string) => Promise<string>;
  /**
   * What any side's platform offers: the friend may run another platform than this router, and
   * only the composition root knows them all. Default: this platform's own (a friend on another
   * platform is then refused).
   */
  featuresOf?: FeaturesOf;
}

// --- The router ----------------------------------------------------------------------------------

/** One open connection to a router. */
export interface Router {
  readonly platform: Platform;
  /** How screens and messages name it: a profile name or user@host:port. */
  readonly label: string;
  /** The pinned certificate (SSH: host key) fingerprint, to store with the profile; null without encryption. */
  readonly fingerprint: string | null;
  readonly closed: boolean;
  /** What each side's platform offers, for checks over both sides of a peering (ConnectOptions.featuresOf). */
  readonly featuresOf: FeaturesOf;
  /** Another connection to the same router, same credentials and pin. */
  reconnect(): Promise<Router>;
  close(): Promise<void>;

  // Reading
  version(): Promise<string>;
  discover(): Promise<Inventory>;
  status(options?: StatusOptions): Promise<RouterStatus>;
  /** Calls `changed` soon after a tunnel or session may have changed (routes: feedFriendRoutes); null where the router cannot tell (poll instead). */
  watchChanges(changed: () => void): Promise<Watching | null>;
  /** The BGP routes of the routing table, as a primary swap predicts and observes them. */
  bgpRoutes(): Promise<ObservedRoute[]>;
  /** Streams the friends' routes until `signal` aborts; rejects when the router is lost. Uses connections of its own. */
  feedFriendRoutes(options: RouteFeedOptions): Promise<void>;
  why(prefix: string, options?: { session?: string; asPath?: number[] }): Promise<WhyAnswer[]>;
  /**
   * The routes from these friends' tunnel addresses that an input filter rejected and the router
   * keeps (at most `limit`, with the reason), one small print: not part of the route stream.
   * Empty where the router forgets them.
   */
  filteredRoutes(addresses: readonly string[], limit: number): Promise<FilteredRoutes>;

  // Holding the router: every write happens inside a run.
  /**
   * Runs `work` holding the router-wide lock, so that what it reads, plans and writes sees no other
   * bgpals run. Re-entrant: an exclusive inside another is part of the same run. When `work` fails
   * (or `signal` aborts it), every write of the run not yet undone is undone, newest first, and the
   * router is read back; the error then says what was undone and whether the read-back matched.
   */
  exclusive<T>(request: LockRequest, work: () => Promise<T>): Promise<T>;
  /** The lock on the router, or null. */
  lockHolder(): Promise<LockHolder | null>;
  /** Removes the lock whoever holds it (`bgpals unlock`); what it said, or null when there was none. */
  unlock(): Promise<LockHolder | null>;
  /** The run this computer's journal says was interrupted on this router, or null. */
  interruptedRun(): InterruptedRun | null;

  // Planning and writing: all or nothing.
  plan(request: PlanRequest): Promise<RouterPlan>;
  /**
   * Applies a plan inside a run (its own when none is held). A plan made outside the run is
   * checked against the router first: when what it was made from changed, nothing is written.
   */
  apply(plan: Plan, options?: ApplyOptions): Promise<ApplyResult>;

  // Preparing a peering, before its plan: what the friend needs from this router.
  /** Makes the tunnels whose keys the router generates (WireGuard); their public keys by link. */
  prepareLinks(draft: Peering, side: string, hooks?: PrepareHooks): Promise<Record<string, string>>;
  /**
   * A CA and the server's or client's certificate, made on the router (what is there already is
   * kept); the CA's public part. A server certificate names `serverNames` (the endpoints clients
   * dial), which RouterOS 7 clients check.
   */
  makeCertificates(peering: string, role: "server" | "client", serverNames?: readonly string[]): Promise<CaCertificateBody>;
  /** Trusts the friend's CA certificate on the router (its fingerprint checked first). */
  importFriendCa(peering: string, ca: CaCertificateBody): Promise<void>;
  /** A read-only account for the friend's monitor. */
  grantMonitorAccount(peering: string, friend: string, password: string, hooks?: PrepareHooks): Promise<void>;
  /** Removes what preparing a peering made (all of it, or one part). */
  discardPrepared(peering: string, what?: PreparedPart): Promise<void>;
  /** Restarts a session a max-prefix trip holds down. */
  clearSession(session: SessionStatus): Promise<void>;
}

export interface RenderedText {
  /** What an admin could paste: a RouterOS script. */
  text: string;
  /** The same as data: commands with their paths and attributes. */
  json: Record<string, unknown>;
  notes: string[];
}

export interface Platform {
  /** For people: "RouterOS". */
  readonly name: string;
  /** A side's `platform.os` in a peering file. */
  readonly os: string;
  /** What each version offers (core/features.ts). */
  readonly featuresOf: FeaturesOf;
  /** Where the platform's API listens by default: a friend's monitor reaches it there. */
  readonly apiPort: number;
  /** The read-only account a side grants its friend's monitor, for a peering. */
  monitorAccountName(peering: string): string;
  /**
   * What an interrupted run cannot put back when this computer's journal keeps no secrets (there is
   * no identity to seal them with), for a note before a run that removes: "a removed WireGuard
   * interface comes back with a new key". Absent where an undo needs no secret from the journal.
   */
  readonly lostWithoutJournalSecrets?: string;
  /** Why this platform cannot grant the friend's monitor an account yet (absent: it can). */
  readonly monitorAccountUnsupported?: string;
  /** A side's `platform` in a peering file or bundle, for a router of this platform at `version` (Router.version). */
  sidePlatform(version: string): Side["platform"];
  connect(target: RouterTarget, label?: string, options?: ConnectOptions): Promise<Router>;
  /** One side of a peering as the platform's own configuration, offline. Throws an expected error when it cannot. */
  /** `featuresOf`: what the friend's platform offers, where a side's render follows it (a Linux side's OpenVPN cipher). */
  render(peering: Peering, side: string, options?: { version?: string; secrets?: LinkSecrets; featuresOf?: FeaturesOf }): RenderedText;
  /** A plan as a script file, and the file's extension. */
  planScript(plan: Plan, peering: string): { extension: string; text: string };
}

// --- Read-only mode ------------------------------------------------------------------------------

/** What a Router may do read-only; anything else (a write method, and any added later) is refused. */
const READING: ReadonlySet<PropertyKey> = new Set<keyof Router>(["platform", "label", "fingerprint", "closed", "close", "version", "discover", "status", "watchChanges", "bgpRoutes", "feedFriendRoutes", "why", "filteredRoutes", "lockHolder", "interruptedRun", "plan"]);

/** How a refused write is named in its message. */
const WRITES: Partial<Record<keyof Router, string>> = {
  apply: "apply",
  unlock: "removing the lock",
  prepareLinks: "preparing the tunnels",
  makeCertificates: "making certificates",
  importFriendCa: "importing the friend's CA certificate",
  grantMonitorAccount: "granting the monitor account",
  discardPrepared: "removing what an offer prepared",
  clearSession: "clearing a BGP session",
};

/**
 * The router, refusing every write with a ReadOnlyError before anything is sent: the lock (it is
 * written on the router), apply, preparing a peering, clearing a session. Reads pass through. Only
 * what is known to read is let through, so a write method added to Router later is refused too.
 */
export function readOnlyRouter(router: Router, mode: ReadOnlyMode): Router {
  return new Proxy(router, {
    get(target, property) {
      if (property === "reconnect") return async () => readOnlyRouter(await target.reconnect(), mode);
      // The router itself as receiver: its private fields are not the proxy's.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (typeof property === "symbol" || READING.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        const what = property === "exclusive" ? String((args[0] as LockRequest | undefined)?.command ?? "this") : WRITES[property as keyof Router] ?? property;
        return Promise.reject(new ReadOnlyError(what, target.label, mode.leave));
      };
    },
  });
}

/** The platform with every router it opens read-only (a friend's router for the monitor included). */
export function readOnlyPlatform(platform: Platform, mode: ReadOnlyMode): Platform {
  return { ...platform, connect: (target, label, options) => platform.connect(target, label, { ...options, readOnly: mode }) };
}
