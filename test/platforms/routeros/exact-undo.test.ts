// Undo is exact: a removal that fails at any write (tested at a write of each kind, at every write with BGPALS_FULL_FAULTS=1) is undone with the WireGuard private keys the
// interfaces had (the friend's side still matches), the read-only account with its password and
// group, and every rule where it was. Only a read-back that matches says "as it was before".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { stages } from "../../../src/platforms/routeros/apply/apply.js";
import type { RouterOsPlan } from "../../../src/platforms/routeros/apply/plan.js";
import type { ApplyResult, LinkSecrets } from "../../../src/platforms/platform.js";
import type { Peering } from "../../../src/core/peering.js";
import { faultPoints } from "../../fault-points.js";
import { example, exampleJson, mustParse } from "../../helpers.js";
import { exportOf, labResolve, planAndApply, targetOf } from "./apply-helpers.js";

const PPP = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };
const MONITOR_PASSWORD = "Mon1tor-password-of-carol";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

/** A removal through the real client, as `bgpals remove` runs it; an error (the lock's own write) comes back as one. */
async function removal(peering: Peering, secrets: LinkSecrets = {}, user?: { name: string; password: string }): Promise<ApplyResult | Error> {
  const target = { ...targetOf(lab, "alice"), ...(user ? { user: user.name, password: user.password } : {}) };
  const router = await routerOs.connect(target, "alice");
  try {
    return await router.exclusive({ command: "remove", peering: peering.name }, async () => {
      const planned = await router.plan({ peering, side: "alice", remove: true, secrets });
      return router.apply(planned.plan, { resolve: labResolve });
    });
  } catch (e) {
    return e as Error;
  } finally {
    await router.close();
  }
}

/**
 * A fault on the k-th write of the removal, for a write of each kind (test/fault-points.ts; every k
 * with BGPALS_FULL_FAULTS=1); each time the router must read back as before. Then a fault past the
 * last write, which the removal never meets: it goes through. How many writes the removal has.
 */
async function faultEachKind(peering: Peering, kind: "trap" | "drop", secrets: LinkSecrets, check: (k: number) => Promise<void>): Promise<number> {
  const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
  const changes = await router.plan({ peering, side: "alice", remove: true, secrets }).finally(() => router.close());
  const writes = changes.plan.changes.length + 1; // + the lock
  for (const k of faultPoints(["lock", ...changes.plan.changes.map((c) => c.path)], 1, writes)) {
    lab.router("alice").failWrite(k, kind);
    const outcome = await removal(peering, secrets);
    lab.router("alice").writeFault = null;
    if (outcome instanceof Error) {
      // The lock is the first write: nothing else was written.
      expect(k, outcome.message).toBe(1);
    } else {
      expect(outcome, `k=${k}`).toMatchObject({ ok: false, undoProblems: [], verified: true });
      if (!outcome.ok) expect(outcome.message, `k=${k}`).toMatch(/read back, the router is as it was before$/);
    }
    await check(k);
  }
  lab.router("alice").failWrite(writes + 1, kind);
  const through = await removal(peering, secrets);
  lab.router("alice").writeFault = null;
  expect(through, `a fault past the last write (${writes + 1})`).toMatchObject({ ok: true });
  return writes;
}

