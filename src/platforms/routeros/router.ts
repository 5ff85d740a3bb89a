// A RouterOS router behind the seam (platforms/platform.ts): one API connection, and what bgpals
// reads, plans and writes through it. The decisions are in the modules this one wires together.
import { normalizeFingerprint } from "../../core/certificates.js";
import type { FeaturesOf } from "../../core/features.js";
import type { CaCertificateBody } from "../../core/offer.js";
import type { Peering } from "../../core/peering.js";
import type { Plan } from "../../core/plan.js";
import type { ObservedRoute } from "../../core/prefer.js";
import { RouterError, UserError } from "../../errors.js";
import {
  InterruptedRunError,
  interruptedRunOf,
  RouterLockedError,
  type ApplyOptions,
  type ApplyResult,
  type ConnectOptions,
  type Inventory,
  type InterruptedRun,
  type Journal,
  type LockHolder,
  type LockRequest,
  type Platform,
  type PlanRequest,
  type PreparedPart,
  type PrepareHooks,
  type FilteredRoutes,
  type RouteFeedOptions,
  type Router,
  type RouterPlan,
  type RouterStatus,
  type SessionStatus,
  type StatusOptions,
  type UndoReport,
  type Watching,
  type WhyAnswer,
} from "../platform.js";
import { RouterClient, type ClientTarget, type Listening } from "./api/client.js";
import { endpointOf } from "./api/errors.js";
import { feedRoutes } from "./api/route-feed.js";
import { applyPlan, planStillHolds, type RunContext } from "./apply/apply.js";
import { planPeering, readUnder, withObserved, type RouterOsPlan } from "./apply/plan.js";
import { describeChange, MemoryJournal, Run, runFromJournal, storedChange, undoRun, undoSummary } from "./apply/run.js";
import { importCa, makeCertificates } from "./certificates.js";
import { acquireLock, beat, breakLock, forget, HEARTBEAT_MS, lockHolderOn, releaseLock, thisProcess, type Held } from "./lock.js";
import { dialectOf, unsupportedVersion, versionOfResource, type Dialect } from "./dialects.js";
import { discover, portsInUse } from "./discovery.js";
import { menusOf } from "./menus.js";
import { certificateNames, monitorAccountNames, ONE_SERVER_RECORD, ownershipTag, parseOwnershipTag, serverCertificateOwner } from "./names.js";
import { planOnRouter } from "./planning.js";
import { portRefusals } from "./ports.js";
import { readMenu, readObserved } from "./read.js";
import { render } from "./render/render.js";
import { friendRouteQuery, statusOf } from "./status.js";
import type { RouterCommand } from "./types.js";
import { whyFiltered } from "./why.js";
import { readFilteredRoutes } from "./filtered.js";

/** What a status shows of tunnels and sessions comes from these menus: a change in any of them is worth a look (routes come by feedFriendRoutes). */
const WATCHED = ["/routing/bgp/session", "/interface/wireguard/peers", "/interface"];

/** Everything preparing a peering may make before its plan: WireGuard interfaces (keys), certificates, the friend's read-only account. */
const PREPARED_PATHS = ["/interface/wireguard", "/certificate", "/user", "/user/group"];

// Policies real RouterOS 6 and 7 both know; everything but reading over the API is denied.
export const MONITOR_POLICY = "read,api,!local,!telnet,!ssh,!ftp,!reboot,!write,!policy,!test,!winbox,!password,!web,!sniff,!sensitive,!romon";

/** The lock this connection holds, and the run it covers. */
interface Hold {
  /** Counts lock holds on this connection: a plan read under one is current in it. */
  epoch: number;
  held: Held;
  run: Run;
  /** Why the lock is no longer ours (someone replaced it): no further write. */
  lost: string | null;
  lastBeat: number;
  beatMs: number;
  beating: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class RouterOsRouter implements Router {
  #dialect: Dialect | null = null;
  #hold: Hold | null = null;
  #holds = 0;

  constructor(
    readonly platform: Platform,
    public client: RouterClient,
    /** Read-only (ConnectOptions.readOnly), it says so to every client made from it. */
    readonly target: ClientTarget,
    readonly label: string,
    readonly options: ConnectOptions = {},
  ) {}

  get fingerprint(): string | null {
    return this.client.fingerprint;
  }

  get closed(): boolean {
    return this.client.closed;
  }

  get featuresOf(): FeaturesOf {
    return this.options.featuresOf ?? this.platform.featuresOf;
  }

  reconnect(): Promise<Router> {
    return this.platform.connect(this.target, this.label, this.options);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Where this router's journal is kept: by address, whatever profile reached it. */
  get journalKey(): string {
    const at = endpointOf(this.target);
    return `${at.host}:${at.port}`;
  }

  #journal(): Journal {
    return this.options.journals?.(this.journalKey) ?? new MemoryJournal();
  }

  /** A new connection in place of one that dropped (the lock stays ours: it is on the router). */
  async #reconnect(): Promise<RouterClient> {
    const old = this.client;
    this.client = await RouterClient.connect(this.target);
    await old.close().catch(() => undefined);
    return this.client;
  }

