// IPv4 prefixes as plain numbers. ip-num validates the text forms; the arithmetic is kept
// on unsigned 32-bit numbers because allocation walks thousands of ranges.
// Only the validator: ip-num's index also builds its IPv6 ranges as it loads, some 20 ms of every start.
import { Validator } from "ip-num/dist/src/Validator.js";

export interface Prefix {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  length: number;
}

export function isIPv4(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && Validator.isValidIPv4String(text)[0];
}

/** A network prefix with no host bits set, e.g. "192.168.42.0/24". */
export function isIPv4Prefix(text: string): boolean {
  const [address, length] = text.split("/");
  if (address === undefined || length === undefined || !/^\d{1,2}$/.test(length)) return false;
  return isIPv4(address) && Number(length) <= 32 && Validator.isValidIPv4CidrRange(text)[0];
}

export function parseAddress(text: string): number {
  if (!isIPv4(text)) throw new Error(`not an IPv4 address: ${text}`);
  return text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function formatAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Parses "a.b.c.d/len" (host bits allowed, e.g. an interface address) or a bare address (/32). */
export function parsePrefix(text: string): Prefix {
  const [address, lengthText] = text.split("/");
  const length = lengthText === undefined ? 32 : Number(lengthText);
  if (address === undefined || !Number.isInteger(length) || length < 0 || length > 32 || (lengthText !== undefined && !/^\d{1,2}$/.test(lengthText))) {
    throw new Error(`not an IPv4 prefix: ${text}`);
  }
  return { network: (parseAddress(address) & mask(length)) >>> 0, length };
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.network)}/${p.length}`;
}

export function lastAddress(p: Prefix): number {
  return (p.network | (~mask(p.length) >>> 0)) >>> 0;
}

/** True when `inner` lies within `outer` (equal counts). */
export function prefixWithin(inner: Prefix, outer: Prefix): boolean {
  return inner.length >= outer.length && ((inner.network & mask(outer.length)) >>> 0) === outer.network;
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixWithin(a, b) || prefixWithin(b, a);
}

export function addressInPrefix(address: number, p: Prefix): boolean {
  return ((address & mask(p.length)) >>> 0) === p.network;
}

/** Where a friend's prefixes may lie without the user confirming them: RFC 1918 and RFC 6598 (shared, CGNAT). */
/**
 * Where an address sits behind someone's NAT (RFC 1918 private space, or the CGNAT shared space of
 * RFC 6598): nothing on the internet reaches it. Null for any other address.
 */
export function behindNat(address: string): { prefix: string; what: string } | null {
  if (!isIPv4(address)) return null;
  const n = parseAddress(address);
  const space = [
    { prefix: "100.64.0.0/10", what: "CGNAT (carrier-grade NAT) shared space" },
    { prefix: "10.0.0.0/8", what: "private (RFC 1918) space" },
    { prefix: "172.16.0.0/12", what: "private (RFC 1918) space" },
    { prefix: "192.168.0.0/16", what: "private (RFC 1918) space" },
  ];
  return space.find((s) => addressInPrefix(n, parsePrefix(s.prefix))) ?? null;
}

export const PRIVATE_SPACE: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** Space no friend may announce and no tunnel may reach, confirmed or not, with what each is. */
export const RESERVED_SPACE: ReadonlyArray<{ prefix: string; what: string }> = [
  { prefix: "0.0.0.0/8", what: "\"this network\" (RFC 791)" },
  { prefix: "127.0.0.0/8", what: "loopback" },
  { prefix: "169.254.0.0/16", what: "link-local" },
  { prefix: "224.0.0.0/4", what: "multicast" },
  { prefix: "240.0.0.0/4", what: "reserved (class E and broadcast)" },
];

/** The first of `space` that lies around `p`, or undefined. */
export function enclosing(p: Prefix, space: readonly string[]): string | undefined {
  return space.find((s) => prefixWithin(p, parsePrefix(s)));
}

/**
 * True when the prefixes together cover every IPv4 address: a default route in pieces
 * (0.0.0.0/1 + 128.0.0.0/1, four /2s, ...), whatever their order or overlaps.
 */
export function coverAllAddresses(prefixes: readonly Prefix[]): boolean {
  const ranges = prefixes.map((p) => [p.network, lastAddress(p)] as const).sort((a, b) => a[0] - b[0]);
  // The next address not yet covered, walking up from 0.0.0.0.
  let next = 0;
  for (const [first, last] of ranges) {
    if (first > next) return false;
    if (last + 1 > next) next = last + 1;
    if (next > 0xffffffff) return true;
  }
  return false;
}
