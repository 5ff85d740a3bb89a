// RouterOS versions and what each one can do. One table, not scattered `if (v7)`.
import type { Dialect } from "./types.js";

export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (m === null) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function atLeast(v: Version, text: string): boolean {
  const other = parseVersion(text);
  if (other === null) throw new Error(`bad version ${text}`);
  return compareVersions(v, other) >= 0;
}

/** What a RouterOS version offers that bgpals relies on. */
export interface Capabilities {
  version: string;
  dialect: Dialect;
  wireguard: boolean;
  /** WireGuard peers carry a `name` (7.15). */
  wireguardPeerName: boolean;
  /** OpenVPN over UDP (7.4; RouterOS 6 has TCP only). */
  ovpnUdp: boolean;
  /** `/interface/ovpn-server/server` holds several named servers (7.17) instead of one. */
  ovpnServerInstances: boolean;
  /** BGP connections choose the address family with `afi` (7.19) rather than `address-families`. */
  bgpAfiName: "afi" | "address-families" | null;
  /** BGP AS and router-id live on `/routing/bgp/instance` (7.20). */
  bgpInstanceMenu: boolean;
}

export const OLDEST_SUPPORTED = "6.45";

export function capabilities(text: string): Capabilities | null {
  const v = parseVersion(text);
  if (v === null || v[0] < 6 || v[0] > 7 || !atLeast(v, OLDEST_SUPPORTED)) return null;
  const v7 = v[0] === 7;
  const dialect: Dialect = !v7 ? "v6" : atLeast(v, "7.20") ? "v7.20" : "v7";
  return {
    version: text,
    dialect,
    wireguard: v7,
    wireguardPeerName: v7 && atLeast(v, "7.15"),
    ovpnUdp: v7 && atLeast(v, "7.4"),
    ovpnServerInstances: v7 && atLeast(v, "7.17"),
    bgpAfiName: !v7 ? null : atLeast(v, "7.19") ? "afi" : "address-families",
    bgpInstanceMenu: dialect === "v7.20",
  };
}