  async #live(): Promise<RouterClient> {
    return this.client.closed ? this.#reconnect() : this.client;
  }

  // --- The lock and the run ----------------------------------------------------------------------

  async exclusive<T>(request: LockRequest, work: () => Promise<T>): Promise<T> {
    // Inside a hold, work is part of the same run.
    if (this.#hold !== null) return work();
    const me = thisProcess(request.command, request.peering ?? null, Date.now());
    let held: Held;
    try {
      held = await acquireLock(await this.#live(), me, request, this.label);
    } catch (e) {
      if (e instanceof RouterLockedError || (e instanceof UserError && !(e instanceof RouterError))) throw e;
      // The lock may have been written before the connection broke: take it away again.
      await this.#live()
        .then((client) => releaseLock(client, { id: "", holder: me }))
        .catch(() => undefined);
      throw new UserError(`nothing written: could not take ${this.label}'s lock: ${(e as Error).message}`);
    }
    const journal = this.#journal();
    const run = new Run(journal, { command: request.command, peering: request.peering ?? null, router: this.label, host: me.host, pid: me.pid, startedAt: me.since }, request.signal, request.onUndo);
    const beatMs = request.heartbeatMs ?? HEARTBEAT_MS;
    const hold: Hold = { epoch: ++this.#holds, held, run, lost: null, lastBeat: Date.now(), beatMs, beating: false, timer: undefined };
    this.#hold = hold;
    hold.timer = setInterval(() => void this.#beat(hold), beatMs);
    hold.timer.unref();
    try {
      await this.#recoverFirst(journal, request);
      const result = await work();
      if (!run.unsettled) run.finish();
      return result;
    } catch (e) {
      // Another run took the router over (it thought this one gone): it answers for it now. Nothing
      // more is written, and the journal is left to it (it may be reading it on this computer).
      if (hold.lost !== null) throw withUndo(e, null, journal.file, this.label);
      let report: UndoReport | null = null;
      if (run.pending().length > 0) {
        report = await undoRun(this.#context(hold), run);
        if (!report.verified) run.unsettled = true;
      }
      if (!run.unsettled) run.finish();
      throw withUndo(e, report, run.unsettled ? journal.file : null, this.label);
    } finally {
      clearInterval(hold.timer);
      this.#hold = null;
      // Tried twice (again on a new connection): a lock left behind makes the next run wait or take it over.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await releaseLock(await this.#live(), hold.held);
          break;
        } catch {
          // once more
        }
      }
      forget(hold.held);
    }
  }

  /** An earlier run's journal: undone first (recover "undo"), or refused. */
  async #recoverFirst(journal: Journal, request: LockRequest): Promise<void> {
    const contents = journal.read();
    if (contents === null) return;
    const summary = interruptedRunOf(contents);
    if (request.recover !== "undo") throw new InterruptedRunError(`${interruptedText(summary)}\nnothing written now; undo it first: bgpals recover --router ${this.label} --yes`, summary);
    const old = runFromJournal(contents, journal);
    const report = await undoRun({ client: () => this.client, reconnect: () => this.#reconnect(), onUndo: request.onUndo }, old);
    request.onRecovered?.(summary, report);
    if (report.problems.length > 0) {
      throw new UserError([`could not undo all of the interrupted ${summary.command}; the journal ${journal.file} keeps what is left:`, ...report.problems.map((p) => `  ${p}`)].join("\n"));
    }
    journal.finish();
  }

  #context(hold: Hold): RunContext {
    return {
      left: `the journal ${hold.run.journal.file} keeps what is left to undo: bgpals recover --router ${this.label} --yes`,
      run: hold.run,
      client: () => this.client,
      reconnect: () => this.#reconnect(),
      onUndo: hold.run.onUndo,
      stillHeld: () => this.#stillHeld(hold),
    };
  }

  async #beat(hold: Hold): Promise<void> {
    if (hold.beating || this.client.closed || hold.lost !== null) return;
    hold.beating = true;
    try {
      if (await beat(this.client, hold.held, Date.now())) hold.lastBeat = Date.now();
      else hold.lost = "another bgpals run replaced this run's lock on the router";
    } catch {
      // A dropped connection: the next write reconnects and checks the lock then.
    } finally {
      hold.beating = false;
    }
  }

  /** Before each stage: the lock is still ours (after a pause, such as a laptop asleep, it is read again). */
  async #stillHeld(hold: Hold): Promise<void> {
    if (hold.lost === null && Date.now() - hold.lastBeat > 2 * hold.beatMs) {
      if (await beat(await this.#live(), hold.held, Date.now())) hold.lastBeat = Date.now();
      else hold.lost = "another bgpals run replaced this run's lock on the router while this one was paused";
    }
    if (hold.lost !== null) throw new UserError(`${this.label}: ${hold.lost}; no further change was sent`);
  }

  /** The run in progress; only inside exclusive(). */
  #run(): Hold {
    if (this.#hold === null) throw new Error("a write outside exclusive()");
    return this.#hold;
  }

  async lockHolder(): Promise<LockHolder | null> {
    return lockHolderOn(await this.#live());
  }

  async unlock(): Promise<LockHolder | null> {
    return breakLock(await this.#live());
  }

  interruptedRun(): InterruptedRun | null {
    const contents = this.options.journals?.(this.journalKey).read() ?? null;
    return contents === null ? null : interruptedRunOf(contents);
  }

  /** The router's dialect, read once per connection. */
  async dialect(): Promise<Dialect> {
    if (this.#dialect !== null) return this.#dialect;
    const [resource] = await this.client.print("/system/resource", { proplist: ["version"] });
    const version = versionOfResource(resource);
    const dialect = dialectOf(version);
    if (dialect === null) throw new UserError(`${this.label}: ${unsupportedVersion(version)}`);
    this.#dialect = dialect;
    return dialect;
  }

  async version(): Promise<string> {
    return (await this.dialect()).version;
  }

  discover(): Promise<Inventory> {
    return discover(this.client);
  }

  async status(options: StatusOptions = {}): Promise<RouterStatus> {
    return statusOf(this.client, await this.dialect(), options);
  }

  async watchChanges(changed: () => void): Promise<Watching | null> {
    if (!(await this.dialect()).follows) return null;
    const listens: Listening[] = WATCHED.map((path) => this.client.listen(path, changed, { onError: changed }));
    return { stop: async () => void (await Promise.all(listens.map((l) => l.stop().catch(() => undefined)))) };
  }

  async bgpRoutes(): Promise<ObservedRoute[]> {
    const menus = menusOf(await this.dialect());
    const { attr } = menus;
    // The friends' routes only (their sessions' next hops): a full table from elsewhere is not read.
    const sessions = await this.client.print(menus.bgpSessions, { proplist: ["comment", attr.remoteAddress] });
    const friends = sessions.filter((s) => parseOwnershipTag(s.comment) !== null).map((s) => s[attr.remoteAddress] ?? "").filter((a) => a !== "");
    if (friends.length === 0) return [];
    const items = await this.client.print("/ip/route", { query: friendRouteQuery(friends), proplist: ["dst-address", "gateway", "active", attr.localPref, attr.asPath] });
    return items.map((r) => {
      const pref = r[attr.localPref];
      return {
        dst: r["dst-address"] ?? "",
        gateway: r.gateway ?? "",
        active: r.active === "true" || r.active === "yes",
        localPref: pref === undefined || pref === "" ? null : Number(pref),
        asPath: r[attr.asPath] ?? "",
      };
    });
  }

  async feedFriendRoutes(options: RouteFeedOptions): Promise<void> {
    const dialect = await this.dialect();
    return feedRoutes({ ...options, target: this.target, dialect, query: friendRouteQuery(options.addresses) });
  }

  async why(prefix: string, options: { session?: string; asPath?: number[] } = {}): Promise<WhyAnswer[]> {
    return whyFiltered(this.client, await this.dialect(), prefix, options);
  }

  async filteredRoutes(addresses: readonly string[], limit: number): Promise<FilteredRoutes> {
    return readFilteredRoutes(this.client, this.target, await this.dialect(), addresses, limit);
  }

  async plan(request: PlanRequest): Promise<RouterPlan> {
    const planned = await planOnRouter(this.client, { ...request, resolve: request.resolve ?? this.options.resolve, featuresOf: request.featuresOf ?? this.featuresOf });
    readUnder(planned.plan, this.#hold?.epoch ?? null);
    return planned;
  }

  apply(plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
    const planned = plan as RouterOsPlan;
    if (planned.observed === undefined) throw new Error("apply: this plan was not made by a RouterOS router's plan()");
    return this.exclusive({ command: "apply", peering: planned.peering }, async () => {
      const hold = this.#run();
      // A plan read before this lock hold may be out of date: another run may have written since.
      if (planned.lockEpoch !== hold.epoch && planned.changes.length > 0) {
        const changed = await planStillHolds(await this.#live(), planned);
        if (changed.length > 0) {
          const error = new UserError(`the router changed since this plan was made (another bgpals run, or someone else): plan again\n  ${changed.slice(0, 8).join("\n  ")}`);
          return { ok: false, error, failedAt: null, undone: 0, undoProblems: [], verified: true, message: `nothing written: ${error.message}` };
        }
      }
      // A plan with conflicts writes nothing, our certificates neither.
      if (planned.conflicts.length > 0) return applyPlan(this.#context(hold), planned, { ...options, peering: planned.peering });
      // Our own certificates first (add + sign, journaled like an offer's): the rest names them.
      // They belong to this apply: a failure later undoes them with the rest.
      const making = planned.changes.filter((c) => c.makeCertificate !== undefined);
      const start = hold.run.entries.length;
      for (const change of making) await this.makeCertificates(planned.peering, change.makeCertificate!.role, change.makeCertificate!.serverNames);
      const madeBefore = hold.run.entries.slice(start);
      const rest = making.length === 0 ? planned : readUnder(withObserved({ changes: planned.changes.filter((c) => c.makeCertificate === undefined), conflicts: planned.conflicts }, planned.observed, planned.peering, planned.origin), hold.epoch);
      const result = await applyPlan(this.#context(hold), rest, { ...options, peering: planned.peering, madeBefore });
      return result.ok ? { ...result, applied: result.applied + making.length } : result;
    });
  }

  /** Creates the WireGuard interfaces of a peering first: the router generates their keys. */
  async prepareLinks(draft: Peering, side: string, hooks: PrepareHooks = {}): Promise<Record<string, string>> {
    const dialect = await this.dialect();
    const interfaces = render(draft, side, dialect.version).commands.filter((c) => c.path === "/interface/wireguard");
    if (interfaces.length === 0) return {};
    return this.exclusive({ command: "prepare", peering: draft.name }, async () => {
      const observed = { "/interface/wireguard": await this.client.print("/interface/wireguard") };
      // A port something else listens on is refused before the interfaces are made.
      const clashes = portRefusals(draft, interfaces, portsInUse(observed["/interface/wireguard"], await readMenu(this.client, "/interface/ovpn-server/server")));
      if (clashes.length > 0) throw new UserError(`nothing written: ${clashes.map((c) => c.message).join("\n")}`);
      await this.#apply(planPeering(draft.name, interfaces, observed), hooks);
      const printed = await this.client.print("/interface/wireguard");
      const keys: Record<string, string> = {};
      for (const cmd of interfaces) {
        const key = printed.find((i) => i.name === cmd.attrs.name)?.["public-key"];
        if (key === undefined) throw new UserError(`the router did not show a public key for ${cmd.attrs.name}`);
        keys[cmd.role.replace(/^tunnel-/, "")] = key;
      }
      return keys;
    });
  }

  async makeCertificates(peering: string, role: "server" | "client", serverNames: readonly string[] = []): Promise<CaCertificateBody> {
    const n = certificateNames(peering);
    const names = role === "server" ? await this.#serverCertificateNames(peering) : { ca: n.ca, leaf: n.client };
    return this.exclusive({ command: "prepare", peering }, async () => {
      const hold = this.#run();
      const existing = await this.client.print("/certificate");
      hold.run.remember("/certificate", existing);
      // What is made here (and only that) goes again on undo; a certificate an earlier offer made stays.
      const made = [names.ca, names.leaf].filter((name) => !existing.some((c) => c.name === name));
      const entries = hold.run.intend([{ what: `add /certificate (${[names.ca, names.leaf].join(", ")})`, record: { kind: "certificates", names: made, files: [`${names.ca}-export.crt`] } }]);
      const ca = await makeCertificates(this.client, names, role, serverNames);
      hold.run.answered(entries);
      return { caCertificate: ca.pem, caFingerprint: ca.fingerprint };
    });
  }

  /**
   * The certificate this peering's OpenVPN server shows. Before 7.17 there is one server: when
   * bgpals shares it already, it keeps the certificate of the peering that set it up, and this
   * peering's friend is given that certificate's CA.
   */
  async #serverCertificateNames(peering: string): Promise<{ ca: string; leaf: string }> {
    const own = certificateNames(peering);
    const dialect = await this.dialect();
    if (dialect.ovpnServerInstances) return { ca: own.ca, leaf: own.server };
    const [server] = await readMenu(this.client, ONE_SERVER_RECORD.server);
    const [record] = await readMenu(this.client, ONE_SERVER_RECORD.path, undefined, [`?name=${ONE_SERVER_RECORD.name}`]);
    const holders = parseOwnershipTag(record?.comment)?.peerings ?? [];
    const owner = serverCertificateOwner(server?.certificate);
    // The certificate stays with the server after the peering that made it went (apply/plan.ts).
    if (owner === null || owner === peering || holders.length === 0) return { ca: own.ca, leaf: own.server };
    return { ca: certificateNames(owner).ca, leaf: certificateNames(owner).server };
  }

  async importFriendCa(peering: string, ca: CaCertificateBody): Promise<void> {
    const name = certificateNames(peering).friendCa;
    const dialect = await this.dialect();
    await this.exclusive({ command: "prepare", peering }, async () => {
      const hold = this.#run();
      hold.run.remember("/certificate", await this.client.print("/certificate"));
      const files = [`${name}.crt`, `${name}.txt`];
      const entries = hold.run.intend([{ what: `import /certificate (${name})`, record: { kind: "certificates", names: [name], files, fingerprints: [normalizeFingerprint(ca.caFingerprint) ?? ca.caFingerprint] } }]);
      await importCa(this.client, name, { pem: ca.caCertificate, fingerprint: normalizeFingerprint(ca.caFingerprint) ?? ca.caFingerprint }, dialect);
      hold.run.answered(entries);
    });
  }

  /** A user group that may only read over the API, and a user in it, both tagged as the peering's. */
  async grantMonitorAccount(peering: string, friend: string, password: string, hooks: PrepareHooks = {}): Promise<void> {
    const { user, group } = monitorAccountNames(peering);
    const commands: RouterCommand[] = [
      { path: "/user/group", verb: "add", role: "monitor-group", attrs: { name: group, policy: MONITOR_POLICY, comment: ownershipTag(peering, "monitor-group") }, why: `read-only API access for ${friend}'s monitor` },
      { path: "/user", verb: "add", role: "monitor-user", attrs: { name: user, group, password, comment: ownershipTag(peering, "monitor-user") }, secret: ["password"], why: `${friend}'s monitor logs in as ${user}` },
    ];
    await this.exclusive({ command: "prepare", peering }, async () => {
      const [groups, users] = await Promise.all([this.client.print("/user/group"), this.client.print("/user")]);
      const observed = { "/user/group": groups, "/user": users };
      // An account left by an earlier attempt gets the new password (a password cannot be read back to compare).
      const existing = users.find((u) => u.comment === ownershipTag(peering, "monitor-user"));
      const plan = planPeering(peering, commands, observed);
      for (const change of plan.changes) if (change.op === "set" && change.path === "/user") change.attrs.password = password;
      if (existing !== undefined && !plan.changes.some((c) => c.path === "/user")) {
        const hold = this.#run();
        hold.run.remember("/user", users);
        const change = { op: "set" as const, path: "/user", attrs: { password }, id: existing[".id"], role: "monitor-user", reason: "a new password", before: {}, secret: ["password"] };
        const entries = hold.run.intend([{ what: describeChange(change), record: { kind: "change", peering, change: storedChange(change) } }]);
        await this.client.set("/user", existing[".id"]!, { password });
        hold.run.answered(entries);
      }
      await this.#apply(plan, hooks);
    });
  }

  async discardPrepared(peering: string, what: PreparedPart = "all"): Promise<void> {
    // Menus the version lacks (WireGuard on RouterOS 6) read as empty.
    const paths = what === "all" ? PREPARED_PATHS : what === "friend-ca" ? ["/certificate"] : ["/user", "/user/group"];
    await this.exclusive({ command: "discard", peering }, async () => {
      const observed = await readObserved(this.client, paths);
      const plan = planPeering(peering, [], observed);
      // Only the friend's CA: the peering's own certificates were made at the offer and stay.
      if (what === "friend-ca") plan.changes = plan.changes.filter((c) => c.role === "certificate-friend-ca");
      if (plan.changes.length === 0) return;
      const result = await applyPlan(this.#context(this.#run()), readUnder(plan, this.#run().epoch), { peering });
      if (!result.ok) throw new UserError(`could not remove the prepared objects of ${peering}: ${result.message}`);
    });
  }

  async clearSession(session: SessionStatus): Promise<void> {
    const dialect = await this.dialect();
    await this.exclusive({ command: "clear", peering: session.peering }, async () => {
      if (dialect.bgpSessionClear) {
        const [instance] = await this.client.print("/routing/bgp/session", { query: { name: `${session.name}-1` } });
        const [byName] = instance === undefined ? await this.client.print("/routing/bgp/session", { query: { name: session.name } }) : [instance];
        if (byName !== undefined) await this.client.run("/routing/bgp/session/clear", { numbers: byName[".id"]! });
        return;
      }
      // No clear: disable, then enable. Journaled: a run that dies in between leaves the peer to be enabled again.
      const [peer] = await this.client.print("/routing/bgp/peer", { query: { name: session.name } });
      const tag = parseOwnershipTag(peer?.comment);
      if (peer === undefined || tag === null) return;
      const id = peer[".id"]!;
      const hold = this.#run();
      const change = { op: "set" as const, path: "/routing/bgp/peer", attrs: { disabled: "yes" }, id, role: tag.role, reason: "restart after a max-prefix trip", before: { disabled: "no" } };
      const entries = hold.run.intend([{ what: describeChange(change), record: { kind: "change", peering: tag.peering, change: storedChange(change) } }]);
      try {
        await this.client.run("/routing/bgp/peer/disable", { numbers: id });
        hold.run.answered(entries);
      } finally {
        // The enable is retried on a new connection: a peer must not stay off.
        await (await this.#live()).run("/routing/bgp/peer/enable", { numbers: id });
        for (const e of entries) hold.run.undone(e);
      }
    });
  }

  async #apply(plan: RouterOsPlan, hooks: PrepareHooks): Promise<void> {
    if (plan.conflicts.length > 0) throw new UserError(["nothing written:", ...plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
    const hold = this.#run();
    const result = await applyPlan(this.#context(hold), readUnder(plan, hold.epoch), { peering: plan.peering, onEvent: hooks.onApply });
    if (!result.ok) throw new UserError(result.message);
    if (!result.verified) throw new UserError([`${plan.peering}: written, but reading the router back shows it did not take:`, ...result.differences.map((d) => `  ${d}`)].join("\n"));
  }
}

/** What an interrupted run left, for people. */
export function interruptedText(run: InterruptedRun): string {
  return [
    `an earlier bgpals ${run.command}${run.peering ? ` of ${run.peering}` : ""} on ${run.router} was interrupted (pid ${run.pid} on ${run.host}, started ${run.startedAt}):`,
    `  ${run.writes} write${run.writes === 1 ? "" : "s"} journaled, ${run.answered} answered by the router, ${run.undone} already undone; left to undo: ${run.pending.length === 0 ? "nothing" : run.pending.join("; ")}`,
    ...(run.secretsMissing ? ["  some secrets it needs (private keys, passwords) are not in the journal here: what they belong to comes back with new ones"] : []),
  ].join("\n");
}

/** The error a failed run ends with, saying what its undo did (only a read-back that matched says "as it was before"). */
function withUndo(error: unknown, report: UndoReport | null, journalLeft: string | null, label: string): unknown {
  if (report === null && journalLeft === null) return error;
  const lines: string[] = [];
  if (report !== null) lines.push(`the run stopped: ${undoSummary(report, "write")}`);
  if (journalLeft !== null) lines.push(`the journal ${journalLeft} keeps what is left to undo: bgpals recover --router ${label} --yes`);
  const text = lines.join("\n");
  if (error instanceof UserError) {
    const out = new UserError(`${error.message}\n${text}`, error.exitCode);
    return out;
  }
  if (error instanceof Error) {
    error.message = `${error.message}\n${text}`;
    return error;
  }
  return new Error(`${String(error)}\n${text}`);
}
