// One side of a peering → the ordered RouterOS commands that build it, for v6, v7 and v7.20+.
// Pure: no router, no clock. Secrets come in through `secrets` and are marked on the command.
import { isIPv4, parsePrefix, prefixWithin } from "../../../core/ipv4.js";
import { names, ownershipTag } from "../names.js";
import { allowedOf, sidesOf, type Link, type Peering, type Side } from "../../../core/peering.js";
import type { Dialect, RouterCommand } from "../types.js";
import { capabilities, type Capabilities } from "../dialects.js";

export interface RenderSecrets {
  /** OpenVPN PPP password per link name. */
  pppPassword?: Record<string, string>;
  /** WireGuard preshared key per link name. */
  presharedKey?: Record<string, string>;
}

export interface Rendered {
  peering: string;
  side: string;
  version: string;
  dialect: Dialect;
  commands: RouterCommand[];
  /** Things the operator must know about this render (missing secrets, limits). */
  notes: string[];
}

export class RenderError extends Error {}

const DEFAULT_WIREGUARD_MTU = 1420;
// The seed's OpenVPN MTU: room for OpenVPN's overhead and a light tunnel inside it.
const DEFAULT_OVPN_MTU = 1450;
const DEFAULT_KEEPALIVE = "25s";
const STATIC_PRIMARY_DISTANCE = 10;
const STATIC_DISTANCE_STEP = 10;
const PIN_GUARD_DISTANCE = 250;

interface Context {
  p: Peering;
  me: string;
  friend: string;
  mine: Side;
  theirs: Side;
  caps: Capabilities;
  secrets: RenderSecrets;
  notes: string[];
  out: RouterCommand[];
}

export function render(p: Peering, side: string, version?: string, secrets: RenderSecrets = {}): Rendered {
  const { me, friend } = sidesOf(p, side);
  const mine = p.sides[me]!;
  const theirs = p.sides[friend]!;
  const target = version ?? mine.platform.version;
  const caps = capabilities(target);
  if (caps === null) throw new RenderError(`RouterOS ${target} is not supported: bgpals renders for RouterOS 6.45 and later 6.x, and 7.x`);
  const ctx: Context = { p, me, friend, mine, theirs, caps, secrets, notes: [], out: [] };
  for (const link of p.links) {
    if (link.kind === "wireguard" && !caps.wireguard) {
      throw new RenderError(`link ${link.name} uses WireGuard, which RouterOS ${target} does not have: use an OpenVPN link (kind "ovpn") or upgrade to RouterOS 7`);
    }
    if (link.kind === "ovpn" && link.protocol === "udp" && !caps.ovpnUdp) {
      throw new RenderError(`link ${link.name} uses OpenVPN over UDP, which RouterOS ${target} does not have: use "protocol": "tcp"`);
    }
  }

  renderOpenVpnServer(ctx);
  for (const link of p.links) renderTunnel(ctx, link);
  for (const link of p.links) renderWanPin(ctx, link);
  for (const link of p.links) renderFirewall(ctx, link);
  if (p.policy.mode === "bgp") renderBgp(ctx);
  else renderStaticRoutes(ctx);
  return { peering: p.name, side: me, version: target, dialect: caps.dialect, commands: inDependencyOrder(ctx.out), notes: ctx.notes };
}

// Menus in the order objects depend on each other: what is referenced exists first.
const MENU_ORDER = [
  "/ppp/profile",
  "/ppp/secret",
  "/interface/ovpn-server/server",
  "/interface/ovpn-server",
  "/interface/ovpn-client",
  "/interface/wireguard",
  "/interface/wireguard/peers",
  "/ip/address",
  "/ip/route",
  "/ip/firewall/filter",
  "/ip/firewall/mangle",
  "/ip/firewall/address-list",
  "/routing/bgp/network",
  "/routing/filter",
  "/routing/filter/rule",
  "/routing/bgp/instance",
  "/routing/bgp/peer",
  "/routing/bgp/connection",
];

