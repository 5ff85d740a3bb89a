// What a link kind's RouterOS renderer does (one per kind in ./index.ts).
import type { Link } from "../../../../core/peering.js";
import type { Context } from "../context.js";

export interface LinkRenderer {
  /** Once per side, before any link of this kind: what the links share (the OpenVPN server). */
  shared?(ctx: Context, links: readonly Link[]): void;
  /** The tunnel: interface, peer or account, and its address. */
  tunnel(ctx: Context, link: Link): void;
  /** Extra firewall rules the tunnel needs (WireGuard's MSS clamp; OpenVPN clamps in its PPP profile). */
  firewall?(ctx: Context, link: Link): void;
  /**
   * The endpoint script's line that points the tunnel at `$a`, the friend's endpoint name just
   * resolved on the router; none where the router resolves the name itself on each connection (OpenVPN).
   */
  endpointFollows?(ctx: Context, link: Link, tag: (role: string) => string): string;
}
