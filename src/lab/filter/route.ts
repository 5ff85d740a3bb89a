// The route a routing filter judges, and what the chain decided. Shared by the lab's RouterOS 7
// and RouterOS 6 readings; plain data.
import { readPrefix, type Prefix } from "../ipv4.js";

/** A route as it enters a filter chain. Attributes a route does not carry are left out. */
export interface FilterRoute {
  /** Destination prefix, e.g. "192.168.42.0/24". */
  dst: string;
  /** Where the route comes from: "bgp", "connected", "static", ... */
  protocol: string;
  /** The AS path as received (BGP routes), nearest AS first. */
  asPath?: readonly number[];
  /** Attributes a filter can also set. */
  localPref?: number;
  med?: number;
  distance?: number;
  /** How many times to prepend the router's own AS when announcing (output chains). */
  prepend?: number;
  /** The route is one of the networks BGP announces itself (RouterOS 7 `bgp-network`). */
  bgpNetwork?: boolean;
}

/** The writable numeric attributes, under the names both RouterOS generations read and set. */
export type Settable = "localPref" | "med" | "distance" | "prepend";

export interface Verdict {
  accepted: boolean;
  /** The route as the chain left it: what the rules set on the way is kept even when rejected. */
  route: FilterRoute;
  /** Which rule decided ("chain #2: reject;"), or that the chain ran out of rules. */
  by: string;
  /** Rules the lab could not read or follow (skipped), and jumps that went wrong. */
  notes: string[];
  /** RouterOS 6 `action=discard`: the route is forgotten, where a rejected one stays in memory, inactive. */
  discarded?: boolean;
}

/** The destination as a prefix; judgeV6/judgeV7 turn away routes without one before any rule runs. */
export function dstPrefix(route: FilterRoute): Prefix {
  const prefix = readPrefix(route.dst);
  if (prefix === null) throw new Error(`a route to ${route.dst} is not an IPv4 route`);
  return prefix;
}

/** The verdict on a route the lab cannot judge (it models IPv4 unicast only), or null. */
export function notIPv4(route: FilterRoute): Verdict | null {
  if (readPrefix(route.dst) !== null) return null;
  return { accepted: false, route, by: `${route.dst} is not an IPv4 prefix`, notes: ["the lab judges IPv4 routes only"] };
}

/** Nested jumps followed before the lab calls it a loop (RouterOS refuses loops it can see on add). */
export const MAX_JUMPS = 32;
