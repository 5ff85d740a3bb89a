// Writing to a Linux host: the run under its lock, plans, apply and the read-back. The router
// (router.ts) hands its calls here.
import { LINK_KINDS, linkKind } from "../../core/links/index.js";
import { sidesOf, type Peering } from "../../core/peering.js";
import type { Plan } from "../../core/plan.js";
import type { Journal, JournalContents, JournalRun, JournalWrite } from "../../core/journal.js";
import { hostname } from "node:os";
import { UserError } from "../../errors.js";
import { InterruptedRunError, interruptedRunOf, type ApplyOptions, type ApplyResult, type ConnectOptions, type InterruptedRun, type LockHolder, type LockRequest, type PlanRequest, type PreparedPart, type RouterPlan, type UndoReport } from "../platform.js";
import { MAKE_KEY, runSteps, undoJournaled } from "./apply.js";
import type { IpRoute } from "./discovery.js";
import { linuxBirdFeatures } from "./features.js";
import { readHostState, type HostState } from "./host-state.js";
import { takeLock, readLock, removeLock, type HeldLock } from "./lock.js";
import { linuxNames } from "./names.js";
import { desiredOf, missingCertificates, planApply, planRemove, sha256, watchedFiles, type Desired } from "./plan.js";
import { policyViolations } from "./render/probes.js";
import { BIRD_CONF, renderLinux, type KernelTableUse, type LinuxHost } from "./render/render.js";
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

/**
 * What the journal keeps of the host before a run's first write, so a later `bgpals recover` can
 * read the same things back and compare: the paths read, BIRD's socket, the directories the run may
 * make, and the state itself (bird.conf by its hash: it may hold other sessions' passwords).
 */
interface HostBefore {
  kind: "linux-host";
  socket: string;
  hashed: string[];
  probed: string[];
  /** The links' kernel tables (an earlier bgpals's journal has none). */
  tables?: string[];
  missingDirs: string[];
  state: HostState;
}

/** A host state as the journal keeps it and a recovery compares it. */
async function journaledState(state: HostState): Promise<HostState> {
  return { ...state, birdConf: state.birdConf === null ? null : `sha256:${await sha256(state.birdConf)}` };
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
  /** Kernel WireGuard or wireguard-go, systemd or not: how the host's part is made and whether it comes back at boot. */
  traits(): Promise<LinuxHost>;
  /** The kernel tables bgpals's peerings on the host write, as their include files say. */
  kernelTables(): Promise<KernelTableUse[]>;
}

/**
 * A key for a tunnel not applied yet ($1), with its marker ($2) naming the peering ($3); "made"
 * when this run made it, "had" when one was there (kept: the host's, or an earlier offer's).
 */
const PREPARE_KEY = [
  'if test -s "$1"; then echo had; exit 0; fi',
  "umask 077",
  // The marker first: one without its key is harmless, and a discard removes it.
  `printf '%s\\n' "$3" > "$2" || exit 1`,
  `{ ${MAKE_KEY}; } && echo made && exit 0`,
  'rm -f -- "$1" "$2"; exit 1',
].join("\n");

/** The keys a given-up peering prepared ($1: its name) and no applied tunnel uses (no .conf beside them); every marker of it. */
const DISCARD_PREPARED = [
  "for m in /etc/wireguard/*.bgpals-prepared; do",
  '  [ -e "$m" ] && [ "$(cat -- "$m")" = "$1" ] || continue',
  '  i=${m%.bgpals-prepared}',
  '  [ -e "$i.conf" ] || rm -f -- "$i.key"',
  '  rm -f -- "$m"',
  "done",
].join("\n");

