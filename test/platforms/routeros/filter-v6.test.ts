import { describe, expect, it } from "vitest";
import { describeVerdict, evaluateChainV6, renderV6Rule, type V6FilterRule } from "../../../src/platforms/routeros/filter/index.js";
import type { FilterRoute } from "../../../src/core/policy.js";

const ISP1 = "alice-remi-in-isp1";

type Attributes = Omit<V6FilterRule, "chain">;

function chain(name: string, ...rules: Attributes[]): V6FilterRule[] {
  return rules.map((rule) => ({ chain: name, ...rule }));
}

/** Whether a one-rule chain "c" whose rule accepts on match accepts the route (else discarded by a final rule). */
function matches(rule: Attributes, route: FilterRoute): boolean {
  return evaluateChainV6(chain("c", { ...rule, action: "accept" }, { action: "discard" }), "c", route).action === "accept";
}

const bgp = (dst: string, asPath: number[], localPref?: number): FilterRoute => ({
  dst,
  protocol: "bgp",
  bgp: localPref === undefined ? { asPath } : { asPath, localPref },
});

describe("RouterOS 6: the alice-remi-in-isp1 policy", () => {
  const policy = chain(
    ISP1,
    { prefix: "0.0.0.0/0", action: "discard" },
    { prefix: "192.168.0.0/23", "prefix-length": "23-32", action: "discard", comment: "our own prefixes" },
    { prefix: "192.168.42.0/23", "prefix-length": "23-32", "set-bgp-local-pref": "200", action: "accept" },
    { action: "discard" },
  );

  it("accepts Remi's /24 with local-pref 200, decided by rule #2", () => {
    const v = evaluateChainV6(policy, ISP1, bgp("192.168.42.0/24", [64513]));
    expect(v).toMatchObject({
      action: "accept",
      changes: { localPref: 200 },
      decidedBy: { chain: ISP1, index: 2, text: "prefix=192.168.42.0/23 prefix-length=23-32 set-bgp-local-pref=200 action=accept" },
    });
    expect(v.trace).toEqual([
      `${ISP1} #0: prefix=0.0.0.0/0 action=discard → no match (192.168.42.0/24 is not exactly 0.0.0.0/0, no prefix-length given)`,
      `${ISP1} #1: prefix=192.168.0.0/23 prefix-length=23-32 action=discard → no match (192.168.42.0/24 is not within 192.168.0.0/23)`,
      `${ISP1} #2: prefix=192.168.42.0/23 prefix-length=23-32 set-bgp-local-pref=200 action=accept → match: accept (set-bgp-local-pref=200)`,
    ]);
    expect(describeVerdict(v)).toBe(`accepted by ${ISP1} #2 (local-pref 200)`);
  });

  it.each([
    ["0.0.0.0/0", 0],
    ["192.168.0.0/24", 1],
    ["192.168.1.0/24", 1],
    ["10.0.0.0/8", 3],
    ["192.168.42.0/22", 3],
  ])("discards %s at rule #%i", (dst, index) => {
    const v = evaluateChainV6(policy, ISP1, bgp(dst, [64513]));
    expect(v).toMatchObject({ action: "reject", decidedBy: { chain: ISP1, index }, changes: {} });
    expect(describeVerdict(v)).toBe(`rejected by ${ISP1} #${index}`);
  });

  it("carries the rule's comment", () => {
    expect(evaluateChainV6(policy, ISP1, bgp("192.168.0.0/24", [1])).decidedBy?.comment).toBe("our own prefixes");
  });

  it("without the final discard, anything else is accepted: the v6 default", () => {
    const open = policy.slice(0, 3);
    const v = evaluateChainV6(open, ISP1, bgp("10.0.0.0/8", [64513]));
    expect(v).toMatchObject({ action: "accept", decidedBy: null, changes: {} });
    expect(v.trace.at(-1)).toBe(`${ISP1}: end of chain: accepted (RouterOS 6 default)`);
    expect(describeVerdict(v)).toBe(`accepted at end of chain ${ISP1}`);
  });
});

