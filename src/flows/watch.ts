// Watches a router: one live model of it that the status command, the monitor's screen, its route
// view and its event log all read. Tunnels and sessions are looked at (small: a few items), woken
// early where the router streams their changes; the friends' routes come on one stream of their
// own (Router.feedFriendRoutes: a follow on RouterOS 7, a bounded poll of only those routes on 6)
// into a RouteTable, and best-path events are read off that stream, never off a print of every
// route per look. A lost connection is said once, retried with backoff, and resumed without
// repeating events.
import { BestPaths } from "../core/best-paths.js";
import { statusEvents, type MonitorEvent, type RouteView } from "../core/events.js";
import { RouteTable } from "../core/route-table.js";
import { TunnelLiveness } from "../core/tunnel-liveness.js";
import type { Router, RouterStatus, Watching } from "../platforms/platform.js";

export type WatchEvent =
  | (MonitorEvent & { time: string })
  | { event: "connected"; time: string; version: string }
  | { event: "connection-lost"; time: string; error: string; retryInMs: number }
  /** The first look; `routes` counts the friends' routes then, listed in `status.routes` up to SNAPSHOT_ROUTES. */
  | { event: "snapshot"; time: string; status: RouterStatus; routes: number };

/** The friends' routes' feed: waiting for the table, all in and following, or lost (retrying). */
export type RoutesState = "loading" | "live" | "lost";

export interface WatchRoutes {
  /** Where the routes go; the watcher empties it when it starts over. */
  readonly table: RouteTable;
  /** Whose routes: these next hops (a monitor's friend); default every session's neighbour. */
  readonly addresses?: readonly string[];
  /** The link a next hop belongs to; default the link of the session with that neighbour. */
  readonly linkOf?: (gateway: string) => string | undefined;
  readonly onState?: (state: RoutesState) => void;
  /**
   * Also list the routes from those next hops that an input filter rejected, at most this many,
   * each with its reason: read at a look, at most every `pollMs`, never on the route stream.
   */
  readonly filtered?: number;
}

export interface WatchOptions {
  connect: () => Promise<Router>;
  onEvent: (event: WatchEvent) => void;
  /** Every look, changed or not: screens draw the latest state from it (`routes` stays empty: read the table). */
  onStatus?: (status: RouterStatus) => void;
  signal: AbortSignal;
  /** Slowest look, in ms (default 2000). */
  pollMs?: number;
  now?: () => Date;
  /** The friends' routes: followed into this table (default one of its own); false for tunnels and sessions only. */
  routes?: WatchRoutes | false;
}

/** The shortest time between two looks a change on the router asks for. */
const WAKE_GAP_MS = 1000;

/** A snapshot or a reconnect lists (and compares) the routes themselves up to this many. */
export const SNAPSHOT_ROUTES = 10_000;
/** Changes that come together (a best path moving is two updates) are told together after this pause. */
const SETTLE_MS = 100;
/**
 * Prefixes looked at for best-path changes in one turn of the event loop (a few ms, the screen's
 * log of them included); more wait for the next turn, so the screen draws between (a table
 * reloaded is a million of them). 8,192 took 10 to 130 ms a turn at a million routes.
 */
export const BEST_PATHS_PER_TURN = 2048;
const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/** The friends' routes as the events compare them (what the router took: not the filtered ones). */
function routeViews(table: RouteTable): RouteView[] {
  return table.all().filter((r) => r.filtered === null).map((r) => ({ dst: r.prefix, gateway: r.gateway, active: r.active, localPref: r.localPref, link: r.link === "" ? null : r.link, asPath: r.asPath.replace(/ /g, ",") }));
}

function asStatus(route: RouteView): RouterStatus["routes"][number] {
  return { dst: route.dst, gateway: route.gateway, active: route.active, localPref: route.localPref, asPath: route.asPath ?? "", link: route.link };
}

