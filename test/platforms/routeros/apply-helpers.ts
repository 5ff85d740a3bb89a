// Plans and applies peerings on lab routers through the real client, as the CLI does.
import type { Lab } from "../../../src/lab/lab.js";
import { PERSONALITIES } from "../../../src/lab/personalities.js";
import type { Peering } from "../../../src/core/peering.js";
import type { ApplyResult, LinkSecrets, RouterPlan, RouterTarget } from "../../../src/platforms/platform.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";

const DNS = new Map(Object.values(PERSONALITIES).flatMap((p) => Object.entries(p().dns)));
export const labResolve = async (name: string) => {
  const address = DNS.get(name);
  if (address === undefined) throw new Error(`cannot resolve ${name}`);
  return address;
};

export function targetOf(lab: Lab, name: string): RouterTarget {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return { host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 3000 };
}

export async function planAndApply(
  lab: Lab,
  name: string,
  peering: Peering,
  options: { remove?: boolean; secrets?: LinkSecrets; pipeline?: boolean } = {},
): Promise<{ planned: RouterPlan; result: ApplyResult }> {
  const router = await routerOs.connect(targetOf(lab, name), name);
  try {
    // Lock first, then read, plan and write, as the commands do.
    return await router.exclusive({ command: options.remove ? "remove" : "apply", peering: peering.name }, async () => {
      const planned = await router.plan({ peering, side: name, secrets: options.secrets, remove: options.remove });
      if (planned.refusals.length > 0) throw new Error(`refused: ${planned.refusals.map((r) => r.message).join("; ")}`);
      const result = await router.apply(planned.plan, { resolve: labResolve, pipeline: options.pipeline });
      return { planned, result };
    });
  } finally {
    await router.close().catch(() => undefined);
  }
}

/** Menus where a router acts on items in the order it lists them: compared in order. */
const ORDERED = new Set(["/routing/filter/rule", "/routing/filter", "/ip/firewall/filter", "/ip/firewall/mangle", "/ip/firewall/nat", "/ip/firewall/raw", "/interface/wireguard/peers"]);

/**
 * A lab router's configuration without state, for before/after comparisons: ordered menus as the
 * router lists them, the others as sets (RouterOS lists an item re-created by an undo last).
 */
export function exportOf(lab: Lab, name: string): string {
  const config = JSON.parse(lab.router(name).exportConfig()) as Record<string, unknown>;
  for (const [path, items] of Object.entries(config)) {
    if (Array.isArray(items) && !ORDERED.has(path)) config[path] = items.map((i) => JSON.stringify(i)).sort().map((s) => JSON.parse(s) as unknown);
  }
  return JSON.stringify(config, null, 1);
}
