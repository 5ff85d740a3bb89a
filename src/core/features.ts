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
}

/** A side's `platform` field in a peering file. */
export interface SidePlatform {
  readonly os: string;
  readonly version: string;
}

/** The features of a side's platform, or why bgpals cannot work with it. */
export type FeaturesOf = (platform: SidePlatform) => Features | { unsupported: string };
