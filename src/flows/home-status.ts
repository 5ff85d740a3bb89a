// Home's live badges: each router reachable or not (and why), and each friend's peering up,
// degraded or down from what the routers report for its tunnels and sessions.
import type { Peering } from "../core/peering.js";
import { TunnelLiveness } from "../core/tunnel-liveness.js";
import { RouterError } from "../errors.js";
import type { Router, RouterStatus } from "../platforms/platform.js";
import { identityName } from "../store/identity.js";
import { keptId } from "../store/mailbox.js";
import { peersOf, type Workspace } from "../store/workspace.js";
import { keptForHome } from "./kept.js";

// "checking": not looked at yet (Home's first look is on its way); "unknown": cannot be looked at
// (no password stored to probe with) or not seen on any router looked at.
export type RouterHealth = "ok" | "unreachable" | "bad-credentials" | "unknown" | "checking";
export type PeeringHealth = "up" | "degraded" | "down" | "unknown" | "checking";

export interface ProbeTarget {
  name: string;
  /** Null when it cannot be probed without asking (no stored password). */
  connect: (() => Promise<Router>) | null;
}

export interface HomeHealth {
  routers: Record<string, RouterHealth>;
  peerings: Record<string, PeeringHealth>;
}

/**
 * What Home's looks remember of each router's tunnels, to judge them as the monitor does: up while
 * the friend is heard, not only while the handshake is fresh. Kept by whoever probes again.
 */
export class HomeLiveness {
  readonly #routers = new Map<string, TunnelLiveness>();

  judge(router: string, status: RouterStatus): RouterStatus {
    let liveness = this.#routers.get(router);
    if (liveness === undefined) this.#routers.set(router, (liveness = new TunnelLiveness()));
    return { ...status, tunnels: liveness.judge(status.tunnels, status.sessions) };
  }
}

/** One look at every router; a router that does not answer costs at most its connect timeout. */
export async function probeHome(targets: readonly ProbeTarget[], peerings: readonly Peering[], liveness?: HomeLiveness): Promise<HomeHealth> {
  const statuses: RouterStatus[] = [];
  const routers: Record<string, RouterHealth> = {};
  await Promise.all(
    targets.map(async (target) => {
      if (target.connect === null) return void (routers[target.name] = "unknown");
      let router: Router | null = null;
      try {
        router = await target.connect();
        // Badges need tunnels and sessions only: no routes.
        const status = await router.status({ routes: false });
        statuses.push(liveness?.judge(target.name, status) ?? status);
        routers[target.name] = "ok";
      } catch (e) {
        routers[target.name] = e instanceof RouterError && e.kind === "bad-credentials" ? "bad-credentials" : "unreachable";
      } finally {
        await router?.close().catch(() => undefined);
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

/** Home's two lists with their badges. */
export interface HomeLists {
  routers: Array<{ name: string; host: string; status: RouterHealth }>;
  friends: Array<{ name: string; peering: string; status: PeeringHealth }>;
  /** The offers and answers this side sent, newest first (the outbox). */
  bundles: Array<{ id: string; friend: string; peering: string; kind: "offer" | "answer"; state: "waiting" | "answered" | "completed" | "cancelled" | "replaced" }>;
}

/** Where Home's lists come from (the screens' services fit). */
export interface HomeSources {
  workspace: Workspace;
  routers(): Array<{ name: string; label: string }>;
  needsPassword(router: string): boolean;
  connect(router: string): Promise<Router>;
}

/** Home's lists: routers from profiles, friends from the peers directory (the other side's name). */
export function homeOf(ws: Workspace, routers: Array<{ name: string; label: string }>, health?: HomeHealth): HomeLists {
  const me = identityName(ws.home);
  return {
    routers: routers.map((r) => ({ name: r.name, host: r.label, status: health?.routers[r.name] ?? "checking" })),
    friends: peersOf(ws).map((p) => {
      const names = Object.keys(p.sides);
      const friend = names.find((n) => n !== me) ?? names.join(" ↔ ");
      return { name: friend, peering: p.name, status: health?.peerings[p.name] ?? "checking" };
    }),
    bundles: keptForHome(ws).map((b) => ({ id: keptId(b), friend: b.friend, peering: b.peering, kind: b.kind, state: b.state })),
  };
}

/** Probes `only` these routers (default all) where that needs no password, and returns Home with the badges. */
export async function probedHome(services: HomeSources, only?: readonly string[], liveness?: HomeLiveness): Promise<HomeLists> {
  const routers = services.routers();
  const health = await probeHome(
    routers.filter((r) => only === undefined || only.includes(r.name)).map((r) => ({ name: r.name, connect: services.needsPassword(r.name) ? null : () => services.connect(r.name) })),
    peersOf(services.workspace),
    liveness,
  );
  return homeOf(services.workspace, routers, health);
}

