import { render } from "ink-testing-library";
import { cleanup } from "ink-testing-library";
import { afterEach, describe, expect, test } from "vitest";
import { RouteTable as RouteStore, type RouteUpdate } from "../../src/core/route-table.js";
import { RouteTable, routeTableExtent, routeTablePageRows } from "../../src/ui/components/RouteTable.js";
import { useRouteTableInput } from "../../src/ui/hooks/use-route-table-input.js";
import { INITIAL_ROUTE_TABLE_STATE, routeTableReducer, useRouteTableState, type RouteTableState } from "../../src/ui/hooks/use-route-table-state.js";
import { useTableRevision } from "../../src/ui/hooks/use-table-revision.js";
import { KEY, effectsSettled, lineWith, plain, waitFor } from "./helpers.js";

const WIDTH = 80;
const HEIGHT = 14; // 10 route rows
const ROUTES = 5000;
const ISP1 = "10.255.0.1";
const ISP2 = "10.255.0.5";

afterEach(() => cleanup());

function filledTable(count = ROUTES, options: { filterSlice?: number } = {}): RouteStore {
  const table = new RouteStore(options);
  const routes: RouteUpdate[] = Array.from({ length: count }, (_, i) => ({
    id: `*${(i + 1).toString(16).toUpperCase()}`,
    prefix: `10.${i >> 8}.${i & 255}.0/24`,
    gateway: i % 2 ? ISP2 : ISP1,
    active: i % 2 === 0,
    localPref: i % 2 ? 100 : 200,
    asPath: i % 2 ? "64513,64513,64513,64520" : "64513,64520",
    link: i % 2 ? "isp2" : "isp1",
  }));
  table.upsert(routes);
  return table;
}

function Live({ table, streaming = false, initial, follow = false }: { table: RouteStore; streaming?: boolean; initial?: RouteTableState; follow?: boolean }) {
  const revision = useTableRevision(table, 10);
  const { state, actions } = useRouteTableState(table, initial, follow ? { revision, pageRows: routeTablePageRows(HEIGHT) } : undefined);
  useRouteTableInput(state, actions, routeTableExtent(table, HEIGHT), { isActive: true });
  return <RouteTable table={table} revision={revision} state={state} height={HEIGHT} width={WIDTH} streaming={streaming} />;
}

function start(table: RouteStore, streaming = false, follow = false) {
  const app = render(<Live table={table} streaming={streaming} follow={follow} />);
  const frame = () => plain(app.lastFrame());
  const press = async (key: string, until: () => boolean) => {
    await effectsSettled();
    app.stdin.write(key);
    await waitFor(until, frame);
  };
  return { app, frame, press };
}

