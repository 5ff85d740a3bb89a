// The router-wide lock: a disabled `/system/scheduler` item whose name is unique on the router, so
// that two adds cannot both succeed. Its comment says who holds it (host, pid, command, peering,
// since) and carries a heartbeat the holder renews every few seconds. A holder on this computer
// whose process is gone, or one silent for a minute, is replaced; a live one is waited for or not,
// as the caller chose.
import { hostname } from "node:os";
import { RouterError, UserError } from "../../errors.js";
import { RouterLockedError, type LockHolder, type LockRequest } from "../platform.js";
import type { RouterClient } from "./api/client.js";

export const LOCK_PATH = "/system/scheduler";
export const LOCK_NAME = "bgpals-apply-lock";

/** How often a holder says it is alive, and how long a silent one counts as alive. */
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;
const POLL_MS = 1000;

const PREFIX = "bgpals:lock ";

/** This process, as a lock names it. */
export function thisProcess(command: string, peering: string | null, now: number): LockHolder {
  const at = new Date(now).toISOString();
  return { host: hostname(), pid: process.pid, command, peering, since: at, heartbeat: at };
}

export function lockComment(holder: LockHolder): string {
  const field = (k: string, v: string) => `${k}=${encodeURIComponent(v)}`;
  return PREFIX + [field("host", holder.host), field("pid", String(holder.pid)), field("command", holder.command), field("peering", holder.peering ?? "-"), field("since", holder.since), field("beat", holder.heartbeat)].join(" ");
}

