// Shared by tests: the example peering files and a clone helper for mutations; temp dirs and
// processes that go when the test that made them ends; waiting for a condition.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PLACEHOLDER_FINGERPRINT } from "../src/core/links/ovpn.js";
import { PLACEHOLDER_KEY } from "../src/core/links/wireguard.js";
import { parsePeering, type Peering } from "../src/core/peering.js";
import { onCleanup } from "./cleanup.js";

export { onCleanup };

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const sharedDir = fileURLToPath(new URL("../../shared", import.meta.url));

export const EXAMPLES = {
  s1: "peers/s1-alice-remi.peering.json",
  s3: "peers/s3-alice-remi-ovpn.peering.json",
  s4: "peers/s4-alice-carol.peering.json",
  s7: "peers/s7-alice-remi-static.peering.json",
} as const;

export function exampleJson(name: keyof typeof EXAMPLES): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../${EXAMPLES[name]}`, import.meta.url), "utf8"));
}

export function example(name: keyof typeof EXAMPLES): Peering {
  return mustParse(exampleJson(name));
}

export function mustParse(json: unknown): Peering {
  const r = parsePeering(json);
  if (!r.ok) throw new Error(`example does not parse: ${JSON.stringify(r.problems)}`);
  return r.peering;
}

/**
 * A peering as a test applies it to one lab router. The examples' WireGuard keys and CA
 * fingerprints belong to no router: this side's keys become the placeholder (its router makes
 * them), and where this side runs the OpenVPN server, the CA it pins too (its router makes it).
 */
export function appliedOn(peering: Peering, side: string): Peering {
  const out = structuredClone(peering);
  for (const link of out.links) {
    if (link.kind === "wireguard") link.publicKey = { ...link.publicKey, [side]: PLACEHOLDER_KEY };
    if (link.kind === "ovpn" && link.listener === side) link.caFingerprint = PLACEHOLDER_FINGERPRINT;
  }
  return out;
}

// Every scenario, side and dialect family a golden render is kept for.
export const GOLDEN_MATRIX: Array<[keyof typeof EXAMPLES, string, string]> = [
  ["s1", "alice", "7.24"],
  ["s1", "alice", "7.12.2"],
  ["s1", "remi", "7.19.6"],
  ["s1", "remi", "7.20.8"],
  ["s3", "alice", "7.24"],
  ["s3", "alice", "7.15.3"],
  ["s3", "alice", "6.49.10"],
  ["s3", "remi", "7.19.6"],
  ["s3", "remi", "6.49.10"],
  ["s4", "alice", "7.24"],
  ["s4", "alice", "7.19.6"],
  ["s4", "carol", "6.49.10"],
  ["s7", "alice", "7.24"],
  ["s7", "remi", "7.19.6"],
];

/** The example written to a temp file as a test applies it on `side` (see appliedOn), for the CLI. */
export function exampleFileFor(name: keyof typeof EXAMPLES, side: string): string {
  const file = join(tempDir("bgpals-example-"), `${name}-${side}.peering.json`);
  writeFileSync(file, `${JSON.stringify(appliedOn(example(name), side), null, 2)}\n`);
  return file;
}

/** A new directory under the temp dir, `prefix` then random characters; removed by `onCleanup`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Ends `child` (if it still runs) by `onCleanup` (a concurrent test passes its own context's
 * onTestFinished as `register`: the global one would tie the child to whichever test runs) and waits until it has exited: SIGTERM first, so
 * it may clean up after itself; SIGKILL if it has not exited `graceMs` later.
 */
export function endsWithTest<C extends ChildProcess>(child: C, graceMs = 3000, register: (cleanup: () => unknown) => void = onCleanup): C {
  const running = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<void>((resolve) => {
    if (!running()) resolve();
    else child.once("exit", () => resolve());
  });
  register(async () => {
    if (running()) {
      child.kill("SIGTERM");
      await until(() => !running(), "the child to exit on SIGTERM", graceMs).catch(() => child.kill("SIGKILL"));
    }
    await exited;
  });
  return child;
}

/**
 * Polls `probe` until it gives a value (anything but undefined or false), and returns it; past
 * the deadline, throws naming `what`. The poll interval is only how often it looks.
 */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string | (() => string), timeoutMs = 15_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
