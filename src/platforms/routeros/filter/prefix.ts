// Matching primitives shared by the RouterOS 6 and 7 filter evaluators: IPv4 prefixes,
// numeric ranges and AS-path regular expressions. Nothing here throws on odd input
// (an IPv6 route, a typo in a rule): callers get null and treat it as "does not match".
import { parsePrefix, prefixWithin, type Prefix } from "../../../core/ipv4.js";

export type { Prefix };

/** "a.b.c.d/len" or a bare address (/32); null for IPv6 or anything malformed. */
export function toIPv4Prefix(text: string): Prefix | null {
  try {
    return parsePrefix(text.trim());
  } catch {
    return null;
  }
}

/** Length of any "address/len" text, IPv6 included, so dst-len works on every route. */
export function prefixLengthOf(text: string): number | null {
  const match = /\/(\d{1,3})$/.exec(text.trim());
  if (match?.[1] !== undefined) return Number(match[1]);
  return toIPv4Prefix(text)?.length ?? null;
}

export function isIPv6Text(text: string): boolean {
  return text.includes(":");
}

/** True when `inner` lies within `outer`, equal counting; false when either is not IPv4. */
export function prefixInside(inner: string, outer: string): boolean {
  const a = toIPv4Prefix(inner);
  const b = toIPv4Prefix(outer);
  return a !== null && b !== null && prefixWithin(a, b);
}

export function samePrefix(a: string, b: string): boolean {
  const x = toIPv4Prefix(a);
  const y = toIPv4Prefix(b);
  return x !== null && y !== null && x.network === y.network && x.length === y.length;
}

/** An inclusive range of integers, e.g. a prefix-length range "23-32". */
export interface NumberRange {
  min: number;
  max: number;
}

/** "A-B" or "N"; null when malformed or reversed. */
export function parseRange(text: string): NumberRange | null {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (match?.[1] === undefined) return null;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  return min <= max ? { min, max } : null;
}

export function inRange(value: number, range: NumberRange): boolean {
  return value >= range.min && value <= range.max;
}

// RouterOS AS-path expressions are regexes over the path printed as space-separated ASNs,
// with Cisco's `_` meaning "start, end or a space between two ASNs".
const AS_PATH_ALPHABET = /^[0-9^$_.*+?[\]()|{}, -]*$/;

/** Compiles an AS-path expression, or returns why it cannot be used. */
export function compileAsPath(expression: string): RegExp | { problem: string } {
  if (!AS_PATH_ALPHABET.test(expression)) {
    return { problem: `AS-path expression "${expression}" may only use digits, spaces and ^ $ _ . * + ? [ ] ( ) | { } -` };
  }
  try {
    return new RegExp(expression.replaceAll("_", "(?:^| |$)"));
  } catch (error) {
    return { problem: `AS-path expression "${expression}" is not a valid regex: ${(error as Error).message}` };
  }
}

export function asPathText(asPath: readonly number[]): string {
  return asPath.join(" ");
}
