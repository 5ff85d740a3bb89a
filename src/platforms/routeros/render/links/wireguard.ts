// WireGuard on RouterOS 7: an interface (the router makes its key; the private key never leaves
// it), the friend as a peer, and the tunnel address.
import { WIREGUARD_KEEPALIVE, WIREGUARD_MTU } from "../../../../core/links/wireguard.js";
import { isIPv4, parsePrefix } from "../../../../core/ipv4.js";
import { allowedOf, type Link } from "../../../../core/peering.js";
import { names } from "../../names.js";
import type { RouterCommand } from "../../types.js";
import { emit, friendAddress, friendWan, isListener, myAddress, type Context } from "../context.js";
import type { LinkRenderer } from "./renderer.js";

export const wireguardRenderer: LinkRenderer = {
  tunnel(ctx: Context, link: Link): void {
    const iface = names.tunnelInterface(link, ctx.friend);
    // No private-key: RouterOS generates it on add and it never leaves the router.
    emit(ctx, "/interface/wireguard", `tunnel-${link.name}`, {
      name: iface,
      "listen-port": String(link.port),
      mtu: String(link.mtu ?? WIREGUARD_MTU),
    }, { why: `WireGuard tunnel to ${ctx.friend} over ${link.name}` });

    // WireGuard drops packets from sources outside allowed-address: cover everything BGP may bring.
    const allowed = [`${friendAddress(ctx, link)}/32`, ...allowedOf(ctx.theirs).map((a) => a.prefix)];
    const peer: Record<string, string> = {
      interface: iface,
      "public-key": link.publicKey![ctx.friend]!,
      "allowed-address": allowed.join(","),
    };
    if (ctx.dialect.wireguardPeerName) peer.name = names.wireguardPeer(link, ctx.friend);
    const extra: Partial<RouterCommand> = { why: `${ctx.friend}'s end of the ${link.name} tunnel` };
    if (!isListener(ctx, link)) {
      const endpoint = friendWan(ctx, link).endpoint!;
      peer["endpoint-address"] = endpoint;
      peer["endpoint-port"] = String(link.port);
      // WireGuard resolves a name once; bgpals writes the address and the endpoint script follows it.
      if (!isIPv4(endpoint)) extra.resolve = ["endpoint-address"];
      // The initiator keeps the NAT mapping and the handshake alive.
      peer["persistent-keepalive"] = link.keepalive ?? WIREGUARD_KEEPALIVE;
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
  },

  endpointFollows(_ctx: Context, link: Link, tag: (role: string) => string): string {
    return `/interface wireguard peers set [find comment="${tag(`peer-${link.name}`)}"] endpoint-address=$a`;
  },

  firewall(ctx: Context, link: Link): void {
    // OpenVPN clamps through the PPP profile; WireGuard needs a mangle rule. A SYN-ACK going
    // out the tunnel is clamped too, so one rule per tunnel covers both directions.
    emit(ctx, "/ip/firewall/mangle", `mss-${link.name}`, {
      chain: "forward",
      action: "change-mss",
      "new-mss": "clamp-to-pmtu",
      passthrough: "yes",
      protocol: "tcp",
      "tcp-flags": "syn",
      "out-interface": names.tunnelInterface(link, ctx.friend),
    }, { why: `clamp TCP MSS to the ${link.name} tunnel's MTU` });
  },
};
