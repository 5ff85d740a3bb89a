// Discovery: a typed inventory of a router, read over the API. Menus a version or a board lacks
// are skipped, not fatal (a CHR has no /system/routerboard).
import { addressInPrefix, isIPv4, parseAddress, parsePrefix } from "../../core/ipv4.js";
import type { Inventory, PortInUse, WanCandidate } from "../platform.js";
import { ONE_SERVER_RECORD, parseOwnershipTag } from "./names.js";
import { dialectOf, versionOfResource } from "./dialects.js";
import { menusOf } from "./menus.js";
import type { RouterClient, RouterItem } from "./api/client.js";
import { RouterError } from "../../errors.js";

async function read(client: RouterClient, path: string, proplist?: string[], query?: readonly string[]): Promise<RouterItem[]> {
  try {
    return await client.print(path, { ...(proplist ? { proplist } : {}), ...(query ? { query } : {}) });
  } catch (e) {
    // A menu this router does not have: nothing to discover there.
    if (e instanceof RouterError && e.kind === "trap") return [];
    throw e;
  }
}

const TUNNEL_TYPES = new Set(["wg", "ovpn-in", "ovpn-out"]);
/** Interface types with one router at the other end: a route may name them as its gateway. */
export function isPointToPoint(type: string): boolean {
  return POINT_TO_POINT.has(type);
}
const POINT_TO_POINT = new Set(["pppoe-out", "pppoe-in", "ppp-out", "ppp-in", "lte", "wg", "ovpn-out", "ovpn-in", "l2tp-out", "l2tp-in", "sstp-out", "sstp-in", "pptp-out", "pptp-in", "gre-tunnel", "ipip-tunnel"]);

/**
 * The routes discovery reads: those that are not BGP's (`?-bgp`: no such attribute, or
 * `bgp=false`). A router may carry a full table from its upstream or a friend: a million BGP routes
 * that say nothing of WANs, defaults, addresses in use or recursive failover.
 */
const NOT_BGP = ["?-bgp", "?bgp=false", "?#|"];

const yes = (v: string | undefined) => v === "true" || v === "yes";

/** The routes discovery reads (those that are not BGP's), for a caller that wants them too. */
export function readDiscoveryRoutes(client: RouterClient): Promise<RouterItem[]> {
  return read(client, "/ip/route", undefined, NOT_BGP);
}

/**
 * What a router has. Everything is asked at once; only the BGP menus wait for the version, which
 * names them: two round trips in all. `routes` are the routes that are not BGP's, where the caller
 * read them already (readDiscoveryRoutes).
 */
