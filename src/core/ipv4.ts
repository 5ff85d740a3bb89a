// IPv4 prefixes as plain numbers. ip-num validates the text forms; the arithmetic is kept
// on unsigned 32-bit numbers because allocation walks thousands of ranges.
import { Validator } from "ip-num";

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
