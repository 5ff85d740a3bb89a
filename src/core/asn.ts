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

/** Who uses which ASN across a set of peerings, leaving out the given sides (us, and the friend being checked). */
export function takenAsns(peerings: readonly { name: string; sides: Readonly<Record<string, { asn: number }>> }[], except: readonly string[]): Map<number, string> {
  const taken = new Map<number, string>();
  for (const p of peerings) for (const [name, side] of Object.entries(p.sides)) if (!except.includes(name)) taken.set(side.asn, `${name} (peering ${p.name})`);
  return taken;
}

/** An ASN for `me`, or why not: private range, not a friend's. */
export function asnChoiceProblem(asn: number, peerings: Parameters<typeof takenAsns>[0], me: string): string | null {
  return asnProblem(asn, takenAsns(peerings, [me]));
}

/** The ASN to suggest to `me`: one the router already uses if it is free, else the first free private one. */
export function suggestAsnFor(peerings: Parameters<typeof takenAsns>[0], me: string, routerAsns: readonly number[] = []): number {
  const taken = takenAsns(peerings, [me]);
  return routerAsns.find((a) => asnProblem(a, taken) === null) ?? suggestAsn(taken.keys()) ?? 4200000000;
}
