import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { appReducer, createInitialState, currentScreen, homeItems, type AppState } from "../../src/ui/state.js";
import { FRIENDS, ROUTERS } from "./helpers.js";

const start = (): AppState => createInitialState({ routers: ROUTERS, friends: FRIENDS });

describe("appReducer", () => {
  it("starts on Home with the first item selected and no error", () => {
    const state = start();
    expect(state.stack).toEqual([{ id: "home" }]);
    expect(state.selected).toBe(0);
    expect(state.error).toBeNull();
    expect(state.quit).toBe(false);
  });

  it("navigates onto the stack and goes back, never below Home", () => {
    let state = appReducer(start(), { type: "navigate", screen: { id: "monitor", subject: "remi" } });
    state = appReducer(state, { type: "navigate", screen: { id: "help" } });
    expect(state.stack.map((s) => s.id)).toEqual(["home", "monitor", "help"]);
    state = appReducer(state, { type: "back" });
    expect(currentScreen(state)).toEqual({ id: "monitor", subject: "remi" });
    state = appReducer(appReducer(state, { type: "back" }), { type: "back" });
    expect(state.stack).toEqual([{ id: "home" }]);
  });

  it("go (a : command) puts the screen over Home, whatever was open; the command line opens and closes", () => {
    let state = appReducer(start(), { type: "navigate", screen: { id: "newPeering" } });
    state = appReducer(state, { type: "navigate", screen: { id: "help" } });
    state = appReducer(state, { type: "commandLine", open: true });
    expect(state.commandLine).toBe(true);
    state = appReducer(state, { type: "go", screen: { id: "monitor", subject: "remi" } });
    expect(state.stack).toEqual([{ id: "home" }, { id: "monitor", subject: "remi" }]);
    expect(appReducer(state, { type: "go" }).stack).toEqual([{ id: "home" }]);
    const closed = appReducer(state, { type: "commandLine", open: false });
    expect(closed.commandLine).toBe(false);
    expect(appReducer(closed, { type: "commandLine", open: false })).toBe(closed);
  });

  it("does not stack the screen already on top", () => {
    const once = appReducer(start(), { type: "navigate", screen: { id: "help" } });
    expect(appReducer(once, { type: "navigate", screen: { id: "help" } })).toBe(once);
  });

  it("moves the selection within routers and friends", () => {
    const total = ROUTERS.length + FRIENDS.length;
    let state = appReducer(start(), { type: "move", by: -1 });
    expect(state.selected).toBe(0);
    state = appReducer(state, { type: "move", by: 4 });
    expect(state.selected).toBe(4);
    state = appReducer(state, { type: "move", by: 100 });
    expect(state.selected).toBe(total - 1);
  });

  it("keeps the selection on the list when new statuses shrink it", () => {
    let state = appReducer(start(), { type: "move", by: 6 });
    state = appReducer(state, { type: "setHome", routers: ROUTERS.slice(0, 1), friends: [] });
    expect(state.selected).toBe(0);
    expect(state.routers).toHaveLength(1);
    expect(appReducer(state, { type: "setHome", routers: state.routers, friends: state.friends })).toBe(state);
  });

  it("keeps an expected error plainly and a bug with its stack", () => {
    let state = appReducer(start(), { type: "fail", error: { message: "router refused login", hint: "check the user" } });
    expect(state.error).toEqual({ kind: "expected", message: "router refused login", hint: "check the user" });
    state = appReducer(state, { type: "fail", error: new UserError("no such profile") });
    expect(state.error).toMatchObject({ kind: "expected", message: "no such profile" });
    state = appReducer(state, { type: "fail", error: new TypeError("x is undefined") });
    expect(state.error?.kind).toBe("bug");
    expect(state.error?.kind === "bug" && state.error.stack[0]).toMatch(/^at /);
    state = appReducer(state, { type: "dismissError" });
    expect(state.error).toBeNull();
  });

  it("leaves a screen that crashed, so dismissing does not redraw it", () => {
    const onMonitor = appReducer(start(), { type: "navigate", screen: { id: "monitor", subject: "remi" } });
    const state = appReducer(onMonitor, { type: "fail", error: new Error("boom"), leaveScreen: true });
    expect(currentScreen(state).id).toBe("home");
    expect(state.error?.kind).toBe("bug");
  });

  it("records quit for the root to act on", () => {
    expect(appReducer(start(), { type: "quit" }).quit).toBe(true);
  });
});

describe("homeItems", () => {
  it("lists routers then friends, each opening its screen", () => {
    const items = homeItems({ routers: ROUTERS, friends: [...FRIENDS, { name: "zed", peering: "z", status: "up", opens: "router" }] });
    expect(items.map((i) => (i.kind === "bundle" ? i.entry.friend : i.entry.name))).toEqual([...ROUTERS, ...FRIENDS].map((e) => e.name).concat("zed"));
    expect(items[0]?.opens).toEqual({ id: "router", subject: "alice-hap" });
    expect(items[ROUTERS.length]?.opens).toEqual({ id: "monitor", subject: "remi" });
    expect(items.at(-1)?.opens).toEqual({ id: "router", subject: "zed" });
  });
});
