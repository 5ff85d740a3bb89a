// Apply: run a plan on a router, all or nothing. Changes go out in stages (one menu and one kind
// of change at a time, pipelined over tags); any trap, timeout or dropped connection stops it and
// the changes already attempted are undone in reverse, after reconnecting if need be.
import { hostname } from "node:os";
import { ownershipTag } from "../names.js";
import type { ApplyEvent, ApplyOptions, ApplyResult } from "../../platform.js";
import { inverseOf, type ObservedItem, type RouterOsChange as Change, type RouterOsPlan as Plan } from "./plan.js";
import type { RouterClient } from "../api/client.js";
import { RouterError } from "../../../errors.js";
import { DEEPEST, dependencyDepth, SHALLOWEST } from "../menus.js";

export type { ApplyEvent, ApplyResult };

export interface RouterOsApplyOptions extends ApplyOptions {
  /** Whose objects these are: undo finds what an add made by its ownership tag. */
  peering: string;
  /** A new connection, to undo after the old one dropped. */
  reconnect: () => Promise<RouterClient>;
  /** A lock older than this is considered abandoned (default 15 minutes). */
  staleLockMs?: number;
  now?: () => number;
}

export const LOCK_PATH = "/system/scheduler";
export const LOCK_NAME = "bgpals-apply-lock";

export class LockedError extends Error {}

const HOLDER = `${hostname()} pid ${process.pid}`;

