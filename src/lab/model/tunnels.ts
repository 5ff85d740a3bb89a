// A tunnel comes up only when both ends agree: keys or credentials, an endpoint that reaches the
// listener's WAN through an up WAN of the initiator, the port, and the listener's firewall.
import { subjectAltNames } from "../certificates.js";
import { addressInPrefix, isIPv4, parsePrefix, readAddress } from "../ipv4.js";
import { routerOs } from "../versions.js";
import { inputAccepts } from "./firewall.js";
import { connectedNetworks, interfaceUp, routeTo, type Connected } from "./routing.js";
import { enabled, isTrue, type Item, type RouterView, type World } from "./types.js";

export interface TunnelEnd {
  router: string;
  /** Interface carrying the tunnel on that router. */
  interface: string;
  /** The config item that made it: the WireGuard peer, the OpenVPN client or server binding. */
  itemId: string;
}

export interface Tunnel {
  kind: "wireguard" | "ovpn";
  /** Stable identity across ticks: initiator router/interface/item. */
  key: string;
  initiator: TunnelEnd;
  listener?: TunnelEnd;
  up: boolean;
  /** Why it is down, in words an operator understands. */
  reason?: string;
  /** Which WAN of the initiator carries it, when up. */
  via?: string;
  /** PPP addresses (OpenVPN): the server's local and the client's remote address. */
  ppp?: { local: string; remote: string };
}

interface Landing {
  router: RouterView;
  wan: string;
  address: string;
}

function resolve(world: World, host: string): string | null {
  if (isIPv4(host)) return host;
  return world.dns.get(host.toLowerCase()) ?? null;
}

/** Which router and WAN own an address, if the lab knows it. */
function landing(world: World, address: string): Landing | null {
  for (const router of world.routers) {
    const own = router.items("/ip/address").find((a) => enabled(a) && a.address?.split("/")[0] === address);
    if (own?.interface !== undefined) return { router, wan: own.interface, address };
  }
  return null;
}

// RFC 1918 and shared (CGNAT, RFC 6598) space: an address there sits behind someone's NAT, and
// nothing from another router's WAN reaches it.
const UNREACHABLE_FROM_OUTSIDE = [["10.0.0.0/8", "a private (RFC 1918)"], ["172.16.0.0/12", "a private (RFC 1918)"], ["192.168.0.0/16", "a private (RFC 1918)"], ["100.64.0.0/10", "a CGNAT (RFC 6598)"]].map(([p, what]) => ({ prefix: parsePrefix(p!), what: what! }));

/** Why another router cannot reach this address from its WAN, or null. */
export function behindNat(address: string): string | null {
  const n = readAddress(address);
  if (n === null) return null;
  const hit = UNREACHABLE_FROM_OUTSIDE.find((r) => addressInPrefix(n, r.prefix));
  return hit === undefined ? null : `${address} is ${hit.what} address: nothing reaches it from another router's WAN`;
}

interface PathCheck {
  ok: boolean;
  reason?: string;
  via?: string;
  land?: Landing;
}

