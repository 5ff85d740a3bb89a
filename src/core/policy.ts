// The policy a peering promises, as intent any platform's filters must keep: what is ours, and
// probe routes with the verdict each must get (the friend's allowed prefixes in with the right
// local-pref; the default route, our own prefixes, foreign and too-long prefixes out; only our
// networks leave, prepended on backup links). Platforms run the probes through their own rules.
import { formatPrefix, parsePrefix, prefixesOverlap, prefixWithin } from "./ipv4.js";
import { allowedOf, sidesOf, type Peering } from "./peering.js";

/** A route as a routing filter sees it. */
export interface FilterRoute {
  /** Destination prefix in CIDR form, e.g. "192.168.42.0/24". */
  dst: string;
  /** Origin protocol: "bgp", "connected", "static", ... */
  protocol?: string;
  gateway?: string;
  distance?: number;
  /** BGP attributes, when the route is (or will be announced as) BGP. */
  bgp?: {
    asPath: number[];
    localPref?: number;
    med?: number;
    origin?: "igp" | "egp" | "incomplete";
    communities?: string[];
  };
}

/** Attributes a filter chain changed on a route. */
export interface FilterChanges {
  localPref?: number;
  /** Times our own AS is prepended on announcement. */
  prepend?: number;
  med?: number;
  distance?: number;
}

/** The rule that decided, as configured on the router. */
export interface DecidingRule {
  chain: string;
  /** Position of the rule within its chain, 0-based. */
  index: number;
  /** The rule as the router shows it (v7 `rule` text, or the v6 rule's attributes). */
  text: string;
  comment?: string;
}

/** Outcome of running one route through a filter chain. */
export interface FilterVerdict {
  action: "accept" | "reject";
  /** null when no rule decided and the chain's implicit end rejected the route. */
  decidedBy: DecidingRule | null;
  changes: FilterChanges;
  /** Human-readable steps, for "why was this prefix filtered?". */
  trace: string[];
}

/** Prefixes that are ours: what we announce, what we may announce, and the tunnel subnets. */
export function ownPrefixes(p: Peering, me: string): string[] {
  const side = p.sides[me]!;
  const all = [...side.networks, ...allowedOf(side).map((a) => a.prefix), ...p.links.map((l) => l.subnet)];
  // Keep only the widest prefixes: one reject rule covers what lies inside it.
  return [...new Set(all)].filter((x, _, list) => !list.some((y) => y !== x && prefixWithin(parsePrefix(x), parsePrefix(y))));
}

export interface Probe {
  link: string;
  direction: "in" | "out";
  dst: string;
  /** What the probe is, in words. */
  what: string;
  expect: { action: "accept" | "reject"; localPref?: number; prepend?: number };
}

export interface ProbeResult extends Probe {
  verdict: FilterVerdict;
  ok: boolean;
}

/** A prefix inside 10.0.0.0/8 that overlaps none of the given ones, for "outside the allowed space". */
function foreignPrefix(avoid: string[]): string {
  for (let i = 0; i < 256; i++) {
    const candidate = `10.${255 - i}.0.0/24`;
    if (!avoid.some((a) => prefixesOverlap(parsePrefix(a), parsePrefix(candidate)))) return candidate;
  }
  return "198.18.255.0/24";
}

/** The probes for one side of a BGP peering. */
export function policyProbes(p: Peering, side: string): Probe[] {
  const { me, friend } = sidesOf(p, side);
  const mine = p.sides[me]!;
  const theirs = p.sides[friend]!;
  const allowed = allowedOf(theirs);
  const own = ownPrefixes(p, me);
  const foreign = foreignPrefix([...own, ...allowed.map((a) => a.prefix)]);
  const probes: Probe[] = [];
  for (const link of p.links) {
    const primary = link.name === p.policy.primary;
    const localPref = primary ? p.policy.localPref.primary : p.policy.localPref.backup;
    const add = (direction: Probe["direction"], dst: string, what: string, expect: Probe["expect"]) => probes.push({ link: link.name, direction, dst, what, expect });
    for (const a of allowed) {
      const base = parsePrefix(a.prefix);
      add("in", a.prefix, `${friend}'s allowed ${a.prefix}`, { action: "accept", localPref });
      add("in", formatPrefix({ network: base.network, length: a.maxLength }), `${friend}'s longest allowed /${a.maxLength}`, { action: "accept", localPref });
      if (a.maxLength < 32) add("in", formatPrefix({ network: base.network, length: a.maxLength + 1 }), `a too-long /${a.maxLength + 1} inside ${a.prefix}`, { action: "reject" });
      if (base.length > 1) add("in", formatPrefix(parsePrefix(`${a.prefix.split("/")[0]}/${base.length - 1}`)), `a wider prefix than ${a.prefix}`, { action: "reject" });
    }
    add("in", "0.0.0.0/0", "the default route", { action: "reject" });
    for (const o of own) add("in", o, `our own ${o}`, { action: "reject" });
    add("in", foreign, "a prefix outside the allowed space", { action: "reject" });

    const prepend = primary ? 0 : p.policy.backupPrepend;
    for (const n of mine.networks) add("out", n, `our network ${n}`, { action: "accept", prepend });
    for (const n of theirs.networks) add("out", n, `${friend}'s ${n}`, { action: "reject" });
    add("out", "0.0.0.0/0", "the default route", { action: "reject" });
    add("out", foreign, "a prefix that is not ours", { action: "reject" });
    for (const n of mine.networks) {
      const np = parsePrefix(n);
      if (np.length < 32) add("out", formatPrefix({ network: np.network, length: np.length + 1 }), `a more specific of our ${n}`, { action: "reject" });
    }
  }
  return probes;
}

export interface ProbeOutcome {
  verdict: FilterVerdict;
  ok: boolean;
}

/** Whether a verdict keeps the probe's promise. */
export function keepsPromise(probe: Probe, verdict: FilterVerdict): boolean {
  const e = probe.expect;
  return verdict.action === e.action && (e.localPref === undefined || verdict.changes.localPref === e.localPref) && (e.prepend === undefined || (verdict.changes.prepend ?? 0) === e.prepend);
}

/** A failed probe in words. */
export function violation(probe: Probe, verdict: FilterVerdict): string {
  const got = `${verdict.action}${verdict.changes.localPref !== undefined ? ` local-pref ${verdict.changes.localPref}` : ""}${verdict.changes.prepend ? ` prepend ${verdict.changes.prepend}` : ""}`;
  const want = `${probe.expect.action}${probe.expect.localPref !== undefined ? ` local-pref ${probe.expect.localPref}` : ""}${probe.expect.prepend ? ` prepend ${probe.expect.prepend}` : ""}`;
  return `${probe.direction === "in" ? "input" : "output"} filter on ${probe.link}: ${probe.what} (${probe.dst}) should be ${want}, the rendered rules give ${got}`;
}
