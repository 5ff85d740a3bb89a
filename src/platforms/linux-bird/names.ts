// How bgpals names what it makes on a Linux host: interfaces, BIRD symbols and files. One place,
// so render, plan and status agree.
import { createHash } from "node:crypto";
import type { Link, Peering } from "../../core/peering.js";

/** Linux refuses interface names longer than this (IFNAMSIZ 16, with the NUL). */
export const IFNAME_MAX = 15;
/** BIRD refuses longer symbols (SYM_MAX_LEN). */
export const BIRD_SYMBOL_MAX = 64;

const HASH_LENGTH = 5;

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * `text` when it fits in `max`, else its head and a short hash of the whole, so two names that
 * share a head stay apart and the same name always shortens the same way.
 */
export function fitName(text: string, max: number, separator = "-"): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - HASH_LENGTH - separator.length).replace(/[-_]+$/, "");
  return `${head}${separator}${shortHash(text)}`;
}

/**
 * The tunnel interface of a link: `wg-<friend>-<link>` (WireGuard) or `ovpn-<friend>-<link>` (an
 * OpenVPN tun device), shortened to Linux's 15 characters, as RouterOS names its tunnels.
 */
export function tunnelInterface(friend: string, link: string, short = "wg"): string {
  return fitName(`${short}-${friend}-${link}`, IFNAME_MAX);
}

/**
 * A BIRD symbol (protocol, filter): BIRD's plain symbols are letters, digits and `_`, so a name's
 * `-` becomes `_`; too long, it is shortened like an interface name. Two names that differ only
 * by `-` and `_` meet here: the render refuses that (render/render.ts).
 */
export function birdSymbol(...parts: string[]): string {
  return fitName(parts.join("_").replace(/-/g, "_"), BIRD_SYMBOL_MAX, "_");
}

export const linuxNames = {
  tunnelInterface: (link: Link, friend: string) => tunnelInterface(friend, link.name, link.kind === "ovpn" ? "ovpn" : "wg"),
  /** The BGP protocol of a link, as `birdc show protocols` lists it. */
  bgpProtocol: (p: Peering, link: string) => birdSymbol("bgpals", p.name, link),
  inputFilter: (p: Peering, link: string) => birdSymbol("bgpals", p.name, "in", link),
  outputFilter: (p: Peering, link: string) => birdSymbol("bgpals", p.name, "out", link),
  /** The direct protocol that brings our networks into BIRD while they are on an interface. */
  networksProtocol: (p: Peering) => birdSymbol("bgpals", p.name, "networks"),
  /**
   * A link's path to the friend through its WAN, kept by BIRD (render.ts, renderPaths): its own BIRD
   * table, the static route through the WAN, the unreachable one under it while the WAN is down, and
   * the kernel protocol that writes the table into the link's kernel table (pathTable).
   */
  pathBirdTable: (p: Peering, link: string) => birdSymbol("bgpals", p.name, "path", link),
  pathProtocol: (p: Peering, link: string) => birdSymbol("bgpals", p.name, "wan", link),
  noPathProtocol: (p: Peering, link: string) => birdSymbol("bgpals", p.name, "nowan", link),
  pathKernelProtocol: (p: Peering, link: string) => birdSymbol("bgpals", p.name, "kernel", link),
  /** The one file bgpals writes into BIRD's configuration for a peering. */
  birdInclude: (p: Pick<Peering, "name">) => `/etc/bird/bgpals-${p.name}.conf`,
  wireguardConfig: (iface: string) => `/etc/wireguard/${iface}.conf`,
  wireguardKey: (iface: string) => `/etc/wireguard/${iface}.key`,
  /**
   * Beside a key the wizard made before the peering was applied: the peering's name, so that
   * giving up the offer (discardPrepared) finds the keys it made. Gone once an apply uses the key.
   */
  preparedMarker: (iface: string) => `/etc/wireguard/${iface}.bgpals-prepared`,
  nftablesFile: (p: Peering) => `/etc/nftables.d/bgpals-${p.name}.nft`,
  /** Where systemd runs: the unit that makes the peering's run-time part again at boot, and the script it runs. */
  bootUnit: (peering: string) => `bgpals-${peering}.service`,
  bootUnitFile: (peering: string) => `/etc/systemd/system/bgpals-${peering}.service`,
  bootScript: (peering: string) => `/etc/bgpals/${peering}.sh`,
  /** An OpenVPN link's config, the client's login (user, password) and the server's login check. */
  openvpnConfig: (iface: string) => `/etc/openvpn/${iface}.conf`,
  openvpnLogin: (iface: string) => `/etc/openvpn/${iface}.login`,
  openvpnScript: (iface: string) => `/etc/openvpn/${iface}.sh`,
  /** Where the running openvpn writes its pid and its log (the host's /run: gone at reboot, as the process is). */
  openvpnPid: (iface: string) => `/run/bgpals/openvpn-${iface}.pid`,
  openvpnLog: (iface: string) => `/run/bgpals/openvpn-${iface}.log`,
  /** What openvpn says every few seconds: a server's connected client, both directions' bytes (status reads it). */
  openvpnStatus: (iface: string) => `/run/bgpals/openvpn-${iface}.status`,
  /** A peering's OpenVPN certificates, made on the host (keys 0600) or the friend's CA, in /etc/openvpn. */
  certificates: (peering: string) => certificateFiles(peering),
  /** The nftables table every peering's rules live in; a chain per peering inside it. */
  nftTable: "bgpals",
  /**
   * A link's kernel routing table (its path through its WAN), and on a listener link the packet
   * mark that sends its answers by that table: one number.
   */
  pathTable: (p: Peering, link: string) => pathNumber(p, link),
};

/**
 * A routing table (and fwmark) number per link, stable for the peering and link: Linux names
 * tables by number (1-252 are free by default; ours are above the reserved 253-255).
 */
function pathNumber(p: Peering, link: string): number {
  // 0x4247 = "BG"; the low 12 bits come from the names, so peerings on one host rarely meet.
  return 0x42470000 + (parseInt(shortHash(`${p.name}/${link}`).slice(0, 3), 16) & 0xfff);
}

export interface CertificateFiles {
  caKey: string;
  ca: string;
  serverKey: string;
  server: string;
  clientKey: string;
  client: string;
  friendCa: string;
}

/** The same names RouterOS gives them (bgpals-<peering>-ca, -server, -client, -friend-ca), as files. */
export function certificateFiles(peering: string): CertificateFiles {
  const base = `/etc/openvpn/bgpals-${peering}`;
  return {
    caKey: `${base}-ca.key`,
    ca: `${base}-ca.crt`,
    serverKey: `${base}-server.key`,
    server: `${base}-server.crt`,
    clientKey: `${base}-client.key`,
    client: `${base}-client.crt`,
    friendCa: `${base}-friend-ca.crt`,
  };
}