const routeLines = (frame: string) => frame.split("\n").filter((line) => /^[› ] \d+\.\d+\.\d+\.\d+\//.test(line));
const selectedPrefix = (frame: string) => lineWith(frame, "›")?.slice(2).trim().split(/\s+/)[0];

describe("RouteTable view", () => {
  test("draws only the rows that fit, with counts, columns and a marker for the rest, within 80 columns", async () => {
    const table = filledTable();
    const { frame } = start(table);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    const shown = frame();
    expect(shown).toContain("5,000 routes, 2,500 active");
    expect(shown).not.toContain("streaming");
    expect(routeLines(shown)).toHaveLength(routeTablePageRows(HEIGHT));
    expect(shown).toContain(`↓ ${(ROUTES - routeTablePageRows(HEIGHT)).toLocaleString("en")} more`);
    expect(shown).not.toContain("↑");
    expect(lineWith(shown, "Prefix")).toMatch(/Prefix\s+Act\s+Link\s+Gateway\s+LPref\s+AS path/);
    expect(lineWith(shown, "10.0.0.0/24")).toMatch(/^› 10\.0\.0\.0\/24\s+✓\s+isp1\s+10\.255\.0\.1\s+200\s+64513 64520$/);
    expect(lineWith(shown, "10.0.1.0/24")).toMatch(/^  10\.0\.1\.0\/24\s+isp2\s+10\.255\.0\.5\s+100\s+64513 64513 64513 64520$/);
    for (const line of shown.split("\n")) expect(line.length, line).toBeLessThanOrEqual(WIDTH);
  });

  test("counts the filtered routes the router holds, and says how many are listed when that is fewer", async () => {
    const table = filledTable(10);
    table.upsert([0, 1, 2].map((i) => ({ id: `filtered *F${i}`, prefix: `10.99.${i}.0/24`, gateway: ISP1, active: false, localPref: null, asPath: "64513", link: "isp1", filtered: "not in friend's allowed prefixes" })));
    const { frame } = start(table);
    await waitFor(() => frame().includes("3 filtered"), frame);
    expect(frame()).toMatch(/^10 routes, 5 active, 3 filtered$/m);
    table.holdsFiltered(1200);
    table.upsert([{ id: "*1", prefix: "10.0.0.0/24", gateway: ISP1, active: true, localPref: 200, asPath: "64513,64520", link: "isp1" }]);
    await waitFor(() => frame().includes("1,200 filtered"), frame);
    expect(frame()).toMatch(/^10 routes, 5 active, 1,200 filtered \(3 listed\)$/m);
  });

  test("moving past the bottom scrolls: markers above and below count what is hidden", async () => {
    const table = filledTable();
    const { frame, press } = start(table);
    const page = routeTablePageRows(HEIGHT);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    for (let i = 1; i <= page; i++) await press(KEY.down, () => selectedPrefix(frame()) === `10.0.${i}.0/24`);
    expect(frame()).toContain("↑ 1 more");
    expect(frame()).toContain(`↓ ${(ROUTES - page - 1).toLocaleString("en")} more`);
    expect(routeLines(frame())).toHaveLength(page);
    await press("\u001B[F", () => selectedPrefix(frame()) === "10.19.135.0/24"); // end
    expect(frame()).toContain(`↑ ${(ROUTES - page).toLocaleString("en")} more`);
    expect(frame()).not.toContain("↓");
    await press("\u001B[H", () => selectedPrefix(frame()) === "10.0.0.0/24"); // home
  });

  test("/ types a filter; the view and the counts follow it; escape drops it", async () => {
    const table = filledTable();
    const { frame, press } = start(table);
    const typeText = async (text: string) => {
      for (let i = 1; i <= text.length; i++) await press(text[i - 1]!, () => frame().includes(`/${text.slice(0, i)}▏`));
    };
    await waitFor(() => frame().includes("5,000 routes"), frame);
    await press("/", () => frame().includes("filter /"));
    await typeText("10.3.");
    // A regular expression, where . is any character: 10.3.0.0 to 10.3.255.0, 10.10.3.0, and
    // 10.10.30.0 to 10.10.39.0 ("10.30").
    await waitFor(() => frame().includes("267 match"), frame);
    expect(routeLines(frame()).every((line) => line.includes("10.3."))).toBe(true);
    await press("\r", () => frame().includes('filter "10.3.": 267 match'));
    // Filter by AS path with a space, as the view shows paths.
    await press("/", () => frame().includes("filter /10.3."));
    await press("\u001B", () => !frame().includes("filter"));
    await press("/", () => frame().includes("filter /"));
    await typeText("64513 64513");
    await waitFor(() => frame().includes("2,500 match"), frame);
    expect(routeLines(frame()).every((line) => line.includes("10.255.0.5"))).toBe(true);
    // Ctrl-U empties the filter being typed, and then a kept one.
    await press("\u0015", () => frame().includes("filter /▏: 5,000 match"));
    await typeText("10.3.");
    await press("\r", () => frame().includes('filter "10.3."'));
    await press("\u0015", () => !frame().includes("filter"));
  });

  test("/ takes a regular expression; an invalid one says why and keeps the last valid filter", async () => {
    const table = filledTable();
    const { frame, press } = start(table);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    await press("/", () => frame().includes("filter /"));
    for (const char of "^10\\.1\\.") await press(char, () => frame().includes(char === "\\" ? "\\▏" : `${char}▏`));
    await waitFor(() => frame().includes("256 match"), frame);
    expect(routeLines(frame()).every((line) => /^[› ] 10\.1\./.test(line))).toBe(true);
    // An open group: the JavaScript engine's reason, and the routes of the last valid filter stay.
    await press("(", () => frame().includes("Unterminated group"));
    expect(frame()).toContain('filter /^10\\.1\\.(▏ ✗ Unterminated group (showing "^10\\.1\\.")');
    expect(routeLines(frame()).every((line) => /^[› ] 10\.1\./.test(line))).toBe(true);
    // Enter keeps the last valid one.
    await press("\r", () => frame().includes('filter "^10\\.1\\.": 256 match'));
    // Case does not matter: an AS path or a gateway in capitals matches.
    await press("\u0015", () => !frame().includes("filter"));
    await press("/", () => frame().includes("filter /"));
    for (const char of "ISP2$") await press(char, () => frame().includes(`${char}▏`));
    await waitFor(() => frame().includes("2,500 match"), frame);
  });

  test("a filter looked for a slice per frame: the matches so far, then all of them, with no key pressed", async () => {
    const table = filledTable(ROUTES, { filterSlice: ROUTES / 10 });
    const { app, frame, press } = start(table);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    await press("/", () => frame().includes("filter /"));
    // Every other route, all through the table: the first rows are there at once, the count grows.
    app.stdin.write("64513 64513");
    await waitFor(() => frame().includes("/64513 64513▏: 2,500 match"), frame);
    expect(frame()).not.toContain("so far");
    const looking = app.frames.map(plain).filter((f) => f.includes("/64513 64513▏") && f.includes("match so far"));
    expect(looking.length).toBeGreaterThan(0);
    expect(routeLines(looking[0]!)).toHaveLength(HEIGHT - 4);
    expect(routeLines(frame()).every((line) => line.includes(ISP2))).toBe(true);
  });

  test("while routes stream in it says so and the counts grow", async () => {
    const table = new RouteStore();
    const { frame, app, press } = start(table, true);
    await waitFor(() => frame().includes("0 routes, 0 active · streaming…"), frame);
    // The waiting line moves (a spinner) while nothing else does: the screen is not hung.
    const waiting = () => /^ {2}(\S) waiting for routes…$/m.exec(frame())?.[1];
    const first = waiting();
    expect(first).toBeDefined();
    await waitFor(() => waiting() !== undefined && waiting() !== first, frame);
    table.upsert([{ id: "*1", prefix: "192.168.42.0/24", gateway: ISP1, active: true, localPref: 200, asPath: "64513", link: "" }]);
    await waitFor(() => frame().includes("1 route, 1 active · streaming…"), frame);
    expect(routeLines(frame())).toHaveLength(1);
    // Routes are in and none matches the filter: that is said, not "waiting" (routes came).
    await press("/", () => frame().includes("filter /"));
    await press("10.99", () => frame().includes("/10.99▏"));
    await press("\r", () => frame().includes('filter "10.99"'));
    expect(frame()).toContain("  no route matches the filter");
    expect(frame()).not.toContain("waiting for routes");
    app.rerender(<Live table={table} streaming={false} />);
    await waitFor(() => !frame().includes("streaming"), frame);
    expect(routeLines(frame())).toHaveLength(0);
    expect(table.counts().total).toBe(1);
  });

  test("the selection stays on its route while routes stream in above it, and on its line when it goes", async () => {
    const table = filledTable();
    const { frame, press } = start(table, true, true);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    for (let i = 1; i <= 3; i++) await press(KEY.down, () => selectedPrefix(frame()) === `10.0.${i}.0/24`);
    const lineOf = (prefix: string) => frame().split("\n").findIndex((line) => line.includes(prefix));
    const at = lineOf("› 10.0.3.0/24");
    // Twenty routes that sort before every other arrive: the selected route moves down the order.
    table.upsert(Array.from({ length: 20 }, (_, i) => ({ id: `*F00${i.toString(16)}`, prefix: `9.0.${i}.0/24`, gateway: ISP1, active: true, localPref: 200, asPath: "64513", link: "isp1" })));
    await waitFor(() => frame().includes("5,020 routes"), frame);
    await waitFor(() => selectedPrefix(frame()) === "10.0.3.0/24", frame);
    expect(lineOf("› 10.0.3.0/24")).toBe(at);
    expect(frame()).toContain("↑ 20 more");
    // The selected route is withdrawn: the selection stays on its line, on the route now there.
    table.remove(["*4"]);
    await waitFor(() => frame().includes("5,019 routes"), frame);
    expect(selectedPrefix(frame())).toBe("10.0.4.0/24");
    await press(KEY.down, () => selectedPrefix(frame()) === "10.0.5.0/24");
  });

  test("until a key moves it, the selection stays on the first line as routes arrive above; then on its route", async () => {
    const table = filledTable();
    const { frame, press } = start(table, true, true);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    const before = (first: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `*F${first}00${i.toString(16)}`, prefix: `${first}.0.${i}.0/24`, gateway: ISP1, active: true, localPref: 200, asPath: "64513", link: "isp1" }));
    // As a monitor just opened: what came first (its filtered routes) is not where the table starts.
    table.upsert(before(9, 20));
    await waitFor(() => frame().includes("5,020 routes"), frame);
    expect(selectedPrefix(frame())).toBe("9.0.0.0/24");
    expect(frame()).not.toContain("↑");
    // ↑ at the top moves nothing, but chooses the route there now (not the first one the table had).
    await press(KEY.up, () => selectedPrefix(frame()) === "9.0.0.0/24");
    const lineOf = (prefix: string) => frame().split("\n").findIndex((line) => line.includes(prefix));
    const at = lineOf("› 9.0.0.0/24");
    table.upsert(before(8, 5));
    await waitFor(() => frame().includes("5,025 routes"), frame);
    await waitFor(() => selectedPrefix(frame()) === "9.0.0.0/24" && frame().includes("↑ "), frame);
    expect(lineOf("› 9.0.0.0/24")).toBe(at);
    expect(frame()).toMatch(/↑ \d+ more/);
    await press(KEY.down, () => selectedPrefix(frame()) === "9.0.1.0/24");
  });

  test("routes arriving right after the frame of a key, before React's passive effects run, do not move the selection", async () => {
    const table = filledTable();
    const { app, frame, press } = start(table, true, true);
    await waitFor(() => frame().includes("5,000 routes"), frame);
    // As a route stream can: the routes come in the very task after the commit that drew the
    // selection on 10.0.1.0/24 (a microtask runs before the effects React schedules for later).
    const write = app.stdout.write;
    let arrived = false;
    app.stdout.write = (drawn: string) => {
      write(drawn);
      if (arrived || selectedPrefix(plain(drawn)) !== "10.0.1.0/24") return;
      arrived = true;
      queueMicrotask(() => table.upsert(Array.from({ length: 20 }, (_, i) => ({ id: `*F00${i.toString(16)}`, prefix: `9.0.${i}.0/24`, gateway: ISP1, active: true, localPref: 200, asPath: "64513", link: "isp1" }))));
    };
    await press(KEY.down, () => arrived);
    // The frame that counts them is followed, within the same commit, by the one that scrolls.
    await waitFor(() => frame().includes("5,020 routes"), frame);
    expect(selectedPrefix(frame())).toBe("10.0.1.0/24");
    expect(frame()).toContain("↑ 20 more");
    await press(KEY.down, () => selectedPrefix(frame()) === "10.0.2.0/24");
  });

  test("a narrow AS path column cuts with an ellipsis instead of wrapping", () => {
    const table = new RouteStore();
    table.upsert([{ id: "*1", prefix: "10.0.0.0/8", gateway: "pppoe-out1-with-a-long-name", active: true, localPref: null, asPath: Array(20).fill("4200000001").join(","), link: "" }]);
    const frame = plain(render(<RouteTable table={table} revision={table.revision} state={INITIAL_ROUTE_TABLE_STATE} height={6} />).lastFrame());
    const line = lineWith(frame, "10.0.0.0/8")!;
    expect(line.length).toBeLessThanOrEqual(WIDTH);
    expect(line).toContain("pppoe-out1-with…");
    expect(line.endsWith("…")).toBe(true);
    expect(frame.split("\n")).toHaveLength(5);
  });
});

