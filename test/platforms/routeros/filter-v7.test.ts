import { describe, expect, it } from "vitest";
import { describeVerdict, evaluateChain, FilterSyntaxError, parseRule, type V7FilterRule } from "../../../src/platforms/routeros/filter/index.js";
import type { FilterRoute, FilterVerdict } from "../../../src/core/policy.js";

const ISP1 = "alice-remi-in-isp1";

function chain(name: string, ...rules: string[]): V7FilterRule[] {
  return rules.map((rule) => ({ chain: name, rule }));
}

/** Runs a route through a one-rule chain "c" and says whether it was accepted. */
function accepts(rule: string, route: FilterRoute): boolean {
  return evaluateChain(chain("c", rule), "c", route).action === "accept";
}

const bgp = (dst: string, asPath: number[], localPref?: number): FilterRoute => ({
  dst,
  protocol: "bgp",
  bgp: localPref === undefined ? { asPath } : { asPath, localPref },
});

describe("RouterOS 7: the alice-remi-in-isp1 policy", () => {
  const policy = chain(
    ISP1,
    "if (dst == 0.0.0.0/0) { reject }",
    "if (dst in 192.168.0.0/23) { reject }",
    "if (dst in 192.168.42.0/23 && dst-len in 23-32) { set bgp-local-pref 200; accept }",
    "reject",
  );

  it("accepts Remi's /24 with local-pref 200, decided by rule #2", () => {
    const v = evaluateChain(policy, ISP1, { dst: "192.168.42.0/24", protocol: "bgp", bgp: { asPath: [64513] } });
    expect(v.action).toBe("accept");
    expect(v.changes).toEqual({ localPref: 200 });
    expect(v.decidedBy).toEqual({ chain: ISP1, index: 2, text: policy[2]?.rule });
    expect(v.trace).toEqual([
      `${ISP1} #0: if (dst == 0.0.0.0/0) → false`,
      `${ISP1} #1: if (dst in 192.168.0.0/23) → false`,
      `${ISP1} #2: if (dst in 192.168.42.0/23 && dst-len in 23-32) → true: set bgp-local-pref 200; accept`,
    ]);
    expect(describeVerdict(v)).toBe(`accepted by ${ISP1} #2 (local-pref 200)`);
  });

  it.each([
    ["0.0.0.0/0", 0],
    ["192.168.0.0/24", 1],
    ["192.168.1.0/24", 1],
    ["10.0.0.0/8", 3],
    ["192.168.42.0/22", 3],
  ])("rejects %s at rule #%i, with no changes", (dst, index) => {
    const v = evaluateChain(policy, ISP1, { dst, protocol: "bgp", bgp: { asPath: [64513] } });
    expect(v.action).toBe("reject");
    expect(v.decidedBy?.index).toBe(index);
    expect(v.changes).toEqual({});
    expect(describeVerdict(v)).toBe(`rejected by ${ISP1} #${index}`);
  });

  it("the too-short /22 fails on dst-len, not on dst", () => {
    const v = evaluateChain(policy, ISP1, { dst: "192.168.42.0/22" });
    expect(v.trace).toContain(`${ISP1} #2: if (dst in 192.168.42.0/23 && dst-len in 23-32) → false`);
    expect(v.trace.at(-1)).toBe(`${ISP1} #3: reject`);
  });
});

