// Home's live badges: each router reachable or not (and why), and each friend's peering up,
// degraded or down from what the routers report for its tunnels and sessions.
import type { Peering } from "../core/peering.js";
import { capabilities } from "../platforms/routeros/dialects.js";
import { RouterError } from "../platforms/routeros/api/errors.js";
import { statusOf, type RouterStatus } from "../platforms/routeros/peering-ops.js";
import type { RouterConnection } from "../store/workspace.js";

export type RouterHealth = "ok" | "unreachable" | "bad-credentials" | "unknown";
export type PeeringHealth = "up" | "degraded" | "down" | "unknown";

export interface ProbeTarget {
  name: string;
  /** Null when it cannot be probed without asking (no stored password). */
  connect: (() => Promise<RouterConnection>) | null;
}

export interface HomeHealth {
  routers: Record<string, RouterHealth>;
  peerings: Record<string, PeeringHealth>;
}

/** One look at every router; a router that does not answer costs at most its connect timeout. */
export async function probeHome(targets: readonly ProbeTarget[], peerings: readonly Peering[]): Promise<HomeHealth> {
  const statuses: RouterStatus[] = [];
  const routers: Record<string, RouterHealth> = {};
  await Promise.all(
    targets.map(async (target) => {
      if (target.connect === null) return void (routers[target.name] = "unknown");
      let connection: RouterConnection | null = null;
      try {
        connection = await target.connect();
        const [resource] = await connection.client.print("/system/resource", { proplist: ["version"] });
        const version = (resource?.version ?? "").split(" ")[0] ?? "";
        statuses.push(await statusOf(connection.client, capabilities(version)?.dialect === "v6"));
        routers[target.name] = "ok";
      } catch (e) {
        routers[target.name] = e instanceof RouterError && e.kind === "bad-credentials" ? "bad-credentials" : "unreachable";
      } finally {
        await connection?.client.close().catch(() => undefined);
      }
    }),
  );
  return { routers, peerings: Object.fromEntries(peerings.map((p) => [p.name, peeringHealth(p, statuses)])) };
}

/** All links up with established sessions: up; some: degraded; none: down; not seen anywhere: unknown. */
export function peeringHealth(peering: Peering, statuses: readonly RouterStatus[]): PeeringHealth {
  const sessions = statuses.flatMap((s) => s.sessions.filter((x) => x.peering === peering.name));
  const tunnels = statuses.flatMap((s) => s.tunnels.filter((x) => x.peering === peering.name));
  if (sessions.length === 0 && tunnels.length === 0) return "unknown";
  const healthy = peering.links.filter((l) => sessions.some((s) => s.link === l.name && s.state === "established" && !s.limitExceeded) && !tunnels.some((t) => t.link === l.name && t.state !== "up"));
  if (healthy.length === peering.links.length) return "up";
  return healthy.length > 0 ? "degraded" : "down";
}
