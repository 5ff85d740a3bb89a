// A friend removes the peering: their end of the WireGuard tunnel goes, ours stays with its last
// handshake ageing (fresh for three more minutes) and its counters, as on RouterOS. The watcher
// (the monitor, status --watch) and Home must say the tunnel is down once nothing is heard for two
// keepalive periods of the router's time, not three minutes later. The lab's clock moves only when
// the test moves it, a few seconds a step, and each step waits for the watcher to look again.
import { afterEach, describe, expect, it } from "vitest";
import type { Peering } from "../../src/core/peering.js";
import { durationMs } from "../../src/core/duration.js";
import { HomeLiveness, probeHome } from "../../src/flows/home-status.js";
import { watchRouter, type WatchEvent } from "../../src/flows/watch.js";
import { Lab } from "../../src/lab/lab.js";
import type { RouterStatus, TunnelStatus } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { example, until } from "../helpers.js";
import { buildPeering } from "../lab/lab-helpers.js";
import { planAndApply, targetOf } from "../platforms/routeros/apply-helpers.js";

// bgpals dials with a 25 s persistent keepalive (core/links/wireguard.ts).
const KEEPALIVE_MS = 25_000;
// What a handshake alone allows: three minutes (REJECT_AFTER_TIME).
const HANDSHAKE_FRESH_MS = 180_000;
const STEP_MS = 5_000;

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

// RouterOS's own BGP timers: the session outlives the friend by three minutes, so only the tunnel can tell.
const ROUTEROS_TIMERS = { hold: "3m", keepalive: "1m" };

/** S1 on two lab routers whose clock stands still between steps; alice listens, remi dials. */
async function s1(timers?: Peering["policy"]["timers"]): Promise<{ l: Lab; peering: Peering }> {
  const l = (lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, clockFactor: 0, tls: false, ssh: false }));
  const wanted = example("s1");
  if (timers !== undefined) wanted.policy.timers = timers;
  const peering = await buildPeering(l, wanted);
  l.tick();
  return { l, peering };
}

/** Watches `router` (tunnels and sessions); `look()` moves the lab clock a step and returns the next look after it. */
function watch(l: Lab, router: string) {
  const controller = new AbortController();
  const events: WatchEvent[] = [];
  const looks: RouterStatus[] = [];
  const watching = watchRouter({
    connect: () => routerOs.connect(targetOf(l, router), router),
    signal: controller.signal,
    pollMs: 20,
    routes: false,
    onEvent: (e) => events.push(e),
    onStatus: (s) => looks.push(s),
  });
  return {
    events,
    async look(stepMs = STEP_MS): Promise<RouterStatus> {
      l.advance(stepMs);
      // The look under way may have read before the step: the one after it.
      const after = looks.length + 2;
      return until(() => looks.length >= after && looks[looks.length - 1], `${router}'s watcher to look again`);
    },
    async stop() {
      controller.abort();
      await watching;
    },
  };
}

const isp1 = (s: RouterStatus): TunnelStatus => s.tunnels.find((t) => t.link === "isp1")!;

/** Steps until `router`'s isp1 tunnel is down; the lab time that took, and that look. */
async function stepUntilDown(l: Lab, watcher: ReturnType<typeof watch>): Promise<{ tookMs: number; down: TunnelStatus }> {
  const from = l.now();
  for (;;) {
    const tunnel = isp1(await watcher.look());
    if (tunnel.state === "down") return { tookMs: l.now() - from, down: tunnel };
    if (l.now() - from > HANDSHAKE_FRESH_MS + STEP_MS) throw new Error(`isp1 still up ${(l.now() - from) / 1000} s of lab time after the friend removed the peering`);
  }
}

describe("the friend removes the peering", () => {
  it("the listening side's watcher says isp1 down within two keepalive periods, its handshake still fresh, its session not yet down", async () => {
    const { l, peering } = await s1(ROUTEROS_TIMERS);
    const alice = watch(l, "alice");
    try {
      for (let i = 0; i < 3; i++) expect(isp1(await alice.look())).toMatchObject({ state: "up" });
      expect((await planAndApply(l, "remi", peering, { remove: true })).result).toMatchObject({ ok: true, verified: true });

      const { tookMs, down } = await stepUntilDown(l, alice);
      expect(tookMs).toBeLessThanOrEqual(2 * KEEPALIVE_MS + STEP_MS);
      // The router still holds a handshake fresh enough by its age alone: that was not proof of life.
      expect(durationMs(down.lastHandshake ?? "")).toBeLessThan(HANDSHAKE_FRESH_MS);
      expect(down.silentFor).toMatch(/^\d+s$/);
      const last = await alice.look(0);
      expect(last.sessions.find((x) => x.link === "isp1")).toMatchObject({ state: "established" });
      expect(alice.events).toContainEqual(expect.objectContaining({ event: "tunnel-down", link: "isp1", silentFor: down.silentFor }));
    } finally {
      await alice.stop();
    }
  }, 60_000);

  // With bgpals's timers (BGP keepalives every 10 s): the dialling side hears only those from the friend.
  it("the dialling side's watcher too, though it keeps sending keepalives", async () => {
    const { l, peering } = await s1();
    const remi = watch(l, "remi");
    try {
      for (let i = 0; i < 3; i++) expect(isp1(await remi.look())).toMatchObject({ state: "up" });
      const before = isp1(await remi.look());
      expect((await planAndApply(l, "alice", peering, { remove: true })).result).toMatchObject({ ok: true, verified: true });

      const { tookMs, down } = await stepUntilDown(l, remi);
      expect(tookMs).toBeLessThanOrEqual(2 * KEEPALIVE_MS + STEP_MS);
      expect(durationMs(down.lastHandshake ?? "")).toBeLessThan(HANDSHAKE_FRESH_MS);
      expect(down.tx).toBeGreaterThan(before.tx);
      // It stays down while nothing comes, after BGP's hold timer too.
      for (let i = 0; i < 8; i++) expect(isp1(await remi.look())).toMatchObject({ state: "down" });
    } finally {
      await remi.stop();
    }
  }, 60_000);

  it("Home's badge, looking again, says down too while the session still holds; a single look could not", async () => {
    const { l, peering } = await s1(ROUTEROS_TIMERS);
    const target = [{ name: "alice", connect: () => routerOs.connect(targetOf(l, "alice"), "alice") }];
    const liveness = new HomeLiveness();
    expect((await probeHome(target, [peering], liveness)).peerings).toEqual({ [peering.name]: "up" });
    expect((await planAndApply(l, "remi", peering, { remove: true })).result).toMatchObject({ ok: true, verified: true });
    let badge = "up";
    let waited = 0;
    // Home looks every 30 s; here every step, until the badge turns.
    while (badge === "up" && waited <= HANDSHAKE_FRESH_MS) {
      l.advance(STEP_MS);
      waited += STEP_MS;
      badge = (await probeHome(target, [peering], liveness)).peerings[peering.name]!;
    }
    expect(badge).toBe("down");
    expect(waited).toBeLessThanOrEqual(2 * KEEPALIVE_MS + STEP_MS);
    // One look alone sees a fresh handshake and nothing to compare with.
    const single = await routerOs.connect(targetOf(l, "alice"), "alice");
    try {
      expect(isp1(await single.status({ routes: false }))).toMatchObject({ state: "up" });
    } finally {
      await single.close();
    }
  }, 60_000);
});
