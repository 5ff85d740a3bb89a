// "Why was this prefix filtered?": replays a route through the input chain of each session, with
// the rules as the router holds them now, and says which rule decided and what it set.
import { describeVerdict, evaluateChain, evaluateChainV6, type V6FilterRule, type V7FilterRule } from "./filter/index.js";
import { isIPv4Prefix } from "../../core/ipv4.js";
import { parseOwnershipTag } from "./names.js";
import type { FilterVerdict } from "./types.js";
import type { RouterClient } from "./api/client.js";

export interface WhyAnswer {
  session: string;
  link: string | null;
  chain: string | null;
  verdict: FilterVerdict;
  summary: string;
}

export async function whyFiltered(client: RouterClient, v6: boolean, prefix: string, options: { session?: string; asPath?: number[] } = {}): Promise<WhyAnswer[]> {
  if (!isIPv4Prefix(prefix)) throw new Error(`${prefix} is not an IPv4 prefix like 192.168.42.0/24`);
  const [sessions, rules] = await Promise.all([
    client.print(v6 ? "/routing/bgp/peer" : "/routing/bgp/connection"),
    client.print(v6 ? "/routing/filter" : "/routing/filter/rule"),
  ]);
  const chosen = sessions.filter((s) => (options.session === undefined ? parseOwnershipTag(s.comment) !== null : s.name === options.session));
  return chosen.map((s) => {
    const chain = (v6 ? s["in-filter"] : s["input.filter"]) || null;
    const remoteAs = Number(v6 ? s["remote-as"] : s["remote.as"]);
    const route = { dst: prefix, protocol: "bgp", bgp: { asPath: options.asPath ?? [remoteAs], localPref: 100 } };
    const verdict: FilterVerdict =
      chain === null
        ? { action: "accept", decidedBy: null, changes: {}, trace: ["no input filter: RouterOS accepts everything the neighbour sends"] }
        : v6
          ? evaluateChainV6(rules as unknown as V6FilterRule[], chain, route)
          : evaluateChain(rules as unknown as V7FilterRule[], chain, route);
    const link = parseOwnershipTag(s.comment)?.role.replace(/^bgp-/, "") ?? null;
    return { session: s.name ?? "", link, chain, verdict, summary: chain === null ? "accepted: this session has no input filter" : describeVerdict({ ...verdict, chain } as never) };
  });
}
