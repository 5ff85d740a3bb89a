// The peering wizard's operations, shared by the headless commands (offer, accept, complete) and
// the screens: each step reads or prepares what it must on the operator's own router and returns
// plain data; bundles carry the rest to the friend. Nothing is left half-written: a step that
// fails undoes what it created.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { asnProblem } from "../core/asn.js";
import { decodeBundle, encodeBundle, type Identity, type PublicIdentity } from "../core/bundle.js";
import { checkPeering } from "../core/checks.js";
import { isIPv4Prefix } from "../core/ipv4.js";
import { draftPeering, peeringOf, PLACEHOLDER_KEY, proposeLinks, type AnswerBody, type OfferBody } from "../core/offer.js";
import type { Peering } from "../core/peering.js";
import { planPeering, type Observed, type Plan } from "../core/plan.js";
import { render } from "../core/render.js";
import { capabilities } from "../core/version.js";
import { UserError } from "../cli/errors.js";
import { loadIdentity, pendingOfferFile, rememberFriend, savePending, SeenNonces } from "../cli/identity.js";
import { applyPlan, type ApplyEvent } from "../routeros/apply.js";
import { discover, type Inventory } from "../routeros/discovery.js";
import { RouterError } from "../routeros/errors.js";
import { planOnRouter } from "../routeros/peering-ops.js";
import { peersOf, savePeering, type RouterConnection, type Workspace } from "./workspace.js";

export interface FlowHooks {
  /** A slow step starts ("creating the WireGuard interfaces on alice"). */
  onStep?: (message: string) => void;
  onApply?: (event: ApplyEvent) => void;
  now?: () => number;
}

export interface Bundled {
  text: string;
  fingerprint: string;
}

const clock = (hooks: FlowHooks) => (hooks.now ?? Date.now)();

/** Router errors are expected errors: the screen and the command say what happened. */
async function expected<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw e instanceof RouterError ? new UserError(e.message) : e;
  }
}

// --- choices, checked -------------------------------------------------------------------------

/** An ASN for `me`, or why not: private range, not ours elsewhere, not a friend's. */
export function asnChoiceProblem(asn: number, peers: readonly Peering[], me: string): string | null {
  const taken = new Map<number, string>();
  for (const p of peers) for (const [name, side] of Object.entries(p.sides)) if (name !== me) taken.set(side.asn, `${name} (peering ${p.name})`);
  return asnProblem(asn, taken);
}

/** A free private ASN to suggest: 64512 + something not taken by anyone we know. */
export function suggestAsn(peers: readonly Peering[], me: string, inventory?: Inventory): number {
  const own = inventory?.bgp.asns.find((a) => asnChoiceProblem(a, peers, me) === null);
  if (own !== undefined) return own;
  for (let asn = 64512; asn <= 65534; asn++) if (asnChoiceProblem(asn, peers, me) === null) return asn;
  return 4200000000;
}

/** "a, b" → prefixes, or the problem with the first bad one. */
export function parseNetworkList(text: string): { ok: true; networks: string[] } | { ok: false; message: string } {
  const networks = text.split(/[\s,]+/).filter((n) => n !== "");
  if (networks.length === 0) return { ok: false, message: "at least one network to announce, e.g. 192.168.0.0/24" };
  const bad = networks.find((n) => !isIPv4Prefix(n));
  if (bad !== undefined) return { ok: false, message: `${bad} is not an IPv4 prefix like 192.168.0.0/24` };
  return { ok: true, networks };
}

function routerIdOf(networks: string[], inventory: Inventory): string {
  const lan = inventory.lans.find((l) => l.network === networks[0]);
  return lan?.address.split("/")[0] ?? networks[0]!.split("/")[0]!;
}

// --- preparing WireGuard keys --------------------------------------------------------------------

