// Runs a route through a RouterOS 6 filter chain (`/routing filter`), as the lab reads the manual
// page "Manual:Routing/Routing filters" (wiki.mikrotik.com, "Applies to RouterOS: v3, v4 +"):
// - each rule is a set of attributes: matchers (prefix, prefix-length, ...), set-... changes, and an
//   action: "action (accept | discard | jump | log | passthrough | reject | return; Default:
//   passthrough)";
// - "Values from "set-..." properties are set no matter what action is specified in "action"
//   property": a matching rule applies its set-... values, then its action;
// - `invert-match` applies the rule to the routes that fail its matchers, and only to them.
// The page does not say what happens at the end of a chain. RouterOS 6 chains work like its
// firewall chains ("If a packet has not matched any rule within the chain, then it is accepted",
// Manual:IP/Firewall/Filter): the lab accepts a route that runs out of rules in the chain a peer
// names, and comes back to the caller at the end of a jumped-to chain.
import { prefixWithin, readPrefix, samePrefix } from "../ipv4.js";
import { MAX_JUMPS, dstPrefix, notIPv4, type FilterRoute, type Settable, type Verdict } from "./route.js";

/** A `/routing filter` item as the API prints it. */
export type V6Rule = Readonly<Record<string, string | undefined>>;

/** Attributes that say where a rule sits or what it does, not what it matches. */
const NOT_MATCHERS = new Set(["chain", "action", "jump-target", "invert-match", "disabled", "comment", ".id", "dynamic", "invalid", "prefix-length"]);

/** The set-... attributes the lab's routes carry. */
const SETS: Readonly<Record<string, Settable>> = {
  "set-bgp-local-pref": "localPref",
  "set-bgp-med": "med",
  "set-distance": "distance",
  "set-bgp-prepend": "prepend",
};

type Flow = { kind: "continue" } | { kind: "return" } | { kind: "decided"; accepted: boolean; by: string; discarded?: boolean };
const CONTINUE: Flow = { kind: "continue" };

const isYes = (value: string | undefined) => value === "true" || value === "yes";

/** Judges `route` by `chain` among `rules` (every filter rule of the router, in order). */
export function judgeV6(rules: readonly V6Rule[], chain: string, route: FilterRoute): Verdict {
  return compileV6(rules).judge(chain, route);
}

/** A router's rules read once, to judge many routes. */
export interface V6Judge {
  judge(chain: string, route: FilterRoute): Verdict;
}

/** One enabled rule of a chain with its label and the attributes it matches on. */
interface ReadRule {
  readonly rule: V6Rule;
  readonly label: string;
  readonly matchers: ReadonlyArray<readonly [string, string]>;
}

/** Reads `rules` once: chains, their enabled rules, each rule's label and matchers. */
export function compileV6(rules: readonly V6Rule[]): V6Judge {
  const chains = new Map<string, ReadRule[]>();
  for (const rule of rules) {
    if (isYes(rule.disabled) || rule.chain === undefined) continue;
    const list = chains.get(rule.chain) ?? [];
    const matchers = Object.entries(rule).filter((entry): entry is [string, string] => {
      const [attribute, value] = entry;
      return value !== undefined && value !== "" && !NOT_MATCHERS.has(attribute) && !attribute.startsWith("set-") && !attribute.startsWith("append-");
    });
    list.push({ rule, label: `${rule.chain} #${list.length}: ${describe(rule)}`, matchers });
    chains.set(rule.chain, list);
  }
  return {
    judge(chain, route) {
      const unjudged = notIPv4(route);
      if (unjudged !== null) return unjudged;
      const run = new Run(chains, { ...route });
      const flow = run.chain(chain, 0);
      if (flow.kind === "decided") return { accepted: flow.accepted, route: run.route, by: flow.by, notes: run.notes, ...(flow.discarded ? { discarded: true } : {}) };
      return { accepted: true, route: run.route, by: `end of chain ${chain} (RouterOS 6 accepts)`, notes: run.notes };
    },
  };
}

class Run {
  readonly notes: string[] = [];

  constructor(
    private readonly chains: ReadonlyMap<string, readonly ReadRule[]>,
    readonly route: FilterRoute,
  ) {}