export async function discover(client: RouterClient, options: { routes?: Promise<RouterItem[]> } = {}): Promise<Inventory> {
  const general = Promise.all([
    read(client, "/system/identity"),
    read(client, "/system/routerboard"),
    read(client, "/interface", ["name", "type", "running", "disabled"]),
    read(client, "/interface/list/member"),
    read(client, "/interface/pppoe-client"),
    read(client, "/ip/dhcp-client"),
    read(client, "/ip/address"),
    options.routes ?? read(client, "/ip/route", ["dst-address", "gateway", "distance", "check-gateway", "active", "dynamic", "bgp", "scope", "target-scope", "routing-table", "routing-mark", "comment", "connect"], NOT_BGP),
    read(client, "/ip/cloud"),
    read(client, "/ip/firewall/filter", ["chain", "action", "in-interface-list", "in-interface", "disabled"]),
    read(client, "/interface/ovpn-server/server"),
    read(client, ONE_SERVER_RECORD.path, undefined, [`?name=${ONE_SERVER_RECORD.name}`]),
  ]);
  // A failure of one read must not go unheard while the other awaits.
  general.catch(() => undefined);
  const [resource] = await read(client, "/system/resource");
  const version = versionOfResource(resource);
  const dialect = dialectOf(version);
  // An unsupported version is read as RouterOS 6 reads: enough to say what it is.
  const menus = dialect === null ? null : menusOf(dialect);
  const [[identityItem, board, interfaces, members, pppoe, dhcp, addresses, routes, cloud, filters, ovpnServers, oneServerRecord], wireguard, bgpItems, separateSessions, instances] = await Promise.all([
    general,
    dialect?.wireguard ? read(client, "/interface/wireguard", ["name", "listen-port", "comment"]) : Promise.resolve([]),
    read(client, menus?.bgpSessions ?? "/routing/bgp/peer"),
    menus !== null && menus.bgpSessionState !== menus.bgpSessions ? read(client, menus.bgpSessionState) : Promise.resolve(null),
    dialect?.bgpInstanceMenu ? read(client, "/routing/bgp/instance") : Promise.resolve([]),
  ]);
  const sessions = separateSessions ?? bgpItems;

  const lists: Record<string, string[]> = {};
  for (const m of members) (lists[m.list ?? ""] ??= []).push(m.interface ?? "");

  const wans = new Map<string, WanCandidate>();
  const typeOf = (name: string) => interfaces.find((i) => i.name === name)?.type ?? "";
  const wan = (name: string, reason: string) => {
    const c = wans.get(name) ?? { interface: name, reasons: [], defaultRoutes: [], pointToPoint: isPointToPoint(typeOf(name)) };
    if (!c.reasons.includes(reason)) c.reasons.push(reason);
    wans.set(name, c);
    return c;
  };
  for (const p of pppoe) if (p.name) wan(p.name, "pppoe-client");
  for (const d of dhcp) if (d.interface) wan(d.interface, "dhcp-client");
  for (const name of lists.WAN ?? []) wan(name, "interface list WAN");
  // Routes in other tables (policy routing, bgpals's own reply tables) say nothing of the main path.
  const mainRoutes = routes.filter((r) => !r["routing-mark"] && (r["routing-table"] ?? "main") === "main");
  const defaults = mainRoutes.filter((r) => r["dst-address"] === "0.0.0.0/0" && r.bgp !== "true");
  for (const r of defaults) {
    const gateway = r.gateway ?? "";
    const via = interfaceOfGateway(gateway, addresses) ?? gateway;
    if (!interfaces.some((i) => i.name === via)) continue;
    wan(via, "default route").defaultRoutes.push({ gateway, distance: Number(r.distance ?? 1), checkGateway: r["check-gateway"], active: yes(r.active) });
  }
  for (const a of addresses) {
    const c = wans.get(a.interface ?? "");
    if (c && c.address === undefined) {
      c.address = a.address;
      if (yes(a.dynamic)) c.dynamic = "given by the ISP";
    }
  }
  // A PPPoE or DHCP client's address is the ISP's to change.
  for (const c of wans.values()) {
    if (c.reasons.includes("pppoe-client")) c.dynamic = "PPPoE";
    else if (c.reasons.includes("dhcp-client")) c.dynamic = "DHCP";
  }
  // The next hop of a WAN that is not point-to-point: its best default route's, else its DHCP lease's.
  for (const c of wans.values()) {
    if (c.pointToPoint) continue;
    const viaRoute = [...c.defaultRoutes].sort((a, b) => a.distance - b.distance).map((r) => r.gateway.split("%")[0]!).find((g) => isIPv4(g));
    const lease = dhcp.find((d) => d.interface === c.interface && isIPv4(d.gateway ?? ""))?.gateway;
    const hop = viaRoute ?? lease;
    if (hop !== undefined) c.nextHop = hop;
  }

  const wanNames = new Set(wans.keys());
  const tunnelInterfaces = new Set(interfaces.filter((i) => TUNNEL_TYPES.has(i.type ?? "")).map((i) => i.name));
  // bgpals's own objects, and addresses PPP hands tunnels, are not the router's networks.
  const ours = (item: RouterItem) => (item.comment ?? "").startsWith("bgpals:") || tunnelInterfaces.has(item.interface);

  // Networks to share: neither a WAN's nor a tunnel's (a peering already applied must not offer its own link subnets).
  const lans = addresses
    .filter((a) => !wans.has(a.interface ?? "") && a.address !== undefined && !ours(a))
    .map((a) => ({ network: `${a.network ?? a.address!.split("/")[0]}/${a.address!.split("/")[1] ?? "32"}`, interface: a.interface ?? "", address: a.address! }));
  const input = filters.filter((f) => f.chain === "input" && !yes(f.disabled));
  return {
    identity: identityItem[0]?.name ?? "",
    version,
    dialect: dialect?.family ?? null,
    board: board[0]?.model ?? resource?.["board-name"] ?? "",
    architecture: resource?.["architecture-name"] ?? "",
    interfaces: interfaces.map((i) => ({ name: i.name ?? "", type: i.type ?? "", running: yes(i.running), disabled: yes(i.disabled) })),
    interfaceLists: lists,
    wans: [...wans.values()],
    lans,
    prefixesInUse: [...addresses.filter((a) => !ours(a)).map((a) => a.address ?? ""), ...mainRoutes.filter((r) => !ours(r) && r.bgp !== "true" && r.connect !== "true").map((r) => r["dst-address"] ?? "")].filter((p) => p !== "" && p !== "0.0.0.0/0"),
    tunnelPrefixes: [...addresses.filter(ours).map((a) => ({ prefix: a.address ?? "", interface: a.interface, comment: a.comment })), ...mainRoutes.filter(ours).map((r) => ({ prefix: r["dst-address"] ?? "", comment: r.comment }))],
    recursiveRoutes: routes
      .filter((r) => r["target-scope"] !== undefined && Number(r["target-scope"]) > 10 && /^\d/.test(r.gateway ?? ""))
      .map((r) => ({ dst: r["dst-address"] ?? "", gateway: r.gateway ?? "", distance: Number(r.distance ?? 1) })),
    bgp: {
      asns: [...new Set([...instances, ...bgpItems].map((i) => Number(i.as)).filter((n) => n > 0))],
      sessions: sessions.map((s) => ({
        name: s.name ?? "",
        remoteAddress: s["remote.address"] ?? s["remote-address"] ?? "",
        remoteAs: s["remote.as"] ?? s["remote-as"] ?? "",
        established: yes(s.established) || s.state === "established",
      })),
    },
    cloud: { ddnsEnabled: yes(cloud[0]?.["ddns-enabled"]), dnsName: cloud[0]?.["dns-name"] || undefined, publicAddress: cloud[0]?.["public-address"] || undefined },
    firewall: {
      inputRules: input.length,
      dropsFromWan: input.some((f) => f.action === "drop" && (f["in-interface-list"] === "!LAN" || f["in-interface-list"] === "WAN" || wanNames.has(f["in-interface"] ?? ""))),
    },
    portsInUse: portsInUse(wireguard, ovpnServers, oneServerRecord[0]),
  };
}

