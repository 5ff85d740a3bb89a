// Selection, scrolling and the filter of the route view, as a reducer that knows nothing of Ink,
// plus the hook that holds it and applies the filter to the table.
import { useLayoutEffect, useMemo, useReducer, useRef } from "react";
import { filterProblem, type RouteTable } from "../../core/route-table.js";

export interface RouteTableState {
  /** Position of the selected route in the filtered order. */
  readonly selected: number;
  /** Position of the first route shown. */
  readonly top: number;
  /** The filter as typed: a regular expression. */
  readonly filter: string;
  /** The last filter typed that compiles: the one the table shows (an invalid one keeps it). */
  readonly applied: string;
  /** Why the filter as typed is not a regular expression, or null. */
  readonly filterError: string | null;
  /** The filter line is taking typed keys (the screen should hold back its own single-key commands). */
  readonly editingFilter: boolean;
}

/** What navigation needs to know of the view: routes in it now, and rows on screen. */
export interface RouteTableExtent {
  readonly total: number;
  readonly pageRows: number;
}

export type RouteTableAction =
  | ({ readonly type: "move"; readonly by: number } & RouteTableExtent)
  | ({ readonly type: "page"; readonly by: 1 | -1 } & RouteTableExtent)
  | ({ readonly type: "first" } & RouteTableExtent)
  | ({ readonly type: "last" } & RouteTableExtent)
  /** The selected route now stands at `to` (routes came or went above it): follow it. */
  | ({ readonly type: "keep"; readonly to: number } & RouteTableExtent)
  | { readonly type: "edit-filter" }
  | { readonly type: "type"; readonly text: string }
  | { readonly type: "erase" }
  /** Ctrl-U: the filter emptied (still typing it, when it was being typed). */
  | { readonly type: "clear-filter" }
  /** Enter keeps the filter, escape drops it. */
  | { readonly type: "finish-filter"; readonly keep: boolean };

export const INITIAL_ROUTE_TABLE_STATE: RouteTableState = { selected: 0, top: 0, filter: "", applied: "", filterError: null, editingFilter: false };

/** The filter typed is now `filter`: shown as the table's filter if it compiles, else its error. */
function retype(state: RouteTableState, filter: string): RouteTableState {
  const filterError = filterProblem(filter);
  if (filterError !== null) return { ...state, filter, filterError };
  // A new filter shows a new list: start at its top.
  return { ...state, filter, applied: filter, filterError: null, selected: 0, top: 0 };
}

export function routeTableReducer(state: RouteTableState, action: RouteTableAction): RouteTableState {
  switch (action.type) {
    case "move":
      return select(state, state.selected + action.by, action);
    case "page":
      return select(state, state.selected + action.by * Math.max(1, action.pageRows), action);
    case "first":
      return select(state, 0, action);
    case "last":
      return select(state, action.total - 1, action);
    case "keep": {
      // Scroll by as much as the route moved, so it stays on the same line of the screen.
      const selected = clamp(action.to, 0, action.total - 1);
      return { ...state, selected, top: visibleTop(state.top + (selected - state.selected), selected, action.total, action.pageRows) };
    }
    case "edit-filter":
      return { ...state, editingFilter: true };
    case "type":
      return retype(state, state.filter + action.text);
    case "erase":
      return retype(state, state.filter.slice(0, -1));
    case "clear-filter":
      return { ...state, filter: "", applied: "", filterError: null, selected: 0, top: 0 };
    case "finish-filter":
      // Enter keeps the last filter that worked.
      return action.keep ? { ...state, editingFilter: false, filter: state.applied, filterError: null } : { ...state, editingFilter: false, filter: "", applied: "", filterError: null, selected: 0, top: 0 };
  }
}

/** The selection moved to `to`: clamp it, and scroll just enough to keep it on screen. */
function select(state: RouteTableState, to: number, { total, pageRows }: RouteTableExtent): RouteTableState {
  const selected = clamp(to, 0, total - 1);
  return { ...state, selected, top: visibleTop(state.top, selected, total, pageRows) };
}

/** The first row to show so that `selected` is on screen, moving `top` as little as possible. */
export function visibleTop(top: number, selected: number, total: number, pageRows: number): number {
  const rows = Math.max(1, pageRows);
  let next = top;
  if (selected < next) next = selected;
  if (selected >= next + rows) next = selected - rows + 1;
  return clamp(next, 0, total - rows);
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

export interface RouteTableActions {
  move(by: number, extent: RouteTableExtent): void;
  page(by: 1 | -1, extent: RouteTableExtent): void;
  first(extent: RouteTableExtent): void;
  last(extent: RouteTableExtent): void;
  editFilter(): void;
  type(text: string): void;
  erase(): void;
  clearFilter(): void;
  finishFilter(keep: boolean): void;
}

/**
 * The route view's state, with the filter applied to `table` whenever it changes. With `follow`
 * (the table's revision and the rows on screen), the selection stays on the same route, by `.id`,
 * while routes stream in around it.
 */
export function useRouteTableState(table: RouteTable, initial: RouteTableState = INITIAL_ROUTE_TABLE_STATE, follow?: { revision: number; pageRows: number }) {
  const [state, dispatch] = useReducer(routeTableReducer, initial);
  // Layout effects, all three: they run in the commit that drew the selection, before anything
  // else can change the table. A passive effect runs later (after a route stream may have added
  // routes above the selection), so it would record whichever route had moved into its place.
  useLayoutEffect(() => table.setFilter(state.applied), [table, state.applied]);
  const selectedId = useRef<string | null>(null);
  // Until a key moves the selection, it stays on the first line: a monitor just opened shows the
  // top of the table, whatever arrives above what was there first (its filtered routes, read
  // before the stream's first rows).
  const chosen = useRef(false);
  // Moved by a key or a new filter: this is the route to stay on.
  useLayoutEffect(() => {
    selectedId.current = table.window(state.selected, 1)[0]?.id ?? null;
  }, [table, state.selected, state.applied]);
  const revision = follow?.revision;
  const pageRows = follow?.pageRows ?? 1;
  // The position of the route read in the same commit as the revision that moved it.
  useLayoutEffect(() => {
    if (revision === undefined) return;
    // Not chosen yet: the line stays, and the route to stay on from the first key is the one there now.
    if (!chosen.current) return void (selectedId.current = table.window(state.selected, 1)[0]?.id ?? null);
    const id = selectedId.current;
    const at = id === null ? -1 : table.positionOf(id);
    // Gone (or nothing chosen yet): stay on the line, on whichever route is there now.
    if (at < 0) selectedId.current = table.window(state.selected, 1)[0]?.id ?? null;
    else if (at !== state.selected) dispatch({ type: "keep", to: at, total: table.matching, pageRows });
    // Only a new revision moves routes; the selection's own changes are handled above.
  }, [table, revision]);
  const actions = useMemo<RouteTableActions>(
    () => ({
      move: (by, extent) => ((chosen.current = true), dispatch({ type: "move", by, ...extent })),
      page: (by, extent) => ((chosen.current = true), dispatch({ type: "page", by, ...extent })),
      first: (extent) => ((chosen.current = true), dispatch({ type: "first", ...extent })),
      last: (extent) => ((chosen.current = true), dispatch({ type: "last", ...extent })),
      editFilter: () => dispatch({ type: "edit-filter" }),
      type: (text) => dispatch({ type: "type", text }),
      erase: () => dispatch({ type: "erase" }),
      clearFilter: () => dispatch({ type: "clear-filter" }),
      finishFilter: (keep) => dispatch({ type: "finish-filter", keep }),
    }),
    [],
  );
  return { state, dispatch, actions };
}
