// Applying a plan on a Linux host, one step at a time, each journaled before it is made and each
// with its undo: files are written beside a backup of what was there (removed files are moved
// aside), private keys are made on the host, and BIRD takes a configuration only after `birdc
// configure check`. When a step fails, every step made is undone, newest first, then BIRD and
// nftables load what the restored files say, and the host is read back: "as it was before" only
// when it reads back equal.
import type { Change, Plan } from "../../core/plan.js";
import type { Journal, JournalContents } from "../../core/journal.js";
import type { ApplyOptions } from "../platform.js";
import { FIND_OPENVPN, shellLine } from "./host-state.js";
import type { LinuxShell } from "./ssh.js";

/** The backup of a file a run replaces or removes, beside it (same filesystem: the move back is atomic). */
export const backupOf = (path: string) => `${path}.bgpals-backup`;

/**
 * Fails the run after this many steps (tests and `BGPALS_LINUX_FAIL_AFTER`): the undo and the
 * read-back are then proven on a real host at every step.
 */
export const FAIL_AFTER_ENV = "BGPALS_LINUX_FAIL_AFTER";

/**
 * Kills this process (SIGKILL, as a crash or a closed laptop would) after this many steps (tests
 * and `BGPALS_LINUX_DIE_AFTER`): the run is left to `bgpals recover`, from this computer's journal.
 */
export const DIE_AFTER_ENV = "BGPALS_LINUX_DIE_AFTER";

/**
 * Kills this process (SIGKILL) once step N is journaled, before it is made (tests): a crash in
 * that window leaves `bgpals recover` a step that may or may not have run.
 */
export const DIE_BEFORE_ENV = "BGPALS_LINUX_DIE_BEFORE";
/**
 * A tunnel's private key, made on the host where there is none (mode 0600: umask 077); it never
 * leaves the host. The plan's key step and the wizard's preparation (writing.ts) make it alike.
 */
export const MAKE_KEY = 'umask 077; test -s "$1" || wg genkey > "$1"';

interface Done {
  change: Change;
  seq: number;
  /** What the step found, which its undo needs. */
  had: { backup?: boolean; madeDir?: string; untouched?: boolean };
}

async function sh(shell: LinuxShell, script: string, ...args: string[]): Promise<string> {
  const r = await shell.run(["sh", "-c", script, "sh", ...args]);
  if (r.code !== 0) throw new Error(`${script.length > 80 ? `${script.slice(0, 77)}...` : script}${args.length ? ` (${args.join(" ")})` : ""}: ${r.stderr.trim() || r.stdout.trim() || `exit status ${r.code}`}`);
  return r.stdout;
}

/**
 * What a rule step's rule selects, as ip rule takes it: `to <endpoint>/32` (the render's words: an
 * address, or the getent line that resolves a name there) or `fwmark <mark>` (a journal of an
 * earlier bgpals says `mark` alone).
 */
const ruleSelector = (a: Record<string, string>) => a.selector ?? `fwmark ${a.mark!}`;

/** A WireGuard interface's commands from the render, as they run on the host (wireguard-go detached from the SSH channel). */
const tunnelScript = (commands: string[]) => ["set -e", ...commands.map((c) => (c.includes("wireguard-go ") ? `${c} </dev/null >/dev/null 2>&1` : c))].join("\n");

/** Starts a link's openvpn (detached from the SSH channel) and waits until it runs from its pid file. */
const OPENVPN_START = [
  "set -e",
  'pid=$(printf %s "$1" | sed -n "s/.* --writepid \\([^ ]*\\) .*/\\1/p"); log=${pid%.pid}.log',
  'rm -f -- "$pid"',
  // openvpn daemonizes after it has opened its device and socket: what stops it is in its log.
  'sh -c "$1" </dev/null >/dev/null 2>&1 || { echo "openvpn did not start: $(tail -n 3 "$log" 2>/dev/null)" >&2; exit 1; }',
  "i=0",
  'until [ -s "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; do i=$((i+1)); [ $i -lt 100 ] || { echo "openvpn did not start: $(tail -n 5 "$log" 2>/dev/null)" >&2; exit 1; }; sleep 0.1; done',
].join("\n");

