// "Why was this prefix filtered?": replays a route through the input chain of each session, with
// the rules as the router holds them now, and says which rule decided and what it set.
import { isIPv4Prefix } from "../../core/ipv4.js";
import type { FilterVerdict } from "../../core/policy.js";
import { UsageError } from "../../errors.js";
import type { WhyAnswer } from "../platform.js";
import type { RouterClient } from "./api/client.js";
import type { Dialect } from "./dialects.js";
import { describeVerdict, evaluateChain, evaluateChainV6, type V6FilterRule, type V7FilterRule } from "./filter/index.js";
import { menusOf } from "./menus.js";
import { parseOwnershipTag } from "./names.js";

export async function whyFiltered(client: RouterClient, dialect: Dialect, prefix: string, options: { session?: string; asPath?: number[] } = {}): Promise<WhyAnswer[]> {
  if (!isIPv4Prefix(prefix)) throw new UsageError(`${prefix} is not an IPv4 prefix like 192.168.42.0/24`);
  const menus = menusOf(dialect);
  const [sessions, rules] = await Promise.all([client.print(menus.bgpSessions), client.print(menus.filterRules)]);
  const chosen = sessions.filter((s) => (options.session === undefined ? parseOwnershipTag(s.comment) !== null : s.name === options.session));
  return chosen.map((s) => {
    const chain = s[menus.attr.inputFilter] || null;
    const remoteAs = Number(s[menus.attr.remoteAs]);
    const route = { dst: prefix, protocol: "bgp", bgp: { asPath: options.asPath ?? [remoteAs], localPref: 100 } };
    const verdict: FilterVerdict =
      chain === null
        ? { action: "accept", decidedBy: null, changes: {}, trace: ["no input filter: RouterOS accepts everything the neighbour sends"] }
        : dialect.filterRulesAreScript
          ? evaluateChain(rules as unknown as V7FilterRule[], chain, route)
          : evaluateChainV6(rules as unknown as V6FilterRule[], chain, route);
    const link = parseOwnershipTag(s.comment)?.role.replace(/^bgp-/, "") ?? null;
    return { session: s.name ?? "", link, chain, verdict, summary: chain === null ? "accepted: this session has no input filter" : describeVerdict({ ...verdict, chain } as never) };
  });
}
