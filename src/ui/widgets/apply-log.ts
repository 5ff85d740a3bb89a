// Apply progress as lines: what was done, what failed, what was undone. A reducer over the
// apply events, so the screen and its tests see the same thing.
import type { Change } from "../../core/plan.js";
import { CHANGE_SIGN } from "../../core/plan-view.js";
import type { ApplyEvent } from "../../platforms/platform.js";

export interface ApplyLog {
  done: number;
  total: number;
  lines: Array<{ mark: "✓" | "✗" | "↶" | "•"; text: string }>;
  failed: boolean;
  undone: number | null;
}

export const EMPTY_LOG: ApplyLog = { done: 0, total: 0, lines: [], failed: false, undone: null };

export type ApplyLogAction = ApplyEvent | { kind: "step"; message: string } | { kind: "reset" };

/** A change in a line: its own words where it has them (a Linux host's), else its menu and role. */
function changeText(change: Change): string {
  return change.summary ?? `${change.path} ${change.role}`;
}

export function applyLogReducer(log: ApplyLog, event: ApplyLogAction): ApplyLog {
  switch (event.kind) {
    case "reset":
      return EMPTY_LOG;
    case "step":
      return { ...log, lines: [...log.lines, { mark: "•", text: event.message }] };
    case "start":
      return { ...log, total: event.total };
    case "done":
      return { ...log, done: log.done + 1, total: event.total, lines: [...log.lines, { mark: "✓", text: `${CHANGE_SIGN[event.change.op]} ${changeText(event.change)}` }] };
    case "failed":
      return { ...log, failed: true, lines: [...log.lines, { mark: "✗", text: `${event.change.op} ${changeText(event.change)}: ${event.error.message}` }] };
    case "undo":
      return { ...log, lines: [...log.lines, { mark: "↶", text: `undo ${changeText(event.change)}` }] };
    case "undone":
      return { ...log, undone: event.count, lines: [...log.lines, { mark: "↶", text: `undid ${event.count} change${event.count === 1 ? "" : "s"}${event.problems.length ? `; could not undo: ${event.problems.join("; ")}` : ""}` }] };
  }
}
