// An apply's progress on stderr, one line a change: what the headless commands show while they write.
import { CHANGE_SIGN } from "../core/plan-view.js";
import type { ApplyEvent } from "../platforms/platform.js";

export function applyProgress(e: ApplyEvent): void {
  if (e.kind === "done") process.stderr.write(`  [${e.index + 1}/${e.total}] ${CHANGE_SIGN[e.change.op]} ${e.change.path} ${e.change.role}\n`);
  if (e.kind === "failed") process.stderr.write(`  failed: ${e.change.op} ${e.change.path} ${e.change.role}: ${e.error.message}\n`);
  if (e.kind === "undo") process.stderr.write(`  undo ${e.change.path} ${e.change.role}\n`);
}
