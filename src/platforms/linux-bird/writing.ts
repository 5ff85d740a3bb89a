// Writing to a Linux host: the run under its lock, plans, apply and the read-back. The router
// (router.ts) hands its calls here.
import type { Plan } from "../../core/plan.js";
import type { Journal, JournalContents, JournalRun, JournalWrite } from "../../core/journal.js";
import { hostname } from "node:os";
import { UserError } from "../../errors.js";
import type { ApplyOptions, ApplyResult, ConnectOptions, LockHolder, LockRequest, PlanRequest, RouterPlan } from "../platform.js";
import { runSteps } from "./apply.js";
import { readHostState, type HostState } from "./host-state.js";
import { takeLock, readLock, removeLock, type HeldLock } from "./lock.js";
import { linuxNames } from "./names.js";
import { desiredOf, missingCertificates, planApply, planRemove, watchedFiles, type Desired } from "./plan.js";
import { policyViolations } from "./render/probes.js";
import { renderLinux } from "./render/render.js";
import type { LinuxShell } from "./ssh.js";

/** A journal that lives as long as the run (no journal store given: no crash recovery). */
class MemoryJournal implements Journal {
  readonly file = "(memory)";
  readonly keepsSecrets = false;
  read(): JournalContents | null {
    return null;
  }
  begin(_run: JournalRun): void {}
  before(): void {}
  intend(_writes: readonly JournalWrite[]): void {}
  answered(): void {}
  undone(): void {}
  finish(): void {}
}

interface Planned {
  plan: Plan;
  request: PlanRequest;
  desired: Desired;
  socket: string;
}

export interface WriterHost {
  shell: LinuxShell;
  label: string;
  journalKey: string;
  options: ConnectOptions;
  version(): Promise<string>;
  birdSocket(): Promise<string>;
}

export class LinuxWriter {
  #held: HeldLock | null = null;
  #request: LockRequest | null = null;
  #planned: Planned | null = null;

  constructor(private readonly host: WriterHost) {}

  async exclusive<T>(request: LockRequest, work: () => Promise<T>): Promise<T> {
    // Re-entrant: an exclusive inside another is part of the same run.
    if (this.#held !== null) return work();
    // request.recover has nothing to act on: interruptedRun() finds none on a Linux host yet (docs/linux.md: by hand).
    this.#held = await takeLock(this.host.shell, request, this.host.label);
    this.#request = request;
    try {
      return await work();
    } finally {
      const held = this.#held;
      this.#held = null;
      this.#request = null;
      await held.release().catch(() => undefined);
    }
  }

  lockHolder(): Promise<LockHolder | null> {
    return readLock(this.host.shell);
  }

  unlock(): Promise<LockHolder | null> {
    return removeLock(this.host.shell);
  }

  async #state(desired: Desired, socket: string): Promise<HostState> {
    const { hashed, probed } = watchedFiles(desired);
    return readHostState(this.host.shell, socket, hashed, probed);
  }

  async plan(request: PlanRequest): Promise<RouterPlan> {
    const version = await this.host.version();
    const out = renderLinux(request.peering, request.side, { presharedKey: request.secrets?.presharedKey, pppPassword: request.secrets?.pppPassword }, request.featuresOf ?? this.host.options.featuresOf);
    const violations = policyViolations(request.peering, out);
    if (violations.length > 0) throw new UserError(["refused, the rendered filters would not keep the policy (this is a bgpals bug, please report it):", ...violations.map((v) => `  ${v}`)].join("\n"));
    const socket = await this.host.birdSocket();
    const desired = desiredOf(request.peering, request.side, out);
    const state = await this.#state(desired, socket);
    const missing = request.remove ? [] : missingCertificates(desired, state);
    if (missing.length > 0) {
      throw new UserError(`${this.host.label}: the OpenVPN links need certificates the host does not have: ${missing.join(", ")}; they are made on the host before apply (bgpals offer or accept makes them: the router's makeCertificates and importFriendCa), nothing was changed`);
    }
    const plan = request.remove ? await planRemove(desired, state, socket, linuxNames.birdInclude(request.peering)) : await planApply(desired, state, socket);
    this.#planned = { plan, request, desired, socket };
    return { version, refusals: [], plan, otherChanges: 0 };
  }

