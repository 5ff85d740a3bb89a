// `bgpals apply` whose connection the router drops in the middle: the rollback reconnects to undo,
// says so, and the process then exits by itself, every connection it opened being closed.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { exampleFileFor, repoRoot } from "../helpers.js";
import { STACK_TRACE } from "./run.js";

/** Long enough for an apply and its undo on a loaded machine; a process left hanging never exits. */
const EXIT_WITHIN_MS = 30_000;
const RESOLVE = ["--resolve", "vpn.alice.example=203.0.113.10", "--resolve", "vpn2.alice.example=198.51.100.20"];

let lab: Lab;
const home = mkdtempSync(join(tmpdir(), "bgpals-apply-drop-"));
beforeAll(async () => {
  lab = await Lab.start({ routers: ["remi"], tls: false, ssh: false, tickMs: 0 });
});
afterAll(async () => {
  await lab.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI; kills it and fails if it has not exited by itself in time. */
function cliExiting(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), ...args], { env: { ...process.env, CI: "true", BGPALS_HOME: home, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bgpals did not exit by itself within ${EXIT_WITHIN_MS} ms; it printed:\n${stdout}${stderr}`));
    }, EXIT_WITHIN_MS);
    // Timed at its exit; its output read whole at "close" (a process may exit before it is all read).
    let ms = 0;
    child.on("exit", () => (ms = Date.now() - started));
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr, ms });
    });
  });
}

describe("apply, with the connection dropped mid-apply", () => {
  it("undoes on a new connection, says the router is as before, and exits", async () => {
    const r = lab.info().routers.find((x) => x.name === "remi")!;
    const before = lab.router("remi").exportConfig();
    // Write 1 is the lock; the router drops the connection after write 4.
    lab.router("remi").failWrite(4, "drop");
    const run = await cliExiting(["apply", "--router", `${r.user}@${r.host}:${r.port}`, "--peering", exampleFileFor("s1", "remi"), "--side", "remi", "--yes", ...RESOLVE], { BGPALS_PASSWORD: r.password });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/connection to .* was closed by the router: lab fault: connection dropped after a write/);
    expect(run.stderr).toMatch(/undid the \d+ changes already made; read back, the router is as it was before/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(lab.router("remi").exportConfig()).toBe(before);
    // Every connection went with the process.
    await expect.poll(() => lab.router("remi").server.connectionCount).toBe(0);
  }, EXIT_WITHIN_MS + 10_000);
});