describe("RouterOS 7 matchers", () => {
  it.each([
    ["dst in 192.168.42.0/23", "192.168.42.0/23", true],
    ["dst in 192.168.42.0/23", "192.168.43.128/25", true],
    ["dst in 192.168.42.0/23", "192.168.44.0/24", false],
    ["dst in 192.168.42.0/23", "192.168.40.0/21", false],
    ["dst == 192.168.42.0/24", "192.168.42.0/24", true],
    ["dst==192.168.42.0/24", "192.168.42.0/25", false],
    ["dst != 0.0.0.0/0", "0.0.0.0/0", false],
    ["dst != 0.0.0.0/0", "10.0.0.0/8", true],
    // `not` is the manual's spelling of `!`, with or without parentheses.
    ["not dst == 10.0.0.0/8", "192.168.0.0/24", true],
    ["not (dst == 10.0.0.0/8)", "10.0.0.0/8", false],
    ["not (dst == 10.0.0.0/8)", "192.168.0.0/24", true],
    ["dst-len in 23-32", "10.0.0.0/23", true],
    ["dst-len in 23-32", "10.0.0.0/22", false],
    ["dst-len == 24", "10.0.0.0/24", true],
    ["dst-len == 24", "10.0.0.0/25", false],
    ["dst-len != 24", "10.0.0.0/24", false],
    ["dst-len != 24", "10.0.0.0/25", true],
    ["dst-len < 24", "10.0.0.0/23", true],
    ["dst-len < 24", "10.0.0.0/24", false],
    ["dst-len > 24", "10.0.0.0/25", true],
    ["dst-len>24", "10.0.0.0/24", false],
    ["dst-len <= 24", "10.0.0.0/24", true],
    ["dst-len <= 24", "10.0.0.0/25", false],
    ["dst-len >= 24", "10.0.0.0/24", true],
    ["dst-len >= 24", "10.0.0.0/23", false],
    ["afi ipv4", "10.0.0.0/8", true],
    ["afi ipv6", "10.0.0.0/8", false],
    ["afi ipv6", "2001:db8::/32", true],
  ])("if (%s) accepts %s: %s", (condition, dst, expected) => {
    expect(accepts(`if (${condition}) { accept }`, { dst })).toBe(expected);
  });

  it("treats IPv6 routes and prefixes as not matching, without crashing", () => {
    expect(accepts("if (dst in 0.0.0.0/0) { accept }", { dst: "2001:db8::/32" })).toBe(false);
    expect(accepts("if (dst in 2001:db8::/32) { accept }", { dst: "2001:db8::/48" })).toBe(false);
    expect(accepts("if (dst-len == 48) { accept }", { dst: "2001:db8::/48" })).toBe(true);
  });

  it.each([
    ["protocol bgp", "bgp", true],
    ["protocol bgp", "static", false],
    ["protocol connected", "connected", true],
    ["protocol static", "static", true],
    ["protocol connected,static", "static", true],
    ["protocol connected,static", "bgp", false],
  ])("if (%s) with protocol %s: %s", (condition, protocol, expected) => {
    expect(accepts(`if (${condition}) { accept }`, { dst: "10.0.0.0/24", protocol })).toBe(expected);
  });

  it("a route without a protocol matches no protocol", () => {
    expect(accepts("if (protocol bgp) { accept }", { dst: "10.0.0.0/24" })).toBe(false);
  });

  it.each([
    ['bgp-as-path "^64513$"', [64513], true],
    ['bgp-as-path "^64513$"', [64512, 64513], false],
    ["bgp-as-path ^64513$", [64513], true],
    ['bgp-as-path "_64513_"', [64512, 64513, 64514], true],
    ['bgp-as-path "_64513_"', [164513], false],
    ['bgp-as-path "_64513$"', [64512, 64513], true],
    ['bgp-as-path "^64512_64513_"', [64512, 64513, 65000], true],
    ['bgp-as-path "^6451[0-3]$"', [64512], true],
    ['bgp-as-path "^6451[0-3]$"', [64515], false],
    ['bgp-as-path "^645.*$"', [64599, 64512], true],
    ['bgp-as-path "^[0-9]+$"', [65000], true],
    ['bgp-as-path "^[0-9]+$"', [65000, 65001], false],
    ['bgp-as-path "^$"', [], true],
    ['bgp-as-path "^$"', [65000], false],
    ["bgp-as-path 64513", [1, 64513], true],
  ])("if (%s) with AS path %j: %s", (condition, asPath, expected) => {
    expect(accepts(`if (${condition}) { accept }`, bgp("10.0.0.0/24", asPath))).toBe(expected);
  });

  it("an AS-path matcher never matches a route that is not BGP", () => {
    expect(accepts('if (bgp-as-path ".*") { accept }', { dst: "10.0.0.0/24", protocol: "static" })).toBe(false);
  });

  it("bgp-path-len and its alias bgp-as-path-len compare the AS path length", () => {
    expect(accepts("if (bgp-path-len > 2) { accept }", bgp("10.0.0.0/24", [1, 2, 3]))).toBe(true);
    expect(accepts("if (bgp-as-path-len > 2) { accept }", bgp("10.0.0.0/24", [1, 2]))).toBe(false);
    expect(accepts("if (bgp-as-path-len in 1-2) { accept }", bgp("10.0.0.0/24", [1, 2]))).toBe(true);
  });

  it("compares the route's local-pref, and says so when it has none", () => {
    expect(accepts("if (bgp-local-pref > 150) { accept }", bgp("10.0.0.0/24", [1], 200))).toBe(true);
    expect(accepts("if (bgp-local-pref > 150) { accept }", bgp("10.0.0.0/24", [1], 100))).toBe(false);
    const v = evaluateChain(chain("c", "if (bgp-local-pref > 150) { accept }"), "c", { dst: "10.0.0.0/24", protocol: "static" });
    expect(v.action).toBe("reject");
    expect(v.trace).toContain('c #0: bgp-local-pref is unknown for this route, so "bgp-local-pref > 150" is false');
  });

  it("matches the gateway with gw in", () => {
    const route = { dst: "10.0.0.0/24", gateway: "172.16.0.2" };
    expect(accepts("if (gw in 172.16.0.0/30) { accept }", route)).toBe(true);
    expect(accepts("if (gw in 172.16.0.4/30) { accept }", route)).toBe(false);
    expect(accepts("if (gw in 172.16.0.0/30) { accept }", { dst: "10.0.0.0/24", gateway: "ether1" })).toBe(false);
  });
});

