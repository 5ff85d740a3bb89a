// What changed between two looks at a router, in the words of the monitor's event log.
// Pure: a diff of two status snapshots, so a reconnect (same state seen again) yields no event.

export interface TunnelView {
  name: string;
  link: string;
  state: "up" | "down";
  /** Router time nothing was received, where that is why it is down (core/tunnel-liveness.ts). */
  silentFor?: string;
}

export interface SessionView {
  name: string;
  link: string;
  state: string;
  limitExceeded: boolean;
  lastError: string;
}

export interface RouteView {
  dst: string;
  gateway: string;
  active: boolean;
  localPref: number | null;
  link: string | null;
  asPath?: string;
}

export interface StatusView {
  tunnels: readonly TunnelView[];
  sessions: readonly SessionView[];
  routes: readonly RouteView[];
}

export type MonitorEvent =
  | { event: "tunnel-up"; tunnel: string; link: string }
  /** `silentFor`: down because nothing came from the friend that long, though the handshake is fresh. */
  | { event: "tunnel-down"; tunnel: string; link: string; silentFor?: string }
  | { event: "session-up"; session: string; link: string }
  | { event: "session-down"; session: string; link: string; error: string }
  | { event: "limit-exceeded"; session: string; link: string }
  | { event: "prefix-arrived"; prefix: string; gateway: string; link: string | null }
  | { event: "prefix-withdrawn"; prefix: string }
  | { event: "best-path-moved"; prefix: string; from: { gateway: string; link: string | null }; to: { gateway: string; link: string | null } };

function best(routes: readonly RouteView[]): Map<string, RouteView> {
  const out = new Map<string, RouteView>();
  for (const r of routes) if (r.active) out.set(r.dst, r);
  return out;
}

export function statusEvents(before: StatusView, after: StatusView): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  const tunnels = new Map(before.tunnels.map((t) => [t.name, t]));
  for (const t of after.tunnels) {
    const was = tunnels.get(t.name);
    if (was?.state === t.state || (was === undefined && t.state !== "up")) continue;
    if (t.state === "up") events.push({ event: "tunnel-up", tunnel: t.name, link: t.link });
    else events.push({ event: "tunnel-down", tunnel: t.name, link: t.link, ...(t.silentFor === undefined ? {} : { silentFor: t.silentFor }) });
  }
  const sessions = new Map(before.sessions.map((s) => [s.name, s]));
  for (const s of after.sessions) {
    const was = sessions.get(s.name);
    const up = s.state === "established";
    const wasUp = was?.state === "established";
    if (up && !wasUp) events.push({ event: "session-up", session: s.name, link: s.link });
    if (!up && wasUp) events.push({ event: "session-down", session: s.name, link: s.link, error: s.lastError });
    if (s.limitExceeded && !was?.limitExceeded) events.push({ event: "limit-exceeded", session: s.name, link: s.link });
  }
  const old = best(before.routes);
  const now = best(after.routes);
  for (const [dst, r] of now) {
    const was = old.get(dst);
    if (was === undefined) events.push({ event: "prefix-arrived", prefix: dst, gateway: r.gateway, link: r.link });
    else if (was.gateway !== r.gateway) events.push({ event: "best-path-moved", prefix: dst, from: { gateway: was.gateway, link: was.link }, to: { gateway: r.gateway, link: r.link } });
  }
  for (const dst of old.keys()) if (!now.has(dst)) events.push({ event: "prefix-withdrawn", prefix: dst });
  return events;
}
