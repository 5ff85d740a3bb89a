// Refusals: everything that must stop bgpals before it writes a single command.
// Each says what is wrong and what to do; all are reported at once.
import { asnProblem, takenAsns } from "./asn.js";
import { addressInPrefix, coverAllAddresses, enclosing, formatPrefix, isIPv4, parseAddress, parsePrefix, PRIVATE_SPACE, prefixesOverlap, prefixWithin, RESERVED_SPACE, type Prefix } from "./ipv4.js";
import { allowedOf, sidesOf, type Peering } from "./peering.js";
import { versionField, type FeaturesOf } from "./features.js";
import { linkKind } from "./links/index.js";
import { PLACEHOLDER_FINGERPRINT } from "./links/ovpn.js";
import { PLACEHOLDER_KEY } from "./links/wireguard.js";

export type RefusalCode =
  | "prefix-overlap"
  | "asn-collision"
  | "filter-set"
  | "wan-missing"
  | "wireguard-v6"
  | "version-gate"
  | "prefix-too-wide"
  | "prefix-reserved"
  | "prefix-public"
  | "split-default"
  | "endpoint-loop"
  | "endpoint-reserved"
  | "port-in-use"
  | "endpoint-shared"
  | "endpoint-unresolved"
  | "key-mismatch"
  | "key-unknown"
  | "certificate-missing"
  | "ca-mismatch";

export interface Refusal {
  code: RefusalCode;
  /** JSON path in the peering file the problem concerns. */
  path: string;
  message: string;
}

/** What bgpals knows of our router, when it is connected. */
export interface RouterFacts {
  interfaces: readonly string[];
  /** Interface addresses with their mask ("192.168.88.1/24") and route destinations. */
  prefixesInUse: readonly string[];
  /**
   * WireGuard: per link name, the public key of the interface this peering has on the router for
   * it, or null when there is none yet. Absent: not read (no key is checked).
   */
  wireguardKeys?: Readonly<Record<string, string | null>>;
  /**
   * OpenVPN: the SHA-256 fingerprints of this peering's CAs on the router (null: not there). Absent:
   * not read. `friendCa` may be one this run puts on the router before it writes (complete).
   */
  certificates?: { ownCa: string | null; friendCa: string | null };
}

export interface CheckInput {
  peering: Peering;
  /** Our side. */
  side: string;
  /** What each side's platform offers (the platform answers for its own versions). */
  featuresOf: FeaturesOf;
  /** The version of our side's platform we render for, when not the one its `platform` names (`--routeros`). */
  version?: string;
  /** The other peerings of the peers directory (this one excluded). */
  others?: readonly Peering[];
  router?: RouterFacts;
  /**
   * Prefixes outside private space that the user of this side confirmed the friend may send
   * (`--accept-public`, or the user's own settings). Never taken from the peering file or a bundle:
   * what the friend wrote cannot confirm itself.
   */
  acceptPublic?: readonly string[];
}

export interface Labelled {
  prefix: string;
  /** Where it is, as a JSON path of the peering file ("sides.remi.allowed[0].prefix"). */
  label: string;
}

export function checkPeering(input: CheckInput): Refusal[] {
  const { peering: p } = input;
  const { me, friend } = sidesOf(p, input.side);
  return [
    ...checkVersions(p, me, input.featuresOf, input.version),
    ...checkAsns(p, me, friend, input.others ?? []),
    ...checkOverlaps(p, me, friend, input.others ?? [], input.router),
    ...checkWans(p, me, input.router),
    ...checkSharedEndpoints(p),
    ...checkKeys(p, me, friend, input.router),
    ...checkCertificates(p, me, friend, input.router),
    ...checkFilterSet(p, friend),
    ...checkFriendInput(p, me, friend, input.others ?? [], input.acceptPublic ?? []),
  ];
}

