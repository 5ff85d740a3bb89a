// WireGuard links: the listener is the responder, the other side initiates with a keepalive; each
// side's public key is made on its own router and the private key never leaves it.
import type { LinkKindSpec } from "./kind.js";

/** Stands for a WireGuard key the router has not generated yet; never sent to a router. */
export const PLACEHOLDER_KEY = `${"A".repeat(43)}=`;

export const WIREGUARD_FIRST_PORT = 13231;
export const WIREGUARD_MTU = 1420;
export const WIREGUARD_KEEPALIVE = "25s";

export const wireguard: LinkKindSpec = {
  kind: "wireguard",
  title: "WireGuard",
  short: "wg",
  defaultMtu: WIREGUARD_MTU,
  keysOnRouter: true,
  certificates: false,
  password: false,
  ownFields: ["publicKey"],
  transport: () => "udp",
  // A key left out is the placeholder: that side's router makes it (checked against the router at plan).
  fileProblems: () => [],
  unsupported(link, side, features) {
    if (features.wireguard) return null;
    return {
      code: "wireguard-v6",
      field: "kind",
      message: `link ${link.name} uses WireGuard but ${side} runs ${features.name}, which has no WireGuard: use "kind": "ovpn" for this link, or upgrade ${side} to RouterOS 7`,
    };
  },
  draft: (offered) => ({ publicKey: offered.publicKey || PLACEHOLDER_KEY }),
  fileFields: (offered, answered, offerer, friend) => ({ publicKey: { [offerer]: offered.publicKey, [friend]: answered?.publicKey }, keepalive: offered.keepalive, mtu: offered.mtu }),
  propose: (_request, ports) => ({ port: ports.take(WIREGUARD_FIRST_PORT), publicKey: "", keepalive: WIREGUARD_KEEPALIVE, mtu: WIREGUARD_MTU }),
};
