// The headless twins of the wizard: offer (operator A), accept (operator B), complete (operator A).
// Each prepares what it must on its own router, and passes one signed bundle to the friend.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asnProblem } from "../core/asn.js";
import { decodeBundle, encodeBundle } from "../core/bundle.js";
import { checkPeering } from "../core/checks.js";
import { isIPv4Prefix } from "../core/ipv4.js";
import { draftPeering, peeringOf, PLACEHOLDER_KEY, proposeLinks, type AnswerBody, type OfferBody } from "../core/offer.js";
import type { Peering } from "../core/peering.js";
import { planPeering } from "../core/plan.js";
import { render } from "../core/render.js";
import { capabilities } from "../core/version.js";
import { applyPlan } from "../routeros/apply.js";
import { RouterClient } from "../routeros/client.js";
import { discover, type Inventory } from "../routeros/discovery.js";
import { RouterError } from "../routeros/errors.js";
import { planOnRouter } from "../routeros/peering-ops.js";
import { UsageError, UserError } from "./errors.js";
import { configDir, defaultPeersDir, loadPeersDirectory } from "./files.js";
import { loadIdentity, pendingOfferFile, rememberFriend, savePending, SeenNonces } from "./identity.js";
import { resolveRouter, type ResolvedRouter } from "./profiles.js";

type Write = (text: string) => void;

interface Common {
  router?: string;
  tls?: boolean;
  timeout?: string;
  json?: boolean;
  peers?: string;
}

export interface OfferFlags extends Common {
  me?: string;
  friend?: string;
  asn?: string;
  networks?: string;
  link?: string[];
  primary?: string;
  endpoint?: string[];
  name?: string;
}

export interface AcceptFlags extends Common {
  me?: string;
  asn?: string;
  networks?: string;
  wan?: string[];
  yes?: boolean;
}

async function open(flags: Common): Promise<{ client: RouterClient; resolved: ResolvedRouter }> {
  const resolved = await resolveRouter(flags.router, flags.tls);
  if (flags.timeout !== undefined) resolved.target = { ...resolved.target, timeoutMs: Number(flags.timeout) * 1000 };
  try {
    const client = await RouterClient.connect(resolved.target);
    resolved.remember(client.fingerprint);
    return { client, resolved };
  } catch (e) {
    throw e instanceof RouterError ? new UserError(e.message) : e;
  }
}

function parseAsn(text: string | undefined, peers: Peering[], me: string): number {
  if (text === undefined) throw new UsageError("--asn is required (a private ASN, e.g. 64514)");
  const asn = Number(text);
  const taken = new Map<number, string>();
  for (const p of peers) for (const [name, side] of Object.entries(p.sides)) if (name !== me) taken.set(side.asn, `${name} (peering ${p.name})`);
  const problem = asnProblem(asn, taken);
  if (problem !== null) throw new UserError(`--asn ${text}: ${problem}`);
  return asn;
}

function parseNetworks(text: string | undefined, inventory: Inventory): string[] {
  const networks = text === undefined ? inventory.lans.map((l) => l.network) : text.split(",").map((n) => n.trim());
  if (networks.length === 0) throw new UsageError("--networks is required: the prefixes you announce, e.g. 192.168.0.0/24");
  for (const n of networks) if (!isIPv4Prefix(n)) throw new UsageError(`--networks: ${n} is not an IPv4 prefix like 192.168.0.0/24`);
  return networks;
}

function routerIdOf(networks: string[], inventory: Inventory): string {
  const lan = inventory.lans.find((l) => l.network === networks[0]);
  return lan?.address.split("/")[0] ?? networks[0]!.split("/")[0]!;
}

