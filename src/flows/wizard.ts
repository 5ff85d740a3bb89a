// The peering wizard's operations, shared by the headless commands (offer, accept, complete) and
// the screens: each step reads or prepares what it must on the operator's own router and returns
// plain data; bundles carry the rest to the friend. Nothing is left half-written: a step that
// fails undoes what it created.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { asnChoiceProblem, suggestAsnFor } from "../core/asn.js";
import { decodeBundle, encodeBundle, type Identity, type PublicIdentity } from "../core/bundle.js";
import { checkFriendInput, checkFriendPrefixes, checkPeering, ownNetworksProblems, type Refusal } from "../core/checks.js";
import { behindNat, isIPv4Prefix } from "../core/ipv4.js";
import { LINK_KINDS } from "../core/links/index.js";
import { answerSecret, answerShapeProblem, draftPeering, offerShapeProblem, parseApiEndpoint, peeringOf, PLACEHOLDER_KEY, proposeLinks, type AnswerBody, type CaCertificateBody, type MonitorGrant, type OfferBody } from "../core/offer.js";
import { jsonPath, nameProblem, type Peering } from "../core/peering.js";
import { findInvisible, invisibleMessage } from "../core/text.js";
import type { Plan } from "../core/plan.js";
import { UserError } from "../errors.js";
import type { ApplyEvent, Inventory, LinkSecrets, Router } from "../platforms/platform.js";
import { grantedMonitorPassword, saveFriendMonitorAccount, saveGrantedMonitorPassword, savePppPasswords, type KeptIn } from "../store/friends.js";
import { peekIdentity, pendingOfferFile, rememberFriend, saveIdentity, savePending, SeenNonces } from "../store/identity.js";
import { keepBundle, keptBundles, setKeptState } from "../store/mailbox.js";
import { acceptedPublic, forgetAcceptedPublic, friendNameTaken, peersOf, rememberAcceptedPublic, savePeering, takenMessage, type Workspace } from "../store/workspace.js";
import { normalizeFingerprint, pemFingerprint, pemIsAuthority } from "../core/certificates.js";

export { asnChoiceProblem };

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

/** A password bgpals chooses (PPP, monitor account): 24 characters RouterOS takes in any field. */
function randomPassword(): string {
  return randomBytes(18).toString("base64url");
}

// What bgpals itself makes (24 base64url characters); a friend's tool may choose longer ones.
const PASSWORD = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * Secrets a step carries to the next one (PPP passwords, monitor passwords). Kept as a
 * non-enumerable property, so printing or serialising the step's result shows none of them;
 * pass the same object on (a spread copy drops them).
 */
export interface FlowSecrets {
  /** PPP password per OpenVPN link. */
  pppPassword: Record<string, string>;
  /** The answer's sealed secrets (accept side). */
  bundle?: Record<string, string>;
  /** Password of the account our friend granted us (kept at finish). */
  friendMonitorPassword?: string;
  /** Password for the account we grant (complete side: the friend chose it). */
  grantedMonitorPassword?: string;
}

function attachSecrets<T extends object>(target: T, secrets: FlowSecrets): T {
  Object.defineProperty(target, "secrets", { value: secrets, enumerable: false, writable: false });
  return target;
}

function secretsOf(target: object): FlowSecrets | undefined {
  return (target as { secrets?: FlowSecrets }).secrets;
}

// --- what a friend sent, checked before anything is written -------------------------------------

/** What the user of this side says about a friend's bundle, as flags or on a screen. */
export interface FriendInputOptions {
  /**
   * Prefixes outside private space the user confirms the friend may send (`--accept-public`).
   * Only this side's user gives them: nothing in a bundle or a peering file can.
   */
  acceptPublic?: readonly string[];
  /** Replace a kept peering or friend key of the same name (`--replace`). */
  replace?: boolean;
}

