// The monitor's screen state without rendering: each action, the log's cap, the overlay's life,
// and how long after a link went down a best path moved.
import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../../src/flows/watch.js";
import type { RouterStatus } from "../../src/platforms/platform.js";
import type { ObservedMove } from "../../src/flows/prefer.js";
import { eventLine, initialMonitorState, KEPT_EVENTS, monitorReducer, observedLine, unsettledLines, type MonitorAction, type MonitorState } from "../../src/ui/screens/monitor/monitor-state.js";
import { example } from "../helpers.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { linuxBird } from "../../src/platforms/linux-bird/index.js";

const FRIEND = "remi";
const PLATFORM = routerOs;
const T0 = "2025-03-01T10:00:00.000Z";
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

const start = (): MonitorState => initialMonitorState({ friend: FRIEND, platform: PLATFORM, peering: example("s1") });
const run = (state: MonitorState, ...actions: MonitorAction[]): MonitorState => actions.reduce(monitorReducer, state);

const STATUS: RouterStatus = {
  tunnels: [{ name: "wg-alice-remi-isp1", link: "isp1", peering: "alice-remi", state: "up", lastHandshake: "5s", rx: 10, tx: 20 }],
  sessions: [],
  routes: [],
};

const down = (link: string, seconds: number): WatchEvent => ({ event: "session-down", time: at(seconds), session: `bgp-${link}`, link, error: "hold timer expired" });
const up = (link: string, seconds: number): WatchEvent => ({ event: "session-up", time: at(seconds), session: `bgp-${link}`, link });
const moved = (from: string | null, to: string, seconds: number): WatchEvent => ({
  event: "best-path-moved",
  time: at(seconds),
  prefix: "192.168.42.0/24",
  from: { gateway: "172.16.0.2", link: from },
  to: { gateway: "172.16.0.6", link: to },
});