describe("RouterOS 6 matchers", () => {
  it("reads an unset local-pref or MED as 0, as the manual says", () => {
    expect(matches({ "bgp-local-pref": "0" }, bgp("10.0.0.0/8", [64513]))).toBe(true);
    expect(matches({ "bgp-local-pref": "0" }, bgp("10.0.0.0/8", [64513], 100))).toBe(false);
    expect(matches({ "bgp-med": "0" }, bgp("10.0.0.0/8", [64513]))).toBe(true);
  });

  it.each([
    [{ prefix: "0.0.0.0/0" }, "0.0.0.0/0", true],
    [{ prefix: "0.0.0.0/0" }, "10.0.0.0/8", false],
    [{ prefix: "0.0.0.0/0", "prefix-length": "0-32" }, "10.0.0.0/8", true],
    [{ prefix: "10.0.0.0/8" }, "10.0.0.0/8", true],
    [{ prefix: "10.0.0.0/8" }, "10.1.0.0/16", false],
    [{ prefix: "10.0.0.0/8", "prefix-length": "16" }, "10.1.0.0/16", true],
    [{ prefix: "10.0.0.0/8", "prefix-length": "16" }, "10.1.0.0/24", false],
    [{ prefix: "10.0.0.0/8", "prefix-length": "16-24" }, "10.1.1.0/24", true],
    [{ prefix: "10.0.0.0/8", "prefix-length": "16-24" }, "11.1.1.0/24", false],
    [{ "prefix-length": "25-32" }, "10.1.1.0/24", false],
    [{ "prefix-length": "25-32" }, "10.1.1.0/25", true],
  ] as [Attributes, string, boolean][])("%j matches %s: %s", (rule, dst, expected) => {
    expect(matches(rule, { dst })).toBe(expected);
  });

  it.each([
    ["bgp", "bgp", true],
    ["bgp", "static", false],
    ["connected,static", "static", true],
    ["connected,static", "bgp", false],
  ])("protocol=%s with a %s route: %s", (protocol, routeProtocol, expected) => {
    expect(matches({ protocol }, { dst: "10.0.0.0/24", protocol: routeProtocol })).toBe(expected);
  });

  it.each([
    ["^64513$", [64513], true],
    ["^64513$", [64512, 64513], false],
    ["_64513_", [64512, 64513, 1], true],
    ["_64513_", [164513], false],
    ["^6451[0-3]$", [64512], true],
    ["^[0-9]+ 64513$", [1, 64513], true],
    ["^$", [], true],
  ])("bgp-as-path=%s with AS path %j: %s", (expression, asPath, expected) => {
    expect(matches({ "bgp-as-path": expression }, bgp("10.0.0.0/24", asPath))).toBe(expected);
  });

  it("an AS-path rule does not match a route that is not BGP", () => {
    expect(matches({ "bgp-as-path": ".*" }, { dst: "10.0.0.0/24", protocol: "static" })).toBe(false);
  });

  it("matches ranges of AS-path length, local-pref, MED and distance", () => {
    const route: FilterRoute = { dst: "10.0.0.0/24", protocol: "bgp", distance: 20, bgp: { asPath: [1, 2], localPref: 100, med: 5 } };
    expect(matches({ "bgp-as-path-length": "2-3" }, route)).toBe(true);
    expect(matches({ "bgp-as-path-length": "3-5" }, route)).toBe(false);
    expect(matches({ "bgp-local-pref": "100" }, route)).toBe(true);
    expect(matches({ "bgp-med": "6-10" }, route)).toBe(false);
    expect(matches({ distance: "0-20" }, route)).toBe(true);
  });

  it("requires every match property to hold", () => {
    const rule = { prefix: "10.0.0.0/8", "prefix-length": "8-24", protocol: "bgp" };
    expect(matches(rule, { dst: "10.0.0.0/24", protocol: "bgp" })).toBe(true);
    expect(matches(rule, { dst: "10.0.0.0/24", protocol: "static" })).toBe(false);
  });

  it("inverts the match with invert-match", () => {
    const rule: Attributes = { prefix: "192.168.42.0/23", "prefix-length": "23-32", "invert-match": "yes" };
    expect(matches(rule, { dst: "10.0.0.0/8" })).toBe(true);
    expect(matches(rule, { dst: "192.168.42.0/24" })).toBe(false);
    expect(matches({ ...rule, "invert-match": "no" }, { dst: "192.168.42.0/24" })).toBe(true);
  });

  it("treats IPv6 routes and prefixes as not matching, without crashing", () => {
    expect(matches({ prefix: "0.0.0.0/0", "prefix-length": "0-32" }, { dst: "2001:db8::/32" })).toBe(false);
    expect(matches({ prefix: "2001:db8::/32", "prefix-length": "32-64" }, { dst: "2001:db8::/48" })).toBe(false);
    expect(matches({ protocol: "bgp" }, { dst: "2001:db8::/48", protocol: "bgp" })).toBe(true);
  });

  it("takes a rule with a matcher bgpals does not model as not matching, and says so", () => {
    const v = evaluateChainV6(chain("c", { "bgp-communities": "65000:100", action: "discard" }), "c", { dst: "10.0.0.0/24" });
    expect(v.action).toBe("accept");
    expect(v.trace[0]).toBe("c #0: bgp-communities=65000:100 action=discard → no match (bgp-communities=65000:100 is not modelled by bgpals, rule taken as not matching)");
  });
});

