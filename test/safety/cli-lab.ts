// The CLI against an in-process lab, as a person runs it: spawned processes that can be killed or
// interrupted at an exact write (the lab's afterWrite), and the same commands in-process for the
// runs that follow (cheaper than a process each; the killed ones are real processes).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "../../src/lab/lab.js";
import { applyCommand, recoverCommand, type PeeringFlags } from "../../src/cli/router-commands.js";
import { loadIdentity } from "../../src/store/identity.js";
import { EXAMPLES, exampleFileFor, repoRoot, tempDir } from "../helpers.js";

export const RESOLVE = ["vpn.alice.example=203.0.113.10", "vpn2.alice.example=198.51.100.20", "c0ffee123456.sn.mynetname.net=198.18.0.77"];

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far. */
  out: () => string;
  err: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; endedAt: number }>;
}

/** A config home of its own (with an identity, so the journal keeps secrets sealed). */
export function home(withIdentity = true): string {
  const dir = tempDir("bgpals-safety-");
  if (withIdentity) loadIdentity("alice", dir);
  return dir;
}

export function routerSpec(lab: Lab, name: string): string {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return `${r.user}@${r.host}:${r.port}`;
}

export function passwordOf(lab: Lab, name: string): string {
  return lab.info().routers.find((x) => x.name === name)!.password;
}

// S1 as alice applies it (her keys the placeholder: her router makes them); removed when the test ends.
const s1OnAlice = () => exampleFileFor("s1", "alice");

export function cliArgs(lab: Lab, command: "apply" | "remove", extra: string[] = []): string[] {
  return [command, "--router", routerSpec(lab, "alice"), "--peering", s1OnAlice(), "--side", "alice", "--yes", ...RESOLVE.flatMap((r) => ["--resolve", r]), ...extra];
}

export function spawnCli(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), ...args], { cwd: repoRoot, env: { ...process.env, CI: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; endedAt: number }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, endedAt: Date.now() })),
  );
  return { child, out: () => stdout, err: () => stderr, done };
}

/** Waits until `test` holds (polling), or fails after `ms`. */
export async function until(test: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs a CLI command in this process (BGPALS_HOME and BGPALS_PASSWORD set by the caller), its output captured. */
export async function inProcess(run: (write: (text: string) => void) => Promise<number>, capture?: () => void): Promise<{ code: number; stdout: string; stderr: string; error?: Error }> {
  let stdout = "";
  let stderr = "";
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  capture?.();
  try {
    const code = await run((text) => (stdout += text));
    return { code, stdout, stderr };
  } catch (e) {
    return { code: 1, stdout, stderr, error: e as Error };
  } finally {
    process.stderr.write = original;
  }
}

export function flagsOf(lab: Lab, extra: Partial<PeeringFlags> = {}): PeeringFlags {
  return { router: routerSpec(lab, "alice"), peering: s1OnAlice(), side: "alice", yes: true, resolve: RESOLVE, ...extra };
}

export const applyInProcess = (lab: Lab, remove: boolean, capture?: () => void) => inProcess((write) => applyCommand(flagsOf(lab), remove, write), capture);
export const recoverInProcess = (lab: Lab) => inProcess((write) => recoverCommand({ router: routerSpec(lab, "alice"), yes: true }, write));

/** The journal files of a config home. */
export function journals(dir: string): string[] {
  const at = join(dir, "journal");
  return existsSync(at) ? readdirSync(at).map((f) => join(at, f)) : [];
}

export function fileMode(file: string): number {
  return statSync(file).mode & 0o777;
}

export const text = (file: string) => readFileSync(file, "utf8");
