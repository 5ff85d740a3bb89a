// How a command reaches its router: the profile or user@host:port, the password, the pin, the
// time limit, one connection closed on every path. The one place commands open routers, and the
// one place a writing command takes the router's lock, recovers an interrupted run and handles
// Ctrl-C.
import { lookup } from "node:dns/promises";
import { homedir } from "node:os";
import { join, resolve as absolute } from "node:path";
import { RouterError, UsageError, UserError } from "../errors.js";
import { InterruptedRunError, type InterruptedRun, type LockHolder, type LockRequest, type Router, type RouterTarget, type UndoReport } from "../platforms/platform.js";
import { featuresOfAnySide } from "../platforms/index.js";
import { existingIdentity } from "../store/identity.js";
import { fileJournals } from "../store/journal.js";
import { configDir } from "../store/peers.js";
import { resolveRouter, SSH_DEFAULT_PORT, type ResolvedRouter } from "../store/profiles.js";
import type { NewRouterProfile } from "../ui/services.js";
import { promptPassword } from "./prompt.js";
import { routerPlatform } from "./read-only.js";

export interface RouterFlags {
  router?: string;
  tls?: boolean;
  /** A private key file for an SSH router (wins over ssh-agent). */
  key?: string;
  /** name=address pairs for endpoint names (--resolve), before this computer's DNS. */
  resolve?: string[];
  /** Seconds, checked as the command line was read (flags.ts). */
  timeout?: number;
}

/** Flags of a command that writes. */
export interface WriteFlags extends RouterFlags {
  /** Undo an interrupted run first (and, for the command, really change the router). */
  yes?: boolean;
  /** Seconds to wait for another run to finish, checked as the command line was read (flags.ts). */
  waitLock?: number;
  json?: boolean;
}

/** --timeout in ms, or undefined for the default. */
export function timeoutMs(flags: { timeout?: number }): number | undefined {
  return flags.timeout === undefined ? undefined : flags.timeout * 1000;
}

/** --wait-lock in ms (0 when absent: refuse at once). */
export function waitLockMs(flags: { waitLock?: number }): number {
  return (flags.waitLock ?? 0) * 1000;
}

/**
 * A router the screens add, before it is saved: RouterOS with the typed password, or a Linux host
 * over SSH with its key file (`~/` is the home directory; made absolute) or ssh-agent's keys.
 */
export function newRouterTarget(profile: NewRouterProfile, password: string, fingerprint: string | null): RouterTarget {
  if (profile.ssh === undefined) return { host: profile.host, port: profile.port, user: profile.user, password, tls: profile.tls, knownFingerprint: fingerprint };
  const typed = profile.ssh.keyFile;
  const keyFile = typed === undefined ? undefined : absolute(typed === "~" || typed.startsWith("~/") ? join(homedir(), typed.slice(1)) : typed);
  return { transport: "ssh", host: profile.host, port: profile.port ?? SSH_DEFAULT_PORT, user: profile.user, password: "", ...(keyFile === undefined ? {} : { keyFile }), knownFingerprint: fingerprint };
}

/** The router the flags name, with its password and pin, before connecting. */
export async function resolveFlags(flags: RouterFlags): Promise<ResolvedRouter> {
  const ms = timeoutMs(flags);
  const resolved = await resolveRouter(flags.router, promptPassword, flags.tls, undefined, flags.key === undefined ? undefined : absolute(flags.key));
  if (ms !== undefined) resolved.target = { ...resolved.target, timeoutMs: ms };
  return resolved;
}

/**
 * How plans resolve the friend's endpoint names: the --resolve pairs first, then this computer's
 * DNS. A name neither knows is refused while planning, before anything is written.
 */
export function endpointResolver(entries: readonly string[] | undefined): (name: string) => Promise<string> {
  const table = new Map<string, string>();
  for (const entry of entries ?? []) {
    const [name, address] = entry.split("=");
    if (!name || !address) throw new UsageError(`--resolve ${entry}: use name=address`);
    table.set(name.toLowerCase(), address);
  }
  return async (name) => {
    const known = table.get(name.toLowerCase());
    if (known !== undefined) return known;
    try {
      return (await lookup(name, { family: 4 })).address;
    } catch {
      throw new Error("this computer's DNS does not know it");
    }
  };
}

