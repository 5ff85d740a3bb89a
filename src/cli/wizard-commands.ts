// The headless twins of the wizard: offer (operator A), accept (operator B), complete (operator A).
// The steps themselves live in src/flows/wizard.ts, shared with the screens; this file turns
// flags into choices and results into output.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isLinkKind, LINK_KIND_NAMES } from "../core/links/index.js";
import { UsageError, UserError } from "../errors.js";
import { applyPrepared, finishAccept, finishComplete, makeOffer, openAnswer, openOffer, parseNetworkList, prepareAccept, prepareComplete, secretsNote, type Bundled } from "../flows/wizard.js";
import type { Inventory } from "../platforms/platform.js";
import { configDir } from "../store/peers.js";
import { defaultWorkspace } from "../store/workspace.js";
import { keptAnswerFor } from "../flows/kept.js";
import { acceptPublicFlags } from "./accept-public.js";
import { readBundleArgument } from "./bundle-input.js";
import { withWritingRouter, type RouterFlags } from "./router.js";

type Write = (text: string) => void;

interface Common extends RouterFlags {
  json?: boolean;
  peers?: string;
  waitLock?: number;
}

export interface OfferFlags extends Common {
  me?: string;
  friend?: string;
  /** Checked as the command line was read (flags.ts), as is monitorApi. */
  asn?: number;
  networks?: string;
  link?: string[];
  primary?: string;
  endpoint?: string[];
  name?: string;
  monitorAccount?: boolean;
  monitorApi?: string;
  replace?: boolean;
}

export interface AcceptFlags extends Common {
  me?: string;
  asn?: number;
  networks?: string;
  wan?: string[];
  yes?: boolean;
  monitorAccount?: boolean;
  monitorApi?: string;
  acceptPublic?: string[];
  replace?: boolean;
}

export interface CompleteFlags extends Common {
  me?: string;
  yes?: boolean;
  acceptPublic?: string[];
  replace?: boolean;
}

function requiredAsn(asn: number | undefined): number {
  if (asn === undefined) throw new UsageError("--asn is required (a private ASN, e.g. 64514)");
  return asn;
}

function networksOf(text: string | undefined, inventory: Inventory): string[] {
  if (text === undefined) {
    if (inventory.lans.length === 0) throw new UsageError("--networks is required: the prefixes you announce, e.g. 192.168.0.0/24");
    return inventory.lans.map((l) => l.network);
  }
  const parsed = parseNetworkList(text);
  if (!parsed.ok) throw new UsageError(`--networks: ${parsed.message}`);
  return parsed.networks;
}

function printBundle(write: Write, flags: Common, bundle: Bundled, next: string): void {
  if (flags.json) return write(`${JSON.stringify({ bundle: bundle.text, fingerprint: bundle.fingerprint })}\n`);
  write(`${bundle.text}\n`);
  process.stderr.write(`fingerprint ${bundle.fingerprint} — read it to your friend; their screen must show the same\n${next}\n`);
}

const stepsToStderr = (flags: Common) => ({ onStep: flags.json ? undefined : (m: string) => process.stderr.write(`${m}\n`) });

// --- offer ---------------------------------------------------------------------------------------

export async function offerCommand(flags: OfferFlags, write: Write): Promise<void> {
  const me = required(flags.me, "--me <your name>");
  const friend = required(flags.friend, "--friend <their name>");
  const links = (flags.link ?? []).map((spec) => {
    const [name, kind, iface] = spec.split(":");
    if (!name || !kind || !iface) throw new UsageError(`--link ${spec}: use name:kind:interface, e.g. isp1:wireguard:ether1 or isp1:ovpn:ether1`);
    if (!isLinkKind(kind)) throw new UsageError(`--link ${spec}: the tunnel kind is ${LINK_KIND_NAMES.join(" or ")}, not ${kind}`);
    return { name, kind, iface };
  });
  if (links.length === 0) throw new UsageError("at least one --link name:kind:interface is required (kind wireguard or ovpn)");
  const primary = flags.primary ?? links[0]!.name;
  if (!links.some((l) => l.name === primary)) throw new UsageError(`--primary ${primary} is not one of the links (${links.map((l) => l.name).join(", ")})`);
  const endpoints = new Map((flags.endpoint ?? []).map((e) => e.split("=") as [string, string]));
  const asn = requiredAsn(flags.asn);
  const ws = defaultWorkspace(flags.peers);

  // One run: if anything fails (or Ctrl-C), what the offer made on the router is undone.
  await withWritingRouter(flags, { command: "offer", peering: flags.name ?? `${me}-${friend}`, takesYes: false }, async (router) => {
    const inventory = await router.discover();
    const made = await makeOffer(
      router,
      ws,
      { me, friend, asn, networks: networksOf(flags.networks, inventory), links: links.map((l) => ({ ...l, endpoint: endpoints.get(l.name) })), primary, peeringName: flags.name, monitorAccount: flags.monitorAccount, monitorApi: flags.monitorApi, replace: flags.replace },
      stepsToStderr(flags),
      inventory,
    );
    printBundle(write, flags, made.bundle, `send this offer to ${friend}; when the answer comes back: bgpals complete <answer> --router ${router.label} --yes`);
  });
}

