// The link kinds a peering can use, one file each, in one registry: what each carries in a
// peering file, its defaults, what a side's router must offer, and what an offer proposes.
// A new kind is a file here plus its renderers in each platform.
import type { LinkKindSpec } from "./kind.js";
import { ovpn } from "./ovpn.js";
import { wireguard } from "./wireguard.js";

export type { LinkKind, LinkKindSpec, LinkProblem, PortPool } from "./kind.js";
export { portPool } from "./kind.js";

export const LINK_KINDS = { wireguard, ovpn } as const satisfies Record<string, LinkKindSpec>;

export type KnownLinkKind = keyof typeof LINK_KINDS;

export function linkKind(kind: KnownLinkKind): LinkKindSpec {
  return LINK_KINDS[kind];
}

export const LINK_KIND_NAMES = Object.keys(LINK_KINDS) as KnownLinkKind[];

export function isLinkKind(text: unknown): text is KnownLinkKind {
  return typeof text === "string" && Object.hasOwn(LINK_KINDS, text);
}
