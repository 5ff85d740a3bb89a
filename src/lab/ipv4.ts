// IPv4 addresses and prefixes as the lab reads them: unsigned 32-bit numbers. The lab keeps its
// own (small) arithmetic so that it never shares a mistake with the code it judges.

export interface Prefix {
  /** The network address with host bits cleared, as an unsigned 32-bit number. */
  network: number;
  length: number;
}

/** The address as a number, or null when the text is not a dotted-quad IPv4 address. Read by hand: the dataplane reads one per route it judges. */
export function readAddress(text: string): number | null {
  let address = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3) return null;
    } else if (c === 46 && digits > 0 && dots < 3) {
      if (part > 255) return null;
      address = address * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return null;
  return address * 256 + part;
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
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const address = readAddress(slash < 0 ? trimmed : trimmed.slice(0, slash));
  if (address === null) return null;
  let length = 32;
  if (slash >= 0) {
    const lengthText = trimmed.slice(slash + 1);
    if (!/^\d{1,2}$/.test(lengthText)) return null;
    length = Number(lengthText);
  }
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
