// The RouterOS menus bgpals writes, as data: the order objects are created in (what is referenced
// exists first; removal goes the other way), how deep each sits in the dependency chain (objects
// at one depth go out together), and which menu and attribute names each dialect uses.
import type { Dialect } from "./dialects.js";

interface MenuInfo {
  readonly path: string;
  /** How many other kinds of objects this one needs first: a WireGuard peer its interface, a PPP secret its profile. */
  readonly depth: number;
  /** Made while preparing a peering (certificates, the friend's read-only account), not by the render. */
  readonly prepared?: boolean;
}

/** Every menu a peering writes, in creation order. */
const MENUS: readonly MenuInfo[] = [
  { path: "/certificate", depth: -1, prepared: true },
  { path: "/user/group", depth: -1, prepared: true },
  { path: "/user", depth: 0, prepared: true },
  { path: "/ppp/profile", depth: 0 },
  { path: "/ppp/secret", depth: 1 },
  { path: "/interface/ovpn-server/server", depth: 0 },
  { path: "/interface/ovpn-server", depth: 2 },
  { path: "/interface/ovpn-client", depth: 0 },
  { path: "/interface/wireguard", depth: 0 },
  { path: "/interface/wireguard/peers", depth: 1 },
  { path: "/ip/address", depth: 1 },
  // A route or mangle rule that names a table needs it first (RouterOS 7).
  { path: "/routing/table", depth: 0 },
  { path: "/ip/route", depth: 1 },
  { path: "/ip/firewall/filter", depth: 1 },
  { path: "/ip/firewall/mangle", depth: 1 },
  { path: "/ip/firewall/address-list", depth: 0 },
  { path: "/routing/bgp/network", depth: 0 },
  { path: "/routing/filter", depth: 0 },
  { path: "/routing/filter/rule", depth: 0 },
  { path: "/routing/bgp/instance", depth: 0 },
  { path: "/routing/bgp/peer", depth: 1 },
  { path: "/routing/bgp/connection", depth: 1 },
  // The endpoint script points at the objects above by their tags; its scheduler runs it by name.
  // The scheduler also keeps the record of the one OpenVPN server before 7.17 (names.ts ONE_SERVER_RECORD).
  { path: "/system/script", depth: 0 },
  { path: "/system/scheduler", depth: 1 },
];

const BY_PATH = new Map(MENUS.map((m, i) => [m.path, { ...m, rank: i }]));

function info(path: string) {
  const menu = BY_PATH.get(path);
  if (menu === undefined) throw new Error(`menus.ts does not know ${path}`);
  return menu;
}

/** Position in creation order: render sorts by it, removal runs it backwards. */
export function creationRank(path: string): number {
  return info(path).rank;
}

/** Dependency depth (see MENUS). */
export function dependencyDepth(path: string): number {
  return info(path).depth;
}

export const DEEPEST = Math.max(...MENUS.map((m) => m.depth));
export const SHALLOWEST = Math.min(...MENUS.map((m) => m.depth));

/** The menus a plan for a peering reads. */
export const PLANNED_MENUS: readonly string[] = MENUS.map((m) => m.path);

/** Removal order: the most dependent first. */
export const REMOVAL_ORDER: readonly string[] = [...PLANNED_MENUS].reverse();

/**
 * Menus whose objects the peering's preparation makes (certificates, the friend's read-only
 * account) rather than the render: a plan keeps them, and only the removal of the whole peering
 * (an empty render) removes them.
 */
export const PREPARED_MENUS: readonly string[] = MENUS.filter((m) => m.prepared).map((m) => m.path);

/**
 * Menus whose items act in the order they are listed, and the attribute that groups them: a routing
 * filter rule only matters relative to the rules of its own chain.
 */
export const ORDERED_MENUS: Readonly<Record<string, string>> = { "/routing/filter/rule": "chain", "/routing/filter": "chain", "/ip/firewall/filter": "chain", "/ip/firewall/mangle": "chain" };

/** Menus whose items can be put in front of another (`place-before`, `move`): undo puts a removed item back where it was. */
export const PLACEABLE_MENUS: readonly string[] = [...Object.keys(ORDERED_MENUS), "/interface/wireguard/peers"];

/** The menus a primary swap may touch: filters and sessions. */
export const POLICY_MENUS: readonly string[] = ["/routing/filter/rule", "/routing/filter", "/routing/bgp/connection", "/routing/bgp/peer"];

/** Where each dialect keeps what bgpals reads and writes, and what it calls the attributes. */
export interface DialectMenus {
  /** BGP session configuration: `/routing/bgp/connection` or `/routing/bgp/peer`. */
  readonly bgpSessions: string;
  /** Where a session's state is read: `/routing/bgp/session` or the peer itself. */
  readonly bgpSessionState: string;
  readonly filterRules: string;
  readonly networks: string;
  readonly attr: {
    readonly remoteAddress: string;
    readonly remoteAs: string;
    readonly inputFilter: string;
    readonly outputFilter: string;
    readonly localPref: string;
    readonly asPath: string;
  };
  /** A route that drops what it matches. */
  readonly blackhole: Readonly<Record<string, string>>;
  /** The route attribute that puts a route in a routing table: `routing-table` (7) or `routing-mark` (6). */
  readonly routeTable: string;
}

export function menusOf(d: Dialect): DialectMenus {
  const common: Pick<DialectMenus, "filterRules" | "networks" | "blackhole" | "routeTable"> = {
    routeTable: d.routingTables ? "routing-table" : "routing-mark",
    filterRules: d.filterRulesAreScript ? "/routing/filter/rule" : "/routing/filter",
    networks: d.networksFromAddressList ? "/ip/firewall/address-list" : "/routing/bgp/network",
    blackhole: d.blackholeFlag ? { blackhole: "yes" } : { type: "blackhole" },
  };
  const route = { localPref: routeAttr(d, "local-pref"), asPath: routeAttr(d, "as-path") };
  return d.bgpConnections
    ? { ...common, bgpSessions: "/routing/bgp/connection", bgpSessionState: "/routing/bgp/session", attr: { remoteAddress: "remote.address", remoteAs: "remote.as", inputFilter: "input.filter", outputFilter: "output.filter-chain", ...route } }
    : { ...common, bgpSessions: "/routing/bgp/peer", bgpSessionState: "/routing/bgp/peer", attr: { remoteAddress: "remote-address", remoteAs: "remote-as", inputFilter: "in-filter", outputFilter: "out-filter", ...route } };
}

/** `bgp.local-pref` (7) or `bgp-local-pref` (6). */
export function routeAttr(d: Pick<Dialect, "dottedRouteAttributes">, name: string): string {
  return d.dottedRouteAttributes ? `bgp.${name}` : `bgp-${name}`;
}
