// RouterOS versions as the lab sees them: which generation a router runs and which behaviours
// of that version the lab models. Written from MikroTik's changelogs and manual; the lab keeps its
// own reading rather than sharing bgpals's, so a wrong version gate in bgpals shows up against it.
// Differences in arguments (the WireGuard peer `name` of 7.15, `afi` replacing `address-families`
// in 7.19, ...) are not listed here: the real command tree of each version decides those
// (schema/trees.json, see schema.ts).

export type Version = readonly [major: number, minor: number, patch: number];

/** "7.19.6", "7.24", "6.49.10 (long-term)" → [7, 19, 6] ...; null when unreadable. */
export function parseVersion(text: string): Version | null {
  const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (m === null) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function atLeast(version: Version, other: string): boolean {
  return compareVersions(version, parseVersion(other)!) >= 0;
}

/** What differs between the RouterOS versions the lab runs. */
export interface RouterOs {
  version: string;
  /**
   * RouterOS 6: `/routing bgp instance|peer|network`, `/routing filter` rules made of attributes
   * (a chain accepts at its end), no WireGuard, OpenVPN over TCP only, one OpenVPN server.
   */
  v6: boolean;
  /** The OpenVPN server speaks UDP (7.4; RouterOS 6 and early 7 speak TCP only). */
  ovpnUdpServer: boolean;
  /** `/interface/ovpn-server/server` holds several named servers (7.17) instead of one. */
  ovpnServers: boolean;
  /** An empty print answers `!empty` before `!done` (7.18). */
  emptyReplies: boolean;
  /** BGP AS and router-id live in `/routing/bgp/instance`, which each connection names (7.20). */
  bgpInstances: boolean;
}

/** The lab models RouterOS 6 and 7; null for any other version. */
export function routerOs(version: string): RouterOs | null {
  const v = parseVersion(version);
  if (v === null || (v[0] !== 6 && v[0] !== 7)) return null;
  const v7 = v[0] === 7;
  return {
    version,
    v6: !v7,
    ovpnUdpServer: v7 && atLeast(v, "7.4"),
    ovpnServers: v7 && atLeast(v, "7.17"),
    emptyReplies: v7 && atLeast(v, "7.18"),
    bgpInstances: v7 && atLeast(v, "7.20"),
  };
}

/** RouterOS 6 (the lab's default for an unreadable version is RouterOS 7). */
export function isV6(version: string): boolean {
  return routerOs(version)?.v6 === true;
}

/** Versions oldest first. */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
}

/**
 * Of `known` (oldest first), the newest not newer than `version`, or the oldest for a 7.x older
 * than all of them; null for anything but RouterOS 7.
 */
export function closestOf(known: readonly string[], version: string): string | null {
  const v = parseVersion(version);
  if (v === null || v[0] !== 7) return null;
  let best: string | null = null;
  for (const candidate of known) if (compareVersions(parseVersion(candidate)!, v) <= 0) best = candidate;
  return best ?? known[0] ?? null;
}
