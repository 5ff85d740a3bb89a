// Offer and answer bodies: what crosses between the two operators, and how the two halves become
// one peering. Pure: the wizard and the headless commands do the I/O around it.
import { allocateLinkSubnets } from "./addressing.js";
import { isLinkKind, LINK_KINDS, linkKind, portPool, type KnownLinkKind, type LinkKind } from "./links/index.js";
import type { ProposedFields } from "./links/kind.js";
import { PLACEHOLDER_FINGERPRINT } from "./links/ovpn.js";
import { FINGERPRINT_PATTERN, normalizeFingerprint } from "./certificates.js";
import { PLACEHOLDER_KEY } from "./links/wireguard.js";
import { parsePeering, PEERING_FORMAT, type FileProblem, type Peering, type Side } from "./peering.js";
import { parseApiEndpoint } from "./target.js";

/**
 * A link as the offering side proposes it. The offerer listens: WireGuard responder, OpenVPN server.
 * The kind's own fields (port, keys, MTU, OpenVPN's user and CA) are core/links' ProposedFields.
 */
export interface OfferedLink extends ProposedFields {
  name: string;
  kind: LinkKind;
  /** The offerer's WAN this link rides on. */
  wan: string;
  subnet: string;
  /** [offerer's address, friend's address]: the offerer listens. */
  addresses: [string, string];
}

/** A read-only RouterOS account a side grants the friend's monitor. Its password is never in here. */
export interface MonitorGrant {
  /** Where the friend's monitor reaches the API, host:port (by default the grantor's tunnel address). */
  api: string;
  user: string;
}

/** A CA certificate that crosses to the friend: public, checked against its fingerprint. */
export interface CaCertificateBody {
  caCertificate: string;
  caFingerprint: string;
}

export interface OfferBody {
  peering: string;
  friend: string;
  side: {
    name: string;
    asn: number;
    routerId: string;
    /** The platform's version, for people (RouterOS's, or BIRD's on a Linux host). */
    version: string;
    /**
     * The side's `platform` as the peering file holds it. Absent: RouterOS at `version` (bundles
     * from before Linux sides never carry it, and a RouterOS side need not).
     */
    platform?: SidePlatformField;
    networks: string[];
    allowed?: Array<{ prefix: string; maxLength: number }>;
    wans: Record<string, { interface: string; endpoint?: string }>;
  };
  links: OfferedLink[];
  policy: Peering["policy"];
  /** OpenVPN: the offerer's CA certificate (PEM), for the friend's router to trust. */
  ovpn?: CaCertificateBody;
  /** A read-only account the offerer grants; the friend chooses its password and sends it in the answer. */
  monitor?: MonitorGrant;
}

export interface AnswerBody {
  /** Nonce of the offer answered, so the offerer knows which one. */
  offer: string;
  side: OfferBody["side"];
  /** Per link: which of the friend's WANs it rides on, and the friend's public key (empty for OpenVPN). */
  links: Record<string, { wan: string; publicKey: string }>;
  /** OpenVPN: the CA that signed the friend's client certificate, for the server to trust. */
  ovpn?: CaCertificateBody;
  /** A read-only account the answering side grants; its password is in the answer's secrets. */
  monitor?: MonitorGrant;
}

/** Names of the sealed secrets an answer carries. */
export const answerSecret = {
  /** The PPP password of an OpenVPN link, chosen by the client (the answering side). */
  pppPassword: (link: string) => `ppp-password:${link}`,
  /** Password of the read-only account the answering side made on its own router. */
  monitorGranted: "monitor-password:answerer",
  /** Password the answering side chose for the account the offerer grants (made at complete). */
  monitorOffered: "monitor-password:offerer",
};

export interface LinkRequest {
  name: string;
  kind: LinkKind;
  wan: string;
  /** OpenVPN: the PPP secret name for the friend; defaults to the link name. */
  user?: string;
}

export { parseApiEndpoint, PLACEHOLDER_FINGERPRINT, PLACEHOLDER_KEY };

/** Tunnel subnets and ports for the offer, avoiding what the router and the peers directory use. */
export function proposeLinks(
  links: readonly LinkRequest[],
  inUse: { prefixes: readonly string[]; ports: readonly number[]; joined?: Readonly<Record<string, number>>; portPerLink?: boolean },
): { ok: true; links: OfferedLink[] } | { ok: false; message: string } {
  const subnets = allocateLinkSubnets({ inUse: inUse.prefixes }, links.length);
  if (!subnets.ok) return subnets;
  const ports = portPool(inUse.ports, inUse.joined, inUse.portPerLink);
  return {
    ok: true,
    links: links.map((link, i) => {
      const s = subnets.links[i]!;
      return { name: link.name, kind: link.kind, wan: link.wan, subnet: s.subnet, addresses: s.addresses, ...linkKind(link.kind).propose(link, ports) };
    }),
  };
}

/** A side's `platform` in a bundle or peering file; checked with the peering (core/peering.ts). */
export type SidePlatformField = Side["platform"];

/** The platform a bundle's side runs: its own `platform` field, or RouterOS at its version. */
export function platformOfOfferSide(side: OfferBody["side"]): SidePlatformField {
  return side.platform ?? { os: "routeros", version: side.version };
}

// Side fields as the peering file has them: no name, the version under platform.
function sideJson(side: OfferBody["side"]): Record<string, unknown> {
  const { name: _name, version: _version, platform: _platform, ...rest } = side;
  return { ...rest, platform: platformOfOfferSide(side) };
}

