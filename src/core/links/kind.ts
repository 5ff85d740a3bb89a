// What every link kind says about itself. Structural types only: the peering file's schema
// (core/peering.ts) takes its kinds from the registry, so nothing here imports it.
import type { Features } from "../features.js";

export type LinkKind = "wireguard" | "ovpn";

/** A link as the peering file holds it (core/peering.ts `Link` fits). */
export interface LinkShape {
  readonly name: string;
  readonly kind: string;
  readonly listener: string;
  readonly port: number;
  readonly publicKey?: Readonly<Record<string, string>>;
  readonly keepalive?: string;
  readonly mtu?: number;
  readonly protocol?: "tcp" | "udp";
  readonly caFingerprint?: string;
  readonly user?: string;
  readonly requireClientCertificate?: boolean;
}

/** A problem with one link of a peering file; `field` is the path below the link. */
export interface LinkProblem {
  readonly field: readonly (string | number)[];
  readonly message: string;
}

/** What stops a side's router from carrying a link: a refusal code and what to do. */
export interface Unsupported {
  readonly code: "wireguard-v6" | "version-gate";
  readonly field: string;
  readonly message: string;
}

/** Ports an offer may still use on the listener's router. */
export interface PortPool {
  /** The first free port from `from` on, taken. */
  take(from: number): number;
  /** One port for every link of a group (e.g. one OpenVPN server), taken once. */
  shared(group: string, from: number): number;
}

/**
 * `joined`: groups whose port is already decided (the one OpenVPN server a router has before 7.17,
 * which a new peering joins). `portPerLink`: the listener runs a server per link (a Linux host), so
 * a group shares nothing: each link takes its own port.
 */
export function portPool(taken: Iterable<number>, joined: Readonly<Record<string, number>> = {}, portPerLink = false): PortPool {
  const used = new Set(taken);
  const groups = new Map<string, number>(Object.entries(joined));
  const take = (from: number) => {
    let port = from;
    while (used.has(port)) port++;
    used.add(port);
    return port;
  };
  return {
    take,
    shared: (group, from) => {
      if (portPerLink) return take(from);
      const known = groups.get(group);
      if (known !== undefined) return known;
      const port = take(from);
      groups.set(group, port);
      return port;
    },
  };
}

/** The kind-specific fields of a link an offer proposes (bundle format, core/offer.ts OfferedLink). */
export interface ProposedFields {
  port: number;
  /** WireGuard: the offerer's public key (generated on its router); empty for OpenVPN. */
  publicKey: string;
  /** WireGuard: the friend's persistent keepalive; empty for OpenVPN. */
  keepalive: string;
  mtu: number;
  /** OpenVPN: transport (tcp everywhere RouterOS 6 is involved). */
  protocol?: "tcp" | "udp";
  /** OpenVPN: the PPP secret the friend logs in with (its password crosses in the answer's secrets). */
  user?: string;
  /** OpenVPN: SHA-256 of the offerer's CA certificate, which signed the server certificate. */
  caFingerprint?: string;
  /** OpenVPN: the server wants a client certificate signed by the CA the answer carries. */
  requireClientCertificate?: boolean;
}

export interface LinkKindSpec {
  readonly kind: LinkKind;
  /** In messages: "WireGuard". */
  readonly title: string;
  /** Short form in interface names: "wg". */
  readonly short: string;
  readonly defaultMtu: number;
  /** Each side's key is made on its own router before the offer or answer (WireGuard): preparing a peering creates the tunnel first. */
  readonly keysOnRouter: boolean;
  /** The listener proves itself with a certificate its own CA signed, the other side pins that CA (OpenVPN). */
  readonly certificates: boolean;
  /** The initiator logs in with a password it chooses, which crosses sealed in the answer (OpenVPN's PPP secret). */
  readonly password: boolean;
  /** Fields only links of this kind may carry. */
  readonly ownFields: readonly string[];
  /** What the tunnel rides on, for firewall rules. */
  transport(link: LinkShape): "udp" | "tcp";
  /** Missing or out-of-place fields of one link (the schema checks each field's own form). */
  fileProblems(link: LinkShape, sides: readonly string[]): LinkProblem[];
  /** Why `side`, whose router offers `features`, cannot carry this link; null when it can. */
  unsupported(link: LinkShape, side: string, features: Features): Unsupported | null;
  /** A constraint over all links of this kind one side listens on (e.g. a single OpenVPN server). */
  listenerProblem?(links: readonly LinkShape[], side: string, features: Features): string | null;
  /** The fields an offer proposes for a new link of this kind. */
  propose(request: { name: string; user?: string }, ports: PortPool): ProposedFields;
  /** An offered link's fields before the friend's half exists, placeholders where keys are still unknown. */
  draft(offered: ProposedFields): Partial<ProposedFields>;
  /** The kind's fields in the peering file, from the offer and the friend's answer for this link. */
  fileFields(offered: ProposedFields, answered: { publicKey?: string } | undefined, offerer: string, friend: string): Record<string, unknown>;
}