function reach(world: World, from: RouterView, host: string, protocol: "tcp" | "udp", port: number, running: Map<string, ReadonlySet<string>>, connected: ReadonlyMap<string, readonly Connected[]>, resolved?: string | null): PathCheck {
  const address = resolved === undefined ? resolve(world, host) : resolved;
  if (address === null) return { ok: false, reason: `cannot resolve ${host}` };
  const own = connected.get(from.name) ?? [];
  const flow = `${protocol}/${port}`;
  const out = routeTo(from, world, address, running.get(from.name) ?? new Set(), own, { flow });
  if (out.interface === null) return { ok: false, reason: out.reason };
  const via = out.interface;
  if (!interfaceUp(from, world, via, running.get(from.name) ?? new Set())) return { ok: false, reason: `${via} is down` };
  const land = landing(world, address);
  if (land === null) return { ok: false, reason: `nothing answers at ${address}` };
  const hidden = land.router.name === from.name ? null : behindNat(address);
  if (hidden !== null) return { ok: false, reason: hidden };
  if (!interfaceUp(land.router, world, land.wan, running.get(land.router.name) ?? new Set())) return { ok: false, reason: `${land.router.name}'s ${land.wan} is down` };
  const fw = inputAccepts(land.router, { protocol, dstPort: port, inInterface: land.wan });
  if (!fw.accepted) return { ok: false, reason: `${land.router.name}'s firewall drops ${protocol}/${port} on ${land.wan} (${fw.rule})` };
  // The answer goes back to the initiator's address on the WAN it left by, routed like any packet
  // the listener sends: by its default route, unless the connection was marked as it arrived. An
  // answer leaving by another ISP than the one the request came in on carries an address that ISP
  // never gave out, and is dropped.
  const source = own.find((c) => c.interface === via)?.address;
  if (source !== undefined) {
    const table = replyTable(land.router, land.wan, protocol, port);
    const back = routeTo(land.router, world, source, running.get(land.router.name) ?? new Set(), connected.get(land.router.name) ?? [], { ...(table === undefined ? {} : { table }), flow });
    if (back.interface === null) return { ok: false, reason: `${land.router.name} cannot answer ${source}: ${back.reason}` };
    if (back.interface !== land.wan) {
      return { ok: false, reason: `${land.router.name}'s replies to ${source} leave through ${back.interface}, not ${land.wan} where the tunnel arrives: that ISP drops them` };
    }
  }
  return { ok: true, via, land };
}

// Mangle conditions the lab reads; a rule with any other condition never matches here.
const MANGLE_CONDITIONS = new Set(["chain", "action", "in-interface", "protocol", "dst-port", "connection-mark", "new-connection-mark", "new-routing-mark", "passthrough", "comment", "disabled", ".id", "dynamic", "invalid", "bytes", "packets"]);

/**
 * The routing table the listener's replies on a connection take: the connection marked in
 * prerouting as it arrives on `wan` (`mark-connection`), its packets marked for a table in output
 * (`mark-routing`). Undefined: no marks, the main table.
 */
function replyTable(router: RouterView, wan: string, protocol: string, port: number): string | undefined {
  const rules = router.items("/ip/firewall/mangle").filter((r) => enabled(r) && Object.keys(r).every((k) => MANGLE_CONDITIONS.has(k)));
  const arriving = rules.find(
    (r) =>
      r.chain === "prerouting" &&
      r.action === "mark-connection" &&
      (r["connection-mark"] === undefined || r["connection-mark"] === "no-mark") &&
      (r["in-interface"] === undefined || r["in-interface"] === wan) &&
      (r.protocol === undefined || r.protocol === protocol) &&
      (r["dst-port"] === undefined || r["dst-port"].split(",").some((p) => portIn(p, port))),
  );
  const mark = arriving?.["new-connection-mark"];
  if (mark === undefined) return undefined;
  return rules.find((r) => r.chain === "output" && r.action === "mark-routing" && r["connection-mark"] === mark)?.["new-routing-mark"];
}

function portIn(range: string, port: number): boolean {
  const [low, high] = range.split("-").map(Number);
  return high === undefined ? low === port : port >= low! && port <= high;
}

