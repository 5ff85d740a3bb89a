// The JSON document an error leaves on stdout under --json. Apart from json-output.ts because it
// knows the platforms' errors: the command line loads it only when a command failed.
import { ReadOnlyError, RouterError, UsageError, UserError, type RouterErrorKind } from "../errors.js";
import { InterruptedRunError, RouterLockedError } from "../platforms/platform.js";

/** What went wrong, for a script to branch on. */
export type ErrorKind = "usage" | "read-only" | "locked" | "interrupted" | "router" | "failed" | "internal";

export interface ErrorDocument {
  ok: false;
  error: {
    message: string;
    kind: ErrorKind;
    /** With kind "router": what went wrong between bgpals and the router (timeout, bad-credentials, trap, ...). */
    router?: RouterErrorKind;
  };
}

export function errorKind(error: unknown): ErrorKind {
  if (error instanceof UsageError) return "usage";
  if (error instanceof ReadOnlyError) return "read-only";
  if (error instanceof RouterLockedError) return "locked";
  if (error instanceof InterruptedRunError) return "interrupted";
  if (error instanceof RouterError) return "router";
  if (error instanceof UserError) return "failed";
  return "internal";
}

/** The document an error leaves on stdout; `extra` adds what the command knows (what was undone, ...). */
export function errorDocument(error: unknown, extra: Record<string, unknown> = {}): ErrorDocument & Record<string, unknown> {
  const kind = errorKind(error);
  const message = error instanceof Error ? error.message || error.name : String(error);
  return {
    ok: false,
    ...extra,
    error: { message: kind === "internal" ? `internal error: ${message}` : message, kind, ...(error instanceof RouterError ? { router: error.kind } : {}) },
  };
}

