// App state: a pure reducer (tested without rendering) and two contexts, one for reading state
// and one for the actions that change it, provided once at the root.
import { createContext, useContext, useMemo, useReducer, type ReactNode } from "react";
import { describeError, type ErrorReport } from "../errors.js";
import type { Screen, ScreenId } from "./screens/catalog.js";

/** "checking": no look has answered yet; "unknown": none can (no password stored to probe with). */
export type RouterStatus = "unknown" | "checking" | "ok" | "unreachable" | "bad-credentials";
export type FriendStatus = "up" | "degraded" | "down" | "unknown" | "checking";

export interface RouterEntry {
  name: string;
  host: string;
  status: RouterStatus;
  /** The screen Enter opens for this router (default "router"). */
  opens?: ScreenId;
}

export interface FriendEntry {
  name: string;
  peering: string;
  status: FriendStatus;
  /** The screen Enter opens for this friend (default "monitor"). */
  opens?: ScreenId;
}

/** An offer or answer this side sent (kept in its outbox), with where the peering stands. */
export interface BundleEntry {
  /** The kept bundle's id (store/mailbox.ts keptId). */
  id: string;
  friend: string;
  peering: string;
  kind: "offer" | "answer";
  state: "waiting" | "answered" | "completed" | "cancelled" | "replaced";
}

export interface HomeData {
  routers: readonly RouterEntry[];
  friends: readonly FriendEntry[];
  /** Bundles sent; absent keeps those already shown (a probe looks at routers only). */
  bundles?: readonly BundleEntry[];
}

export interface AppState extends HomeData {
  bundles: readonly BundleEntry[];
  /** Navigation stack; never empty, Home at the bottom, the focused screen on top. */
  stack: readonly Screen[];
  /** Index into `homeItems(state)`: routers first, then friends. */
  selected: number;
  error: ErrorReport | null;
  /** Set by the quit action; the root sees it and ends the Ink app. */
  quit: boolean;
  /** The `:` command line is open at the bottom and takes the keys. */
  commandLine: boolean;
}

export type AppAction =
  | { type: "navigate"; screen: Screen }
  /** From the command line: Home, with `screen` over it (Home alone without one). */
  | { type: "go"; screen?: Screen }
  | { type: "commandLine"; open: boolean }
  | { type: "back" }
  | { type: "move"; by: number }
  | { type: "setHome"; routers: readonly RouterEntry[]; friends: readonly FriendEntry[]; bundles?: readonly BundleEntry[] }
  | { type: "fail"; error: unknown; leaveScreen?: boolean }
  | { type: "dismissError" }
  | { type: "quit" };

export type HomeItem =
  | { kind: "router"; entry: RouterEntry; opens: Screen }
  | { kind: "friend"; entry: FriendEntry; opens: Screen }
  | { kind: "bundle"; entry: BundleEntry; opens: Screen };

export function homeItems(state: HomeData): HomeItem[] {
  return [
    ...state.routers.map((entry): HomeItem => ({ kind: "router", entry, opens: { id: entry.opens ?? "router", subject: entry.name } })),
    ...state.friends.map((entry): HomeItem => ({ kind: "friend", entry, opens: { id: entry.opens ?? "monitor", subject: entry.name } })),
    ...(state.bundles ?? []).map((entry): HomeItem => ({ kind: "bundle", entry, opens: { id: "kept", subject: entry.id } })),
  ];
}

export function currentScreen(state: AppState): Screen {
  return state.stack[state.stack.length - 1] ?? { id: "home" };
}

export function createInitialState(home: HomeData): AppState {
  return { routers: home.routers, friends: home.friends, bundles: home.bundles ?? [], stack: [{ id: "home" }], selected: 0, error: null, quit: false, commandLine: false };
}

function clampSelection(selected: number, home: HomeData): number {
  const last = home.routers.length + home.friends.length + (home.bundles?.length ?? 0) - 1;
  return Math.max(0, Math.min(selected, last));
}

