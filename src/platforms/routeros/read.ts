// Reading menus: a menu this version or board lacks reads as empty, not as an error.
import type { RouterClient, RouterItem } from "./api/client.js";
import { RouterError } from "../../errors.js";
import { PLANNED_MENUS, type Observed } from "./apply/plan.js";
import { LOCK_PATH, parseLockComment } from "./lock.js";

export async function readMenu(client: RouterClient, path: string, proplist?: readonly string[], query?: readonly string[]): Promise<RouterItem[]> {
  try {
    return await client.print(path, { ...(proplist ? { proplist } : {}), ...(query ? { query } : {}) });
  } catch (e) {
    if (e instanceof RouterError && e.kind === "trap") return [];
    throw e;
  }
}

/**
 * Items a router makes itself (`dynamic`), which bgpals never makes nor changes, are left out
 * where a menu can hold very many: a routing table may carry a million routes from elsewhere,
 * and bgpals's own routes are all static. `?-dynamic` (no such attribute) or `dynamic=false`.
 */
export const STATIC_ONLY = ["?-dynamic", "?dynamic=false", "?#|"];
const OBSERVED_QUERIES: Readonly<Record<string, readonly string[]>> = { "/ip/route": STATIC_ONLY };

/** The items of the menus a plan looks at (menus the version lacks read as empty); of /ip/route, the static routes only. */
export async function readObserved(client: RouterClient, paths: readonly string[] = PLANNED_MENUS): Promise<Observed> {
  const lists = await Promise.all(paths.map((p) => readMenu(client, p, undefined, OBSERVED_QUERIES[p])));
  // The router's lock sits among the scheduler items and changes with every run: no plan's business.
  const scheduler = paths.indexOf(LOCK_PATH);
  if (scheduler >= 0) lists[scheduler] = lists[scheduler]!.filter((i) => parseLockComment(i.comment) === null);
  return Object.fromEntries(paths.map((p, i) => [p, lists[i]!]));
}
