// The screens need a person at a terminal. Without one, say which headless command to use
// rather than wait on keys that never come.
import { UserError } from "../errors.js";

export const HEADLESS_HINT =
  "use the headless commands instead: bgpals render|plan|apply|status|prefer|remove ... --json (see bgpals --help)";

export class NotInteractiveError extends UserError {
  readonly hint = HEADLESS_HINT;

  constructor(reason: string) {
    // The hint is part of the message too: the CLI prints only the message.
    super(`bgpals needs a terminal for its screens, but ${reason};\n${HEADLESS_HINT}`);
  }
}

export interface TerminalStreams {
  stdin: { isTTY?: boolean };
  stdout?: { isTTY?: boolean };
  env?: Record<string, string | undefined>;
}

/**
 * Throws NotInteractiveError unless stdin (and stdout, when given) is a terminal that can draw.
 * CI=true alone is not a reason: a CI job may run the TUI in a real pseudo-terminal.
 */
export function assertInteractive({ stdin, stdout, env = {} }: TerminalStreams): void {
  if (!stdin.isTTY) throw new NotInteractiveError("stdin is not a terminal");
  if (stdout && !stdout.isTTY) throw new NotInteractiveError("stdout is not a terminal");
  if (env.TERM === "dumb") throw new NotInteractiveError("TERM=dumb cannot draw screens");
}
