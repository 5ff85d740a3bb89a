// What a test makes goes when it finishes; what a file makes outside a test (at load, in a
// describe, in beforeAll) goes after the file: test/after-file.ts runs those cleanups, after the
// file's own afterAll hooks. Kept here, not in a test's module, so a worker that runs several files
// (vitest.config.ts: isolate: false) still cleans up after each of them.
import { onTestFinished } from "vitest";

const fileCleanups: Array<() => unknown> = [];

/**
 * Runs `cleanup` when the current test finishes, passed or failed (the latest registered first),
 * or after the file when called outside a test.
 */
export function onCleanup(cleanup: () => unknown): void {
  try {
    onTestFinished(async () => {
      await cleanup();
    });
  } catch {
    // Not inside a test.
    fileCleanups.push(cleanup);
  }
}

/** Runs what the file left to its end (latest registered first). */
export async function runFileCleanups(): Promise<void> {
  for (const cleanup of fileCleanups.splice(0).reverse()) await cleanup();
}
