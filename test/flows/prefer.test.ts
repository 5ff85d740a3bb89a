// The prefer flows on lab routers, through the real client: swap on alice, the friend's bundle on
// remi, rollback on a failed write, and clearing a max-prefix trip on RouterOS 7 and 6.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, encodeBundle, publicIdentity, type Identity } from "../../src/core/bundle.js";
import type { Peering } from "../../src/core/peering.js";
import { clearLimitExceeded, observeMove, preferPrimary, readPreferBundle, type ObservedMove } from "../../src/flows/prefer.js";
import { Lab } from "../../src/lab/lab.js";
import type { ApplyEvent, Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { RouterClient } from "../../src/platforms/routeros/api/client.js";
import { example, mustParse, exampleJson, until } from "../helpers.js";
import { buildPeering } from "../lab/lab-helpers.js";
import { targetOf } from "../platforms/routeros/apply-helpers.js";
import type { Plan } from "../../src/core/plan.js";
import { planText } from "../../src/core/plan-view.js";
import { planScript } from "../../src/platforms/routeros/render/script.js";

const PPP = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };

const REMI_LAN = "192.168.42.0/24";
const ALICE_LAN = "192.168.0.0/24";

async function on<T>(lab: Lab, name: string, fn: (router: Router) => Promise<T>): Promise<T> {
  const router = await routerOs.connect(targetOf(lab, name), name);
  try {
    return await fn(router);
  } finally {
    await router.close();
  }
}