describe("undo of a failed removal is exact", () => {
  for (const kind of ["trap", "drop"] as const) {
    it(`S1 (WireGuard), a ${kind} at a write of each kind (every write with BGPALS_FULL_FAULTS=1): same private keys, every rule where it was`, async () => {
      const peering = example("s1");
      expect((await planAndApply(lab, "alice", peering)).result.ok).toBe(true);
      // A rule of someone else's between ours: positions are not just "the end".
      const client = await RouterClient.connect(targetOf(lab, "alice"));
      const middle = lab.router("alice").store.at("/routing/filter/rule").list().find((r) => r.comment === `bgpals:${peering.name}:in-isp1-default`)!;
      const theirs = await client.add("/routing/filter/rule", { chain: middle.chain!, rule: "if (dst == 10.99.0.0/16) { reject; }", "place-before": middle[".id"]! });
      const keys = new Map(lab.router("alice").privateKeys);
      const before = exportOf(lab, "alice");
      const writes = await faultEachKind(peering, kind, {}, async (k) => {
        // Ordered menus in the router's order, the rest as sets; public keys included.
        expect(exportOf(lab, "alice"), `k=${k}`).toBe(before);
        for (const name of ["wg-remi-isp1", "wg-remi-isp2"]) expect(lab.router("alice").privateKeys.get(name), `k=${k} ${name}`).toBe(keys.get(name));
      });
      expect(writes).toBeGreaterThan(30);
      // A drop closes every connection of the router, this one too.
      await client.close();
      const cleanup = await RouterClient.connect(targetOf(lab, "alice"));
      await cleanup.remove("/routing/filter/rule", theirs);
      await cleanup.close();
    }, 180_000);
  }

  it("S4 (OpenVPN) with the friend's read-only account: its password, its group, the PPP secrets", async () => {
    const peering = example("s4");
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    await router.grantMonitorAccount(peering.name, "carol", MONITOR_PASSWORD);
    await router.close();
    expect((await planAndApply(lab, "alice", peering, { secrets: PPP })).result.ok).toBe(true);
    // The peering's certificates are left out here: no undo gives a removed certificate back (the
    // removal takes them last, one at a time); this test is about the account and the PPP secrets.
    const { store } = lab.router("alice");
    store.at("/certificate").remove(store.at("/certificate").list().map((c) => c[".id"]!));
    store.at("/interface/ovpn-server/server").set(store.at("/interface/ovpn-server/server").list().map((c) => c[".id"]!), { certificate: "none" });
    const before = exportOf(lab, "alice");
    const login = async () => {
      const monitor = await RouterClient.connect({ ...targetOf(lab, "alice"), user: "bgpals-alice-carol-ro", password: MONITOR_PASSWORD });
      await monitor.close();
    };
    await login();
    const writes = await faultEachKind(peering, "trap", { monitorPassword: MONITOR_PASSWORD }, async (k) => {
      expect(exportOf(lab, "alice"), `k=${k}`).toBe(before);
      await login();
      expect(lab.router("alice").userPasswords.get("bgpals-alice-carol-ro"), `k=${k}`).toBe(MONITOR_PASSWORD);
    });
    expect(writes).toBeGreaterThan(10);
    // The removal went through in the end; the account is gone with it.
    expect(lab.router("alice").store.at("/user").find({ name: "bgpals-alice-carol-ro" })).toEqual([]);
  }, 180_000);
});

describe("what an undo cannot give back", () => {
  it("a private key the user may not read: its removal goes last, and a failure after it says the key is new", async () => {
    const peering = mustParse(exampleJson("s1"));
    expect((await planAndApply(lab, "alice", peering)).result.ok).toBe(true);
    const admin = await RouterClient.connect(targetOf(lab, "alice"));
    await admin.add("/user/group", { name: "blind", policy: "read,write,api,policy,test,!sensitive" });
    await admin.add("/user", { name: "operator", group: "blind", password: "operator-password" });
    const operator = { name: "operator", password: "operator-password" };

    const router = await routerOs.connect({ ...targetOf(lab, "alice"), user: operator.name, password: operator.password }, "alice");
    const plan = (await router.plan({ peering, side: "alice", remove: true })).plan as RouterOsPlan;
    await router.close();
    const lossy = plan.changes.filter((c) => c.reason.includes("removed last"));
    expect(lossy.map((c) => c.role)).toEqual(["tunnel-isp1", "tunnel-isp2"]);
    expect(lossy[0]!.reason).toMatch(/its private key cannot be read by this user .*comes back with a new key/);
    // Last, one at a time.
    expect(stages(plan.changes).slice(-2).map((s) => s.map((c) => c.role))).toEqual([["tunnel-isp1"], ["tunnel-isp2"]]);

    const before = exportOf(lab, "alice");
    const writes = plan.changes.length + 1;
    lab.router("alice").failWrite(writes, "trap");
    const outcome = await removal(peering, {}, operator);
    expect(outcome).toMatchObject({ ok: false, verified: false });
    const message = (outcome as ApplyResult & { message: string }).message;
    expect(message).toMatch(/wg-remi-isp1 came back with a new private key/);
    expect(message).not.toMatch(/as it was before$/);
    expect(message).toMatch(/read back: \/interface\/wireguard wg-remi-isp1: .*public-key was/);
    expect(exportOf(lab, "alice")).not.toBe(before);

    expect((await planAndApply(lab, "alice", peering, { remove: true })).result.ok).toBe(true);
    for (const [path, name] of [["/user", "operator"], ["/user/group", "blind"]] as const) await admin.remove(path, (await admin.print(path, { query: { name } }))[0]![".id"]!);
    await admin.close();
  });
});
