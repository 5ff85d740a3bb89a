// Apply: run a plan on a router, all or nothing, inside a run (router.ts holds the lock). Changes
// go out in stages (one menu and one kind of change at a time, pipelined over tags); each stage is
// journaled, on disk, before it is sent. Any trap, timeout, dropped connection or interrupt stops
// it and the changes already attempted are undone in reverse, after reconnecting if need be.
import { isIPv4 } from "../../../core/ipv4.js";
import type { ApplyEvent, ApplyOptions, ApplyResult } from "../../platform.js";
import { planPeering, type ObservedItem, type RouterOsChange as Change, type RouterOsPlan as Plan } from "./plan.js";
import type { RouterClient } from "../api/client.js";
import { DEEPEST, dependencyDepth, SHALLOWEST } from "../menus.js";
import { readObserved } from "../read.js";
import { describeChange, differences, move, readBack, setAndUnset, storedChange, undoEntries, type Run, type RunEntry, type UndoContext } from "./run.js";

export type { ApplyEvent, ApplyResult };

export interface RunContext extends UndoContext {
  run: Run;
  /** For people, when an undo leaves something: where it is kept and what to run. */
  left?: string;
  /** Before each stage: throws when this run may no longer write (its lock was taken over). */
  stillHeld: () => Promise<void>;
}

export interface RouterOsApplyOptions extends ApplyOptions {
  /** Whose objects these are: undo finds what an add made by its ownership tag. */
  peering: string;
  /** What this run wrote before the plan's changes (our own certificates): undone with them on a failure. */
  madeBefore?: readonly RunEntry[];
}

/** Ctrl-C (or SIGTERM) stopped the run before this write was sent. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted: no further change was sent");
  }
}

/**
 * Removals first, most dependent first; then moves (in plan order: each assumes the ones before);
 * then sets and adds, least dependent first. Last come removals an undo could not give back exactly
 * (a certificate, a key or password the router does not show), one at a time, each followed by
 * the removals that must wait for it (less dependent menus: a user's group after the user). Order
 * within a menu is kept: an add placed in front of another item counts on it.
 */
export function stages(changes: readonly Change[]): Change[][] {
  const lossy = changes.filter((c) => c.irreversible !== undefined);
  const deepest = lossy.length === 0 ? -Infinity : Math.max(...lossy.map((c) => dependencyDepth(c.path)));
  const late = (c: Change) => c.irreversible !== undefined || (c.op === "remove" && dependencyDepth(c.path) < deepest);
  let alone = 0;
  const stageOf = (c: Change) => {
    const level = dependencyDepth(c.path);
    if (late(c)) return 1000 + (DEEPEST - level) * 100 + (c.irreversible !== undefined ? ++alone : 0);
    if (c.op === "remove") return DEEPEST - level;
    if (c.op === "move") return DEEPEST - SHALLOWEST + 1;
    return DEEPEST - SHALLOWEST + 2 + level;
  };
  const byStage = new Map<number, Change[]>();
  for (const c of changes) {
    const stage = stageOf(c);
    byStage.set(stage, [...(byStage.get(stage) ?? []), c]);
  }
  return [...byStage.entries()].sort(([a], [b]) => a - b).map(([, list]) => list);
}

