// Which interface a router sends a packet out of, from its addresses and routes.
import { addressInPrefix, parseAddress, parsePrefix, prefixWithin, type Prefix } from "../ipv4.js";
import { enabled, isTrue, type Item, type RouterView, type World } from "./types.js";

export interface Connected {
  interface: string;
  address: string;
  prefix: Prefix;
}

/** Interfaces a router has, whatever their menu. */
export function interfaceNames(router: RouterView): Set<string> {
  return new Set(router.items("/interface").map((i) => i.name ?? ""));
}

export function interfaceUp(router: RouterView, world: World, name: string, running: ReadonlySet<string>): boolean {
  if (world.wanDown.has(`${router.name}/${name}`)) return false;
  const iface = router.items("/interface").find((i) => i.name === name);
  if (iface !== undefined && !enabled(iface)) return false;
  // Tunnel interfaces run only while the tunnel is up; the rest run unless a fault cut them.
  return iface?.type === "wg" || iface?.type === "ovpn-out" || iface?.type === "ovpn-in" ? running.has(name) : true;
}

/** Addresses on interfaces that are up, as connected networks. */
export function connectedNetworks(router: RouterView, world: World, running: ReadonlySet<string>, extra: readonly Item[] = []): Connected[] {
  const out: Connected[] = [];
  for (const a of [...router.items("/ip/address"), ...extra]) {
    if (!enabled(a) || a.address === undefined || a.interface === undefined) continue;
    if (!interfaceUp(router, world, a.interface, running)) continue;
    const [ip] = a.address.split("/");
    // A point-to-point address (PPP) has network = the far end and a /32.
    const p = parsePrefix(a.address);
    const prefix = p.length === 32 && a.network && a.network !== ip ? parsePrefix(`${a.network}/32`) : p;
    out.push({ interface: a.interface, address: ip ?? "", prefix });
  }
  return out;
}

/**
 * Interface types that reach whatever is on the other end without asking for it by address: a
 * route may name them as its gateway. Everything else (ether, vlan, bridge, wlan...) is a shared
 * segment, where the router must ARP for the next hop.
 */
const POINT_TO_POINT = new Set(["pppoe-out", "pppoe-in", "ppp-out", "ppp-in", "lte", "wg", "ovpn-out", "ovpn-in", "l2tp-out", "l2tp-in", "sstp-out", "sstp-in", "pptp-out", "pptp-in", "gre-tunnel", "ipip-tunnel"]);

function isPointToPoint(router: RouterView, name: string): boolean {
  return POINT_TO_POINT.has(router.items("/interface").find((i) => i.name === name)?.type ?? "");
}

/** A route's gateway read as RouterOS reads it: `203.0.113.1`, `203.0.113.1%ether1` or `pppoe-out1`. */
export function parseGateway(gateway: string): { hop?: string; interface?: string } {
  const [hop, iface] = gateway.split("%");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(hop ?? "")) return iface === undefined ? { hop } : { hop, interface: iface };
  return { interface: gateway };
}

/** Which routing table a route belongs to: `routing-table` (7) or `routing-mark` (6); main when neither. */
export function tableOf(route: Item): string {
  return route["routing-table"] || route["routing-mark"] || "main";
}

export type Egress = { interface: string } | { interface: null; reason: string };

export interface Lookup {
  /** The routing table the packet is marked for (mangle `mark-routing`); main when absent. */
  table?: string;
  /** What the router hashes to choose among equal routes (ECMP): the destination port of the flow. */
  flow?: string;
}

/**
 * The interface a packet to `dst` leaves through, or why it cannot leave. Like RouterOS: the
 * longest prefix, then the lowest distance, among routes whose gateway is reachable; routes equal
 * on both share the traffic, each flow hashed to one of them (ECMP), so which one a flow takes is
 * not the caller's to choose. A marked packet looks in its table first, then in main.
 */
export function routeTo(router: RouterView, world: World, dst: string, running: ReadonlySet<string>, connected: readonly Connected[], lookup: Lookup = {}): Egress {
  const target = parseAddress(dst);
  const direct = connected.filter((c) => addressInPrefix(target, c.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
  const tables = lookup.table !== undefined && lookup.table !== "main" ? [lookup.table, "main"] : ["main"];
  for (const table of tables) {
    // Connected networks live in main.
    if (table === "main" && direct !== undefined) return { interface: direct.interface };
    const usable = router
      .items("/ip/route")
      .filter((r) => enabled(r) && r["dst-address"] !== undefined && tableOf(r) === table)
      .map((r) => ({ r, prefix: parsePrefix(r["dst-address"]!), via: isTrue(r.blackhole) || r.type === "blackhole" ? "blackhole" : gatewayInterface(router, world, r.gateway ?? "", running, connected) }))
      .filter(({ prefix, via }) => via !== null && prefixWithin({ network: target, length: 32 }, prefix))
      .sort((a, b) => b.prefix.length - a.prefix.length || Number(a.r.distance ?? 1) - Number(b.r.distance ?? 1));
    const best = usable[0];
    if (best === undefined) continue;
    const equal = usable.filter((u) => u.prefix.length === best.prefix.length && Number(u.r.distance ?? 1) === Number(best.r.distance ?? 1));
    const chosen = equal[flowHash(`${dst} ${lookup.flow ?? ""}`) % equal.length]!;
    // The best usable route is a blackhole: the packet is dropped.
    if (chosen.via === "blackhole") return { interface: null, reason: `a blackhole route drops what goes to ${dst}` };
    const { hop } = parseGateway(chosen.r.gateway ?? "");
    // An interface as the gateway of an Ethernet or VLAN: the router ARPs for the destination itself,
    // and nothing off that segment answers.
    if (hop === undefined && !isPointToPoint(router, chosen.via!)) {
      return { interface: null, reason: `no ARP answer for ${dst} on ${chosen.via}: the route names the interface, not the next hop` };
    }
    return { interface: chosen.via! };
  }
  return { interface: null, reason: `no route to ${dst}` };
}

/** The interface a gateway is reached through, or null while it is not (the route is inactive). */
function gatewayInterface(router: RouterView, world: World, gateway: string, running: ReadonlySet<string>, connected: readonly Connected[]): string | null {
  const { hop, interface: iface } = parseGateway(gateway);
  if (hop !== undefined) {
    const address = parseAddress(hop);
    return connected.find((c) => addressInPrefix(address, c.prefix) && (iface === undefined || c.interface === iface))?.interface ?? null;
  }
  // An interface gateway is usable (the route active) while the interface is up.
  return iface !== undefined && interfaceNames(router).has(iface) && interfaceUp(router, world, iface, running) ? iface : null;
}

/** A stable stand-in for the router's per-flow hash. */
function flowHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
