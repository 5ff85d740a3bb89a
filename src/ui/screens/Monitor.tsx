// Monitor: one peering, live. Each link's tunnel and BGP session, the friend's prefixes (a
// virtualized table), an event log, and the friend's own router where they granted a read-only
// account. p swaps primary and backup (prediction first, then apply, then the observed move),
// l clears a session stopped by its prefix limit, w says why a prefix was accepted or filtered.
// The screen's state is a reducer (monitor/monitor-state.ts); the I/O is in the monitor/ hooks.
import { Text } from "ink";
import { useReducer, useState } from "react";
import { peeringWith } from "../../flows/monitor.js";
import { RouteTable, routeTableExtent, routeTablePageRows, ROUTE_TABLE_CHROME_ROWS } from "../components/RouteTable.js";
import { useScreenCommand } from "../components/CommandLine.js";
import { bodyRows, ScreenFrame } from "../components/ScreenFrame.js";
import { useRouteTableState } from "../hooks/use-route-table-state.js";
import { useRouterSession, type RouterSession } from "../hooks/use-router-session.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { useServices } from "../services.js";
import { useActions } from "../state.js";
import { SCREEN_INFO } from "./catalog.js";
import { EventLog } from "./monitor/EventLog.js";
import { FriendRouterLine, LinkLines } from "./monitor/LinkLines.js";
import { initialMonitorState, monitorReducer } from "./monitor/monitor-state.js";
import { MonitorOverlay } from "./monitor/MonitorOverlay.js";
import { useMonitorActions } from "./monitor/use-monitor-actions.js";
import { useMonitorInput } from "./monitor/use-monitor-input.js";
import { useMonitorWatch } from "./monitor/use-monitor-watch.js";
import { useTunnelRates } from "./monitor/use-tunnel-rates.js";
import { RouterStep } from "./wizard-kit.js";

export { eventLine } from "./monitor/monitor-state.js";
export { formatRate, linkPath } from "./monitor/LinkLines.js";

const EVENT_ROWS = 4;
const LINK_ROWS = 2;

/**
 * Rows for the route view and the event log, under the peering line, the link rows (always all
 * of them), the friend's router line and the Events heading: the route view takes what its routes
 * need, leaving the log EVENT_ROWS where there is room; where there is little (60×20), the routes
 * come first: the log keeps half the rows past the route view's own, and at least one.
 */
export function monitorLayout(body: number, links: number, friendLine: boolean, matching: number): { routeRows: number; eventRows: number } {
  const available = body - 1 - links * LINK_ROWS - (friendLine ? 1 : 0) - 1;
  const leaveForEvents = Math.max(1, Math.min(EVENT_ROWS, Math.floor((available - ROUTE_TABLE_CHROME_ROWS) / 2)));
  const routeRows = Math.max(ROUTE_TABLE_CHROME_ROWS + 1, Math.min(ROUTE_TABLE_CHROME_ROWS + Math.max(1, matching), available - leaveForEvents));
  return { routeRows, eventRows: Math.max(1, available - routeRows) };
}

export function Monitor({ friend, focused }: { friend: string; focused: boolean }) {
  const services = useServices();
  const app = useActions();
  const size = useTerminalSize();
  const me = services.operator;
  const { open } = useRouterSession();
  const [session, setSession] = useState<RouterSession | null>(null);
  // The peering is read once: after p the screen holds the swapped one.
  const [state, dispatch] = useReducer(monitorReducer, null, () => initialMonitorState({ friend, platform: services.platform, peering: peeringWith(services.workspace, me, friend) }));
  const { peering, status } = state;
  const links = peering?.links ?? [];
  const connected = (found: RouterSession) => {
    dispatch({ type: "platform", platform: found.router.platform });
    // The first connection to it (this run's): its host key is trusted from now on, said with the key.
    const pinned = services.pinnedNow?.(found.router.label) ?? null;
    if (pinned !== null) dispatch({ type: "note", time: new Date().toISOString(), text: `host key pinned: ${pinned}` });
    setSession(found);
  };
  const { table, revision, feed } = useMonitorWatch(session, peering, friend, dispatch);
  const { routeRows, eventRows } = monitorLayout(bodyRows(size, "monitor"), links.length, state.friendStatus !== null, table.matching);
  const routes = useRouteTableState(table, undefined, { revision, pageRows: routeTablePageRows(routeRows) });
  const rates = useTunnelRates(status);
  const actions = useMonitorActions({ state, dispatch, session, me, selectedPrefix: () => table.window(routes.state.selected, 1)[0]?.prefix });
  useScreenCommand("why", (prefix) => actions.why(prefix));
  useMonitorInput({ state, dispatch, actions, routes, extent: routeTableExtent(table, routeRows), focused, ready: session !== null || peering === undefined || me === null });

  const title = `${SCREEN_INFO.monitor.title}: ${friend}`;
  if (peering === undefined || me === null) {
    return (
      <ScreenFrame title={title} scope="monitor" focused={focused}>
        <Text>{`No peering with ${friend} in ${services.workspace.peersDir}.`}</Text>
      </ScreenFrame>
    );
  }
  if (session === null) {
    return (
      <ScreenFrame title={title} scope="choose" focused={focused}>
        <RouterStep open={open} width={size.columns} rows={bodyRows(size, "choose")} focused={focused} onBack={app.back} onHelp={() => app.navigate({ id: "help" })} onSession={connected} />
      </ScreenFrame>
    );
  }
  if (state.overlay !== null) return <MonitorOverlay title={title} overlay={state.overlay} size={size} focused={focused} friend={friend} onClose={actions.close} onHelp={() => app.navigate({ id: "help" })} />;
  const sessions = status?.sessions ?? [];
  const tunnels = status?.tunnels ?? [];
  return (
    // While a filter is typed, its keys are the ones that work (the layout stays the monitor's).
    <ScreenFrame title={title} scope={routes.state.editingFilter ? "filter" : "monitor"} focused={focused}>
      <Text wrap="truncate-end">{`${peering.name} on ${session.router.label} · primary ${peering.policy.primary}${state.busy ? ` · ${state.busy}…` : ""}`}</Text>
      {links.map((l, i) => (
        <LinkLines
          key={l.name}
          peering={peering}
          link={l}
          me={me}
          selected={state.pane === "links" && i === state.link}
          tunnel={tunnels.find((x) => x.peering === peering.name && x.link === l.name)}
          session={sessions.find((x) => x.peering === peering.name && x.link === l.name)}
          rate={rates.get(`${peering.name} ${l.name}`)}
          localPref={table.localPrefOf(l.name)}
          width={size.columns}
          reading={status === null}
        />
      ))}
      {state.friendStatus !== null ? <FriendRouterLine friend={friend} peering={peering} status={state.friendStatus} /> : null}
      <RouteTable table={table} revision={revision} state={routes.state} height={routeRows} width={size.columns} streaming={feed !== "live"} />
      <EventLog events={state.events} rows={eventRows} />
    </ScreenFrame>
  );
}