describe("monitor state", () => {
  it("starts on the route view, nothing seen, nothing busy", () => {
    const state = start();
    expect(state).toMatchObject({ friend: FRIEND, status: null, friendStatus: null, events: [], pane: "routes", link: 0, overlay: null, busy: null });
    expect(state.peering?.policy.primary).toBe("isp1");
  });

  it("keeps each router's latest look", () => {
    const state = run(start(), { type: "status", status: STATUS }, { type: "friendStatus", status: { ...STATUS, tunnels: [] } });
    expect(state.status).toBe(STATUS);
    expect(state.friendStatus).toEqual({ ...STATUS, tunnels: [] });
  });

  it("logs my router's events in the product's words, with the platform's name", () => {
    const state = run(
      start(),
      { type: "watched", event: { event: "connected", time: at(0), version: "7.24" } },
      { type: "watched", event: { event: "snapshot", time: at(1), status: STATUS, routes: STATUS.routes.length } },
      { type: "watched", event: { event: "prefix-arrived", time: at(2), prefix: "192.168.43.0/24", gateway: "172.16.0.2", link: "isp1" } },
      { type: "watched", event: { event: "limit-exceeded", time: at(3), session: "bgp-isp2", link: "isp2" } },
    );
    expect(state.events).toEqual([
      "10:00:00 connected (RouterOS 7.24)",
      "10:00:01 watching: 1 tunnel, 0 sessions, 0 routes",
      "10:00:02 prefix 192.168.43.0/24 arrived via isp1",
      "10:00:03 session isp2 stopped: prefix limit exceeded (l clears it)",
    ]);
  });

  it("names a Linux host's BIRD once connected to it, not RouterOS", () => {
    const state = run(start(), { type: "platform", platform: linuxBird }, { type: "watched", event: { event: "connected", time: at(0), version: "2.0.12" } });
    expect(state.events).toEqual(["10:00:00 connected (Linux (BIRD 2.0.12))"]);
  });

  it("words every kind of event", () => {
    expect(eventLine({ event: "connection-lost", time: at(0), error: "timeout", retryInMs: 250 }, PLATFORM)).toBe("10:00:00 connection lost, reconnecting: timeout");
    expect(eventLine({ event: "tunnel-up", time: at(0), tunnel: "wg1", link: "isp1" }, PLATFORM)).toBe("10:00:00 tunnel isp1 up");
    expect(eventLine({ event: "tunnel-down", time: at(0), tunnel: "wg1", link: "isp1" }, PLATFORM)).toBe("10:00:00 tunnel isp1 down (handshake lost)");
    expect(eventLine({ event: "tunnel-down", time: at(0), tunnel: "wg1", link: "isp1", silentFor: "52s" }, PLATFORM)).toBe("10:00:00 tunnel isp1 down (nothing received for 52s)");
    expect(eventLine(up("isp1", 0), PLATFORM)).toBe("10:00:00 session isp1 established");
    expect(eventLine(down("isp1", 0), PLATFORM)).toBe("10:00:00 session isp1 down: hold timer expired");
    expect(eventLine({ ...down("isp1", 0), error: "" } as WatchEvent, PLATFORM)).toBe("10:00:00 session isp1 down");
    expect(eventLine({ event: "prefix-arrived", time: at(0), prefix: "10.9.0.0/16", gateway: "172.16.0.2", link: null }, PLATFORM)).toBe("10:00:00 prefix 10.9.0.0/16 arrived via 172.16.0.2");
    expect(eventLine({ event: "prefix-withdrawn", time: at(0), prefix: "10.9.0.0/16" }, PLATFORM)).toBe("10:00:00 prefix 10.9.0.0/16 withdrawn");
    expect(eventLine(moved(null, "isp2", 0), PLATFORM)).toBe("10:00:00 best path to 192.168.42.0/24 moved 172.16.0.2 → isp2");
  });

  it("says how long after its link went down a best path moved, counting from the first loss", () => {
    const state = run(
      start(),
      { type: "watched", event: down("isp1", 0) },
      { type: "watched", event: { event: "tunnel-down", time: at(1), tunnel: "wg1", link: "isp1" } },
      { type: "watched", event: moved("isp1", "isp2", 2.5) },
    );
    expect(state.events.at(-1)).toBe("10:00:02 best path to 192.168.42.0/24 moved isp1 → isp2, 2.5 s after isp1 went down");
  });

  it("stops counting once the link's session is up again, and never for another link", () => {
    const state = run(start(), { type: "watched", event: down("isp1", 0) }, { type: "watched", event: up("isp1", 4) }, { type: "watched", event: moved("isp1", "isp2", 6) }, { type: "watched", event: moved("isp2", "isp1", 7) });
    expect(state.events.slice(-2)).toEqual(["10:00:06 best path to 192.168.42.0/24 moved isp1 → isp2", "10:00:07 best path to 192.168.42.0/24 moved isp2 → isp1"]);
    // A new loss counts from its own time.
    const again = run(state, { type: "watched", event: down("isp1", 10) }, { type: "watched", event: moved("isp1", "isp2", 11.25) });
    expect(again.events.at(-1)).toMatch(/, 1\.3 s after isp1 went down$/);
  });

  it("takes from the friend's router what changed there, and that it was lost", () => {
    let state = run(
      start(),
      { type: "friendWatched", event: { event: "connected", time: at(0), version: "7.19.6" } },
      { type: "friendWatched", event: { event: "snapshot", time: at(0), status: STATUS, routes: STATUS.routes.length } },
      { type: "friendStatus", status: STATUS },
      { type: "friendWatched", event: up("isp1", 1) },
    );
    expect(state.events).toEqual(["10:00:01 session isp1 established (on remi's router)"]);
    state = monitorReducer(state, { type: "friendWatched", event: { event: "connection-lost", time: at(2), error: "timeout", retryInMs: 250 } });
    expect(state.friendStatus).toBe("unreachable");
    expect(state.events).toHaveLength(1);
  });

  it("logs the screen's own lines at their time", () => {
    const state = monitorReducer(start(), { type: "note", time: at(61), text: "isp2 is primary (4 changes)" });
    expect(state.events).toEqual(["10:01:01 isp2 is primary (4 changes)"]);
  });

  it(`keeps the newest ${KEPT_EVENTS} lines`, () => {
    let state = start();
    for (let i = 0; i < KEPT_EVENTS + 50; i++) state = monitorReducer(state, { type: "note", time: at(0), text: `line ${i}` });
    expect(state.events).toHaveLength(KEPT_EVENTS);
    expect(state.events[0]).toBe("10:00:00 line 50");
    expect(state.events.at(-1)).toBe(`10:00:00 line ${KEPT_EVENTS + 49}`);
  });

  it("takes a burst of events in one step, as the same lines one at a time would give, keeping the newest", () => {
    // A loss early in the burst still times a best path moved at its end, though only the tail is worded.
    const burst: WatchEvent[] = [down("isp1", 0), ...Array.from({ length: KEPT_EVENTS * 3 }, (_, i) => moved(i % 2 === 0 ? "isp2" : "isp1", i % 2 === 0 ? "isp1" : "isp2", 1 + i / 1000)), moved("isp1", "isp2", 5)];
    const before = run(start(), { type: "note", time: at(0), text: "before" });
    const oneByOne = run(before, ...burst.map((event): MonitorAction => ({ type: "watched", event })));
    const together = monitorReducer(before, { type: "watchedMany", events: burst });
    expect(together.events).toEqual(oneByOne.events);
    expect(together.lostAt).toEqual(oneByOne.lostAt);
    expect(together.events).toHaveLength(KEPT_EVENTS);
    expect(together.events.at(-1)).toBe("10:00:05 best path to 192.168.42.0/24 moved isp1 → isp2, 5.0 s after isp1 went down");
    // A short burst keeps what was logged before it.
    expect(monitorReducer(before, { type: "watchedMany", events: [up("isp1", 1), down("isp2", 2)] }).events).toEqual(["10:00:00 before", "10:00:01 session isp1 established", "10:00:02 session isp2 down: hold timer expired"]);
  });

  it("switches panes and moves the link selection within the peering's links", () => {
    let state = monitorReducer(start(), { type: "nextPane" });
    expect(state.pane).toBe("links");
    state = run(state, { type: "moveLink", by: -1 });
    expect(state.link).toBe(0);
    state = run(state, { type: "moveLink", by: 1 }, { type: "moveLink", by: 1 });
    expect(state.link).toBe(1);
    expect(monitorReducer(state, { type: "nextPane" }).pane).toBe("routes");
  });

  it("says what a key is busy with until it is done", () => {
    const state = monitorReducer(start(), { type: "busy", doing: "clearing the prefix limit" });
    expect(state.busy).toBe("clearing the prefix limit");
    expect(monitorReducer(state, { type: "idle" }).busy).toBeNull();
  });

  it("opens a confirm overlay; yes closes it and says what is being done, no only closes it", () => {
    const asked = run(start(), { type: "busy", doing: "predicting isp2 as primary" }, { type: "confirm", lines: ["isp1 → isp2", "enter: apply"], doing: "making isp2 primary" });
    expect(asked.overlay).toEqual({ kind: "confirm", lines: ["isp1 → isp2", "enter: apply"], doing: "making isp2 primary" });
    const yes = monitorReducer(asked, { type: "answer", go: true });
    expect(yes.overlay).toBeNull();
    expect(yes.busy).toBe("making isp2 primary");
    const no = monitorReducer(asked, { type: "answer", go: false });
    expect(no.overlay).toBeNull();
    expect(no.busy).toBe("predicting isp2 as primary");
  });

  it("shows lines until closed; an answer is not for them", () => {
    const shown = monitorReducer(start(), { type: "show", title: "Why 192.168.42.0/24?", lines: ["isp1: accept"] });
    expect(shown.overlay).toEqual({ kind: "lines", title: "Why 192.168.42.0/24?", lines: ["isp1: accept"] });
    expect(monitorReducer(shown, { type: "answer", go: true })).toBe(shown);
    expect(monitorReducer(shown, { type: "close" }).overlay).toBeNull();
    expect(monitorReducer(start(), { type: "answer", go: false }).overlay).toBeNull();
  });

  it("holds the peering as swapped", () => {
    const before = start();
    const swapped = { ...before.peering!, policy: { ...before.peering!.policy, primary: "isp2" } };
    expect(monitorReducer(before, { type: "swapped", peering: swapped }).peering?.policy.primary).toBe("isp2");
  });
});

