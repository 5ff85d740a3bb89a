// Headless commands that talk to a router: router add|list|remove, inventory, plan, apply, remove, status.
import { resolve as resolvePath } from "node:path";
import { checkFriendInput, type Refusal } from "../core/checks.js";
import { LINK_KINDS } from "../core/links/index.js";
import { planJson, planText } from "../core/plan-view.js";
import { UsageError, UserError } from "../errors.js";
import { inventoryLines } from "../flows/inventory-text.js";
import { watchRouter } from "../flows/watch.js";
import { grantedMonitorPassword, savedPppPassword } from "../store/friends.js";
import { configDir, defaultPeersDir, loadPeering, loadPeersDirectory } from "../store/peers.js";
import { defaultWorkspace, rememberAcceptedPublic } from "../store/workspace.js";
import { addProfile, listProfiles, parseSshAddress, passwordVariable, profileAddress, rememberFingerprint, removeProfile, storedFingerprints, type RouterProfile } from "../store/profiles.js";
import { keyringAllowed } from "../store/keyring-switch.js";
import { keyring, routerAccount } from "../store/secrets.js";
import type { LinkSecrets, Router, UndoReport } from "../platforms/platform.js";
import { platformText, type Peering } from "../core/peering.js";
import { existingIdentity } from "../store/identity.js";
import { applyProgress } from "./progress.js";
import { promptPassword, promptSecret } from "./prompt.js";
import { connectResolved, endpointResolver, interruptedLines, resolveFlags, timeoutMs, undoLines, withRouter, withWritingRouter, type RouterFlags as Flags } from "./router.js";
import { acceptPublicFlags, confirmedPublic } from "./accept-public.js";
import { errorDocument } from "./error-document.js";
import { readOnlyMode } from "./read-only.js";

type Write = (text: string) => void;

export interface RouterFlags extends Flags {
  json?: boolean;
}

// --- Profiles ------------------------------------------------------------------------------

export async function routerAdd(name: string, flags: { host?: string; port?: number; user?: string; tls?: boolean; key?: string; json?: boolean; savePassword?: boolean }, write: Write): Promise<void> {
  if (flags.host === undefined) throw new UsageError("--host is required (the router's address, or ssh://user@host[:port] for a Linux host)");
  const ssh = parseSshAddress(flags.host);
  if (ssh !== null) return sshRouterAdd(name, ssh, flags, write);
  if (flags.key !== undefined) throw new UsageError("--key is for a Linux host: give --host as ssh://user@host[:port]");
  const port = flags.port;
  const profile = { host: flags.host, port, user: flags.user ?? "admin", tls: flags.tls === true };
  let saved = false;
  if (flags.savePassword) {
    const store = keyring(configDir());
    if (store === null) {
      const why = keyringAllowed() ? "no OS keyring works on this machine" : "BGPALS_KEYRING=off keeps bgpals away from the OS keyring";
      throw new UserError(`${why}, nothing saved: set ${passwordVariable(name)} or type the password when asked`);
    }
    const password = process.env[passwordVariable(name)] || process.env.BGPALS_PASSWORD || (await promptPassword(name));
    store.set(routerAccount(name), password);
    saved = true;
  }
  addProfile(name, profile);
  if (flags.json) write(`${JSON.stringify({ name, ...profile, passwordIn: saved ? "keyring" : "environment or prompt" })}\n`);
  else write(`added router ${name}: ${profile.user}@${profile.host}:${port ?? (profile.tls ? 8729 : 8728)}${profile.tls ? " (API-SSL)" : ""}\n${saved ? "the password is in the OS keyring" : `the password is never stored in the profile: set BGPALS_PASSWORD (or ${passwordVariable(name)}), save it in the OS keyring with --save-password, or type it when asked`}\n`);
}

