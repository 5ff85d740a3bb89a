// The route view's feed: the friends' routes streamed into a RouteTable on a connection of its own
// (Router.feedFriendRoutes), started over after a lost connection with the same backoff as the
// watcher, the table emptied first so nothing stale stays on screen.
import { useEffect, useState } from "react";
import type { RouteTable } from "../../core/route-table.js";
import type { Router } from "../../platforms/platform.js";

export interface RouteFeedSource {
  readonly router: Router;
  /** The friends' tunnel addresses: routes via them are theirs. */
  readonly addresses: readonly string[];
  readonly linkOf?: (gateway: string) => string | undefined;
}

export type RouteFeedState = "loading" | "live" | "lost";

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000];

/** Feeds `table` while mounted; says whether the router's table is all in. */
export function useRouteFeed(table: RouteTable, source: RouteFeedSource | null): RouteFeedState {
  const [state, setState] = useState<RouteFeedState>("loading");
  useEffect(() => {
    if (source === null) return;
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let failures = 0;
      while (!signal.aborted) {
        table.clear();
        setState("loading");
        try {
          await source.router.feedFriendRoutes({
            addresses: source.addresses,
            signal,
            ...(source.linkOf ? { linkOf: source.linkOf } : {}),
            onUpdates: (routes, removed) => {
              table.upsert(routes);
              table.remove(removed);
            },
            onLoaded: () => {
              failures = 0;
              setState("live");
            },
          });
        } catch {
          // The watcher says what happened to the connection; here the view just waits and retries.
        }
        // A feed only ends by itself when something went wrong: wait before starting over.
        if (signal.aborted) break;
        setState("lost");
        const wait = BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]!;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    })();
    return () => controller.abort();
  }, [table, source]);
  return state;
}