const pop = (stack: readonly Screen[]) => (stack.length > 1 ? stack.slice(0, -1) : stack);

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case "navigate":
      // Opening the screen already on top (help from help) would only grow the stack.
      if (currentScreen(state).id === action.screen.id && currentScreen(state).subject === action.screen.subject) return state;
      return { ...state, stack: [...state.stack, action.screen] };
    case "go": {
      const home = state.stack[0] ?? { id: "home" };
      return { ...state, stack: action.screen === undefined ? [home] : [home, action.screen] };
    }
    case "commandLine":
      return state.commandLine === action.open ? state : { ...state, commandLine: action.open };
    case "back":
      return state.stack.length > 1 ? { ...state, stack: pop(state.stack) } : state;
    case "move":
      return { ...state, selected: clampSelection(state.selected + action.by, state) };
    case "setHome":
      if (action.routers === state.routers && action.friends === state.friends && (action.bundles === undefined || action.bundles === state.bundles)) return state;
      {
        // Lists read again (after a wizard) have not been looked at: the badges already seen stay until the next look.
        const routers = action.routers.map((r) => (r.status === "checking" ? { ...r, status: state.routers.find((b) => b.name === r.name)?.status ?? r.status } : r));
        const friends = action.friends.map((f) => (f.status === "checking" ? { ...f, status: state.friends.find((b) => b.peering === f.peering)?.status ?? f.status } : f));
        const home = { routers, friends, bundles: action.bundles ?? state.bundles };
        return { ...state, ...home, selected: clampSelection(state.selected, home) };
      }
    case "fail":
      // A screen that crashed while drawing is left, so dismissing the error does not redraw it.
      return { ...state, error: describeError(action.error), stack: action.leaveScreen ? pop(state.stack) : state.stack };
    case "dismissError":
      return { ...state, error: null };
    case "quit":
      return { ...state, quit: true };
  }
}

export interface AppActions {
  navigate(screen: Screen): void;
  /** Home, with `screen` over it: where a `:` command goes, whatever was open. */
  go(screen?: Screen): void;
  openCommandLine(): void;
  closeCommandLine(): void;
  back(): void;
  move(by: number): void;
  setHome(home: HomeData): void;
  fail(error: unknown, options?: { leaveScreen?: boolean }): void;
  dismissError(): void;
  quit(): void;
}

export const StateContext = createContext<AppState | null>(null);
export const ActionsContext = createContext<AppActions | null>(null);

export function AppStateProvider({ home, children }: { home: HomeData; children: ReactNode }) {
  const [state, dispatch] = useReducer(appReducer, home, createInitialState);
  // dispatch is stable, so screens holding the actions never re-render because of them.
  const actions = useMemo<AppActions>(
    () => ({
      navigate: (screen) => dispatch({ type: "navigate", screen }),
      go: (screen) => dispatch({ type: "go", screen }),
      openCommandLine: () => dispatch({ type: "commandLine", open: true }),
      closeCommandLine: () => dispatch({ type: "commandLine", open: false }),
      back: () => dispatch({ type: "back" }),
      move: (by) => dispatch({ type: "move", by }),
      setHome: ({ routers, friends, bundles }) => dispatch({ type: "setHome", routers, friends, bundles }),
      fail: (error, options) => dispatch({ type: "fail", error, leaveScreen: options?.leaveScreen }),
      dismissError: () => dispatch({ type: "dismissError" }),
      quit: () => dispatch({ type: "quit" }),
    }),
    [],
  );
  return (
    <ActionsContext.Provider value={actions}>
      <StateContext.Provider value={state}>{children}</StateContext.Provider>
    </ActionsContext.Provider>
  );
}

export function useAppState(): AppState {
  const state = useContext(StateContext);
  if (!state) throw new Error("useAppState needs <AppStateProvider> above it");
  return state;
}

export function useActions(): AppActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error("useActions needs <AppStateProvider> above it");
  return actions;
}
