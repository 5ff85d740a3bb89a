// Proves a render's filters keep the policy (core/policy.ts), by running its probe routes
// through the rendered rules with bgpals's RouterOS filter evaluator.
import { keepsPromise, policyProbes, violation, type FilterRoute, type Probe, type ProbeOutcome } from "../../../core/policy.js";
import { sidesOf, type Peering } from "../../../core/peering.js";
import { names } from "../names.js";
import type { Rendered } from "../render/render.js";
import { evaluateChain, evaluateChainV6, type V6FilterRule, type V7FilterRule } from "./index.js";

export type ProbeResult = Probe & ProbeOutcome;

/** Runs every probe through the rendered chains. */
export function runProbes(p: Peering, rendered: Rendered): ProbeResult[] {
  const script = rendered.dialect.filterRulesAreScript;
  const rules = rendered.commands.filter((c) => c.path === (script ? "/routing/filter/rule" : "/routing/filter")).map((c) => c.attrs);
  return policyProbes(p, rendered.side).map((probe) => {
    const chain = probe.direction === "in" ? names.inputChain(p, probe.link) : names.outputChain(p, probe.link);
    const route: FilterRoute = probe.direction === "in" ? { dst: probe.dst, protocol: "bgp", bgp: { asPath: [p.sides[sidesOf(p, rendered.side).friend]!.asn], localPref: 100 } } : { dst: probe.dst, protocol: "connected", bgp: { asPath: [] } };
    const verdict = script ? evaluateChain(rules as unknown as V7FilterRule[], chain, route) : evaluateChainV6(rules as unknown as V6FilterRule[], chain, route);
    return { ...probe, verdict, ok: keepsPromise(probe, verdict) };
  });
}

/** The probes that failed, as messages; empty when the filters keep every promise. */
export function policyViolations(p: Peering, rendered: Rendered): string[] {
  if (p.policy.mode !== "bgp") return [];
  return runProbes(p, rendered)
    .filter((r) => !r.ok)
    .map((r) => violation(r, r.verdict));
}