describe("RouterOS 6 actions", () => {
  it.each(["discard", "reject"] as const)("%s is final and rejects", (action) => {
    const v = evaluateChainV6(chain("c", { action }, { action: "accept" }), "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: { index: 0, text: `action=${action}` } });
  });

  it("applies set-* on passthrough, the default action, and keeps going", () => {
    const rules = chain(
      "c",
      { prefix: "10.0.0.0/8", "prefix-length": "8-32", "set-bgp-local-pref": "150" },
      { "set-bgp-prepend": "2", "set-bgp-med": "30", "set-distance": "25", action: "passthrough" },
      { action: "log" },
    );
    const v = evaluateChainV6(rules, "c", bgp("10.1.0.0/16", [1]));
    expect(v).toMatchObject({ action: "accept", decidedBy: null, changes: { localPref: 150, prepend: 2, med: 30, distance: 25 } });
    expect(v.trace[0]).toBe("c #0: prefix=10.0.0.0/8 prefix-length=8-32 set-bgp-local-pref=150 → match: passthrough (set-bgp-local-pref=150)");
  });

  it("lets later rules see what an earlier rule set", () => {
    const rules = chain("c", { "set-bgp-local-pref": "200" }, { "bgp-local-pref": "150-300", action: "accept" }, { action: "discard" });
    expect(evaluateChainV6(rules, "c", bgp("10.0.0.0/24", [1], 100))).toMatchObject({ action: "accept", decidedBy: { index: 1 } });
  });

  it("does not apply set-* when the rule does not match", () => {
    const rules = chain("c", { prefix: "10.0.0.0/8", "set-bgp-local-pref": "200" });
    expect(evaluateChainV6(rules, "c", bgp("192.168.0.0/24", [1])).changes).toEqual({});
  });

  it("notes set-* attributes it does not model", () => {
    const v = evaluateChainV6(chain("c", { "set-bgp-communities": "65000:1", action: "accept" }), "c", { dst: "10.0.0.0/24" });
    expect(v.trace[0]).toBe("c #0: set-bgp-communities=65000:1 action=accept → match: accept (set-bgp-communities=65000:1 not modelled)");
  });

  it("skips disabled rules but counts them in the router's numbering", () => {
    const rules = chain("c", { action: "discard", disabled: "yes" }, { action: "discard", disabled: true }, { action: "discard", disabled: "true" }, { action: "reject", disabled: "no" });
    const v = evaluateChainV6(rules, "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: { index: 3 } });
    expect(v.trace.slice(0, 3)).toEqual(["c #0: disabled, skipped", "c #1: disabled, skipped", "c #2: disabled, skipped"]);
  });

  it("jumps and continues after the jump when the target ends or returns", () => {
    const rules = [
      ...chain("main", { action: "jump", "jump-target": "tag" }, { "bgp-med": "7", action: "accept" }, { action: "discard" }),
      ...chain("tag", { "set-bgp-med": "7" }, { action: "return" }, { action: "discard" }),
    ];
    const v = evaluateChainV6(rules, "main", bgp("10.0.0.0/24", [1]));
    expect(v).toMatchObject({ action: "accept", decidedBy: { chain: "main", index: 1 }, changes: { med: 7 } });
    expect(v.trace).toContain("main #0: action=jump jump-target=tag → match: jump tag");
    expect(v.trace).toContain("main #0: back from tag (return)");
  });

  it("treats accept and discard in the jumped chain as final", () => {
    const rules = [...chain("main", { action: "jump", "jump-target": "sub" }, { action: "accept" }), ...chain("sub", { prefix: "10.0.0.0/8", "prefix-length": "8-32", action: "discard" })];
    expect(evaluateChainV6(rules, "main", { dst: "10.0.0.0/24" })).toMatchObject({ action: "reject", decidedBy: { chain: "sub", index: 0 } });
    expect(evaluateChainV6(rules, "main", { dst: "11.0.0.0/24" })).toMatchObject({ action: "accept", decidedBy: { chain: "main", index: 1 } });
  });

  it("a return in the top-level chain ends it: accepted by default", () => {
    const v = evaluateChainV6(chain("c", { action: "return" }, { action: "discard" }), "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "accept", decidedBy: null });
  });

  it("rejects on a jump loop and explains it", () => {
    const rules = [...chain("a", { action: "jump", "jump-target": "b" }), ...chain("b", { action: "jump", "jump-target": "a" })];
    const v = evaluateChainV6(rules, "a", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", problem: expect.stringMatching(/^jump loop (a → b → a|b → a → b) \(more than 32 nested jumps\)$/) });
    expect(v.trace.at(-1)).toMatch(/: jump loop .*: rejected$/);
  });

  it("rejects a jump to an unknown chain, or without a target", () => {
    const unknown = evaluateChainV6(chain("c", { action: "jump", "jump-target": "nowhere" }), "c", { dst: "10.0.0.0/24" });
    expect(unknown).toMatchObject({ action: "reject", decidedBy: { index: 0 }, problem: "jump to unknown chain nowhere" });
    expect(describeVerdict(unknown)).toBe("rejected by c #0 (jump to unknown chain nowhere)");
    const targetless = evaluateChainV6(chain("c", { action: "jump" }), "c", { dst: "10.0.0.0/24" });
    expect(targetless).toMatchObject({ action: "reject", problem: "jump without jump-target" });
  });

  it("accepts when the chain does not exist, as the v6 default", () => {
    const v = evaluateChainV6([], "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "accept", decidedBy: null });
    expect(v.trace).toEqual(["c: no such chain", "c: end of chain: accepted (RouterOS 6 default)"]);
  });
});

describe("renderV6Rule", () => {
  it("shows the rule as print would, without chain and bookkeeping", () => {
    const rule: V6FilterRule = { ".id": "*1", chain: "c", prefix: "10.0.0.0/8", "invert-match": true, action: "discard", comment: "x", disabled: "no", dynamic: "false", "set-bgp-med": "" };
    expect(renderV6Rule(rule)).toBe("prefix=10.0.0.0/8 invert-match=yes action=discard");
  });
});