function inDependencyOrder(commands: RouterCommand[]): RouterCommand[] {
  const rank = (c: RouterCommand) => {
    const i = MENU_ORDER.indexOf(c.path);
    if (i === -1) throw new Error(`no dependency rank for ${c.path}`);
    return i;
  };
  // Array.prototype.sort is stable: per-link order within a menu is kept.
  return [...commands].sort((a, b) => rank(a) - rank(b));
}

function emit(ctx: Context, path: string, role: string, attrs: Record<string, string>, extra: Partial<RouterCommand> = {}): void {
  const tagged = extra.singleton ? attrs : { ...attrs, comment: ownershipTag(ctx.p.name, role) };
  ctx.out.push({ path, verb: extra.singleton ? "set" : "add", attrs: tagged, role, ...extra });
}

const isListener = (ctx: Context, link: Link) => link.listener === ctx.me;
const myAddress = (ctx: Context, link: Link) => link.address[ctx.me]!;
const friendAddress = (ctx: Context, link: Link) => link.address[ctx.friend]!;
const myWan = (ctx: Context, link: Link) => ctx.mine.wans[link.wan[ctx.me]!]!;
const friendWan = (ctx: Context, link: Link) => ctx.theirs.wans[link.wan[ctx.friend]!]!;
const yesNo = (b: boolean) => (b ? "yes" : "no");

function isPrimary(ctx: Context, link: Link): boolean {
  return link.name === ctx.p.policy.primary;
}

// --- Tunnels -------------------------------------------------------------------------------

function renderTunnel(ctx: Context, link: Link): void {
  if (link.kind === "wireguard") renderWireGuard(ctx, link);
  else if (isListener(ctx, link)) renderOpenVpnBinding(ctx, link);
  else renderOpenVpnClient(ctx, link);
}

function renderWireGuard(ctx: Context, link: Link): void {
  const iface = names.tunnelInterface(link, ctx.friend);
  // No private-key: RouterOS generates it on add and it never leaves the router.
  emit(ctx, "/interface/wireguard", `tunnel-${link.name}`, {
    name: iface,
    "listen-port": String(link.port),
    mtu: String(link.mtu ?? DEFAULT_WIREGUARD_MTU),
  }, { why: `WireGuard tunnel to ${ctx.friend} over ${link.name}` });

  // WireGuard drops packets from sources outside allowed-address: cover everything BGP may bring.
  const allowed = [`${friendAddress(ctx, link)}/32`, ...allowedOf(ctx.theirs).map((a) => a.prefix)];
  const peer: Record<string, string> = {
    interface: iface,
    "public-key": link.publicKey![ctx.friend]!,
    "allowed-address": allowed.join(","),
  };
  if (ctx.caps.wireguardPeerName) peer.name = names.wireguardPeer(link, ctx.friend);
  const extra: Partial<RouterCommand> = { why: `${ctx.friend}'s end of the ${link.name} tunnel` };
  if (!isListener(ctx, link)) {
    const endpoint = friendWan(ctx, link).endpoint!;
    peer["endpoint-address"] = endpoint;
    peer["endpoint-port"] = String(link.port);
    // The initiator keeps the NAT mapping and the handshake alive.
    peer["persistent-keepalive"] = link.keepalive ?? DEFAULT_KEEPALIVE;
  }
  const psk = ctx.secrets.presharedKey?.[link.name];
  if (psk !== undefined) {
    peer["preshared-key"] = psk;
    extra.secret = ["preshared-key"];
  }
  emit(ctx, "/interface/wireguard/peers", `peer-${link.name}`, peer, extra);

  const subnet = parsePrefix(link.subnet);
  emit(ctx, "/ip/address", `address-${link.name}`, {
    address: `${myAddress(ctx, link)}/${subnet.length}`,
    interface: iface,
    network: link.subnet.split("/")[0]!,
  }, { why: `tunnel address on ${link.name}; a subnet, not a /32, so the BGP next hop is connected` });
}

