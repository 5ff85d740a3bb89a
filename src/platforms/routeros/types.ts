// Plain data shared by the core, the router layer and the lab. No I/O here.

/** RouterOS syntax family a render targets. */
export type Dialect = "v6" | "v7" | "v7.20";

/**
 * One RouterOS command as bgpals sends it over the API or prints it in a script.
 * `path` is the API menu path ("/routing/bgp/connection"); `attrs` use API attribute
 * names ("remote.as") with string values, exactly as sent on the wire.
 */
export interface RouterCommand {
  path: string;
  verb: "add" | "set";
  attrs: Record<string, string>;
  /** Ownership role, also carried in the comment tag `bgpals:<peering>:<role>` when the menu has comments. */
  role: string;
  /**
   * A menu with a single, untaggable item (e.g. the pre-7.17 OpenVPN server): `set` without an id.
   * The router layer must journal the previous values before changing it.
   */
  singleton?: boolean;
  /** Firewall rules that must sit above the existing ones (RouterOS appends by default). */
  placement?: "top";
  /** Attributes whose value is a DNS name the applier resolves to an address first (e.g. a pinned endpoint route). */
  resolve?: string[];
  /** Attributes holding a secret; printed masked and never logged. */
  secret?: string[];
  /**
   * Attributes this command decides even by leaving them out: on an existing item, a value the
   * command does not name is cleared (`unset`). RouterOS 6 filter rules carry their actions as
   * attributes (set-bgp-prepend), and a rule that should no longer prepend must lose it.
   */
  owns?: string[];
  /** Why this command exists, in the domain's words (shown in plan review). */
  why?: string;
}

/** A route as a routing filter sees it. */
export interface FilterRoute {
  /** Destination prefix in CIDR form, e.g. "192.168.42.0/24". */
  dst: string;
  /** Origin protocol: "bgp", "connected", "static", ... */
  protocol?: string;
  gateway?: string;
  distance?: number;
  /** BGP attributes, when the route is (or will be announced as) BGP. */
  bgp?: {
    asPath: number[];
    localPref?: number;
    med?: number;
    origin?: "igp" | "egp" | "incomplete";
    communities?: string[];
  };
}

/** Attributes a filter chain changed on a route. */
export interface FilterChanges {
  localPref?: number;
  /** Times our own AS is prepended on announcement. */
  prepend?: number;
  med?: number;
  distance?: number;
}

/** The rule that decided, as configured on the router. */
export interface DecidingRule {
  chain: string;
  /** Position of the rule within its chain, 0-based. */
  index: number;
  /** The rule as the router shows it (v7 `rule` text, or the v6 rule's attributes). */
  text: string;
  comment?: string;
}

/** Outcome of running one route through a filter chain. */
export interface FilterVerdict {
  action: "accept" | "reject";
  /** null when no rule decided and the chain's implicit end rejected the route. */
  decidedBy: DecidingRule | null;
  changes: FilterChanges;
  /** Human-readable steps, for "why was this prefix filtered?". */
  trace: string[];
}
