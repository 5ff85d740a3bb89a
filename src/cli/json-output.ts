// --json: stdout holds exactly one JSON document, on success and on failure alike (status --watch:
// one a line). Progress, notes and warnings go to stderr; so does the message of an error, whose
// document on stdout is { "ok": false, "error": { "message", "kind" } } (error-document.ts).
import type { ErrorDocument } from "./error-document.js";

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
