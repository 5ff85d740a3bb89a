// What the dataplane model reads from each simulated router, and what it derives.
// Plain data: the store feeds it, the model never touches sockets or the clock itself.

/** A configuration item as the API prints it: attribute → string value. */
export type Item = Readonly<Record<string, string>>;

/** Read access to one router's configuration, by API menu path. */
export interface RouterView {
  name: string;
  version: string;
  items(path: string): readonly Item[];
  /** Where a WireGuard peer sends: its endpoint-address, a DNS name resolved as the router did. */
  endpointAddress?(peer: Item): string | null;
}

/** The world the routers live in: DNS, which WANs are cut, the lab clock. */
export interface World {
  routers: readonly RouterView[];
  /** Endpoint names the lab resolves (vpn.alice.example → a WAN address). */
  dns: ReadonlyMap<string, string>;
  /** "router/interface" of every WAN taken down by a fault. */
  wanDown: ReadonlySet<string>;
  /** How many routes a router leaks on top of what its filters allow (fault injection; model/bulk.ts names them). */
  leaks: ReadonlyMap<string, number>;
  /** Prefixes a router announces on every session past its own output filters (a default route, a friend's own network...). */
  leakedPrefixes?: ReadonlyMap<string, readonly string[]>;
  /** Lab time in milliseconds. */
  now: number;
}

export const isTrue = (v: string | undefined) => v === "true" || v === "yes";
export const enabled = (item: Item) => !isTrue(item.disabled);