function ovpnCrypto(ctx: Context): { cipher: string; auth: string } {
  // RouterOS 6 knows neither GCM nor SHA-256 for OpenVPN; both ends must agree.
  const mixed = ctx.caps.dialect === "v6" || capabilities(ctx.theirs.platform.version)?.dialect === "v6";
  if (!mixed) return { cipher: "aes256-gcm", auth: "sha256" };
  return { cipher: ctx.caps.dialect === "v6" ? "aes256" : "aes256-cbc", auth: "sha1" };
}

function ovpnLinksIListen(ctx: Context): Link[] {
  return ctx.p.links.filter((l) => l.kind === "ovpn" && isListener(ctx, l));
}

function renderOpenVpnServer(ctx: Context): void {
  const links = ovpnLinksIListen(ctx);
  if (links.length === 0) return;
  const profile = names.pppProfile(ctx.p);
  emit(ctx, "/ppp/profile", "ppp-profile", {
    name: profile,
    "change-tcp-mss": "yes",
    "only-one": "yes",
    "use-encryption": "yes",
    "use-compression": "no",
    "use-mpls": "no",
    "use-upnp": "no",
  }, { why: `PPP profile for ${ctx.friend}'s OpenVPN links: MSS clamped, one session per user` });

  for (const link of links) {
    const password = ctx.secrets.pppPassword?.[link.name];
    const attrs: Record<string, string> = {
      name: link.user!,
      service: "ovpn",
      profile,
      // The tunnel addresses live here: /32 each end, the server's netmask=32 makes them point-to-point.
      "local-address": myAddress(ctx, link),
      "remote-address": friendAddress(ctx, link),
    };
    const extra: Partial<RouterCommand> = { why: `${ctx.friend}'s account for the ${link.name} tunnel` };
    if (password !== undefined) {
      attrs.password = password;
      extra.secret = ["password"];
    } else {
      // Never leave an account without a password enabled.
      attrs.disabled = "yes";
      ctx.notes.push(`PPP secret ${link.user} is rendered disabled: set its password (${ctx.friend} chose it) and enable it`);
    }
    emit(ctx, "/ppp/secret", `ppp-secret-${link.name}`, attrs, extra);
  }

  const { cipher, auth } = ovpnCrypto(ctx);
  const byPort = new Map<string, Link[]>();
  for (const link of links) {
    const key = `${link.port}/${link.protocol ?? "tcp"}`;
    byPort.set(key, [...(byPort.get(key) ?? []), link]);
  }
  if (!ctx.caps.ovpnServerInstances && byPort.size > 1) {
    throw new RenderError(
      `RouterOS ${ctx.caps.version} has a single OpenVPN server, but links ${links.map((l) => l.name).join(", ")} use different ports or protocols: give every OpenVPN link this side listens on the same port and protocol`,
    );
  }
  for (const group of byPort.values()) {
    const first = group[0]!;
    const server: Record<string, string> = {
      port: String(first.port),
      mode: "ip",
      netmask: "32",
      certificate: names.serverCertificate(ctx.p),
      "require-client-certificate": yesNo(first.requireClientCertificate ?? true),
      auth,
      cipher,
      "max-mtu": String(first.mtu ?? DEFAULT_OVPN_MTU),
    };
    if (ctx.caps.dialect !== "v6") server.protocol = first.protocol ?? "tcp";
    const why = `OpenVPN server for ${group.map((l) => l.name).join(", ")} on port ${first.port}`;
    if (ctx.caps.ovpnServerInstances) {
      emit(ctx, "/interface/ovpn-server/server", `ovpn-server-${first.port}`, { name: names.ovpnServer(ctx.p, first.port), ...server, disabled: "no" }, { why });
    } else {
      // Before 7.17 the server is one shared, untaggable item: the router layer journals what it changes.
      emit(ctx, "/interface/ovpn-server/server", "ovpn-server", { enabled: "yes", ...server }, { singleton: true, why });
    }
  }
}

