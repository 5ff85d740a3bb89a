// Primary/backup toggle: which link a peering prefers, what swapping it changes on our side
// (local-pref in, prepend out), and where the friend's prefixes are predicted to go.
// Pure: routes come in as observed, nothing here reads a router or the clock.
import { isIPv4Prefix, parsePrefix, prefixWithin } from "./ipv4.js";
import { allowedOf, sidesOf, type Peering } from "./peering.js";

/** A route to one of the friend's prefixes as `/ip/route` shows it. */
export interface ObservedRoute {
  dst: string;
  /** Next hop: the friend's tunnel address on the link the route came over. */
  gateway: string;
  active: boolean;
  localPref: number | null;
  /** "64513,64513,64513" as RouterOS prints it. */
  asPath?: string;
}

/** What one link's policy is before and after the swap, on our side. */
export interface LinkPolicyChange {
  link: string;
  role: { before: "primary" | "backup"; after: "primary" | "backup" };
  /** Set on routes received over this link (steers how we reach the friend). */
  localPref: { before: number; after: number };
  /** Times we prepend our ASN on announcements over this link (a hint to the friend). */
  prepend: { before: number; after: number };
}

export interface PathEnd {
  link: string | null;
  gateway: string;
  localPref: number | null;
}

/** Where the best path to one friend prefix is now, and where it is predicted to be. */
export interface PrefixPrediction {
  prefix: string;
  /** The active route now, null when there is none. */
  from: PathEnd | null;
  /** The predicted best route after the swap, null when none is left. */
  to: PathEnd | null;
  moves: boolean;
  /** Why the prediction is what it is, when that is not obvious. */
  note?: string;
}

export interface PreferPrediction {
  peering: string;
  side: string;
  friend: string;
  primary: { before: string; after: string };
  /** The requested link already is the primary: nothing should change. */
  unchanged: boolean;
  links: LinkPolicyChange[];
  prefixes: PrefixPrediction[];
  /** Why the way back (friend → us) is the friend's decision. */
  returnPath: string;
}

/** What a prefer bundle carries: short, signed by bundle.ts (nonce, expiry, recipient). */
export interface PreferBody {
  peering: string;
  primary: string;
}

/** Why a toggle cannot be done on this peering, or null. */
export function preferProblem(p: Peering, side: string, primary: string): string | null {
  if (p.sides[side] === undefined) return `peering ${p.name} has no side named ${side}; its sides are ${Object.keys(p.sides).join(" and ")}`;
  if (!p.links.some((l) => l.name === primary)) return `peering ${p.name} has no link named ${primary}; its links are ${p.links.map((l) => l.name).join(", ")}`;
  if (p.policy.mode !== "bgp") {
    return `peering ${p.name} uses static routes, not BGP: set policy.primary to ${primary} in the peering file and run bgpals apply (the distances follow the primary)`;
  }
  if (p.links.length < 2) return `peering ${p.name} has one link only: there is no backup to swap with`;
  return null;
}

/** The same peering with another primary link. */
export function swapPrimary(p: Peering, primary: string): Peering {
  return { ...p, policy: { ...p.policy, primary } };
}

function linkPolicy(p: Peering, link: string, primary: string): { role: "primary" | "backup"; localPref: number; prepend: number } {
  const isPrimary = link === primary;
  return {
    role: isPrimary ? "primary" : "backup",
    localPref: isPrimary ? p.policy.localPref.primary : p.policy.localPref.backup,
    prepend: isPrimary ? 0 : p.policy.backupPrepend,
  };
}

/** The policy of every link, before and after making `primary` the preferred one. */
export function linkChanges(p: Peering, primary: string): LinkPolicyChange[] {
  return p.links.map((l) => {
    const before = linkPolicy(p, l.name, p.policy.primary);
    const after = linkPolicy(p, l.name, primary);
    return {
      link: l.name,
      role: { before: before.role, after: after.role },
      localPref: { before: before.localPref, after: after.localPref },
      prepend: { before: before.prepend, after: after.prepend },
    };
  });
}

/** Which of the peering's links a route came over, by its next hop (the friend's tunnel address). */
export function linkOfGateway(p: Peering, friend: string, gateway: string): string | null {
  // RouterOS 7 may print "172.16.10.2%wg-remi-isp1": the address is what counts.
  const address = gateway.split("%")[0];
  return p.links.find((l) => l.address[friend] === address)?.name ?? null;
}

/** The friend's prefix space: what their side may announce to us. */
export function isFriendPrefix(p: Peering, friend: string, dst: string): boolean {
  if (!isIPv4Prefix(dst)) return false;
  const prefix = parsePrefix(dst);
  return allowedOf(p.sides[friend]!).some((a) => {
    const space = parsePrefix(a.prefix);
    return prefixWithin(prefix, space) && prefix.length <= a.maxLength;
  });
}

function asPathLength(path: string | undefined): number {
  return path === undefined || path === "" ? 0 : path.split(/[ ,]+/).filter(Boolean).length;
}

/** The explanation every prefer screen and command shows next to the prediction. */
export function returnPathNote(p: Peering, side: string, primary: string): string {
  const { friend } = sidesOf(p, side);
  const backups = p.links.filter((l) => l.name !== primary).map((l) => l.name);
  return [
    `Local-pref steers only how ${side} reaches ${friend}: it is never sent to ${friend}.`,
    `The way back (${friend} → ${side}) is ${friend}'s choice: ${side}'s prepend on ${backups.join(", ")} only suggests ${primary},`,
    `and ${friend}'s own local-pref wins over AS-path length. Send ${friend} the prefer bundle so ${friend} makes ${primary} primary too.`,
  ].join(" ");
}