/** The filtered routes into the table (ids of their own), those no longer filtered out; the ids listed now. */
async function listFiltered(router: Router, table: RouteTable, addresses: string[], limit: number, linkOf: (gateway: string) => string | undefined, listed: Set<string>): Promise<Set<string>> {
  let found;
  try {
    found = await router.filteredRoutes(addresses, limit);
  } catch {
    // A side list: the looks and the stream say when the router is lost.
    return listed;
  }
  const now = new Set<string>();
  table.upsert(
    found.routes.map((r) => {
      const id = `filtered ${r.id}`;
      now.add(id);
      return { id, prefix: r.prefix, gateway: r.gateway, active: false, localPref: null, asPath: r.asPath, link: linkOf(r.gateway) ?? "", filtered: r.reason };
    }),
  );
  table.remove([...listed].filter((id) => !now.has(id)));
  table.holdsFiltered(found.total);
  return now;
}

export async function watchRouter(options: WatchOptions): Promise<void> {
  const time = () => (options.now?.() ?? new Date()).toISOString();
  const pollMs = options.pollMs ?? 2000;
  const routes = options.routes === false ? null : (options.routes ?? { table: new RouteTable() });
  const best = routes === null ? null : new BestPaths(routes.table);
  let last: RouterStatus | null = null;
  /** The routes' best paths as last told, kept across a reconnect (small tables only) to compare after. */
  let toldRoutes: RouteView[] | null = null;
  let snapshotSent = false;
  let failures = 0;
  // Each look's tunnels against the one before: a fresh handshake is not enough, the friend must
  // still be heard (kept across reconnects: a reboot restarts the counters, which reads as heard).
  const liveness = new TunnelLiveness();
  const emit = (events: readonly MonitorEvent[]) => {
    // One time for what came together: a burst of best paths moving can be a route table's worth.
    const at = events.length === 0 ? "" : time();
    for (const e of events) options.onEvent({ ...e, time: at });
  };
  while (!options.signal.aborted) {
    let router: Router | null = null;
    let watching: Watching | null = null;
    const feedStop = new AbortController();
    let settleTimer: NodeJS.Timeout | undefined;
    try {
      router = await options.connect();
      const version = await router.version();
      options.onEvent({ event: "connected", time: time(), version });
      failures = 0;
      let wake: (() => void) | null = null;
      let lookedAt = 0;
      let lost: Error | null = null;
      watching = await router.watchChanges(() => wake?.());

      // The routes' feed: started once the first look says whose routes they are; again if that changes.
      // null until the first look (no friend sessions at all is a key too: "").
      let feeding: string | null = null;
      let linkOfFeed: (gateway: string) => string | undefined = () => undefined;
      // The filtered routes listed in the table (by their own ids), and when they were read last.
      let filteredIds = new Set<string>();
      let filteredAt = 0;
      // Without routes to follow, the first look is all there is to wait for.
      let loaded = routes === null;
      const startFeed = (status: RouterStatus): void => {
        if (routes === null || best === null) return;
        const linkBySession = new Map(status.sessions.map((s) => [s.remoteAddress, s.link]));
        const addresses = [...new Set(routes.addresses ?? status.sessions.map((s) => s.remoteAddress))].filter((a) => a !== "").sort();
        const key = addresses.join(" ");
        if (key === feeding) return;
        feeding = key;
        loaded = false;
        best.reset();
        routes.table.clear();
        filteredIds = new Set();
        filteredAt = 0;
        routes.onState?.("loading");
        if (addresses.length === 0) {
          loaded = true;
          routes.onState?.("live");
          return;
        }
        const linkOf = routes.linkOf ?? ((gateway: string) => linkBySession.get(gateway));
        linkOfFeed = linkOf;
        router!
          .feedFriendRoutes({
            addresses,
            linkOf,
            signal: feedStop.signal,
            onUpdates: (updates, removed) => {
              if (loaded) best.note(updates, removed);
              routes.table.upsert(updates);
              routes.table.remove(removed);
              if (loaded && best.pending > 0 && settleTimer === undefined) {
                const tell = (): void => {
                  emit(best.changes(BEST_PATHS_PER_TURN));
                  // The rest on the next turn (after timers: the screen's frame); nothing noted meanwhile is lost.
                  settleTimer = best.pending > 0 ? setTimeout(tell, 0) : undefined;
                };
                settleTimer = setTimeout(tell, SETTLE_MS);
              }
            },
            // Room for the table before it comes, not grown (and rehashed) as it arrives.
            onExpected: (count) => routes.table.reserve(count),
            onLoaded: () => {
              loaded = true;
              // After a reconnect, what changed meanwhile is told (where the table is small enough to compare).
              if (toldRoutes !== null && routes.table.size <= SNAPSHOT_ROUTES) {
                emit(statusEvents({ tunnels: [], sessions: [], routes: toldRoutes }, { tunnels: [], sessions: [], routes: routeViews(routes.table) }));
              }
              toldRoutes = null;
              routes.onState?.("live");
              wake?.();
            },
          })
          .then(
            () => undefined,
            (e: unknown) => {
              if (feedStop.signal.aborted) return;
              lost = e instanceof Error ? e : new Error(String(e));
              wake?.();
            },
          );
      };

      while (!options.signal.aborted) {
        if (router.closed) throw new Error("the connection was closed");
        if (lost !== null) throw lost;
        const looked = await router.status({ routes: false });
        const status = { ...looked, tunnels: liveness.judge(looked.tunnels, looked.sessions) };
        lookedAt = Date.now();
        startFeed(status);
        // startFeed set it (TypeScript cannot see through the closure).
        const fed = feeding as string | null;
        if (routes?.filtered !== undefined && fed !== null && fed !== "" && Date.now() - filteredAt >= pollMs) {
          filteredAt = Date.now();
          filteredIds = await listFiltered(router, routes.table, fed.split(" "), routes.filtered, linkOfFeed, filteredIds);
        }
        if (snapshotSent) {
          emit(statusEvents(last!, status));
        } else if (loaded) {
          // The first look is told whole, once the routes are in too.
          const count = routes?.table.counts().total ?? 0;
          const listed = routes === null || count > SNAPSHOT_ROUTES ? [] : routeViews(routes.table);
          options.onEvent({ event: "snapshot", time: time(), status: { ...status, routes: listed.map(asStatus) }, routes: count });
          snapshotSent = true;
        }
        last = status;
        options.onStatus?.(status);
        await new Promise<void>((resolve) => {
          const done = () => {
            options.signal.removeEventListener("abort", done);
            resolve();
          };
          // Until the routes are in, look often: the snapshot waits for them.
          const t = setTimeout(done, snapshotSent ? pollMs : Math.min(pollMs, 250));
          // A change seen by the router's stream: look again shortly (changes come in bursts), but
          // not more than once a second: a busy tunnel's counters change all the time, and every
          // look is drawn.
          wake = () => {
            clearTimeout(t);
            wake = null;
            setTimeout(done, Math.max(50, WAKE_GAP_MS - (Date.now() - lookedAt)));
          };
          options.signal.addEventListener("abort", done, { once: true });
        });
      }
    } catch (e) {
      if (options.signal.aborted) break;
      const retryInMs = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!;
      if (failures === 0) options.onEvent({ event: "connection-lost", time: time(), error: (e as Error).message, retryInMs });
      // What the routes were, to tell what changed once they are back (small tables: a big one is reloaded silently).
      if (routes !== null && toldRoutes === null && snapshotSent && routes.table.size <= SNAPSHOT_ROUTES) toldRoutes = routeViews(routes.table);
      routes?.onState?.("lost");
      failures++;
      await sleep(retryInMs, options.signal);
    } finally {
      clearTimeout(settleTimer);
      feedStop.abort();
      await watching?.stop().catch(() => undefined);
      await router?.close().catch(() => undefined);
    }
  }
}