function renderOpenVpnBinding(ctx: Context, link: Link): void {
  // A static server binding gives the tunnel a stable interface name for the firewall and BGP.
  emit(ctx, "/interface/ovpn-server", `tunnel-${link.name}`, {
    name: names.tunnelInterface(link, ctx.friend),
    user: link.user!,
  }, { why: `interface for ${ctx.friend}'s OpenVPN session on ${link.name}` });
}

function renderOpenVpnClient(ctx: Context, link: Link): void {
  const { cipher, auth } = ovpnCrypto(ctx);
  const attrs: Record<string, string> = {
    name: names.tunnelInterface(link, ctx.friend),
    "connect-to": friendWan(ctx, link).endpoint!,
    port: String(link.port),
    user: link.user!,
    mode: "ip",
    certificate: link.requireClientCertificate ?? true ? names.clientCertificate(ctx.p) : "none",
    auth,
    cipher,
    "add-default-route": "no",
    "max-mtu": String(link.mtu ?? DEFAULT_OVPN_MTU),
  };
  if (ctx.caps.dialect !== "v6") {
    // Pin the server: only a certificate signed by the CA whose fingerprint is in the peering.
    attrs["verify-server-certificate"] = "yes";
    attrs.protocol = link.protocol ?? "tcp";
  } else {
    ctx.notes.push(`RouterOS 6 cannot be told to verify the OpenVPN server's certificate: ${attrs.name} relies on the PPP password and the client certificate`);
  }
  const extra: Partial<RouterCommand> = { why: `OpenVPN client to ${ctx.friend} over ${link.name}` };
  const password = ctx.secrets.pppPassword?.[link.name];
  if (password !== undefined) {
    attrs.password = password;
    extra.secret = ["password"];
  } else {
    ctx.notes.push(`OpenVPN client ${attrs.name} has no password in this render: set the one you gave ${ctx.friend}`);
  }
  emit(ctx, "/interface/ovpn-client", `tunnel-${link.name}`, attrs, extra);
}

// --- WAN pinning and firewall ---------------------------------------------------------------

function renderWanPin(ctx: Context, link: Link): void {
  // The initiator pins the route to the listener's endpoint on this link's WAN, so "isp2" really
  // rides ISP2. The listener cannot pin by destination: one friend endpoint may serve two links.
  if (isListener(ctx, link)) return;
  const endpoint = friendWan(ctx, link).endpoint!;
  const wan = myWan(ctx, link);
  const extra: Partial<RouterCommand> = { why: `traffic to ${ctx.friend}'s ${link.name} endpoint leaves through ${wan.interface}` };
  if (!isIPv4(endpoint)) extra.resolve = ["dst-address"];
  const dst = isIPv4(endpoint) ? `${endpoint}/32` : endpoint;
  emit(ctx, "/ip/route", `pin-${link.name}`, { "dst-address": dst, gateway: wan.gateway ?? wan.interface }, extra);
  // When that WAN is down the pin goes inactive; without this guard the tunnel would quietly
  // leave through another ISP. A blackhole behind it keeps "isp2" on ISP2 or down.
  const guard: Record<string, string> = ctx.caps.dialect === "v6" ? { type: "blackhole" } : { blackhole: "yes" };
  emit(ctx, "/ip/route", `pin-${link.name}-guard`, { "dst-address": dst, ...guard, distance: String(PIN_GUARD_DISTANCE) }, {
    ...extra,
    why: `${link.name} stays on ${wan.interface}: while it is down, ${ctx.friend}'s endpoint is unreachable rather than reached through another ISP`,
  });
}