/** Creates the WireGuard interfaces of a peering first: the router generates their keys. */
async function prepareWireGuard(router: RouterConnection, draft: Peering, side: string, inventory: Inventory, hooks: FlowHooks): Promise<Record<string, string>> {
  const interfaces = render(draft, side, inventory.version).commands.filter((c) => c.path === "/interface/wireguard");
  if (interfaces.length === 0) return {};
  hooks.onStep?.(`creating ${interfaces.length} WireGuard interface${interfaces.length > 1 ? "s" : ""} on ${router.label} to learn their public keys`);
  const observed = { "/interface/wireguard": await router.client.print("/interface/wireguard") };
  const plan = planPeering(draft.name, interfaces, observed);
  if (plan.conflicts.length > 0) throw new UserError(["nothing written:", ...plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
  const result = await applyPlan(router.client, plan, { peering: draft.name, observed, reconnect: router.reconnect, onEvent: hooks.onApply });
  if (!result.ok) throw new UserError(result.message);
  const printed = await router.client.print("/interface/wireguard");
  const keys: Record<string, string> = {};
  for (const cmd of interfaces) {
    const key = printed.find((i) => i.name === cmd.attrs.name)?.["public-key"];
    if (key === undefined) throw new UserError(`the router did not show a public key for ${cmd.attrs.name}`);
    keys[cmd.role.replace(/^tunnel-/, "")] = key;
  }
  return keys;
}

/** Removes every object of a peering this side created (used when a prepared step is abandoned). */
export async function discardPrepared(router: RouterConnection, peering: string): Promise<void> {
  const observed = { "/interface/wireguard": await router.client.print("/interface/wireguard") };
  const plan = planPeering(peering, [], observed);
  if (plan.changes.length === 0) return;
  const result = await applyPlan(router.client, plan, { peering, observed, reconnect: router.reconnect });
  if (!result.ok) throw new UserError(`could not remove the prepared interfaces of ${peering}: ${result.message}`);
}

// --- offer (operator A) --------------------------------------------------------------------------

export interface OfferLinkChoice {
  name: string;
  kind: "wireguard";
  /** The WAN interface on the offerer's router. */
  iface: string;
  /** Address or DNS name the friend dials; found from the WAN or IP Cloud when absent. */
  endpoint?: string;
}

export interface OfferRequest {
  me: string;
  friend: string;
  asn: number;
  networks: string[];
  links: OfferLinkChoice[];
  primary: string;
  peeringName?: string;
}

export interface OfferMade {
  bundle: Bundled;
  offer: OfferBody;
}

/** Where the friend reaches a WAN: its address, else the IP Cloud name, else null. */
export function endpointOf(inventory: Inventory, iface: string): string | null {
  return inventory.wans.find((w) => w.interface === iface)?.address?.split("/")[0] ?? (inventory.cloud.ddnsEnabled ? (inventory.cloud.dnsName ?? null) : null);
}

export async function makeOffer(router: RouterConnection, ws: Workspace, request: OfferRequest, hooks: FlowHooks = {}, known?: Inventory): Promise<OfferMade> {
  const identity = loadIdentity(request.me, ws.home);
  const peers = peersOf(ws);
  const asnProblemText = asnChoiceProblem(request.asn, peers, request.me);
  if (asnProblemText !== null) throw new UserError(`ASN ${request.asn}: ${asnProblemText}`);
  if (request.links.length === 0) throw new UserError("an offer needs at least one link");
  if (!request.links.some((l) => l.name === request.primary)) throw new UserError(`the primary link ${request.primary} is not one of the links (${request.links.map((l) => l.name).join(", ")})`);
  if (request.friend === request.me) throw new UserError("your friend needs another name than yours");
  return expected(async () => {
    const inventory = known ?? (await discover(router.client));
    if (!capabilities(inventory.version)?.wireguard) throw new UserError(`${router.label} runs RouterOS ${inventory.version}, which has no WireGuard: offer from the RouterOS 7 side`);
    const wans: OfferBody["side"]["wans"] = {};
    for (const l of request.links) {
      if (!inventory.interfaces.some((i) => i.name === l.iface)) throw new UserError(`link ${l.name}: ${router.label} has no interface ${l.iface}; WAN candidates: ${inventory.wans.map((w) => w.interface).join(", ")}`);
      const endpoint = l.endpoint ?? endpointOf(inventory, l.iface);
      if (endpoint === null) throw new UserError(`link ${l.name}: ${l.iface} has no address your friend can reach; give the endpoint (an address or DNS name)`);
      wans[l.name] = { interface: l.iface, endpoint };
    }
    const proposed = proposeLinks(
      request.links.map((l) => ({ name: l.name, kind: l.kind, wan: l.name })),
      { prefixes: [...inventory.prefixesInUse, ...inventory.tunnelPrefixes.map((t) => t.prefix), ...peers.flatMap((p) => p.links.map((l) => l.subnet))], ports: inventory.portsInUse.map((p) => p.port) },
      {},
    );
    if (!proposed.ok) throw new UserError(proposed.message);
    const offer: OfferBody = {
      peering: request.peeringName ?? `${request.me}-${request.friend}`,
      friend: request.friend,
      side: { name: request.me, asn: request.asn, routerId: routerIdOf(request.networks, inventory), version: inventory.version, networks: request.networks, wans },
      links: proposed.links,
      policy: { mode: "bgp", primary: request.primary, localPref: { primary: 200, backup: 100 }, backupPrepend: 3, maxPrefixes: 100, timers: { hold: "30s", keepalive: "10s" } },
    };
    const keys = await prepareWireGuard(router, draftPeering(offer, (link) => link, "7.24"), request.me, inventory, hooks);
    for (const l of offer.links) l.publicKey = keys[l.name]!;
    const now = clock(hooks);
    const bundle = encodeBundle({ identity, kind: "offer", body: offer as unknown as Record<string, unknown>, now });
    const decoded = decodeBundle(bundle.text, { now });
    if (!decoded.ok) throw new Error(`own offer does not decode: ${decoded.message}`);
    savePending(request.friend, { nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, offer }, ws.home);
    return { bundle, offer };
  });
}

// --- accept (operator B) -------------------------------------------------------------------------

export interface OpenedOffer {
  offer: OfferBody;
  /** The sender's public keys: kept once the offer is used, to check their later bundles. */
  sender: PublicIdentity;
  from: string;
  fromBoxKey: string;
  fingerprint: string;
  nonce: string;
  expiresAt: number;
  identity: Identity;
}

/** Verifies an offer for `me`; refuses tampered, truncated, expired, replayed or misaddressed ones. */
export function openOffer(text: string, ws: Workspace, me: string, now = Date.now()): OpenedOffer {
  const identity = loadIdentity(me, ws.home);
  const decoded = decodeBundle(text.replace(/\s+/g, ""), { now, identity, expectedKind: "offer", seen: new SeenNonces(now, ws.home) });
  if (!decoded.ok) throw new UserError(`offer refused, nothing written: ${decoded.message}`);
  const offer = decoded.bundle.body as unknown as OfferBody;
  if (offer.friend !== me) throw new UserError(`this offer is for ${offer.friend}, not ${me}: nothing written`);
  return { offer, sender: decoded.bundle.from, from: decoded.bundle.from.name, fromBoxKey: decoded.bundle.from.boxKey, fingerprint: decoded.fingerprint, nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, identity };
}

export interface AcceptChoices {
  asn: number;
  networks: string[];
  /** Per link of the offer: which of my WAN interfaces carries it. */
  wans: Record<string, string>;
}

/** A side made ready to apply: interfaces exist (keys known), the plan is computed, nothing else written. */
export interface Prepared {
  peering: Peering;
  side: string;
  plan: Plan;
  observed: Observed;
  version: string;
  answer?: AnswerBody;
}

export async function prepareAccept(router: RouterConnection, ws: Workspace, opened: OpenedOffer, choices: AcceptChoices, hooks: FlowHooks = {}, known?: Inventory): Promise<Prepared> {
  const { offer } = opened;
  const me = opened.identity.name;
  const peers = peersOf(ws);
  const asnProblemText = asnChoiceProblem(choices.asn, peers, me);
  if (asnProblemText !== null) throw new UserError(`ASN ${choices.asn}: ${asnProblemText}`);
  for (const l of offer.links) if (choices.wans[l.name] === undefined) throw new UserError(`choose which of your WANs carries link ${l.name}`);
  let created: string | null = null;
  return expected(async () => {
    try {
      const inventory = known ?? (await discover(router.client));
      const side: OfferBody["side"] = {
        name: me,
        asn: choices.asn,
        routerId: routerIdOf(choices.networks, inventory),
        version: inventory.version,
        networks: choices.networks,
        wans: Object.fromEntries(offer.links.map((l) => [l.name, { interface: choices.wans[l.name]! }])),
      };
      const linksWith = (keys: Record<string, string>) => Object.fromEntries(offer.links.map((l) => [l.name, { wan: l.name, publicKey: keys[l.name] ?? PLACEHOLDER_KEY }]));
      const draft = peeringOf(offer, { side, links: linksWith({}) });
      if (!draft.ok) throw new UserError(["the offer and your choices do not make a valid peering, nothing written:", ...draft.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));
      const refusals = checkPeering({ peering: draft.peering, side: me, version: inventory.version, others: peers, router: { interfaces: inventory.interfaces.map((i) => i.name), prefixesInUse: inventory.prefixesInUse } });
      if (refusals.length > 0) throw new UserError(["refused, nothing written:", ...refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));

      created = draft.peering.name;
      const keys = await prepareWireGuard(router, draft.peering, me, inventory, hooks);
      const full = peeringOf(offer, { side, links: linksWith(keys) });
      if (!full.ok) throw new Error(`peering with real keys does not validate: ${JSON.stringify(full.problems)}`);
      hooks.onStep?.(`planning ${full.peering.name} on ${router.label}`);
      const planned = await planOnRouter(router.client, { peering: full.peering, side: me, others: peers });
      if (planned.refusals.length > 0) throw new UserError(["refused:", ...planned.refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
      if (planned.plan.conflicts.length > 0) throw new UserError(["nothing written:", ...planned.plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
      return { peering: full.peering, side: me, plan: planned.plan, observed: planned.observed, version: planned.version, answer: { offer: opened.nonce, side, links: linksWith(keys) } };
    } catch (e) {
      // The interfaces made to learn keys go if the rest will not happen.
      if (created !== null) await discardPrepared(router, created).catch(() => undefined);
      throw e;
    }
  });
}

/** Applies a prepared side; a failure is undone on the router and reported as an expected error. */
export async function applyPrepared(router: RouterConnection, prepared: Prepared, hooks: FlowHooks = {}): Promise<number> {
  return expected(async () => {
    const result = await applyPlan(router.client, prepared.plan, { peering: prepared.peering.name, observed: prepared.observed, reconnect: router.reconnect, onEvent: hooks.onApply });
    if (!result.ok) throw new UserError(result.message);
    return result.applied;
  });
}

export interface Accepted {
  answer: Bundled;
  file: string;
}

/** After the apply: keep the peering, spend the offer, and sign the answer for the friend. */
export function finishAccept(ws: Workspace, opened: OpenedOffer, prepared: Prepared, now = Date.now()): Accepted {
  if (prepared.answer === undefined) throw new Error("finishAccept needs a side prepared by prepareAccept");
  const file = savePeering(ws, opened.from, prepared.peering);
  new SeenNonces(now, ws.home).remember(opened.nonce, opened.expiresAt);
  rememberFriend(opened.sender, ws.home);
  const answer = encodeBundle({ identity: opened.identity, kind: "answer", body: prepared.answer as unknown as Record<string, unknown>, recipient: { name: opened.from, boxKey: opened.fromBoxKey }, now });
  return { answer, file };
}

// --- complete (operator A) -----------------------------------------------------------------------

export interface OpenedAnswer {
  peering: Peering;
  sender: PublicIdentity;
  friend: string;
  fingerprint: string;
  nonce: string;
  expiresAt: number;
  pendingFile: string;
}

/** Verifies an answer against the offer waiting for that friend; writes nothing. */
export function openAnswer(text: string, ws: Workspace, me: string, now = Date.now()): OpenedAnswer {
  const identity = loadIdentity(me, ws.home);
  const decoded = decodeBundle(text.replace(/\s+/g, ""), { now, identity, expectedKind: "answer", seen: new SeenNonces(now, ws.home) });
  if (!decoded.ok) throw new UserError(`answer refused, nothing written: ${decoded.message}`);
  const friend = decoded.bundle.from.name;
  const pendingFile = pendingOfferFile(friend, ws.home);
  if (!existsSync(pendingFile)) throw new UserError(`no offer to ${friend} is waiting here: nothing written (was it made from another computer or config directory?)`);
  const pending = JSON.parse(readFileSync(pendingFile, "utf8")) as { nonce: string; offer: OfferBody };
  const answer = decoded.bundle.body as unknown as AnswerBody;
  if (answer.offer !== pending.nonce) throw new UserError(`this answer is for another offer than the one waiting for ${friend}: nothing written; ask ${friend} to accept your latest offer`);
  const full = peeringOf(pending.offer, answer);
  if (!full.ok) throw new UserError(["the answer does not make a valid peering, nothing written:", ...full.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));
  return { peering: full.peering, sender: decoded.bundle.from, friend, fingerprint: decoded.fingerprint, nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, pendingFile };
}

/** Plans a peering from a file or an answer for this side; refusals and conflicts stop here. */
export async function preparePeering(router: RouterConnection, ws: Workspace, peering: Peering, side: string, options: { remove?: boolean; hooks?: FlowHooks } = {}): Promise<Prepared> {
  return expected(async () => {
    options.hooks?.onStep?.(`planning ${peering.name} on ${router.label}`);
    const planned = await planOnRouter(router.client, { peering, side, others: peersOf(ws, peering.name), remove: options.remove });
    if (planned.refusals.length > 0) throw new UserError(["refused, nothing written:", ...planned.refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
    if (planned.plan.conflicts.length > 0) throw new UserError(["nothing written:", ...planned.plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
    return { peering, side, plan: planned.plan, observed: planned.observed, version: planned.version };
  });
}

export function finishComplete(ws: Workspace, opened: OpenedAnswer, now = Date.now()): string {
  const file = savePeering(ws, opened.friend, opened.peering);
  new SeenNonces(now, ws.home).remember(opened.nonce, opened.expiresAt);
  rememberFriend(opened.sender, ws.home);
  rmSync(opened.pendingFile, { force: true });
  return file;
}
