// One side of a peering → the ordered RouterOS commands that build it, for every dialect.
// Pure: no router, no clock. Secrets come in through `secrets` and are marked on the command.
// Tunnels come from the link renderers (./links/), one per link kind.
import { isIPv4, parsePrefix } from "../../../core/ipv4.js";
import { linkKind } from "../../../core/links/index.js";
import { allowedOf, sidesOf, type Link, type Peering } from "../../../core/peering.js";
import { ownPrefixes } from "../../../core/policy.js";
import { dialectOf, unsupportedVersion, type Dialect } from "../dialects.js";
import { creationRank, menusOf } from "../menus.js";
import { names, ownershipTag } from "../names.js";
import type { RouterCommand } from "../types.js";
import { emit, friendAddress, friendWan, isListener, isPrimary, myAddress, myWan, RenderError, type Context, type RenderSecrets } from "./context.js";
import { LINK_RENDERERS } from "./links/index.js";

export { RenderError, type RenderSecrets };

export interface Rendered {
  peering: string;
  side: string;
  version: string;
  dialect: Dialect;
  commands: RouterCommand[];
  /** Things the operator must know about this render (missing secrets, limits). */
  notes: string[];
}

const STATIC_PRIMARY_DISTANCE = 10;
const STATIC_DISTANCE_STEP = 10;
const PIN_GUARD_DISTANCE = 250;

export function render(p: Peering, side: string, version?: string, secrets: RenderSecrets = {}): Rendered {
  const { me, friend } = sidesOf(p, side);
  const mine = p.sides[me]!;
  const theirs = p.sides[friend]!;
  if (mine.platform.os !== "routeros") throw new RenderError(`${me} runs ${mine.platform.os}, not RouterOS: render it with its own platform`);
  const target = version ?? mine.platform.version;
  const dialect = dialectOf(target);
  if (dialect === null) throw new RenderError(unsupportedVersion(target));
  const ctx: Context = { p, me, friend, mine, theirs, dialect, friendDialect: theirs.platform.os === "routeros" ? dialectOf(theirs.platform.version) : null, secrets, notes: [], out: [] };
  for (const link of p.links) {
    const unsupported = linkKind(link.kind).unsupported(link, me, dialect.features);
    if (unsupported !== null) throw new RenderError(unsupported.message);
  }

  for (const kind of new Set(p.links.map((l) => l.kind))) {
    LINK_RENDERERS[kind].shared?.(ctx, p.links.filter((l) => l.kind === kind));
  }
  for (const link of p.links) LINK_RENDERERS[link.kind].tunnel(ctx, link);
  for (const link of p.links) renderWanPin(ctx, link);
  for (const link of p.links) renderReplyPath(ctx, link);
  renderEndpointFollower(ctx);
  for (const link of p.links) renderFirewall(ctx, link);
  if (p.policy.mode === "bgp") renderBgp(ctx);
  else renderStaticRoutes(ctx);
  // Menus in the order objects depend on each other (menus.ts); stable, so per-link order within a menu is kept.
  const commands = [...ctx.out].sort((a, b) => creationRank(a.path) - creationRank(b.path));
  return { peering: p.name, side: me, version: target, dialect, commands, notes: ctx.notes };
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
  emit(ctx, "/ip/route", `pin-${link.name}-guard`, { "dst-address": dst, ...menusOf(ctx.dialect).blackhole, distance: String(PIN_GUARD_DISTANCE) }, {
    ...extra,
    why: `${link.name} stays on ${wan.interface}: while it is down, ${ctx.friend}'s endpoint is unreachable rather than reached through another ISP`,
  });
}

function renderReplyPath(ctx: Context, link: Link): void {
  // The listener answers by its routing table, whose default route may be another WAN than the
  // one the friend came in on: that ISP drops answers from an address it never gave out. So the
  // friend's connections are marked as they arrive on this link's WAN, and their answers routed
  // by a table whose only route leaves by that WAN (seed 003's way).
  if (!isListener(ctx, link)) return;
  const wan = myWan(ctx, link);
  const mark = names.replyMark(ctx.p, link.name);
  const table = names.replyTable(ctx.p, link.name);
  const why = `answers to ${ctx.friend} on ${link.name} leave through ${wan.interface}, where ${ctx.friend} reaches us, whatever the default route`;
  if (ctx.dialect.routingTables) emit(ctx, "/routing/table", `reply-table-${link.name}`, { name: table, fib: "yes" }, { why: `the table ${link.name}'s answers are routed by` });
  emit(ctx, "/ip/route", `reply-route-${link.name}`, { "dst-address": "0.0.0.0/0", gateway: wan.gateway ?? wan.interface, [menusOf(ctx.dialect).routeTable]: table }, { why });
  emit(ctx, "/ip/firewall/mangle", `reply-mark-${link.name}`, {
    chain: "prerouting",
    action: "mark-connection",
    "new-connection-mark": mark,
    passthrough: "yes",
    "connection-mark": "no-mark",
    "in-interface": wan.interface,
    protocol: linkKind(link.kind).transport(link),
    "dst-port": String(link.port),
  }, { placement: "top", why: `${ctx.friend}'s ${link.name} connections, marked as they arrive on ${wan.interface}` });
  emit(ctx, "/ip/firewall/mangle", `reply-route-mark-${link.name}`, {
    chain: "output",
    action: "mark-routing",
    "new-routing-mark": table,
    passthrough: "no",
    "connection-mark": mark,
  }, { placement: "top", why });
}

