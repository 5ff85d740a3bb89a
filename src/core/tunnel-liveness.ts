// Whether a WireGuard tunnel is alive, from a run of looks at its peer. A peer entry outlives the
// friend's end: when the friend removes the peering or their WAN goes, it keeps its last handshake,
// which may be fresh for three more minutes, and its counters. Alive is hearing from the friend:
// received bytes growing at least as often as something is bound to arrive. Time is the router's,
// read off the handshake's age (the same handshake between two looks, its age grew by the time
// between them), so a router whose clock runs fast (the lab's) is judged by its own clock.
import { durationMs, formatDuration } from "./duration.js";
import { WIREGUARD_KEEPALIVE } from "./links/wireguard.js";

export interface LivenessTunnel {
  name: string;
  peering: string;
  link: string;
  state: "up" | "down";
  /** The last handshake's age as the router prints it ("1m5s"); null or empty if none. */
  lastHandshake: string | null;
  rx: number;
  /** The peer's persistent-keepalive where this side sends them (the side that dials the friend). */
  keepalive?: string;
  /** Set here: router time nothing was received, where that is why the tunnel counts as down. */
  silentFor?: string;
}

export interface LivenessSession {
  peering: string;
  link: string;
  state: string;
  /** BGP's keepalive-time on this router. */
  keepaliveTime?: string;
}

/** WireGuard starts a new session every two minutes while packets flow (REKEY_AFTER_TIME). */
const REKEY_AFTER_S = 120;

const seconds = (duration: string | undefined): number | null => {
  const ms = durationMs(duration);
  return ms === null || ms <= 0 ? null : ms / 1000;
};

/**
 * Router seconds after which hearing nothing means the friend's end is gone: twice the longest a
 * live friend can stay silent. The listening side hears the friend's persistent keepalives (bgpals
 * dials with 25 s); both sides hear BGP's keepalives while the session is up. The dialling side
 * with no session hears only the answer to its handshake, two minutes and a keepalive apart.
 */
export function silenceLimit(tunnel: LivenessTunnel, session: LivenessSession | undefined): number {
  const wireguard = seconds(tunnel.keepalive) ?? seconds(WIREGUARD_KEEPALIVE)!;
  const bgp = session?.state === "established" ? (seconds(session.keepaliveTime) ?? undefined) : undefined;
  const heardEvery = tunnel.keepalive === undefined ? Math.min(wireguard, bgp ?? wireguard) : (bgp ?? REKEY_AFTER_S + wireguard);
  return 2 * heardEvery;
}

interface Heard {
  rx: number;
  /** The handshake's age at the last look, and at the look where rx last grew. */
  age: number;
  heardAt: number;
  /** Judged gone: stays so until something is received. */
  silent: boolean;
}

/**
 * The looks' memory, kept by whoever looks again (the watcher, Home): each look is judged against
 * the one before. A first look has nothing to compare with and keeps the router's word (a handshake
 * fresh enough).
 */
export class TunnelLiveness {
  readonly #heard = new Map<string, Heard>();

  /** The tunnels of one look, those whose friend has gone silent marked down, with `silentFor`. */
  judge<T extends LivenessTunnel>(tunnels: readonly T[], sessions: readonly LivenessSession[]): T[] {
    const seen = new Set<string>();
    const judged = tunnels.map((t) => {
      const age = t.lastHandshake ? durationMs(t.lastHandshake) : null;
      if (age === null) return t;
      const key = `${t.peering}\n${t.link}\n${t.name}`;
      seen.add(key);
      const now = age / 1000;
      const was = this.#heard.get(key);
      // rx grew (or started over: a reboot), or a new handshake, which is an answer received.
      if (was === undefined || t.rx !== was.rx || now < was.age) {
        this.#heard.set(key, { rx: t.rx, age: now, heardAt: now, silent: false });
        return t;
      }
      was.age = now;
      const silence = now - was.heardAt;
      if (!was.silent) was.silent = silence >= silenceLimit(t, sessions.find((s) => s.peering === t.peering && s.link === t.link));
      return was.silent ? { ...t, state: "down" as const, silentFor: formatDuration(silence * 1000) } : t;
    });
    for (const key of [...this.#heard.keys()]) if (!seen.has(key)) this.#heard.delete(key);
    return judged;
  }
}
