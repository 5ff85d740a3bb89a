// IPv4 addresses and prefixes as the lab reads them: unsigned 32-bit numbers. The lab keeps its
// own (small) arithmetic so that it never shares a mistake with the code it judges.

export interface Prefix {
  /** The network address with host bits cleared, as an unsigned 32-bit number. */
  network: number;
  length: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or null when the text is not a dotted-quad IPv4 address. */
export function readAddress(text: string): number | null {
  const m = DOTTED.exec(text);
  if (m === null) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function isIPv4(text: string): boolean {
  return readAddress(text) !== null;
}

export function parseAddress(text: string): number {
  const address = readAddress(text);
  if (address === null) throw new Error(`not an IPv4 address: ${text}`);
  return address;
}

function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/**
 * "a.b.c.d/len" (host bits allowed, as on an interface address) or a bare address, which counts
 * as a /32. Null when unreadable.
 */
export function readPrefix(text: string): Prefix | null {
  const [addressText, lengthText, ...rest] = text.trim().split("/");
  if (addressText === undefined || rest.length > 0) return null;
  const address = readAddress(addressText);
  if (address === null) return null;
  if (lengthText !== undefined && !/^\d{1,2}$/.test(lengthText)) return null;
  const length = lengthText === undefined ? 32 : Number(lengthText);
  if (length > 32) return null;
  return { network: (address & maskOf(length)) >>> 0, length };
}

export function parsePrefix(text: string): Prefix {
  const prefix = readPrefix(text);
  if (prefix === null) throw new Error(`not an IPv4 prefix: ${text}`);
  return prefix;
}

export function formatAddress(address: number): string {
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join(".");
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatAddress(prefix.network)}/${prefix.length}`;
}

export function addressInPrefix(address: number, prefix: Prefix): boolean {
  return ((address & maskOf(prefix.length)) >>> 0) === prefix.network;
}

/** True when `inner` lies within `outer`; a prefix lies within itself. */
export function prefixWithin(inner: Prefix, outer: Prefix): boolean {
  return inner.length >= outer.length && addressInPrefix(inner.network, outer);
}

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.network === b.network && a.length === b.length;
}