/** How often the router re-resolves the friend's endpoint names. */
export const ENDPOINT_RESOLVE_INTERVAL = "1m";

/**
 * bgpals resolves the friend's endpoint names when it writes (the pin routes and WireGuard peers
 * hold addresses): a scheduler script resolves them again every minute on the router and moves
 * both, so a friend whose address changes comes back without anyone running bgpals.
 */
function renderEndpointFollower(ctx: Context): void {
  const followed = ctx.p.links.filter((link) => !isListener(ctx, link) && !isIPv4(friendWan(ctx, link).endpoint!));
  if (followed.length === 0) return;
  const tag = (role: string) => ownershipTag(ctx.p.name, role);
  const lines: string[] = [`# bgpals: follows ${ctx.friend}'s endpoint names (peering ${ctx.p.name})`];
  for (const link of followed) {
    const name = friendWan(ctx, link).endpoint!;
    lines.push(":do {", `:local a [:resolve "${name}"]`);
    if (LINK_RENDERERS[link.kind].endpointFollows !== undefined) lines.push(LINK_RENDERERS[link.kind].endpointFollows!(ctx, link, tag));
    lines.push(`/ip route set [find comment="${tag(`pin-${link.name}`)}"] dst-address="$a/32"`);
    lines.push(`/ip route set [find comment="${tag(`pin-${link.name}-guard`)}"] dst-address="$a/32"`);
    lines.push(`} on-error={ :log warning "bgpals: ${name} (${ctx.friend}'s ${link.name} endpoint) does not resolve" }`);
  }
  const script = names.endpointFollower(ctx.p);
  const followedNames = followed.map((l) => friendWan(ctx, l).endpoint!).join(", ");
  emit(ctx, "/system/script", "endpoint-script", { name: script, policy: "read,write,test", source: lines.join("\n") }, {
    why: `re-resolves ${followedNames} on the router and moves the tunnel${followed.length > 1 ? "s" : ""} when ${ctx.friend}'s address changes`,
  });
  emit(ctx, "/system/scheduler", "endpoint-scheduler", { name: script, interval: ENDPOINT_RESOLVE_INTERVAL, "on-event": script, policy: "read,write,test" }, {
    why: `runs ${script} every ${ENDPOINT_RESOLVE_INTERVAL}`,
  });
}

function renderFirewall(ctx: Context, link: Link): void {
  const iface = names.tunnelInterface(link, ctx.friend);
  if (isListener(ctx, link)) {
    emit(ctx, "/ip/firewall/filter", `fw-tunnel-${link.name}`, {
      chain: "input",
      action: "accept",
      protocol: linkKind(link.kind).transport(link),
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
  LINK_RENDERERS[link.kind].firewall?.(ctx, link);
}

// --- BGP ------------------------------------------------------------------------------------

function renderBgp(ctx: Context): void {
  if (ctx.dialect.filterRulesAreScript) renderFiltersV7(ctx);
  else renderFiltersV6(ctx);
  renderNetworks(ctx);

  const instance = names.bgpInstance(ctx.p);
  if (ctx.dialect.bgpInstanceRedistributes) {
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
  } else if (ctx.dialect.bgpInstanceMenu) {
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
    if (!ctx.dialect.bgpConnections) {
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
    if (ctx.dialect.bgpConnectionInstance) attrs.instance = instance;
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
    attrs[ctx.dialect.bgpAfiName!] = "ip";
    emit(ctx, "/routing/bgp/connection", `bgp-${link.name}`, attrs, { why });
  }
}

function renderNetworks(ctx: Context): void {
  for (const network of ctx.mine.networks) {
    if (!ctx.dialect.networksFromAddressList) {
      // synchronize=yes: announce only while the network is really in the routing table.
      // The menu is global on RouterOS 6: peerings announcing the same network share one entry.
      emit(ctx, "/routing/bgp/network", `network-${network}`, { network, synchronize: "yes" }, { why: `announce ${network}`, shared: ["network"] });
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