function renderFirewall(ctx: Context, link: Link): void {
  const iface = names.tunnelInterface(link, ctx.friend);
  if (isListener(ctx, link)) {
    emit(ctx, "/ip/firewall/filter", `fw-tunnel-${link.name}`, {
      chain: "input",
      action: "accept",
      protocol: link.kind === "wireguard" ? "udp" : link.protocol ?? "tcp",
      "dst-port": String(link.port),
      "in-interface": myWan(ctx, link).interface,
    }, { placement: "top", why: `${ctx.friend} reaches the ${link.name} tunnel on ${myWan(ctx, link).interface} only` });
  }
  if (ctx.p.policy.mode === "bgp") {
    emit(ctx, "/ip/firewall/filter", `fw-bgp-${link.name}`, {
      chain: "input",
      action: "accept",
      protocol: "tcp",
      "dst-port": "179",
      "in-interface": iface,
    }, { placement: "top", why: `BGP from ${ctx.friend}, on the ${link.name} tunnel only` });
  }
  if (link.kind === "wireguard") {
    // OpenVPN clamps through the PPP profile; WireGuard needs a mangle rule. A SYN-ACK going
    // out the tunnel is clamped too, so one rule per tunnel covers both directions.
    emit(ctx, "/ip/firewall/mangle", `mss-${link.name}`, {
      chain: "forward",
      action: "change-mss",
      "new-mss": "clamp-to-pmtu",
      passthrough: "yes",
      protocol: "tcp",
      "tcp-flags": "syn",
      "out-interface": iface,
    }, { why: `clamp TCP MSS to the ${link.name} tunnel's MTU` });
  }
}

// --- BGP ------------------------------------------------------------------------------------

/** Prefixes that are ours: what we announce, what we may announce, and the tunnel subnets. */
export function ownPrefixes(p: Peering, me: string): string[] {
  const side = p.sides[me]!;
  const all = [...side.networks, ...allowedOf(side).map((a) => a.prefix), ...p.links.map((l) => l.subnet)];
  // Keep only the widest prefixes: one reject rule covers what lies inside it.
  return [...new Set(all)].filter((x, _, list) => !list.some((y) => y !== x && prefixWithin(parsePrefix(x), parsePrefix(y))));
}

function renderBgp(ctx: Context): void {
  if (ctx.caps.dialect === "v6") renderFiltersV6(ctx);
  else renderFiltersV7(ctx);
  renderNetworks(ctx);

  const instance = names.bgpInstance(ctx.p);
  if (ctx.caps.dialect === "v6") {
    emit(ctx, "/routing/bgp/instance", "instance", {
      name: instance,
      as: String(ctx.mine.asn),
      "router-id": ctx.mine.routerId,
      // Announce only the networks listed for this peering; never leak other routes.
      "redistribute-connected": "no",
      "redistribute-static": "no",
      "redistribute-rip": "no",
      "redistribute-ospf": "no",
      "redistribute-other-bgp": "no",
      "client-to-client-reflection": "no",
    }, { why: `BGP instance AS${ctx.mine.asn} for the peering with ${ctx.friend}` });
  } else if (ctx.caps.bgpInstanceMenu) {
    emit(ctx, "/routing/bgp/instance", "instance", {
      name: instance,
      as: String(ctx.mine.asn),
      "router-id": ctx.mine.routerId,
    }, { why: `BGP instance AS${ctx.mine.asn} for the peering with ${ctx.friend}` });
  }

  const { hold, keepalive } = ctx.p.policy.timers;
  for (const link of ctx.p.links) {
    const name = names.bgpSession(link, ctx.friend);
    const why = `eBGP session with ${ctx.friend} (AS${ctx.theirs.asn}) over ${link.name}, ${isPrimary(ctx, link) ? "primary" : "backup"}`;
    if (ctx.caps.dialect === "v6") {
      emit(ctx, "/routing/bgp/peer", `bgp-${link.name}`, {
        name,
        instance,
        "remote-address": friendAddress(ctx, link),
        "remote-as": String(ctx.theirs.asn),
        "in-filter": names.inputChain(ctx.p, link.name),
        "out-filter": names.outputChain(ctx.p, link.name),
        "max-prefix-limit": String(ctx.p.policy.maxPrefixes),
        "hold-time": hold,
        "keepalive-time": keepalive,
        "address-families": "ip",
        multihop: "no",
      }, { why });
      continue;
    }
    const attrs: Record<string, string> = {
      name,
      "remote.address": friendAddress(ctx, link),
      "remote.as": String(ctx.theirs.asn),
      "local.address": myAddress(ctx, link),
      "local.role": "ebgp",
      as: String(ctx.mine.asn),
    };
    if (ctx.caps.bgpInstanceMenu) attrs.instance = instance;
    else attrs["router-id"] = ctx.mine.routerId;
    Object.assign(attrs, {
      "hold-time": hold,
      "keepalive-time": keepalive,
      // Without an input filter a connection accepts everything; without an output chain it advertises everything.
      "input.filter": names.inputChain(ctx.p, link.name),
      "input.limit-process-routes-ipv4": String(ctx.p.policy.maxPrefixes),
      "output.filter-chain": names.outputChain(ctx.p, link.name),
      "output.network": names.networkList(ctx.p),
      connect: "yes",
      listen: "yes",
      multihop: "no",
    });
    attrs[ctx.caps.bgpAfiName!] = "ip";
    emit(ctx, "/routing/bgp/connection", `bgp-${link.name}`, attrs, { why });
  }
}

