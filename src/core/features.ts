// What a router can do, in the words a peering needs. Each platform maps its own versions to this
// (RouterOS: platforms/routeros/dialects.ts), so the core never asks for a version number.

export interface Features {
  /** The platform and version, for messages: "RouterOS 6.49.10". */
  readonly name: string;
  readonly wireguard: boolean;
  readonly ovpn: boolean;
  /** OpenVPN over UDP; without it, TCP only. */
  readonly ovpnUdp: boolean;
  /** One OpenVPN server for the whole router, or one per port. */
  readonly ovpnServers: "one" | "many";
  /** Each OpenVPN link it listens on is a server of its own, on its own port (Linux: an openvpn process per link). */
  readonly ovpnPortPerLink?: boolean;
  /**
   * OpenVPN's data channel with AES-256-GCM and SHA-256; without it AES-256-CBC with SHA-1 (RouterOS
   * 6). Both ends of a link use the modern pair only when both have it. Left out: the modern pair.
   */
  readonly ovpnModernCrypto?: boolean;
  /** What to use instead of a link kind this platform lacks, for refusals ("use WireGuard: ..."). */
  readonly instead?: { readonly ovpn?: string };
}

/**
 * A side's `platform` field in a peering file: `{os: "routeros", version}` or `{os: "linux", bird}`
 * (the BIRD version). Each platform reads its own fields.
 */
export interface SidePlatform {
  readonly os: string;
  readonly version?: string;
  readonly bird?: string;
}

/** The field of a side's `platform` that holds its version ("version", "bird"). */
export function versionField(platform: SidePlatform): "version" | "bird" {
  return platform.version === undefined && platform.bird !== undefined ? "bird" : "version";
}

/** The version a side's `platform` names, whatever the platform calls it. */
export function versionOf(platform: SidePlatform): string {
  return platform[versionField(platform)] ?? "";
}

/** The features of a side's platform, or why bgpals cannot work with it. */
export type FeaturesOf = (platform: SidePlatform) => Features | { unsupported: string };
