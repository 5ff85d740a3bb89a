// Test files on real hosts in network namespaces: they mostly wait on BIRD and WireGuard, so they
// are a vitest project of their own with more workers (vitest.config.ts), which `npm test` runs beside
// the rest (scripts/test.js), longest first (test/sequencer.ts). Found by what they use, so a new one
// is not forgotten in a list.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Namespaces of their own, without the netlab fixture. */
const NAMED = /^test\/(netlab\/|platforms\/linux-bird\/(wireguard-hosts|bird-filters)\.test)/;
/** The netlab fixture, directly or through the helpers that start one. */
const USES = /\b(startNetlab|peered-hosts|linux-operator)\b/;

/** `file` relative to `root`, with forward slashes. */
export function onRealNetwork(root: string, file: string): boolean {
  return NAMED.test(file) || USES.test(readFileSync(join(root, file), "utf8"));
}
