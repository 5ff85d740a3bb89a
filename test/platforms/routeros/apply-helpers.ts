// Plans and applies peerings on lab routers through the real client, as the CLI does.
import type { Lab } from "../../../src/lab/lab.js";
import { PERSONALITIES } from "../../../src/lab/personalities.js";
import type { Peering } from "../../../src/core/peering.js";
import type { RenderSecrets } from "../../../src/platforms/routeros/render/render.js";
import { applyPlan, type ApplyOptions, type ApplyResult } from "../../../src/platforms/routeros/apply/apply.js";
import { RouterClient, type RouterTarget } from "../../../src/platforms/routeros/api/client.js";
import { planOnRouter, type RouterPlan } from "../../../src/platforms/routeros/peering-ops.js";

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
  router: string,
  peering: Peering,
  options: { remove?: boolean; secrets?: RenderSecrets; pipeline?: boolean } = {},
): Promise<{ planned: RouterPlan; result: ApplyResult }> {
  const target = targetOf(lab, router);
  const client = await RouterClient.connect(target);
  try {
    const planned = await planOnRouter(client, { peering, side: router, secrets: options.secrets, remove: options.remove });
    if (planned.refusals.length > 0) throw new Error(`refused: ${planned.refusals.map((r) => r.message).join("; ")}`);
    const applyOptions: ApplyOptions = { peering: peering.name, observed: planned.observed, reconnect: () => RouterClient.connect(target), resolve: labResolve, pipeline: options.pipeline };
    const result = await applyPlan(client, planned.plan, applyOptions);
    return { planned, result };
  } finally {
    await client.close().catch(() => undefined);
  }
}
