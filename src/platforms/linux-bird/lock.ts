// The bgpals lock on a Linux host: a file made with O_EXCL (sh's noclobber) under /run/bgpals,
// holding who took it; its modification time is the holder's heartbeat. /run is per boot, and the
// file is named by the network namespace, so hosts that share a /run (namespaces, containers)
// each have their own.
import { hostname } from "node:os";
import { UserError } from "../../errors.js";
import { RouterLockedError, type LockHolder, type LockRequest } from "../platform.js";
import type { LinuxShell } from "./ssh.js";

export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;

const LOCK = 'd=/run/bgpals; f="$d/lock-$(stat -L -c %i /proc/self/ns/net)"';

const TAKE = `${LOCK}; mkdir -p "$d" && (set -C; printf '%s\\n' "$1" > "$f") 2>/dev/null && exit 0; [ -e "$f" ] || exit 1; echo "$(stat -c %Y "$f")"; cat "$f"; exit 3`;
const READ = `${LOCK}; [ -e "$f" ] || exit 3; echo "$(stat -c %Y "$f")"; cat "$f"`;
// Only the lock of this holder goes (its line names our pid and start).
const RELEASE = `${LOCK}; grep -qF -- "$1" "$f" 2>/dev/null && rm -f "$f"; exit 0`;
const BEAT = `${LOCK}; grep -qF -- "$1" "$f" 2>/dev/null && touch "$f"`;
const REMOVE = `${LOCK}; [ -e "$f" ] || exit 3; echo "$(stat -c %Y "$f")"; cat "$f"; rm -f "$f"`;

function parseHolder(text: string): LockHolder | null {
  const [mtime, json] = text.split("\n");
  try {
    const holder = JSON.parse(json ?? "") as LockHolder;
    return { ...holder, heartbeat: new Date(Number(mtime) * 1000).toISOString() };
  } catch {
    return { host: "?", pid: 0, command: "?", peering: null, since: "", heartbeat: new Date(Number(mtime) * 1000).toISOString() };
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function goneBecause(holder: LockHolder, now: number): string | null {
  if (holder.host === hostname() && holder.pid !== process.pid && !pidAlive(holder.pid)) return `its process ${holder.pid} is no longer running on this computer`;
  const beat = Date.parse(holder.heartbeat);
  if (!Number.isFinite(beat) || now - beat > STALE_MS) return `it has given no sign of life since ${holder.heartbeat || "it started"}`;
  return null;
}

export interface HeldLock {
  holder: LockHolder;
  release(): Promise<void>;
}

/** Takes the host's lock for this process, or throws RouterLockedError naming who holds it. */
export async function takeLock(shell: LinuxShell, request: LockRequest, label: string): Promise<HeldLock> {
  const since = new Date().toISOString();
  const me: LockHolder = { host: hostname(), pid: process.pid, command: request.command, peering: request.peering ?? null, since, heartbeat: since };
  const line = JSON.stringify({ host: me.host, pid: me.pid, command: me.command, peering: me.peering, since });
  const deadline = Date.now() + (request.waitMs ?? 0);
  for (;;) {
    const r = await shell.run(["sh", "-c", TAKE, "sh", line]);
    if (r.code === 0) break;
    if (r.code !== 3) throw new UserError(`${label}: cannot take the bgpals lock in /run/bgpals: ${r.stderr.trim() || `exit ${r.code}`}`);
    const holder = parseHolder(r.stdout)!;
    const gone = goneBecause(holder, Date.now());
    if (gone !== null) {
      await shell.run(["sh", "-c", RELEASE, "sh", JSON.stringify({ host: holder.host, pid: holder.pid, command: holder.command, peering: holder.peering, since: holder.since })]);
      request.onTakeover?.(holder, gone);
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new RouterLockedError(`${label} is locked by ${holder.command}${holder.peering ? ` of ${holder.peering}` : ""} by ${holder.host} pid ${holder.pid}, since ${holder.since}: nothing written; wait for it with --wait-lock <seconds>, or remove the lock with bgpals unlock`, holder);
    }
    request.onWait?.(holder, remaining);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, remaining)));
  }
  const timer = setInterval(() => void shell.run(["sh", "-c", BEAT, "sh", line]).catch(() => undefined), request.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    holder: me,
    async release() {
      clearInterval(timer);
      if (!shell.closed) await shell.run(["sh", "-c", RELEASE, "sh", line]);
    },
  };
}

export async function readLock(shell: LinuxShell): Promise<LockHolder | null> {
  const r = await shell.run(["sh", "-c", READ, "sh"]);
  return r.code === 0 ? parseHolder(r.stdout) : null;
}

export async function removeLock(shell: LinuxShell): Promise<LockHolder | null> {
  const r = await shell.run(["sh", "-c", REMOVE, "sh"]);
  return r.code === 0 ? parseHolder(r.stdout) : null;
}
