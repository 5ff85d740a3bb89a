// Proves a render's filters do what the peering promises, by running probe routes through them
// with the evaluator: the friend's allowed prefixes in with the right local-pref; the default
// route, our own prefixes, foreign and too-long prefixes out; only our networks leave, prepended
// on backup links.
import { evaluateChain, evaluateChainV6, type V6FilterRule, type V7FilterRule } from "./index.js";
import { formatPrefix, parsePrefix, prefixesOverlap } from "../../../core/ipv4.js";
import { names } from "../names.js";
import { allowedOf, sidesOf, type Peering } from "../../../core/peering.js";
import { ownPrefixes, type Rendered } from "../render/render.js";
import type { FilterRoute, FilterVerdict } from "../types.js";

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

/** Runs every probe through the rendered chains. */
export function runProbes(p: Peering, rendered: Rendered): ProbeResult[] {
  const v6 = rendered.dialect === "v6";
  const rules = rendered.commands.filter((c) => c.path === (v6 ? "/routing/filter" : "/routing/filter/rule")).map((c) => c.attrs);
  return policyProbes(p, rendered.side).map((probe) => {
    const chain = probe.direction === "in" ? names.inputChain(p, probe.link) : names.outputChain(p, probe.link);
    const route: FilterRoute = probe.direction === "in" ? { dst: probe.dst, protocol: "bgp", bgp: { asPath: [p.sides[sidesOf(p, rendered.side).friend]!.asn], localPref: 100 } } : { dst: probe.dst, protocol: "connected", bgp: { asPath: [] } };
    const verdict = v6 ? evaluateChainV6(rules as unknown as V6FilterRule[], chain, route) : evaluateChain(rules as unknown as V7FilterRule[], chain, route);
    const e = probe.expect;
    const ok =
      verdict.action === e.action &&
      (e.localPref === undefined || verdict.changes.localPref === e.localPref) &&
      (e.prepend === undefined || (verdict.changes.prepend ?? 0) === e.prepend);
    return { ...probe, verdict, ok };
  });
}

/** The probes that failed, as messages; empty when the filters keep every promise. */
export function policyViolations(p: Peering, rendered: Rendered): string[] {
  if (p.policy.mode !== "bgp") return [];
  return runProbes(p, rendered)
    .filter((r) => !r.ok)
    .map((r) => {
      const got = `${r.verdict.action}${r.verdict.changes.localPref !== undefined ? ` local-pref ${r.verdict.changes.localPref}` : ""}${r.verdict.changes.prepend ? ` prepend ${r.verdict.changes.prepend}` : ""}`;
      const want = `${r.expect.action}${r.expect.localPref !== undefined ? ` local-pref ${r.expect.localPref}` : ""}${r.expect.prepend ? ` prepend ${r.expect.prepend}` : ""}`;
      return `${r.direction === "in" ? "input" : "output"} filter on ${r.link}: ${r.what} (${r.dst}) should be ${want}, the rendered rules give ${got}`;
    });
}
