// Plans a peering on a connected router: discovery and every planned menu read together, the
// refusals checked (core/checks, with what the router holds), the render proven against the
// policy, then compared with what the router has.
import { checkPeering } from "../../core/checks.js";
import type { PlanRequest, RouterPlan } from "../platform.js";
import type { RouterClient } from "./api/client.js";
import { planPeering, withObserved, type RouterOsPlan } from "./apply/plan.js";
import { routerOsFeatures } from "./dialects.js";
import { discover, readDiscoveryRoutes } from "./discovery.js";
import { policyViolations } from "./filter/probes.js";
import { PLANNED_MENUS, POLICY_MENUS } from "./menus.js";
import { parseOwnershipTag } from "./names.js";
import { readObserved } from "./read.js";
import { render, RenderError, type Rendered } from "./render/render.js";

export interface RouterOsRouterPlan extends RouterPlan {
  plan: RouterOsPlan;
  rendered: Rendered | null;
}

export async function planOnRouter(client: RouterClient, request: PlanRequest): Promise<RouterOsRouterPlan> {
  const { peering, side } = request;
  // The routes that are not BGP's are read once, for discovery and for the plan: bgpals's own are
  // static, and a router may carry a million BGP routes from elsewhere that neither needs.
  const routes = readDiscoveryRoutes(client);
  routes.catch(() => undefined);
  const [inventory, menus, routeItems] = await Promise.all([discover(client, { routes }), readObserved(client, PLANNED_MENUS.filter((p) => p !== "/ip/route")), routes]);
  const observed = Object.fromEntries(PLANNED_MENUS.map((p) => [p, p === "/ip/route" ? routeItems.filter((r) => r.dynamic !== "true") : menus[p]!]));
  const version = inventory.version;
  if (request.remove) {
    return { version, rendered: null, refusals: [], plan: planPeering(peering.name, [], observed), otherChanges: 0 };
  }
  // Our own objects are not in the way of our own peering; other peerings' objects are.
  const otherTunnels = inventory.tunnelPrefixes.filter((t) => parseOwnershipTag(t.comment)?.peering !== peering.name && t.comment?.startsWith("bgpals:")).map((t) => t.prefix);
  const refusals = checkPeering({
    peering,
    side,
    featuresOf: routerOsFeatures,
    version,
    others: request.others,
    router: { interfaces: inventory.interfaces.map((i) => i.name), prefixesInUse: [...inventory.prefixesInUse, ...otherTunnels] },
  });
  let rendered: Rendered | null = null;
  if (refusals.length === 0) {
    try {
      rendered = render(peering, side, version, request.secrets);
      for (const v of policyViolations(peering, rendered)) refusals.push({ code: "filter-set", path: "policy", message: v });
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      refusals.push({ code: "version-gate", path: `sides.${side}.platform.version`, message: e.message });
    }
  }
  const full = rendered === null || refusals.length > 0 ? withObserved({ changes: [], conflicts: [] }, observed, peering.name) : planPeering(peering.name, rendered.commands, observed);
  if (request.scope !== "policy") return { version, rendered, refusals, plan: full, otherChanges: 0 };
  // A primary swap touches filters and sessions only; other drift is left to `bgpals apply`.
  const changes = full.changes.filter((c) => POLICY_MENUS.includes(c.path) && c.op === "set");
  return { version, rendered, refusals, plan: withObserved({ changes, conflicts: full.conflicts }, observed, peering.name), otherChanges: full.changes.length - changes.length };
}
