// Headless primary/backup toggle: `prefer` (swap, or apply a friend's prefer bundle) and `clear`
// (restart sessions a max-prefix trip holds down). The work is in src/flows/prefer.ts.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Peering } from "../core/peering.js";
import { describePrediction, type PreferPrediction } from "../core/prefer.js";
import type { Plan } from "../core/plan.js";
import { changeLines, planJson } from "../core/plan-view.js";
import { UsageError, UserError } from "../errors.js";
import { clearLimitExceeded, preferPrimary, readPreferBundle, type ObservedMove, type PreferResult } from "../flows/prefer.js";
import { existingIdentity, knownFriend, SeenNonces } from "../store/identity.js";
import { defaultPeersDir, loadPeering, loadPeersDirectory } from "../store/peers.js";
import { confirmedPublic } from "./accept-public.js";
import { errorDocument } from "./error-document.js";
import { qrLines } from "../ui/widgets/qr.js";
import { screensTheme } from "./theme.js";
import { applyProgress } from "./progress.js";
import { readOnlyMode } from "./read-only.js";
import { waitLockMs, withRouter, withWritingRouter, writingSession } from "./router.js";

type Write = (text: string) => void;

/** Numbers (timeout, wait) were checked as the command line was read (flags.ts). */
export interface PreferFlags {
  router?: string;
  tls?: boolean;
  timeout?: number;
  json?: boolean;
  peers?: string;
  friend?: string;
  primary?: string;
  yes?: boolean;
  wait?: number;
  waitLock?: number;
  /** Print the prefer bundle as a QR code too. */
  qr?: boolean;
}

export interface ClearFlags {
  router?: string;
  tls?: boolean;
  timeout?: number;
  json?: boolean;
  peers?: string;
  friend?: string;
  link?: string;
  wait?: number;
  waitLock?: number;
  yes?: boolean;
}

const DEFAULT_WAIT_S = 30;
const DEFAULT_CLEAR_WAIT_S = 10;

function peersDir(flags: { peers?: string }): string {
  return flags.peers ?? defaultPeersDir();
}

/** Our peering with `friend` (peers/<friend>.json) and our side of it. */
function peeringWith(flags: { peers?: string }, friend: string): { peering: Peering; side: string; file: string } {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/.test(friend)) throw new UsageError(`--friend ${friend}: a friend's name is 1 to 31 letters, digits, '-' or '_'`);
  const file = join(peersDir(flags), `${friend}.json`);
  if (!existsSync(file)) throw new UserError(`no peering with ${friend} here (${file} does not exist): friends are named after their file in the peers directory (--peers)`);
  const peering = loadPeering(file);
  if (peering.sides[friend] === undefined) throw new UserError(`${file} has no side named ${friend}; its sides are ${Object.keys(peering.sides).join(" and ")}`);
  const side = Object.keys(peering.sides).find((s) => s !== friend)!;
  return { peering, side, file };
}

function savePeering(file: string, peering: Peering): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(peering, null, 2)}\n`);
}

function seconds1(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function moveLine(m: ObservedMove): string {
  const via = m.gateway === "" ? "no active route" : `via ${m.link ?? "?"} (${m.gateway}), local-pref ${m.localPref ?? "-"}`;
  return `  ${seconds1(m.afterMs)}  ${m.prefix} ${via}${m.asPredicted ? "" : " (not yet as predicted)"}`;
}

/** The changes by role (which link, which direction): what a swap touches is easier to read that way. */
function previewText(prediction: PreferPrediction, plan: Plan, label: string, requested: boolean): string {
  // Answering the friend's own request: the way back is already theirs to match, and they asked.
  const note = requested
    ? `${prediction.friend} asked for this: once applied, both sides prefer ${prediction.primary.after}, the way out (your local-pref) and the way back (${prediction.friend}'s).`
    : prediction.returnPath;
  return [...describePrediction(prediction), "", ...changeLines(plan, label), "", note].join("\n") + "\n";
}

interface SwapRun {
  flags: PreferFlags;
  peering: Peering;
  side: string;
  friend: string;
  file: string;
  /** Sign a bundle asking the friend to match (not when answering their own request). */
  bundleForFriend: boolean;
}

