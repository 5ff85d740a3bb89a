// OpenVPN links on a Linux host, made to meet RouterOS's OVPN as bgpals configures it there
// (platforms/routeros/render/links/ovpn.ts): one openvpn process per link, a tun device named like
// the WireGuard interfaces, TLS with certificates made on the host, and the PPP user and password
// RouterOS's OVPN always asks for. The listener runs a server for exactly one client (the friend),
// the other side a client. RouterOS's limits set the rest: TCP wherever RouterOS 6 is (features),
// no compression, no tls-auth, AES-256-CBC with SHA-1 when either end is RouterOS 6.
import { createHash } from "node:crypto";
import type { Features, FeaturesOf } from "../../../core/features.js";
import { OPENVPN_MTU } from "../../../core/links/ovpn.js";
import { allowedOf, type Link, type Peering, type Side } from "../../../core/peering.js";
import { UserError } from "../../../errors.js";
import { linuxBirdFeatures } from "../features.js";
import { linuxNames } from "../names.js";

/** What an OpenVPN link adds to a Linux render (render.ts collects it). */
export interface OvpnParts {
  files: Array<{ path: string; mode: string; content: string; why: string; secret?: boolean }>;
  commands: Array<{ run: string; why: string }>;
  notes: string[];
}

export interface OvpnInput {
  p: Peering;
  me: string;
  friend: string;
  mine: Side;
  theirs: Side;
  link: Link;
  /** The PPP password the client logs in with (the friend chose it when we listen). */
  password: string | undefined;
  /** The friend's platform's features: which cipher its OpenVPN speaks. */
  featuresOf?: FeaturesOf;
}

/** The data channel both ends agree on, in OpenVPN's words. */
export interface OvpnCrypto {
  cipher: "AES-256-GCM" | "AES-256-CBC";
  auth: "SHA256" | "SHA1";
}

export class OvpnRenderError extends UserError {}

/** RouterOS 6 speaks AES-256-CBC with SHA-1 only; everything newer the GCM pair (as RouterOS's render decides). */
export function ovpnCrypto(friend: Side, featuresOf: FeaturesOf | undefined): { crypto: OvpnCrypto; known: boolean } {
  const features: Features | { unsupported: string } = friend.platform.os === "linux" ? linuxBirdFeatures(friend.platform) : (featuresOf?.(friend.platform) ?? { unsupported: "" });
  const known = !("unsupported" in features);
  const modern = known ? (features.ovpnModernCrypto ?? true) : true;
  return { crypto: modern ? { cipher: "AES-256-GCM", auth: "SHA256" } : { cipher: "AES-256-CBC", auth: "SHA1" }, known };
}

/** The pid file and config every running openvpn of a link is known by. */
export const openvpnStart = (iface: string) =>
  `openvpn --daemon ${iface} --writepid ${linuxNames.openvpnPid(iface)} --log ${linuxNames.openvpnLog(iface)} --status ${linuxNames.openvpnStatus(iface)} ${STATUS_EVERY_S} --status-version 2 --config ${linuxNames.openvpnConfig(iface)}`;

/** How often openvpn rewrites its status file, in seconds. */
export const STATUS_EVERY_S = 5;

