// Does a router's input chain let a new connection in? Enough of RouterOS's matcher for the lab:
// protocol, ports, interfaces and interface lists (with "!"), connection-state, jump/return.
import { enabled, type Item, type RouterView } from "./types.js";

export interface Packet {
  protocol: "tcp" | "udp" | "icmp";
  dstPort: number;
  inInterface: string;
}

export interface FirewallVerdict {
  accepted: boolean;
  /** The deciding rule's comment or position, for the lab's explanations. */
  rule: string;
}

function portMatches(spec: string, port: number): boolean {
  return spec.split(",").some((part) => {
    const [lo, hi] = part.split("-").map(Number);
    return hi === undefined ? port === lo : port >= (lo ?? 0) && port <= hi;
  });
}

function negatable(spec: string, test: (value: string) => boolean): boolean {
  return spec.startsWith("!") ? !test(spec.slice(1)) : test(spec);
}

function listMembers(router: RouterView, list: string): Set<string> {
  if (list === "all") return new Set(router.items("/interface").map((i) => i.name ?? ""));
  return new Set(router.items("/interface/list/member").filter((m) => m.list === list && enabled(m)).map((m) => m.interface ?? ""));
}

function ruleMatches(router: RouterView, rule: Item, packet: Packet): boolean {
  const checks: Array<[string, (spec: string) => boolean]> = [
    ["protocol", (s) => negatable(s, (v) => v === packet.protocol)],
    ["dst-port", (s) => negatable(s, (v) => portMatches(v, packet.dstPort))],
    ["in-interface", (s) => negatable(s, (v) => v === packet.inInterface)],
    ["in-interface-list", (s) => negatable(s, (v) => listMembers(router, v).has(packet.inInterface))],
    // A tunnel's first packet is a new connection.
    ["connection-state", (s) => negatable(s, (v) => v.split(",").includes("new"))],
  ];
  for (const [attr, test] of checks) {
    const spec = rule[attr];
    if (spec !== undefined && spec !== "" && !test(spec)) return false;
  }
  // Matchers the lab does not model make the rule not match, rather than guess.
  const modelled = new Set(["chain", "action", "comment", "disabled", ".id", "jump-target", "log", "log-prefix", "dynamic", "invalid", "bytes", "packets", "place-before", ...checks.map(([a]) => a)]);
  return Object.keys(rule).every((k) => modelled.has(k) || rule[k] === "");
}

/** Runs a new connection through the `input` chain; RouterOS accepts what no rule drops. */
export function inputAccepts(router: RouterView, packet: Packet): FirewallVerdict {
  const rules = router.items("/ip/firewall/filter").filter(enabled);
  const walk = (chain: string, depth: number): FirewallVerdict | null => {
    if (depth > 16) return { accepted: false, rule: `jump loop at ${chain}` };
    const inChain = rules.filter((r) => r.chain === chain);
    for (const [i, rule] of inChain.entries()) {
      if (!ruleMatches(router, rule, packet)) continue;
      const name = rule.comment ? `"${rule.comment}"` : `${chain} #${i}`;
      switch (rule.action ?? "accept") {
        case "accept":
          return { accepted: true, rule: name };
        case "drop":
        case "reject":
        case "tarpit":
          return { accepted: false, rule: name };
        case "jump": {
          const r = walk(rule["jump-target"] ?? "", depth + 1);
          if (r !== null) return r;
          break;
        }
        case "return":
          return null;
        default:
          break; // passthrough, log, add-src-to-address-list...: go on
      }
    }
    return null;
  };
  return walk("input", 0) ?? { accepted: true, rule: "end of input chain (RouterOS accepts)" };
}
