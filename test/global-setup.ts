// The suite checks itself: whatever a test leaves behind (a `bgpals-*` temp dir, a process it
// started, a network namespace of test/netlab) fails the run, naming what leaked.
//
// The run gets a temp dir of its own (TMPDIR, which os.tmpdir() reads, for the workers and every
// CLI they start), so another run on the same machine cannot be mistaken for a leak of this one.
// Processes are found two ways: descendants of this (the main vitest) process, and, for those
// whose parent already exited, by a marker in their environment that every child inherits.
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPrefix } from "./netlab/names.js";

const MARKER = "BGPALS_TEST_RUN";
/** How long processes ended at the end of their test may take to go. */
const SETTLE_MS = 5000;

interface Proc {
  pid: number;
  ppid: number;
  command: string;
}

/** Every live (not zombie) process: from /proc on Linux, from ps elsewhere. */
function processes(): Proc[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, "utf8");
          // pid (comm) state ppid ...; comm may hold spaces and parentheses.
          const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (state === "Z" || state === "X") return [];
          const command = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ").trim();
          return [{ pid: Number(d), ppid: Number(ppid), command }];
        } catch {
          return []; // gone meanwhile
        }
      });
  } catch {
    return execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat=,command="], { encoding: "utf8" })
      .split("\n")
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && !m[3]!.startsWith("Z"))
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[4]! }));
  }
}

function carriesMarker(pid: number, value: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${MARKER}=${value}`);
  } catch {
    return false;
  }
}

/** Processes of this run: below this process, or carrying its marker (orphans); not vitest's own workers. */
function runProcesses(marker: string): Proc[] {
  const all = processes();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const below = new Map<number, Proc>();
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      below.set(child.pid, child);
      walk(child.pid);
    }
  };
  walk(process.pid);
  for (const p of all) if (p.pid !== process.pid && !below.has(p.pid) && carriesMarker(p.pid, marker)) below.set(p.pid, p);
  // The pool's workers are still up while global teardown runs; vitest stops them right after.
  return [...below.values()].filter((p) => !/vitest[/\\]dist[/\\]workers[/\\]/.test(p.command));
}

/** Network namespaces of this run (test/netlab), and their /etc/netns entries. */
function runNamespaces(prefix: string): string[] {
  let listed: string[] = [];
  try {
    listed = execFileSync("ip", ["netns", "list"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")
      .map((line) => line.split(" ")[0]!);
  } catch {
    // no iproute2 here: no namespaces either
  }
  const etc = existsSync("/etc/netns") ? readdirSync("/etc/netns") : [];
  return [...new Set([...listed, ...etc])].filter((name) => name.startsWith(prefix));
}

function removeNamespace(name: string): void {
  try {
    for (const pid of execFileSync("ip", ["netns", "pids", name], { encoding: "utf8" }).split("\n").filter(Boolean)) process.kill(Number(pid), "SIGKILL");
    execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
  } catch {
    // gone meanwhile, or only its /etc is left
  }
  rmSync(join("/etc/netns", name), { recursive: true, force: true });
}

/**
 * bgpals's keys in the Linux kernel keyring (where @napi-rs/keyring keeps them on a machine without
 * a Secret Service), by serial: `keyring-rs:<account>@bgpals`. The suite keeps away from the OS
 * keyring (BGPALS_KEYRING=off); a key that appears names a test or a CLI that did not. The one
 * probe key (keyring-rs:probe@bgpals) is allowed: test/store/keyring.test.ts probes the real keyring,
 * and on a kernel keyring that keeps keys it cannot find again, that key stays, replaced each time.
 */
function bgpalsKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  let text = "";
  try {
    text = readFileSync("/proc/keys", "utf8");
  } catch {
    return keys; // no kernel keyring here (not Linux, or not built in)
  }
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s.*\s(keyring-rs:\S*@bgpals\S*):/.exec(line);
    if (m !== null && m[2] !== "keyring-rs:probe@bgpals") keys.set(m[1]!, m[2]!);
  }
  return keys;
}

function bgpalsEntries(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("bgpals-"));
}

export default function setup(): () => Promise<void> {
  const outer = tmpdir();
  const runTmp = mkdtempSync(join(outer, "bgpals-suite-"));
  const marker = `${process.pid}-${Date.now()}`;
  const before = new Set(runProcesses(marker).map((p) => p.pid));
  const keysBefore = bgpalsKeys();
  const prefix = runPrefix(marker);
  process.env.TMPDIR = runTmp;
  process.env[MARKER] = marker;

  return async () => {
    const deadline = Date.now() + SETTLE_MS;
    let procs = runProcesses(marker).filter((p) => !before.has(p.pid));
    let dirs = bgpalsEntries(runTmp);
    let namespaces = runNamespaces(prefix);
    while ((procs.length > 0 || dirs.length > 0 || namespaces.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // poll interval
      procs = runProcesses(marker).filter((p) => !before.has(p.pid));
      dirs = bgpalsEntries(runTmp);
      namespaces = runNamespaces(prefix);
    }
    for (const name of namespaces) removeNamespace(name);
    // Clean up after the leaks (they are named below), so a failed run leaves nothing either.
    for (const p of procs) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(runTmp, { recursive: true, force: true });
    process.env.TMPDIR = outer;
    const keys = [...bgpalsKeys()].filter(([serial]) => !keysBefore.has(serial)).map(([, name]) => name);
    if (procs.length === 0 && dirs.length === 0 && namespaces.length === 0 && keys.length === 0) return;
    const lines = [
      "the test run leaked (each test must remove its temp dirs and end its processes, also when it fails):",
      ...dirs.map((d) => `  temp dir ${join(runTmp, d)}`),
      ...procs.map((p) => `  process ${p.pid}: ${p.command}`),
      ...namespaces.map((n) => `  network namespace ${n} (or its /etc/netns/${n})`),
      ...keys.map((k) => `  kernel keyring key ${k} (/proc/keys; a secret kept in the OS keyring: the suite runs with BGPALS_KEYRING=off)`),
    ];
    process.exitCode = 1;
    // After the reporters have ended: scripts/test.js prints this file's lines last (running-reporter.ts).
    if (process.env.BGPALS_TEST_FAILED) appendFileSync(process.env.BGPALS_TEST_FAILED, `${JSON.stringify({ what: "the check for leaks", errors: [lines.join("\n")] })}\n`);
    throw new Error(lines.join("\n"));
  };
}
