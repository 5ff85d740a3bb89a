// Runs the built CLI as a user would, in an empty config home.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup, repoRoot } from "../helpers.js";

let home: string | undefined;

/**
 * An empty config home for the CLI: made on first use, removed when the test that made it ends (the
 * file, when made outside a test); the next use makes another. Not one made at load: test files in a
 * shared worker (vitest.config.ts) load this module once, and one file's home is not the next's.
 */
export function emptyHome(): string {
  if (home === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "bgpals-test-home-"));
    home = dir;
    onCleanup(() => {
      rmSync(dir, { recursive: true, force: true });
      if (home === dir) home = undefined;
    });
  }
  return home;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/bgpals.js"), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, BGPALS_HOME: emptyHome(), CI: "true", ...env },
    input: "",
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Node stack trace has lines starting with "    at ". */
export const STACK_TRACE = /^\s+at /m;
