// What the monitor's keys do that takes a router: p swaps primary and backup (the prediction
// first, then apply, then the observed move), l clears a session stopped by its prefix limit, w
// asks why a prefix was accepted or filtered. Each reports through the screen's reducer; a refusal
// or a failure goes to the app's error panel.
import { useRef, type Dispatch } from "react";
import { changeLines } from "../../../core/plan-view.js";
import { describePrediction } from "../../../core/prefer.js";
import { nextPrimary, onOwnConnection, swapPrimaryLink } from "../../../flows/monitor.js";
import { clearLimitExceeded } from "../../../flows/prefer.js";
import type { RouterSession } from "../../hooks/use-router-session.js";
import { useServices } from "../../services.js";
import { useActions } from "../../state.js";
import { observedLine, unsettledLines, type MonitorAction, type MonitorState } from "./monitor-state.js";

export interface MonitorActions {
  togglePrimary(): void;
  clearLimit(): void;
  /**
   * Why the route view's selected prefix (or `prefix`, from `:why`) is there or not; what stands in
   * the way when it cannot ask now.
   */
  why(prefix?: string): string | null;
  /** The confirm overlay's answer: enter (true) or esc (false). */
  answer(go: boolean): void;
  /** Closes an overlay that asks nothing. */
  close(): void;
  /** A line of the screen's own in the event log. */
  note(text: string): void;
}

export interface MonitorActionsInput {
  state: MonitorState;
  dispatch: Dispatch<MonitorAction>;
  session: RouterSession | null;
  /** Our side: the operator. */
  me: string | null;
  /** The prefix selected in the route view, if any. */
  selectedPrefix: () => string | undefined;
}

export function useMonitorActions({ state, dispatch, session, me, selectedPrefix }: MonitorActionsInput): MonitorActions {
  const services = useServices();
  const actions = useActions();
  // The swap waits on the confirm overlay: its answer resolves this.
  const pending = useRef<((go: boolean) => void) | null>(null);
  const { peering, busy, friend } = state;
  const note = (text: string) => dispatch({ type: "note", time: new Date().toISOString(), text });
  const failed = (e: unknown) => {
    dispatch({ type: "idle" });
    actions.fail(e);
  };

  const togglePrimary = () => {
    if (!peering || !me) return;
    // Said rather than ignored: a key that does nothing looks broken.
    if (session === null) return note("still connecting to the router: press it again once the links show");
    if (busy) return note(`still ${busy}: wait for it to finish`);
    const next = nextPrimary(peering);
    if (next === undefined) return note(`${peering.name} has one link: nothing to swap`);
    dispatch({ type: "busy", doing: `predicting ${next} as primary` });
    swapPrimaryLink(session.router, {
      workspace: services.workspace,
      peering,
      side: me,
      friend,
      primary: next,
      confirm: (prediction, plan) =>
        new Promise<boolean>((resolve) => {
          pending.current = resolve;
          dispatch({
            type: "confirm",
            lines: [...describePrediction(prediction), "", ...changeLines(plan, session.router.label, { compact: true }), "", "enter: apply (local-pref in, prepend out, on every link) · esc: cancel"],
            doing: `making ${next} primary`,
          });
        }),
      onApplyStep: (e) => {
        if (e.kind === "done") dispatch({ type: "busy", doing: `making ${next} primary: ${e.index + 1}/${e.total} changes` });
        if (e.kind === "undo") dispatch({ type: "busy", doing: "undoing" });
      },
      // A path still moving is no verdict: the first look after the apply sees the old one, and
      // BGP takes a while. Only where each prefix settled is said now; the rest once the watch ends.
      onObserved: (move) => {
        dispatch({ type: "busy", doing: `watching the move to ${next}` });
        const line = observedLine(move);
        if (line !== null) note(line);
      },
    }).then((result) => {
      dispatch({ type: "idle" });
      if (result.status === "refused" || result.status === "failed") return actions.fail({ kind: "expected", message: result.message, hint: result.status === "failed" ? "Nothing changed: the apply was undone." : undefined });
      if (result.status !== "applied") return;
      for (const line of unsettledLines(result.observation)) note(line);
      dispatch({ type: "swapped", peering: result.peering });
      note(`${next} is primary (${result.applied} changes); ${friend}'s side decides the way back`);
      if (result.bundle) {
        services.clipboard.copy(result.bundle.text);
        note(`prefer request for ${friend} signed (r shows it): fingerprint ${result.bundle.fingerprint}; send it so they match`);
        // Shown too, not only copied: a terminal may not pass OSC 52 to the clipboard.
        dispatch({ type: "request", bundle: result.bundle });
      }
    }, failed);
  };

  const clearLimit = () => {
    if (!peering || !me || busy || session === null) return;
    dispatch({ type: "busy", doing: "clearing the prefix limit" });
    onOwnConnection(session.router, (router) => clearLimitExceeded(router, { peering, side: me })).then((result) => {
      dispatch({ type: "idle" });
      if (result.status === "nothing-to-clear") note("no session is stopped by its prefix limit");
      else if (result.status === "refused") actions.fail({ kind: "expected", message: result.message });
      else for (const s of result.sessions) note(`cleared ${s.link}: ${s.outcome}`);
    }, failed);
  };

  const why = (asked?: string): string | null => {
    const prefix = asked ?? selectedPrefix();
    if (session === null) return "the monitor is not connected to your router yet";
    if (busy) return `the monitor is busy ${busy}: try again when it is done`;
    if (prefix === undefined) return "no route selected";
    dispatch({ type: "busy", doing: `asking why ${prefix}` });
    onOwnConnection(session.router, (router) => router.why(prefix)).then((answers) => {
      dispatch({ type: "idle" });
      dispatch({ type: "show", title: `Why ${prefix}?`, lines: answers.length ? answers.map((a) => `${a.link ?? a.session}: ${a.summary}`) : ["no session of this router received it"] });
    }, failed);
    return null;
  };

  const answer = (go: boolean) => {
    const resolve = pending.current;
    pending.current = null;
    dispatch({ type: "answer", go });
    resolve?.(go);
  };

  return { togglePrimary, clearLimit, why, answer, close: () => dispatch({ type: "close" }), note };
}
