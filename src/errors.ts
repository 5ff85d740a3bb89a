// The error taxonomy. Expected errors (a router refused, a bundle is tampered, a flag is wrong)
// carry a message that says what happened and what to do, and exit 1 (usage: 2). Anything else is
// a bug and keeps its stack for the report.

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

/**
 * bgpals runs read-only (--read-only, BGPALS_READ_ONLY, readOnly in the config file) and something
 * would have written to a router: refused before anything was sent. `leave` says how to write.
 */
export class ReadOnlyError extends UserError {
  override readonly name = "ReadOnlyError";
  constructor(
    readonly what: string,
    readonly router: string,
    leave: string,
  ) {
    super(`read-only: ${what} would write to ${router}; ${leave}`);
  }
}

export type RouterErrorKind =
  | "refused"
  | "timeout"
  | "unreachable"
  | "bad-credentials"
  | "tls"
  | "fingerprint-changed"
  | "trap"
  | "closed"
  | "protocol";

export interface RouterErrorDetails {
  /** The API command that failed, e.g. `/ip/address/add`. */
  readonly command?: string;
  /** RouterOS's own words: the message of a `!trap`, or the reason of a `!fatal`. */
  readonly routerMessage?: string;
  /** `=category=` of a `!trap` (0 missing item or command, 1 bad argument, 2 interrupted ...). */
  readonly category?: number;
  readonly expectedFingerprint?: string;
  /** Null when the router presented no certificate. */
  readonly actualFingerprint?: string | null;
  readonly timeoutMs?: number;
  /** What the operating system or the TLS layer said. */
  readonly reason?: string;
  /** The connection ended before the login was answered. */
  readonly beforeLogin?: boolean;
  readonly cause?: unknown;
}

/**
 * Something went wrong between bgpals and a router: refused, timed out, a wrong password, a
 * certificate that changed, the router's own refusal. Expected: its message says what to check.
 */
export class RouterError extends UserError {
  override readonly name = "RouterError";
  readonly host: string;
  readonly port: number;
  readonly command: string | undefined;
  readonly routerMessage: string | undefined;
  readonly category: number | undefined;
  readonly expectedFingerprint: string | undefined;
  readonly actualFingerprint: string | null | undefined;

  constructor(
    readonly kind: RouterErrorKind,
    message: string,
    endpoint: { readonly host: string; readonly port: number },
    details: RouterErrorDetails = {},
  ) {
    super(message);
    if (details.cause !== undefined) Object.defineProperty(this, "cause", { value: details.cause, enumerable: false });
    this.host = endpoint.host;
    this.port = endpoint.port;
    this.command = details.command;
    this.routerMessage = details.routerMessage;
    this.category = details.category;
    this.expectedFingerprint = details.expectedFingerprint;
    this.actualFingerprint = details.actualFingerprint;
  }
}


/** An error the user can act on: what happened, and optionally what to do about it. */
export interface ExpectedError {
  message: string;
  hint?: string;
}

export type ErrorReport =
  | { kind: "expected"; message: string; hint?: string }
  | { kind: "bug"; message: string; stack: string[] };

function isReport(error: unknown): error is ErrorReport {
  if (typeof error !== "object" || error === null || error instanceof Error) return false;
  const { kind, message } = error as { kind?: unknown; message?: unknown };
  return (kind === "expected" || kind === "bug") && typeof message === "string";
}

function hintOf(error: object): string | undefined {
  const hint = (error as { hint?: unknown }).hint;
  return typeof hint === "string" && hint !== "" ? hint : undefined;
}

/** The frames of a stack, without the "Error: message" line that repeats the message. */
function stackFrames(error: Error): string[] {
  return (error.stack ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("at "));
}

/** Sorts any thrown value into an expected error or a bug, as plain data. */
export function describeError(error: unknown): ErrorReport {
  if (isReport(error)) return error;
  if (error instanceof UserError) return { kind: "expected", message: error.message, hint: hintOf(error) };
  if (error instanceof Error) return { kind: "bug", message: error.message || error.name, stack: stackFrames(error) };
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    return { kind: "expected", message: (error as ExpectedError).message, hint: hintOf(error) };
  }
  return { kind: "bug", message: String(error), stack: [] };
}