/** The router's menus as it prints them, through the client itself. */
async function raw<T>(lab: Lab, name: string, fn: (client: RouterClient) => Promise<T>): Promise<T> {
  const client = await RouterClient.connect(targetOf(lab, name));
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const activeRoute = async (lab: Lab, router: string, dst: string) => (await on(lab, router, (r) => r.bgpRoutes())).find((r) => r.dst === dst && r.active);
const routeVia = async (lab: Lab, router: string, dst: string, gateway: string) => (await on(lab, router, (r) => r.bgpRoutes())).find((r) => r.dst === dst && r.gateway === gateway);

describe("prefer on S1 (alice 7.24, remi 7.19.6)", () => {
  let lab: Lab;
  let peering: Peering;
  const alice = createIdentity("alice");
  const remi = createIdentity("remi");

  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
    peering = await buildPeering(lab, example("s1"));
    lab.tick();
    await until(async () => ((await activeRoute(lab, "alice", REMI_LAN))?.gateway === "172.16.10.2" ? true : undefined), "remi's prefix on isp1");
  });
  afterAll(async () => lab.stop());

  it("predicts, applies on every link, observes the move, and signs a bundle for remi", async () => {
    const events: string[] = [];
    const steps: ApplyEvent[] = [];
    const moves: ObservedMove[] = [];
    const result = await on(lab, "alice", (client) =>
      preferPrimary(client, {
        peering,
        side: "alice",
        primary: "isp2",
       
        identity: alice,
        friend: publicIdentity(remi),
        onPredicted: (prediction, plan) => {
          events.push("predicted");
          expect(prediction.prefixes).toEqual([expect.objectContaining({ prefix: REMI_LAN, moves: true, from: expect.objectContaining({ link: "isp1", localPref: 200 }), to: expect.objectContaining({ link: "isp2", localPref: 200 }) })]);
          // Local-pref in and prepend out, on both links.
          expect(plan.changes.map((c) => `${c.op} ${c.role}`).sort()).toEqual([
            "set in-isp1-allow-192.168.42.0/23",
            "set in-isp2-allow-192.168.42.0/23",
            "set out-isp1-net-192.168.0.0/24",
            "set out-isp2-net-192.168.0.0/24",
          ]);
        },
        onApplyStep: (e) => {
          if (events.at(-1) !== "apply") events.push("apply");
          steps.push(e);
        },
        onObserved: (m) => {
          if (events.at(-1) !== "observed") events.push("observed");
          moves.push(m);
        },
        observeMs: 10_000,
        pollMs: 50,
      }),
    );
    expect(result.status).toBe("applied");
    if (result.status !== "applied") return;
    expect(events).toEqual(["predicted", "apply", "observed"]);
    expect(steps.filter((s) => s.kind === "done")).toHaveLength(4);
    expect(result.applied).toBe(4);
    expect(result.otherChanges).toBe(0);
    expect(result.peering.policy.primary).toBe("isp2");
    expect(result.observation).toMatchObject({ settled: true, prefixes: [{ prefix: REMI_LAN, link: "isp2", localPref: 200, asPredicted: true }] });
    expect(moves.at(-1)).toMatchObject({ prefix: REMI_LAN, link: "isp2" });

    // alice's route to remi is active via isp2 with local-pref 200.
    expect(await activeRoute(lab, "alice", REMI_LAN)).toMatchObject({ gateway: "172.16.11.2", localPref: 200 });
    // remi now sees alice's prepend on isp1, and none on isp2 (what alice observed is her own side:
    // her new exports reach remi on the sessions' next updates, so his view is waited for)...
    await until(
      async () => (await routeVia(lab, "remi", ALICE_LAN, "172.16.11.1"))?.asPath === "64514" && (await routeVia(lab, "remi", ALICE_LAN, "172.16.10.1"))?.asPath === "64514,64514,64514,64514",
      "remi's routes with alice's prepend moved to isp1",
    );
    expect((await routeVia(lab, "remi", ALICE_LAN, "172.16.10.1"))?.asPath).toBe("64514,64514,64514,64514");
    expect((await routeVia(lab, "remi", ALICE_LAN, "172.16.11.1"))?.asPath).toBe("64514");
    // ...but still comes back over isp1: its own local-pref wins over the AS path.
    expect(await activeRoute(lab, "remi", ALICE_LAN)).toMatchObject({ gateway: "172.16.10.1", localPref: 200 });

    // remi applies alice's request: both sides agree on isp2.
    const seen = new Set<string>();
    const read = readPreferBundle({
      text: result.bundle!.text,
      identity: remi,
      now: Date.now(),
      seen,
      friendKey: (name) => (name === "alice" ? publicIdentity(alice) : null),
      peeringWith: (name) => (name === "alice" ? peering : null),
    });
    expect(read).toMatchObject({ ok: true, friend: "alice", side: "remi", primary: "isp2", fingerprint: result.bundle!.fingerprint });
    if (!read.ok) return;
    const back = await on(lab, "remi", (client) => preferPrimary(client, { peering: read.peering, side: read.side, primary: read.primary, observeMs: 10_000, pollMs: 50 }));
    expect(back).toMatchObject({ status: "applied", applied: 4, bundle: null, observation: { settled: true } });
    expect(await activeRoute(lab, "remi", ALICE_LAN)).toMatchObject({ gateway: "172.16.11.1", localPref: 200 });
    expect((await routeVia(lab, "alice", REMI_LAN, "172.16.10.2"))?.asPath).toBe("64513,64513,64513,64513");
    seen.add(read.bundle.nonce);

    // The same bundle again is a replay.
    const replay = readPreferBundle({ text: result.bundle!.text, identity: remi, now: Date.now(), seen, friendKey: () => publicIdentity(alice), peeringWith: () => peering });
    expect(replay).toMatchObject({ ok: false, reason: "replayed" });
  });

  it("undoes every write when one fails mid-apply", async () => {
    // The swap above settles in the lab's own time: start from remi's prefix active via isp2.
    await until(async () => ((await activeRoute(lab, "alice", REMI_LAN))?.gateway === "172.16.11.2" ? true : undefined), "remi's prefix on isp2");
    const before = lab.router("alice").exportConfig();
    lab.router("alice").failWrite(3, "trap");
    const result = await on(lab, "alice", (client) =>
      preferPrimary(client, { peering: { ...peering, policy: { ...peering.policy, primary: "isp2" } }, side: "alice", primary: "isp1", observeMs: 0 }),
    );
    expect(result).toMatchObject({ status: "failed", message: expect.stringMatching(/lab fault injected[\s\S]*the router is as it was before/) });
    expect(lab.router("alice").exportConfig()).toBe(before);
    // The writes made before the failure may have moved the path for a few lab ticks (a loaded
    // machine leaves time for that): undone, it comes back to isp2.
    await until(async () => ((await activeRoute(lab, "alice", REMI_LAN))?.gateway === "172.16.11.2" ? true : undefined), "remi's prefix back on isp2 after the rollback");
  });

  it("stops after the prediction when not confirmed, writing nothing", async () => {
    // The swap above settles in the lab's own time: start from remi's prefix active via isp2.
    await until(async () => ((await activeRoute(lab, "alice", REMI_LAN))?.gateway === "172.16.11.2" ? true : undefined), "remi's prefix on isp2");
    const before = lab.router("alice").exportConfig();
    const result = await on(lab, "alice", (client) => preferPrimary(client, { peering, side: "alice", primary: "isp1", confirm: () => false }));
    expect(result).toMatchObject({ status: "planned", prediction: { prefixes: [{ prefix: REMI_LAN, moves: true }] } });
    expect(lab.router("alice").exportConfig()).toBe(before);
  });

  it("clears a limit-exceeded session once the leak stops (RouterOS 7)", async () => {
    lab.leak("remi", 150);
    // While remi still leaks, a clear trips again at once.
    const again = await on(lab, "alice", (client) => clearLimitExceeded(client, { peering, side: "alice", link: "isp1", waitMs: 500 }));
    expect(again).toEqual({ status: "cleared", sessions: [{ session: "remi-isp1", link: "isp1", outcome: "tripped-again", lastError: expect.stringMatching(/max prefix limit/) }] });

    lab.leak("remi", 0);
    // Stopping the leak alone does not bring it back: the trip holds until a clear.
    lab.tick();
    expect(lab.dataplane.of("alice").sessions.filter((s) => s.limitExceeded).map((s) => s.name).sort()).toEqual(["remi-isp1", "remi-isp2"]);
    const cleared: string[] = [];
    const result = await on(lab, "alice", (client) => clearLimitExceeded(client, { peering, side: "alice", waitMs: 5000, onCleared: (s) => cleared.push(s.name) }));
    expect(cleared.sort()).toEqual(["remi-isp1", "remi-isp2"]);
    expect(result.status === "cleared" && result.sessions.map((s) => s.outcome)).toEqual(["established", "established"]);
    const nothing = await on(lab, "alice", (client) => clearLimitExceeded(client, { peering, side: "alice" }));
    expect(nothing.status).toBe("nothing-to-clear");
    await until(async () => ((await activeRoute(lab, "alice", REMI_LAN))?.gateway === "172.16.11.2" ? true : undefined), "remi's prefix back on isp2");
  });

  it("observeMove gives up at its time limit, saying what is not yet as predicted", async () => {
    await until(async () => ((await activeRoute(lab, "alice", REMI_LAN))?.gateway === "172.16.11.2" ? true : undefined), "remi's prefix on isp2");
    const prediction = { peering: peering.name, side: "alice", friend: "remi", primary: { before: "isp2", after: "isp1" }, unchanged: false, links: [], returnPath: "", prefixes: [{ prefix: REMI_LAN, from: null, to: { link: "isp1", gateway: "172.16.10.2", localPref: 200 }, moves: true }] };
    const o = await on(lab, "alice", (client) => observeMove(client, peering, prediction, { timeoutMs: 300, pollMs: 50 }));
    expect(o.settled).toBe(false);
    expect(o.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(o.prefixes).toEqual([expect.objectContaining({ prefix: REMI_LAN, link: "isp2", asPredicted: false })]);
  });
});

