// What every part of a render shares: the peering seen from one side, the target dialect, the
// commands emitted so far and the notes for the operator.
import type { Link, Peering, Side } from "../../../core/peering.js";
import { UserError } from "../../../errors.js";
import type { Dialect } from "../dialects.js";
import { ownershipTag } from "../names.js";
import type { RouterCommand } from "../types.js";

export interface RenderSecrets {
  /** OpenVPN PPP password per link name. */
  pppPassword?: Record<string, string>;
  /** WireGuard preshared key per link name. */
  presharedKey?: Record<string, string>;
}

/** A peering this side cannot be rendered for: expected, its message says why. */
export class RenderError extends UserError {}

export interface Context {
  p: Peering;
  me: string;
  friend: string;
  mine: Side;
  theirs: Side;
  dialect: Dialect;
  /** The friend's dialect, when their version is one bgpals knows (both ends of a tunnel must agree). */
  friendDialect: Dialect | null;
  secrets: RenderSecrets;
  notes: string[];
  out: RouterCommand[];
}

export function emit(ctx: Context, path: string, role: string, attrs: Record<string, string>, extra: Partial<RouterCommand> = {}): void {
  const tagged = extra.singleton ? attrs : { ...attrs, comment: ownershipTag(ctx.p.name, role) };
  ctx.out.push({ path, verb: extra.singleton ? "set" : "add", attrs: tagged, role, ...extra });
}

export const isListener = (ctx: Context, link: Link) => link.listener === ctx.me;
export const myAddress = (ctx: Context, link: Link) => link.address[ctx.me]!;
export const friendAddress = (ctx: Context, link: Link) => link.address[ctx.friend]!;
export const myWan = (ctx: Context, link: Link) => ctx.mine.wans[link.wan[ctx.me]!]!;
export const friendWan = (ctx: Context, link: Link) => ctx.theirs.wans[link.wan[ctx.friend]!]!;
export const yesNo = (b: boolean) => (b ? "yes" : "no");

export function isPrimary(ctx: Context, link: Link): boolean {
  return link.name === ctx.p.policy.primary;
}
