// Private ASNs (RFC 6996): what friends use among themselves.

export const PRIVATE_ASN_RANGES: ReadonlyArray<readonly [number, number]> = [
  [64512, 65534],
  [4200000000, 4294967294],
];

export function isPrivateAsn(asn: number): boolean {
  return Number.isInteger(asn) && PRIVATE_ASN_RANGES.some(([lo, hi]) => asn >= lo && asn <= hi);
}

/** Why an ASN cannot be ours, or null when it can. `taken` maps ASN → who already uses it. */
export function asnProblem(asn: number, taken: ReadonlyMap<number, string>): string | null {
  if (!isPrivateAsn(asn)) return `AS${asn} is not a private ASN: pick one in 64512-65534 or 4200000000-4294967294`;
  const owner = taken.get(asn);
  if (owner !== undefined) return `AS${asn} is already used by ${owner}: every friend needs a distinct ASN`;
  return null;
}

/**
 * The first free private ASN at or after `from` (16-bit range first, then 32-bit).
 * Returns null only when every private ASN from there on is taken.
 */
export function suggestAsn(taken: Iterable<number>, from = 64512): number | null {
  const used = new Set(taken);
  for (const [lo, hi] of PRIVATE_ASN_RANGES) {
    for (let asn = Math.max(lo, from); asn <= hi; asn++) if (!used.has(asn)) return asn;
  }
  return null;
}
