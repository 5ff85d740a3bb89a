// The monitor's I/O that runs by itself: my router watched (events and looks), the friend's router
// where they granted an account, and the friend's routes streamed into the route view.
import { useEffect, useMemo, type Dispatch } from "react";
import type { Peering } from "../../../core/peering.js";
import { RouteTable } from "../../../core/route-table.js";
import { friendAddresses, watchFriendRouter } from "../../../flows/monitor.js";
import { watchRouter } from "../../../flows/watch.js";
import { useRouteFeed, type RouteFeedSource, type RouteFeedState } from "../../hooks/use-route-feed.js";
import type { RouterSession } from "../../hooks/use-router-session.js";
import { useTableRevision } from "../../hooks/use-table-revision.js";
import { useServices } from "../../services.js";
import type { MonitorAction } from "./monitor-state.js";

/** Watches my router and the friend's while connected; what they show goes to `dispatch`. */
export function useMonitorWatch(session: RouterSession | null, friend: string, dispatch: Dispatch<MonitorAction>): void {
  const services = useServices();

  // My router: listened to where it can say what changed, polled where not, reconnected with backoff.
  useEffect(() => {
    if (session === null) return;
    const controller = new AbortController();
    void watchRouter({
      connect: () => session.router.reconnect(),
      signal: controller.signal,
      onEvent: (event) => dispatch({ type: "watched", event }),
      onStatus: (status) => dispatch({ type: "status", status }),
    });
    return () => controller.abort();
  }, [session, dispatch]);

  // The friend's router, read-only, where they granted an account.
  useEffect(() => {
    if (session === null) return;
    const controller = new AbortController();
    void watchFriendRouter({
      platform: services.platform,
      workspace: services.workspace,
      friend,
      signal: controller.signal,
      onEvent: (event) => dispatch({ type: "friendWatched", event }),
      onStatus: (status) => dispatch({ type: "friendStatus", status }),
    });
    return () => controller.abort();
  }, [session, services.workspace, services.platform, friend, dispatch]);
}

export interface FriendRoutes {
  table: RouteTable;
  /** The table's revision as last drawn (redraws at most once a frame). */
  revision: number;
  feed: RouteFeedState;
}

/** The friend's routes (next hop one of their tunnel addresses), streamed while connected. */
export function useFriendRoutes(session: RouterSession | null, peering: Peering | undefined, friend: string): FriendRoutes {
  const table = useMemo(() => new RouteTable(), []);
  const revision = useTableRevision(table);
  // Keyed by value: a swap of primary gives a new peering object, not new addresses.
  const addresses = JSON.stringify(peering === undefined ? [] : friendAddresses(peering, friend));
  const source = useMemo<RouteFeedSource | null>(() => {
    const linkByAddress = new Map<string, string>(JSON.parse(addresses) as Array<[string, string]>);
    if (session === null || linkByAddress.size === 0) return null;
    return { router: session.router, addresses: [...linkByAddress.keys()], linkOf: (gateway) => linkByAddress.get(gateway) };
  }, [session, addresses]);
  const feed = useRouteFeed(table, source);
  return { table, revision, feed };
}