// --- accept --------------------------------------------------------------------------------------

export async function acceptCommand(arg: string, flags: AcceptFlags, write: Write): Promise<void> {
  const me = required(flags.me, "--me <your name>");
  const text = readBundleArgument(arg, "offer");
  const ws = defaultWorkspace(flags.peers);
  // Accepted here before (the answer lost with a closed terminal): the same answer, nothing written.
  const kept = keptAnswerFor(text, ws, me);
  if (kept !== null) {
    process.stderr.write(`you accepted this offer from ${kept.friend} already (${new Date(kept.at).toISOString()}): here is the same answer; nothing was written\n`);
    return printBundle(write, flags, { text: kept.text, fingerprint: kept.fingerprint }, `send this answer to ${kept.friend}`);
  }
  if (!flags.yes) throw new UsageError("accept applies your side to your router: pass --yes");
  const opened = openOffer(text, ws, me, Date.now(), { acceptPublic: acceptPublicFlags(flags.acceptPublic), replace: flags.replace });
  const wanOf = new Map((flags.wan ?? []).map((w) => w.split("=") as [string, string]));
  for (const l of opened.offer.links) if (!wanOf.has(l.name)) throw new UsageError(`--wan ${l.name}=<interface> is required: which of your WANs carries link ${l.name}`);
  const asn = requiredAsn(flags.asn);

  // One run: if anything fails (or Ctrl-C), everything accept wrote is undone, the interfaces made to learn keys included.
  await withWritingRouter(flags, { command: "accept", peering: opened.offer.peering }, async (router) => {
    const inventory = await router.discover();
    const hooks = stepsToStderr(flags);
    const prepared = await prepareAccept(router, ws, opened, { asn, networks: networksOf(flags.networks, inventory), wans: Object.fromEntries(wanOf), monitorAccount: flags.monitorAccount, monitorApi: flags.monitorApi }, hooks, inventory);
    const applied = await applyPrepared(router, prepared, hooks);
    const accepted = finishAccept(ws, opened, prepared);
    const note = secretsNote(accepted.secretsKeptIn, ws.home);
    process.stderr.write(`applied your side (${applied} changes, read back) and saved ${accepted.file}\noffer fingerprint was ${opened.fingerprint}\n${note === null ? "" : `${note}\n`}`);
    printBundle(write, flags, accepted.answer, `send this answer to ${opened.from}`);
  });
}

// --- complete ------------------------------------------------------------------------------------

export async function completeCommand(arg: string, flags: CompleteFlags, write: Write): Promise<void> {
  const text = readBundleArgument(arg, "answer");
  if (!flags.yes) throw new UsageError("complete applies your side to your router: pass --yes");
  const ws = defaultWorkspace(flags.peers);
  const identityFile = join(configDir(), "identity.json");
  if (!existsSync(identityFile)) throw new UserError("no identity here: complete runs where the offer was made (bgpals offer created the identity)");
  const me = flags.me ?? (JSON.parse(readFileSync(identityFile, "utf8")) as { name: string }).name;
  const opened = openAnswer(text, ws, me, Date.now(), { acceptPublic: acceptPublicFlags(flags.acceptPublic), replace: flags.replace });

  await withWritingRouter(flags, { command: "complete", peering: opened.peering.name }, async (router) => {
    const hooks = stepsToStderr(flags);
    const prepared = await prepareComplete(router, ws, opened, me, hooks);
    const applied = await applyPrepared(router, prepared, hooks);
    const file = finishComplete(ws, opened, Date.now(), (note) => process.stderr.write(`${note}\n`));
    if (flags.json) write(`${JSON.stringify({ peering: opened.peering.name, friend: opened.friend, applied, file, fingerprint: opened.fingerprint })}\n`);
    else write(`peering ${opened.peering.name} with ${opened.friend} complete: applied ${applied} changes on ${router.label}, saved ${file}\nanswer fingerprint ${opened.fingerprint}\n`);
  });
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}
