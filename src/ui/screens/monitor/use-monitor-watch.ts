// The monitor's I/O that runs by itself: my router watched (one live model: tunnels and sessions
// looked at, the friend's routes on one stream into the route view's table, events off both), and
// the friend's router where they granted an account.
import { useEffect, useMemo, useState, type Dispatch } from "react";
import type { Peering } from "../../../core/peering.js";
import { RouteTable } from "../../../core/route-table.js";
import { friendAddresses, watchFriendRouter } from "../../../flows/monitor.js";
import { watchRouter, type RoutesState, type WatchEvent } from "../../../flows/watch.js";
import type { RouterSession } from "../../hooks/use-router-session.js";
import { FILTER_SLICE } from "../../frames.js";
import { useTableRevision } from "../../hooks/use-table-revision.js";
import { useServices } from "../../services.js";
import type { MonitorAction } from "./monitor-state.js";

/** Filtered routes listed at most: what the friend sent that my filters refused, beside the table. */
export const FILTERED_ROUTES = 1000;

export interface FriendRoutes {
  table: RouteTable;
  /** The table's revision as last drawn (redraws at most once a frame). */
  revision: number;
  feed: RoutesState;
}

/** Watches my router and the friend's while connected: what they show goes to `dispatch`, the friend's routes into the table. */
export function useMonitorWatch(session: RouterSession | null, peering: Peering | undefined, friend: string, dispatch: Dispatch<MonitorAction>): FriendRoutes {
  const services = useServices();
  const table = useMemo(() => new RouteTable({ filterSlice: FILTER_SLICE }), []);
  const revision = useTableRevision(table);
  const [feed, setFeed] = useState<RoutesState>("loading");
  // Keyed by value: a swap of primary gives a new peering object, not new addresses.
  const addresses = JSON.stringify(peering === undefined ? [] : friendAddresses(peering, friend));

  // My router: tunnels and sessions listened to where it can say what changed, polled where not;
  // the friend's routes followed; reconnected with backoff.
  useEffect(() => {
    if (session === null) return;
    const linkByAddress = new Map<string, string>(JSON.parse(addresses) as Array<[string, string]>);
    const controller = new AbortController();
    // Events that come in one go (a burst of best paths moving: up to one per route) reach the
    // screen as one step, not a render's worth of work each.
    let pending: WatchEvent[] = [];
    const flush = () => {
      const events = pending;
      pending = [];
      if (!controller.signal.aborted) dispatch(events.length === 1 ? { type: "watched", event: events[0]! } : { type: "watchedMany", events });
    };
    void watchRouter({
      connect: () => session.router.reconnect(),
      signal: controller.signal,
      onEvent: (event) => {
        if (pending.push(event) === 1) queueMicrotask(flush);
      },
      onStatus: (status) => dispatch({ type: "status", status }),
      routes: linkByAddress.size === 0 ? false : { table, addresses: [...linkByAddress.keys()], linkOf: (gateway) => linkByAddress.get(gateway), onState: setFeed, filtered: FILTERED_ROUTES },
    });
    return () => controller.abort();
  }, [session, dispatch, table, addresses]);

  // The friend's router, read-only, where they granted an account: its sessions, not its routes.
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

  return { table, revision, feed };
}
