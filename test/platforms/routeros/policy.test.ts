// Policy, proven by running probe routes through the rendered filters with the evaluator.
import { describe, expect, it } from "vitest";
import { policyViolations, runProbes } from "../../../src/platforms/routeros/filter/probes.js";
import { render } from "../../../src/platforms/routeros/render/render.js";
import { example, GOLDEN_MATRIX } from "../../helpers.js";

// Every golden render of a BGP scenario (S7 is static routes: no filters to prove).
const BGP_RENDERS = GOLDEN_MATRIX.filter(([scenario]) => scenario !== "s7");

describe("rendered filters keep the peering's promises", () => {
  for (const [scenario, side, version] of BGP_RENDERS) {
    it(`${scenario} ${side} on ${version}`, () => {
      const p = example(scenario);
      const results = runProbes(p, render(p, side, version));
      expect(results.filter((r) => !r.ok).map((r) => `${r.link} ${r.direction} ${r.what} ${r.dst}: ${r.verdict.trace.join(" | ")}`)).toEqual([]);

      // Every session: the friend's prefixes accepted with the link's local-pref...
      for (const link of p.links) {
        const primary = link.name === p.policy.primary;
        const accepted = results.filter((r) => r.link === link.name && r.direction === "in" && r.verdict.action === "accept");
        expect(accepted.length).toBeGreaterThan(0);
        for (const r of accepted) expect(r.verdict.changes.localPref).toBe(primary ? 200 : 100);
        // ...the default route, our own prefixes and foreign ones refused...
        const refused = results.filter((r) => r.link === link.name && r.direction === "in" && r.verdict.action === "reject").map((r) => r.what);
        expect(refused).toEqual(expect.arrayContaining(["the default route", "a prefix outside the allowed space", expect.stringMatching(/^our own /)]));
        // ...and only our networks leave, prepended on the backup.
        const out = results.filter((r) => r.link === link.name && r.direction === "out");
        for (const r of out.filter((x) => x.verdict.action === "accept")) {
          expect(r.what).toMatch(/^our network /);
          expect(r.verdict.changes.prepend ?? 0).toBe(primary ? 0 : 3);
        }
        expect(out.filter((x) => x.verdict.action === "accept")).toHaveLength(p.sides[side]!.networks.length);
      }
    });
  }

  it("refuses a too-long prefix where the allowed space has a maximum length", () => {
    const p = example("s3");
    const tooLong = runProbes(p, render(p, "alice")).filter((r) => r.what.startsWith("a too-long"));
    expect(tooLong.map((r) => [r.link, r.dst, r.verdict.action])).toEqual([
      ["isp1", "192.168.42.0/29", "reject"],
      ["isp2", "192.168.42.0/29", "reject"],
    ]);
  });

  it("catches a render that lost a rule", () => {
    const p = example("s1");
    const rendered = render(p, "alice");
    const broken = { ...rendered, commands: rendered.commands.filter((c) => c.role !== "in-isp1-default" && c.role !== "in-isp1-end" && c.role !== "in-isp1-own-192.168.0.0/23") };
    // v7 chains reject at their end, so only the own-prefix accept leak... add a catch-all accept to prove it.
    broken.commands.push({ path: "/routing/filter/rule", verb: "add", role: "x", attrs: { chain: "alice-remi-in-isp1", rule: "accept" } });
    const problems = policyViolations(p, broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        "input filter on isp1: the default route (0.0.0.0/0) should be reject, the rendered rules give accept",
        "input filter on isp1: our own 192.168.0.0/23 (192.168.0.0/23) should be reject, the rendered rules give accept",
      ]),
    );
    const v6 = render(example("s4"), "carol");
    const noFinalDiscard = { ...v6, commands: v6.commands.filter((c) => c.role !== "out-isp2-end") };
    expect(policyViolations(example("s4"), noFinalDiscard)).toContain("output filter on isp2: the default route (0.0.0.0/0) should be reject, the rendered rules give accept");
  });
});
