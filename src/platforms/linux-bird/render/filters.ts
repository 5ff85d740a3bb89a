// The BIRD filters of a peering, as rules first and BIRD text second: the rules are what the
// policy probes run through (./probes.ts), the text is what BIRD reads (./bird.ts). One list of
// rules makes both, so what is proved is what is written.
import { parsePrefix, prefixWithin } from "../../../core/ipv4.js";
import { allowedOf, type Link, type Peering } from "../../../core/peering.js";
import { ownPrefixes, type FilterVerdict } from "../../../core/policy.js";

/** Which routes a rule is about. */
export type FilterMatch =
  | { kind: "default" }
  /** Routes inside `prefix` whose length is `from` to `to`. */
  | { kind: "prefix"; prefix: string; from: number; to: number };

export interface FilterRule {
  /** No match: the rule ends the filter for every route that reaches it. */
  match?: FilterMatch;
  action: "accept" | "reject";
  /** Set on an accepted route: local preference (import), times our AS is prepended (export). */
  set?: { localPref?: number; prepend?: number };
  /** Why, for people: written as a comment above the rule. */
  why: string;
}

export interface BirdFilter {
  name: string;
  direction: "in" | "out";
  link: string;
  rules: FilterRule[];
}

export interface FilterContext {
  p: Peering;
  me: string;
  friend: string;
  inputName: (link: string) => string;
  outputName: (link: string) => string;
}

/** The import and export filter of every link, with the same meaning as RouterOS's chains. */
export function peeringFilters(ctx: FilterContext): BirdFilter[] {
  const { p, me, friend } = ctx;
  const mine = p.sides[me]!;
  const own = ownPrefixes(p, me);
  const allowed = allowedOf(p.sides[friend]!);
  const filters: BirdFilter[] = [];
  for (const link of p.links) {
    const primary = isPrimary(p, link);
    const localPref = primary ? p.policy.localPref.primary : p.policy.localPref.backup;
    const role = primary ? "primary" : "backup";
    filters.push({
      name: ctx.inputName(link.name),
      direction: "in",
      link: link.name,
      rules: [
        { match: { kind: "default" }, action: "reject", why: `never take a default route from ${friend}` },
        ...own.map((prefix): FilterRule => ({ match: { kind: "prefix", prefix, from: parsePrefix(prefix).length, to: 32 }, action: "reject", why: `never take our own ${prefix} from ${friend}` })),
        ...allowed.map(({ prefix, maxLength }): FilterRule => ({
          match: { kind: "prefix", prefix, from: parsePrefix(prefix).length, to: maxLength },
          action: "accept",
          set: { localPref },
          why: `accept ${friend}'s ${prefix} up to /${maxLength}, local-pref ${localPref} (${role})`,
        })),
        { action: "reject", why: `anything else from ${friend} is refused` },
      ],
    });
    const prepend = primary ? 0 : p.policy.backupPrepend;
    filters.push({
      name: ctx.outputName(link.name),
      direction: "out",
      link: link.name,
      rules: [
        ...mine.networks.map((network): FilterRule => {
          const length = parsePrefix(network).length;
          return {
            match: { kind: "prefix", prefix: network, from: length, to: length },
            action: "accept",
            ...(prepend > 0 ? { set: { prepend } } : {}),
            why: `announce ${network} on ${link.name}${prepend > 0 ? `, our AS prepended ${prepend}x (backup)` : ""}`,
          };
        }),
        { action: "reject", why: "announce nothing else" },
      ],
    });
  }
  return filters;
}

export function isPrimary(p: Peering, link: Link): boolean {
  return link.name === p.policy.primary;
}

function matches(match: FilterMatch | undefined, dst: string): boolean {
  if (match === undefined) return true;
  const route = parsePrefix(dst);
  if (match.kind === "default") return route.length === 0;
  return prefixWithin(route, parsePrefix(match.prefix)) && route.length >= match.from && route.length <= match.to;
}

/** What a filter does with a route to `dst`, as BIRD runs it: the first rule that matches decides. */
export function runFilter(filter: BirdFilter, dst: string): FilterVerdict {
  const trace: string[] = [];
  for (const [index, rule] of filter.rules.entries()) {
    if (!matches(rule.match, dst)) continue;
    trace.push(`${filter.name} rule ${index}: ${rule.why}`);
    return {
      action: rule.action,
      decidedBy: { chain: filter.name, index, text: ruleText(rule), comment: rule.why },
      changes: rule.action === "accept" ? { ...(rule.set?.localPref !== undefined ? { localPref: rule.set.localPref } : {}), ...(rule.set?.prepend !== undefined ? { prepend: rule.set.prepend } : {}) } : {},
      trace,
    };
  }
  // BIRD rejects a route that runs off the end of a filter.
  return { action: "reject", decidedBy: null, changes: {}, trace: [`${filter.name}: no rule matched, rejected at the end`] };
}

/** A BIRD prefix pattern: `192.168.42.0/23{23,32}`, written `+` or exact where BIRD has a short form. */
export function prefixPattern(match: Extract<FilterMatch, { kind: "prefix" }>): string {
  const length = parsePrefix(match.prefix).length;
  if (match.from === length && match.to === 32) return `${match.prefix}+`;
  if (match.from === length && match.to === length) return match.prefix;
  return `${match.prefix}{${match.from},${match.to}}`;
}

/** One rule as BIRD's filter language says it; `myAsn` is what an export prepends. */
export function ruleText(rule: FilterRule, myAsn?: number): string {
  const actions: string[] = [];
  if (rule.set?.localPref !== undefined) actions.push(`bgp_local_pref = ${rule.set.localPref};`);
  // BIRD adds our AS once on export to an eBGP neighbour, after the filter: N more here make it 1 + N, as RouterOS's prepend N does.
  for (let i = 0; i < (rule.set?.prepend ?? 0); i++) actions.push(`bgp_path.prepend(${myAsn ?? "MY_AS"});`);
  actions.push(`${rule.action};`);
  const body = actions.length === 1 ? actions[0]! : `{ ${actions.join(" ")} }`;
  if (rule.match === undefined) return body;
  const test = rule.match.kind === "default" ? "net = 0.0.0.0/0" : `net ~ [ ${prefixPattern(rule.match)} ]`;
  return `if ${test} then ${body}`;
}
