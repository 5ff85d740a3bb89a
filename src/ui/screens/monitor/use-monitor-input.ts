// The monitor's keys: the monitor's commands while its page is up, the confirm scope while an
// overlay is, and typed text while the route view's filter line takes it.
import type { Dispatch } from "react";
import { useCommands } from "../../hooks/use-commands.js";
import { useActions } from "../../state.js";
import { useRouteTableInput } from "../../hooks/use-route-table-input.js";
import type { RouteTableActions, RouteTableExtent, RouteTableState } from "../../hooks/use-route-table-state.js";
import type { MonitorAction, MonitorState } from "./monitor-state.js";
import type { MonitorActions } from "./use-monitor-actions.js";

export interface MonitorInput {
  state: MonitorState;
  dispatch: Dispatch<MonitorAction>;
  actions: MonitorActions;
  routes: { state: RouteTableState; actions: RouteTableActions };
  /** The route view as the keys move in it. */
  extent: RouteTableExtent;
  focused: boolean;
  /** The monitor's page is up: connected, or saying there is no such peering (esc, ?, q). */
  ready: boolean;
}

export function useMonitorInput({ state, dispatch, actions, routes, extent, focused, ready }: MonitorInput): void {
  const live = focused && state.overlay === null && ready && !routes.state.editingFilter;
  const app = useActions();
  useRouteTableInput(routes.state, routes.actions, extent, { isActive: focused && routes.state.editingFilter, navigation: false, onAbort: app.quit });
  useCommands(
    "monitor",
    {
      nextPane: () => dispatch({ type: "nextPane" }),
      up: () => (state.pane === "routes" ? routes.actions.move(-1, extent) : dispatch({ type: "moveLink", by: -1 })),
      down: () => (state.pane === "routes" ? routes.actions.move(1, extent) : dispatch({ type: "moveLink", by: 1 })),
      // A page, the first or the last route: the route view's, whichever pane is selected.
      pageUp: () => routes.actions.page(-1, extent),
      pageDown: () => routes.actions.page(1, extent),
      first: () => routes.actions.first(extent),
      last: () => routes.actions.last(extent),
      filter: () => routes.actions.editFilter(),
      clearFilter: () => routes.actions.clearFilter(),
      prefer: actions.togglePrimary,
      clearLimit: actions.clearLimit,
      why: () => void actions.why(),
      showRequest: () => (state.request === null ? actions.note("no prefer request yet: p swaps the primary and makes one for your friend") : dispatch({ type: "showRequest" })),
    },
    live,
  );
  // The prefer request takes its keys itself (the bundle's: copy, save, QR code).
  useCommands("confirm", { next: () => state.overlay?.kind === "confirm" && actions.answer(true), back: () => (state.overlay?.kind === "confirm" ? actions.answer(false) : actions.close()) }, focused && state.overlay !== null && state.overlay.kind !== "request");
}