/** Reads a lock's comment, this version's or the older `bgpals:lock:<host> pid <pid> since <iso>`. */
export function parseLockComment(comment: string | undefined): LockHolder | null {
  const text = comment ?? "";
  if (text.startsWith(PREFIX)) {
    const fields = new Map<string, string>();
    for (const word of text.slice(PREFIX.length).split(" ")) {
      const at = word.indexOf("=");
      if (at > 0) fields.set(word.slice(0, at), decodeURIComponent(word.slice(at + 1)));
    }
    const since = fields.get("since") ?? "";
    const peering = fields.get("peering") ?? "-";
    return { host: fields.get("host") ?? "?", pid: Number(fields.get("pid") ?? "0"), command: fields.get("command") ?? "apply", peering: peering === "-" ? null : peering, since, heartbeat: fields.get("beat") ?? since };
  }
  const old = /^bgpals:lock:(.+) pid (\d+) since (\S+)$/.exec(text);
  if (old !== null) return { host: old[1]!, pid: Number(old[2]), command: "apply", peering: null, since: old[3]!, heartbeat: old[3]! };
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Locks this process holds now, by when they were taken: a lock naming this process but not here was left behind. */
const heldHere = new Set<string>();

/** Why a holder is gone, or null while it may be alive. `quietSince`: when we first saw its current heartbeat. */
export function goneBecause(holder: LockHolder, now: number, quietSince: number | undefined): string | null {
  if (holder.host === hostname() && holder.pid !== process.pid && !pidAlive(holder.pid)) return `its process ${holder.pid} is no longer running on this computer`;
  if (holder.host === hostname() && holder.pid === process.pid && !heldHere.has(holder.since)) return "this very process left it behind (its run is over)";
  const beat = Date.parse(holder.heartbeat);
  if (!Number.isFinite(beat) || now - beat > STALE_MS) return `it has given no sign of life since ${holder.heartbeat || "it started"}`;
  if (quietSince !== undefined && now - quietSince > STALE_MS) return `its heartbeat has not moved for ${Math.round((now - quietSince) / 1000)} s`;
  return null;
}

export function describeHolder(holder: LockHolder, now: number): string {
  const ago = (iso: string) => {
    const ms = now - Date.parse(iso);
    return Number.isFinite(ms) ? `${Math.max(0, Math.round(ms / 1000))} s ago` : "at an unknown time";
  };
  return `${holder.command}${holder.peering ? ` of ${holder.peering}` : ""} by ${holder.host} pid ${holder.pid}, since ${holder.since} (last heartbeat ${ago(holder.heartbeat)})`;
}

export interface Held {
  id: string;
  holder: LockHolder;
}

async function current(client: RouterClient): Promise<{ id: string; comment: string } | null> {
  const [item] = await client.print(LOCK_PATH, { query: { name: LOCK_NAME } });
  return item === undefined ? null : { id: item[".id"]!, comment: item.comment ?? "" };
}

/** Takes the lock: waits for a live holder as long as asked, replaces one that is gone. */
export async function acquireLock(client: RouterClient, me: LockHolder, request: LockRequest, label: string, now: () => number = Date.now): Promise<Held> {
  const deadline = now() + (request.waitMs ?? 0);
  let quiet: { beat: string; since: number } | undefined;
  for (;;) {
    if (request.signal?.aborted) throw new UserError(`interrupted while waiting for ${label}: nothing written`);
    const existing = await current(client);
    if (existing === null) {
      try {
        heldHere.add(me.since);
        const id = await client.add(LOCK_PATH, { name: LOCK_NAME, comment: lockComment(me), disabled: "yes", "on-event": "", interval: "0s" });
        return { id, holder: me };
      } catch (e) {
        // Someone took it between our print and add: look again.
        if (e instanceof RouterError && e.kind === "trap" && /already have/.test(e.message)) {
          heldHere.delete(me.since);
          continue;
        }
        throw e;
      }
    }
    const holder = parseLockComment(existing.comment) ?? { host: "?", pid: 0, command: "?", peering: null, since: "", heartbeat: "" };
    if (quiet?.beat !== holder.heartbeat) quiet = { beat: holder.heartbeat, since: now() };
    const gone = goneBecause(holder, now(), quiet.since);
    if (gone !== null) {
      request.onTakeover?.(holder, gone);
      try {
        await client.remove(LOCK_PATH, existing.id);
      } catch (e) {
        // Another run replaced it first: look again.
        if (!(e instanceof RouterError && e.kind === "trap")) throw e;
      }
      continue;
    }
    const left = deadline - now();
    if (left <= 0) {
      const waited = (request.waitMs ?? 0) > 0;
      throw new RouterLockedError(
        [
          `${label} is held by another bgpals run: ${describeHolder(holder, now())}; nothing written`,
          waited
            ? `it did not finish within the ${Math.round((request.waitMs ?? 0) / 1000)} s waited: try again later, or wait longer with --wait-lock <seconds>`
            : `wait for it with --wait-lock <seconds> (e.g. --wait-lock 300); a run that is gone is replaced once its heartbeat is ${STALE_MS / 1000} s old, or remove the lock with bgpals unlock`,
        ].join("\n"),
        holder,
      );
    }
    request.onWait?.(holder, left);
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}

/** Renews the heartbeat; false when the lock is no longer ours (someone replaced it). */
export async function beat(client: RouterClient, held: Held, now: number): Promise<boolean> {
  const existing = await current(client);
  if (existing === null || existing.id !== held.id) return false;
  const holder = parseLockComment(existing.comment);
  if (holder === null || holder.host !== held.holder.host || holder.pid !== held.holder.pid || holder.since !== held.holder.since) return false;
  held.holder = { ...held.holder, heartbeat: new Date(now).toISOString() };
  await client.set(LOCK_PATH, held.id, { comment: lockComment(held.holder) });
  return true;
}

/** This process no longer holds the lock (whether or not its removal reached the router). */
export function forget(held: Held): void {
  heldHere.delete(held.holder.since);
}

/** Removes the lock if it is still ours. */
export async function releaseLock(client: RouterClient, held: Held): Promise<void> {
  const existing = await current(client);
  if (existing === null) return;
  const holder = parseLockComment(existing.comment);
  if (existing.id === held.id || (holder !== null && holder.host === held.holder.host && holder.pid === held.holder.pid && holder.since === held.holder.since)) {
    await client.remove(LOCK_PATH, existing.id);
  }
}

/** Who holds the router, or null. */
export async function lockHolderOn(client: RouterClient): Promise<LockHolder | null> {
  const existing = await current(client);
  if (existing === null) return null;
  return parseLockComment(existing.comment) ?? { host: "?", pid: 0, command: existing.comment, peering: null, since: "", heartbeat: "" };
}

/** Removes the lock, whoever holds it. */
export async function breakLock(client: RouterClient): Promise<LockHolder | null> {
  const existing = await current(client);
  if (existing === null) return null;
  await client.remove(LOCK_PATH, existing.id);
  return parseLockComment(existing.comment) ?? { host: "?", pid: 0, command: existing.comment, peering: null, since: "", heartbeat: "" };
}
