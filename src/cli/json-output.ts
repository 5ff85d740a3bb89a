// --json: stdout holds exactly one JSON document, on success and on failure alike (status --watch:
// one a line). Progress, notes and warnings go to stderr; so does the message of an error, whose
// document on stdout is { "ok": false, "error": { "message", "kind" } }.
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

/** A usage error commander found (unknown option, missing argument): its message without "error: ". */
export function usageDocument(message: string): ErrorDocument {
  return { ok: false, error: { message: message.replace(/^error:\s*/, "").trim(), kind: "usage" } };
}

/**
 * How the command line asks for JSON: "document" (--json, --format json), "lines" (status --watch
 * --json), or null. Read from the words themselves, so that an error found while reading them
 * (a flag out of range) is answered in JSON too.
 */
export function jsonRequested(argv: readonly string[]): "document" | "lines" | null {
  const words = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
  const json = words.includes("--json") || words.includes("--format=json") || words.some((w, i) => w === "--format" && words[i + 1] === "json");
  if (!json) return null;
  return words.includes("--watch") ? "lines" : "document";
}
