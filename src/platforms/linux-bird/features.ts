// What a Linux host with BIRD offers a peering (core/features.ts). The version a peering file gives
// is BIRD's: "2.0.12" as `bird --version` prints it, or "2.x" when any BIRD 2 will do.
import type { Features, SidePlatform } from "../../core/features.js";

/** BIRD 2: what the render writes (channels, `import limit ... action`, `graceful restart`). */
const BIRD_2 = /^2\.(x|\d+(\.\d+)?)$/;

export const SUPPORTED_BIRD = "bgpals writes BIRD 2 configuration: give the BIRD version as `bird --version` prints it (2.0.12, 2.15.1), or 2.x";

/** The core's view of a Linux side (core/features.ts FeaturesOf). */
export function linuxBirdFeatures(platform: SidePlatform): Features | { unsupported: string } {
  if (platform.os !== "linux") return { unsupported: `${platform.os} is not Linux` };
  // `version` too: what a host's discovery reports is BIRD's version.
  const bird = platform.bird ?? platform.version ?? "";
  if (!BIRD_2.test(bird)) return { unsupported: `BIRD ${bird || "(no version)"} is not supported: ${SUPPORTED_BIRD}` };
  return {
    name: `Linux (BIRD ${bird})`,
    wireguard: true,
    // OpenVPN 2.5 or later (openvpn), one server process per link: each link it listens on has its own port.
    ovpn: true,
    ovpnUdp: true,
    ovpnServers: "many",
    ovpnPortPerLink: true,
    ovpnModernCrypto: true,
  };
}