function checkVersions(p: Peering, me: string, featuresOf: FeaturesOf, override: string | undefined): Refusal[] {
  const out: Refusal[] = [];
  for (const [name, side] of Object.entries(p.sides)) {
    const mine = name === me && override !== undefined;
    const field = versionField(side.platform);
    const platform = mine ? { ...side.platform, [field]: override } : side.platform;
    const where = mine ? "--routeros" : `sides.${name}.platform.${field}`;
    const features = featuresOf(platform);
    if ("unsupported" in features) {
      out.push({ code: "version-gate", path: where, message: `${features.unsupported}; upgrade ${name}'s router` });
      continue;
    }
    p.links.forEach((link, i) => {
      const problem = linkKind(link.kind).unsupported(link, name, features);
      if (problem !== null) out.push({ code: problem.code, path: `links[${i}].${problem.field}`, message: problem.message });
    });
    for (const kind of new Set(p.links.map((l) => linkKind(l.kind)))) {
      const listening = p.links.filter((l) => l.kind === kind.kind && l.listener === name);
      const problem = listening.length === 0 ? null : (kind.listenerProblem?.(listening, name, features) ?? null);
      if (problem !== null) out.push({ code: "version-gate", path: "links", message: problem });
    }
  }
  return out;
}

function checkAsns(p: Peering, me: string, friend: string, others: readonly Peering[]): Refusal[] {
  const out: Refusal[] = [];
  const mine = p.sides[me]!.asn;
  const theirs = p.sides[friend]!.asn;
  if (mine === theirs) {
    out.push({ code: "asn-collision", path: `sides.${friend}.asn`, message: `${friend} uses AS${theirs}, the same as ours: eBGP needs two different ASNs; ask ${friend} to pick another private ASN` });
  }
  // Who else uses which ASN across the peers directory (our own side excluded: it is us).
  const taken = takenAsns(others, [me, friend]);
  const theirsProblem = taken.has(theirs) ? asnProblem(theirs, taken) : null;
  if (theirsProblem !== null) out.push({ code: "asn-collision", path: `sides.${friend}.asn`, message: `${theirsProblem}; ask ${friend} to pick another` });
  const mineProblem = taken.has(mine) ? asnProblem(mine, taken) : null;
  if (mineProblem !== null) out.push({ code: "asn-collision", path: `sides.${me}.asn`, message: `${mineProblem}; pick another ASN for yourself` });
  return out;
}

function sidePrefixes(p: Peering, side: string): Labelled[] {
  const s = p.sides[side]!;
  return [
    ...s.networks.map((prefix, i) => ({ prefix, label: `sides.${side}.networks[${i}]` })),
    ...allowedOf(s).map((a, i) => ({ prefix: a.prefix, label: s.allowed ? `sides.${side}.allowed[${i}]` : `sides.${side}.networks[${i}]` })),
  ];
}

/** Router facts may hold anything a router prints; what does not parse overlaps nothing. */
function overlapping(a: string, b: string): boolean {
  try {
    return prefixesOverlap(parsePrefix(a), parsePrefix(b));
  } catch {
    return false;
  }
}

