// OpenVPN on RouterOS, as in the seed: the listener runs the server (a PPP profile, one PPP
// secret per link, a static binding per tunnel), the other side a client with its certificate.
import { OPENVPN_MTU } from "../../../../core/links/ovpn.js";
import type { Link } from "../../../../core/peering.js";
import { names } from "../../names.js";
import type { RouterCommand } from "../../types.js";
import { emit, friendAddress, friendWan, isListener, myAddress, RenderError, yesNo, type Context } from "../context.js";
import type { LinkRenderer } from "./renderer.js";

export const ovpnRenderer: LinkRenderer = {
  shared(ctx: Context, links: readonly Link[]): void {
    const listening = links.filter((l) => isListener(ctx, l));
    if (listening.length > 0) renderServer(ctx, listening);
  },
  tunnel(ctx: Context, link: Link): void {
    if (isListener(ctx, link)) renderBinding(ctx, link);
    else renderClient(ctx, link);
  },
};

function crypto(ctx: Context): { cipher: string; auth: string } {
  // Both ends must agree: an old end (no GCM, no SHA-256) sets what both use.
  const modern = ctx.dialect.ovpnModernCrypto && (ctx.friendDialect?.ovpnModernCrypto ?? true);
  if (modern) return { cipher: "aes256-gcm", auth: "sha256" };
  return { cipher: ctx.dialect.ovpnCbcCipher, auth: "sha1" };
}

function renderServer(ctx: Context, links: readonly Link[]): void {
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

  const { cipher, auth } = crypto(ctx);
  const byPort = new Map<string, Link[]>();
  for (const link of links) {
    const key = `${link.port}/${link.protocol ?? "tcp"}`;
    byPort.set(key, [...(byPort.get(key) ?? []), link]);
  }
  if (!ctx.dialect.ovpnServerInstances && byPort.size > 1) {
    throw new RenderError(
      `RouterOS ${ctx.dialect.version} has a single OpenVPN server, but links ${links.map((l) => l.name).join(", ")} use different ports or protocols: give every OpenVPN link this side listens on the same port and protocol`,
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
      "max-mtu": String(first.mtu ?? OPENVPN_MTU),
    };
    if (ctx.dialect.ovpnProtocolAttribute) server.protocol = first.protocol ?? "tcp";
    const why = `OpenVPN server for ${group.map((l) => l.name).join(", ")} on port ${first.port}`;
    if (ctx.dialect.ovpnServerInstances) {
      emit(ctx, "/interface/ovpn-server/server", `ovpn-server-${first.port}`, { name: names.ovpnServer(ctx.p, first.port), ...server, disabled: "no" }, { why });
    } else {
      // Before 7.17 the server is one shared, untaggable item: the router layer journals what it changes.
      emit(ctx, "/interface/ovpn-server/server", "ovpn-server", { enabled: "yes", ...server }, { singleton: true, why });
    }
  }
}

function renderBinding(ctx: Context, link: Link): void {
  // A static server binding gives the tunnel a stable interface name for the firewall and BGP.
  emit(ctx, "/interface/ovpn-server", `tunnel-${link.name}`, {
    name: names.tunnelInterface(link, ctx.friend),
    user: link.user!,
  }, { why: `interface for ${ctx.friend}'s OpenVPN session on ${link.name}` });
}

function renderClient(ctx: Context, link: Link): void {
  const { cipher, auth } = crypto(ctx);
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
    "max-mtu": String(link.mtu ?? OPENVPN_MTU),
  };
  if (ctx.dialect.ovpnVerifiesServer) {
    // Pin the server: only a certificate signed by the CA whose fingerprint is in the peering.
    attrs["verify-server-certificate"] = "yes";
  } else {
    ctx.notes.push(`RouterOS 6 cannot be told to verify the OpenVPN server's certificate: ${attrs.name} relies on the PPP password and the client certificate`);
  }
  if (ctx.dialect.ovpnProtocolAttribute) attrs.protocol = link.protocol ?? "tcp";
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
