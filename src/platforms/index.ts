// Which platform speaks to a router: the composition root (src/cli) asks here instead of naming one.
import { linuxBirdDiscoveryOnly } from "./linux-bird/discovery-only.js";
import type { Platform, RouterTarget } from "./platform.js";
import { routerOs } from "./routeros/index.js";

/** A Linux host over SSH (`ssh://`) is linux-bird; every other target is a RouterOS API. */
export function platformForTarget(target: Partial<RouterTarget>): Platform {
  return target.transport === "ssh" ? linuxBirdDiscoveryOnly : routerOs;
}
