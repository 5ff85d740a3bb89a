// Expected errors carry what to do; anything else is a bug and says how to get details.

export class UserError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

/** Usage errors (bad flags, missing arguments) exit with 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

export function reportError(error: unknown, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  if (error instanceof UserError) {
    for (const line of error.message.split("\n")) write(line === "" ? "" : `bgpals: ${line}`);
    return error.exitCode;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  write(`bgpals: internal error: ${e.message}`);
  if (process.env.BGPALS_DEBUG) write(e.stack ?? "");
  else write("bgpals: this is a bug; run again with BGPALS_DEBUG=1 for details and report it");
  return 1;
}