/** A WireGuard public key as `wg pubkey` prints it. */
const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export class LinuxWriter {
  #held: HeldLock | null = null;
  #request: LockRequest | null = null;
  #planned: Planned | null = null;
  /** Files the run made outside a plan (the wizard's keys and certificates): removed if the run fails. */
  #made: string[] | null = null;

  constructor(private readonly host: WriterHost) {}

  /** Files made outside a plan by the run now held (the OpenVPN certificates): removed with it if it fails. */
  madeByRun(paths: readonly string[]): void {
    this.#made?.push(...paths);
  }

  async exclusive<T>(request: LockRequest, work: () => Promise<T>): Promise<T> {
    // Re-entrant: an exclusive inside another is part of the same run.
    if (this.#held !== null) return work();
    this.#held = await takeLock(this.host.shell, request, this.host.label);
    this.#request = request;
    const made: string[] = [];
    this.#made = made;
    try {
      await this.#recoverFirst(request);
      return await work();
    } catch (e) {
      // What the wizard made for this run goes with it (a plan's own steps undo themselves).
      if (made.length > 0 && !this.host.shell.closed) await this.host.shell.run(["rm", "-f", "--", ...made]).catch(() => undefined);
      throw e;
    } finally {
      const held = this.#held;
      this.#held = null;
      this.#request = null;
      this.#made = null;
      await held.release().catch(() => undefined);
    }
  }

  #journal(): Journal {
    return this.host.options.journals?.(this.host.journalKey) ?? new MemoryJournal();
  }

  /** The run this computer's journal says was interrupted on this host, or null. */
  interruptedRun(): InterruptedRun | null {
    const contents = this.host.options.journals?.(this.host.journalKey).read() ?? null;
    // Nothing secret is journaled on Linux: private keys stay on the host (moved aside, never read).
    return contents === null ? null : interruptedRunOf({ ...contents, secretsMissing: false });
  }

  /** An earlier run's journal, under the lock: undone and read back (recover "undo"), or refused. */
  async #recoverFirst(request: LockRequest): Promise<void> {
    const journal = this.#journal();
    const contents = journal.read();
    if (contents === null) return;
    const run = interruptedRunOf({ ...contents, secretsMissing: false });
    const label = this.host.label;
    if (request.recover !== "undo") {
      throw new InterruptedRunError(`an earlier bgpals ${run.command}${run.peering ? ` of ${run.peering}` : ""} on ${label} was interrupted (pid ${run.pid} on ${run.host}): nothing written now; undo it first: bgpals recover --router ${label} --yes`, run);
    }
    const before = contents.before.map((b) => b.record as HostBefore).find((b) => b?.kind === "linux-host");
    const { undone, problems } = await undoJournaled(this.host.shell, contents, journal, before?.missingDirs ?? [], request.onUndo);
    let differences: string[] = [];
    if (before === undefined) differences = ["the journal does not say what the host held before the run: nothing to compare with"];
    else differences = stateDifferences(before.state, await journaledState(await readHostState(this.host.shell, before.socket, before.hashed, before.probed, before.tables ?? [])));
    const report: UndoReport = { undone, problems, verified: problems.length === 0 && differences.length === 0, differences };
    request.onRecovered?.(run, report);
    if (problems.length > 0) throw new UserError([`could not undo all of the interrupted ${run.command}; the journal ${journal.file} keeps what is left:`, ...problems.map((p) => `  ${p}`)].join("\n"));
    journal.finish();
  }

  /**
   * The private key of each of `side`'s WireGuard links, made on the host where there is none
   * (the plan's key step then finds it and keeps it); their public keys by link. The private keys
   * never leave the host. Keys made here go again if the run fails.
   */
  async prepareLinks(draft: Peering, side: string): Promise<Record<string, string>> {
    const { friend } = sidesOf(draft, side);
    const features = linuxBirdFeatures(draft.sides[side]!.platform);
    if ("unsupported" in features) throw new UserError(`${this.host.label}: ${features.unsupported}; nothing written`);
    for (const link of draft.links) {
      const unsupported = linkKind(link.kind).unsupported(link, side, features);
      if (unsupported !== null) throw new UserError(`${this.host.label}: ${unsupported.message}; nothing written`);
    }
    const keyed = draft.links.filter((l) => LINK_KINDS[l.kind].keysOnRouter);
    if (keyed.length === 0) return {};
    return this.exclusive({ command: "prepare", peering: draft.name }, async () => {
      const keys: Record<string, string> = {};
      for (const link of keyed) {
        const iface = linuxNames.tunnelInterface(link, friend);
        const file = linuxNames.wireguardKey(iface);
        const marker = linuxNames.preparedMarker(iface);
        const made = await this.host.shell.run(["sh", "-c", PREPARE_KEY, "sh", file, marker, draft.name]);
        if (made.code !== 0) throw new UserError(`${this.host.label}: cannot make ${iface}'s private key ${file}: ${made.stderr.trim() || `exit status ${made.code}`} (bgpals needs wireguard-tools, wg, and /etc/wireguard on the host)`);
        if (/^made$/m.test(made.stdout)) this.#made?.push(file, marker);
        const shown = await this.host.shell.run(["sh", "-c", 'wg pubkey < "$1"', "sh", file]);
        const key = shown.stdout.trim();
        if (shown.code !== 0 || !PUBLIC_KEY.test(key)) throw new UserError(`${this.host.label}: wg pubkey < ${file} gave no public key: ${shown.stderr.trim() || key || `exit status ${shown.code}`}`);
        keys[link.name] = key;
      }
      return keys;
    });
  }

  /** Removes the keys a peering prepared that no applied tunnel uses; a Linux host makes nothing else before a plan. */
  async discardPrepared(peering: string, what: PreparedPart = "all"): Promise<void> {
    // Certificates and the monitor account are not made on a Linux host (not built yet): nothing of them to remove.
    if (what !== "all") return;
    await this.exclusive({ command: "discard", peering }, async () => {
      const r = await this.host.shell.run(["sh", "-c", DISCARD_PREPARED, "sh", peering]);
      if (r.code !== 0) throw new UserError(`${this.host.label}: could not remove the keys ${peering} prepared: ${r.stderr.trim() || `exit status ${r.code}`}`);
    });
  }

  /**
   * The peering with each of `side`'s WANs given the gateway its routes need, from the host's
   * default route on that interface (a gateway the file names is kept). A WAN with no default
   * route through a gateway (point-to-point, or directly connected) gets none: routes then name
   * the interface alone.
   */
  async #withGateways(peering: Peering, side: string): Promise<Peering> {
    const mine = peering.sides[side];
    if (mine === undefined || mine.platform.os !== "linux" || Object.values(mine.wans).every((w) => w.gateway !== undefined)) return peering;
    const routes = JSON.parse((await this.host.shell.must(["ip", "-j", "-4", "route", "show", "table", "main"])).trim() || "[]") as IpRoute[];
    const out = structuredClone(peering);
    for (const wan of Object.values(out.sides[side]!.wans)) {
      if (wan.gateway !== undefined) continue;
      const hop = routes.filter((r) => r.dst === "default" && r.dev === wan.interface && r.gateway !== undefined).sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0]?.gateway;
      if (hop !== undefined) wan.gateway = hop;
    }
    return out;
  }

  lockHolder(): Promise<LockHolder | null> {
    return readLock(this.host.shell);
  }

  unlock(): Promise<LockHolder | null> {
    return removeLock(this.host.shell);
  }

  /** The directories the plan's files go in that are not there yet (made by the run; a recovery removes them again). */
  async #missingDirs(plan: Plan): Promise<string[]> {
    const dirs = [...new Set(plan.changes.filter((c) => c.role === "file" && c.op !== "remove").map((c) => c.path.slice(0, c.path.lastIndexOf("/"))))];
    if (dirs.length === 0) return [];
    const r = await this.host.shell.run(["sh", "-c", 'for d; do [ -d "$d" ] || echo "$d"; done', "sh", ...dirs]);
    return r.stdout.split("\n").filter((d) => d !== "");
  }

  async #state(desired: Desired, socket: string): Promise<HostState> {
    const { hashed, probed, tables } = watchedFiles(desired);
    return readHostState(this.host.shell, socket, hashed, probed, tables);
  }

  async plan(request: PlanRequest): Promise<RouterPlan> {
    const version = await this.host.version();
    const peering = await this.#withGateways(request.peering, request.side);
    const out = renderLinux(peering, request.side, { presharedKey: request.secrets?.presharedKey, pppPassword: request.secrets?.pppPassword }, request.featuresOf ?? this.host.options.featuresOf, { ...(await this.host.traits()), kernelTables: await this.host.kernelTables() });
    const violations = policyViolations(peering, out);
    if (violations.length > 0) throw new UserError(["refused, the rendered filters would not keep the policy (this is a bgpals bug, please report it):", ...violations.map((v) => `  ${v}`)].join("\n"));
    const socket = await this.host.birdSocket();
    const desired = desiredOf(peering, request.side, out);
    const state = await this.#state(desired, socket);
    // The friend's CA a complete brings is put on the host just before the plan is applied (applyPrepared).
    const friendCa = request.friendCa === undefined ? null : linuxNames.certificates(request.peering.name).friendCa;
    const missing = request.remove ? [] : missingCertificates(desired, state).filter((path) => path !== friendCa);
    if (missing.length > 0) {
      throw new UserError(`${this.host.label}: the OpenVPN links need certificates the host does not have: ${missing.join(", ")}; they are made on the host before apply (bgpals offer or accept makes them: the router's makeCertificates and importFriendCa), nothing was changed`);
    }
    // Each link's route follows its WAN by BIRD's protocol device, and BIRD allows one: bird.conf's.
    if (!request.remove && state.birdProtocols !== null && !state.birdDevice) {
      throw new UserError(`${this.host.label}: BIRD runs no protocol device (birdc show protocols), so it would not see the WANs come and go and could keep no link's route: add "protocol device { }" to ${BIRD_CONF} (Debian's has one) and run birdc configure; nothing was changed`);
    }
    const full = request.remove ? await planRemove(desired, state, socket, linuxNames.birdInclude(request.peering)) : await planApply(desired, state, socket);
    const { plan, otherChanges } = request.scope === "policy" && !request.remove ? policyOnly(full, request.peering) : { plan: full, otherChanges: 0 };
    this.#planned = { plan, request, desired, socket };
    return { version, refusals: [], plan, otherChanges };
  }

  async apply(plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
    const planned = this.#planned;
    if (planned === null || planned.plan !== plan) throw new UserError(`${this.host.label}: a Linux host applies only the plan it just made (plan, then apply, in one run)`);
    if (this.#held === null) return this.exclusive({ command: planned.request.remove ? "remove" : "apply", peering: planned.request.peering.name }, () => this.apply(plan, options));
    const journal = this.#journal();
    const before = await this.#state(planned.desired, planned.socket);
    journal.begin({ command: this.#request?.command ?? "apply", peering: planned.request.peering.name, router: this.host.label, host: hostname(), pid: process.pid, startedAt: new Date().toISOString() });
    const { hashed, probed, tables } = watchedFiles(planned.desired);
    const record: HostBefore = { kind: "linux-host", socket: planned.socket, hashed, probed, tables, missingDirs: await this.#missingDirs(plan), state: await journaledState(before) };
    journal.before(record);
    const steps = await runSteps(this.host.shell, plan, journal, options, this.#request?.signal);
    if (steps.ok) {
      if (!planned.request.remove) await this.#applied(planned.desired);
      // What is said rests on a read-back: a re-plan finds nothing left to do.
      const again = await this.plan(planned.request);
      const differences = again.plan.changes.map((c) => `${c.op} ${c.path}: ${c.reason}`);
      return { ok: true, applied: steps.applied, roundTrips: steps.applied, verified: differences.length === 0, differences };
    }
    const after = await this.#state(planned.desired, planned.socket);
    const differences = stateDifferences(before, after);
    const settled = differences.length === 0 && steps.undoProblems.length === 0;
    if (settled) journal.finish();
    const verified = differences.length === 0;
    const error = steps.error!;
    const message = [
      `${steps.failedAt ? `${steps.failedAt.op} ${steps.failedAt.path} failed` : "the run stopped"}: ${error.message}`,
      `undid ${steps.undone} change${steps.undone === 1 ? "" : "s"}, newest first; ${verified ? `${this.host.label} reads back as it was before` : `reading ${this.host.label} back shows it is NOT as it was before:`}`,
      ...differences.map((d) => `  ${d}`),
      ...steps.undoProblems.map((p) => `  ${p}`),
      ...(settled || this.host.options.journals === undefined ? [] : [`the journal ${journal.file} keeps what is left to undo: bgpals recover --router ${this.host.label} --yes`]),
    ].join("\n");
    return { ok: false, error, failedAt: steps.failedAt ?? null, undone: steps.undone, undoProblems: steps.undoProblems, verified, message };
  }

  /**
   * The keys and certificates an apply now uses stay whatever happens next in the run (the tunnels
   * need them; remove takes them away), and the keys are no longer only prepared.
   */
  async #applied(desired: Desired): Promise<void> {
    const markers = desired.tunnels.map((t) => linuxNames.preparedMarker(t.iface));
    const made = this.#made;
    const kept = new Set([...desired.keys, ...markers, ...desired.certificates.all]);
    if (made !== null) made.splice(0, made.length, ...made.filter((path) => !kept.has(path)));
    await this.host.shell.run(["rm", "-f", "--", ...markers]);
  }
}

/**
 * A primary swap (scope "policy") changes the BIRD include only (local-pref in, prepend out, on
 * every link) and has BIRD take it; the rest a plan would change is drift, counted and left to
 * `bgpals apply`. As on RouterOS, only a change to what is there: a peering not applied gets nothing.
 */
function policyOnly(full: Plan, peering: Peering): { plan: Plan; otherChanges: number } {
  const include = linuxNames.birdInclude(peering);
  const { primary, localPref, backupPrepend } = peering.policy;
  const backups = peering.links.filter((l) => l.name !== primary).map((l) => l.name).join(", ");
  const reason = `BIRD's part of the peering, rewritten: ${primary} takes local-pref ${localPref.primary} in and no prepend out; ${backups} local-pref ${localPref.backup} and our AS prepended ${backupPrepend} times`;
  const filters = full.changes.filter((c) => c.role === "file" && c.path === include && c.op === "set").map((c) => ({ ...c, reason }));
  const changes = filters.length === 0 ? [] : [...filters, ...full.changes.filter((c) => c.role === "bird")];
  return { plan: { changes, conflicts: full.conflicts }, otherChanges: full.changes.length - changes.length };
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
      return [iface, { listenPort: dials ? "" : wg.listenPort, fwmark: wg.fwmark, peers: wg.peers.map((p) => ({ ...p, endpoint: p.keepalive !== "" ? p.endpoint : null })) }];
    }),
  );
}
