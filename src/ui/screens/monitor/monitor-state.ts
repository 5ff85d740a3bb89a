// The monitor's screen state as a pure reducer: what the routers showed last, the event log, the
// pane and link selected, the overlay, what a key is busy with, and the peering as swapped.
// The hooks (use-monitor-watch, use-monitor-actions) do the I/O and dispatch what they saw.
import type { Peering } from "../../../core/peering.js";
import type { Observation, ObservedMove } from "../../../flows/prefer.js";
import type { WatchEvent } from "../../../flows/watch.js";
import { platformText } from "../../../core/peering.js";
import type { Platform, RouterStatus } from "../../../platforms/platform.js";

/** What the log needs of a platform: how a router of it at a version is named ("RouterOS 7.24", "Linux (BIRD 2.0.12)"). */
export type LoggedPlatform = Pick<Platform, "name" | "sidePlatform">;

/** Lines the event log keeps (the screen shows the last few). */
export const KEPT_EVENTS = 200;

export type Pane = "links" | "routes";

export type Overlay =
  /** A question answered with enter or esc; `doing` is what the screen is busy with after a yes. */
  | { kind: "confirm"; lines: readonly string[]; doing: string }
  | { kind: "lines"; title: string; lines: readonly string[] }
  /** The signed prefer request for the friend, after a swap: text to copy, save or show as a QR code. */
  | { kind: "request"; bundle: PreferRequest };

export interface PreferRequest {
  text: string;
  fingerprint: string;
}

export interface MonitorState {
  readonly friend: string;
  /** My router's platform, as the log says what it runs: the services' until connected, then the router's own. */
  readonly platform: LoggedPlatform;
  /** Our peering with the friend; replaced by the swapped one after p. */
  readonly peering: Peering | undefined;
  /** My router's latest look. */
  readonly status: RouterStatus | null;
  /** The friend's router's latest look, "unreachable" once lost; null without an account there. */
  readonly friendStatus: RouterStatus | "unreachable" | null;
  readonly events: readonly string[];
  readonly pane: Pane;
  /** The selected link, in the links pane. */
  readonly link: number;
  readonly overlay: Overlay | null;
  /** What a key's work is doing now; keys wait while it is set. */
  readonly busy: string | null;
  /** When each link went down (ms since the epoch), until its session is up again. */
  readonly lostAt: Readonly<Record<string, number>>;
  /** The last prefer request made for the friend (r shows it again). */
  readonly request: PreferRequest | null;
}

export type MonitorAction =
  /** Connected to my router: its platform names it in the log (a Linux host is not RouterOS). */
  | { type: "platform"; platform: LoggedPlatform }
  | { type: "status"; status: RouterStatus }
  | { type: "friendStatus"; status: RouterStatus }
  /** Events that came together (a burst of best paths moving): applied in one step. */
  | { type: "watchedMany"; events: readonly WatchEvent[] }
  /** An event on my router. */
  | { type: "watched"; event: WatchEvent }
  /** An event on the friend's router. */
  | { type: "friendWatched"; event: WatchEvent }
  /** A line of the screen's own (what a key did), at `time` (ISO). */
  | { type: "note"; time: string; text: string }
  | { type: "nextPane" }
  | { type: "moveLink"; by: number }
  | { type: "busy"; doing: string }
  | { type: "idle" }
  | { type: "confirm"; lines: readonly string[]; doing: string }
  | { type: "answer"; go: boolean }
  | { type: "show"; title: string; lines: readonly string[] }
  | { type: "close" }
  | { type: "swapped"; peering: Peering }
  /** A prefer request was signed for the friend: shown at once, kept for r. */
  | { type: "request"; bundle: PreferRequest }
  | { type: "showRequest" };

export function initialMonitorState(init: { friend: string; platform: LoggedPlatform; peering: Peering | undefined }): MonitorState {
  return { ...init, status: null, friendStatus: null, events: [], pane: "routes", link: 0, overlay: null, busy: null, lostAt: {}, request: null };
}

/** "1 route", "2 routes". */
export const counted = (n: number, word: string): string => `${n} ${n === 1 ? word : `${word}s`}`;