  chain(name: string, depth: number): Flow {
    const rules = this.chains.get(name) ?? [];
    if (rules.length === 0 && depth > 0) this.notes.push(`chain ${name} has no rules`);
    for (const { rule, label, matchers } of rules) {
      const matched = this.matches(rule, label, matchers);
      if (matched === null || !matched) continue;
      for (const [attribute, field] of Object.entries(SETS)) {
        const value = rule[attribute];
        if (value !== undefined && value !== "") this.route[field] = Number(value);
      }
      const flow = this.act(rule, label, depth);
      if (flow.kind !== "continue") return flow;
    }
    return CONTINUE;
  }

  private act(rule: V6Rule, label: string, depth: number): Flow {
    const action = rule.action || "passthrough";
    switch (action) {
      case "accept":
        return { kind: "decided", accepted: true, by: label };
      // discard forgets the route, reject keeps it as inactive: either way it is not used.
      case "discard":
        return { kind: "decided", accepted: false, by: label, discarded: true };
      case "reject":
        return { kind: "decided", accepted: false, by: label };
      case "return":
        return { kind: "return" };
      case "jump": {
        const target = rule["jump-target"];
        if (!target) {
          this.notes.push(`${label}: action=jump without jump-target`);
          return CONTINUE;
        }
        if (depth >= MAX_JUMPS) {
          this.notes.push(`jump loop through ${target}`);
          return { kind: "decided", accepted: false, by: `${label} (jump loop)` };
        }
        const flow = this.chain(target, depth + 1);
        return flow.kind === "decided" ? flow : CONTINUE;
      }
      case "passthrough":
      case "log":
        return CONTINUE;
      default:
        this.notes.push(`${label}: unknown action ${action}, taken as passthrough`);
        return CONTINUE;
    }
  }

  /** Whether the rule applies to the route; null when it matches on something the lab does not model. */
  private matches(rule: V6Rule, label: string, matchers: ReadonlyArray<readonly [string, string]>): boolean | null {
    let all = true;
    for (const [attribute, value] of matchers) {
      const matched = this.matcher(attribute, value, rule["prefix-length"]);
      if (matched === null) {
        this.notes.push(`skipped ${label}: the lab cannot judge ${attribute}=${value}`);
        return null;
      }
      all &&= matched;
    }
    // A rule with prefix-length but no prefix still limits the length (prefix defaults to 0.0.0.0/0).
    if (rule.prefix === undefined || rule.prefix === "") {
      const length = rule["prefix-length"];
      if (length !== undefined && length !== "") {
        const matched = this.matcher("prefix", "0.0.0.0/0", length);
        if (matched === null) return null;
        all &&= matched;
      }
    }
    return isYes(rule["invert-match"]) ? !all : all;
  }

  private matcher(attribute: string, value: string, prefixLength: string | undefined): boolean | null {
    switch (attribute) {
      case "prefix": {
        // "If network mask is not set, /32 is assumed."
        const prefix = readPrefix(value);
        if (prefix === null) return null;
        const dst = dstPrefix(this.route);
        // "If prefix-length is not set, only exact match is done."
        if (prefixLength === undefined || prefixLength === "") return samePrefix(dst, prefix);
        const range = readRange(prefixLength);
        if (range === null) return null;
        // The route falls within the rule's prefix and its length within prefix-length.
        return prefixWithin(dst, prefix) && dst.length >= range[0] && dst.length <= range[1];
      }
      case "protocol":
        return value.split(",").includes(this.route.protocol);
      case "address-family":
        return value.split(",").includes("ip");
      // "If the LOCAL_PREF for a route is not set, value 0 is used instead"; the same for MED.
      case "bgp-local-pref":
        return inRange(this.route.localPref ?? 0, value);
      case "bgp-med":
        return inRange(this.route.med ?? 0, value);
      case "bgp-as-path-length":
        return inRange(this.route.asPath?.length ?? 0, value);
      case "distance":
        return this.route.distance === undefined ? false : inRange(this.route.distance, value);
      default:
        return null;
    }
  }
}

/** "23-32" or "24". */
function readRange(text: string): [number, number] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  return m === null ? null : [Number(m[1]), Number(m[2] ?? m[1])];
}

function inRange(value: number, text: string): boolean | null {
  const range = readRange(text);
  return range === null ? null : value >= range[0] && value <= range[1];
}

function describe(rule: V6Rule): string {
  return Object.entries(rule)
    .filter(([k, v]) => v !== undefined && v !== "" && !["chain", ".id", "comment", "disabled", "dynamic", "invalid"].includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}
