// A wizard's steps as a history of plain states: going on pushes, esc pops, a finished slow step
// replaces itself with its result (so esc never lands on a spinner).
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

export function useSteps<D>(first: D): Steps<D> {
  const [history, setHistory] = useState<readonly D[]>([first]);
  const latest = useRef(history);
  latest.current = history;
  const go = useCallback((next: D) => setHistory((h) => [...h, next]), []);
  const replace = useCallback((next: D) => setHistory((h) => [...h.slice(0, -1), next]), []);
  const back = useCallback(() => {
    if (latest.current.length <= 1) return false;
    setHistory((h) => h.slice(0, -1));
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