/** Journals of this config home: secrets in them are sealed with the identity key, when there is one. */
export function journals() {
  return fileJournals(configDir(), existingIdentity());
}

/**
 * Connects to a resolved router and keeps a newly pinned certificate where it belongs: in the
 * profile for later runs, and in `resolved` for the later connections of this one (a watch that
 * reconnects must meet the same certificate, not pin whatever answers after a drop).
 */
export async function connectResolved(resolved: ResolvedRouter, resolve: (name: string) => Promise<string> = endpointResolver(undefined)): Promise<Router> {
  let router: Router;
  try {
    router = await routerPlatform(resolved.target).connect(resolved.target, resolved.label, { journals: journals(), resolve, featuresOf: featuresOfAnySide });
  } catch (e) {
    if (e instanceof RouterError && e.kind === "fingerprint-changed" && resolved.pinnedIn !== undefined) {
      throw new RouterError(e.kind, `${e.message}. The stored one is in ${resolved.pinnedIn}`, e, { expectedFingerprint: e.expectedFingerprint, actualFingerprint: e.actualFingerprint });
    }
    throw e;
  }
  try {
    resolved.remember(router.fingerprint);
  } catch (e) {
    await router.close().catch(() => undefined);
    throw e;
  }
  // An SSH host key met for the first time is trusted from now on: say so, and which key it was.
  if (resolved.target.transport === "ssh" && router.fingerprint !== null && !resolved.target.knownFingerprint) {
    say(`first connection to ${resolved.label}: its SSH host key ${router.fingerprint} is now pinned (in ${resolved.pinnedIn ?? "the config directory"}); a different key will be refused`);
  }
  if (router.fingerprint !== null && !resolved.target.knownFingerprint) resolved.target = { ...resolved.target, knownFingerprint: router.fingerprint };
  return router;
}

/** Runs `work` on one connection to the router the flags name, closed afterwards whatever happens. */
export async function withRouter<T>(flags: RouterFlags, work: (router: Router, resolved: ResolvedRouter) => Promise<T>): Promise<T> {
  const resolved = await resolveFlags(flags);
  const router = await connectResolved(resolved, endpointResolver(flags.resolve));
  try {
    return await work(router, resolved);
  } finally {
    await router.close().catch(() => undefined);
  }
}

const say = (line: string) => process.stderr.write(`bgpals: ${line}\n`);

function ago(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  return Number.isFinite(ms) ? `${Math.max(0, Math.round(ms / 1000))} s ago` : "at an unknown time";
}

export function holderText(holder: LockHolder): string {
  return `${holder.command}${holder.peering ? ` of ${holder.peering}` : ""} by ${holder.host} pid ${holder.pid}, since ${holder.since} (last heartbeat ${ago(holder.heartbeat)})`;
}

/** An interrupted run, for people, with what to run. */
export function interruptedLines(run: InterruptedRun): string[] {
  return [
    `an earlier bgpals ${run.command}${run.peering ? ` of ${run.peering}` : ""} on ${run.router} was interrupted (pid ${run.pid} on ${run.host}, started ${run.startedAt})`,
    `  ${run.writes} write${run.writes === 1 ? "" : "s"} journaled (each before it was sent), ${run.answered} answered by the router, ${run.undone} already undone`,
    ...(run.pending.length > 0 ? [`  left to undo, newest first: ${run.pending.slice(0, 6).join("; ")}${run.pending.length > 6 ? `; and ${run.pending.length - 6} more` : ""}`] : []),
    ...(run.secretsMissing ? ["  some secrets it needs (a private key, a password) are not in the journal here: what they belong to comes back with new ones, or disabled"] : []),
    `  journal: ${run.file}`,
  ];
}

export function undoLines(report: UndoReport): string[] {
  const did = `undid ${report.undone} write${report.undone === 1 ? "" : "s"}`;
  if (report.verified) return [`${did}; read back, the router is as it was before that run`];
  return [`${did}, but the router is not as it was before that run:`, ...report.problems.map((p) => `  ${p}`), ...report.differences.map((d) => `  read back: ${d}`)];
}

/** What a writing command asks of the router's lock, and how its end is reported. */
export interface WritingSession {
  request: LockRequest;
  /** An error from exclusive(), as this command words it. */
  translate(error: unknown): unknown;
  /** Stops listening for Ctrl-C. */
  dispose(): void;
}