/** Takes the router-wide apply lock: a disabled scheduler entry whose name is unique on the router. */
export async function acquireLock(client: RouterClient, holder: string, now: number, staleMs: number): Promise<string> {
  const comment = `bgpals:lock:${holder} since ${new Date(now).toISOString()}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const [existing] = await client.print(LOCK_PATH, { query: { name: LOCK_NAME } });
    if (existing !== undefined) {
      const since = Date.parse(/since (\S+)$/.exec(existing.comment ?? "")?.[1] ?? "");
      if (Number.isFinite(since) && now - since < staleMs) {
        throw new LockedError(`another bgpals apply holds this router (${(existing.comment ?? "").replace(/^bgpals:lock:/, "")}): wait for it to finish; if it crashed, the lock expires ${Math.ceil((staleMs - (now - since)) / 60000)} min from now, or remove /system scheduler ${LOCK_NAME}`);
      }
      await client.remove(LOCK_PATH, existing[".id"]!);
    }
    try {
      return await client.add(LOCK_PATH, { name: LOCK_NAME, comment, disabled: "yes", "on-event": "", interval: "0s" });
    } catch (e) {
      // Someone took it between our print and add: look again.
      if (!(e instanceof RouterError && e.kind === "trap" && /already have/.test(e.message))) throw e;
    }
  }
  throw new LockedError("another bgpals apply took this router's lock at the same moment: try again");
}

/**
 * Removals first, most dependent first; then moves (in plan order: each assumes the ones before);
 * then sets and adds, least dependent first. Order within a menu is kept: an add placed in front
 * of another item counts on it.
 */
function stages(changes: readonly Change[]): Change[][] {
  const stageOf = (c: Change) => {
    const level = dependencyDepth(c.path);
    if (c.op === "remove") return DEEPEST - level;
    if (c.op === "move") return DEEPEST - SHALLOWEST + 1;
    return DEEPEST - SHALLOWEST + 2 + level;
  };
  const byStage = new Map<number, Change[]>();
  for (const c of changes) byStage.set(stageOf(c), [...(byStage.get(stageOf(c)) ?? []), c]);
  return [...byStage.entries()].sort(([a], [b]) => a - b).map(([, list]) => list);
}

async function attrsToSend(client: RouterClient, change: Change, options: RouterOsApplyOptions): Promise<Record<string, string>> {
  const attrs = { ...change.attrs };
  for (const key of change.command?.resolve ?? []) {
    if (attrs[key] === undefined) continue;
    if (options.resolve === undefined) throw new Error(`cannot resolve ${attrs[key]}: no resolver given`);
    attrs[key] = await options.resolve(attrs[key]!);
  }
  if (change.op === "add" && change.placeBefore !== undefined) attrs["place-before"] = change.placeBefore;
  else if (change.op === "add" && change.command?.placement === "top") {
    // Above the first static rule, so a final drop does not shadow it.
    const first = (await client.print(change.path, { proplist: [".id", "dynamic"] })).find((r) => r.dynamic !== "true");
    if (first !== undefined) attrs["place-before"] = first[".id"]!;
  }
  return attrs;
}

async function perform(client: RouterClient, change: Change, options: RouterOsApplyOptions): Promise<void> {
  if (change.op === "remove") return client.remove(change.path, change.id!);
  if (change.op === "move") return move(client, change.path, change.id!, change.placeBefore);
  const attrs = await attrsToSend(client, change, options);
  if (change.op === "set") return setAndUnset(client, change, attrs);
  await client.add(change.path, attrs);
}

/** Puts an item in front of another, or last. */
async function move(client: RouterClient, path: string, id: string, before: string | undefined): Promise<void> {
  await client.run(`${path}/move`, before === undefined ? { numbers: id } : { numbers: id, destination: before });
}

/** A set, then one `unset` per cleared attribute: each write on its own, so an undo can follow any of them. */
async function setAndUnset(client: RouterClient, change: Change, attrs: Readonly<Record<string, string>>): Promise<void> {
  const unset = change.unset ?? [];
  if (Object.keys(attrs).length > 0 || unset.length === 0) await client.set(change.path, change.id ?? null, attrs);
  for (const name of unset) await client.unset(change.path, change.id ?? null, name);
}

export async function applyPlan(client: RouterClient, plan: Plan, options: RouterOsApplyOptions): Promise<ApplyResult> {
  if (plan.conflicts.length > 0) {
    const error = new Error(plan.conflicts.map((c) => c.message).join("\n"));
    return { ok: false, error, failedAt: null, undone: 0, undoProblems: [], message: `nothing written: ${error.message}` };
  }
  const now = options.now ?? Date.now;
  const total = plan.changes.length;
  let current = client;
  let lockId: string;
  try {
    lockId = await acquireLock(current, HOLDER, now(), options.staleLockMs ?? 15 * 60_000);
  } catch (e) {
    const problems: string[] = [];
    if (!(e instanceof LockedError)) {
      // The lock may have been written before the connection broke: take it away again.
      try {
        if (current.closed) current = await options.reconnect();
        await releaseLock(current, null);
      } catch (cleanup) {
        problems.push(`the apply lock may be left on the router (/system scheduler ${LOCK_NAME}): ${(cleanup as Error).message}`);
      }
    }
    return { ok: false, error: e as Error, failedAt: null, undone: 0, undoProblems: problems, message: `nothing written: ${(e as Error).message}` };
  }

  const attempted: Change[] = [];
  let roundTrips = 0;
  let index = 0;
  let failure: { change: Change; error: Error } | null = null;
  for (const stage of stages(plan.changes)) {
    attempted.push(...stage);
    const run = async (change: Change, i: number) => {
      options.onEvent?.({ kind: "start", index: i, total, change });
      await perform(current, change, options);
      options.onEvent?.({ kind: "done", index: i, total, change });
    };
    const indexes = stage.map(() => index++);
    const results: PromiseSettledResult<void>[] = options.pipeline === false ? [] : await Promise.allSettled(stage.map((c, k) => run(c, indexes[k]!)));
    if (options.pipeline === false) {
      for (const [k, c] of stage.entries()) {
        try {
          await run(c, indexes[k]!);
          results.push({ status: "fulfilled", value: undefined });
        } catch (e) {
          results.push({ status: "rejected", reason: e });
          break;
        }
        roundTrips++;
      }
    } else {
      roundTrips++;
    }
    const rejected = results.findIndex((r) => r.status === "rejected");
    if (rejected >= 0) {
      failure = { change: stage[rejected]!, error: (results[rejected] as PromiseRejectedResult).reason as Error };
      break;
    }
  }

  if (failure === null) {
    await releaseLock(current, lockId).catch(() => undefined);
    return { ok: true, applied: total, roundTrips };
  }
  options.onEvent?.({ kind: "failed", change: failure.change, error: failure.error });
  const undo = await rollback(() => current, async () => (current = await options.reconnect()), attempted, plan.observed, options);
  await releaseLock(current, lockId).catch((e) => undo.problems.push(`the apply lock could not be removed: ${(e as Error).message}`));
  options.onEvent?.({ kind: "undone", count: undo.count, problems: undo.problems });
  const message = [
    `${failure.change.op} ${failure.change.path} (${failure.change.role}) failed: ${failure.error.message}`,
    undo.problems.length === 0
      ? `undid the ${undo.count} change${undo.count === 1 ? "" : "s"} already made: the router is as it was before`
      : `undo was incomplete, check the router: ${undo.problems.join("; ")}`,
  ].join("\n");
  return { ok: false, error: failure.error, failedAt: failure.change, undone: undo.count, undoProblems: undo.problems, message };
}

/** Removes the lock if it is ours (by id, or by holder when the id never came back). */
async function releaseLock(client: RouterClient, id: string | null): Promise<void> {
  if (id !== null) {
    try {
      return await client.remove(LOCK_PATH, id);
    } catch (e) {
      if (!(e instanceof RouterError && e.kind === "trap")) throw e;
    }
  }
  const [lock] = await client.print(LOCK_PATH, { query: { name: LOCK_NAME } });
  if (lock === undefined) return;
  if (lock[".id"] === id || (lock.comment ?? "").startsWith(`bgpals:lock:${HOLDER} since`)) await client.remove(LOCK_PATH, lock[".id"]!);
}

/**
 * Undoes attempted changes newest first, from what the router holds now rather than from
 * replies: a write whose answer was lost to a dropped connection may or may not have happened.
 */
async function rollback(client: () => RouterClient, reconnect: () => Promise<RouterClient>, attempted: Change[], observed: Plan["observed"], options: RouterOsApplyOptions): Promise<{ count: number; problems: string[] }> {
  const problems: string[] = [];
  let count = 0;
  if (client().closed) {
    try {
      await reconnect();
    } catch (e) {
      return { count, problems: [`could not reconnect to undo: ${(e as Error).message}; the changes listed by \`bgpals plan\` are what is left`] };
    }
  }
  // Items re-created by undo get new ids ("<menu> <old id>" → new id): what was placed in front of
  // the old one goes in front of the new.
  const recreated = new Map<string, string>();
  for (const change of [...attempted].reverse()) {
    options.onEvent?.({ kind: "undo", change });
    try {
      if (await undoOne(client(), change, observed, recreated, options)) count++;
    } catch (e) {
      problems.push(`${change.op} ${change.path} ${change.role}: ${(e as Error).message}`);
    }
  }
  return { count, problems };
}

