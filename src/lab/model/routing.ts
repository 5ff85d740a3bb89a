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

/** The interface a packet to `dst` leaves through, or null when there is no usable route. */
export function egressInterface(router: RouterView, world: World, dst: string, running: ReadonlySet<string>, connected: readonly Connected[]): string | null {
  const target = parseAddress(dst);
  const direct = connected.filter((c) => addressInPrefix(target, c.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (direct !== undefined) return direct.interface;
  const candidates = router
    .items("/ip/route")
    .filter((r) => enabled(r) && r["dst-address"] !== undefined && (r["routing-table"] ?? "main") === "main")
    .map((r) => ({ r, prefix: parsePrefix(r["dst-address"]!) }))
    .filter(({ prefix }) => prefixWithin({ network: target, length: 32 }, prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length || Number(a.r.distance ?? 1) - Number(b.r.distance ?? 1));
  for (const { r } of candidates) {
    // The best usable route is a blackhole: the packet is dropped.
    if (isTrue(r.blackhole) || r.type === "blackhole") return null;
    const via = gatewayInterface(router, world, r.gateway ?? "", running, connected);
    if (via !== null) return via;
  }
  return null;
}

function gatewayInterface(router: RouterView, world: World, gateway: string, running: ReadonlySet<string>, connected: readonly Connected[]): string | null {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) {
    const hop = parseAddress(gateway);
    return connected.find((c) => addressInPrefix(hop, c.prefix))?.interface ?? null;
  }
  // An interface gateway (PPPoE) is usable while the interface is up.
  return interfaceNames(router).has(gateway) && interfaceUp(router, world, gateway, running) ? gateway : null;
}