describe("RouterOS 7 boolean logic", () => {
  const route = { dst: "10.1.0.0/24", protocol: "static" };
  it.each([
    ["dst in 10.0.0.0/8 && protocol static", true],
    ["dst in 10.0.0.0/8 && protocol bgp", false],
    ["protocol bgp || dst-len == 24", true],
    ["protocol bgp || dst-len == 25", false],
    ["!(protocol bgp)", true],
    ["!protocol static", false],
    ["!(dst-len == 24 && protocol static)", false],
    ["!!(protocol static)", true],
    // && binds tighter than ||: true || (false && false)
    ["protocol static || protocol bgp && dst-len == 8", true],
    ["(protocol static || protocol bgp) && dst-len == 8", false],
    ["((dst in 10.0.0.0/8)) && (dst-len in 16-24 || dst-len == 32)", true],
  ])("if (%s) → %s", (condition, expected) => {
    expect(accepts(`if (${condition}) { accept }`, route)).toBe(expected);
  });
});

describe("RouterOS 7 statements", () => {
  it("takes the else branch when the condition is false", () => {
    const rules = chain("c", "if (dst-len > 24) { reject } else { set distance 30; accept }");
    const v = evaluateChain(rules, "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "accept", changes: { distance: 30 } });
    expect(v.trace).toEqual(["c #0: if (dst-len > 24) → false, else: set distance 30; accept"]);
  });

  it.each([
    ["else { if (...) }", "if (dst-len == 8) { accept } else { if (dst-len == 16) { set bgp-med 16; accept } else { reject } }"],
    ["else if", "if (dst-len == 8) { accept } else if (dst-len == 16) { set bgp-med 16; accept } else { reject }"],
  ])("chains conditions with %s", (_form, rule) => {
    const rules = chain("c", rule);
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/8" })).toMatchObject({ action: "accept", changes: {} });
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/16" })).toMatchObject({ action: "accept", changes: { med: 16 } });
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/24" }).decidedBy?.index).toBe(0);
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/24" }).action).toBe("reject");
  });

  it("runs nested ifs and traces each one", () => {
    const rules = chain("c", "if (dst in 10.0.0.0/8) { set bgp-local-pref 120; if (dst-len > 16) { accept } }", "reject");
    const deep = evaluateChain(rules, "c", { dst: "10.1.2.0/24" });
    expect(deep).toMatchObject({ action: "accept", changes: { localPref: 120 } });
    expect(deep.trace).toEqual([
      "c #0: if (dst in 10.0.0.0/8) → true: set bgp-local-pref 120; if (dst-len > 16) { accept }",
      "c #0: if (dst-len > 16) → true: accept",
    ]);
    expect(evaluateChain(rules, "c", { dst: "10.1.0.0/16" })).toMatchObject({ action: "reject", decidedBy: { index: 1 } });
  });

  it("maps every set property to the verdict's changes", () => {
    const rules = chain("c", "set bgp-local-pref 150; set bgp-path-prepend 3; set bgp-med 40; set distance 25; accept");
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/24" }).changes).toEqual({ localPref: 150, prepend: 3, med: 40, distance: 25 });
  });

  it("lets a later condition see what an earlier set wrote", () => {
    const rules = chain("c", "set bgp-local-pref 200", "if (bgp-local-pref > 150) { accept }", "reject");
    const v = evaluateChain(rules, "c", bgp("10.0.0.0/24", [1], 100));
    expect(v).toMatchObject({ action: "accept", decidedBy: { index: 1 }, changes: { localPref: 200 } });
    expect(v.trace[0]).toBe("c #0: set bgp-local-pref 200");
  });

  it("also within one rule, and the last set wins", () => {
    const rules = chain("c", "set bgp-med 10; if (bgp-med == 10) { set bgp-med 20 }; if (bgp-med == 20) { accept }");
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/24" })).toMatchObject({ action: "accept", changes: { med: 20 } });
  });

  it("applies relative sets to the current value", () => {
    const rules = chain("c", "set distance +1; set bgp-local-pref -10; accept");
    const v = evaluateChain(rules, "c", { ...bgp("10.0.0.0/24", [1], 100), distance: 20 });
    expect(v.changes).toEqual({ distance: 21, localPref: 90 });
  });

  it("unset forgets what the chain set", () => {
    const rules = chain("c", "set bgp-med 50; unset bgp-med; accept");
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/24" }).changes).toEqual({});
  });

  it.each([
    "set bgp-med 5 accept",
    "set bgp-med 5;accept;",
    ";; set bgp-med 5 ;; accept ;",
    "if(dst-len<25){set bgp-med 5;accept;}",
    "if (dst-len < 25)\n{\n  set bgp-med 5\n  accept\n}",
  ])("separates statements by ; or whitespace: %j", (rule) => {
    expect(evaluateChain(chain("c", rule), "c", { dst: "10.0.0.0/24" })).toMatchObject({ action: "accept", changes: { med: 5 } });
  });

  it("ignores, and notes, RouterOS features bgpals does not model", () => {
    const rules = chain("c", "if (bgp-communities includes 65000:100 || ospf-dn) { reject }", "append bgp-communities 65000:1; set gw-check no; accept");
    const v = evaluateChain(rules, "c", { dst: "10.0.0.0/24" });
    expect(v.action).toBe("accept");
    expect(v.trace).toContain('c #0: cannot evaluate "bgp-communities includes 65000:100", taken as false');
    expect(v.trace).toContain('c #1: "set gw-check no" is not modelled by bgpals, ignored');
  });

  it("reports the rule's comment in decidedBy", () => {
    const rules: V7FilterRule[] = [{ chain: "c", rule: "reject", comment: "bgpals:alice-remi:in" }];
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/24" }).decidedBy).toEqual({ chain: "c", index: 0, text: "reject", comment: "bgpals:alice-remi:in" });
  });
});

describe("RouterOS 7 chains", () => {
  it("rejects at the end of the chain, with no deciding rule", () => {
    const v = evaluateChain(chain("c", "if (dst-len == 8) { accept }"), "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: null, changes: {} });
    expect(v.trace.at(-1)).toBe("c: end of chain: rejected (RouterOS 7 default)");
    expect(describeVerdict(v)).toBe("rejected at end of chain c");
  });

  it("drops what the chain set when it rejects in the end", () => {
    expect(evaluateChain(chain("c", "set bgp-local-pref 300"), "c", { dst: "10.0.0.0/24" }).changes).toEqual({});
  });

  it("rejects when the chain does not exist", () => {
    const v = evaluateChain(chain("other", "accept"), "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: null });
    expect(v.trace).toEqual(["c: no such chain", "c: end of chain: rejected (RouterOS 7 default)"]);
  });

  it("skips disabled rules but counts them in the router's numbering", () => {
    const rules: V7FilterRule[] = [
      { chain: "c", rule: "reject", disabled: true },
      { chain: "other", rule: "reject" },
      { chain: "c", rule: "reject", disabled: "true" },
      { chain: "c", rule: "reject", disabled: "yes" },
      { chain: "c", rule: "set bgp-med 1", disabled: false },
      { chain: "c", rule: "accept", disabled: "false" },
    ];
    const v = evaluateChain(rules, "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "accept", decidedBy: { chain: "c", index: 4 }, changes: { med: 1 } });
    expect(v.trace.slice(0, 3)).toEqual(["c #0: disabled, skipped", "c #1: disabled, skipped", "c #2: disabled, skipped"]);
  });

  it("jumps, and continues after the jump when the target chain ends", () => {
    const rules = [...chain("main", "jump tag", "if (bgp-med == 7) { accept }", "reject"), ...chain("tag", "set bgp-med 7")];
    const v = evaluateChain(rules, "main", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "accept", decidedBy: { chain: "main", index: 1 }, changes: { med: 7 } });
    expect(v.trace.slice(0, 3)).toEqual(["main #0: jump tag", "tag #0: set bgp-med 7", "main #0: back from tag (end of chain)"]);
  });

  it("continues with the statement after the jump in the same rule", () => {
    const rules = [...chain("main", "jump tag; if (bgp-med == 7) { accept }"), ...chain("tag", "set bgp-med 7")];
    expect(evaluateChain(rules, "main", { dst: "10.0.0.0/24" })).toMatchObject({ action: "accept", decidedBy: { chain: "main", index: 0 } });
  });

  it("returns early from a jumped chain", () => {
    const rules = [
      ...chain("main", "jump sub", "accept"),
      ...chain("sub", "if (dst-len == 24) { return }", "reject"),
    ];
    const v = evaluateChain(rules, "main", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "accept", decidedBy: { chain: "main", index: 1 } });
    expect(v.trace).toContain("sub #0: return");
    expect(v.trace).toContain("main #0: back from sub (return)");
    expect(evaluateChain(rules, "main", { dst: "10.0.0.0/16" }).decidedBy).toMatchObject({ chain: "sub", index: 1 });
  });

  it("treats accept and reject in a jumped chain as final", () => {
    const rules = [...chain("main", "jump sub", "reject"), ...chain("sub", "accept")];
    expect(evaluateChain(rules, "main", { dst: "10.0.0.0/24" })).toMatchObject({ action: "accept", decidedBy: { chain: "sub", index: 0 } });
    const rejecting = [...chain("main", "jump sub", "accept"), ...chain("sub", "if (dst-len == 24) { reject }")];
    expect(evaluateChain(rejecting, "main", { dst: "10.0.0.0/24" })).toMatchObject({ action: "reject", decidedBy: { chain: "sub", index: 0 } });
  });

  it("supports nested jumps", () => {
    const rules = [...chain("a", "jump b", "accept"), ...chain("b", "jump c", "set bgp-med 2"), ...chain("c", "set bgp-med 1")];
    expect(evaluateChain(rules, "a", { dst: "10.0.0.0/24" })).toMatchObject({ action: "accept", changes: { med: 2 } });
  });

  it("a return in the top-level chain ends it: rejected by default", () => {
    const v = evaluateChain(chain("c", "return", "accept"), "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: null });
  });

  it("rejects on a jump loop and explains it", () => {
    const rules = [...chain("a", "jump b"), ...chain("b", "set bgp-med 1; jump a")];
    const v = evaluateChain(rules, "a", { dst: "10.0.0.0/24" });
    expect(v.action).toBe("reject");
    expect(v.decidedBy?.chain).toMatch(/^[ab]$/);
    expect(v.problem).toMatch(/^jump loop (a → b → a|b → a → b) \(/);
    expect(v.trace.at(-1)).toMatch(/jump loop .* \(more than 32 nested jumps\): rejected$/);
    expect(describeVerdict(v)).toMatch(/^rejected by [ab] #0 \(jump loop/);
  });

  it("rejects on a chain that jumps to itself", () => {
    const v = evaluateChain(chain("a", "jump a"), "a", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: { chain: "a", index: 0 }, problem: expect.stringMatching(/^jump loop a → a /) });
  });

  it("allows the same chain to be jumped to many times in a row", () => {
    const rules = [...chain("main", ...Array.from({ length: 40 }, () => "jump inc"), "accept"), ...chain("inc", "set bgp-med +1")];
    expect(evaluateChain(rules, "main", { ...bgp("10.0.0.0/24", []), bgp: { asPath: [], med: 0 } }).changes).toEqual({ med: 40 });
  });

  it("rejects a jump to an unknown chain", () => {
    const v = evaluateChain(chain("c", "if (dst-len == 24) { jump nowhere }", "accept"), "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: { chain: "c", index: 0 }, problem: "jump to unknown chain nowhere" });
    expect(v.trace.at(-1)).toBe("c #0: jump to unknown chain nowhere: rejected");
  });
});

describe("RouterOS 7 syntax errors", () => {
  function syntaxError(text: string): FilterSyntaxError {
    try {
      parseRule(text);
    } catch (error) {
      if (error instanceof FilterSyntaxError) return error;
      throw error;
    }
    throw new Error(`parsed: ${text}`);
  }

  it.each([
    ["if (dst in 10.0.0.0/8 { accept }", 23, /expected "\)" to close the condition, found "\{"/],
    ["if dst in 10.0.0.0/8 { accept }", 4, /expected "\(" after if, found "dst"/],
    ["if (dst-len = 24) { accept }", 13, /unexpected "=": compare with "=="/],
    ["if (dst-len in 23-32) { accept", 31, /expected "\}" to close the block, found end of rule/],
    ["if (dst-len in 23-32) accept", 23, /expected "\{" after the condition, found "accept"/],
    ["if (dst in 10.0.0.300/8) { accept }", 12, /"10.0.0.300\/8" is not a prefix/],
    ["if (dst-len in 32-23) { accept }", 16, /expected a range like 23-32/],
    ["if (dst-len > big) { accept }", 15, /expected a number after dst-len >/],
    ["if (dst like 10.0.0.0/8) { accept }", 9, /expected in or == or != after dst, found "like"/],
    ["if (dst-len == 24 &&) { accept }", 21, /expected a condition, found "\)"/],
    ["if () { accept }", 5, /expected a condition, found "\)"/],
    ["if (dst-len == 24) { accept } else reject", 36, /expected "\{" after else, found "reject"/],
    ["set bgp-local-pref high", 20, /expected a number for bgp-local-pref, found "high"/],
    ["jump", 5, /expected a chain name after jump, found end of rule/],
    ["acept", 1, /unknown statement "acept"/],
    ["accept }", 8, /expected a statement, found "\}"/],
    ['if (bgp-as-path "^AS64513$") { accept }', 17, /may only use digits/],
    ['if (bgp-as-path "^645(13$") { accept }', 17, /is not a valid regex/],
    ['if (protocol "bgp) { accept }', 14, /unterminated string/],
    ["if (dst-len == 24) { accept } @", 31, /unexpected character "@"/],
  ])("%j fails at column %i", (text, column, message) => {
    const error = syntaxError(text);
    expect(error.column).toBe(column);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`at column ${column}`);
  });

  it("rejects the route at a rule that does not parse, without throwing", () => {
    const rules = chain("c", "if (dst-len == 8) { accept }", "if (dst in 10.0.0.0/8 { accept }", "accept");
    const v = evaluateChain(rules, "c", { dst: "10.0.0.0/24" });
    expect(v).toMatchObject({ action: "reject", decidedBy: { chain: "c", index: 1 } });
    expect(v.trace.at(-1)).toBe('c #1: rule does not parse: expected ")" to close the condition, found "{" at column 23: if (dst in 10.0.0.0/8 { accept }');
    expect(describeVerdict(v)).toMatch(/^rejected by c #1 \(rule does not parse: /);
  });

  it("does not reach a bad rule after the deciding one", () => {
    const rules = chain("c", "if (dst-len == 8) { accept }", "if (((");
    expect(evaluateChain(rules, "c", { dst: "10.0.0.0/8" }).action).toBe("accept");
  });

  it("parses a rule into an AST with the source of each part", () => {
    const ast = parseRule("if (dst in 192.168.42.0/23 && dst-len in 23-32) { set bgp-local-pref 200; accept }");
    expect(ast.statements).toEqual([
      {
        kind: "if",
        condition: {
          kind: "and",
          left: { kind: "prefix", property: "dst", operator: "in", prefix: "192.168.42.0/23", text: "dst in 192.168.42.0/23" },
          right: { kind: "number", property: "dst-len", operator: "in", range: { min: 23, max: 32 }, text: "dst-len in 23-32" },
        },
        conditionText: "dst in 192.168.42.0/23 && dst-len in 23-32",
        then: {
          statements: [
            { kind: "set", property: "bgp-local-pref", value: 200, relative: false, text: "set bgp-local-pref 200" },
            { kind: "accept", text: "accept" },
          ],
          text: "set bgp-local-pref 200; accept",
        },
        text: "if (dst in 192.168.42.0/23 && dst-len in 23-32) { set bgp-local-pref 200; accept }",
      },
    ]);
  });
});

describe("describeVerdict", () => {
  it("lists every change", () => {
    const v: FilterVerdict = {
      action: "accept",
      decidedBy: { chain: "out", index: 5, text: "accept" },
      changes: { localPref: 120, prepend: 2, med: 10, distance: 30 },
      trace: [],
    };
    expect(describeVerdict(v)).toBe("accepted by out #5 (local-pref 120, prepend 2, med 10, distance 30)");
  });

  it("works on a plain FilterVerdict that does not name its chain", () => {
    expect(describeVerdict({ action: "reject", decidedBy: null, changes: {}, trace: [] })).toBe("rejected at end of chain");
  });
});