describe("route table reducer", () => {
  const extent = { total: 100, pageRows: 10 };

  test("moves clamp at both ends and scroll just enough", () => {
    let state = routeTableReducer(INITIAL_ROUTE_TABLE_STATE, { type: "move", by: -1, ...extent });
    expect(state).toMatchObject({ selected: 0, top: 0 });
    state = routeTableReducer(state, { type: "move", by: 9, ...extent });
    expect(state).toMatchObject({ selected: 9, top: 0 });
    state = routeTableReducer(state, { type: "move", by: 1, ...extent });
    expect(state).toMatchObject({ selected: 10, top: 1 });
    state = routeTableReducer(state, { type: "page", by: 1, ...extent });
    expect(state).toMatchObject({ selected: 20, top: 11 });
    state = routeTableReducer(state, { type: "last", ...extent });
    expect(state).toMatchObject({ selected: 99, top: 90 });
    state = routeTableReducer(state, { type: "move", by: 5, ...extent });
    expect(state).toMatchObject({ selected: 99, top: 90 });
    state = routeTableReducer(state, { type: "page", by: -1, ...extent });
    expect(state).toMatchObject({ selected: 89, top: 89 });
    state = routeTableReducer(state, { type: "first", ...extent });
    expect(state).toMatchObject({ selected: 0, top: 0 });
  });

  test("keep follows the selected route and scrolls by as much as it moved", () => {
    let state = routeTableReducer(INITIAL_ROUTE_TABLE_STATE, { type: "move", by: 12, ...extent });
    expect(state).toMatchObject({ selected: 12, top: 3 });
    state = routeTableReducer(state, { type: "keep", to: 32, ...extent });
    expect(state).toMatchObject({ selected: 32, top: 23 });
    state = routeTableReducer(state, { type: "keep", to: 500, ...extent });
    expect(state).toMatchObject({ selected: 99, top: 90 });
  });

  test("an empty table keeps the selection at 0", () => {
    const state = routeTableReducer(INITIAL_ROUTE_TABLE_STATE, { type: "move", by: 3, total: 0, pageRows: 10 });
    expect(state).toMatchObject({ selected: 0, top: 0 });
  });

  test("typing a filter starts at the top; escape clears it, enter keeps it", () => {
    let state: RouteTableState = { ...INITIAL_ROUTE_TABLE_STATE, selected: 40, top: 35 };
    state = routeTableReducer(state, { type: "edit-filter" });
    state = routeTableReducer(state, { type: "type", text: "10." });
    state = routeTableReducer(state, { type: "type", text: "1x" });
    state = routeTableReducer(state, { type: "erase" });
    expect(state).toMatchObject({ filter: "10.1", editingFilter: true, selected: 0, top: 0 });
    expect(routeTableReducer(state, { type: "finish-filter", keep: true })).toMatchObject({ filter: "10.1", editingFilter: false });
    expect(routeTableReducer(state, { type: "finish-filter", keep: false })).toMatchObject({ filter: "", editingFilter: false });
    // An expression that does not compile: its reason, the last valid filter kept, the place too.
    const moved = { ...state, selected: 3, top: 1 };
    const broken = routeTableReducer(moved, { type: "type", text: "[" });
    expect(broken).toMatchObject({ filter: "10.1[", applied: "10.1", selected: 3, top: 1 });
    expect(broken.filterError).toMatch(/class/i);
    expect(routeTableReducer(broken, { type: "finish-filter", keep: true })).toMatchObject({ filter: "10.1", applied: "10.1", filterError: null });
    expect(routeTableReducer(broken, { type: "erase" })).toMatchObject({ filter: "10.1", applied: "10.1", filterError: null });
  });
});
