// How bgpals names what it creates on a router. One place, so plan, monitor and lab agree.
import { linkKind } from "../../core/links/index.js";
import type { Link, Peering } from "../../core/peering.js";

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

/**
 * The certificates a peering makes on a router. RouterOS certificates carry no comment, so the
 * name is their ownership tag: `bgpals-<peering>-<role>`.
 */
export function certificateNames(peering: string): { ca: string; server: string; client: string; friendCa: string } {
  return { ca: `bgpals-${peering}-ca`, server: `bgpals-${peering}-server`, client: `bgpals-${peering}-client`, friendCa: `bgpals-${peering}-friend-ca` };
}

const CERTIFICATE_ROLES = { ca: "certificate-ca", server: "certificate-server", client: "certificate-client", friendCa: "certificate-friend-ca" } as const;

/** The ownership of a certificate, read from its name; null when it is not one of this peering's. */
export function certificateOwnership(peering: string, name: string | undefined): { peering: string; role: string } | null {
  const all = certificateNames(peering);
  for (const key of Object.keys(all) as (keyof typeof all)[]) if (all[key] === name) return { peering, role: CERTIFICATE_ROLES[key] };
  return null;
}

/** The read-only RouterOS account a side grants its friend's monitor, and its user group. */
export function monitorAccountNames(peering: string): { user: string; group: string } {
  return { user: `bgpals-${peering}-ro`, group: `bgpals-${peering}-ro` };
}

export const names = {
  tunnelInterface: (link: Link, friend: string) => `${linkKind(link.kind).short}-${friend}-${link.name}`,
  wireguardPeer: (link: Link, friend: string) => `${friend}-${link.name}`,
  inputChain: (p: Peering, link: string) => `${p.name}-in-${link}`,
  outputChain: (p: Peering, link: string) => `${p.name}-out-${link}`,
  networkList: (p: Peering) => `bgpals-${p.name}`,
  bgpInstance: (p: Peering) => `bgpals-${p.name}`,
  bgpSession: (link: Link, friend: string) => `${friend}-${link.name}`,
  pppProfile: (p: Peering) => `bgpals-${p.name}`,
  ovpnServer: (p: Peering, port: number) => `bgpals-${p.name}-${port}`,
  serverCertificate: (p: Peering) => certificateNames(p.name).server,
  clientCertificate: (p: Peering) => certificateNames(p.name).client,
  caCertificate: (p: Peering) => certificateNames(p.name).ca,
  /** The script (and its scheduler item) that re-resolves the friend's endpoint names on the router. */
  endpointFollower: (p: Peering) => `bgpals-${p.name}-endpoints`,
};
