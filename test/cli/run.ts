// Runs the built CLI as a user would, in an empty config home.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot, tempDir } from "../helpers.js";

/** Removed after the test file that loaded this. */
export const emptyHome = tempDir("bgpals-test-home-");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/bgpals.js"), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, BGPALS_HOME: emptyHome, CI: "true", ...env },
    input: "",
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Node stack trace has lines starting with "    at ". */
export const STACK_TRACE = /^\s+at /m;