/** An event as the log shows it, in the words of the product. */
export function eventLine(e: WatchEvent, platform: LoggedPlatform): string {
  const t = e.time.slice(11, 19);
  switch (e.event) {
    case "connected":
      return `${t} connected (${platformText(platform.sidePlatform(e.version))})`;
    case "connection-lost":
      return `${t} connection lost, reconnecting: ${e.error}`;
    case "snapshot":
      return `${t} watching: ${counted(e.status.tunnels.length, "tunnel")}, ${counted(e.status.sessions.length, "session")}, ${counted(e.routes, "route")}`;
    case "tunnel-up":
      return `${t} tunnel ${e.link} up`;
    case "tunnel-down":
      return `${t} tunnel ${e.link} down (${e.silentFor === undefined ? "handshake lost" : `nothing received for ${e.silentFor}`})`;
    case "session-up":
      return `${t} session ${e.link} established`;
    case "session-down":
      return `${t} session ${e.link} down${e.error ? `: ${e.error}` : ""}`;
    case "limit-exceeded":
      return `${t} session ${e.link} stopped: prefix limit exceeded (l clears it)`;
    case "prefix-arrived":
      return `${t} prefix ${e.prefix} arrived via ${e.link ?? e.gateway}`;
    case "prefix-withdrawn":
      return `${t} prefix ${e.prefix} withdrawn`;
    case "best-path-moved":
      return `${t} best path to ${e.prefix} moved ${e.from.link ?? e.from.gateway} → ${e.to.link ?? e.to.gateway}`;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const viaOf = (move: ObservedMove) => move.link ?? (move.gateway || "no route");

/**
 * A friend prefix's path seen while a swap is watched: said once it is where predicted. A path
 * still elsewhere is no verdict: the first look after the apply sees the old one, and BGP takes a
 * while (unsettledLines says what did not move once the watch is over).
 */
export function observedLine(move: ObservedMove): string | null {
  return move.asPredicted ? `observed: ${move.prefix} now via ${viaOf(move)} after ${seconds(move.afterMs)}` : null;
}

/** After the whole watch: each prefix still not where predicted. */
export function unsettledLines(observation: Observation | null): string[] {
  if (observation === null || observation.settled) return [];
  return observation.prefixes.filter((m) => !m.asPredicted).map((m) => `not as predicted ${seconds(observation.elapsedMs)} after the apply: ${m.prefix} via ${viaOf(m)}`);
}

/** When links went down, after `e`: the first loss counts, an established session ends it. */
function losses(lostAt: MonitorState["lostAt"], e: WatchEvent): MonitorState["lostAt"] {
  if ((e.event === "session-down" || e.event === "tunnel-down") && lostAt[e.link] === undefined) return { ...lostAt, [e.link]: Date.parse(e.time) };
  if (e.event === "session-up" && lostAt[e.link] !== undefined) {
    const back = { ...lostAt };
    delete back[e.link];
    return back;
  }
  return lostAt;
}

/** The event as logged; a best path leaving a link that went down says how long after. */
export function timed(e: WatchEvent, platform: LoggedPlatform, lostAt: MonitorState["lostAt"]): string {
  const line = eventLine(e, platform);
  if (e.event !== "best-path-moved") return line;
  const since = e.from.link === null || e.from.link === undefined ? undefined : lostAt[e.from.link];
  return since === undefined ? line : `${line}, ${((Date.parse(e.time) - since) / 1000).toFixed(1)} s after ${e.from.link} went down`;
}

const logged = (events: readonly string[], line: string): readonly string[] => [...events.slice(-(KEPT_EVENTS - 1)), line];

export function monitorReducer(state: MonitorState, action: MonitorAction): MonitorState {
  switch (action.type) {
    case "platform":
      return { ...state, platform: action.platform };
    case "status":
      return { ...state, status: action.status };
    case "friendStatus":
      return { ...state, friendStatus: action.status };
    case "watched": {
      const lostAt = losses(state.lostAt, action.event);
      return { ...state, lostAt, events: logged(state.events, timed(action.event, state.platform, lostAt)) };
    }
    case "watchedMany": {
      // Only the last KEPT_EVENTS are worded and kept; the link losses follow every one of them.
      let lostAt = state.lostAt;
      const lines: string[] = [];
      const firstKept = action.events.length - KEPT_EVENTS;
      action.events.forEach((e, i) => {
        lostAt = losses(lostAt, e);
        if (i >= firstKept) lines.push(timed(e, state.platform, lostAt));
      });
      return { ...state, lostAt, events: [...state.events, ...lines].slice(-KEPT_EVENTS) };
    }
    case "friendWatched": {
      const e = action.event;
      if (e.event === "connection-lost") return { ...state, friendStatus: "unreachable" };
      // Their connects and first looks are noise here: what changed on their side is what counts.
      if (e.event === "snapshot" || e.event === "connected") return state;
      return { ...state, events: logged(state.events, `${eventLine(e, state.platform)} (on ${state.friend}'s router)`) };
    }
    case "note":
      return { ...state, events: logged(state.events, `${action.time.slice(11, 19)} ${action.text}`) };
    case "nextPane":
      return { ...state, pane: state.pane === "routes" ? "links" : "routes" };
    case "moveLink": {
      const last = (state.peering?.links.length ?? 0) - 1;
      return { ...state, link: Math.max(0, Math.min(last, state.link + action.by)) };
    }
    case "busy":
      return { ...state, busy: action.doing };
    case "idle":
      return { ...state, busy: null };
    case "confirm":
      return { ...state, overlay: { kind: "confirm", lines: action.lines, doing: action.doing } };
    case "answer":
      if (state.overlay?.kind !== "confirm") return state;
      return { ...state, overlay: null, busy: action.go ? state.overlay.doing : state.busy };
    case "show":
      return { ...state, overlay: { kind: "lines", title: action.title, lines: action.lines } };
    case "close":
      return { ...state, overlay: null };
    case "swapped":
      return { ...state, peering: action.peering };
    case "request":
      return { ...state, request: action.bundle, overlay: { kind: "request", bundle: action.bundle } };
    case "showRequest":
      return state.request === null ? state : { ...state, overlay: { kind: "request", bundle: state.request } };
  }
}