function checkOverlaps(p: Peering, me: string, friend: string, others: readonly Peering[], router: RouterFacts | undefined): Refusal[] {
  const out: Refusal[] = [];
  const seen = new Set<string>();
  const refuse = (path: string, message: string) => {
    if (!seen.has(path + message)) out.push({ code: "prefix-overlap", path, message });
    seen.add(path + message);
  };
  const theirs = sidePrefixes(p, friend);
  const ours = sidePrefixes(p, me);
  const subnets = p.links.map((l, i) => ({ prefix: l.subnet, label: `links[${i}].subnet` }));
  for (const t of theirs) {
    for (const o of ours) {
      if (overlapping(t.prefix, o.prefix)) refuse(t.label, `${friend}'s ${t.prefix} overlaps our ${o.prefix} (${o.label}): the two networks must not share addresses; one of you renumbers, or narrow ${friend}'s allowed prefixes`);
    }
    for (const s of subnets) {
      if (overlapping(t.prefix, s.prefix)) refuse(t.label, `${friend}'s ${t.prefix} overlaps the tunnel subnet ${s.prefix} (${s.label}): pick another tunnel subnet`);
    }
    for (const used of router?.prefixesInUse ?? []) {
      if (!used.endsWith("/0") && overlapping(t.prefix, used)) refuse(t.label, `${friend}'s ${t.prefix} overlaps ${used}, already on our router: the networks must not clash; one side renumbers (192.168.88.0/24 is the factory LAN of every MikroTik)`);
    }
  }
  for (const s of subnets) {
    for (const used of router?.prefixesInUse ?? []) {
      if (!used.endsWith("/0") && overlapping(s.prefix, used)) refuse(s.label, `tunnel subnet ${s.prefix} overlaps ${used}, already on our router: pick a free subnet`);
    }
  }
  for (const other of others) {
    const otherFriends = Object.keys(other.sides).filter((n) => n !== me && n !== friend);
    for (const name of otherFriends) {
      for (const op of sidePrefixes(other, name)) {
        for (const t of theirs) {
          if (overlapping(t.prefix, op.prefix)) refuse(t.label, `${friend}'s ${t.prefix} overlaps ${op.prefix}, which ${name} announces (peering ${other.name}): every friend needs distinct prefixes`);
        }
      }
    }
    other.links.forEach((l) => {
      for (const s of subnets) {
        if (overlapping(s.prefix, l.subnet)) refuse(s.label, `tunnel subnet ${s.prefix} overlaps ${l.subnet}, used by peering ${other.name}: pick a free subnet`);
      }
    });
  }
  return out;
}

function checkWans(p: Peering, me: string, router: RouterFacts | undefined): Refusal[] {
  if (router === undefined) return [];
  const out: Refusal[] = [];
  for (const [wan, def] of Object.entries(p.sides[me]!.wans)) {
    if (!router.interfaces.includes(def.interface)) {
      out.push({ code: "wan-missing", path: `sides.${me}.wans.${wan}.interface`, message: `WAN ${wan} names interface ${def.interface}, which this router does not have: pick one of ${router.interfaces.join(", ")}` });
    }
  }
  return out;
}

/**
 * Two links from one side's different WANs to one endpoint of the other: each pins that address to
 * its own WAN at the same distance, and a router shares equal routes among connections as it likes
 * (ECMP), so a link would not stay on its WAN.
 */
function checkSharedEndpoints(p: Peering): Refusal[] {
  const out: Refusal[] = [];
  p.links.forEach((link, j) => {
    const initiator = Object.keys(link.wan).find((s) => s !== link.listener)!;
    const endpoint = p.sides[link.listener]?.wans[link.wan[link.listener]!]?.endpoint;
    if (endpoint === undefined) return;
    const earlier = p.links.slice(0, j).find((other) => {
      const otherInitiator = Object.keys(other.wan).find((s) => s !== other.listener)!;
      const otherEndpoint = p.sides[other.listener]?.wans[other.wan[other.listener]!]?.endpoint;
      return otherInitiator === initiator && otherEndpoint?.toLowerCase() === endpoint.toLowerCase() && other.wan[initiator] !== link.wan[initiator];
    });
    if (earlier === undefined) return;
    out.push({
      code: "endpoint-shared",
      path: `links[${j}].wan.${initiator}`,
      message: `links ${earlier.name} and ${link.name} both reach ${link.listener} at ${endpoint} but leave ${initiator} by different WANs (${earlier.wan[initiator]}, ${link.wan[initiator]}): two routes to one address at the same distance are shared by the router as it likes, so a link would not stay on its WAN. Give ${link.listener}'s WANs an endpoint each, or run both links on one of ${initiator}'s WANs`,
    });
  });
  return out;
}

/**
 * A side's WireGuard key in the file is the placeholder (absent is the same: the router makes it) or
 * the key of the router's own interface for that link. Anything else would leave the friend
 * holding a key no router has, and the tunnel would never come up.
 */