/** Stops the openvpn running `$1` in this namespace and waits until it is gone (its tun device with it). */
const OPENVPN_STOP = [
  ...FIND_OPENVPN,
  'pids=$(find_openvpn | awk -F "\t" -v c="--config $1 " \'index($2 " ", c) { print $1 }\')',
  '[ -z "$pids" ] || kill $pids',
  "i=0",
  'while [ -n "$pids" ] && kill -0 $pids 2>/dev/null; do i=$((i+1)); [ $i -lt 100 ] || { kill -9 $pids 2>/dev/null; sleep 0.2; break; }; sleep 0.1; done',
  // The device goes as the process ends; a start right after must not meet it still there.
  'i=${1##*/}; i=${i%.conf}; n=0; while ip link show dev "$i" >/dev/null 2>&1 && [ $n -lt 50 ]; do n=$((n+1)); sleep 0.1; done',
  'shift; rm -f -- "$@"',
].join("\n");

/** The pid, log and status files a run's openvpn writes in /run: they go when it stops. */
const openvpnFiles = (start: string) => ["writepid", "log", "status"].map((option) => new RegExp(` --${option} (\\S+)`).exec(start)![1]!);

const chainDeletes = (chains: string[]) => chains.map((c) => shellLine(["nft", "delete", "chain", "inet", "bgpals", c])).join(" && ");

async function birdConfigure(shell: LinuxShell, socket: string): Promise<void> {
  const check = await shell.run(["birdc", "-s", socket, "configure", "check"]);
  if (check.code !== 0 || !/Configuration OK/.test(check.stdout)) throw new Error(`birdc configure check refused the configuration: ${(check.stdout + check.stderr).trim()}`);
  const done = await shell.run(["birdc", "-s", socket, "configure"]);
  if (done.code !== 0 || !/Reconfigured|Reconfiguration in progress/.test(done.stdout)) throw new Error(`birdc configure did not say "Reconfigured": ${(done.stdout + done.stderr).trim()}`);
  // "in progress": BIRD took the configuration and is shutting down the protocols it drops; it is done when its status says so.
  for (let tries = 0; /Reconfiguration in progress/.test(done.stdout) && tries < 100; tries++) {
    const status = await shell.run(["birdc", "-s", socket, "show", "status"]);
    if (status.code === 0 && !/Reconfiguration in progress/.test(status.stdout)) return;
    await new Promise((resolve) => setTimeout(resolve, 100)); // BIRD's graceful shutdown of a session
  }
}

// A backup beside a file exists only whole and only as this run's (the undo, and guessHad after a
// failed step, take one that exists for the file as it was): a backup left by an earlier run (killed
// after its journal closed, before it removed its backups) is removed first, and a copy is made under
// another name and renamed. On a full disk, a copy made in place stopped half way and was put back
// over the user's file by the undo.
/** Moves $1 aside to its backup $2. */
const MOVE_ASIDE = 'rm -f -- "$2" "$2.tmp" && mv -f -- "$1" "$2"';
/**
 * Makes the directory of $1 (saying "made <dir>") where there is none, and a backup $2 of $1 where
 * it exists (saying "backup"). set -e: a backup that cannot be made stops the step before the file
 * is touched.
 */
const BACK_UP = [
  "set -e",
  'd=$(dirname -- "$1"); [ -d "$d" ] || { mkdir -p -- "$d"; echo "made $d"; }',
  'rm -f -- "$2" "$2.tmp"',
  'if [ -e "$1" ]; then cp -p -- "$1" "$2.tmp" || { rm -f -- "$2.tmp"; exit 1; }; mv -f -- "$2.tmp" "$2"; echo backup; fi',
].join("\n");