  async apply(plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
    const planned = this.#planned;
    if (planned === null || planned.plan !== plan) throw new UserError(`${this.host.label}: a Linux host applies only the plan it just made (plan, then apply, in one run)`);
    if (this.#held === null) return this.exclusive({ command: planned.request.remove ? "remove" : "apply", peering: planned.request.peering.name }, () => this.apply(plan, options));
    const journal = this.host.options.journals?.(this.host.journalKey) ?? new MemoryJournal();
    const before = await this.#state(planned.desired, planned.socket);
    journal.begin({ command: this.#request?.command ?? "apply", peering: planned.request.peering.name, router: this.host.label, host: hostname(), pid: process.pid, startedAt: new Date().toISOString() });
    const steps = await runSteps(this.host.shell, plan, journal, options, this.#request?.signal);
    if (steps.ok) {
      journal.finish();
      // What is said rests on a read-back: a re-plan finds nothing left to do.
      const again = await this.plan(planned.request);
      const differences = again.plan.changes.map((c) => `${c.op} ${c.path}: ${c.reason}`);
      return { ok: true, applied: steps.applied, roundTrips: steps.applied, verified: differences.length === 0, differences };
    }
    const after = await this.#state(planned.desired, planned.socket);
    const differences = stateDifferences(before, after);
    if (differences.length === 0 && steps.undoProblems.length === 0) journal.finish();
    const verified = differences.length === 0;
    const error = steps.error!;
    const message = [
      `${steps.failedAt ? `${steps.failedAt.op} ${steps.failedAt.path} failed` : "the run stopped"}: ${error.message}`,
      `undid ${steps.undone} change${steps.undone === 1 ? "" : "s"}, newest first; ${verified ? `${this.host.label} reads back as it was before` : `reading ${this.host.label} back shows it is NOT as it was before:`}`,
      ...differences.map((d) => `  ${d}`),
      ...steps.undoProblems.map((p) => `  ${p}`),
    ].join("\n");
    return { ok: false, error, failedAt: steps.failedAt ?? null, undone: steps.undone, undoProblems: steps.undoProblems, verified, message };
  }
}

/** Where two readings of a host differ, for people. */
export function stateDifferences(before: HostState, after: HostState): string[] {
  const out: string[] = [];
  before = { ...before, wireguard: configuredWireguard(before) };
  after = { ...after, wireguard: configuredWireguard(after) };
  const keys = Object.keys(before) as Array<keyof HostState>;
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (a !== null && b !== null && typeof a === "object" && !Array.isArray(a)) {
      const names = new Set([...Object.keys(a), ...Object.keys(b as object)]);
      for (const name of names) {
        const x = JSON.stringify((a as Record<string, unknown>)[name] ?? null);
        const y = JSON.stringify((b as Record<string, unknown>)[name] ?? null);
        if (x !== y) out.push(`${key} ${name}: was ${x}, now ${y}`);
      }
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push(`${key}: was ${JSON.stringify(a)?.slice(0, 200)}, now ${JSON.stringify(b)?.slice(0, 200)}`);
    }
  }
  return out;
}

/**
 * What of a WireGuard interface is configuration, not what it learned running: an initiator (it
 * keeps the path alive) dials a set endpoint from a random port; a listener has a set port and
 * learns the friend's endpoint from the handshake.
 */
function configuredWireguard(state: HostState): HostState["wireguard"] {
  return Object.fromEntries(
    Object.entries(state.wireguard).map(([iface, wg]) => {
      const dials = wg.peers.some((p) => p.keepalive !== "");
      return [iface, { listenPort: dials ? "" : wg.listenPort, peers: wg.peers.map((p) => ({ ...p, endpoint: p.keepalive !== "" ? p.endpoint : null })) }];
    }),
  );
}
