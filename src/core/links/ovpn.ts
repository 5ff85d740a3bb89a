// OpenVPN links (the seed's setup): the listener runs the server with a certificate its own CA
// signed, the other side dials in as a PPP user; TCP wherever RouterOS 6 is involved.
import type { LinkKindSpec } from "./kind.js";

/** Stands for a CA fingerprint before the CA exists; never sent to a router. */
export const PLACEHOLDER_FINGERPRINT = "0".repeat(64);

export const OPENVPN_PORT = 1194;
// The seed's OpenVPN MTU: room for OpenVPN's overhead and a light tunnel inside it.
export const OPENVPN_MTU = 1450;

export const ovpn: LinkKindSpec = {
  kind: "ovpn",
  title: "OpenVPN",
  short: "ovpn",
  defaultMtu: OPENVPN_MTU,
  keysOnRouter: false,
  certificates: true,
  password: true,
  ownFields: ["protocol", "caFingerprint", "user", "requireClientCertificate"],
  transport: (link) => link.protocol ?? "tcp",
  fileProblems(link) {
    const problems = [];
    if (link.user === undefined) problems.push({ field: ["user"], message: "missing: the PPP secret name of this OpenVPN link" });
    if (link.caFingerprint === undefined) problems.push({ field: ["caFingerprint"], message: "missing: the OpenVPN server's CA fingerprint the client pins" });
    return problems;
  },
  unsupported(link, side, features) {
    if (!features.ovpn) {
      const instead = features.instead?.ovpn;
      return { code: "version-gate", field: "kind", message: `link ${link.name} uses OpenVPN, which ${side}'s ${features.name} does not offer${instead === undefined ? "" : `: ${instead}`}` };
    }
    if (link.protocol === "udp" && !features.ovpnUdp) {
      return { code: "version-gate", field: "protocol", message: `link ${link.name} uses OpenVPN over UDP but ${side} runs ${features.name}, whose OpenVPN is TCP only: use "protocol": "tcp"` };
    }
    return null;
  },
  listenerProblem(links, side, features) {
    const servers = new Set(links.map((l) => `${l.port}/${l.protocol ?? "tcp"}`));
    if (features.ovpnPortPerLink) {
      return servers.size === links.length ? null : `${side} runs ${features.name}, which runs one OpenVPN server per link: every OpenVPN link ${side} listens on needs its own port (${links.map((l) => `${l.name} ${l.port}/${l.protocol ?? "tcp"}`).join(", ")})`;
    }
    if (features.ovpnServers === "many") return null;
    if (servers.size <= 1) return null;
    return `${side} runs ${features.name}, which has one OpenVPN server, but its OpenVPN links listen on ${[...servers].join(" and ")}: use the same port and protocol on every link ${side} listens on (several servers need RouterOS 7.17)`;
  },
  draft: (offered) => ({ caFingerprint: offered.caFingerprint || PLACEHOLDER_FINGERPRINT }),
  fileFields: (offered) => ({
    protocol: offered.protocol,
    caFingerprint: offered.caFingerprint,
    user: offered.user,
    requireClientCertificate: offered.requireClientCertificate,
    mtu: offered.mtu,
  }),
  // One port for every OpenVPN link: a router may have a single OpenVPN server (a pool for a
  // listener with a server per link gives each its own).
  propose: (request, ports) => ({
    port: ports.shared("ovpn", OPENVPN_PORT),
    publicKey: "",
    keepalive: "",
    mtu: OPENVPN_MTU,
    protocol: "tcp",
    user: request.user ?? request.name,
    caFingerprint: PLACEHOLDER_FINGERPRINT,
    requireClientCertificate: true,
  }),
};
