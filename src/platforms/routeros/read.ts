// Reading menus: a menu this version or board lacks reads as empty, not as an error.
import type { RouterClient, RouterItem } from "./api/client.js";
import { RouterError } from "../../errors.js";
import { PLANNED_MENUS, type Observed } from "./apply/plan.js";

export async function readMenu(client: RouterClient, path: string, proplist?: readonly string[]): Promise<RouterItem[]> {
  try {
    return await client.print(path, proplist ? { proplist } : {});
  } catch (e) {
    if (e instanceof RouterError && e.kind === "trap") return [];
    throw e;
  }
}

/** Every item of the menus a plan looks at (menus the version lacks read as empty). */
export async function readObserved(client: RouterClient, paths: readonly string[] = PLANNED_MENUS): Promise<Observed> {
  const lists = await Promise.all(paths.map((p) => readMenu(client, p)));
  return Object.fromEntries(paths.map((p, i) => [p, lists[i]!]));
}