function checkKeys(p: Peering, me: string, friend: string, router: RouterFacts | undefined): Refusal[] {
  const out: Refusal[] = [];
  p.links.forEach((link, i) => {
    if (!linkKind(link.kind).keysOnRouter) return;
    const theirs = link.publicKey?.[friend];
    if (theirs === undefined || theirs === PLACEHOLDER_KEY) {
      out.push({ code: "key-unknown", path: `links[${i}].publicKey.${friend}`, message: `link ${link.name}: ${friend}'s WireGuard key is not known yet (${theirs === undefined ? "absent" : "the placeholder"}): the tunnel needs the key ${friend}'s router made; ask ${friend} for it (their offer or answer carries it)` });
    }
    const keys = router?.wireguardKeys;
    const mine = link.publicKey?.[me];
    if (keys === undefined || mine === undefined || mine === PLACEHOLDER_KEY) return;
    const held = keys[link.name] ?? null;
    const path = `links[${i}].publicKey.${me}`;
    const fix = `put the placeholder ${PLACEHOLDER_KEY} there (the router makes the key) and give ${friend} the new one, or correct the file`;
    if (held === null) {
      out.push({ code: "key-mismatch", path, message: `link ${link.name}: the file names ${mine} as our WireGuard key, but this router has no interface for ${link.name} to hold it (a new one gets a new key, and ${friend} would keep the wrong one): ${fix}` });
    } else if (held !== mine) {
      out.push({ code: "key-mismatch", path, message: `link ${link.name}: the file names ${mine} as our WireGuard key, but the router's interface for ${link.name} has ${held}: ${friend} would hold a key this router does not; ${fix}` });
    }
  });
  return out;
}

/**
 * OpenVPN: the client pins the server's CA (`caFingerprint`). On the client, the friend's CA must be
 * on the router (it only arrives in a bundle) and be the one pinned; on the server, our own CA is
 * the one pinned, and a server asking for client certificates needs the friend's CA too.
 */
function checkCertificates(p: Peering, me: string, friend: string, router: RouterFacts | undefined): Refusal[] {
  const facts = router?.certificates;
  if (facts === undefined) return [];
  const out: Refusal[] = [];
  const seen = new Set<string>();
  const once = (refusal: Refusal) => {
    if (!seen.has(refusal.message)) out.push(refusal);
    seen.add(refusal.message);
  };
  p.links.forEach((link, i) => {
    if (!linkKind(link.kind).certificates) return;
    const pinned = link.caFingerprint === undefined || link.caFingerprint === PLACEHOLDER_FINGERPRINT ? null : link.caFingerprint;
    const path = `links[${i}].caFingerprint`;
    const bundle = `it only arrives in ${friend}'s bundle: run bgpals accept (or complete) with it`;
    if (link.listener === me) {
      if (pinned !== null && facts.ownCa !== null && facts.ownCa !== pinned) {
        once({ code: "ca-mismatch", path, message: `link ${link.name}: the file pins the CA ${pinned} for our OpenVPN server, but this router's CA for ${p.name} is ${facts.ownCa}: ${friend}'s client would refuse our server; correct the file (or make the offer again)` });
      } else if (pinned !== null && facts.ownCa === null) {
        once({ code: "ca-mismatch", path, message: `link ${link.name}: the file pins the CA ${pinned} for our OpenVPN server, but this router has no CA for ${p.name}: one made now would not be ${pinned}, and ${friend}'s client would refuse it; make the offer again (or put the placeholder ${PLACEHOLDER_FINGERPRINT} there and send ${friend} the new fingerprint)` });
      }
      if ((link.requireClientCertificate ?? true) && facts.friendCa === null) {
        once({ code: "certificate-missing", path: `links[${i}].requireClientCertificate`, message: `link ${link.name}: our OpenVPN server asks for ${friend}'s client certificate, but ${friend}'s CA is not on this router; ${bundle}` });
      }
      return;
    }
    if (facts.friendCa === null) {
      once({ code: "certificate-missing", path, message: `link ${link.name}: ${friend}'s OpenVPN CA is not on this router, so our client cannot check ${friend}'s server; ${bundle}` });
    } else if (pinned === null) {
      once({ code: "ca-mismatch", path, message: `link ${link.name}: the file pins no CA for ${friend}'s server (the placeholder), but the router holds ${friend}'s CA ${facts.friendCa}: put that fingerprint in the file if ${friend} confirms it` });
    } else if (facts.friendCa !== pinned) {
      once({ code: "ca-mismatch", path, message: `link ${link.name}: the file pins ${friend}'s CA ${pinned}, but the CA of ${friend} on this router is ${facts.friendCa}: one of them is not ${friend}'s; check the fingerprint with ${friend} before going on` });
    }
  });
  return out;
}

