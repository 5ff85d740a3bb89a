// The platforms bgpals speaks: the platform of a router by how it is reached, of a side by its
// `platform.os` in a peering file. Only the composition root (src/cli) picks one; flows and screens
// see the Platform it hands them.
import type { Features, SidePlatform } from "../core/features.js";
import { UserError } from "../errors.js";
import { linuxBird } from "./linux-bird/index.js";
import type { Platform, RouterTarget } from "./platform.js";
import { routerOs } from "./routeros/index.js";

export const PLATFORMS: readonly Platform[] = [routerOs, linuxBird];

/** A Linux host over SSH (`ssh://`) is linux-bird; every other target is a RouterOS API. */
export function platformForTarget(target: Partial<RouterTarget>): Platform {
  return target.transport === "ssh" ? linuxBird : routerOs;
}

export function platformForOs(os: string): Platform {
  const platform = PLATFORMS.find((p) => p.os === os);
  if (platform === undefined) throw new UserError(`no platform for "os": "${os}"; bgpals knows ${PLATFORMS.map((p) => `"${p.os}" (${p.name})`).join(" and ")}`);
  return platform;
}

/** What any side's platform offers, whichever platform it is (core/checks.ts takes one for both sides). */
export function featuresOfAnySide(platform: SidePlatform): Features | { unsupported: string } {
  const known = PLATFORMS.find((p) => p.os === platform.os);
  if (known === undefined) return { unsupported: `bgpals does not know the platform "${platform.os}" (it knows ${PLATFORMS.map((p) => p.os).join(", ")})` };
  return known.featuresOf(platform);
}
