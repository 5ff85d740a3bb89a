// The monitor's route view, fed from the router on a connection of its own: the table as it is,
// then every change. RouterOS 7 follows the print (`=follow=`: changed routes come again, removed
// ones as `.dead`); RouterOS 6 has nothing to follow with in bgpals' reach (no listen), so it
// prints again every few seconds and works out what went away.
import type { Dialect } from "../dialects.js";
import type { RouteUpdate } from "../../../core/route-table.js";
import { RouterClient, type RouterTarget } from "./client.js";
import { routeProplist, routeUpdatesOf, streamPrint } from "./route-stream.js";

export interface RouteFeedOptions {
  readonly target: RouterTarget;
  /** Follows a print where the router can; polls where not. */
  readonly dialect: Pick<Dialect, "follows" | "dottedRouteAttributes">;
  /** Query words for `/ip/route` (e.g. friendRouteQuery). */
  readonly query: readonly string[];
  /** Routes added or changed, and `.id`s gone. Runs in the socket's data handler: keep it short. */
  readonly onUpdates: (routes: RouteUpdate[], removed: string[]) => void;
  /** The router's table as it was when the feed started is all in (once per feed). */
  readonly onLoaded?: (routes: number) => void;
  /** How many routes the table holds, before they come (RouterOS 7 counts them first). */
  readonly onExpected?: (routes: number) => void;
  /** The link a gateway belongs to (the friend's tunnel address → `isp1`); else the interface. */
  readonly linkOf?: (gateway: string) => string | undefined;
  /** Ends the feed; the promise then resolves. */
  readonly signal: AbortSignal;
  /** RouterOS 6: least time between prints, ms; default 5000 (and at least POLL_SHARE times the last print's time). */
  readonly pollMs?: number;
}

// A follow has no "that was the table" marker: the count taken first says when it is all in, and
// a pause settles it when routes went away meanwhile (rows never reach the count).
const SETTLED_AFTER_MS = 1000;
/** Short of this share of the count, a pause is more likely the router busy than routes gone. */
const NEARLY_ALL = 0.9;
const SETTLED_EARLY_AFTER_MS = 10_000;

/**
 * How long a pause in a follow's rows says the table is all in, with `rows` of the `expected` come.
 * Taken for loaded too early, the rest of the table would come as news: every route a best-path
 * event (a router busy with a million routes can pause for a second mid-print).
 */
export function settledAfterMs(rows: number, expected: number): number {
  return rows >= expected * NEARLY_ALL ? SETTLED_AFTER_MS : SETTLED_EARLY_AFTER_MS;
}

/** Feeds routes until `signal` aborts; rejects with a RouterError when the router is lost. */
export function feedRoutes(options: RouteFeedOptions): Promise<void> {
  return options.dialect.follows ? followRoutes(options) : pollRoutes(options);
}

async function followRoutes(options: RouteFeedOptions): Promise<void> {
  const client = await RouterClient.connect(options.target);
  let expected: number;
  try {
    expected = await client.count("/ip/route", { query: options.query });
  } finally {
    await client.close().catch(() => undefined);
  }
  options.onExpected?.(expected);
  let rows = 0;
  let loaded = false;
  let settle: NodeJS.Timeout | undefined;
  const done = (): void => {
    if (loaded) return;
    loaded = true;
    clearTimeout(settle);
    options.onLoaded?.(rows);
  };
  if (expected === 0) done();
  try {
    await streamPrint(options.target, "/ip/route", {
      follow: true,
      proplist: routeProplist(options.dialect),
      query: options.query,
      signal: options.signal,
      onBatch: (batch) => {
        const { routes, removed } = routeUpdatesOf(batch, options.linkOf);
        options.onUpdates(routes, removed);
        if (loaded) return;
        rows += batch.size;
        if (rows >= expected) return done();
        clearTimeout(settle);
        settle = setTimeout(done, settledAfterMs(rows, expected));
      },
    });
  } finally {
    clearTimeout(settle);
  }
}

/** RouterOS 6 polls: a print may take at most 1/POLL_SHARE of the time, so a big table is printed less often. */
const POLL_SHARE = 10;

async function pollRoutes(options: RouteFeedOptions): Promise<void> {
  let known = new Set<string>();
  let first = true;
  while (!options.signal.aborted) {
    const seen = new Set<string>();
    const started = performance.now();
    const summary = await streamPrint(options.target, "/ip/route", {
      proplist: routeProplist(options.dialect),
      query: options.query,
      signal: options.signal,
      onBatch: (batch) => {
        const { routes } = routeUpdatesOf(batch, options.linkOf);
        for (const route of routes) seen.add(route.id);
        options.onUpdates(routes, []);
      },
    });
    if (summary.cancelled) return;
    const gone = [...known].filter((id) => !seen.has(id));
    if (gone.length > 0) options.onUpdates([], gone);
    known = seen;
    if (first) options.onLoaded?.(seen.size);
    first = false;
    const wait = Math.max(options.pollMs ?? 5000, (performance.now() - started) * POLL_SHARE);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      options.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