/** The whole peering, from the offer and the answer; validated like any peering file. */
export function peeringOf(offer: OfferBody, answer: Omit<AnswerBody, "offer">): { ok: true; peering: Peering } | { ok: false; problems: FileProblem[] } {
  const offerer = offer.side.name;
  const friend = answer.side.name;
  const json = {
    format: PEERING_FORMAT,
    name: offer.peering,
    sides: { [offerer]: sideJson(offer.side), [friend]: sideJson(answer.side) },
    links: offer.links.map((l) => ({
      name: l.name,
      kind: l.kind,
      wan: { [offerer]: l.wan, [friend]: answer.links[l.name]?.wan },
      listener: offerer,
      port: l.port,
      subnet: l.subnet,
      address: { [offerer]: l.addresses[0], [friend]: l.addresses[1] },
      ...linkKind(l.kind).fileFields(l, answer.links[l.name], offerer, friend),
    })),
    policy: offer.policy,
  };
  return parsePeering(json);
}

/** A peering with the friend's half still unknown: enough to render our own WireGuard interfaces. */
export function draftPeering(offer: OfferBody, friendWan: (link: string) => string, friendVersion: string): Peering {
  const placeholderKey = PLACEHOLDER_KEY;
  const keyed = { ...offer, links: offer.links.map((l) => ({ ...l, ...linkKind(l.kind).draft(l) })) };
  const result = peeringOf(keyed, {
    side: { name: offer.friend, asn: offer.side.asn === 65534 ? 65533 : 65534, routerId: "0.0.0.1", version: friendVersion, networks: ["198.18.255.0/24"], wans: Object.fromEntries(offer.links.map((l) => [friendWan(l.name), { interface: friendWan(l.name) }])) },
    links: Object.fromEntries(offer.links.map((l) => [l.name, { wan: friendWan(l.name), publicKey: placeholderKey }])),
  });
  if (!result.ok) throw new Error(`draft peering does not validate: ${result.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return result.peering;
}

// --- checking what a friend sent ------------------------------------------------------------------

// Bare hex or sha256:<hex>, any case (core/certificates.ts).
const FINGERPRINT = new RegExp(FINGERPRINT_PATTERN);
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function caProblem(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  if (!isRecord(value) || typeof value.caCertificate !== "string" || typeof value.caFingerprint !== "string") return `${what}: the OpenVPN CA certificate is not readable`;
  if (!PEM_CERTIFICATE.test(value.caCertificate) || value.caCertificate.length > 4000) return `${what}: the OpenVPN CA certificate is not a PEM certificate`;
  if (!FINGERPRINT.test(value.caFingerprint)) return `${what}: the OpenVPN CA fingerprint is not 64 hex digits (bare, or after sha256:)`;
  return null;
}

function monitorProblem(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  if (!isRecord(value) || typeof value.user !== "string" || typeof value.api !== "string") return `${what}: the monitor account is not readable`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value.user)) return `${what}: the monitor account's user name is not valid`;
  if (parseApiEndpoint(value.api) === null) return `${what}: the monitor account's API address is not host:port`;
  return null;
}

/** What is wrong with an offer body's shape (the peering itself is checked by peeringOf), or null. */
export function offerShapeProblem(body: unknown): string | null {
  if (!isRecord(body) || !Array.isArray(body.links) || !isRecord(body.side) || typeof body.peering !== "string" || typeof body.friend !== "string") return "the offer's contents are not an offer";
  for (const link of body.links as unknown[]) {
    if (!isRecord(link) || !isLinkKind(link.kind) || typeof link.name !== "string" || !Array.isArray(link.addresses)) return "a link of the offer is not readable";
    if (LINK_KINDS[link.kind].certificates && (typeof link.caFingerprint !== "string" || !FINGERPRINT.test(link.caFingerprint))) return `link ${link.name}: no OpenVPN CA fingerprint`;
  }
  const ovpn = (body.links as Array<{ kind: KnownLinkKind; caFingerprint?: unknown }>).filter((l) => LINK_KINDS[l.kind].certificates);
  if (ovpn.length > 0 && body.ovpn === undefined) return "the offer has OpenVPN links but no CA certificate";
  const ca = caProblem(body.ovpn, "offer");
  if (ca !== null) return ca;
  if (body.ovpn !== undefined && ovpn.some((l) => normalizeFingerprint(String(l.caFingerprint)) !== normalizeFingerprint((body.ovpn as CaCertificateBody).caFingerprint))) return "the offer's OpenVPN links pin another CA than the one it carries";
  return monitorProblem(body.monitor, "offer");
}

/** What is wrong with an answer body's shape, given the offer it answers, or null. */
export function answerShapeProblem(body: unknown, offer: OfferBody): string | null {
  if (!isRecord(body) || typeof body.offer !== "string" || !isRecord(body.side) || !isRecord(body.links)) return "the answer's contents are not an answer";
  for (const l of offer.links) {
    const mine = (body.links as Record<string, unknown>)[l.name];
    if (!isRecord(mine) || typeof mine.wan !== "string" || typeof mine.publicKey !== "string") return `the answer says nothing readable about link ${l.name}`;
  }
  const ca = caProblem(body.ovpn, "answer");
  if (ca !== null) return ca;
  if (offer.links.some((l) => LINK_KINDS[l.kind].certificates && l.requireClientCertificate) && body.ovpn === undefined) return "the answer carries no CA for the OpenVPN client certificates your server requires";
  return monitorProblem(body.monitor, "answer");
}