/** The policy must produce every filter rule product.md asks for. */
function checkFilterSet(p: Peering, friend: string): Refusal[] {
  if (p.policy.mode !== "bgp") return [];
  const out: Refusal[] = [];
  const { primary, backup } = p.policy.localPref;
  if (p.links.length > 1 && primary <= backup) {
    out.push({ code: "filter-set", path: "policy.localPref", message: `local-pref of the primary link (${primary}) must be higher than the backup's (${backup}), or the primary is not preferred` });
  }
  if (p.links.length > 1 && p.policy.backupPrepend < 1) {
    out.push({ code: "filter-set", path: "policy.backupPrepend", message: "backupPrepend is 0: the friend would not prefer the primary link back to us; prepend at least once" });
  }
  for (const [name, side] of Object.entries(p.sides)) {
    const allowed = allowedOf(side);
    side.networks.forEach((network, i) => {
      const n = parsePrefix(network);
      if (!allowed.some((a) => prefixWithin(n, parsePrefix(a.prefix)) && n.length <= a.maxLength)) {
        out.push({ code: "filter-set", path: `sides.${name}.networks[${i}]`, message: `${name} announces ${network}, outside its own allowed prefixes: the other side's input filter would reject it; widen sides.${name}.allowed` });
      }
    });
  }
  allowedOf(p.sides[friend]!).forEach((a, i) => {
    if (parsePrefix(a.prefix).length === 0) {
      out.push({ code: "filter-set", path: `sides.${friend}.allowed[${i}].prefix`, message: `${friend} may announce 0.0.0.0/0, which would let a default route in: list the friend's real prefixes` });
    }
  });
  return out;
}

// --- what the friend may send us ----------------------------------------------------------------

/** The friend's allowed prefixes, labelled where the file has them (networks when allowed is absent). */
function allowedLabelled(p: Peering, side: string): Labelled[] {
  const s = p.sides[side]!;
  return allowedOf(s).map((a, i) => ({ prefix: a.prefix, label: s.allowed ? `sides.${side}.allowed[${i}].prefix` : `sides.${side}.networks[${i}]` }));
}

function parsedOrNull(text: string): Prefix | null {
  try {
    return parsePrefix(text);
  } catch {
    return null;
  }
}

/**
 * The friend may only send us private space (or what the user confirmed), never more than a /8 at
 * once, never a default route in pieces; and no tunnel may lead into our own networks or itself.
 */
export function checkFriendInput(p: Peering, me: string, friend: string, others: readonly Peering[], acceptPublic: readonly string[]): Refusal[] {
  const theirs = allowedLabelled(p, friend);
  return [...checkFriendPrefixes(friend, theirs, acceptPublic), ...checkEndpoints(p, me, friend, others, theirs)];
}

/**
 * The prefixes a friend may send (labelled with their JSON path), on their own: also usable on a
 * bundle before it makes a peering. `acceptPublic` comes from this side's user only.
 */