describe("readPreferBundle refusals", () => {
  const s1 = example("s1");
  const alice = createIdentity("alice");
  const remi = createIdentity("remi");
  const mallory = createIdentity("alice");
  const now = Date.now();
  const bundle = (from: Identity, body: Record<string, unknown>, to: Identity = remi, at = now) => encodeBundle({ identity: from, kind: "prefer", body, recipient: publicIdentity(to), now: at }).text;
  const read = (text: string, extra: Partial<Parameters<typeof readPreferBundle>[0]> = {}) =>
    readPreferBundle({ text, identity: remi, now, seen: new Set(), friendKey: (n) => (n === "alice" ? publicIdentity(alice) : null), peeringWith: (n) => (n === "alice" ? s1 : null), ...extra });
  const good = bundle(alice, { peering: "alice-remi", primary: "isp2" });

  it("accepts a good one", () => {
    expect(read(good)).toMatchObject({ ok: true, friend: "alice", side: "remi", primary: "isp2" });
  });
  it.each([
    ["tampered", good.slice(0, 50) + (good[50] === "A" ? "B" : "A") + good.slice(51), {}, "bad-signature"],
    ["truncated", good.slice(0, -7), {}, "truncated"],
    ["replayed", good, { seen: { has: () => true } }, "replayed"],
    ["expired", good, { now: now + 2 * 24 * 3600 * 1000 }, "expired"],
    ["signed by another key under alice's name", bundle(mallory, { peering: "alice-remi", primary: "isp2" }), {}, "wrong-sender"],
    ["from an unknown friend", bundle(createIdentity("bob"), { peering: "alice-remi", primary: "isp2" }), {}, "unknown-friend"],
    ["for someone else", bundle(alice, { peering: "alice-remi", primary: "isp2" }, createIdentity("carol")), {}, "not-for-me"],
    ["for an unknown peering", bundle(alice, { peering: "alice-bob", primary: "isp2" }), {}, "unknown-peering"],
    ["with no peering held", good, { peeringWith: () => null }, "unknown-peering"],
    ["for an unknown link", bundle(alice, { peering: "alice-remi", primary: "isp7" }), {}, "unknown-link"],
    ["without a link", bundle(alice, { peering: "alice-remi" }), {}, "malformed"],
    ["an offer, not a prefer request", encodeBundle({ identity: alice, kind: "offer", body: {}, now }).text, {}, "wrong-kind"],
  ] as const)("refuses one %s", (_what, text, extra, reason) => {
    const r = read(text, extra as never);
    expect(r).toMatchObject({ ok: false, reason });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(20);
  });
});