describe("the move after a swap, as the log says it", () => {
  const PREFIX = "192.168.42.0/24";
  const seen = (link: string | null, asPredicted: boolean, afterMs: number): ObservedMove => ({ prefix: PREFIX, link, gateway: link === null ? "" : "172.16.0.6", localPref: link === null ? null : 200, afterMs, asPredicted });

  it("says a prefix moved once it is where predicted, and nothing of the old path seen before", () => {
    expect(observedLine(seen("isp1", false, 0))).toBeNull();
    expect(observedLine(seen("isp2", true, 300))).toBe(`observed: ${PREFIX} now via isp2 after 0.3 s`);
  });

  it("says 'not as predicted' only of a watch that ended with the prefix elsewhere", () => {
    expect(unsettledLines(null)).toEqual([]);
    expect(unsettledLines({ settled: true, elapsedMs: 400, prefixes: [seen("isp2", true, 400)] })).toEqual([]);
    expect(unsettledLines({ settled: false, elapsedMs: 30_000, prefixes: [seen("isp1", false, 30_000), seen(null, false, 30_000)] })).toEqual([
      `not as predicted 30.0 s after the apply: ${PREFIX} via isp1`,
      `not as predicted 30.0 s after the apply: ${PREFIX} via no route`,
    ]);
  });
});
