// The lab's own reading of RouterOS routing filters: RouterOS 7 rule scripts and RouterOS 6
// attribute rules, written from MikroTik's manual. It shares nothing with bgpals's filter code, so
// the lab can catch a mistake there.
export { compileV6, judgeV6, type V6Judge, type V6Rule } from "./v6.js";
export { compileV7, judgeV7, type V7Context, type V7Judge, type V7Rule } from "./v7.js";
export { readRule, RuleSyntaxError, type Condition, type Statement } from "./v7-rule.js";
export type { FilterRoute, Verdict } from "./route.js";