async function runSwap(run: SwapRun, primary: string, write: Write): Promise<{ result: PreferResult; label: string }> {
  const { flags, peering, side, friend } = run;
  const observeMs = (flags.wait ?? DEFAULT_WAIT_S) * 1000;
  const identity = run.bundleForFriend ? existingIdentity() : null;
  const friendKey = run.bundleForFriend ? knownFriend(friend) : null;
  waitLockMs(flags);
  return withRouter(flags, async (router, resolved) => {
    const others = loadPeersDirectory(peersDir(flags), peering.name);
    // Read, plan and write under the router's lock (the move is watched after it is released).
    const session = writingSession(flags, { command: "prefer", peering: peering.name }, router, resolved.label);
    // Read-only, a preview plans without the lock (taking it writes on the router); --yes is refused at the lock.
    const preview = readOnlyMode() !== undefined && flags.yes !== true;
    if (preview) process.stderr.write(`bgpals: read-only: planned without ${resolved.label}'s lock (taking it would write to the router); nothing is written\n`);
    const result = await preferPrimary(router, {
      lock: preview ? undefined : session.request,
      peering,
      side,
      primary,
      others,
      // What the user confirmed with --accept-public for this peering still holds for a swap.
      acceptPublic: confirmedPublic(peering, side, []),
      confirm: () => flags.yes === true,
      onPredicted: (prediction, plan) => {
        if (!flags.json) write(previewText(prediction, plan, resolved.label, !run.bundleForFriend));
      },
      onApplyStep: flags.json ? undefined : applyProgress,
      onObserved: (m) => {
        if (!flags.json) write(`${moveLine(m)}\n`);
      },
      identity,
      friend: friendKey,
      observeMs,
    })
      .catch((e: unknown) => {
        throw session.translate(e);
      })
      .finally(() => session.dispose());
    return { result, label: resolved.label };
  });
}

function jsonOf(result: PreferResult, extra: Record<string, unknown>): Record<string, unknown> {
  if (result.status === "refused") return errorDocument(new UserError(result.message), extra);
  const base = { prediction: result.prediction, plan: planJson(result.plan), ...extra };
  if (result.status === "planned") return { ok: true, written: false, ...base };
  if (result.status === "failed") return errorDocument(new UserError(result.message), { written: false, undone: result.undone, undoProblems: result.undoProblems, ...base });
  return {
    ok: true,
    written: true,
    ...base,
    applied: result.applied,
    otherChanges: result.otherChanges,
    observed: result.observation,
    bundle: result.bundle?.text ?? null,
    fingerprint: result.bundle?.fingerprint ?? null,
  };
}

/** Ends a run that wrote nothing, or failed: the message, and the exit code. */
function unfinished(result: PreferResult, flags: PreferFlags, write: Write, extra: Record<string, unknown>): number | null {
  if (result.status === "refused") {
    if (flags.json) write(`${JSON.stringify(jsonOf(result, extra))}\n`);
    throw new UserError(result.message);
  }
  if (result.status === "failed") {
    if (flags.json) write(`${JSON.stringify(jsonOf(result, extra))}\n`);
    throw new UserError(result.message);
  }
  if (result.status === "planned") {
    if (flags.json) write(`${JSON.stringify(jsonOf(result, extra))}\n`);
    else write("nothing written: pass --yes to apply\n");
    return 0;
  }
  return null;
}