function refusalLines(head: string, refusals: readonly Refusal[]): string {
  return [head, ...refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n");
}

/** Text in a bundle that reads like something else: refused wherever it is. */
function invisibleProblem(body: unknown, what: string): string | null {
  const found = findInvisible(body);
  if (found.length === 0) return null;
  return [`${what} refused, nothing written: it carries text that is not what it seems`, ...found.slice(0, 5).map((f) => `  ${what}.${jsonPath(f.path)}: ${invisibleMessage(f)}`)].join("\n");
}

/** The sender of a bundle names a side of the peering and the friend's files: the peering-name alphabet only. */
function senderProblem(sender: string, side: unknown, what: string): string | null {
  const problem = nameProblem(sender);
  if (problem !== null) return `${what} refused, nothing written: it is signed by ${JSON.stringify(sender)}, which cannot name a friend here (${problem})`;
  if (side !== sender) return `${what} refused, nothing written: it is signed by ${sender} but speaks for ${typeof side === "string" ? side : "no one"}: a bundle speaks for its sender only`;
  return null;
}

/** The confirmed public prefixes for a friend: the flags, and what this user confirmed before for that peering. */
function acceptPublicFor(ws: Workspace, peering: string, friend: string, options: FriendInputOptions, replacing: boolean): string[] {
  // A friend replaced by another identity does not inherit what the user confirmed for the old one.
  const saved = replacing ? [] : acceptedPublic(ws, peering, friend);
  return [...new Set([...(options.acceptPublic ?? []), ...saved])];
}

/**
 * A bundle as pasted or read from a file: chat windows wrap it and add line breaks, spaces or a
 * trailing newline; none of that is part of it (bgpals1: text is base64url).
 */
export function bundleText(text: string): string {
  return text.replace(/\s+/g, "");
}

// --- choices, checked -------------------------------------------------------------------------

/** A free private ASN to suggest: the router's own where it is free, else the first no friend uses. */
export function suggestAsn(peers: readonly Peering[], me: string, inventory?: Inventory): number {
  return suggestAsnFor(peers, me, inventory?.bgp.asns);
}

/** "a, b" → prefixes, or the problem with the first bad one. */
export function parseNetworkList(text: string): { ok: true; networks: string[] } | { ok: false; message: string } {
  const networks = text.split(/[\s,]+/).filter((n) => n !== "");
  if (networks.length === 0) return { ok: false, message: "at least one network to announce, e.g. 192.168.0.0/24" };
  const bad = networks.find((n) => !isIPv4Prefix(n));
  if (bad !== undefined) return { ok: false, message: `${bad} is not an IPv4 prefix like 192.168.0.0/24` };
  return { ok: true, networks };
}

/**
 * Why the networks this side means to announce cannot be, in one line (null: fine), against what is
 * known when they are typed: our WAN addresses and tunnel prefixes, and on accept the offer's.
 */
export function networksProblem(me: string, networks: readonly string[], inventory: Inventory, offer?: OfferBody): string | null {
  const problems = ownNetworksProblems(me, networks, {
    wans: inventory.wans.flatMap((w) => (w.address === undefined ? [] : [{ interface: w.interface, address: w.address }])),
    tunnelSubnets: [...inventory.tunnelPrefixes.map((t) => t.prefix), ...(offer?.links.map((l) => l.subnet) ?? [])],
    friend: offer === undefined ? undefined : { name: offer.side.name, networks: offer.side.networks },
  });
  return problems.length === 0 ? null : problems.join("; ");
}

/** Why a link kind cannot run on this router's version (null: it can), said as the router's. */
export function linkKindProblem(router: Router, version: string, kind: OfferLinkChoice["kind"], me: string): string | null {
  return linksUnsupported(router, version, [{ name: "isp1", kind }], me);
}

function routerIdOf(networks: string[], inventory: Inventory): string {
  const lan = inventory.lans.find((l) => l.network === networks[0]);
  return lan?.address.split("/")[0] ?? networks[0]!.split("/")[0]!;
}

// --- preparing what the friend needs from this router ------------------------------------------

/** The tunnels whose keys the router makes: their public keys by link (the private keys stay there). */
async function prepareLinks(router: Router, draft: Peering, side: string, hooks: FlowHooks): Promise<Record<string, string>> {
  const keyed = draft.links.filter((l) => LINK_KINDS[l.kind].keysOnRouter);
  if (keyed.length === 0) return {};
  const kinds = [...new Set(keyed.map((l) => LINK_KINDS[l.kind].title))].join(" and ");
  hooks.onStep?.(`creating ${keyed.length} ${kinds} interface${keyed.length > 1 ? "s" : ""} on ${router.label} to learn their public keys`);
  return router.prepareLinks(draft, side, { onApply: hooks.onApply });
}

/** Removes every object of a peering this side prepared (used when a prepared step is abandoned). */
export async function discardPrepared(router: Router, peering: string): Promise<void> {
  await router.discardPrepared(peering, "all");
}

/** The OpenVPN CA and the server (offerer) or client (accepting side) certificate, made on the router. */
async function prepareCertificates(router: Router, peering: string, role: "server" | "client", hooks: FlowHooks, serverNames: readonly string[] = []): Promise<CaCertificateBody> {
  hooks.onStep?.(`creating the OpenVPN CA and ${role} certificate on ${router.label} (their keys stay on the router)`);
  return router.makeCertificates(peering, role, serverNames);
}

async function importFriendCa(router: Router, peering: string, friend: string, ca: CaCertificateBody, hooks: FlowHooks): Promise<void> {
  hooks.onStep?.(`putting ${friend}'s OpenVPN CA certificate on ${router.label}`);
  await router.importFriendCa(peering, ca);
}

async function grantMonitorAccount(router: Router, peering: string, friend: string, password: string, hooks: FlowHooks): Promise<void> {
  hooks.onStep?.(`creating a read-only account for ${friend}'s monitor on ${router.label}`);
  await router.grantMonitorAccount(peering, friend, password, { onApply: hooks.onApply });
}

/** Refused before anything is written when this router's platform cannot grant the account yet. */
function refuseMonitorAccount(router: Router): void {
  const unsupported = router.platform.monitorAccountUnsupported;
  if (unsupported !== undefined) throw new UserError(`${router.label}: ${unsupported}; nothing written`);
}

function monitorApi(router: Router, given: string | undefined, tunnelAddress: string): string {
  return given ?? `${tunnelAddress}:${router.platform.apiPort}`;
}

// --- offer (operator A) --------------------------------------------------------------------------

export interface OfferLinkChoice {
  name: string;
  /** WireGuard (RouterOS 7 on both sides) or OpenVPN (where one side runs RouterOS 6: S4). */
  kind: "wireguard" | "ovpn";
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
  /** Replace a peering already kept with a friend of that name (`--replace`). */
  replace?: boolean;
  /** Grant the friend's monitor a read-only account on this router (made at complete). */
  monitorAccount?: boolean;
  /** host:port where the friend's monitor reaches this router's API; default: our tunnel address on the primary link, port 8728. */
  monitorApi?: string;
}

export interface OfferMade {
  bundle: Bundled;
  offer: OfferBody;
}

/** Where the friend reaches a WAN, found on the router, or why it cannot be (the user then gives it). */
export type EndpointFinding = { endpoint: string; from: "address" | "ip-cloud" } | { problem: string };

/**
 * Where the friend reaches a WAN: its address when that is public and static; IP Cloud's name for
 * the WAN whose address the cloud sees (one WAN only: the name follows one public address), unless
 * `cloudTaken` (another link has it). A NATed address (RFC 1918, CGNAT) or a dynamic one without
 * that name is a problem: the friend could not reach it, or not for long.
 */
export function findEndpoint(inventory: Inventory, iface: string, cloudTaken = false): EndpointFinding {
  const wan = inventory.wans.find((w) => w.interface === iface);
  const address = wan?.address?.split("/")[0];
  const { cloud } = inventory;
  const cloudName = cloud.ddnsEnabled && cloud.dnsName !== undefined && cloud.publicAddress !== undefined && cloud.publicAddress === address ? cloud.dnsName : undefined;
  // A Linux host's WANs are the interfaces of its default routes: another one is not known as a WAN.
  if (wan === undefined) return { problem: `${iface} is not one of the WANs found here (${inventory.wans.map((w) => w.interface).join(", ") || "none"}), so bgpals does not know the address your friend would dial` };
  if (address === undefined) return { problem: `${iface} has no address now, so there is nothing your friend could dial` };
  const nat = behindNat(address);
  if (nat !== null) {
    return { problem: `${iface}'s address ${address} is in ${nat.what} (${nat.prefix}): your friend's router can never reach it from the internet (a NAT sits in between); give the public address or DNS name your friend dials, with the port forwarded to this router` };
  }
  if (wan?.dynamic === undefined) return { endpoint: address, from: "address" };
  if (cloudName !== undefined && !cloudTaken) return { endpoint: cloudName, from: "ip-cloud" };
  const cloudNote = cloud.none
    ? "a dynamic DNS client on the host (ddclient, or your DNS provider's) can keep one up to date"
    : cloudName !== undefined
    ? `IP Cloud's name ${cloudName} already names another link: it follows one public address, so it cannot name two`
    : cloud.ddnsEnabled
      ? `IP Cloud's name follows ${cloud.publicAddress ?? "another address"} (the WAN with your default route), not ${iface}`
      : "IP Cloud's DDNS (/ip cloud set ddns-enabled=yes) can name the one WAN that carries your default route";
  return { problem: `${iface}'s address ${address} is dynamic (${wan.dynamic}): it changes whenever your ISP says so and your friend would lose you; give a DNS name that follows it (${cloudNote})` };
}

/** Why this router cannot carry these links (its platform's features), or null. */
function linksUnsupported(router: Router, version: string, links: readonly { name: string; kind: OfferLinkChoice["kind"] }[], me: string): string | null {
  const features = router.platform.featuresOf({ os: router.platform.os, version });
  if ("unsupported" in features) return `${router.label}: ${features.unsupported}`;
  for (const l of links) {
    const problem = LINK_KINDS[l.kind].unsupported({ name: l.name, kind: l.kind, listener: me, port: 0 }, me, features);
    if (problem !== null) return `${router.label}: ${problem.message}`;
  }
  return null;
}

export async function makeOffer(router: Router, ws: Workspace, request: OfferRequest, hooks: FlowHooks = {}, known?: Inventory): Promise<OfferMade> {
  // Names become file names, object names and comment tags: checked before anything else.
  const peeringName = request.peeringName ?? `${request.me}-${request.friend}`;
  for (const [what, name] of [["your name", request.me], ["your friend's name", request.friend], [request.peeringName === undefined ? "the peering name (your names joined; choose one with --name)" : "the peering name", peeringName]] as const) {
    const problem = nameProblem(name);
    if (problem !== null) throw new UserError(`${what} ${JSON.stringify(name)}: ${problem}`);
  }
  const taken = friendNameTaken(ws, request.friend);
  if (taken !== null && !request.replace) throw new UserError(`nothing written: ${takenMessage(taken)}`);
  if (request.monitorAccount) refuseMonitorAccount(router);
  // Written only once the offer is made: a refusal below leaves no identity behind.
  const { identity, saved } = peekIdentity(request.me, ws.home);
  const peers = peersOf(ws);
  const asnProblemText = asnChoiceProblem(request.asn, peers, request.me);
  if (asnProblemText !== null) throw new UserError(`ASN ${request.asn}: ${asnProblemText}`);
  if (request.links.length === 0) throw new UserError("an offer needs at least one link");
  if (!request.links.some((l) => l.name === request.primary)) throw new UserError(`the primary link ${request.primary} is not one of the links (${request.links.map((l) => l.name).join(", ")})`);
  if (request.friend === request.me) throw new UserError("your friend needs another name than yours");
  {
    const inventory = known ?? (await router.discover());
    const unsupported = linksUnsupported(router, inventory.version, request.links, request.me);
    if (unsupported !== null) throw new UserError(unsupported);
    const networks = networksProblem(request.me, request.networks, inventory);
    if (networks !== null) throw new UserError(`networks to announce: ${networks}; nothing written`);
    if (request.monitorApi !== undefined && parseApiEndpoint(request.monitorApi) === null) throw new UserError(`--monitor-api ${request.monitorApi}: use host:port, e.g. 172.16.20.1:8728`);
    const wans: OfferBody["side"]["wans"] = {};
    // IP Cloud's name follows one public address: it may name one link only.
    let cloudLink: string | undefined;
    for (const l of request.links) {
      if (!inventory.interfaces.some((i) => i.name === l.iface)) throw new UserError(`link ${l.name}: ${router.label} has no interface ${l.iface}; WAN candidates: ${inventory.wans.map((w) => w.interface).join(", ")}`);
      let endpoint = l.endpoint;
      if (endpoint === undefined) {
        const found = findEndpoint(inventory, l.iface, cloudLink !== undefined);
        if ("problem" in found) throw new UserError(`link ${l.name}: ${found.problem}: nothing written; pass --endpoint ${l.name}=<address or DNS name>`);
        endpoint = found.endpoint;
      }
      const cloudName = inventory.cloud.dnsName;
      if (cloudName !== undefined && endpoint.toLowerCase() === cloudName.toLowerCase()) {
        if (cloudLink !== undefined) throw new UserError(`link ${l.name}: IP Cloud's name ${cloudName} already names link ${cloudLink}; it follows one public address (the WAN with your default route), so it cannot name a second link: nothing written; pass --endpoint ${l.name}=<another DNS name or address>`);
        cloudLink = l.name;
      }
      wans[l.name] = { interface: l.iface, endpoint };
    }
    // Before 7.17 a router has one OpenVPN server: a user's enabled one is never changed, and one
    // bgpals shares already is joined on its port.
    const oneServer = request.links.some((l) => l.kind === "ovpn") ? inventory.portsInUse.find((p) => p.oneServer !== undefined) : undefined;
    if (oneServer !== undefined && oneServer.oneServer!.peerings.length === 0) {
      throw new UserError(`nothing written: ${router.label} has one OpenVPN server (RouterOS before 7.17), already enabled on ${oneServer.protocol}/${oneServer.port} and not set up by bgpals; bgpals never changes it, since that would cut whoever uses it. Disable it (bgpals then takes it over and sets it back when the last peering goes), or let ${request.friend} run the server`);
    }
    const joined: Record<string, number> = oneServer === undefined ? {} : { ovpn: oneServer.port };
    // A host running an OpenVPN server per link (Linux) gives each link its own port.
    const features = router.platform.featuresOf({ os: router.platform.os, version: inventory.version });
    const portPerLink = !("unsupported" in features) && features.ovpnPortPerLink === true;
    const proposed = proposeLinks(
      // The PPP secret is named after the friend and the link, as in the seed (friend1-1).
      request.links.map((l) => ({ name: l.name, kind: l.kind, wan: l.name, user: `${request.friend}-${l.name}`.slice(0, 31) })),
      { prefixes: [...inventory.prefixesInUse, ...inventory.tunnelPrefixes.map((t) => t.prefix), ...peers.flatMap((p) => p.links.map((l) => l.subnet))], ports: inventory.portsInUse.filter((p) => p !== oneServer).map((p) => p.port), joined, portPerLink },
    );
    if (!proposed.ok) throw new UserError(proposed.message);
    const offer: OfferBody = {
      peering: request.peeringName ?? `${request.me}-${request.friend}`,
      friend: request.friend,
      side: { name: request.me, asn: request.asn, routerId: routerIdOf(request.networks, inventory), version: inventory.version, platform: router.platform.sidePlatform(inventory.version), networks: request.networks, wans },
      links: proposed.links,
      policy: { mode: "bgp", primary: request.primary, localPref: { primary: 200, backup: 100 }, backupPrepend: 3, maxPrefixes: 100, timers: { hold: "30s", keepalive: "10s" } },
    };
    const primary = offer.links.find((l) => l.name === request.primary)!;
    if (request.monitorAccount) offer.monitor = { user: router.platform.monitorAccountName(offer.peering), api: monitorApi(router, request.monitorApi, primary.addresses[0]) };
    // One run: if anything fails, what it made is undone (and the router read back).
    await router.exclusive({ command: "offer", peering: offer.peering }, async () => {
      // The friend's half is unknown yet: its version only has to let the draft render our side.
      const keys = await prepareLinks(router, draftPeering(offer, (link) => link, inventory.version), request.me, hooks);
      for (const l of offer.links) if (keys[l.name] !== undefined) l.publicKey = keys[l.name]!;
      if (offer.links.some((l) => LINK_KINDS[l.kind].certificates)) {
        // The listener's CA signs its server certificate; the friend pins the CA's fingerprint.
        // The server certificate names every endpoint the friend's clients dial (RouterOS 7 checks it).
        const endpoints = offer.links.filter((l) => LINK_KINDS[l.kind].certificates).map((l) => offer.side.wans[l.wan]?.endpoint ?? "").filter((e) => e !== "");
        offer.ovpn = await prepareCertificates(router, offer.peering, "server", hooks, endpoints);
        for (const l of offer.links) if (LINK_KINDS[l.kind].certificates) l.caFingerprint = offer.ovpn.caFingerprint;
      }
    });
    if (!saved) saveIdentity(identity, ws.home);
    const now = clock(hooks);
    const bundle = encodeBundle({ identity, kind: "offer", body: offer as unknown as Record<string, unknown>, now });
    const decoded = decodeBundle(bundle.text, { now });
    if (!decoded.ok) throw new Error(`own offer does not decode: ${decoded.message}`);
    // `replaces`: the user said --replace for the kept peering; complete need not ask again.
    savePending(request.friend, { nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, offer, ...(taken !== null ? { replaces: true } : {}) }, ws.home);
    // Kept in the outbox: shown again from Home until the answer comes; an older offer to the
    // same friend can no longer be completed (only the latest is waiting).
    for (const older of keptBundles(ws.home)) {
      if (older.direction === "outbox" && older.kind === "offer" && older.friend === request.friend && older.state === "waiting") setKeptState("outbox", "offer", older.offer, "replaced", now, ws.home);
    }
    keepBundle({ direction: "outbox", kind: "offer", friend: request.friend, peering: offer.peering, offer: decoded.bundle.nonce, fingerprint: bundle.fingerprint, text: bundle.text, state: "waiting", router: router.label, at: now }, ws.home);
    return { bundle, offer };
  }
}

// --- accept (operator B) -------------------------------------------------------------------------

export interface OpenedOffer {
  offer: OfferBody;
  /** The offer as received, without the line breaks a chat window adds (kept in the inbox). */
  text: string;
  /** The sender's public keys: kept once the offer is used, to check their later bundles. */
  sender: PublicIdentity;
  from: string;
  fromBoxKey: string;
  fingerprint: string;
  nonce: string;
  expiresAt: number;
  identity: Identity;
  /** The identity was made for this offer and is written only when the offer is taken (finishAccept). */
  identityIsNew?: boolean;
  /** Public prefixes the user confirmed for the sender (flags and their own settings). */
  acceptPublic: readonly string[];
  /** Only the prefixes the user gave now (`--accept-public`): kept for later plans when the offer is taken. */
  acceptPublicGiven: readonly string[];
  /** The user said --replace and the name was taken: the kept peering and key are replaced at finishAccept. */
  replace: boolean;
  /** The sender is another identity than the friend kept under that name (replaced with --replace). */
  newKey: boolean;
}

/**
 * Verifies an offer for `me`; refuses tampered, truncated, expired, replayed or misaddressed ones,
 * text that is not what it seems, a sender named like a kept friend (unless `replace`), and
 * prefixes the friend may not send us. Writes nothing, not even a new identity.
 */
export function openOffer(text: string, ws: Workspace, me: string, now = Date.now(), options: FriendInputOptions = {}): OpenedOffer {
  const { identity, saved } = peekIdentity(me, ws.home);
  text = bundleText(text);
  const decoded = decodeBundle(text, { now, identity, expectedKind: "offer", seen: new SeenNonces(now, ws.home) });
  if (!decoded.ok) throw new UserError(`offer refused, nothing written: ${decoded.message}`);
  const invisible = invisibleProblem(decoded.bundle.body, "offer");
  if (invisible !== null) throw new UserError(invisible);
  const shape = offerShapeProblem(decoded.bundle.body);
  if (shape !== null) throw new UserError(`offer refused, nothing written: ${shape}`);
  const offer = decoded.bundle.body as unknown as OfferBody;
  const from = decoded.bundle.from;
  const sender = senderProblem(from.name, offer.side.name, "offer");
  if (sender !== null) throw new UserError(sender);
  if (offer.ovpn !== undefined && (pemFingerprint(offer.ovpn.caCertificate) !== normalizeFingerprint(offer.ovpn.caFingerprint) || !pemIsAuthority(offer.ovpn.caCertificate))) {
    throw new UserError("offer refused, nothing written: its OpenVPN CA certificate does not match the fingerprint it pins");
  }
  if (offer.friend !== me) throw new UserError(`this offer is for ${offer.friend}, not ${me}: nothing written`);
  const taken = friendNameTaken(ws, from.name, from.signKey);
  if (taken !== null && !options.replace) throw new UserError(`offer refused, nothing written: ${takenMessage(taken)}`);
  const acceptPublic = acceptPublicFor(ws, offer.peering, from.name, options, taken?.key != null);
  // What the friend may send: refused here already, so a screen shows it before any choice.
  const allowed: unknown[] = Array.isArray(offer.side.allowed) ? offer.side.allowed.map((a) => (a as { prefix?: unknown } | null)?.prefix) : Array.isArray(offer.side.networks) ? offer.side.networks : [];
  if (allowed.every((a): a is string => typeof a === "string" && isIPv4Prefix(a))) {
    const where = Array.isArray(offer.side.allowed) ? "allowed" : "networks";
    const labelled = allowed.map((prefix, i) => ({ prefix, label: `sides.${from.name}.${where}[${i}]${where === "allowed" ? ".prefix" : ""}` }));
    const refusals = checkFriendPrefixes(from.name, labelled, acceptPublic);
    if (refusals.length > 0) throw new UserError(refusalLines("offer refused, nothing written:", refusals));
  }
  return {
    offer, text, sender: from, from: from.name, fromBoxKey: from.boxKey, fingerprint: decoded.fingerprint, nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, identity,
    identityIsNew: !saved, acceptPublic, acceptPublicGiven: [...(options.acceptPublic ?? [])], replace: taken !== null, newKey: taken?.key != null,
  };
}

export interface AcceptChoices {
  asn: number;
  networks: string[];
  /** Per link of the offer: which of my WAN interfaces carries it. */
  wans: Record<string, string>;
  /** Grant the friend's monitor a read-only account on this router. */
  monitorAccount?: boolean;
  /** host:port where the friend's monitor reaches this router's API; default: our tunnel address on the primary link, port 8728. */
  monitorApi?: string;
}

/** A side made ready to apply: interfaces exist (keys known), the plan is computed, nothing else written. */
export interface Prepared {
  peering: Peering;
  side: string;
  plan: Plan;
  version: string;
  answer?: AnswerBody;
  /** Complete side: what applyPrepared writes before the plan (the friend's CA, the account we grant). */
  beforeApply?: BeforeApply;
  /** Non-enumerable: see FlowSecrets. */
  readonly secrets?: FlowSecrets;
}

/** Writes the complete side makes just before its plan, undone with it on failure. */
export interface BeforeApply {
  friend: string;
  /** The CA that signed the friend's OpenVPN client certificate. */
  friendCa?: CaCertificateBody;
  /** The read-only account we grant (its password, chosen by the friend, is in the secrets). */
  monitorAccount?: boolean;
}

export async function prepareAccept(router: Router, ws: Workspace, opened: OpenedOffer, choices: AcceptChoices, hooks: FlowHooks = {}, known?: Inventory): Promise<Prepared> {
  const { offer } = opened;
  const me = opened.identity.name;
  const peers = peersOf(ws);
  const asnProblemText = asnChoiceProblem(choices.asn, peers, me);
  if (asnProblemText !== null) throw new UserError(`ASN ${choices.asn}: ${asnProblemText}`);
  for (const l of offer.links) if (choices.wans[l.name] === undefined) throw new UserError(`choose which of your WANs carries link ${l.name}`);
  if (choices.monitorApi !== undefined && parseApiEndpoint(choices.monitorApi) === null) throw new UserError(`--monitor-api ${choices.monitorApi}: use host:port, e.g. 172.16.20.2:8728`);
  if (choices.monitorAccount) refuseMonitorAccount(router);
  {
    const inventory = known ?? (await router.discover());
    // One run from the first write on: if anything fails, what it made is undone (and the router read back).
    return router.exclusive({ command: "accept", peering: offer.peering }, async () => {
      const side: OfferBody["side"] = {
        name: me,
        asn: choices.asn,
        routerId: routerIdOf(choices.networks, inventory),
        version: inventory.version,
        platform: router.platform.sidePlatform(inventory.version),
        networks: choices.networks,
        wans: Object.fromEntries(offer.links.map((l) => [l.name, { interface: choices.wans[l.name]! }])),
      };
      const linksWith = (keys: Record<string, string>) => Object.fromEntries(offer.links.map((l) => [l.name, { wan: l.name, publicKey: LINK_KINDS[l.kind].keysOnRouter ? (keys[l.name] ?? PLACEHOLDER_KEY) : "" }]));
      const draft = peeringOf(offer, { side, links: linksWith({}) });
      if (!draft.ok) throw new UserError(["the offer and your choices do not make a valid peering, nothing written:", ...draft.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));
      // Every refusal, the friend's input included, before the first write (the interfaces below).
      const refusals = checkPeering({ peering: draft.peering, side: me, featuresOf: router.featuresOf, version: inventory.version, others: peers, router: { interfaces: inventory.interfaces.map((i) => i.name), prefixesInUse: inventory.prefixesInUse }, acceptPublic: opened.acceptPublic });
      // Our own networks as the wizard checks them when typed (checkPeering sees them from the friend's side).
      const networks = networksProblem(me, choices.networks, inventory, offer);
      if (refusals.length > 0 || networks !== null) throw new UserError([...(networks === null ? [] : [`networks to announce: ${networks}; nothing written`]), ...(refusals.length > 0 ? [refusalLines("refused, nothing written:", refusals)] : [])].join("\n"));

      const keys = await prepareLinks(router, draft.peering, me, hooks);
      const full = peeringOf(offer, { side, links: linksWith(keys) });
      if (!full.ok) throw new Error(`peering with real keys does not validate: ${JSON.stringify(full.problems)}`);

      const ovpnLinks = offer.links.filter((l) => LINK_KINDS[l.kind].certificates);
      let clientCa: CaCertificateBody | undefined;
      if (ovpnLinks.length > 0) {
        // The server's CA becomes trusted here; our own CA signs the client certificate it requires.
        await importFriendCa(router, full.peering.name, opened.from, offer.ovpn!, hooks);
        if (ovpnLinks.some((l) => l.requireClientCertificate ?? true)) clientCa = await prepareCertificates(router, full.peering.name, "client", hooks);
      }
      // The client chooses the PPP passwords: they cross once, sealed to the offerer.
      const pppPassword = Object.fromEntries(ovpnLinks.map((l) => [l.name, randomPassword()]));
      const bundle: Record<string, string> = Object.fromEntries(ovpnLinks.map((l) => [answerSecret.pppPassword(l.name), pppPassword[l.name]!]));
      let monitor: MonitorGrant | undefined;
      if (choices.monitorAccount) {
        const password = randomPassword();
        await grantMonitorAccount(router, full.peering.name, opened.from, password, hooks);
        const primary = offer.links.find((l) => l.name === offer.policy.primary) ?? offer.links[0]!;
        monitor = { user: router.platform.monitorAccountName(full.peering.name), api: monitorApi(router, choices.monitorApi, primary.addresses[1]) };
        bundle[answerSecret.monitorGranted] = password;
      }
      // The offerer grants its account at complete, with the password we choose now.
      const friendMonitorPassword = offer.monitor === undefined ? undefined : randomPassword();
      if (friendMonitorPassword !== undefined) bundle[answerSecret.monitorOffered] = friendMonitorPassword;

      hooks.onStep?.(`planning ${full.peering.name} on ${router.label}`);
      const planned = await router.plan({ peering: full.peering, side: me, others: peers, secrets: { pppPassword }, acceptPublic: opened.acceptPublic });
      if (planned.refusals.length > 0) throw new UserError(["refused:", ...planned.refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
      if (planned.plan.conflicts.length > 0) throw new UserError(["nothing written:", ...planned.plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
      const answer: AnswerBody = { offer: opened.nonce, side, links: linksWith(keys) };
      if (clientCa !== undefined) answer.ovpn = clientCa;
      if (monitor !== undefined) answer.monitor = monitor;
      const prepared: Prepared = { peering: full.peering, side: me, plan: planned.plan, version: planned.version, answer };
      return attachSecrets(prepared, { pppPassword, bundle, friendMonitorPassword });
    });
  }
}

/** Applies a prepared side; a failure is undone on the router and reported as an expected error. */
export async function applyPrepared(router: Router, prepared: Prepared, hooks: FlowHooks = {}): Promise<number> {
  const peering = prepared.peering.name;
  const before = prepared.beforeApply;
  // One run: what is written before the plan goes with it if the apply fails.
  return router.exclusive({ command: "apply", peering }, async () => {
    if (before?.friendCa !== undefined) await importFriendCa(router, peering, before.friend, before.friendCa, hooks);
    if (before?.monitorAccount) {
      const password = secretsOf(prepared)?.grantedMonitorPassword;
      if (password === undefined) throw new Error("applyPrepared: the monitor account's password is missing (pass the Prepared object prepareComplete returned, not a copy)");
      await grantMonitorAccount(router, peering, before.friend, password, hooks);
    }
    const result = await router.apply(prepared.plan, { onEvent: hooks.onApply });
    if (!result.ok) throw new UserError(result.message);
    if (!result.verified) throw new UserError([`${peering}: applied, but reading ${router.label} back shows it did not all take:`, ...result.differences.map((d) => `  ${d}`)].join("\n"));
    return result.applied;
  });
}

export interface Accepted {
  answer: Bundled;
  file: string;
  /** Where the secrets a later apply or removal needs were kept (see secretsNote). */
  secretsKeptIn?: KeptIn;
}

/** What to tell the operator about where secrets went: nothing when the OS keyring took them. */
export function secretsNote(kept: KeptIn | undefined, home: string): string | null {
  if (kept === "file") return `no OS keyring in use here: the passwords bgpals keeps (PPP, monitor accounts) are encrypted with your identity key in ${home}/secrets.json (mode 0600)`;
  if (kept === null) return "no OS keyring in use here and there is no identity to encrypt with: the PPP passwords were not kept; a later apply asks for them (BGPALS_PPP_PASSWORD_<LINK>)";
  return null;
}

/** After the apply: keep the peering, spend the offer, and sign the answer for the friend. */
export function finishAccept(ws: Workspace, opened: OpenedOffer, prepared: Prepared, now = Date.now()): Accepted {
  if (prepared.answer === undefined) throw new Error("finishAccept needs a side prepared by prepareAccept");
  const secrets = secretsOf(prepared);
  const ovpn = prepared.peering.links.filter((l) => LINK_KINDS[l.kind].password);
  if (secrets === undefined && (ovpn.length > 0 || opened.offer.monitor !== undefined || prepared.answer.monitor !== undefined)) {
    throw new Error("finishAccept: the answer's secrets are missing (pass the Prepared object prepareAccept returned, not a copy)");
  }
  const sealed = secrets?.bundle !== undefined && Object.keys(secrets.bundle).length > 0 ? secrets.bundle : undefined;
  if (opened.identityIsNew) saveIdentity(opened.identity, ws.home);
  const answer = encodeBundle({ identity: opened.identity, kind: "answer", body: prepared.answer as unknown as Record<string, unknown>, secrets: sealed, recipient: { name: opened.from, boxKey: opened.fromBoxKey }, now });
  // Kept first: if this terminal closes now, accepting the same offer again shows this answer.
  const mail = { friend: opened.from, peering: prepared.peering.name, offer: opened.nonce, state: "answered" as const, at: now };
  keepBundle({ ...mail, direction: "inbox", kind: "offer", fingerprint: opened.fingerprint, text: opened.text }, ws.home);
  keepBundle({ ...mail, direction: "outbox", kind: "answer", fingerprint: answer.fingerprint, text: answer.text }, ws.home);
  const file = savePeering(ws, opened.from, prepared.peering, { replace: opened.replace });
  new SeenNonces(now, ws.home).remember(opened.nonce, opened.expiresAt);
  rememberFriend(opened.sender, ws.home, { replace: opened.replace });
  if (opened.newKey) forgetAcceptedPublic(ws, prepared.peering.name);
  rememberAcceptedPublic(ws, prepared.peering.name, opened.from, opened.acceptPublicGiven);
  let secretsKeptIn: KeptIn | undefined;
  if (opened.offer.monitor !== undefined && secrets?.friendMonitorPassword !== undefined) secretsKeptIn = saveFriendMonitorAccount(ws, opened.from, opened.offer.monitor, secrets.friendMonitorPassword);
  if (secrets !== undefined && ovpn.length > 0) secretsKeptIn = savePppPasswords(ws, prepared.peering.name, secrets.pppPassword) ?? secretsKeptIn ?? null;
  // The account we granted: a removal undone puts it back with this password.
  const granted = secrets?.bundle?.[answerSecret.monitorGranted];
  if (prepared.answer.monitor !== undefined && granted !== undefined) secretsKeptIn = saveGrantedMonitorPassword(ws, prepared.peering.name, granted) ?? secretsKeptIn ?? null;
  return secretsKeptIn === undefined ? { answer, file } : { answer, file, secretsKeptIn };
}

// --- complete (operator A) -----------------------------------------------------------------------

export interface OpenedAnswer {
  peering: Peering;
  /** The answer as received, without line breaks (kept in the inbox once complete). */
  text: string;
  sender: PublicIdentity;
  friend: string;
  fingerprint: string;
  nonce: string;
  expiresAt: number;
  pendingFile: string;
  /** The answer as the friend sent it (public part). */
  answer?: AnswerBody;
  /** Public prefixes the user confirmed for the friend (flags and their own settings). */
  acceptPublic: readonly string[];
  /** Only the prefixes the user gave now (`--accept-public`): kept for later plans once complete. */
  acceptPublicGiven: readonly string[];
  /** The kept peering or friend key of that name is replaced at finishComplete (--replace, now or at the offer). */
  replace: boolean;
  /** The sender is another identity than the friend kept under that name (replaced with --replace). */
  newKey: boolean;
  /** Non-enumerable: see FlowSecrets. */
  readonly secrets?: FlowSecrets;
}

/**
 * Verifies an answer against the offer waiting for that friend, and what the friend may send us;
 * a friend named like a kept one is refused unless `replace`. Writes nothing.
 */
export function openAnswer(text: string, ws: Workspace, me: string, now = Date.now(), options: FriendInputOptions = {}): OpenedAnswer {
  const { identity, saved } = peekIdentity(me, ws.home);
  if (!saved) throw new UserError("no identity here: complete runs where the offer was made (bgpals offer created the identity); nothing written");
  text = bundleText(text);
  const decoded = decodeBundle(text, { now, identity, expectedKind: "answer", seen: new SeenNonces(now, ws.home) });
  if (!decoded.ok) throw new UserError(`answer refused, nothing written: ${decoded.message}`);
  const invisible = invisibleProblem(decoded.bundle.body, "answer");
  if (invisible !== null) throw new UserError(invisible);
  const from = decoded.bundle.from;
  const friend = from.name;
  const named = nameProblem(friend);
  if (named !== null) throw new UserError(`answer refused, nothing written: it is signed by ${JSON.stringify(friend)}, which cannot name a friend here (${named})`);
  const pendingFile = pendingOfferFile(friend, ws.home);
  if (!existsSync(pendingFile)) throw new UserError(`no offer to ${friend} is waiting here: nothing written (was it made from another computer or config directory?)`);
  const pending = JSON.parse(readFileSync(pendingFile, "utf8")) as { nonce: string; offer: OfferBody; replaces?: boolean };
  const shape = answerShapeProblem(decoded.bundle.body, pending.offer);
  if (shape !== null) throw new UserError(`answer refused, nothing written: ${shape}`);
  const answer = decoded.bundle.body as unknown as AnswerBody;
  if (answer.offer !== pending.nonce) throw new UserError(`this answer is for another offer than the one waiting for ${friend}: nothing written; ask ${friend} to accept your latest offer`);
  const sender = senderProblem(friend, answer.side.name, "answer");
  if (sender !== null) throw new UserError(sender);
  if (pending.offer.friend !== friend) throw new UserError(`answer refused, nothing written: the offer waiting here is for ${pending.offer.friend}, not ${friend}`);
  // The user said --replace at the offer for the kept peering; a different key needs it now.
  const taken = friendNameTaken(ws, friend, from.signKey);
  const keyTaken = taken?.key != null;
  if (taken !== null && !options.replace && (keyTaken || !pending.replaces)) throw new UserError(`answer refused, nothing written: ${takenMessage(taken)}`);
  const full = peeringOf(pending.offer, answer);
  if (!full.ok) throw new UserError(["the answer does not make a valid peering, nothing written:", ...full.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));
  const acceptPublic = acceptPublicFor(ws, full.peering.name, friend, options, keyTaken);
  const friendInput = checkFriendInput(full.peering, me, friend, peersOf(ws, full.peering.name), acceptPublic);
  if (friendInput.length > 0) throw new UserError(refusalLines("answer refused, nothing written:", friendInput));
  if (answer.ovpn !== undefined && (pemFingerprint(answer.ovpn.caCertificate) !== normalizeFingerprint(answer.ovpn.caFingerprint) || !pemIsAuthority(answer.ovpn.caCertificate))) {
    throw new UserError("answer refused, nothing written: its OpenVPN CA certificate does not match its fingerprint");
  }
  const sealed = decoded.bundle.secrets ?? {};
  const pppPassword: Record<string, string> = {};
  for (const l of full.peering.links.filter((x) => LINK_KINDS[x.kind].password)) {
    const password = sealed[answerSecret.pppPassword(l.name)];
    if (password === undefined || !PASSWORD.test(password)) throw new UserError(`answer refused, nothing written: it carries no usable PPP password for link ${l.name}; ask ${friend} to accept your offer again`);
    pppPassword[l.name] = password;
  }
  const secrets: FlowSecrets = { pppPassword };
  if (answer.monitor !== undefined) {
    const password = sealed[answerSecret.monitorGranted];
    if (password === undefined || !PASSWORD.test(password)) throw new UserError(`answer refused, nothing written: ${friend} grants a monitor account but the answer carries no usable password for it`);
    secrets.friendMonitorPassword = password;
  }
  if (pending.offer.monitor !== undefined) {
    const password = sealed[answerSecret.monitorOffered];
    if (password === undefined || !PASSWORD.test(password)) throw new UserError(`answer refused, nothing written: your offer grants a monitor account but the answer carries no usable password for it`);
    secrets.grantedMonitorPassword = password;
  }
  const opened: OpenedAnswer = {
    peering: full.peering, text, sender: from, friend, fingerprint: decoded.fingerprint, nonce: decoded.bundle.nonce, expiresAt: decoded.bundle.expiresAt, pendingFile, answer,
    acceptPublic, acceptPublicGiven: [...(options.acceptPublic ?? [])], replace: taken !== null, newKey: keyTaken,
  };
  return attachSecrets(opened, secrets);
}

/** Plans a peering from a file or an answer for this side; refusals and conflicts stop here. */
export async function preparePeering(router: Router, ws: Workspace, peering: Peering, side: string, options: { remove?: boolean; hooks?: FlowHooks; secrets?: LinkSecrets; acceptPublic?: readonly string[]; friendCa?: CaCertificateBody } = {}): Promise<Prepared> {
  options.hooks?.onStep?.(`planning ${peering.name} on ${router.label}`);
  // A removal journals the password of the account we granted, so an undo can put it back as it was.
  const monitorPassword = options.remove ? grantedMonitorPassword(ws, peering.name) : null;
  const secrets = monitorPassword === null ? options.secrets : { ...options.secrets, monitorPassword };
  const planned = await router.plan({ peering, side, others: peersOf(ws, peering.name), remove: options.remove, secrets, acceptPublic: options.acceptPublic, friendCa: options.friendCa });
  if (planned.refusals.length > 0) throw new UserError(refusalLines("refused, nothing written:", planned.refusals));
  if (planned.plan.conflicts.length > 0) throw new UserError(["nothing written:", ...planned.plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
  return { peering, side, plan: planned.plan, version: planned.version };
}

/**
 * The complete side's plan from an opened answer: with the PPP passwords the friend chose, and,
 * written by applyPrepared just before the plan, the friend's CA and the account we grant.
 */
export async function prepareComplete(router: Router, ws: Workspace, opened: OpenedAnswer, me: string, hooks: FlowHooks = {}): Promise<Prepared> {
  const secrets = secretsOf(opened);
  if (secrets === undefined) throw new Error("prepareComplete: the answer's secrets are missing (pass the object openAnswer returned, not a copy)");
  // An offer made elsewhere may grant an account this router cannot make: refused before anything is written.
  if (secrets.grantedMonitorPassword !== undefined) refuseMonitorAccount(router);
  // The friend's CA is written just before the plan is applied: checked now as if it were there.
  const prepared = await preparePeering(router, ws, opened.peering, me, { hooks, secrets: { pppPassword: secrets.pppPassword }, acceptPublic: opened.acceptPublic, friendCa: opened.answer?.ovpn });
  const beforeApply: BeforeApply = { friend: opened.friend };
  if (opened.answer?.ovpn !== undefined) beforeApply.friendCa = opened.answer.ovpn;
  if (secrets.grantedMonitorPassword !== undefined) beforeApply.monitorAccount = true;
  return attachSecrets({ ...prepared, beforeApply }, { pppPassword: secrets.pppPassword, grantedMonitorPassword: secrets.grantedMonitorPassword });
}

export function finishComplete(ws: Workspace, opened: OpenedAnswer, now = Date.now(), note?: (text: string) => void): string {
  const secrets = secretsOf(opened);
  let kept: KeptIn | undefined;
  if (opened.answer?.monitor !== undefined && secrets?.friendMonitorPassword !== undefined) kept = saveFriendMonitorAccount(ws, opened.friend, opened.answer.monitor, secrets.friendMonitorPassword);
  if (secrets !== undefined && Object.keys(secrets.pppPassword).length > 0) kept = savePppPasswords(ws, opened.peering.name, secrets.pppPassword) ?? kept ?? null;
  // The account we granted: a removal undone puts it back with this password.
  if (secrets?.grantedMonitorPassword !== undefined) kept = saveGrantedMonitorPassword(ws, opened.peering.name, secrets.grantedMonitorPassword) ?? kept ?? null;
  const text = secretsNote(kept, ws.home);
  if (text !== null) note?.(text);
  const file = savePeering(ws, opened.friend, opened.peering, { replace: opened.replace });
  new SeenNonces(now, ws.home).remember(opened.nonce, opened.expiresAt);
  rememberFriend(opened.sender, ws.home, { replace: opened.replace });
  if (opened.newKey) forgetAcceptedPublic(ws, opened.peering.name);
  rememberAcceptedPublic(ws, opened.peering.name, opened.friend, opened.acceptPublicGiven);
  rmSync(opened.pendingFile, { force: true });
  if (opened.answer !== undefined) {
    setKeptState("outbox", "offer", opened.answer.offer, "completed", now, ws.home);
    keepBundle({ direction: "inbox", kind: "answer", friend: opened.friend, peering: opened.peering.name, offer: opened.answer.offer, fingerprint: opened.fingerprint, text: opened.text, state: "completed", at: now }, ws.home);
  }
  return file;
}
