// How RouterOS builds each link kind (core/links/): one renderer per kind.
import type { KnownLinkKind } from "../../../../core/links/index.js";
import type { LinkRenderer } from "./renderer.js";
import { ovpnRenderer } from "./ovpn.js";
import { wireguardRenderer } from "./wireguard.js";

export type { LinkRenderer };

export const LINK_RENDERERS: Record<KnownLinkKind, LinkRenderer> = { wireguard: wireguardRenderer, ovpn: ovpnRenderer };
