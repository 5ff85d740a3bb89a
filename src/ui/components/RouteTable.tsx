// The route view of the monitor: a table of possibly a million routes of which only the rows on
// screen are read and drawn. Counts and "streaming…" on top, the filter, the selected row, and
// "↑ N more / ↓ N more" where the list goes on.
//
// Wiring (the Monitor screen):
//   const table = useMemo(() => new RouteTable(), []);        // fed by streamPrint + routeUpdatesOf
//   const revision = useTableRevision(table);                  // redraws at most every 33 ms
//   const { state, actions } = useRouteTableState(table);
//   useRouteTableInput(state, actions, routeTableExtent(table, height), { isActive: focused });
//   <RouteTable table={table} revision={revision} state={state} height={height} streaming={busy} />
import { Spinner } from "@inkjs/ui";
import { Box, Text } from "ink";
import type { RouteRow, RouteTable as RouteStore } from "../../core/route-table.js";
import type { RouteTableExtent, RouteTableState } from "../hooks/use-route-table-state.js";
import { visibleTop } from "../hooks/use-route-table-state.js";

export interface RouteTableProps {
  /** The routes. Read while drawing: pass `revision` so a change of the table redraws. */
  readonly table: RouteStore;
  /** `table.revision` as last seen (useTableRevision); only its changes matter. */
  readonly revision: number;
  /** Selection, scroll and filter (useRouteTableState). */
  readonly state: RouteTableState;
  /** Lines the view may take, its two header lines and two marker lines included (at least 5). */
  readonly height: number;
  /** Columns to lay out for; default 80. */
  readonly width?: number;
  /** Routes are still coming in. */
  readonly streaming?: boolean;
}

/** Lines of the view that are not route rows: counts, column names, and the two markers. */
export const ROUTE_TABLE_CHROME_ROWS = 4;

/** Rows of routes a view of `height` lines shows. */
export function routeTablePageRows(height: number): number {
  return Math.max(1, height - ROUTE_TABLE_CHROME_ROWS);
}

/** What the navigation actions need, for a view of `height` lines over `table`. */
export function routeTableExtent(table: RouteStore, height: number): RouteTableExtent {
  return { total: table.matching, pageRows: routeTablePageRows(height) };
}

const MARKER = 2;
const PREFIX = 19; // "255.255.255.255/32" and a space
const ACTIVE = 4;
const GATEWAY = 17;
const LINK = 7;
const LOCAL_PREF = 7;
const MIN_AS_PATH = 8;

const numbers = new Intl.NumberFormat("en");
export const formatCount = (n: number): string => numbers.format(n);

/** `text` cut or padded to exactly `width` characters; cut text ends with "…". */
function fit(text: string, width: number): string {
  if (width <= 0) return "";
  if (text.length > width) return width === 1 ? "…" : text.slice(0, width - 1) + "…";
  return text.padEnd(width);
}

function asPathWidth(width: number): number {
  return Math.max(MIN_AS_PATH, width - MARKER - PREFIX - ACTIVE - LINK - GATEWAY - LOCAL_PREF);
}

/**
 * One route as a line of text, `width` characters wide. A route an input filter rejected says so
 * where the local-pref and AS path go (`filtered: default route`): the word, not only the dim.
 */
export function routeLine(route: RouteRow, selected: boolean, width = 80): string {
  if (route.filtered !== null) {
    return (
      (selected ? "› " : "  ") +
      fit(route.prefix, PREFIX - 1) +
      " " +
      fit(" ✗", ACTIVE) +
      fit(route.link, LINK - 1) +
      " " +
      fit(route.gateway, GATEWAY - 1) +
      " " +
      fit(`filtered: ${route.filtered}`, LOCAL_PREF + asPathWidth(width))
    ).trimEnd();
  }
  return (
    (selected ? "› " : "  ") +
    fit(route.prefix, PREFIX - 1) +
    " " +
    fit(route.active ? " ✓" : "", ACTIVE) +
    fit(route.link, LINK - 1) +
    " " +
    fit(route.gateway, GATEWAY - 1) +
    " " +
    fit(route.localPref === null ? "" : String(route.localPref), LOCAL_PREF - 1) +
    " " +
    fit(route.asPath, asPathWidth(width))
  ).trimEnd();
}

function headingLine(width: number): string {
  return (
    " ".repeat(MARKER) +
    fit("Prefix", PREFIX) +
    fit("Act", ACTIVE) +
    fit("Link", LINK) +
    fit("Gateway", GATEWAY) +
    fit("LPref", LOCAL_PREF) +
    fit("AS path", asPathWidth(width))
  ).trimEnd();
}

function countsLine(table: RouteStore, state: RouteTableState, streaming: boolean): string {
  // A half-typed expression ("10.(") says what is wrong, first so a narrow line keeps it; the
  // routes shown stay the last valid filter's.
  if (state.filterError !== null) return `filter /${state.filter}▏ ✗ ${state.filterError} (showing "${state.applied}")`;
  const counts = table.counts();
  let line = `${formatCount(counts.total)} ${counts.total === 1 ? "route" : "routes"}, ${formatCount(counts.active)} active`;
  if (counts.filteredHeld > 0) line += `, ${formatCount(counts.filteredHeld)} filtered${counts.filteredHeld > counts.filtered ? ` (${formatCount(counts.filtered)} listed)` : ""}`;
  if (streaming) line += " · streaming…";
  if (state.filter !== "" || state.editingFilter) {
    line += ` · filter ${state.editingFilter ? `/${state.filter}▏` : `"${state.filter}"`}: ${formatCount(counts.matching)} match${table.filtering ? " so far" : ""}`;
  }
  return line;
}

export function RouteTable({ table, state, height, width = 80, streaming = false }: RouteTableProps) {
  const pageRows = routeTablePageRows(height);
  const total = table.matching;
  // The state may lag behind a table that shrank or a height that changed: clamp here too.
  const selected = Math.max(0, Math.min(state.selected, total - 1));
  const top = visibleTop(state.top, selected, total, pageRows);
  const rows = table.window(top, pageRows);
  const below = total - top - rows.length;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        {countsLine(table, state, streaming)}
      </Text>
      <Text underline wrap="truncate-end">
        {headingLine(width)}
      </Text>
      <Text wrap="truncate-end">{top > 0 ? `  ↑ ${formatCount(top)} more` : " "}</Text>
      {rows.length === 0 && streaming && table.counts().total === 0 ? (
        // It moves while the router has not answered yet: a still screen there looked hung.
        <Box paddingLeft={2} height={1} overflow="hidden">
          <Spinner label="waiting for routes…" />
        </Box>
      ) : rows.length === 0 ? (
        <Text wrap="truncate-end">{`  ${state.applied === "" ? "no routes" : "no route matches the filter"}`}</Text>
      ) : (
        rows.map((route, i) => (
          <Text key={route.id} bold={top + i === selected} dimColor={route.filtered !== null && top + i !== selected} wrap="truncate-end">
            {routeLine(route, top + i === selected, width)}
          </Text>
        ))
      )}
      <Text wrap="truncate-end">{below > 0 ? `  ↓ ${formatCount(below)} more` : " "}</Text>
    </Box>
  );
}