export function checkFriendPrefixes(friend: string, theirs: readonly Labelled[], acceptPublic: readonly string[]): Refusal[] {
  const out: Refusal[] = [];
  const confirmed = acceptPublic.map(parsedOrNull).filter((c): c is Prefix => c !== null && c.length >= MIN_LENGTH);
  const parsed: Prefix[] = [];
  for (const t of theirs) {
    const prefix = parsedOrNull(t.prefix);
    if (prefix === null) continue;
    parsed.push(prefix);
    // A default route is the filter set's refusal (checkFilterSet); it says so already.
    if (prefix.length === 0) continue;
    if (prefix.length < MIN_LENGTH) {
      out.push({ code: "prefix-too-wide", path: t.label, message: `${friend} may send ${t.prefix}, more than a /${MIN_LENGTH} (${addressCount(prefix)} addresses): bgpals never accepts more than a /${MIN_LENGTH} from a friend, confirmed or not; list ${friend}'s real prefixes` });
      continue;
    }
    const reserved = RESERVED_SPACE.find((r) => prefixesOverlap(prefix, parsePrefix(r.prefix)));
    if (reserved !== undefined) {
      out.push({ code: "prefix-reserved", path: t.label, message: `${friend} may send ${t.prefix}, which ${prefixWithin(prefix, parsePrefix(reserved.prefix)) ? "lies in" : "covers"} ${reserved.prefix}, ${reserved.what} space no router may route to a friend: remove it from ${friend}'s prefixes` });
      continue;
    }
    if (enclosing(prefix, PRIVATE_SPACE) === undefined && !confirmed.some((c) => prefixWithin(prefix, c))) {
      out.push({ code: "prefix-public", path: t.label, message: `${friend} may send ${t.prefix}, which is not private space (${PRIVATE_SPACE.join(", ")}): routes to it would take traffic meant for the internet to ${friend}; if ${friend} really holds it, confirm it on your side with --accept-public ${t.prefix}, otherwise ask ${friend} to narrow their prefixes` });
    }
  }
  if (!parsed.some((x) => x.length === 0) && coverAllAddresses(parsed)) {
    const shown = theirs.slice(0, 4).map((t) => t.prefix).join(" + ") + (theirs.length > 4 ? ` and ${theirs.length - 4} more` : "");
    const list = theirs[0]!.label.replace(/\[\d+\](\.prefix)?$/, "");
    out.push({ code: "split-default", path: list, message: `${friend}'s prefixes ${shown} together cover every IPv4 address: a default route in pieces, which would send all our traffic to ${friend}; list ${friend}'s real prefixes` });
  }
  return out;
}

const MIN_LENGTH = 8;

function addressCount(p: Prefix): string {
  return (2 ** (32 - p.length)).toLocaleString("en-US");
}

function checkEndpoints(p: Peering, me: string, friend: string, others: readonly Peering[], theirs: Labelled[]): Refusal[] {
  const out: Refusal[] = [];
  const ours = sidePrefixes(p, me);
  const subnets: Labelled[] = [
    ...p.links.map((l, i) => ({ prefix: l.subnet, label: `links[${i}].subnet` })),
    ...others.flatMap((o) => o.links.map((l) => ({ prefix: l.subnet, label: `link ${l.name} of peering ${o.name}` }))),
  ];
  // The first prefix of a list around an address, as a list of none or one (one message is enough).
  const inside = (address: number, list: Labelled[]) =>
    list
      .filter((x) => {
        const prefix = parsedOrNull(x.prefix);
        return prefix !== null && addressInPrefix(address, prefix);
      })
      .slice(0, 1);
  const endpointsOf = (side: string) =>
    Object.entries(p.sides[side]!.wans).flatMap(([wan, def]) => (def.endpoint !== undefined && isIPv4(def.endpoint) ? [{ wan, endpoint: def.endpoint, address: parseAddress(def.endpoint), path: `sides.${side}.wans.${wan}.endpoint` }] : []));
  for (const e of endpointsOf(friend)) {
    const what = `${friend}'s endpoint ${e.endpoint} (WAN ${e.wan})`;
    const ask = `ask ${friend} for the public address or DNS name of that WAN`;
    const reserved = RESERVED_SPACE.find((r) => addressInPrefix(e.address, parsePrefix(r.prefix)));
    if (reserved !== undefined) out.push({ code: "endpoint-reserved", path: e.path, message: `${what} is ${reserved.what} space (${reserved.prefix}), not a router on the internet: ${ask}` });
    for (const o of inside(e.address, ours)) out.push({ code: "endpoint-loop", path: e.path, message: `${what} is inside our own ${o.prefix} (${o.label}): the tunnel to ${friend} would be sent into our own network; ${ask}` });
    for (const s of inside(e.address, subnets)) out.push({ code: "endpoint-loop", path: e.path, message: `${what} is inside the tunnel subnet ${s.prefix} (${s.label}): the tunnel would be routed into a tunnel; ${ask}` });
    for (const t of inside(e.address, theirs)) out.push({ code: "endpoint-loop", path: e.path, message: `${what} is inside ${t.prefix}, which ${friend} may send us (${t.label}): once BGP is up, the way to the endpoint leads through the tunnel itself; ${ask}, or narrow ${friend}'s prefixes` });
  }
  for (const e of endpointsOf(me)) {
    for (const t of inside(e.address, theirs)) out.push({ code: "endpoint-loop", path: t.label, message: `our endpoint ${e.endpoint} (WAN ${e.wan}) is inside ${formatPrefix(parsePrefix(t.prefix))}, which ${friend} may send us: ${friend}'s router would reach us through the tunnel itself; ask ${friend} to narrow their prefixes` });
  }
  return out;
}