/** A Linux host's profile: no password (a key logs in), the host key pinned on first use. */
function sshRouterAdd(name: string, ssh: { user: string; host: string; port?: number }, flags: { host?: string; port?: number; user?: string; tls?: boolean; key?: string; json?: boolean; savePassword?: boolean }, write: Write): void {
  if (flags.tls || flags.savePassword) throw new UsageError(`${flags.tls ? "--tls" : "--save-password"} is for RouterOS routers; an ssh:// host logs in with a key (--key, or ssh-agent)`);
  if (flags.user !== undefined && flags.user !== ssh.user) throw new UsageError(`--user ${flags.user} and the user of ${flags.host} (${ssh.user}) differ: give the user once, in the ssh:// address`);
  if (flags.port !== undefined && ssh.port !== undefined && flags.port !== ssh.port) throw new UsageError(`--port ${flags.port} and the port of ${flags.host} (${ssh.port}) differ: give the port once`);
  const port = ssh.port ?? flags.port;
  const profile: RouterProfile = { host: ssh.host, ...(port === undefined ? {} : { port }), user: ssh.user, ssh: true, ...(flags.key === undefined ? {} : { keyFile: resolvePath(flags.key) }) };
  addProfile(name, profile);
  if (flags.json) return write(`${JSON.stringify({ name, ...profile })}\n`);
  write(`added router ${name}: ${profileAddress(profile)} (a Linux host, over SSH)\nit logs in with ${profile.keyFile ? `the key ${profile.keyFile}` : "the keys of ssh-agent"}; its host key is pinned on first use\n`);
}

export function routerList(flags: { json?: boolean }, write: Write): void {
  const profiles = listProfiles();
  if (flags.json) return write(`${JSON.stringify({ routers: Object.entries(profiles).map(([name, p]) => ({ name, ...p })) })}\n`);
  const names = Object.keys(profiles);
  if (names.length === 0) return write("no router profiles yet: bgpals router add <name> --host <address> --user <user>\n");
  for (const [name, p] of Object.entries(profiles)) write(`${name}\t${profileAddress(p)}${p.tls ? " API-SSL" : ""}${p.fingerprint ? " pinned" : ""}\n`);
}

export function routerRemove(name: string, write: Write): void {
  if (!removeProfile(name)) throw new UserError(`no router profile named ${name}`);
  write(`removed router profile ${name}\n`);
}

// --- Inventory ------------------------------------------------------------------------------

export async function inventoryCommand(flags: RouterFlags, write: Write): Promise<void> {
  await withRouter(flags, async (router) => {
    const inv = await router.discover();
    if (flags.json) return write(`${JSON.stringify(inv, null, 2)}\n`);
    const lines = inventoryLines(inv);
    write(`${lines.join("\n")}\n`);
  });
}

// --- Plan / apply / remove -------------------------------------------------------------------

export interface PeeringFlags extends RouterFlags {
  peering?: string;
  side?: string;
  peers?: string;
  yes?: boolean;
  format?: string;
  resolve?: string[];
  sequential?: boolean;
  acceptPublic?: string[];
  waitLock?: number;
}

