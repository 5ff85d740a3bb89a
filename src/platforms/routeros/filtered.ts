// The routes a friend sent that an input filter rejected, as the router keeps them (RouterOS 7:
// /routing/route with filtered=true; /ip/route never lists them), each with the rule that did.
// A small capped read beside the route stream: a friend leaking a table could mean a million.
import type { FilteredRoute, FilteredRoutes } from "../platform.js";
import type { RouterClient, RouterTarget } from "./api/client.js";
import { streamPrint } from "./api/route-stream.js";
import type { Dialect } from "./dialects.js";
import { readFilters } from "./why.js";

const PROPLIST = [".id", "dst-address", "gateway", "bgp.as-path"];

/** `?gateway=` of each friend's tunnel address OR-ed, AND `?filtered=true`. */
export function filteredRouteQuery(addresses: readonly string[]): string[] {
  const gateways = [...new Set(addresses.map((a) => a.replace(/\/32$/, "")).filter((a) => a !== ""))];
  if (gateways.length === 0) return [];
  return [...gateways.map((g) => `?gateway=${g}`), ...(gateways.length > 1 ? [`?#${"|".repeat(gateways.length - 1)}`] : []), "?filtered=true", "?#&"];
}

export async function readFilteredRoutes(client: RouterClient, target: RouterTarget, dialect: Dialect, addresses: readonly string[], limit: number): Promise<FilteredRoutes> {
  const menu = dialect.filteredRoutesMenu;
  const query = filteredRouteQuery(addresses);
  if (menu === null || query.length === 0 || limit <= 0) return { routes: [], total: 0 };
  const total = await client.count(menu, { query });
  if (total === 0) return { routes: [], total };
  const rows: Array<Record<string, string>> = [];
  if (total <= limit) {
    rows.push(...(await client.print(menu, { query, proplist: PROPLIST })).slice(0, limit));
  } else {
    // Only the first `limit`: the rest stays on the router.
    const enough = new AbortController();
    await streamPrint(target, menu, {
      query,
      proplist: PROPLIST,
      signal: enough.signal,
      onBatch: (batch) => {
        for (let row = 0; row < batch.size && rows.length < limit; row++) {
          const item: Record<string, string> = {};
          for (const name of PROPLIST) item[name] = batch.value(row, batch.column(name)) ?? "";
          rows.push(item);
        }
        if (rows.length >= limit) enough.abort();
      },
    });
  }
  const filters = await readFilters(client, dialect);
  const routes: FilteredRoute[] = rows.map((r) => {
    const prefix = r["dst-address"] ?? "";
    const gateway = r.gateway ?? "";
    const asPath = r["bgp.as-path"] ?? "";
    const path = asPath === "" ? undefined : asPath.split(",").map(Number);
    const reason = filters.sessionsAt(gateway).map((session) => filters.reason(prefix, session, path)).find((x) => x !== null);
    return { id: r[".id"] ?? "", prefix, gateway, asPath, reason: reason ?? "rejected by an input filter" };
  });
  return { routes, total };
}