export async function preferCommand(bundle: string | undefined, flags: PreferFlags, write: Write): Promise<number> {
  if (bundle !== undefined) return preferFromBundle(bundle, flags, write);
  if (flags.friend === undefined) throw new UsageError("--friend <name> is required (or pass a prefer bundle your friend sent)");
  if (flags.primary === undefined) throw new UsageError("--primary <link> is required: the link to prefer");
  const { peering, side, file } = peeringWith(flags, flags.friend);
  const { result } = await runSwap({ flags, peering, side, friend: flags.friend, file, bundleForFriend: true }, flags.primary, write);
  const extra = { peering: peering.name, side, friend: flags.friend };
  const early = unfinished(result, flags, write, extra);
  if (early !== null || result.status !== "applied") return early ?? 1;

  savePeering(file, result.peering);
  if (flags.json) {
    write(`${JSON.stringify({ ...jsonOf(result, extra), file })}\n`);
    return 0;
  }
  const lines = [`applied ${result.applied} change${result.applied === 1 ? "" : "s"}; saved ${file} (primary ${flags.primary})`];
  lines.push(...observationLines(result));
  if (result.otherChanges > 0) lines.push(`note: the router differs from the peering in ${result.otherChanges} other way${result.otherChanges === 1 ? "" : "s"}; bgpals plan shows them`);
  if (result.bundle === null) {
    lines.push(`no prefer bundle: ${existingIdentity() === null ? "there is no identity here" : `no key for ${flags.friend} is kept here (the peering was made before bgpals kept friends' keys, or by hand)`}; ask ${flags.friend} to run: bgpals prefer --friend ${side} --primary ${flags.primary} --yes`);
  } else {
    lines.push(`send this prefer bundle to ${flags.friend}, so the way back uses ${flags.primary} too:`, result.bundle.text, `fingerprint ${result.bundle.fingerprint} — read it to ${flags.friend}; their screen must show the same`);
    if (flags.qr) lines.push(...qrText(result.bundle.text));
  }
  write(`${lines.join("\n")}\n`);
  return 0;
}

/** The bundle as a QR code: black on white so it scans on a dark terminal too; the terminal's own colours in mono (NO_COLOR). */
function qrText(text: string): string[] {
  const theme = screensTheme(undefined);
  const colour = theme.qr.color === undefined ? (line: string) => line : (line: string) => `\u001B[30;47m${line}\u001B[0m`;
  return qrLines(text).map(colour);
}

function observationLines(result: Extract<PreferResult, { status: "applied" }>): string[] {
  const o = result.observation;
  if (o === null) return [];
  if (o.settled) return [`observed: every prefix of ${result.prediction.friend} is where predicted, ${seconds1(o.elapsedMs)} after the apply`];
  const late = o.prefixes.filter((m) => !m.asPredicted).map((m) => m.prefix);
  return [`observed: after ${seconds1(o.elapsedMs)}, ${late.join(", ")} not yet as predicted (a session may be down or slow: bgpals status --watch)`];
}

async function preferFromBundle(text: string, flags: PreferFlags, write: Write): Promise<number> {
  if (flags.friend !== undefined || flags.primary !== undefined) throw new UsageError("a prefer bundle says which friend and link: drop --friend and --primary");
  const identity = existingIdentity();
  if (identity === null) throw new UserError("no identity here: prefer bundles are for the operator whose offer or answer made the peering (same config directory)");
  const now = Date.now();
  const seen = new SeenNonces(now);
  const read = readPreferBundle({
    text,
    identity,
    now,
    seen,
    friendKey: knownFriend,
    peeringWith: (friend) => {
      try {
        return peeringWith(flags, friend).peering;
      } catch (e) {
        if (e instanceof UserError) return null;
        throw e;
      }
    },
  });
  if (!read.ok) throw new UserError(`prefer request refused, nothing written: ${read.message}`);
  const { file } = peeringWith(flags, read.friend);
  if (!flags.json) write(`prefer request from ${read.friend} (fingerprint ${read.fingerprint}): make ${read.primary} the primary link of ${read.peering.name}\n`);
  const { result } = await runSwap({ flags, peering: read.peering, side: read.side, friend: read.friend, file, bundleForFriend: false }, read.primary, write);
  const extra = { peering: read.peering.name, side: read.side, friend: read.friend, request: read.fingerprint };
  const early = unfinished(result, flags, write, extra);
  if (early !== null || result.status !== "applied") return early ?? 1;
  seen.remember(read.bundle.nonce, read.bundle.expiresAt);
  savePeering(file, result.peering);
  if (flags.json) write(`${JSON.stringify({ ...jsonOf(result, extra), file })}\n`);
  else write([`applied ${result.applied} change${result.applied === 1 ? "" : "s"}; saved ${file}: you and ${read.friend} both prefer ${read.primary}`, ...observationLines(result)].join("\n") + "\n");
  return 0;
}

// --- clear ---------------------------------------------------------------------------------------

export async function clearCommand(flags: ClearFlags, write: Write): Promise<number> {
  if (flags.friend === undefined) throw new UsageError("--friend <name> is required: whose sessions to clear");
  const waitMs = (flags.wait ?? DEFAULT_CLEAR_WAIT_S) * 1000;
  const { peering, side } = peeringWith(flags, flags.friend);
  return withWritingRouter(flags, { command: "clear", peering: peering.name }, async (router, resolved) => {
    const result = await clearLimitExceeded(router, { peering, side, link: flags.link, waitMs });
    if (result.status === "refused") throw new UserError(result.message);
    if (result.status === "nothing-to-clear") {
      if (flags.json) write(`${JSON.stringify({ ok: true, cleared: [], sessions: result.sessions.map((s) => ({ session: s.name, link: s.link, state: s.state })) })}\n`);
      else write(`no session of ${peering.name} on ${resolved.label} is held down by its max-prefix limit: nothing to clear\n`);
      return 0;
    }
    const tripped = result.sessions.filter((s) => s.outcome === "tripped-again");
    const failure = tripped.length === 0 ? null : new UserError(`${tripped.map((s) => s.session).join(", ")} tripped the max-prefix limit again`);
    if (flags.json) write(`${JSON.stringify(failure === null ? { ok: true, cleared: result.sessions } : errorDocument(failure, { cleared: result.sessions }))}\n`);
    else {
      for (const s of result.sessions) {
        const what =
          s.outcome === "established"
            ? "established again"
            : s.outcome === "tripped-again"
              ? `tripped again (${s.lastError}): ${flags.friend} still sends more prefixes than policy.maxPrefixes (${peering.policy.maxPrefixes}) allows; ask ${flags.friend} to fix their announcements`
              : `cleared, not established within ${waitMs / 1000} s (bgpals status shows why)`;
        write(`${s.session} (${s.link}): ${what}\n`);
      }
    }
    if (failure !== null) throw failure;
    return 0;
  });
}