/** Makes one change; what it found there, for its undo. */
async function make(shell: LinuxShell, change: Change): Promise<Done["had"]> {
  const a = change.attrs;
  switch (change.role) {
    case "key":
      if (change.op === "add") await sh(shell, MAKE_KEY, change.path);
      else await sh(shell, MOVE_ASIDE, change.path, backupOf(change.path));
      return change.op === "add" ? {} : { backup: true };
    case "file": {
      if (change.op === "remove") {
        await sh(shell, MOVE_ASIDE, change.path, backupOf(change.path));
        return { backup: true };
      }
      const found = await sh(shell, BACK_UP, change.path, backupOf(change.path));
      await shell.writeFile(change.path, a.content!, Number.parseInt(a.mode ?? "0644", 8));
      const made = /^made (.*)$/m.exec(found)?.[1];
      return { backup: /^backup$/m.test(found), ...(made ? { madeDir: made } : {}) };
    }
    case "wireguard":
      if (change.op === "add") await sh(shell, tunnelScript(JSON.parse(a.commands!) as string[]));
      else await sh(shell, 'ip link del dev "$1"', change.path.slice("wireguard/".length));
      return {};
    case "openvpn":
      if (change.op === "add") await sh(shell, OPENVPN_START, a.start!);
      else await sh(shell, OPENVPN_STOP, a.config!, ...openvpnFiles(a.start!));
      return {};
    case "route":
      await sh(shell, a.line!);
      return {};
    case "rule":
      // A name resolved on the host is never found there by the plan: the rule an earlier apply made goes first, so there is one.
      if (change.op === "add" && ruleSelector(a).includes("$(")) await sh(shell, `ip rule del ${ruleSelector(a)} lookup "$1" 2>/dev/null; true`, a.table!);
      await sh(shell, `ip rule ${change.op === "remove" ? "del" : "add"} ${ruleSelector(a)} lookup "$1"`, a.table!);
      return {};
    case "nft":
      if (change.op === "remove") await sh(shell, `${chainDeletes(JSON.parse(a.chains!) as string[])}${a.table === "drop" ? " && nft delete table inet bgpals" : ""}`);
      else await sh(shell, 'nft -f "$1"', a.file!);
      return {};
    case "bird":
      await birdConfigure(shell, a.socket!);
      return {};
    case "systemd":
      // The unit file was just written: systemd reads it before it enables it.
      if (change.op === "add") await sh(shell, 'systemctl daemon-reload && systemctl enable --quiet -- "$1"', a.unit!);
      else await sh(shell, 'systemctl disable --quiet -- "$1"', a.unit!);
      return {};
    default:
      throw new Error(`unknown change ${change.role}`);
  }
}

/** Undoes one step; what must run once every step is undone (reloads of restored files). */
async function unmake(shell: LinuxShell, done: Done, after: Set<string>): Promise<void> {
  const { change, had } = done;
  const a = change.attrs;
  if (had.untouched) return;
  switch (change.role) {
    case "key":
      if (change.op === "add") await sh(shell, 'rm -f -- "$1"', change.path);
      else await sh(shell, 'mv -f -- "$2" "$1"', change.path, backupOf(change.path));
      return;
    case "file":
      if (had.backup) await sh(shell, 'mv -f -- "$2" "$1"', change.path, backupOf(change.path));
      else await sh(shell, 'rm -f -- "$1"', change.path);
      if (had.madeDir) await sh(shell, 'rmdir -- "$1" 2>/dev/null || true', had.madeDir);
      return;
    case "wireguard":
      // A step that failed before its interface existed leaves nothing to delete.
      if (change.op === "add") await sh(shell, 'ip link del dev "$1" 2>/dev/null || ! ip link show dev "$1" >/dev/null 2>&1', change.path.slice("wireguard/".length));
      else await sh(shell, tunnelScript(JSON.parse(a.commands!) as string[]));
      return;
    case "openvpn":
      // A start that failed half way leaves at most a process to stop.
      if (change.op === "add") await sh(shell, OPENVPN_STOP, a.config!, ...openvpnFiles(a.start!));
      else await sh(shell, OPENVPN_START, a.start!);
      return;
    case "route":
      await sh(shell, a.undo!);
      return;
    case "rule":
      // A removed rule goes back at the priority it had: rules are tried in that order.
      if (change.op === "remove") await sh(shell, `ip rule add ${ruleSelector(a)} lookup "$1" \${2:+priority "$2"}`, a.table!, a.priority ?? "");
      else await sh(shell, `ip rule del ${ruleSelector(a)} lookup "$1"`, a.table!);
      return;
    case "nft":
      if (change.op === "remove" || a.existed === "1") after.add(`nft -f ${a.file}`);
      else await sh(shell, `${chainDeletes(JSON.parse(a.chains!) as string[])}${a.table === "" ? " && nft delete table inet bgpals" : ""}`);
      return;
    case "bird":
      after.add(`bird ${a.socket}`);
      return;
    case "systemd":
      // A disable that failed leaves it enabled: enabling again is harmless. systemd reads the restored unit files once all is undone.
      await sh(shell, `systemctl ${change.op === "add" ? "disable" : "enable"} --quiet -- "$1"`, a.unit!);
      after.add("systemctl daemon-reload");
      return;
  }
}

