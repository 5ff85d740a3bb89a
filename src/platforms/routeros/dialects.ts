// RouterOS versions and what each one can do: the one version table. Everything else asks the
// dialect a named capability ("has WireGuard", "one OpenVPN server only", "filter rules are a
// script"); nowhere else compares version numbers.
import type { Features, SidePlatform } from "../../core/features.js";

/** The syntax family a render targets, as printed in scripts and JSON: "v6", "v7", "v7.20". */
export type DialectFamily = "v6" | "v7" | "v7.20";

type Version = readonly [number, number, number];

function parseVersion(text: string): Version | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (m === null) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function atLeast(v: Version, text: string): boolean {
  return compareVersions(v, parseVersion(text)!) >= 0;
}

export const OLDEST_SUPPORTED = "6.45";
const SUPPORTED = "bgpals works with RouterOS 6.45 to 6.49 and 7.x";

/** What a RouterOS version offers that bgpals relies on, each by name. */
export interface Dialect {
  readonly version: string;
  /** For printing only ("v7.20 syntax"); decisions ask the named capabilities below. */
  readonly family: DialectFamily;
  /** In the words a peering needs (core/features.ts). */
  readonly features: Features;

  readonly wireguard: boolean;
  /** WireGuard peers carry a `name` (7.15). */
  readonly wireguardPeerName: boolean;
  readonly ovpnUdp: boolean;
  /** `/interface/ovpn-server/server` holds several named servers (7.17) instead of one settings object. */
  readonly ovpnServerInstances: boolean;
  /** OpenVPN servers and clients take `protocol=` (RouterOS 6 is TCP only and has no such attribute). */
  readonly ovpnProtocolAttribute: boolean;
  /** The OpenVPN client can verify the server's certificate (`verify-server-certificate`). */
  readonly ovpnVerifiesServer: boolean;
  /** AES-GCM and SHA-256 for OpenVPN; without them, CBC and SHA-1. */
  readonly ovpnModernCrypto: boolean;
  /** What the console calls AES-256 in CBC mode. */
  readonly ovpnCbcCipher: "aes256" | "aes256-cbc";

  /** Routing filter rules are a script (`if (...) { ... }`, 7) rather than matchers and actions as attributes (6). */
  readonly filterRulesAreScript: boolean;
  /** BGP sessions are `/routing/bgp/connection` + read-only `/routing/bgp/session` (7), not `/routing/bgp/peer` (6). */
  readonly bgpConnections: boolean;
  /** Announced networks come from an address list (`output.network`, 7), not `/routing/bgp/network` (6). */
  readonly networksFromAddressList: boolean;
  /** BGP AS and router-id live on `/routing/bgp/instance` (6, and 7.20+). */
  readonly bgpInstanceMenu: boolean;
  /** The instance also says what is redistributed (6). */
  readonly bgpInstanceRedistributes: boolean;
  /** Connections name their instance (7.20). */
  readonly bgpConnectionInstance: boolean;
  /** How a connection chooses its address family: `afi` (7.19), `address-families`, or not at all (6: on the peer). */
  readonly bgpAfiName: "afi" | "address-families" | null;
  /** `/routing/bgp/session clear` restarts a session (7); 6 must disable and enable the peer. */
  readonly bgpSessionClear: boolean;
  /** A blackhole route is `blackhole=yes` (7), not `type=blackhole` (6). */
  readonly blackholeFlag: boolean;
  /** Route attributes are spelled `bgp.local-pref` (7), not `bgp-local-pref` (6). */
  readonly dottedRouteAttributes: boolean;
  /**
   * Routing tables are objects (`/routing/table add name=.. fib`, then `routing-table=` on a route)
   * (7); 6 has routing marks (`routing-mark=` on a route), made by naming them.
   */
  readonly routingTables: boolean;

  /**
   * Where routes an input filter rejected are kept, with `filtered=true`: `/routing/route` (7). On 6
   * a `reject`ed route stays in /ip/route, inactive, and bgpals's rules `discard` (forgotten): none.
   */
  readonly filteredRoutesMenu: string | null;
  /** The API streams changes (`listen`, `=follow=` on print); without it, poll. */
  readonly follows: boolean;
  /** Files can be made with `/file add contents=` (7); 6 prints into a file first. */
  readonly fileAdd: boolean;
}

const cache = new Map<string, Dialect | null>();

/** The dialect of a RouterOS version, or null when bgpals does not support that version. */
export function dialectOf(text: string): Dialect | null {
  const key = text.trim().split(" ")[0] ?? "";
  if (!cache.has(key)) cache.set(key, build(key));
  return cache.get(key)!;
}

function build(text: string): Dialect | null {
  const v = parseVersion(text);
  if (v === null || v[0] < 6 || v[0] > 7 || !atLeast(v, OLDEST_SUPPORTED)) return null;
  const v7 = v[0] === 7;
  const family: DialectFamily = !v7 ? "v6" : atLeast(v, "7.20") ? "v7.20" : "v7";
  const wireguard = v7;
  const ovpnUdp = v7 && atLeast(v, "7.4");
  const ovpnServerInstances = v7 && atLeast(v, "7.17");
  return {
    version: text,
    family,
    features: { name: `RouterOS ${text}`, wireguard, ovpn: true, ovpnUdp, ovpnServers: ovpnServerInstances ? "many" : "one", ovpnModernCrypto: v7 },
    wireguard,
    wireguardPeerName: v7 && atLeast(v, "7.15"),
    ovpnUdp,
    ovpnServerInstances,
    ovpnProtocolAttribute: v7,
    ovpnVerifiesServer: v7,
    ovpnModernCrypto: v7,
    ovpnCbcCipher: v7 ? "aes256-cbc" : "aes256",
    filterRulesAreScript: v7,
    bgpConnections: v7,
    networksFromAddressList: v7,
    bgpInstanceMenu: !v7 || family === "v7.20",
    bgpInstanceRedistributes: !v7,
    bgpConnectionInstance: family === "v7.20",
    bgpAfiName: !v7 ? null : atLeast(v, "7.19") ? "afi" : "address-families",
    bgpSessionClear: v7,
    blackholeFlag: v7,
    dottedRouteAttributes: v7,
    routingTables: v7,
    follows: v7,
    filteredRoutesMenu: v7 ? "/routing/route" : null,
    fileAdd: v7,
  };
}

/** Why a version cannot be used, for messages. */
export function unsupportedVersion(text: string): string {
  return `RouterOS ${text} is not supported: ${SUPPORTED}`;
}

/** The dialect, or an expected-error message. */
export function requireDialect(text: string): Dialect | { unsupported: string } {
  return dialectOf(text) ?? { unsupported: unsupportedVersion(text) };
}

/** The core's view of a side's platform (core/features.ts FeaturesOf). */
export function routerOsFeatures(platform: SidePlatform): Features | { unsupported: string } {
  if (platform.os !== "routeros") return { unsupported: `${platform.os} is not RouterOS` };
  const dialect = requireDialect(platform.version ?? "");
  return "unsupported" in dialect ? dialect : dialect.features;
}

/** The version of a `/system/resource` answer ("7.19.6 (stable)" → "7.19.6"). */
export function versionOfResource(resource: { version?: string } | undefined): string {
  return (resource?.version ?? "").split(" ")[0] ?? "";
}

/** Whether RouterOS `text` is older than `than` (both supported forms); for the schema checks in tests and tools. */
export function versionBefore(text: string, than: string): boolean {
  const a = parseVersion(text);
  const b = parseVersion(than);
  return a !== null && b !== null && compareVersions(a, b) < 0;
}
