// RouterOS 6 routing filters (/routing filter): attribute-based rules, one match and one
// action each. Unlike v7, a chain that runs out of rules ACCEPTS the route, which is why
// v6 policies end with an explicit discard. Pure: no I/O.
import type { DecidingRule, FilterRoute } from "../../../core/policy.js";
import {
  asPathText,
  compileAsPath,
  inRange,
  isIPv6Text,
  parseRange,
  prefixInside,
  prefixLengthOf,
  toIPv4Prefix,
} from "./prefix.js";
import {
  CONTINUE,
  followJump,
  chainExists,
  finishVerdict,
  isYes,
  readNumeric,
  rulesOfChain,
  where,
  writeNumeric,
  type ChainVerdict,
  type Flow,
  type NumericProperty,
  type RouteState,
  type WritableProperty,
} from "./v7.js";

type YesNo = "yes" | "no" | "true" | "false" | boolean;

/** A `/routing filter` item with API attribute names and string values, as the router returns it. */
export interface V6FilterRule {
  chain: string;
  prefix?: string;
  "prefix-length"?: string;
  protocol?: string;
  "bgp-as-path"?: string;
  action?: "accept" | "discard" | "reject" | "jump" | "return" | "passthrough" | "log" | "none";
  "jump-target"?: string;
  "set-bgp-local-pref"?: string;
  "set-bgp-prepend"?: string;
  "set-bgp-med"?: string;
  "set-distance"?: string;
  "invert-match"?: YesNo;
  disabled?: YesNo;
  comment?: string;
  [attribute: string]: string | boolean | undefined;
}

/** Attributes that are bookkeeping or actions, not match conditions. */
const NOT_MATCHERS = new Set(["chain", "action", "jump-target", "invert-match", "disabled", "comment", ".id", "invalid", "dynamic", "prefix-length"]);
/** Attributes left out of the rule text shown in traces (the chain is already named there). */
const NOT_SHOWN = new Set(["chain", "comment", "disabled", ".id", "invalid", "dynamic"]);

const SETS: Record<string, WritableProperty> = {
  "set-bgp-local-pref": "bgp-local-pref",
  "set-bgp-prepend": "bgp-path-prepend",
  "set-bgp-med": "bgp-med",
  "set-distance": "distance",
};

/** Range matchers on numeric route properties. */
const RANGES: Record<string, NumericProperty> = {
  "bgp-as-path-length": "bgp-path-len",
  "bgp-local-pref": "bgp-local-pref",
  "bgp-med": "bgp-med",
  distance: "distance",
};