/**
 * Predicts where the best path to each friend prefix goes once `primary` is preferred: routes
 * over the new primary get the primary local-pref, the others the backup one; then shorter AS
 * path; a tie keeps today's choice (RouterOS does not move a path for nothing).
 */
export function predictPrefer(p: Peering, side: string, primary: string, routes: readonly ObservedRoute[]): PreferPrediction {
  const problem = preferProblem(p, side, primary);
  if (problem !== null) throw new Error(problem);
  const { friend } = sidesOf(p, side);
  const changes = linkChanges(p, primary);
  const newPref = new Map(changes.map((c) => [c.link, c.localPref.after]));

  const relevant = routes.filter((r) => isFriendPrefix(p, friend, r.dst));
  const prefixes = [...new Set([...p.sides[friend]!.networks, ...relevant.map((r) => r.dst)])].sort();
  const predictions = prefixes.map((prefix): PrefixPrediction => {
    const candidates = relevant.filter((r) => r.dst === prefix);
    const active = candidates.find((r) => r.active);
    const from: PathEnd | null = active === undefined ? null : { link: linkOfGateway(p, friend, active.gateway), gateway: active.gateway, localPref: active.localPref };
    if (from !== null && from.link === null) {
      return { prefix, from, to: from, moves: false, note: `reached through ${from.gateway}, not over this peering: the swap does not change it` };
    }
    const ours = candidates
      .map((r) => ({ r, link: linkOfGateway(p, friend, r.gateway) }))
      .filter((c): c is { r: ObservedRoute; link: string } => c.link !== null)
      .sort((a, b) => (newPref.get(b.link) ?? 0) - (newPref.get(a.link) ?? 0) || asPathLength(a.r.asPath) - asPathLength(b.r.asPath) || Number(b.r.active) - Number(a.r.active));
    const best = ours[0];
    if (best === undefined) return { prefix, from, to: null, moves: false, note: `no route to ${prefix} now: it arrives over ${primary} once ${friend} announces it there` };
    const to: PathEnd = { link: best.link, gateway: best.r.gateway, localPref: newPref.get(best.link) ?? null };
    const moves = from === null || from.link !== to.link;
    const prediction: PrefixPrediction = { prefix, from, to, moves };
    if (best.link !== primary) prediction.note = `${friend} announces ${prefix} over ${best.link} only right now: it stays there until the ${primary} session carries it`;
    return prediction;
  });

  return {
    peering: p.name,
    side,
    friend,
    primary: { before: p.policy.primary, after: primary },
    unchanged: p.policy.primary === primary,
    links: changes,
    prefixes: predictions,
    returnPath: returnPathNote(p, side, primary),
  };
}

/** One line per link and per prefix, for a screen or a terminal. */
export function describePrediction(prediction: PreferPrediction): string[] {
  const lines: string[] = [];
  const { before, after } = prediction.primary;
  lines.push(prediction.unchanged ? `${after} is already the primary link of ${prediction.peering}` : `primary link of ${prediction.peering}: ${before} → ${after}`);
  for (const c of prediction.links) {
    const pref = c.localPref.before === c.localPref.after ? `local-pref ${c.localPref.after}` : `local-pref ${c.localPref.before} → ${c.localPref.after}`;
    const prepend = c.prepend.before === c.prepend.after ? `prepend ${c.prepend.after}` : `prepend ${c.prepend.before} → ${c.prepend.after}`;
    lines.push(`  ${c.link}: ${c.role.after}, in ${pref}, out ${prepend}`);
  }
  for (const x of prediction.prefixes) {
    const end = (e: PathEnd | null) => (e === null ? "no route" : `${e.link ?? e.gateway} (local-pref ${e.localPref ?? "-"})`);
    const verb = x.moves ? "moves" : "stays";
    lines.push(`  ${x.prefix} ${verb}: ${end(x.from)}${x.moves ? ` → ${end(x.to)}` : ""}${x.note ? ` — ${x.note}` : ""}`);
  }
  return lines;
}

export type PreferRequestCheck = { ok: true; primary: string } | { ok: false; reason: "malformed" | "unknown-peering" | "unknown-link"; message: string };

/**
 * Checks a received prefer body against the peering we hold with its sender. `peering` is null
 * when we hold none with them.
 */
export function checkPreferRequest(body: Readonly<Record<string, unknown>>, peering: Peering | null, sender: string): PreferRequestCheck {
  const { peering: name, primary } = body;
  if (typeof name !== "string" || typeof primary !== "string") {
    return { ok: false, reason: "malformed", message: `this prefer request from ${sender} does not say which peering and link: ask ${sender} for a new one (same bgpals version on both sides)` };
  }
  if (peering === null) return { ok: false, reason: "unknown-peering", message: `you hold no peering with ${sender} here (no peers/${sender}.json): nothing to change` };
  if (peering.name !== name) {
    return { ok: false, reason: "unknown-peering", message: `this request is for peering ${name}, but your peering with ${sender} is ${peering.name}: ask ${sender} which peering they mean` };
  }
  if (!peering.links.some((l) => l.name === primary)) {
    return { ok: false, reason: "unknown-link", message: `peering ${name} has no link ${primary} (its links are ${peering.links.map((l) => l.name).join(", ")}): ask ${sender} for a new request` };
  }
  return { ok: true, primary };
}
