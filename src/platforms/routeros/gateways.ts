// The gateway a route through each of our WANs names. A point-to-point WAN (PPPoE, LTE) is its own
// gateway; on an Ethernet or VLAN WAN a route naming the interface makes the router ARP for the
// destination itself, and nothing beyond that segment answers: it needs the ISP's router's address,
// which discovery reads from the default route or the DHCP lease.
import type { Refusal } from "../../core/checks.js";
import type { Peering } from "../../core/peering.js";
import type { Inventory } from "../platform.js";
import { isPointToPoint } from "./discovery.js";

/**
 * The peering with each of `side`'s WANs given the gateway its routes need (a gateway the file
 * names is kept), or the refusals of WANs that have none.
 */
export function withWanGateways(peering: Peering, side: string, inventory: Pick<Inventory, "wans" | "interfaces">): { peering: Peering; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const out: Peering = structuredClone(peering);
  const wans = out.sides[side]?.wans ?? {};
  for (const [name, wan] of Object.entries(wans)) {
    if (wan.gateway !== undefined) continue;
    const found = inventory.wans.find((w) => w.interface === wan.interface);
    const type = inventory.interfaces.find((i) => i.name === wan.interface)?.type;
    // An interface the router does not have is refused elsewhere (core/checks).
    if (type === undefined || isPointToPoint(type)) continue;
    const hop = found?.nextHop;
    if (hop === undefined) {
      refusals.push({
        code: "wan-missing",
        path: `sides.${side}.wans.${name}.gateway`,
        message: `WAN ${name} is ${wan.interface}, an Ethernet-like interface (${type}) with no default route or DHCP lease that names the ISP's router: a route through it needs that next hop's address; set it as sides.${side}.wans.${name}.gateway`,
      });
      continue;
    }
    // The same next hop behind two interfaces: name the interface too, or RouterOS picks one.
    const shared = inventory.wans.some((w) => w.interface !== wan.interface && w.nextHop === hop);
    wan.gateway = shared ? `${hop}%${wan.interface}` : hop;
  }
  return { peering: out, refusals };
}