/** The OpenVPN certificates S4's preparation would have made (the CA fingerprint is the example's). */
function addS4Certificates(lab: Lab): void {
  // As offer and accept leave them: each side's CA signs its own certificate, and each trusts the
  // other's CA (carol pins alice's, the one the example names).
  const aliceCa = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
  const carolCa = "33".repeat(32);
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint: aliceCa, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-friend-ca", fingerprint: carolCa, trusted: "true" });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint: carolCa, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-friend-ca", fingerprint: aliceCa, trusted: "true" });
}

describe("prefer on RouterOS 6 (alice 7.24, carol 6.49.10)", () => {
  const CAROL_LAN = "192.168.88.0/24";
  const ISP1 = { alice: "172.16.20.1", carol: "172.16.20.2" };
  const ISP2 = { alice: "172.16.21.1", carol: "172.16.21.2" };
  let lab: Lab;
  let peering: Peering;
  let original = "";
  const withPrimary = (primary: string): Peering => ({ ...peering, policy: { ...peering.policy, primary } });
  /** carol's filter rules of this peering, by role, as the router prints them. */
  const carolRules = async () => {
    const items = await raw(lab, "carol", (c) => c.print("/routing/filter"));
    return new Map(items.map((i) => [i.comment?.replace("bgpals:alice-carol:", "") ?? "", i]));
  };
  const activeOn = (primary: "isp1" | "isp2") =>
    until(async () => ((await activeRoute(lab, "carol", ALICE_LAN))?.gateway === (primary === "isp1" ? ISP1 : ISP2).alice ? true : undefined), `alice's prefix on carol via ${primary}`);

  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 50, tls: false, ssh: false });
    addS4Certificates(lab);
    peering = await buildPeering(lab, example("s4"), PPP);
    lab.tick();
    await activeOn("isp1");
    original = lab.router("carol").exportConfig();
  });
  afterAll(async () => lab.stop());

  it("prefer isp2: local-pref in and prepend out swap, the old backup's prepend is cleared, the path moves", async () => {
    let planned: Plan | null = null;
    const result = await on(lab, "carol", (client) =>
      preferPrimary(client, {
        peering,
        side: "carol",
        primary: "isp2",
        onPredicted: (prediction, plan) => {
          planned = plan;
          expect(prediction.prefixes).toEqual([expect.objectContaining({ prefix: ALICE_LAN, moves: true, from: expect.objectContaining({ link: "isp1" }), to: expect.objectContaining({ link: "isp2", localPref: 200 }) })]);
        },
        observeMs: 10_000,
        pollMs: 50,
      }),
    );
    expect(result).toMatchObject({ status: "applied", applied: 4, otherChanges: 0, observation: { settled: true } });
    // What plan review shows: sets, and the cleared prepend in RouterOS console notation.
    const changes = planned!.changes.map((c) => ({ op: c.op, role: c.role, attrs: c.attrs, unset: c.unset }));
    expect(changes).toEqual([
      { op: "set", role: "in-isp1-allow-192.168.0.0/23", attrs: { "set-bgp-local-pref": "100" }, unset: undefined },
      { op: "set", role: "out-isp1-net-192.168.88.0/24", attrs: { "set-bgp-prepend": "3" }, unset: undefined },
      { op: "set", role: "in-isp2-allow-192.168.0.0/23", attrs: { "set-bgp-local-pref": "200" }, unset: undefined },
      { op: "set", role: "out-isp2-net-192.168.88.0/24", attrs: {}, unset: ["set-bgp-prepend"] },
    ]);
    const text = planText(planned!, "carol");
    expect(text).toMatch(/~ \*[0-9A-F]+ set-bgp-prepend=3\n {6}set-bgp-prepend \(unset\) → 3/);
    expect(text).toMatch(/~ \*[0-9A-F]+ !set-bgp-prepend\n {6}set-bgp-prepend 3 → \(unset\)/);
    expect(planScript(planned!, "alice-carol")).toContain(`/routing filter set [find comment=bgpals:alice-carol:out-isp2-net-${CAROL_LAN}] !set-bgp-prepend\n`);

    const rules = await carolRules();
    expect(rules.get("in-isp2-allow-192.168.0.0/23")?.["set-bgp-local-pref"]).toBe("200");
    expect(rules.get("in-isp1-allow-192.168.0.0/23")?.["set-bgp-local-pref"]).toBe("100");
    expect(rules.get(`out-isp1-net-${CAROL_LAN}`)?.["set-bgp-prepend"]).toBe("3");
    expect(rules.get(`out-isp2-net-${CAROL_LAN}`)).not.toHaveProperty("set-bgp-prepend");

    // carol reaches alice over isp2 now; alice sees carol's prepend on isp1 and none on isp2.
    expect(await activeRoute(lab, "carol", ALICE_LAN)).toMatchObject({ gateway: ISP2.alice, localPref: 200 });
    await until(async () => ((await routeVia(lab, "alice", CAROL_LAN, ISP1.carol))?.asPath === "64515,64515,64515,64515" ? true : undefined), "carol's prepend on isp1 at alice");
    expect((await routeVia(lab, "alice", CAROL_LAN, ISP2.carol))?.asPath).toBe("64515");

    // Nothing left to do: the plan for the new primary is empty.
    const again = await on(lab, "carol", (client) => client.plan({ peering: withPrimary("isp2"), side: "carol", secrets: PPP }));
    expect(again.plan.changes.filter((c) => c.path === "/routing/filter")).toEqual([]);
  });

  for (const kind of ["drop", "trap"] as const) {
    it(`a ${kind} on each single write of the swap back leaves carol as it was`, async () => {
      const before = lab.router("carol").exportConfig();
      // The lock, then one write per set and one per cleared attribute.
      const plan = (await on(lab, "carol", (client) => client.plan({ peering: withPrimary("isp1"), side: "carol", secrets: PPP }))).plan;
      const writes = 1 + plan.changes.filter((c) => c.path === "/routing/filter").reduce((n, c) => n + (Object.keys(c.attrs).length > 0 ? 1 : 0) + (c.unset?.length ?? 0), 0);
      expect(writes).toBe(5);
      for (let k = 1; k <= writes; k++) {
        lab.router("carol").failWrite(k, kind);
        const result = await on(lab, "carol", (client) => preferPrimary(client, { peering: withPrimary("isp2"), side: "carol", primary: "isp1", observeMs: 0 })).catch((e: Error) => e);
        if (k === 1) {
          // The lock: nothing written.
          expect(result, `k=${k}`).toBeInstanceOf(Error);
          expect((result as Error).message).toMatch(/^nothing written: could not take carol's lock/);
        } else {
          expect(result, `k=${k}`).toMatchObject({ status: "failed", undoProblems: [] });
          if (!(result instanceof Error) && result.status === "failed") expect(result.message).toMatch(/read back, the router is as it was before$/);
        }
        expect(lab.router("carol").exportConfig(), `k=${k}`).toBe(before);
      }
      lab.router("carol").writeFault = null;
    }, 60_000);
  }

  it("prefer isp1 returns everything: the router's export equals the original configuration", async () => {
    const result = await on(lab, "carol", (client) => preferPrimary(client, { peering: withPrimary("isp2"), side: "carol", primary: "isp1", observeMs: 10_000, pollMs: 50 }));
    expect(result).toMatchObject({ status: "applied", applied: 4, observation: { settled: true } });
    const rules = await carolRules();
    expect(rules.get(`out-isp1-net-${CAROL_LAN}`)).not.toHaveProperty("set-bgp-prepend");
    expect(rules.get(`out-isp2-net-${CAROL_LAN}`)?.["set-bgp-prepend"]).toBe("3");
    await activeOn("isp1");
    expect(lab.router("carol").exportConfig()).toBe(original);
    const again = await on(lab, "carol", (client) => client.plan({ peering, side: "carol", secrets: PPP }));
    expect(again.plan.changes.filter((c) => c.path === "/routing/filter")).toEqual([]);
  });
});

