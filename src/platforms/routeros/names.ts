// How bgpals names what it creates on a router. One place, so plan, monitor and lab agree.
import { linkKind } from "../../core/links/index.js";
import type { Link, Peering } from "../../core/peering.js";

export const TAG_PREFIX = "bgpals";

/** The ownership comment every object bgpals creates carries. */
export function ownershipTag(peering: string, role: string): string {
  return `${TAG_PREFIX}:${peering}:${role}`;
}

/**
 * The tag of an object several peerings need at once (a RouterOS 6 `/routing bgp network`, which is
 * global, or the one OpenVPN server's record): every peering that needs it, in the order they came.
 * The first added it; the last to go removes it.
 */
export function sharedOwnershipTag(peerings: readonly string[], role: string): string {
  return `${TAG_PREFIX}:${peerings.join(",")}:${role}`;
}

/**
 * Splits an ownership comment; null when the comment is not ours. `peering` is the first of
 * `peerings` (more than one on a shared object).
 */
export function parseOwnershipTag(comment: string | undefined): { peering: string; role: string; peerings: string[] } | null {
  const m = /^bgpals:([A-Za-z0-9][A-Za-z0-9_-]*(?:,[A-Za-z0-9][A-Za-z0-9_-]*)*):(.+)$/.exec(comment ?? "");
  if (m === null) return null;
  const peerings = (m[1] ?? "").split(",");
  return { peering: peerings[0]!, role: m[2] ?? "", peerings };
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

/**
 * Before 7.17 a router has one OpenVPN server, a settings object without a comment. bgpals keeps a
 * record of it beside it: a disabled scheduler entry whose tag lists the peerings that use the
 * server, and whose script sets back what the server held before bgpals (never run by bgpals; a
 * user may run it by hand).
 */
export const ONE_SERVER_RECORD = { path: "/system/scheduler", name: "bgpals-ovpn-server", role: "ovpn-server", server: "/interface/ovpn-server/server" } as const;

/** The peering whose server certificate `name` is (`bgpals-<peering>-server`), or null. */
export function serverCertificateOwner(name: string | undefined): string | null {
  const m = /^bgpals-([A-Za-z0-9][A-Za-z0-9_-]*)-server$/.exec(name ?? "");
  return m === null ? null : m[1]!;
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
  /** The connection mark and routing table that send a listener link's replies back out of its WAN. */
  replyMark: (p: Peering, link: string) => `bgpals-${p.name}-${link}`,
  replyTable: (p: Peering, link: string) => `bgpals-${p.name}-${link}`,
  ovpnServer: (p: Peering, port: number) => `bgpals-${p.name}-${port}`,
  serverCertificate: (p: Peering) => certificateNames(p.name).server,
  clientCertificate: (p: Peering) => certificateNames(p.name).client,
  caCertificate: (p: Peering) => certificateNames(p.name).ca,
  /** The script (and its scheduler item) that re-resolves the friend's endpoint names on the router. */
  endpointFollower: (p: Peering) => `bgpals-${p.name}-endpoints`,
};