/** The journal's record of a change: no secret (a secret file's contents are left out). */
function recordOf(change: Change): unknown {
  const attrs = Object.fromEntries(Object.entries(change.attrs).filter(([k]) => !(change.secret ?? []).includes(k) && k !== "content"));
  return { op: change.op, role: change.role, path: change.path, attrs };
}

const describe = (c: Change) => `${c.op} ${c.path}`;

export interface StepsResult {
  ok: boolean;
  applied: number;
  error?: Error;
  failedAt?: Change | null;
  undone: number;
  undoProblems: string[];
}

/** Runs the plan's changes in order; on a failure undoes those made, newest first. */
export async function runSteps(shell: LinuxShell, plan: Plan, journal: Journal, options: ApplyOptions, signal?: AbortSignal): Promise<StepsResult> {
  const failAfter = process.env[FAIL_AFTER_ENV] === undefined ? null : Number(process.env[FAIL_AFTER_ENV]);
  const dieAfter = process.env[DIE_AFTER_ENV] === undefined ? null : Number(process.env[DIE_AFTER_ENV]);
  const dieBefore = process.env[DIE_BEFORE_ENV] === undefined ? null : Number(process.env[DIE_BEFORE_ENV]);
  const total = plan.changes.length;
  // A backup beside a file this plan changes is no run's to undo with (a run killed after its
  // journal closed, before it removed its backups; this computer's unfinished run refuses this one,
  // and each step's BACK_UP removed one anyway): it goes before the first step, or a step killed
  // before its own backup was made would have recover put that old file back over one the step
  // never touched.
  const stale = plan.changes.filter((c) => c.role === "file" || c.role === "key").map((c) => backupOf(c.path));
  if (stale.length > 0 && !signal?.aborted) await sh(shell, 'rm -f -- "$@"', ...stale);
  const done: Done[] = [];
  let failed: Change | null = null;
  let error: Error | null = null;
  for (const [index, change] of plan.changes.entries()) {
    try {
      if (signal?.aborted) throw new Error("interrupted: nothing more is written");
      if (failAfter !== null && index === failAfter) throw new Error(`a fault injected after step ${failAfter} (${FAIL_AFTER_ENV})`);
      const seq = index + 1;
      journal.intend([{ seq, what: describe(change), record: recordOf(change) }]);
      options.onEvent?.({ kind: "start", index, total, change });
      if (dieBefore !== null && seq === dieBefore) process.kill(process.pid, "SIGKILL");
      // Recorded before it is made: a step that fails half way is undone too (each undo tolerates that).
      const had = await make(shell, change).catch(async (e: Error) => {
        done.push({ change, seq, had: await guessHad(shell, change) });
        throw e;
      });
      done.push({ change, seq, had });
      journal.answered([seq]);
      if (dieAfter !== null && seq === dieAfter) process.kill(process.pid, "SIGKILL");
      options.onEvent?.({ kind: "done", index, total, change });
    } catch (e) {
      failed = failAfter !== null && index === failAfter ? null : change;
      error = e as Error;
      if (failed) options.onEvent?.({ kind: "failed", change, error });
      break;
    }
  }
  if (error === null) {
    // The run holds: its journal goes first (a crash now leaves backups lying, never a run half undone), then every backup.
    journal.finish();
    const backups = done.filter((d) => d.had.backup).map((d) => backupOf(d.change.path));
    if (backups.length > 0) await sh(shell, 'rm -f -- "$@"', ...backups);
    return { ok: true, applied: done.length, undone: 0, undoProblems: [] };
  }
  const problems: string[] = [];
  const after = new Set<string>();
  let undone = 0;
  for (const step of [...done].reverse()) {
    options.onEvent?.({ kind: "undo", change: step.change });
    try {
      await unmake(shell, step, after);
      journal.undone([step.seq]);
      undone++;
    } catch (e) {
      problems.push(`undo ${describe(step.change)}: ${(e as Error).message}`);
    }
  }
  problems.push(...(await reload(shell, after)));
  options.onEvent?.({ kind: "undone", count: undone, problems });
  return { ok: false, applied: done.length, error: error, failedAt: failed, undone, undoProblems: problems };
}

