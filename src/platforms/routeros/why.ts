// "Why was this prefix filtered?": replays a route through the input chain of each session, with
// the rules as the router holds them now, and says which rule decided and what it set.
import { isIPv4Prefix, parsePrefix, prefixWithin } from "../../core/ipv4.js";
import type { FilterVerdict } from "../../core/policy.js";
import { UsageError } from "../../errors.js";
import type { WhyAnswer } from "../platform.js";
import type { RouterClient, RouterItem } from "./api/client.js";
import type { Dialect } from "./dialects.js";
import { describeVerdict, evaluateChain, evaluateChainV6, type V6FilterRule, type V7FilterRule } from "./filter/index.js";
import { menusOf } from "./menus.js";
import { parseOwnershipTag } from "./names.js";

export async function whyFiltered(client: RouterClient, dialect: Dialect, prefix: string, options: { session?: string; asPath?: number[] } = {}): Promise<WhyAnswer[]> {
  if (!isIPv4Prefix(prefix)) throw new UsageError(`${prefix} is not an IPv4 prefix like 192.168.42.0/24`);
  return (await readFilters(client, dialect)).why(prefix, options);
}

/** The sessions and filter rules read once, to say why for many prefixes. */
export interface Filters {
  why(prefix: string, options?: { session?: string; asPath?: number[] }): WhyAnswer[];
  /** The sessions whose neighbour is `address` (a route's gateway). */
  sessionsAt(address: string): string[];
  /** The rule that rejected `prefix` on `session`, in words (see FilteredRoute.reason); null when it is accepted. */
  reason(prefix: string, session: string, asPath?: number[]): string | null;
}

export async function readFilters(client: RouterClient, dialect: Dialect): Promise<Filters> {
  const menus = menusOf(dialect);
  const [sessions, rules] = await Promise.all([client.print(menus.bgpSessions), client.print(menus.filterRules)]);
  const answer = (s: RouterItem, prefix: string, asPath: number[] | undefined): WhyAnswer => {
    const chain = s[menus.attr.inputFilter] || null;
    const remoteAs = Number(s[menus.attr.remoteAs]);
    const route = { dst: prefix, protocol: "bgp", bgp: { asPath: asPath ?? [remoteAs], localPref: 100 } };
    const verdict: FilterVerdict =
      chain === null
        ? { action: "accept", decidedBy: null, changes: {}, trace: ["no input filter: RouterOS accepts everything the neighbour sends"] }
        : dialect.filterRulesAreScript
          ? evaluateChain(rules as unknown as V7FilterRule[], chain, route)
          : evaluateChainV6(rules as unknown as V6FilterRule[], chain, route);
    const link = parseOwnershipTag(s.comment)?.role.replace(/^bgp-/, "") ?? null;
    return { session: s.name ?? "", link, chain, verdict, summary: chain === null ? "accepted: this session has no input filter" : describeVerdict({ ...verdict, chain } as never) };
  };
  const wordsFor = (a: WhyAnswer, prefix: string): string | null => {
    const inChain = a.chain === null ? [] : rules.filter((r) => r.chain === a.chain);
    const by = a.verdict.decidedBy === null ? undefined : inChain[a.verdict.decidedBy.index];
    return rejectionInWords(prefix, by, inChain, dialect);
  };
  return {
    why(prefix, options = {}) {
      const chosen = sessions.filter((s) => (options.session === undefined ? parseOwnershipTag(s.comment) !== null : s.name === options.session));
      return chosen.map((s) => {
        const a = answer(s, prefix, options.asPath);
        // A rejection by bgpals's own rules says what it refused, in words.
        const words = a.verdict.action === "reject" ? wordsFor(a, prefix) : null;
        return words === null ? a : { ...a, summary: `${a.summary}: ${words}` };
      });
    },
    sessionsAt(address) {
      return sessions.filter((s) => (s[menus.attr.remoteAddress] ?? "").replace(/\/32$/, "") === address).map((s) => s.name ?? "");
    },
    reason(prefix, session, asPath) {
      const s = sessions.find((x) => x.name === session);
      if (s === undefined) return null;
      const a = answer(s, prefix, asPath);
      if (a.verdict.action === "accept") return null;
      return wordsFor(a, prefix) ?? a.summary;
    },
  };
}

/**
 * bgpals's own input rules say what they refuse by their role (`in-<link>-default`, `-own-<prefix>`,
 * `-end`); the end of the chain also catches a piece of an allowed prefix longer than it allows.
 * Null for a rule that is not bgpals's.
 */
function rejectionInWords(prefix: string, by: RouterItem | undefined, chain: readonly RouterItem[], dialect: Dialect): string | null {
  const role = by === undefined ? "in--end" : (parseOwnershipTag(by.comment)?.role ?? "");
  if (!role.startsWith("in-")) return null;
  if (role.endsWith("-default")) return "default route";
  const own = /-own-(\d+\.\d+\.\d+\.\d+\/\d+)$/.exec(role)?.[1];
  if (own !== undefined) return `your own network ${own}`;
  if (!role.endsWith("-end")) return null;
  const route = parsePrefix(prefix);
  for (const rule of chain) {
    const allowed = /^in-.+-allow-(\d+\.\d+\.\d+\.\d+\/\d+)$/.exec(parseOwnershipTag(rule.comment)?.role ?? "")?.[1];
    if (allowed === undefined || !isIPv4Prefix(allowed) || !prefixWithin(route, parsePrefix(allowed))) continue;
    const longest = longestAllowed(rule, dialect);
    if (longest !== null && route.length > longest) return `longer than /${longest}`;
  }
  return "not in friend's allowed prefixes";
}

/** The longest prefix length an allow rule takes: `dst-len == 24` / `dst-len in 24-28` (7), `prefix-length=24-28` (6). */
function longestAllowed(rule: RouterItem, dialect: Dialect): number | null {
  const text = dialect.filterRulesAreScript ? /dst-len\s*(?:==|in)\s*(\d+)(?:\s*-\s*(\d+))?/.exec(rule.rule ?? "") : /^(\d+)(?:-(\d+))?$/.exec(rule["prefix-length"] ?? "");
  if (text === null) return null;
  return Number(text[2] ?? text[1]);
}