async function attrsToSend(client: RouterClient, change: Change, options: RouterOsApplyOptions): Promise<Record<string, string>> {
  const attrs = { ...change.attrs };
  for (const key of change.command?.resolve ?? []) {
    // Resolved while planning (or an address already): nothing left to look up.
    if (attrs[key] === undefined || isIPv4(attrs[key]!.replace(/\/32$/, ""))) continue;
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

function removedItem(plan: Plan, change: Change): ObservedItem | undefined {
  return change.op === "remove" ? (plan.observed[change.path] ?? []).find((i) => i[".id"] === change.id) : undefined;
}

/** Records what the menus of a stage held before the run first writes to them. */
async function rememberBefore(ctx: RunContext, plan: Plan, stage: readonly Change[]): Promise<void> {
  const paths = [...new Set(stage.map((c) => c.path))].filter((p) => !ctx.run.before.has(p));
  // The plan read these menus under this lock (or was checked against them): what it saw is what they held.
  const unread = paths.filter((p) => plan.observed[p] === undefined);
  const fresh = unread.length === 0 ? {} : await readObserved(ctx.client(), unread);
  for (const p of paths) ctx.run.remember(p, plan.observed[p] ?? fresh[p] ?? []);
}

/** Re-plans what the plan wanted from what the router holds now: what is still to do ([] when the plan took). */
export async function stillToDo(client: RouterClient, plan: Plan): Promise<string[]> {
  const origin = plan.origin;
  if (origin === undefined) return [];
  const observed = await readObserved(client, origin.paths);
  const again = planPeering(plan.peering, origin.desired, observed);
  return again.changes.filter(origin.scope).map((c) => `${describeChange(c)}: ${c.reason}`);
}

export async function applyPlan(ctx: RunContext, plan: Plan, options: RouterOsApplyOptions): Promise<ApplyResult> {
  if (plan.conflicts.length > 0) {
    const error = new Error(plan.conflicts.map((c) => c.message).join("\n"));
    return { ok: false, error, failedAt: null, undone: 0, undoProblems: [], verified: true, message: `nothing written: ${error.message}` };
  }
  const total = plan.changes.length;
  const attempted: RunEntry[] = [];
  let roundTrips = 0;
  let index = 0;
  let failure: { change: Change; error: Error } | null = null;
  for (const stage of stages(plan.changes)) {
    try {
      if (ctx.run.signal?.aborted) throw new InterruptedError();
      await ctx.stillHeld();
      await rememberBefore(ctx, plan, stage);
    } catch (e) {
      failure = { change: stage[0]!, error: e as Error };
      break;
    }
    const entries = ctx.run.intend(stage.map((change) => ({ what: describeChange(change), record: { kind: "change", peering: plan.peering, change: storedChange(change), ...(removedItem(plan, change) ? { removed: removedItem(plan, change) } : {}) } })));
    attempted.push(...entries);
    const run = async (change: Change, i: number, entry: RunEntry) => {
      options.onEvent?.({ kind: "start", index: i, total, change });
      await perform(ctx.client(), change, options);
      ctx.run.answered([entry]);
      options.onEvent?.({ kind: "done", index: i, total, change });
    };
    const indexes = stage.map(() => index++);
    const sequential = options.pipeline === false || stage.some((c) => c.irreversible !== undefined);
    const results: PromiseSettledResult<void>[] = sequential ? [] : await Promise.allSettled(stage.map((c, k) => run(c, indexes[k]!, entries[k]!)));
    if (sequential) {
      for (const [k, c] of stage.entries()) {
        try {
          if (k > 0 && ctx.run.signal?.aborted) throw new InterruptedError();
          await run(c, indexes[k]!, entries[k]!);
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

  // Ctrl-C while the last stage was out: the run did not end before it was asked to stop, so it is undone.
  if (failure === null && ctx.run.signal?.aborted) failure = { change: plan.changes[plan.changes.length - 1]!, error: new InterruptedError() };
  if (failure === null) {
    // "Applied" rests on reading the router back: a re-plan must find nothing left to do.
    let left: string[];
    try {
      left = await stillToDo(ctx.client(), plan);
    } catch (e) {
      left = [`could not read the router back: ${(e as Error).message}`];
    }
    return { ok: true, applied: total, roundTrips, verified: left.length === 0, differences: left };
  }
  options.onEvent?.({ kind: "failed", change: failure.change, error: failure.error });
  const changeOf = new Map<number, Change>();
  const ordered = stages(plan.changes).flat();
  attempted.forEach((e, i) => changeOf.set(e.seq, ordered[i]!));
  const undo = await undoEntries(ctx, ctx.run, [...attempted].reverse(), (e) => {
    const change = changeOf.get(e.seq);
    if (change !== undefined) options.onEvent?.({ kind: "undo", change });
  });
  // All or nothing: what this run made before the plan's changes goes too.
  const before = await undoEntries(ctx, ctx.run, [...(options.madeBefore ?? [])].filter((e) => !e.undone).reverse());
  undo.count += before.count;
  undo.problems.push(...before.problems);
  // Only when nothing else of the run is left to undo can the router be compared with what it held before it.
  const whole = ctx.run.pending().length === 0;
  let diffs: string[] = [];
  if (whole) {
    try {
      diffs = await readBack(ctx.client().closed ? await ctx.reconnect() : ctx.client(), ctx.run.before);
    } catch (e) {
      undo.problems.push(`could not read the router back: ${(e as Error).message}`);
    }
  }
  if (undo.problems.length > 0 || diffs.length > 0) ctx.run.unsettled = true;
  options.onEvent?.({ kind: "undone", count: undo.count, problems: [...undo.problems, ...diffs.map((d) => `read back: ${d}`)] });
  const verified = whole && undo.problems.length === 0 && diffs.length === 0;
  const did = `undid the ${undo.count} change${undo.count === 1 ? "" : "s"} already made`;
  const message = [
    failure.error instanceof InterruptedError ? `interrupted (at ${describeChange(failure.change)}): no further change was sent` : `${describeChange(failure.change)} failed: ${failure.error.message}`,
    verified
      ? `${did}; read back, the router is as it was before`
      : undo.problems.length === 0 && diffs.length === 0
        ? `${did} by this apply`
        : [`${did}, but the router is not as it was before:`, ...undo.problems.map((p) => `  ${p}`), ...diffs.map((d) => `  read back: ${d}`), ...(ctx.left ? [ctx.left] : [])].join("\n"),
  ].join("\n");
  return { ok: false, error: failure.error, failedAt: failure.change, undone: undo.count, undoProblems: [...undo.problems, ...diffs], verified, message };
}

/**
 * Compares what a plan was made from with what the router holds now (ids and order included), in
 * the menus the plan writes: another run that changed them since makes the plan wrong.
 */
export async function planStillHolds(client: RouterClient, plan: Plan): Promise<string[]> {
  const paths = [...new Set(plan.changes.map((c) => c.path))].filter((p) => plan.observed[p] !== undefined);
  const now = await readObserved(client, paths);
  const strict = (items: readonly ObservedItem[]) => items.map((i) => ({ ...i, ".id": "", "#": i[".id"] ?? "" }));
  return differences(new Map(paths.map((p) => [p, strict(plan.observed[p] ?? [])])), new Map(paths.map((p) => [p, strict(now[p] ?? [])])));
}