/** Why a prefix the user means to confirm (`--accept-public`) cannot be, or null. */
export function acceptPublicProblem(text: string): string | null {
  const prefix = parsedOrNull(text);
  if (prefix === null || !/^[\d.]+\/\d{1,2}$/.test(text)) return `${text} is not an IPv4 prefix like 203.0.113.0/24`;
  if (formatPrefix(prefix) !== text) return `${text} has host bits set: did you mean ${formatPrefix(prefix)}?`;
  if (prefix.length < MIN_LENGTH) return `${text} is more than a /${MIN_LENGTH}: bgpals never accepts that much from a friend`;
  const reserved = RESERVED_SPACE.find((r) => prefixesOverlap(prefix, parsePrefix(r.prefix)));
  if (reserved !== undefined) return `${text} overlaps ${reserved.prefix} (${reserved.what}), which no friend may send`;
  return null;
}

// --- our own networks, checked as they are typed -----------------------------------------------

/** What is known of both sides when the user types the networks to announce. */
export interface OwnNetworkFacts {
  /** Our WAN addresses ("203.0.113.10" or "203.0.113.10/24") with their interface. */
  wans: readonly { interface: string; address: string }[];
  /** Tunnel subnets in use on our router or proposed by the friend's offer. */
  tunnelSubnets?: readonly string[];
  /** On accept: the friend's networks from the offer. */
  friend?: { name: string; networks: readonly string[] };
}

/**
 * Why the networks we mean to announce cannot be, one line each (empty: fine): what the friend's
 * bgpals would refuse (checkFriendPrefixes, seen from their side), a default route, a network
 * holding our own WAN address, and overlaps with the friend's networks or a tunnel subnet.
 */
export function ownNetworksProblems(me: string, networks: readonly string[], facts: OwnNetworkFacts): string[] {
  const out: string[] = [];
  const labelled = networks.map((prefix, i) => ({ prefix, label: `networks[${i}]` }));
  for (const n of networks) {
    if (parsedOrNull(n)?.length === 0) out.push(`${n} is a default route: it would send all your friend's traffic to you, and your friend's bgpals refuses it; announce your LANs only`);
  }
  for (const r of checkFriendPrefixes(me, labelled, [])) {
    if (r.code !== "prefix-public") out.push(`your friend would refuse this: ${r.message}`);
  }
  for (const w of facts.wans) {
    const address = w.address.split("/")[0]!;
    if (!isIPv4(address)) continue;
    for (const n of networks) {
      const prefix = parsedOrNull(n);
      if (prefix !== null && prefix.length > 0 && addressInPrefix(parseAddress(address), prefix)) out.push(`${n} holds your WAN address ${address} (${w.interface}): the tunnel to your friend would be routed into itself; announce only networks behind your router, not your WAN`);
    }
  }
  for (const n of networks) {
    for (const f of facts.friend?.networks ?? []) {
      if (overlapping(n, f)) out.push(`${n} overlaps ${facts.friend!.name}'s ${f}: the two networks must not share addresses; announce a network outside ${facts.friend!.networks.join(", ")}`);
    }
    for (const s of facts.tunnelSubnets ?? []) {
      if (overlapping(n, s)) out.push(`${n} overlaps the tunnel subnet ${s}: announce your LANs, not a tunnel`);
    }
  }
  return [...new Set(out)];
}
