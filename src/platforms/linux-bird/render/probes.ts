// Proves a Linux render's BIRD filters keep the policy (core/policy.ts): every probe route runs
// through the rules the BIRD text is written from.
import { keepsPromise, policyProbes, violation, type Probe, type ProbeOutcome } from "../../../core/policy.js";
import type { Peering } from "../../../core/peering.js";
import { runFilter } from "./filters.js";
import type { LinuxRendered } from "./render.js";

export type ProbeResult = Probe & ProbeOutcome;

export function runProbes(p: Peering, rendered: LinuxRendered): ProbeResult[] {
  return policyProbes(p, rendered.side).map((probe) => {
    const filter = rendered.filters.find((f) => f.link === probe.link && f.direction === probe.direction);
    const verdict = filter === undefined ? { action: "reject" as const, decidedBy: null, changes: {}, trace: [`no ${probe.direction} filter for ${probe.link}`] } : runFilter(filter, probe.dst);
    return { ...probe, verdict, ok: keepsPromise(probe, verdict) };
  });
}

/** The probes that failed, as messages; empty when the filters keep every promise. */
export function policyViolations(p: Peering, rendered: LinuxRendered): string[] {
  return runProbes(p, rendered)
    .filter((r) => !r.ok)
    .map((r) => violation(r, r.verdict));
}