/**
 * The lock request of a writing command: waits (--wait-lock) or refuses when another run holds the
 * router, replaces a holder that is gone, undoes an interrupted run first with --yes (or says what
 * to run), and on Ctrl-C or SIGTERM stops sending, undoes what this run wrote and fails; a second
 * Ctrl-C stops at once and says what is left.
 */
export interface WritingWhat {
  command: string;
  peering?: string | null;
  /** The command takes --yes (to undo an interrupted run first); default true. */
  takesYes?: boolean;
  onRecovered?: (run: InterruptedRun, report: UndoReport) => void;
}

export function writingSession(flags: WriteFlags, what: WritingWhat, router: Router, label: string): WritingSession {
  const waitMs = waitLockMs(flags);
  const controller = new AbortController();
  const undoing: string[] = [];
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      say(`${signal === "SIGINT" ? "Ctrl-C" : signal}: no further change is sent; undoing what this run wrote (Ctrl-C again stops at once)`);
      controller.abort();
      return;
    }
    const left = router.interruptedRun();
    say(`stopped at once${undoing.length > 0 ? ` while undoing (${undoing.length} undone so far)` : ""}`);
    if (left !== null && left.pending.length > 0) {
      for (const line of interruptedLines(left)) say(line);
      say(`undo the rest with: bgpals recover --router ${label} --yes`);
    } else {
      say(`nothing of this run is left to undo; if ${label} still shows a bgpals lock, the next run replaces it`);
    }
    process.exit(1);
  };
  // Others' signal handlers (a file writer's cleanup that kills the process again with the same
  // signal) would turn one Ctrl-C into two: they wait until the run is over.
  const others = (["SIGINT", "SIGTERM"] as const).map((sig) => ({ sig, listeners: process.rawListeners(sig) as Array<(...args: unknown[]) => void> }));
  for (const { sig } of others) process.removeAllListeners(sig);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let lastWait = 0;
  const request: LockRequest = {
    command: what.command,
    peering: what.peering ?? null,
    waitMs,
    signal: controller.signal,
    recover: flags.yes ? "undo" : "refuse",
    onWait: (holder, remainingMs) => {
      const now = Date.now();
      if (process.stderr.isTTY) process.stderr.write(`\rbgpals: ${label} is held by ${holderText(holder)}; waiting ${Math.ceil(remainingMs / 1000)} s more   `);
      else if (now - lastWait >= 10_000) say(`${label} is held by ${holderText(holder)}; waiting up to ${Math.ceil(remainingMs / 1000)} s more`);
      if (now - lastWait >= 10_000) lastWait = now;
    },
    onTakeover: (holder, why) => {
      if (process.stderr.isTTY && lastWait > 0) process.stderr.write("\n");
      say(`${label} was held by ${holderText(holder)}, but ${why}: that run was interrupted; its lock is replaced`);
    },
    onRecovered:
      what.onRecovered ??
      ((run, report) => {
        for (const line of interruptedLines(run)) say(line);
        for (const line of undoLines(report)) say(line);
      }),
    onUndo: (w) => {
      undoing.push(w);
    },
  };
  return {
    request,
    translate(e) {
      if (!(e instanceof InterruptedRunError)) return e;
      return new UserError(
        [
          ...interruptedLines(e.run),
          what.takesYes === false
            ? `nothing written now. Undo it first: bgpals recover --router ${label} --yes`
            : `nothing written now. Undo it first: run this again with --yes (it undoes that run, then goes on), or undo it alone: bgpals recover --router ${label} --yes`,
        ].join("\n"),
      );
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      for (const { sig, listeners } of others) for (const listener of listeners) process.on(sig, listener);
    },
  };
}

/** Runs `work` on the router under its lock (see writingSession): lock first, then read, plan and write. */
export async function withWritingRouter<T>(
  flags: WriteFlags,
  what: WritingWhat,
  work: (router: Router, resolved: ResolvedRouter) => Promise<T>,
): Promise<T> {
  waitLockMs(flags);
  return withRouter(flags, async (router, resolved) => {
    const session = writingSession(flags, what, router, resolved.label);
    try {
      return await router.exclusive(session.request, () => work(router, resolved));
    } catch (e) {
      throw session.translate(e);
    } finally {
      session.dispose();
    }
  });
}
