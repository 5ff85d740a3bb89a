// The lab's own routing-filter reader, held to the examples of MikroTik's manual pages. Each case
// quotes the page's rule text and checks the outcome the page documents.
import { describe, expect, it } from "vitest";
import { judgeV6, judgeV7, readRule, RuleSyntaxError, type FilterRoute, type V6Rule, type V7Rule } from "../../src/lab/filter/index.js";

// Pages quoted below.
const ROUTE_SELECTION = "Route Selection and Filters (help.mikrotik.com, RouterOS 7)";
const MOVING_TO_V7 = "Moving from ROSv6 to v7 with examples (help.mikrotik.com)";
const V6_FILTERS = "Manual:Routing/Routing filters (wiki.mikrotik.com, RouterOS 6)";

const bgp = (dst: string, extra: Partial<FilterRoute> = {}): FilterRoute => ({ dst, protocol: "bgp", asPath: [64513], ...extra });
const v7 = (chain: string, ...rules: string[]): V7Rule[] => rules.map((rule) => ({ chain, rule }));
const v6 = (...rules: Array<Record<string, string>>): V6Rule[] => rules;

describe(`RouterOS 7 rules: ${ROUTE_SELECTION}`, () => {
  it('"if (dst in 192.168.1.0/24 && dst-len>24) {set distance +1; accept} else {set distance -1; accept}"', () => {
    // "matches prefixes with a prefix length greater than 24 from subnet 192.168.1.0/24 and increments the
    // default distance by 1. If there is no match, it subtracts the default distance by one."
    const rules = v7("myChain", "if (dst in 192.168.1.0/24 && dst-len>24) {set distance +1; accept} else {set distance -1; accept}");
    const judge = (dst: string) => judgeV7(rules, "myChain", { dst, protocol: "ospf", distance: 110 });
    expect(judge("192.168.1.128/25")).toMatchObject({ accepted: true, route: { distance: 111 } });
    expect(judge("192.168.1.0/24")).toMatchObject({ accepted: true, route: { distance: 109 } });
    expect(judge("10.0.0.0/8")).toMatchObject({ accepted: true, route: { distance: 109 } });
  });

  it('"if ( protocol connected ) { accept }" (no operator: one possible operation)', () => {
    const rules = v7("c", "if ( protocol connected ) { accept }");
    expect(judgeV7(rules, "c", { dst: "192.168.88.0/24", protocol: "connected" }).accepted).toBe(true);
    expect(judgeV7(rules, "c", { dst: "192.168.88.0/24", protocol: "static" }).accepted).toBe(false);
  });

  it('"if ( bgp-med < 30 ) { accept }"', () => {
    const rules = v7("c", "if ( bgp-med < 30 ) { accept }");
    expect(judgeV7(rules, "c", bgp("10.1.0.0/16", { med: 20 })).accepted).toBe(true);
    expect(judgeV7(rules, "c", bgp("10.1.0.0/16", { med: 30 })).accepted).toBe(false);
    // A route without MED does not match a comparison on it.
    expect(judgeV7(rules, "c", bgp("10.1.0.0/16")).accepted).toBe(false);
  });

  it('"if ( ospf-dn ) { reject }": a flag stands alone', () => {
    expect(readRule("if ( ospf-dn ) { reject }")).toEqual([{ kind: "if", condition: { kind: "flag", property: "ospf-dn" }, then: [{ kind: "reject" }], else: [] }]);
  });

  it('"The default action of the routing filter chain is reject"', () => {
    const rules = v7("c", "if (dst in 10.0.0.0/8) { accept }");
    expect(judgeV7(rules, "c", bgp("10.9.0.0/16")).accepted).toBe(true);
    expect(judgeV7(rules, "c", bgp("192.0.2.0/24"))).toMatchObject({ accepted: false, by: expect.stringContaining("end of chain c") });
    // A chain with no rules at all rejects everything.
    expect(judgeV7(rules, "other", bgp("10.9.0.0/16")).accepted).toBe(false);
  });

  it('"&&": "if (dst in 192.168.0.0/16 && dst-len in 16-32) {reject;}"', () => {
    const rules = v7("c", "if (dst in 192.168.0.0/16 && dst-len in 16-32) {reject;}", "accept");
    expect(judgeV7(rules, "c", bgp("192.168.7.0/24")).accepted).toBe(false);
    // The network itself is "in" it (dst-len 16 is in 16-32 only if that is so).
    expect(judgeV7(rules, "c", bgp("192.168.0.0/16")).accepted).toBe(false);
    expect(judgeV7(rules, "c", bgp("192.0.0.0/8")).accepted).toBe(true);
  });

  it('"||": "if (dst in 192.168.0.0/16 || dst-len in 16-32) {reject;}"', () => {
    const rules = v7("c", "if (dst in 192.168.0.0/16 || dst-len in 16-32) {reject;}", "accept");
    expect(judgeV7(rules, "c", bgp("10.1.0.0/16")).accepted).toBe(false);
    expect(judgeV7(rules, "c", bgp("192.168.0.0/16")).accepted).toBe(false);
    expect(judgeV7(rules, "c", bgp("10.0.0.0/8")).accepted).toBe(true);
  });

  it('"not": "if (not bgp-network) {reject; }"', () => {
    const rules = v7("c", "if (not bgp-network) {reject; }", "accept");
    expect(judgeV7(rules, "c", { dst: "192.168.0.0/24", protocol: "connected", bgpNetwork: true }).accepted).toBe(true);
    expect(judgeV7(rules, "c", { dst: "192.168.0.0/24", protocol: "connected" }).accepted).toBe(false);
  });

  it('numeric ranges "{int..int}" and "{int-int}" as well as "int-int"', () => {
    for (const range of ["{24..28}", "{24-28}", "24-28"]) {
      const rules = v7("c", `if (dst-len in ${range}) { accept }`);
      expect(judgeV7(rules, "c", bgp("10.0.0.0/24")).accepted, range).toBe(true);
      expect(judgeV7(rules, "c", bgp("10.0.0.0/28")).accepted, range).toBe(true);
      expect(judgeV7(rules, "c", bgp("10.0.0.0/29")).accepted, range).toBe(false);
      expect(judgeV7(rules, "c", bgp("10.0.0.0/23")).accepted, range).toBe(false);
    }
  });

  it('"set bgp-local-pref +1 will increment the current LOCAL_PREF by one"; unset clears it', () => {
    const up = judgeV7(v7("c", "set bgp-local-pref +1; accept"), "c", bgp("10.0.0.0/8", { localPref: 100 }));
    expect(up.route.localPref).toBe(101);
    const unset = judgeV7(v7("c", "set bgp-local-pref 300; unset bgp-local-pref; accept"), "c", bgp("10.0.0.0/8", { localPref: 100 }));
    expect(unset.route.localPref).toBeUndefined();
  });

  it("prefix operators: in, == and !=", () => {
    const judge = (rule: string, dst: string) => judgeV7(v7("c", rule), "c", bgp(dst)).accepted;
    expect(judge("if (dst == 0.0.0.0/0) { accept }", "0.0.0.0/0")).toBe(true);
    expect(judge("if (dst == 0.0.0.0/0) { accept }", "10.0.0.0/8")).toBe(false);
    expect(judge("if (dst != 0.0.0.0/0) { accept }", "10.0.0.0/8")).toBe(true);
    expect(judge("if (dst in 192.168.42.0/23) { accept }", "192.168.43.0/24")).toBe(true);
    expect(judge("if (dst in 192.168.42.0/23) { accept }", "192.168.40.0/22")).toBe(false);
  });

  it('address lists: "it will match only the exact prefix", and also "/32 prefix that belongs to any range"', () => {
    const addressList = (name: string) => (name === "list_name" ? ["192.168.0.0/16"] : undefined);
    const judge = (rule: string, dst: string) => judgeV7(v7("c", rule), "c", bgp(dst), { addressList }).accepted;
    expect(judge("if (dst in list_name) {accept}", "192.168.0.0/16")).toBe(true);
    expect(judge("if (dst in list_name) {accept}", "192.168.1.0/24")).toBe(false);
    expect(judge("if (dst in list_name) {accept}", "192.168.1.1/32")).toBe(true);
    // "The workaround to exclude /32 prefixes ... if (dst in list_name && dst-len < 32) {}"
    expect(judge("if (dst in list_name && dst-len < 32) {accept}", "192.168.1.1/32")).toBe(false);
    expect(judge("if (dst in list_name && dst-len < 32) {accept}", "192.168.0.0/16")).toBe(true);
  });

  it('jump runs another chain; return (or its end) comes back; accept and reject there decide', () => {
    const rules: V7Rule[] = [
      { chain: "in", rule: "jump sanitize" },
      { chain: "in", rule: "if (dst-len <= 24) { set bgp-local-pref 150; accept }" },
      { chain: "sanitize", rule: "if (dst == 0.0.0.0/0) { reject }" },
      { chain: "sanitize", rule: "if (dst in 10.0.0.0/8) { return }" },
      { chain: "sanitize", rule: "if (dst in 172.16.0.0/12) { set bgp-local-pref 50; accept }" },
    ];
    expect(judgeV7(rules, "in", bgp("0.0.0.0/0")).accepted).toBe(false);
    expect(judgeV7(rules, "in", bgp("10.1.0.0/16"))).toMatchObject({ accepted: true, route: { localPref: 150 } });
    expect(judgeV7(rules, "in", bgp("172.16.0.0/16"))).toMatchObject({ accepted: true, route: { localPref: 50 } });
    // Not decided in sanitize: its end comes back to "in".
    expect(judgeV7(rules, "in", bgp("192.168.0.0/24"))).toMatchObject({ accepted: true, route: { localPref: 150 } });
    expect(judgeV7(rules, "in", bgp("192.168.0.0/25")).accepted).toBe(false);
  });

  it("a jump loop rejects and says so", () => {
    const verdict = judgeV7([{ chain: "a", rule: "jump b" }, { chain: "b", rule: "jump a" }], "a", bgp("10.0.0.0/8"));
    expect(verdict.accepted).toBe(false);
    expect(verdict.notes).toEqual([expect.stringMatching(/^jump loop through [ab]$/)]);
  });

  it("disabled rules are skipped; an unreadable rule is skipped with a note", () => {
    const verdict = judgeV7(
      [
        { chain: "c", rule: "reject", disabled: "true" },
        { chain: "c", rule: "if (dst in 10.0.0.0/8 { accept }" },
        { chain: "c", rule: "accept" },
      ],
      "c",
      bgp("10.0.0.0/8"),
    );
    expect(verdict).toMatchObject({ accepted: true, by: "c #1: accept" });
    expect(verdict.notes).toEqual([expect.stringMatching(/^skipped unreadable rule c #0: if \(dst in 10\.0\.0\.0\/8 \{ accept \}: expected "\)"/)]);
  });

  it("reads && before ||, and ! as not", () => {
    const rules = v7("c", "if (dst-len == 8 || dst-len == 16 && dst in 10.0.0.0/8) { accept }");
    expect(judgeV7(rules, "c", bgp("192.0.0.0/8")).accepted).toBe(true);
    expect(judgeV7(rules, "c", bgp("10.1.0.0/16")).accepted).toBe(true);
    expect(judgeV7(rules, "c", bgp("192.168.0.0/16")).accepted).toBe(false);
    const negated = v7("c", "if (!(dst in 10.0.0.0/8)) { accept }");
    expect(judgeV7(negated, "c", bgp("10.1.0.0/16")).accepted).toBe(false);
    expect(judgeV7(negated, "c", bgp("192.168.0.0/16")).accepted).toBe(true);
  });

  it("turns away a route that is not IPv4 (the lab models IPv4 unicast only)", () => {
    expect(judgeV7(v7("c", "accept"), "c", bgp("2001:db8::/32"))).toMatchObject({ accepted: false, notes: ["the lab judges IPv4 routes only"] });
    expect(judgeV6(v6({ chain: "c", action: "accept" }), "c", bgp("2001:db8::/32")).accepted).toBe(false);
  });

  it("refuses what is not a rule", () => {
    for (const text of ["if (dst in 10.0.0.0/8) accept", "frobnicate", "if (dst in 10.0.0.0/8 & dst-len > 8) { accept }", "accept }", "set bgp-local-pref", "if () { accept }", "if (dst-len < 16-24) { accept }", "if (dst > 10.0.0.0/8) { accept }", "set bgp-local-pref high"]) {
      expect(() => readRule(text), text).toThrow(RuleSyntaxError);
    }
  });
});

describe(`RouterOS 7 rules: ${MOVING_TO_V7}`, () => {
  it('"if (protocol static && dst in 192.168.0.0/16) {accept}": redistribute only static routes from 192.168.0.0/16', () => {
    const rules = v7("ospf_out", "if (protocol static && dst in 192.168.0.0/16) {accept}");
    expect(judgeV7(rules, "ospf_out", { dst: "192.168.5.0/24", protocol: "static" }).accepted).toBe(true);
    expect(judgeV7(rules, "ospf_out", { dst: "192.168.5.0/24", protocol: "connected" }).accepted).toBe(false);
    expect(judgeV7(rules, "ospf_out", { dst: "10.0.0.0/8", protocol: "static" }).accepted).toBe(false);
  });

  it('"accept prefixes from 192.168.0.0/16 ... For other prefixes subtract 1 from the received local pref"', () => {
    const rules = v7("bgp_in", "if (dst in 192.168.0.0/16) {accept}", "set bgp-local-pref -1; set bgp-igp-metric ospf-ext-metric; accept");
    expect(judgeV7(rules, "bgp_in", bgp("192.168.1.0/24", { localPref: 100 }))).toMatchObject({ accepted: true, route: { localPref: 100 } });
    expect(judgeV7(rules, "bgp_in", bgp("10.0.0.0/8", { localPref: 100 }))).toMatchObject({ accepted: true, route: { localPref: 99 } });
  });

  it('"if (dst==0.0.0.0/0 && protocol static) { accept }": a static default route', () => {
    const rules = v7("ospf_in", "if (dst==0.0.0.0/0 && protocol static) { accept }");
    expect(judgeV7(rules, "ospf_in", { dst: "0.0.0.0/0", protocol: "static" }).accepted).toBe(true);
    expect(judgeV7(rules, "ospf_in", { dst: "0.0.0.0/0", protocol: "ospf" }).accepted).toBe(false);
  });

  it("the v6 rule prefix=172.16.0.0/16 prefix-length=24 protocol=static action=accept and its v7 translation agree", () => {
    const old = v6({ chain: "ospf_in", prefix: "172.16.0.0/16", "prefix-length": "24", protocol: "static", action: "accept" }, { chain: "ospf_in", action: "discard" });
    const translated = v7("ospf_in", "if (dst in 172.16.0.0/16 && dst-len==24 && protocol static) { accept }");
    const probes: FilterRoute[] = [
      { dst: "172.16.5.0/24", protocol: "static" },
      { dst: "172.16.0.0/16", protocol: "static" },
      { dst: "172.16.5.0/25", protocol: "static" },
      { dst: "172.16.5.0/24", protocol: "ospf" },
      { dst: "172.17.5.0/24", protocol: "static" },
    ];
    const verdicts = probes.map((p) => [judgeV6(old, "ospf_in", p).accepted, judgeV7(translated, "ospf_in", p).accepted]);
    expect(verdicts).toEqual([
      [true, true],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });

  it('"match prefixes from the 172.16.0.0/16 range with prefix length equal to 24 and set BGP med and prepend values"', () => {
    const rules = v7("BGP_OUT", "if (dst-len==24 && dst in 172.16.0.0/16) { \n    set bgp-med 20; set bgp-path-prepend 2; accept }");
    expect(judgeV7(rules, "BGP_OUT", { dst: "172.16.9.0/24", protocol: "connected" })).toMatchObject({ accepted: true, route: { med: 20, prepend: 2 } });
    expect(judgeV7(rules, "BGP_OUT", { dst: "172.16.9.0/25", protocol: "connected" }).accepted).toBe(false);
  });

  it('"if (dst-len>13 && dst-len<31 && dst in 172.16.0.0/16) { accept }": a prefix length range', () => {
    const rules = v7("BGP_OUT", "if (dst-len>13 && dst-len<31 && dst in 172.16.0.0/16) { accept }");
    expect(["172.16.0.0/16", "172.16.4.0/30", "172.16.4.0/31"].map((dst) => judgeV7(rules, "BGP_OUT", { dst, protocol: "static" }).accepted)).toEqual([true, true, false]);
  });

  it("community commands are read (the lab's routes carry no communities)", () => {
    for (const rule of ["set bgp-large-communities 200001:200001:10 ", "append bgp-large-communities myLargeComSet ", "set bgp-ext-communities rt:327824:20 "]) {
      const verdict = judgeV7(v7("bgp_in", rule, "accept"), "bgp_in", bgp("10.0.0.0/8"));
      expect(verdict, rule).toMatchObject({ accepted: true, notes: [] });
    }
  });
});

describe(`RouterOS 6 rules: ${V6_FILTERS}`, () => {
  it('"action ... Default: passthrough": a rule without action goes on to the next rule', () => {
    const rules = v6({ chain: "c", prefix: "10.0.0.0/8", "set-bgp-local-pref": "50" }, { chain: "c", action: "discard" });
    expect(judgeV6(rules, "c", bgp("10.0.0.0/8"))).toMatchObject({ accepted: false, route: { localPref: 50 } });
  });

  it('"Values from set-... properties are set no matter what action is specified"', () => {
    const rules = v6({ chain: "c", "set-bgp-prepend": "2", action: "jump", "jump-target": "d" }, { chain: "d", "set-bgp-local-pref": "300", action: "return" });
    expect(judgeV6(rules, "c", bgp("10.0.0.0/8"))).toMatchObject({ accepted: true, route: { prepend: 2, localPref: 300 } });
  });

  it('prefix: "If prefix-length is not set, only exact match is done. For example, 0.0.0.0/0 then matches only the default route"', () => {
    const rules = v6({ chain: "c", prefix: "0.0.0.0/0", action: "discard" });
    expect(judgeV6(rules, "c", bgp("0.0.0.0/0")).accepted).toBe(false);
    expect(judgeV6(rules, "c", bgp("10.0.0.0/8")).accepted).toBe(true);
  });

  it('prefix: "If network mask is not set, /32 is assumed"', () => {
    const rules = v6({ chain: "c", prefix: "10.0.0.1", action: "discard" });
    expect(judgeV6(rules, "c", bgp("10.0.0.1/32")).accepted).toBe(false);
    expect(judgeV6(rules, "c", bgp("10.0.0.0/24")).accepted).toBe(true);
  });

  it("prefix-length: the route falls within the prefix and its length within the range", () => {
    const rules = v6({ chain: "c", prefix: "192.168.0.0/16", "prefix-length": "16-24", action: "accept" }, { chain: "c", action: "discard" });
    const verdicts = ["192.168.0.0/16", "192.168.1.0/24", "192.168.1.0/25", "192.169.0.0/24", "192.0.0.0/8"].map((dst) => judgeV6(rules, "c", bgp(dst)).accepted);
    expect(verdicts).toEqual([true, true, false, false, false]);
  });

  it('"invert-match": the rule applies to the routes that fail its matchers', () => {
    const rules = v6({ chain: "c", prefix: "10.0.0.0/8", "prefix-length": "8-32", "invert-match": "yes", action: "discard" });
    expect(judgeV6(rules, "c", bgp("10.1.0.0/16")).accepted).toBe(true);
    expect(judgeV6(rules, "c", bgp("192.168.0.0/24")).accepted).toBe(false);
  });

  it('"discard" and "reject" both keep the route out; "log" and "passthrough" "continue with the next rule"', () => {
    for (const action of ["discard", "reject"]) expect(judgeV6(v6({ chain: "c", action }), "c", bgp("10.0.0.0/8")).accepted, action).toBe(false);
    for (const action of ["log", "passthrough"]) {
      expect(judgeV6(v6({ chain: "c", action }, { chain: "c", action: "discard" }), "c", bgp("10.0.0.0/8")).accepted, action).toBe(false);
    }
  });

  it('"jump - pass control to another filter list"; "return - return to the previous chain"', () => {
    const rules = v6(
      { chain: "in", action: "jump", "jump-target": "bogons" },
      { chain: "in", prefix: "192.168.0.0/16", "prefix-length": "16-24", action: "accept" },
      { chain: "in", action: "discard" },
      { chain: "bogons", prefix: "0.0.0.0/0", action: "discard" },
      { chain: "bogons", prefix: "192.168.99.0/24", action: "accept" },
      { chain: "bogons", action: "return" },
      { chain: "bogons", prefix: "192.168.0.0/16", "prefix-length": "16-32", action: "discard" },
    );
    expect(["0.0.0.0/0", "192.168.99.0/24", "192.168.1.0/24", "192.168.1.0/25"].map((dst) => judgeV6(rules, "in", bgp(dst)).accepted)).toEqual([false, true, true, false]);
  });

  it("a chain that runs out of rules accepts (the end of a jumped-to chain comes back)", () => {
    const rules = v6({ chain: "in", action: "jump", "jump-target": "check" }, { chain: "check", prefix: "0.0.0.0/0", action: "discard" });
    expect(judgeV6(rules, "in", bgp("10.0.0.0/8"))).toMatchObject({ accepted: true, by: "end of chain in (RouterOS 6 accepts)" });
    expect(judgeV6(rules, "in", bgp("0.0.0.0/0")).accepted).toBe(false);
  });

  it('"bgp-local-pref ... If the LOCAL_PREF for a route is not set, value 0 is used instead"', () => {
    const rules = v6({ chain: "c", "bgp-local-pref": "0", action: "discard" });
    expect(judgeV6(rules, "c", bgp("10.0.0.0/8")).accepted).toBe(false);
    expect(judgeV6(rules, "c", bgp("10.0.0.0/8", { localPref: 100 })).accepted).toBe(true);
  });

  it("disabled rules are skipped; a rule on a matcher the lab does not model is skipped with a note", () => {
    const verdict = judgeV6(v6({ chain: "c", action: "discard", disabled: "true" }, { chain: "c", "bgp-communities": "65000:1", action: "discard" }), "c", bgp("10.0.0.0/8"));
    expect(verdict.accepted).toBe(true);
    expect(verdict.notes).toEqual([expect.stringContaining("cannot judge bgp-communities=65000:1")]);
  });
});
