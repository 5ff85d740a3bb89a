// One RouterOS command, as render makes it, plan compares it and apply sends it. Plain data.

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
  /**
   * An object RouterOS keeps one of per router, whatever the peering (a RouterOS 6
   * `/routing bgp network`): the attributes that make it unique. Peerings that need the same one
   * share it; its tag lists them all (names.ts sharedOwnershipTag).
   */
  shared?: string[];
  /** Why this command exists, in the domain's words (shown in plan review). */
  why?: string;
}