/** The rule as `print` would show it, minus chain and bookkeeping: "prefix=10.0.0.0/8 action=discard". */
export function renderV6Rule(rule: V6FilterRule): string {
  return Object.entries(rule)
    .filter(([key, value]) => !NOT_SHOWN.has(key) && value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${value === true ? "yes" : value === false ? "no" : value}`)
    .join(" ");
}

interface Run {
  rules: readonly V6FilterRule[];
  state: RouteState;
  trace: string[];
  callers: string[];
}

interface Position {
  chain: string;
  index: number;
  rule: V6FilterRule;
}

/**
 * Runs `route` through `chain` as RouterOS 6 would. Never throws: a jump loop or a jump to
 * an unknown chain rejects the route and says why.
 */
export function evaluateChainV6(rules: readonly V6FilterRule[], chain: string, route: FilterRoute): ChainVerdict {
  const run: Run = { rules, state: { route, changes: {} }, trace: [], callers: [] };
  const flow = runChain(run, chain);
  const decided = finishVerdict(chain, flow, run.state, run.trace);
  if (decided) return decided;
  if (!chainExists(rules, chain)) run.trace.push(`${chain}: no such chain`);
  run.trace.push(`${chain}: end of chain: accepted (RouterOS 6 default)`);
  return { action: "accept", decidedBy: null, changes: { ...run.state.changes }, trace: run.trace, chain };
}

function runChain(run: Run, chain: string): Flow {
  for (const { rule, index } of rulesOfChain(run.rules, chain)) {
    if (isYes(rule.disabled)) {
      run.trace.push(`${where(chain, index)}: disabled, skipped`);
      continue;
    }
    const flow = runRule(run, { chain, index, rule });
    if (flow.kind !== "continue") return flow;
  }
  return CONTINUE;
}

function runRule(run: Run, at: Position): Flow {
  const here = `${where(at.chain, at.index)}: ${renderV6Rule(at.rule) || "(matches everything)"}`;
  const reason = mismatch(at.rule, run.state);
  const inverted = isYes(at.rule["invert-match"]);
  if ((reason === null) === inverted) {
    const why = inverted ? "inverted match: every condition holds" : reason;
    run.trace.push(`${here} → no match (${why})`);
    return CONTINUE;
  }
  const applied = applySets(at.rule, run.state);
  const action = at.rule.action ?? "passthrough";
  const shown = action === "jump" ? `jump ${at.rule["jump-target"] ?? "(no target)"}` : action;
  run.trace.push(`${here} → match: ${shown}${applied.length > 0 ? ` (${applied.join(", ")})` : ""}`);
  switch (action) {
    case "accept":
      return decide(at, "accept");
    case "discard":
    case "reject":
      return decide(at, "reject");
    case "return":
      return { kind: "return" };
    case "jump":
      return runJump(run, at);
    default:
      return CONTINUE; // passthrough, log, none
  }
}

function decide(at: Position, action: "accept" | "reject", problem?: string): Flow {
  const by: DecidingRule = { chain: at.chain, index: at.index, text: renderV6Rule(at.rule) };
  if (at.rule.comment !== undefined && at.rule.comment !== "") by.comment = at.rule.comment;
  return problem === undefined ? { kind: "decided", action, by } : { kind: "decided", action, by, problem };
}

function runJump(run: Run, at: Position): Flow {
  const target = at.rule["jump-target"] ?? "";
  return followJump(run, at.chain, where(at.chain, at.index), target, (problem) => decide(at, "reject", problem), () => runChain(run, target));
}

/** Why the rule does not match, or null when every match property holds. */
function mismatch(rule: V6FilterRule, state: RouteState): string | null {
  for (const [key, raw] of Object.entries(rule)) {
    if (NOT_MATCHERS.has(key) || key.startsWith("set-") || raw === undefined || raw === "") continue;
    const reason = mismatchOf(key, String(raw), rule, state);
    if (reason !== null) return reason;
  }
  // prefix-length alone (without prefix) still limits the length.
  const lengths = rule["prefix-length"];
  if (rule.prefix === undefined && lengths !== undefined && lengths !== "") return lengthMismatch(state.route.dst, lengths);
  return null;
}

function mismatchOf(key: string, value: string, rule: V6FilterRule, state: RouteState): string | null {
  const { route } = state;
  switch (key) {
    case "prefix":
      return prefixMismatch(route.dst, value, rule["prefix-length"]);
    case "protocol":
      return route.protocol !== undefined && value.split(",").includes(route.protocol)
        ? null
        : `protocol ${route.protocol ?? "unknown"} is not ${value}`;
    case "bgp-as-path":
      return asPathMismatch(route, value);
    case "address-family": {
      const family = isIPv6Text(route.dst) ? "ipv6" : "ip";
      return value.split(",").some((v) => (v === "ipv4" ? "ip" : v) === family) ? null : `address family ${family} is not ${value}`;
    }
  }
  const property = RANGES[key];
  if (property !== undefined) return rangeMismatch(state, property, key, value);
  return `${key}=${value} is not modelled by bgpals, rule taken as not matching`;
}

function prefixMismatch(dst: string, prefix: string, lengths: string | undefined): string | null {
  const outer = toIPv4Prefix(prefix);
  if (outer === null) return `prefix ${prefix} is not IPv4`;
  if (!prefixInside(dst, prefix)) return `${dst} is not within ${prefix}`;
  if (lengths !== undefined && lengths !== "") return lengthMismatch(dst, lengths);
  // Without prefix-length, RouterOS 6 matches the prefix exactly.
  return prefixLengthOf(dst) === outer.length ? null : `${dst} is not exactly ${prefix}, no prefix-length given`;
}

function lengthMismatch(dst: string, lengths: string): string | null {
  const range = parseRange(lengths);
  const length = prefixLengthOf(dst);
  if (range === null) return `prefix-length ${lengths} is not a range`;
  return length !== null && inRange(length, range) ? null : `length /${length ?? "?"} is not in prefix-length ${lengths}`;
}

function asPathMismatch(route: FilterRoute, expression: string): string | null {
  const pattern = compileAsPath(expression);
  if (!(pattern instanceof RegExp)) return pattern.problem;
  if (route.bgp === undefined) return "not a BGP route, no AS path";
  const path = asPathText(route.bgp.asPath);
  return pattern.test(path) ? null : `AS path "${path}" does not match ${expression}`;
}

function rangeMismatch(state: RouteState, property: NumericProperty, key: string, value: string): string | null {
  const range = parseRange(value);
  if (range === null) return `${key}=${value} is not a number or range`;
  // The manual: "If the LOCAL_PREF for a route is not set, value 0 is used instead" (MED alike).
  const current = readNumeric(state, property) ?? (property === "bgp-local-pref" || property === "bgp-med" ? 0 : undefined);
  if (current === undefined) return `${key} is unknown for this route`;
  return inRange(current, range) ? null : `${key} ${current} is not in ${value}`;
}

/** Applies the rule's set-* attributes; returns what it applied or could not, for the trace. */
function applySets(rule: V6FilterRule, state: RouteState): string[] {
  const applied: string[] = [];
  for (const [key, raw] of Object.entries(rule)) {
    if (!key.startsWith("set-") || raw === undefined || raw === "") continue;
    const property = SETS[key];
    const value = String(raw);
    if (property === undefined) applied.push(`${key}=${value} not modelled`);
    else if (!/^\d+$/.test(value)) applied.push(`${key}=${value} is not a number, ignored`);
    else {
      writeNumeric(state, property, Number(value));
      applied.push(`${key}=${value}`);
    }
  }
  return applied;
}