function renderNetworks(ctx: Context): void {
  for (const network of ctx.mine.networks) {
    if (ctx.caps.dialect === "v6") {
      // synchronize=yes: announce only while the network is really in the routing table.
      emit(ctx, "/routing/bgp/network", `network-${network}`, { network, synchronize: "yes" }, { why: `announce ${network}` });
    } else {
      emit(ctx, "/ip/firewall/address-list", `network-${network}`, { list: names.networkList(ctx.p), address: network }, { why: `announce ${network} (output.network)` });
    }
  }
}

function lengthRange(prefix: string, maxLength: number): { from: number; to: number } {
  return { from: parsePrefix(prefix).length, to: maxLength };
}

function renderFiltersV7(ctx: Context): void {
  const own = ownPrefixes(ctx.p, ctx.me);
  const allowed = allowedOf(ctx.theirs);
  const rule = (chain: string, role: string, text: string, why: string) => emit(ctx, "/routing/filter/rule", role, { chain, rule: text }, { why });
  for (const link of ctx.p.links) {
    const chain = names.inputChain(ctx.p, link.name);
    const pref = isPrimary(ctx, link) ? ctx.p.policy.localPref.primary : ctx.p.policy.localPref.backup;
    rule(chain, `in-${link.name}-default`, "if (dst == 0.0.0.0/0) { reject; }", `never take a default route from ${ctx.friend}`);
    own.forEach((prefix) => rule(chain, `in-${link.name}-own-${prefix}`, `if (dst in ${prefix}) { reject; }`, `never take our own ${prefix} from ${ctx.friend}`));
    allowed.forEach(({ prefix, maxLength }) => {
      const { from, to } = lengthRange(prefix, maxLength);
      const len = from === to ? `dst-len == ${from}` : `dst-len in ${from}-${to}`;
      rule(chain, `in-${link.name}-allow-${prefix}`, `if (dst in ${prefix} && ${len}) { set bgp-local-pref ${pref}; accept; }`,
        `accept ${ctx.friend}'s ${prefix} up to /${to}, local-pref ${pref} (${isPrimary(ctx, link) ? "primary" : "backup"})`);
    });
    rule(chain, `in-${link.name}-end`, "reject;", "anything else from the friend is refused");

    const outChain = names.outputChain(ctx.p, link.name);
    const prepend = !isPrimary(ctx, link) && ctx.p.policy.backupPrepend > 0 ? `set bgp-path-prepend ${ctx.p.policy.backupPrepend}; ` : "";
    ctx.mine.networks.forEach((network) => {
      const length = parsePrefix(network).length;
      rule(outChain, `out-${link.name}-net-${network}`, `if (dst in ${network} && dst-len == ${length}) { ${prepend}accept; }`,
        `announce ${network} on ${link.name}${prepend ? `, prepended ${ctx.p.policy.backupPrepend}x (backup)` : ""}`);
    });
    rule(outChain, `out-${link.name}-end`, "reject;", "announce nothing else");
  }
}

