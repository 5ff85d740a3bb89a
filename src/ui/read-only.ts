// Read-only mode on the screens: the keys that would write to a router are left out of the hints,
// and pressed anyway they say why nothing happens. The routers refuse writes themselves
// (platforms/platform.ts readOnlyRouter); this only keeps the screens honest about it.
import type { ErrorReport } from "../errors.js";
import type { ReadOnlyMode } from "../platforms/platform.js";
import { COMMANDS, type Command } from "./keymap.js";

/** Commands that lead to a write on a router: a peering made, completed, removed, swapped; a session cleared; an offer cancelled. */
export const WRITING_COMMANDS: ReadonlySet<Command> = new Set<Command>(["newPeering", "acceptOffer", "completeOffer", "removePeering", "prefer", "clearLimit", "apply", "resumeOffer", "cancelOffer"]);

/** What the screen says when a writing key is pressed read-only. */
export function readOnlyRefusal(command: Command, mode: ReadOnlyMode): ErrorReport {
  return { kind: "expected", message: `read-only: ${COMMANDS[command].label} would write to a router; ${mode.leave}` };
}