/** What listens where: WireGuard interfaces and enabled OpenVPN servers, with the peering that owns each (its tag). */
export function portsInUse(wireguard: readonly RouterItem[], ovpnServers: readonly RouterItem[], oneServerRecord?: RouterItem): PortInUse[] {
  const owner = (item: RouterItem) => {
    // The one server (before 7.17) has no name nor comment: its record says who shares it.
    if (item.name === undefined && item.enabled !== undefined) return { oneServer: { peerings: parseOwnershipTag(oneServerRecord?.comment)?.peerings ?? [] } };
    const peering = parseOwnershipTag(item.comment)?.peering;
    return peering === undefined ? {} : { peering };
  };
  return [
    ...wireguard.map((w) => ({ port: Number(w["listen-port"]), protocol: "udp" as const, by: `WireGuard ${w.name}`, ...owner(w) })),
    ...ovpnServers
      .filter((s) => yes(s.enabled) || (s.enabled === undefined && !yes(s.disabled)))
      .map((s) => ({ port: Number(s.port ?? 1194), protocol: (s.protocol === "udp" ? "udp" : "tcp") as "udp" | "tcp", by: `OpenVPN server${s.name ? ` ${s.name}` : ""}`, ...owner(s) })),
  ];
}

function interfaceOfGateway(gateway: string, addresses: RouterItem[]): string | undefined {
  const [address, named] = gateway.split("%");
  if (!isIPv4(address ?? "")) return undefined;
  if (named !== undefined) return named;
  const hop = parseAddress(address!);
  return addresses.find((a) => {
    try {
      return addressInPrefix(hop, parsePrefix(a.address ?? ""));
    } catch {
      return false;
    }
  })?.interface;
}
