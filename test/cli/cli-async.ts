// Runs the built CLI without blocking this process (a lab may run in it).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { endsWithTest, repoRoot } from "../helpers.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `input` goes to its stdin; `register` ends the child with the test (a concurrent test passes its context's onTestFinished). */
export function cliAsync(args: string[], env: Record<string, string>, input?: string, register?: (cleanup: () => unknown) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    // Killed when the test ends, should it time out while this runs.
    const child = endsWithTest(spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), ...args], { cwd: repoRoot, env: { ...process.env, CI: "true", ...env }, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] }), undefined, register);
    if (input !== undefined) child.stdin!.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    // "close", not "exit": a process may exit before this side has read all it wrote.
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
