// A wizard's steps as a history of plain states: going on pushes, esc pops (keeping what was
// typed since), a finished slow step replaces itself with its result (so esc never lands on a spinner).
import { useCallback, useRef, useState } from "react";

export interface Steps<D> {
  step: D;
  go(next: D): void;
  replace(next: D): void;
  /** Back one step; false at the first (the screen is left instead). */
  back(): boolean;
  /** Back to the newest step that matches. */
  backTo(match: (step: D) => boolean): void;
}

/**
 * The step esc goes back to, holding what was typed or chosen since (a step's `draft`): its field
 * shows the value again instead of starting empty.
 */
export function carryDraft<D>(previous: D, current: D): D {
  const draftOf = (step: D) => (typeof step === "object" && step !== null && "draft" in step ? (step as { draft: unknown }).draft : undefined);
  const before = draftOf(previous);
  const now = draftOf(current);
  if (typeof before !== "object" || before === null || typeof now !== "object" || now === null) return previous;
  return { ...previous, draft: { ...before, ...now } };
}

export function useSteps<D>(first: D): Steps<D> {
  const [history, setHistory] = useState<readonly D[]>([first]);
  const latest = useRef(history);
  latest.current = history;
  const go = useCallback((next: D) => setHistory((h) => [...h, next]), []);
  const replace = useCallback((next: D) => setHistory((h) => [...h.slice(0, -1), next]), []);
  const back = useCallback(() => {
    if (latest.current.length <= 1) return false;
    setHistory((h) => [...h.slice(0, -2), carryDraft(h[h.length - 2]!, h[h.length - 1]!)]);
    return true;
  }, []);
  const backTo = useCallback((match: (step: D) => boolean) => {
    setHistory((h) => {
      for (let i = h.length - 1; i >= 0; i--) if (match(h[i]!)) return h.slice(0, i + 1);
      return h.slice(0, 1);
    });
  }, []);
  return { step: history[history.length - 1]!, go, replace, back, backTo };
}