async function undoOne(client: RouterClient, change: Change, observed: Plan["observed"], recreated: Map<string, string>, options: RouterOsApplyOptions): Promise<boolean> {
  const tag = ownershipTag(options.peering, change.role);
  if (change.op === "add") {
    const made = await client.print(change.path, { query: { comment: tag } });
    for (const item of made) await client.remove(change.path, item[".id"]!);
    return made.length > 0;
  }
  if (change.op === "set") {
    const inverse = inverseOf(change);
    await setAndUnset(client, inverse, inverse.attrs);
    return true;
  }
  if (change.op === "move") {
    const back = inverseOf(change);
    const now = (id: string) => recreated.get(`${change.path} ${id}`) ?? id;
    await move(client, change.path, now(change.id!), back.placeBefore === undefined ? undefined : now(back.placeBefore));
    return true;
  }
  // A certificate's key pair cannot be made again: say so rather than add an unsigned stand-in.
  if (change.path === "/certificate") throw new Error("a removed certificate cannot be restored; prepare the peering again (offer or accept) to make new ones");
  const still = await client.print(change.path, { query: { comment: tag } });
  if (still.length > 0) return false;
  const removed: ObservedItem | undefined = (observed[change.path] ?? []).find((i) => i[".id"] === change.id);
  if (removed === undefined) throw new Error("the removed item is not in what was read before: re-create it by applying again");
  const back = inverseOf(change, removed);
  const attrs = { ...back.attrs };
  if (back.placeBefore !== undefined) attrs["place-before"] = recreated.get(`${change.path} ${back.placeBefore}`) ?? back.placeBefore;
  recreated.set(`${change.path} ${change.id!}`, await client.add(change.path, attrs));
  return true;
}