describe("clear on RouterOS 6 (carol 6.49.10)", () => {
  let lab: Lab;
  let peering: Peering;

  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 50, tls: false, ssh: false });
    // S4 with a cap of 5, and alice allowed to announce 10.200.0.0/16: a leak there counts on carol.
    const json = exampleJson("s4");
    json.sides.alice.allowed.push({ prefix: "10.200.0.0/16", maxLength: 24 });
    json.policy.maxPrefixes = 5;
    addS4Certificates(lab);
    peering = await buildPeering(lab, mustParse(json), { pppPassword: { isp1: "first-secret", isp2: "second-secret" } });
    lab.tick();
  });
  afterAll(async () => lab.stop());

  it("disables and enables the tripped peer, which comes back once the leak stops", async () => {
    await until(async () => ((await activeRoute(lab, "carol", ALICE_LAN)) ? true : undefined), "alice's prefix on carol");
    lab.leak("alice", 10);
    await until(async () => (lab.dataplane.of("carol").sessions.every((s) => s.limitExceeded) ? true : undefined), "carol's sessions tripped");
    const again = await on(lab, "carol", (client) => clearLimitExceeded(client, { peering, side: "carol", waitMs: 500 }));
    expect(again.status === "cleared" && again.sessions.map((s) => s.outcome)).toEqual(["tripped-again", "tripped-again"]);

    lab.leak("alice", 0);
    const result = await on(lab, "carol", (client) => clearLimitExceeded(client, { peering, side: "carol", link: "isp2", waitMs: 5000 }));
    expect(result).toEqual({ status: "cleared", sessions: [{ session: "alice-isp2", link: "isp2", outcome: "established", lastError: "" }] });
    // The peer is enabled again, and isp1 (not cleared) is still held down.
    const peers = await raw(lab, "carol", (c) => c.print("/routing/bgp/peer"));
    expect(peers.map((p) => [p.name, p.disabled, p.state])).toEqual([
      ["alice-isp1", "false", "idle"],
      ["alice-isp2", "false", "established"],
    ]);
  });
});