function wireguardTunnels(world: World, router: RouterView, running: Map<string, ReadonlySet<string>>, connected: ReadonlyMap<string, readonly Connected[]>): Tunnel[] {
  const out: Tunnel[] = [];
  const interfaces = router.items("/interface/wireguard");
  for (const peer of router.items("/interface/wireguard/peers")) {
    const iface = interfaces.find((i) => i.name === peer.interface);
    if (!enabled(peer) || iface === undefined || !enabled(iface) || !peer["endpoint-address"]) continue;
    const tunnel: Tunnel = {
      kind: "wireguard",
      key: `${router.name}/${iface.name}/${peer[".id"]}`,
      initiator: { router: router.name, interface: iface.name ?? "", itemId: peer[".id"] ?? "" },
      up: false,
    };
    out.push(tunnel);
    // One socket per port: of two interfaces listening on one port, the first gets the packets
    // (the lab's reading; RouterOS takes the second without a word and it never comes up).
    const first = interfaces.find((i) => enabled(i) && (i["listen-port"] ?? "13231") === (iface["listen-port"] ?? "13231"));
    if (first !== undefined && first.name !== iface.name) {
      tunnel.reason = `${iface.name} listens on udp/${iface["listen-port"] ?? "13231"}, which ${first.name} uses already`;
      continue;
    }
    const port = Number(peer["endpoint-port"] ?? 13231);
    // WireGuard resolves a name once, when the peer is set: the router says where it sends.
    const path = reach(world, router, peer["endpoint-address"]!, "udp", port, running, connected, router.endpointAddress?.(peer));
    if (!path.ok || path.land === undefined) {
      tunnel.reason = path.reason;
      continue;
    }
    const far = path.land.router;
    const farIface = far.items("/interface/wireguard").find((i) => enabled(i) && Number(i["listen-port"]) === port);
    if (farIface === undefined) {
      tunnel.reason = `${far.name} has no WireGuard interface listening on ${port}`;
      continue;
    }
    if (farIface["public-key"] !== peer["public-key"]) {
      tunnel.reason = `the public key of ${far.name}'s ${farIface.name} is not the one configured on this peer`;
      continue;
    }
    const farPeer = far.items("/interface/wireguard/peers").find((p) => enabled(p) && p.interface === farIface.name && p["public-key"] === iface["public-key"]);
    if (farPeer === undefined) {
      tunnel.reason = `${far.name}'s ${farIface.name} has no peer with this interface's public key`;
      continue;
    }
    if ((farPeer["preshared-key"] ?? "") !== (peer["preshared-key"] ?? "")) {
      tunnel.reason = "the preshared keys differ";
      continue;
    }
    tunnel.up = true;
    tunnel.via = path.via;
    tunnel.listener = { router: far.name, interface: farIface.name ?? "", itemId: farPeer[".id"] ?? "" };
  }
  return out;
}

function ovpnServers(router: RouterView): Item[] {
  // One shared server before 7.17 (`enabled`), named instances after (`disabled`).
  return router.items("/interface/ovpn-server/server").filter((s) => (s.enabled !== undefined ? isTrue(s.enabled) : enabled(s)));
}

function certificate(router: RouterView, name: string | undefined): Item | undefined {
  return router.items("/certificate").find((c) => c.name === name);
}

/** Whether a certificate's CN or a subject-alt-name entry is `host` (names without regard to case). */
function namesHost(cert: Item, host: string): boolean {
  const wanted = host.toLowerCase();
  if ((cert["common-name"] ?? "").toLowerCase() === wanted) return true;
  return (subjectAltNames(cert["subject-alt-name"] ?? "") ?? []).some((a) => (a.type === "IP" ? a.value === host : a.type === "DNS" && a.value.toLowerCase() === wanted));
}

