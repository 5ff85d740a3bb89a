// Offer and answer bodies: what crosses between the two operators, and how the two halves become
// one peering. Pure: the wizard and the headless commands do the I/O around it.
import { allocateLinkSubnets } from "./addressing.js";
import { parsePeering, PEERING_FORMAT, type FileProblem, type Peering } from "./peering.js";

/** A link as the offering side proposes it. */
export interface OfferedLink {
  name: string;
  kind: "wireguard";
  /** The offerer's WAN this link rides on. */
  wan: string;
  port: number;
  subnet: string;
  /** [offerer's address, friend's address]: the offerer listens. */
  addresses: [string, string];
  publicKey: string;
  keepalive: string;
  mtu: number;
}

export interface OfferBody {
  peering: string;
  friend: string;
  side: {
    name: string;
    asn: number;
    routerId: string;
    version: string;
    networks: string[];
    allowed?: Array<{ prefix: string; maxLength: number }>;
    wans: Record<string, { interface: string; endpoint?: string }>;
  };
  links: OfferedLink[];
  policy: Peering["policy"];
}

export interface AnswerBody {
  /** Nonce of the offer answered, so the offerer knows which one. */
  offer: string;
  side: OfferBody["side"];
  /** Per link: which of the friend's WANs it rides on, and the friend's public key. */
  links: Record<string, { wan: string; publicKey: string }>;
}

export interface LinkRequest {
  name: string;
  kind: "wireguard";
  wan: string;
}

const WIREGUARD_FIRST_PORT = 13231;

/** Stands for a WireGuard key the router has not generated yet; never sent to a router. */
export const PLACEHOLDER_KEY = `${"A".repeat(43)}=`;

/** Tunnel subnets and ports for the offer, avoiding what the router and the peers directory use. */
export function proposeLinks(
  links: readonly LinkRequest[],
  inUse: { prefixes: readonly string[]; ports: readonly number[] },
  publicKeys: Record<string, string>,
): { ok: true; links: OfferedLink[] } | { ok: false; message: string } {
  const subnets = allocateLinkSubnets({ inUse: inUse.prefixes }, links.length);
  if (!subnets.ok) return subnets;
  const taken = new Set(inUse.ports);
  let port = WIREGUARD_FIRST_PORT;
  const out: OfferedLink[] = [];
  links.forEach((link, i) => {
    while (taken.has(port)) port++;
    taken.add(port);
    const s = subnets.links[i]!;
    out.push({ name: link.name, kind: "wireguard", wan: link.wan, port, subnet: s.subnet, addresses: s.addresses, publicKey: publicKeys[link.name] ?? "", keepalive: "25s", mtu: 1420 });
  });
  return { ok: true, links: out };
}

// Side fields as the peering file has them: no name, the version under platform.
function sideJson(side: OfferBody["side"]): Record<string, unknown> {
  const { name: _name, version, ...rest } = side;
  return { ...rest, platform: { os: "routeros", version } };
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
      publicKey: { [offerer]: l.publicKey, [friend]: answer.links[l.name]?.publicKey },
      keepalive: l.keepalive,
      mtu: l.mtu,
    })),
    policy: offer.policy,
  };
  return parsePeering(json);
}

/** A peering with the friend's half still unknown: enough to render our own WireGuard interfaces. */
export function draftPeering(offer: OfferBody, friendWan: (link: string) => string, friendVersion: string): Peering {
  const placeholderKey = PLACEHOLDER_KEY;
  const keyed = { ...offer, links: offer.links.map((l) => ({ ...l, publicKey: l.publicKey || placeholderKey })) };
  const result = peeringOf(keyed, {
    side: { name: offer.friend, asn: offer.side.asn === 65534 ? 65533 : 65534, routerId: "0.0.0.1", version: friendVersion, networks: ["198.18.255.0/24"], wans: Object.fromEntries(offer.links.map((l) => [friendWan(l.name), { interface: friendWan(l.name) }])) },
    links: Object.fromEntries(offer.links.map((l) => [l.name, { wan: friendWan(l.name), publicKey: placeholderKey }])),
  });
  if (!result.ok) throw new Error(`draft peering does not validate: ${result.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return result.peering;
}
