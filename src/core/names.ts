// How bgpals names what it creates on a router. One place, so plan, monitor and lab agree.
import type { Link, Peering } from "./peering.js";

export const TAG_PREFIX = "bgpals";

/** The ownership comment every object bgpals creates carries. */
export function ownershipTag(peering: string, role: string): string {
  return `${TAG_PREFIX}:${peering}:${role}`;
}

/** Splits an ownership comment; null when the comment is not ours. */
export function parseOwnershipTag(comment: string | undefined): { peering: string; role: string } | null {
  const m = /^bgpals:([A-Za-z0-9][A-Za-z0-9_-]*):(.+)$/.exec(comment ?? "");
  return m === null ? null : { peering: m[1] ?? "", role: m[2] ?? "" };
}

export const names = {
  tunnelInterface: (link: Link, friend: string) => `${link.kind === "wireguard" ? "wg" : "ovpn"}-${friend}-${link.name}`,
  wireguardPeer: (link: Link, friend: string) => `${friend}-${link.name}`,
  inputChain: (p: Peering, link: string) => `${p.name}-in-${link}`,
  outputChain: (p: Peering, link: string) => `${p.name}-out-${link}`,
  networkList: (p: Peering) => `bgpals-${p.name}`,
  bgpInstance: (p: Peering) => `bgpals-${p.name}`,
  bgpSession: (link: Link, friend: string) => `${friend}-${link.name}`,
  pppProfile: (p: Peering) => `bgpals-${p.name}`,
  ovpnServer: (p: Peering, port: number) => `bgpals-${p.name}-${port}`,
  serverCertificate: (p: Peering) => `bgpals-${p.name}-server`,
  clientCertificate: (p: Peering) => `bgpals-${p.name}-client`,
  caCertificate: (p: Peering) => `bgpals-${p.name}-ca`,
};