export const pppVariable = (link: string) => `BGPALS_PPP_PASSWORD_${link.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/**
 * The PPP passwords of a peering's links: the environment, then what offer, accept or complete kept
 * (OS keyring, or the encrypted file of the config home), then a prompt on a terminal. Without
 * one, no plan: RouterOS never shows a password back, and planning without it would disable the
 * friend's account (or leave our client without one).
 */
async function pppSecrets(peering: Peering): Promise<LinkSecrets> {
  const ws = defaultWorkspace();
  const out: Record<string, string> = {};
  for (const link of peering.links.filter((l) => LINK_KINDS[l.kind].password).map((l) => l.name)) {
    const value = process.env[pppVariable(link)] || savedPppPassword(ws, peering.name, link);
    if (value) {
      out[link] = value;
      continue;
    }
    if (!process.stdin.isTTY) {
      throw new UserError(
        `no PPP password for link ${link} of ${peering.name} here (not in ${pppVariable(link)}, the OS keyring or ${ws.home}/secrets.json), and RouterOS never shows it back: nothing planned. Set ${pppVariable(link)} to the password the OpenVPN client of ${link} logs in with (chosen at accept, it crossed in the answer)`,
      );
    }
    out[link] = await promptSecret(`PPP password of link ${link} (${peering.name}): `, pppVariable(link));
  }
  return Object.keys(out).length ? { pppPassword: out } : {};
}

/** The peering file, read and checked for what the friend may send before any router is reached. */
function peeringFor(flags: PeeringFlags, remove: boolean) {
  if (flags.peering === undefined) throw new UsageError("--peering <file> is required");
  const peering = loadPeering(flags.peering);
  const sides = Object.keys(peering.sides);
  if (flags.side === undefined) throw new UsageError(`--side is required: ${sides.map((s) => `--side ${s}`).join(" or ")}`);
  if (!sides.includes(flags.side)) throw new UserError(`${flags.peering}: no side named ${flags.side}; the sides are ${sides.join(" and ")}`);
  const side = flags.side;
  const others = loadPeersDirectory(flags.peers ?? defaultPeersDir(), peering.name);
  const acceptPublic = confirmedPublic(peering, side, acceptPublicFlags(flags.acceptPublic));
  // A hostile file is refused before we connect (and before a password is asked); the router's own
  // checks come with the plan.
  const refusals = remove ? [] : checkFriendInput(peering, side, Object.keys(peering.sides).find((s) => s !== side)!, others, acceptPublic);
  if (refusals.length > 0) throw refusedFile(flags.peering, refusals);
  return { peering, side, others, acceptPublic };
}

function refusedFile(file: string, refusals: readonly Refusal[]): UserError {
  return new UserError([`${file}: refused for this router (${refusals.length} problem${refusals.length > 1 ? "s" : ""}), nothing written:`, ...refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
}

async function planFor(router: Router, flags: PeeringFlags, remove: boolean, loaded: ReturnType<typeof peeringFor>) {
  const { peering, side, others, acceptPublic } = loaded;
  // A removal journals the password of the account this side granted, so an undo puts it back exactly.
  const monitorPassword = remove ? grantedMonitorPassword(defaultWorkspace(), peering.name) : null;
  const secrets: LinkSecrets = remove ? (monitorPassword === null ? {} : { monitorPassword }) : await pppSecrets(peering);
  const planned = await router.plan({ peering, side, others, remove, secrets, acceptPublic });
  if (planned.refusals.length > 0) throw refusedFile(flags.peering!, planned.refusals);
  return { peering, planned };
}

export async function planCommand(flags: PeeringFlags, write: Write): Promise<number> {
  const loaded = peeringFor(flags, false);
  return withRouter(flags, async (router, resolved) => {
    const { peering, planned } = await planFor(router, flags, false, loaded);
    const format = flags.json ? "json" : flags.format ?? "text";
    if (format === "json") write(`${JSON.stringify(planJson(planned.plan), null, 2)}\n`);
    else if (format === "rsc") write(router.platform.planScript(planned.plan, peering.name).text);
    // The router's own platform and version: "RouterOS 7.20", "Linux (BIRD 2.0.12)".
    else if (format === "text") write(planText(planned.plan, `plan for ${peering.name} on ${resolved.label} (${platformText(router.platform.sidePlatform(planned.version))})`));
    else throw new UsageError("--format must be text, json or rsc");
    return planned.plan.conflicts.length > 0 ? 1 : 0;
  });
}

export async function applyCommand(flags: PeeringFlags, remove: boolean, write: Write): Promise<number> {
  if (!flags.yes) throw new UsageError(`${remove ? "remove" : "apply"} changes the router: review \`bgpals plan\` first, then pass --yes`);
  const loaded = peeringFor(flags, remove);
  const { peering } = loaded;
  // Lock first, then read, plan and write: no other run can change the router in between.
  return withWritingRouter(flags, { command: remove ? "remove" : "apply", peering: peering.name }, async (router, resolved) => {
    const { planned } = await planFor(router, flags, remove, loaded);
    if (planned.plan.conflicts.length > 0) throw new UserError(["nothing written:", ...planned.plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
    // Only where an undo needs secrets from this computer's journal (a Linux host keeps a removed key aside on the host).
    const lost = router.platform.lostWithoutJournalSecrets;
    if (lost !== undefined && existingIdentity() === null && planned.plan.changes.some((c) => c.op === "remove")) {
      process.stderr.write(`bgpals: note: there is no identity here (bgpals offer or accept makes one), so this run's journal keeps no secrets: if it is killed half way, ${lost}\n`);
    }
    const result = await router.apply(planned.plan, {
      resolve: endpointResolver(flags.resolve),
      pipeline: flags.sequential !== true,
      onEvent: flags.json ? undefined : applyProgress,
    });
    if (!result.ok) {
      const error = new UserError(result.message);
      if (flags.json) write(`${JSON.stringify(errorDocument(error, { undone: result.undone, undoProblems: result.undoProblems, verified: result.verified }))}\n`);
      throw error;
    }
    // What is said rests on reading the router back (a re-plan found nothing left to do).
    if (!result.verified) throw new UserError([`wrote ${result.applied} change${result.applied === 1 ? "" : "s"}, but reading ${resolved.label} back shows the peering is not all there:`, ...result.differences.map((d) => `  ${d}`)].join("\n"));
    // What the user confirmed now holds for later plans of this peering (kept in their config, never in peers/).
    if (!remove) rememberAcceptedPublic(defaultWorkspace(flags.peers), peering.name, Object.keys(peering.sides).find((s) => s !== loaded.side)!, acceptPublicFlags(flags.acceptPublic));
    if (flags.json) write(`${JSON.stringify({ ok: true, applied: result.applied, roundTrips: result.roundTrips, verified: true })}\n`);
    else write(result.applied === 0 ? `nothing to change: ${resolved.label} already ${remove ? "holds nothing of the peering" : "matches"} (read back)\n` : `${remove ? "removed" : "applied"} ${result.applied} change${result.applied === 1 ? "" : "s"} on ${resolved.label} (read back: ${remove ? "nothing of the peering is left" : "the router holds the peering"})\n`);
    return 0;
  });
}

// --- Lock and journal --------------------------------------------------------------------------

/** `bgpals unlock`: who holds the router; with --yes, the lock goes. */
export async function unlockCommand(flags: RouterFlags & { yes?: boolean }, write: Write): Promise<number> {
  return withRouter(flags, async (router, resolved) => {
    const holder = await router.lockHolder();
    const left = router.interruptedRun();
    const journalNote = left === null ? [] : ["this computer's journal also holds an interrupted run on it:", ...interruptedLines(left).map((l) => `  ${l}`), `undo it with: bgpals recover --router ${resolved.label} --yes`];
    if (holder === null) {
      if (flags.json) write(`${JSON.stringify({ locked: false })}\n`);
      else write([`${resolved.label} holds no bgpals lock`, ...journalNote].join("\n") + "\n");
      return 0;
    }
    const text = `${holder.command}${holder.peering ? ` of ${holder.peering}` : ""} by ${holder.host} pid ${holder.pid}, since ${holder.since}, last heartbeat ${holder.heartbeat}`;
    if (!flags.yes) {
      if (flags.json) write(`${JSON.stringify({ locked: true, holder, removed: false })}\n`);
      else write([`${resolved.label} is locked by ${text}`, "if that run is gone, remove the lock: add --yes (a run that is alive notices, and stops writing)", ...journalNote].join("\n") + "\n");
      return 0;
    }
    const removed = await router.unlock();
    if (flags.json) write(`${JSON.stringify({ locked: false, holder: removed, removed: removed !== null })}\n`);
    else write([removed === null ? `${resolved.label} holds no bgpals lock any more` : `removed the lock of ${text} from ${resolved.label}`, ...journalNote].join("\n") + "\n");
    return 0;
  });
}

/** `bgpals recover`: what an interrupted run left; with --yes, undone and read back. */
export async function recoverCommand(flags: RouterFlags & { yes?: boolean; waitLock?: number }, write: Write): Promise<number> {
  const resolved = await resolveFlags(flags);
  if (!flags.yes) {
    const router = await connectResolved(resolved);
    try {
      const left = router.interruptedRun();
      const holder = await router.lockHolder();
      if (left === null) write(`nothing to recover: this computer's journal holds no interrupted run on ${resolved.label}${holder ? ` (it is locked by ${holder.command} ${holder.peering ?? ""} by ${holder.host} pid ${holder.pid}: see bgpals unlock)` : ""}\n`);
      else write([...interruptedLines(left), `undo it (then the router is read back): bgpals recover --router ${resolved.label} --yes`].join("\n") + "\n");
      return 0;
    } finally {
      await router.close().catch(() => undefined);
    }
  }
  let recovered: UndoReport | null = null;
  await withWritingRouter({ ...flags, yes: true }, { command: "recover", onRecovered: (run, report) => {
    recovered = report;
    write([...interruptedLines(run), ...undoLines(report)].join("\n") + "\n");
  } }, async () => undefined);
  if (recovered === null) {
    write(`nothing to recover: this computer's journal holds no interrupted run on ${resolved.label}\n`);
    return 0;
  }
  return (recovered as UndoReport).verified ? 0 : 1;
}

// --- Status ----------------------------------------------------------------------------------

/** How long Ctrl-C lets a watch part from the router politely before it exits anyway. */
const WATCH_QUIT_MS = 2000;

/** `status --watch`: events as they happen, one JSON object a line with --json, until Ctrl-C. */
async function watchCommand(flags: RouterFlags & { interval?: number }, write: Write): Promise<void> {
  const pollMs = (flags.interval ?? 2) * 1000;
  const resolved = await resolveFlags(flags);
  // The first connection must work: a wrong password is not something to retry forever.
  await (await connectResolved(resolved)).close();
  const controller = new AbortController();
  const stop = () => {
    controller.abort();
    // Ctrl-C ends a watch at once: the router's answers to our cancels and goodbye are not waited for
    // longer than this (a slow or gone router held a Ctrl-C for twice the timeout). What the router
    // still sends us ends with the connection; a watch writes nothing there.
    setTimeout(() => process.exit(process.exitCode ?? 0), WATCH_QUIT_MS).unref();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await watchRouter({
      connect: () => connectResolved(resolved),
      signal: controller.signal,
      pollMs,
      onEvent: (e) => {
        if (flags.json) return write(`${JSON.stringify(e)}\n`);
        const { time, event, ...rest } = e as Record<string, unknown> & { time: string; event: string };
        if (event === "snapshot") return write(`${time} watching ${resolved.label}\n`);
        write(`${time} ${event} ${Object.values(rest).map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(" ")}\n`);
      },
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export async function statusCommand(flags: RouterFlags & { watch?: boolean; interval?: number }, write: Write): Promise<void> {
  if (flags.watch) return watchCommand(flags, write);
  await withRouter(flags, async (router) => {
    const status = await router.status();
    if (flags.json) return write(`${JSON.stringify(status, null, 2)}\n`);
    const lines = ["tunnels:", ...status.tunnels.map((t) => `  ${t.name} (${t.link}) ${t.state}${t.lastHandshake ? `, handshake ${t.lastHandshake} ago` : ""}, rx ${t.rx} tx ${t.tx}`)];
    lines.push("sessions:", ...status.sessions.map((s) => `  ${s.name} (${s.link}) AS${s.remoteAs} ${s.state}${s.uptime ? ` ${s.uptime}` : ""}, ${s.prefixes} prefixes received, ${s.advertised} announced${s.limitExceeded ? ", MAX-PREFIX LIMIT EXCEEDED" : ""}${s.lastError ? `, last error: ${s.lastError}` : ""}`));
    lines.push("routes:", ...status.routes.map((r) => `  ${r.active ? "*" : " "} ${r.dst} via ${r.gateway}${r.link ? ` (${r.link})` : ""}, local-pref ${r.localPref ?? "-"}, AS path ${r.asPath || "-"}`));
    write(`${lines.join("\n")}\n`);
  });
}

// --- Why filtered? -----------------------------------------------------------------------------

export async function whyCommand(prefix: string, flags: RouterFlags & { session?: string }, write: Write): Promise<number> {
  return withRouter(flags, async (router) => {
    const answers = await router.why(prefix, { session: flags.session });
    if (answers.length === 0) throw new UserError(flags.session ? `no BGP session named ${flags.session} on this router` : "no bgpals session on this router: nothing filters prefixes yet");
    if (flags.json) write(`${JSON.stringify(answers, null, 2)}\n`);
    else for (const a of answers) write([`${a.session}${a.link ? ` (${a.link})` : ""}: ${prefix} ${a.summary}`, ...a.verdict.trace.map((t) => `    ${t}`)].join("\n") + "\n");
    return 0;
  });
}

// --- Export over SSH -----------------------------------------------------------------------------

/** The router's whole configuration (`/export terse`), over SSH with the host key pinned on first use. */
export async function exportCommand(flags: RouterFlags & { sshPort?: number }, write: Write): Promise<void> {
  const resolved = await resolveFlags(flags);
  if (resolved.target.transport === "ssh") throw new UsageError(`export prints a RouterOS configuration; ${resolved.label} is a Linux host (bgpals inventory shows what it has)`);
  const port = flags.sshPort ?? 22;
  const { SshSession } = await import("../platforms/routeros/ssh.js");
  const key = `ssh:${resolved.target.host}:${port}`;
  const pins = storedFingerprints();
  {
    const session = await SshSession.connect({
      host: resolved.target.host,
      port,
      user: resolved.target.user,
      password: resolved.target.password,
      useAgent: process.env.SSH_AUTH_SOCK !== undefined,
      knownHostKey: pins[key] ?? null,
      timeoutMs: timeoutMs(flags),
      readOnly: readOnlyMode(),
    });
    try {
      if (pins[key] === undefined) rememberFingerprint(key, session.hostKeyFingerprint);
      write(await session.exportConfig());
    } finally {
      await session.close();
    }
  }
}