function ovpnTunnels(world: World, router: RouterView, running: Map<string, ReadonlySet<string>>, connected: ReadonlyMap<string, readonly Connected[]>): Tunnel[] {
  const out: Tunnel[] = [];
  for (const client of router.items("/interface/ovpn-client")) {
    if (!enabled(client)) continue;
    const tunnel: Tunnel = {
      kind: "ovpn",
      key: `${router.name}/${client.name}/${client[".id"]}`,
      initiator: { router: router.name, interface: client.name ?? "", itemId: client[".id"] ?? "" },
      up: false,
    };
    out.push(tunnel);
    const protocol = client.protocol === "udp" ? "udp" : "tcp";
    const port = Number(client.port ?? 1194);
    const path = reach(world, router, client["connect-to"] ?? "", protocol, port, running, connected);
    if (!path.ok || path.land === undefined) {
      tunnel.reason = path.reason;
      continue;
    }
    const far = path.land.router;
    if (protocol === "udp" && !routerOs(far.version)?.ovpnUdpServer) {
      tunnel.reason = `${far.name} runs RouterOS ${far.version}, whose OpenVPN server has no UDP`;
      continue;
    }
    const server = ovpnServers(far).find((s) => Number(s.port ?? 1194) === port && (s.protocol ?? "tcp") === protocol);
    if (server === undefined) {
      tunnel.reason = `no OpenVPN server enabled on ${far.name} at ${protocol}/${port}`;
      continue;
    }
    const secret = far.items("/ppp/secret").find((s) => s.name === client.user && enabled(s) && ["ovpn", "any", undefined].includes(s.service));
    if (secret === undefined || (secret.password ?? "") !== (client.password ?? "")) {
      tunnel.reason = `${far.name} refuses user ${client.user}: unknown user or wrong password`;
      continue;
    }
    const serverCert = certificate(far, server.certificate);
    if (serverCert === undefined) {
      tunnel.reason = `${far.name}'s OpenVPN server has no certificate ${server.certificate ?? "(none)"}`;
      continue;
    }
    if (isTrue(client["verify-server-certificate"])) {
      const issuer = certificate(far, serverCert.ca);
      const pinned = router.items("/certificate").some((c) => isTrue(c.trusted) && c.fingerprint !== undefined && c.fingerprint === issuer?.fingerprint);
      if (!pinned) {
        tunnel.reason = `${far.name}'s server certificate is not signed by a CA this router trusts`;
        continue;
      }
      // RouterOS 7 also checks the name it dialled against the certificate's CN and subject-alt-name.
      const dialled = client["connect-to"] ?? "";
      if (!namesHost(serverCert, dialled)) {
        tunnel.reason = `${far.name}'s server certificate ${serverCert.name} does not name ${dialled} (CN ${serverCert["common-name"] || "(none)"}, subject-alt-name ${serverCert["subject-alt-name"] || "(none)"}): verify-server-certificate refuses it`;
        continue;
      }
    }
    if (isTrue(server["require-client-certificate"])) {
      const clientCert = client.certificate === undefined || client.certificate === "none" ? undefined : certificate(router, client.certificate);
      if (clientCert === undefined) {
        tunnel.reason = `${far.name} requires a client certificate and ${client.name} has none`;
        continue;
      }
      // The server accepts a client certificate whose issuer (or itself, when self-signed) it trusts.
      const anchor = clientCert.ca !== undefined && clientCert.ca !== "" ? certificate(router, clientCert.ca) : clientCert;
      const trusted = far.items("/certificate").some((c) => isTrue(c.trusted) && c.fingerprint !== undefined && c.fingerprint === anchor?.fingerprint);
      if (!trusted) {
        tunnel.reason = `${far.name} does not trust the CA that signed ${router.name}'s client certificate ${clientCert.name}`;
        continue;
      }
    }
    const ciphers = (server.cipher ?? "aes256-cbc").split(",");
    const auths = (server.auth ?? "sha1").split(",");
    if (!sameCipher(ciphers, client.cipher ?? "aes256-cbc") || !auths.includes(client.auth ?? "sha1")) {
      tunnel.reason = `cipher or auth mismatch (${client.cipher}/${client.auth} against ${server.cipher}/${server.auth})`;
      continue;
    }
    const binding = far.items("/interface/ovpn-server").find((b) => b.user === secret.name && enabled(b));
    tunnel.up = true;
    tunnel.via = path.via;
    tunnel.listener = { router: far.name, interface: binding?.name ?? `<ovpn-${secret.name}>`, itemId: binding?.[".id"] ?? "" };
    tunnel.ppp = { local: secret["local-address"] ?? "", remote: secret["remote-address"] ?? "" };
  }
  return out;
}

// RouterOS 6 says aes256 where RouterOS 7 says aes256-cbc.
function sameCipher(serverList: string[], client: string): boolean {
  const norm = (c: string) => (/^aes\d+$/.test(c) ? `${c}-cbc` : c);
  return client.split(",").some((c) => serverList.map(norm).includes(norm(c)));
}

/**
 * Every tunnel the routers try to build, up or down. `running` carries the tunnel interfaces that
 * were up at the previous tick: a tunnel may ride a route that needs another tunnel.
 */
export function computeTunnels(world: World, running: Map<string, ReadonlySet<string>>): Tunnel[] {
  const connected = new Map(world.routers.map((router) => [router.name, connectedNetworks(router, world, running.get(router.name) ?? new Set())]));
  return world.routers.flatMap((router) => [...wireguardTunnels(world, router, running, connected), ...ovpnTunnels(world, router, running, connected)]);
}