/** sha256 of the password as the server's login check compares it (printf '%s' | sha256sum). */
export const passwordHash = (password: string) => createHash("sha256").update(password, "utf8").digest("hex");

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function renderOvpnLink(input: OvpnInput): OvpnParts {
  const { p, me, friend, theirs, link } = input;
  const iface = linuxNames.tunnelInterface(link, friend);
  const listener = link.listener === me;
  const certs = linuxNames.certificates(p.name);
  const mtu = link.mtu ?? OPENVPN_MTU;
  const protocol = link.protocol ?? "tcp";
  const { crypto, known } = ovpnCrypto(theirs, input.featuresOf);
  const withCert = link.requireClientCertificate ?? true;
  const mineAddress = link.address[me]!;
  const theirAddress = link.address[friend]!;
  const out: OvpnParts = { files: [], commands: [], notes: [] };
  if (!known) out.notes.push(`${iface} uses ${crypto.cipher} with ${crypto.auth}: ${friend}'s platform (${theirs.platform.os}) was not known to this render; RouterOS 6 needs AES-256-CBC with SHA-1`);

  const common = [
    `# bgpals: OpenVPN tunnel to ${friend} over ${link.name} (peering ${p.name})`,
    // openvpn refuses a line longer than 256 characters, comments too.
    `# ${listener ? `the server: ${friend} dials us as PPP user ${link.user}` : `a client: we dial ${friend} as PPP user ${link.user}`}`.slice(0, 200),
    `# started by bgpals: openvpn --daemon ${iface}, pid in ${linuxNames.openvpnPid(iface)}`,
    `dev ${iface}`,
    "dev-type tun",
    // RouterOS's OVPN is IP mode with no compression and no tls-auth: nothing here may ask for them.
    `data-ciphers ${crypto.cipher}`,
    // RouterOS does not negotiate the cipher (no NCP): the fallback is the one it is set to.
    `data-ciphers-fallback ${crypto.cipher}`,
    `auth ${crypto.auth}`,
    `tun-mtu ${mtu}`,
    "persist-key",
    "verb 3",
  ];
  let conf: string[];
  if (listener) {
    const script = linuxNames.openvpnScript(iface);
    conf = [
      ...common,
      "mode server",
      "tls-server",
      `proto ${protocol === "tcp" ? "tcp-server" : "udp"}`,
      `port ${link.port}`,
      // A UDP server answers from the address the friend dialled, not the one the main table picks
      // (the other WAN's, where its default route leaves): the friend's client drops anything else.
      ...(protocol === "udp" ? ["multihome"] : []),
      // One client, the friend: its tunnel address and everything BGP may bring from it (OpenVPN's
      // server routes to a client only what the client's iroutes name, as WireGuard's allowed-ips).
      "topology p2p",
      `ifconfig ${mineAddress} ${theirAddress}`,
      "max-clients 1",
      `ca ${certs.friendCa}`,
      `cert ${certs.server}`,
      `key ${certs.serverKey}`,
      "dh none",
      ...(withCert ? ["verify-client-cert require", "remote-cert-tls client"] : ["verify-client-cert none"]),
      // The PPP user and password, checked by a script holding the password's sha256 only.
      "script-security 2",
      `auth-user-pass-verify ${script} via-file`,
      `client-connect ${script}`,
      "keepalive 10 60",
    ];
    const password = input.password;
    const check = password === undefined ? "exit 1" : `[ "$(sed -n 1p "$1")" = ${quote(link.user!)} ] && [ "$(sed -n 2p "$1" | tr -d '\\n' | sha256sum | cut -c1-64)" = ${passwordHash(password)} ]`;
    if (password === undefined) out.notes.push(`${iface} refuses every login: this render has no password for ${link.user} (${friend} chose it)`);
    const allowed = [`${theirAddress}/32`, ...allowedOf(theirs).map((a) => a.prefix)];
    const lines = [
      "#!/bin/sh",
      `# bgpals: ${friend}'s login on the ${link.name} tunnel (user ${link.user}, the password's sha256), and its addresses and routes`,
      'case "$script_type" in',
      "user-pass-verify)",
      `\t${check}`,
      "\t;;",
      "client-connect)",
      `\tcat > "$1" <<'EOF'`,
      `ifconfig-push ${theirAddress} ${mineAddress}`,
      ...allowed.filter((a) => a !== `${theirAddress}/32`).map((prefix) => `iroute ${prefix.split("/")[0]} ${netmask(Number(prefix.split("/")[1]))}`),
      "EOF",
      "\t;;",
      "*) exit 1 ;;",
      "esac",
      "",
    ];
    out.files.push({ path: script, mode: "0700", content: lines.join("\n"), why: `${friend}'s login on ${link.name} (the password's hash) and its routes inside the tunnel` });
  } else {
    const login = linuxNames.openvpnLogin(iface);
    const endpoint = theirs.wans[link.wan[friend]!]!.endpoint!;
    conf = [
      ...common,
      "client",
      `proto ${protocol === "tcp" ? "tcp-client" : "udp"}`,
      `remote ${endpoint} ${link.port}`,
      "nobind",
      "resolv-retry infinite",
      "connect-retry 2 30",
      `ca ${certs.friendCa}`,
      ...(withCert ? [`cert ${certs.client}`, `key ${certs.clientKey}`] : []),
      "remote-cert-tls server",
      `auth-user-pass ${login}`,
      "auth-nocache",
      // The address comes from the server; BIRD brings the routes, none is taken from the server.
      "route-nopull",
      "ping 10",
      "ping-restart 60",
    ];
    if (input.password === undefined) {
      out.notes.push(`${iface} has no password in this render: ${login} is left out (the one you gave ${friend} goes there)`);
    } else {
      out.files.push({ path: login, mode: "0600", content: `${link.user}\n${input.password}\n`, why: `the PPP user and password ${iface} logs in with`, secret: true });
    }
  }
  out.files.push({ path: linuxNames.openvpnConfig(iface), mode: "0644", content: `${conf.join("\n")}\n`, why: `OpenVPN tunnel to ${friend} over ${link.name}` });
  out.commands.push({
    run: `mkdir -p /run/bgpals && ${openvpnStart(iface)}`,
    why: `${iface}: openvpn in the background (pid in ${linuxNames.openvpnPid(iface)}); ${listener ? `it listens on ${protocol} ${link.port}` : `it dials ${friend}`}`,
  });
  return out;
}

function netmask(length: number): string {
  const bits = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join(".");
}

/** Two links this side listens on cannot share a port: each is its own openvpn server. */
export function refuseSharedServerPorts(p: Peering, me: string): void {
  const seen = new Map<string, string>();
  for (const link of p.links.filter((l) => l.kind === "ovpn" && l.listener === me)) {
    const key = `${link.protocol ?? "tcp"} ${link.port}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new OvpnRenderError(`links ${other} and ${link.name} both listen on OpenVPN ${key} on ${me}, a Linux host that runs one OpenVPN server per link: give each OpenVPN link ${me} listens on its own port`);
    }
    seen.set(key, link.name);
  }
}