/** A file step that failed after its backup was made still has one to move back. */
async function guessHad(shell: LinuxShell, change: Change): Promise<Done["had"]> {
  if (change.role !== "file" && change.role !== "key") return {};
  const r = await shell.run(["test", "-e", backupOf(change.path)]);
  // A file or key that was there is only ever changed after its backup is made: with no backup, the
  // step failed before it touched it, and its undo must leave it be (not remove it as if it were new).
  if (r.code !== 0 && change.op !== "add") return { untouched: true };
  return { backup: r.code === 0 };
}

/** What the restored files say, loaded again once every step is undone: nftables first, then BIRD. What failed. */
async function reload(shell: LinuxShell, after: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const line of [...after].sort((x, y) => (x.startsWith("nft") ? -1 : 0) - (y.startsWith("nft") ? -1 : 0))) {
    try {
      if (line.startsWith("bird ")) await birdConfigure(shell, line.slice(5));
      else await sh(shell, line);
    } catch (e) {
      problems.push(`${line}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** A journal's record of a change (recordOf), as a change again: all its undo needs (a file's contents never). */
function changeOfRecord(record: unknown): Change {
  const r = record as { op: Change["op"]; role: string; path: string; attrs: Record<string, string> };
  return { op: r.op, role: r.role, path: r.path, attrs: r.attrs, reason: "" };
}

/**
 * Undoes what an interrupted run's journal says it wrote and did not undo, newest first (`bgpals
 * recover`): files and keys come back from the backups the run left beside them, interfaces,
 * routes, rules and chains go (or come back), then nftables and BIRD load the restored files.
 * A step the run may never have made (journaled, not answered) that has nothing to undo is no
 * problem; the read-back after says whether the host is as it was.
 */
export async function undoJournaled(shell: LinuxShell, contents: JournalContents, journal: Journal, missingDirs: readonly string[], onUndo?: (what: string) => void): Promise<{ undone: number; problems: string[] }> {
  const problems: string[] = [];
  const after = new Set<string>();
  let undone = 0;
  for (const write of contents.writes.filter((w) => !w.undone).reverse()) {
    const change = changeOfRecord(write.record);
    onUndo?.(write.what);
    const had = await guessHad(shell, change);
    // A replaced or removed file without its backup was never touched (or is back already): nothing to put back.
    const untouched = (change.role === "file" || change.role === "key") && change.op !== "add" && !had.backup;
    try {
      if (!untouched) await unmake(shell, { change, seq: write.seq, had }, after);
    } catch (e) {
      if (write.answered) {
        problems.push(`undo ${write.what}: ${(e as Error).message}`);
        continue;
      }
    }
    journal.undone([write.seq]);
    undone++;
  }
  problems.push(...(await reload(shell, after)));
  // Directories the run made for its files go when they are empty again.
  for (const dir of [...missingDirs].reverse()) await shell.run(["rmdir", "--", dir]);
  return { undone, problems };
}