/**
 * The actions a bgpals v6 rule may carry. Leaving one out means "none", not 0: on RouterOS 6,
 * set-bgp-prepend=0 removes the peer's AS from the path (the wiki's "no bgp enforce-first-as").
 */
const V6_RULE_ACTIONS = ["set-bgp-local-pref", "set-bgp-prepend"];

function renderFiltersV6(ctx: Context): void {
  const own = ownPrefixes(ctx.p, ctx.me);
  const allowed = allowedOf(ctx.theirs);
  // The set-* actions are attributes of a v6 rule: one the render leaves out must not stay on the router.
  const rule = (role: string, attrs: Record<string, string>, why: string) => emit(ctx, "/routing/filter", role, attrs, { why, owns: V6_RULE_ACTIONS });
  for (const link of ctx.p.links) {
    const chain = names.inputChain(ctx.p, link.name);
    const pref = isPrimary(ctx, link) ? ctx.p.policy.localPref.primary : ctx.p.policy.localPref.backup;
    rule(`in-${link.name}-default`, { chain, prefix: "0.0.0.0/0", action: "discard" }, `never take a default route from ${ctx.friend}`);
    own.forEach((prefix) => rule(`in-${link.name}-own-${prefix}`, { chain, prefix, "prefix-length": `${parsePrefix(prefix).length}-32`, action: "discard" },
      `never take our own ${prefix} from ${ctx.friend}`));
    allowed.forEach(({ prefix, maxLength }) => {
      const { from, to } = lengthRange(prefix, maxLength);
      rule(`in-${link.name}-allow-${prefix}`, { chain, prefix, "prefix-length": from === to ? String(from) : `${from}-${to}`, "set-bgp-local-pref": String(pref), action: "accept" },
        `accept ${ctx.friend}'s ${prefix} up to /${to}, local-pref ${pref}`);
    });
    // RouterOS 6 accepts at the end of a chain: the explicit discard is what makes it a filter.
    rule(`in-${link.name}-end`, { chain, action: "discard" }, "anything else from the friend is refused");

    const outChain = names.outputChain(ctx.p, link.name);
    const backup = !isPrimary(ctx, link) && ctx.p.policy.backupPrepend > 0;
    ctx.mine.networks.forEach((network) => {
      const attrs: Record<string, string> = { chain: outChain, prefix: network, action: "accept" };
      if (backup) attrs["set-bgp-prepend"] = String(ctx.p.policy.backupPrepend);
      rule(`out-${link.name}-net-${network}`, attrs, `announce ${network} on ${link.name}${backup ? " prepended (backup)" : ""}`);
    });
    rule(`out-${link.name}-end`, { chain: outChain, action: "discard" }, "announce nothing else");
  }
}

// --- Static mode (S7) -----------------------------------------------------------------------

function renderStaticRoutes(ctx: Context): void {
  // The primary link gets the lowest distance; check-gateway=ping fails over when a tunnel dies.
  const ordered = [...ctx.p.links].sort((a, b) => Number(isPrimary(ctx, b)) - Number(isPrimary(ctx, a)));
  ordered.forEach((link, i) => {
    const distance = STATIC_PRIMARY_DISTANCE + i * STATIC_DISTANCE_STEP;
    for (const network of ctx.theirs.networks) {
      emit(ctx, "/ip/route", `static-${link.name}-${network}`, {
        "dst-address": network,
        gateway: friendAddress(ctx, link),
        distance: String(distance),
        "check-gateway": "ping",
      }, { why: `${ctx.friend}'s ${network} via ${link.name}, distance ${distance}${i === 0 ? " (primary)" : " (backup)"}` });
    }
  });
}