/** Creates the WireGuard interfaces of a peering first: the router generates their keys. */
async function prepareWireGuard(client: RouterClient, resolved: ResolvedRouter, draft: Peering, side: string, inventory: Inventory): Promise<Record<string, string>> {
  const interfaces = render(draft, side, inventory.version).commands.filter((c) => c.path === "/interface/wireguard");
  const observed = { "/interface/wireguard": await client.print("/interface/wireguard") };
  const plan = planPeering(draft.name, interfaces, observed);
  if (plan.conflicts.length > 0) throw new UserError(["nothing written:", ...plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
  const result = await applyPlan(client, plan, { peering: draft.name, observed, reconnect: () => RouterClient.connect(resolved.target) });
  if (!result.ok) throw new UserError(result.message);
  const printed = await client.print("/interface/wireguard");
  const keys: Record<string, string> = {};
  for (const cmd of interfaces) {
    const key = printed.find((i) => i.name === cmd.attrs.name)?.["public-key"];
    if (key === undefined) throw new UserError(`the router did not show a public key for ${cmd.attrs.name}`);
    keys[cmd.role.replace(/^tunnel-/, "")] = key;
  }
  return keys;
}

function savePeering(friend: string, peering: Peering): string {
  const dir = defaultPeersDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${friend}.json`);
  writeFileSync(file, `${JSON.stringify(peering, null, 2)}\n`);
  return file;
}

function printBundle(write: Write, flags: Common, bundle: { text: string; fingerprint: string }, next: string): void {
  if (flags.json) return write(`${JSON.stringify({ bundle: bundle.text, fingerprint: bundle.fingerprint })}\n`);
  write(`${bundle.text}\n`);
  process.stderr.write(`fingerprint ${bundle.fingerprint} — read it to your friend; their screen must show the same\n${next}\n`);
}

// --- offer ---------------------------------------------------------------------------------------

export async function offerCommand(flags: OfferFlags, write: Write): Promise<void> {
  const me = required(flags.me, "--me <your name>");
  const friend = required(flags.friend, "--friend <their name>");
  const links = (flags.link ?? []).map((spec) => {
    const [name, kind, iface] = spec.split(":");
    if (!name || !kind || !iface) throw new UsageError(`--link ${spec}: use name:kind:interface, e.g. isp1:wireguard:ether1`);
    if (kind !== "wireguard") throw new UserError(`--link ${spec}: offers over ${kind} are not available headless yet; build the peering file and use bgpals apply (see docs/routers.md)`);
    return { name, kind: "wireguard" as const, wan: name, iface };
  });
  if (links.length === 0) throw new UsageError("at least one --link name:wireguard:interface is required");
  const primary = flags.primary ?? links[0]!.name;
  if (!links.some((l) => l.name === primary)) throw new UsageError(`--primary ${primary} is not one of the links (${links.map((l) => l.name).join(", ")})`);
  const endpoints = new Map((flags.endpoint ?? []).map((e) => e.split("=") as [string, string]));
  const identity = loadIdentity(me);
  const peers = loadPeersDirectory(flags.peers ?? defaultPeersDir());
  const asn = parseAsn(flags.asn, peers, me);

  const { client, resolved } = await open(flags);
  try {
    const inventory = await discover(client);
    if (!capabilities(inventory.version)?.wireguard) throw new UserError(`${resolved.label} runs RouterOS ${inventory.version}, which has no WireGuard: offer from the RouterOS 7 side`);
    const wans: OfferBody["side"]["wans"] = {};
    for (const l of links) {
      if (!inventory.interfaces.some((i) => i.name === l.iface)) throw new UserError(`--link ${l.name}: ${resolved.label} has no interface ${l.iface}; WAN candidates: ${inventory.wans.map((w) => w.interface).join(", ")}`);
      const endpoint = endpoints.get(l.name) ?? inventory.wans.find((w) => w.interface === l.iface)?.address?.split("/")[0] ?? (inventory.cloud.ddnsEnabled ? inventory.cloud.dnsName : undefined);
      if (endpoint === undefined) throw new UsageError(`--endpoint ${l.name}=<address or DNS name> is required: ${l.iface} has no address your friend can reach`);
      wans[l.name] = { interface: l.iface, endpoint };
    }
    const networks = parseNetworks(flags.networks, inventory);
    const proposed = proposeLinks(links, { prefixes: [...inventory.prefixesInUse, ...inventory.tunnelPrefixes.map((t) => t.prefix), ...peers.flatMap((p) => p.links.map((l) => l.subnet))], ports: inventory.portsInUse.map((p) => p.port) }, {});
    if (!proposed.ok) throw new UserError(proposed.message);
    const body: OfferBody = {
      peering: flags.name ?? `${me}-${friend}`,
      friend,
      side: { name: me, asn, routerId: routerIdOf(networks, inventory), version: inventory.version, networks, wans },
      links: proposed.links,
      policy: { mode: "bgp", primary, localPref: { primary: 200, backup: 100 }, backupPrepend: 3, maxPrefixes: 100, timers: { hold: "30s", keepalive: "10s" } },
    };
    const keys = await prepareWireGuard(client, resolved, draftPeering(body, (link) => link, "7.24"), me, inventory);
    for (const l of body.links) l.publicKey = keys[l.name]!;
    const now = Date.now();
    const bundle = encodeBundle({ identity, kind: "offer", body: body as unknown as Record<string, unknown>, now });
    const decoded = decodeBundle(bundle.text, { now });
    if (!decoded.ok) throw new Error(`own offer does not decode: ${decoded.message}`);
    savePending(friend, { nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, offer: body });
    printBundle(write, flags, bundle, `send this offer to ${friend}; when the answer comes back: bgpals complete <answer> --router ${resolved.label} --yes`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

// --- accept --------------------------------------------------------------------------------------

export async function acceptCommand(text: string, flags: AcceptFlags, write: Write): Promise<void> {
  const me = required(flags.me, "--me <your name>");
  if (!flags.yes) throw new UsageError("accept applies your side to your router: pass --yes");
  const identity = loadIdentity(me);
  const now = Date.now();
  const seen = new SeenNonces(now);
  const decoded = decodeBundle(text, { now, identity, expectedKind: "offer", seen });
  if (!decoded.ok) throw new UserError(`offer refused, nothing written: ${decoded.message}`);
  const offer = decoded.bundle.body as unknown as OfferBody;
  if (offer.friend !== me) throw new UserError(`this offer is for ${offer.friend}, not ${me}: nothing written`);
  const wanOf = new Map((flags.wan ?? []).map((w) => w.split("=") as [string, string]));
  for (const l of offer.links) if (!wanOf.has(l.name)) throw new UsageError(`--wan ${l.name}=<interface> is required: which of your WANs carries link ${l.name}`);
  const peers = loadPeersDirectory(flags.peers ?? defaultPeersDir());
  const asn = parseAsn(flags.asn, peers, me);

  const { client, resolved } = await open(flags);
  let prepared: Peering | null = null;
  try {
    const inventory = await discover(client);
    const side: OfferBody["side"] = {
      name: me,
      asn,
      routerId: "",
      version: inventory.version,
      networks: parseNetworks(flags.networks, inventory),
      wans: Object.fromEntries(offer.links.map((l) => [l.name, { interface: wanOf.get(l.name)! }])),
    };
    side.routerId = routerIdOf(side.networks, inventory);
    const linksWith = (keys: Record<string, string>) => Object.fromEntries(offer.links.map((l) => [l.name, { wan: l.name, publicKey: keys[l.name] ?? PLACEHOLDER_KEY }]));
    const draft = peeringOf(offer, { side, links: linksWith({}) });
    if (!draft.ok) throw new UserError(["offer and your choices do not make a valid peering, nothing written:", ...draft.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));
    const refusals = checkPeering({ peering: draft.peering, side: me, version: inventory.version, others: peers, router: { interfaces: inventory.interfaces.map((i) => i.name), prefixesInUse: inventory.prefixesInUse } });
    if (refusals.length > 0) throw new UserError(["refused, nothing written:", ...refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));

    prepared = draft.peering;
    const keys = await prepareWireGuard(client, resolved, draft.peering, me, inventory);
    const full = peeringOf(offer, { side, links: linksWith(keys) });
    if (!full.ok) throw new Error(`peering with real keys does not validate: ${JSON.stringify(full.problems)}`);
    const planned = await planOnRouter(client, { peering: full.peering, side: me, others: peers });
    if (planned.refusals.length > 0) throw new UserError(["refused:", ...planned.refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
    const result = await applyPlan(client, planned.plan, { peering: full.peering.name, observed: planned.observed, reconnect: () => RouterClient.connect(resolved.target) });
    if (!result.ok) throw new UserError(result.message);
    prepared = null;
    const file = savePeering(decoded.bundle.from.name, full.peering);
    seen.remember(decoded.bundle.nonce, decoded.bundle.expiresAt);
    rememberFriend(decoded.bundle.from);
    const answer: AnswerBody = { offer: decoded.bundle.nonce, side, links: linksWith(keys) };
    const bundle = encodeBundle({ identity, kind: "answer", body: answer as unknown as Record<string, unknown>, recipient: { name: decoded.bundle.from.name, boxKey: decoded.bundle.from.boxKey }, now });
    process.stderr.write(`applied your side (${result.applied} changes) and saved ${file}\noffer fingerprint was ${decoded.fingerprint}\n`);
    printBundle(write, flags, bundle, `send this answer to ${decoded.bundle.from.name}`);
  } catch (e) {
    // Nothing half-written: the interfaces made to learn keys go if the rest did not happen.
    if (prepared !== null) await removePeeringObjects(client, resolved, prepared).catch(() => undefined);
    throw e instanceof RouterError ? new UserError(e.message) : e;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function removePeeringObjects(client: RouterClient, resolved: ResolvedRouter, peering: Peering): Promise<void> {
  const observed = { "/interface/wireguard": await client.print("/interface/wireguard") };
  const plan = planPeering(peering.name, [], observed);
  await applyPlan(client, plan, { peering: peering.name, observed, reconnect: () => RouterClient.connect(resolved.target) });
}

// --- complete ------------------------------------------------------------------------------------

export async function completeCommand(text: string, flags: Common & { me?: string; yes?: boolean }, write: Write): Promise<void> {
  if (!flags.yes) throw new UsageError("complete applies your side to your router: pass --yes");
  const identityFile = join(configDir(), "identity.json");
  if (!existsSync(identityFile)) throw new UserError("no identity here: complete runs where the offer was made (bgpals offer created the identity)");
  const me = flags.me ?? (JSON.parse(readFileSync(identityFile, "utf8")) as { name: string }).name;
  const identity = loadIdentity(me);
  const now = Date.now();
  const seen = new SeenNonces(now);
  const decoded = decodeBundle(text, { now, identity, expectedKind: "answer", seen });
  if (!decoded.ok) throw new UserError(`answer refused, nothing written: ${decoded.message}`);
  const friend = decoded.bundle.from.name;
  const pendingFile = pendingOfferFile(friend);
  if (!existsSync(pendingFile)) throw new UserError(`no offer to ${friend} is waiting here: nothing written (was it made from another computer or config directory?)`);
  const pending = JSON.parse(readFileSync(pendingFile, "utf8")) as { nonce: string; offer: OfferBody };
  const answer = decoded.bundle.body as unknown as AnswerBody;
  if (answer.offer !== pending.nonce) throw new UserError(`this answer is for another offer than the one waiting for ${friend}: nothing written; ask ${friend} to accept your latest offer`);
  const full = peeringOf(pending.offer, answer);
  if (!full.ok) throw new UserError(["the answer does not make a valid peering, nothing written:", ...full.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));

  const { client, resolved } = await open(flags);
  try {
    const peers = loadPeersDirectory(flags.peers ?? defaultPeersDir(), full.peering.name);
    const planned = await planOnRouter(client, { peering: full.peering, side: me, others: peers });
    if (planned.refusals.length > 0) throw new UserError(["refused, nothing written:", ...planned.refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
    const result = await applyPlan(client, planned.plan, { peering: full.peering.name, observed: planned.observed, reconnect: () => RouterClient.connect(resolved.target) });
    if (!result.ok) throw new UserError(result.message);
    const file = savePeering(friend, full.peering);
    seen.remember(decoded.bundle.nonce, decoded.bundle.expiresAt);
    rememberFriend(decoded.bundle.from);
    rmSync(pendingFile, { force: true });
    if (flags.json) write(`${JSON.stringify({ peering: full.peering.name, friend, applied: result.applied, file, fingerprint: decoded.fingerprint })}\n`);
    else write(`peering ${full.peering.name} with ${friend} complete: applied ${result.applied} changes on ${resolved.label}, saved ${file}\nanswer fingerprint ${decoded.fingerprint}\n`);
  } catch (e) {
    throw e instanceof RouterError ? new UserError(e.message) : e;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

