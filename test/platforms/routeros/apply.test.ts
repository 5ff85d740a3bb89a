// Plan, apply, re-plan, remove against the lab; faults on every write leave the router as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { faultPoints } from "../../fault-points.js";
import { appliedOn, example } from "../../helpers.js";
import { planAndApply, readyOn, targetOf } from "./apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi", "carol"], tickMs: 0, tls: false });
});
afterAll(async () => lab.stop());

const SECRETS = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };

const CASES = [
  ["s1", "alice"],
  ["s1", "remi"],
  ["s3", "alice"],
  ["s3", "remi"],
  ["s4", "alice"],
  ["s4", "carol"],
  ["s7", "alice"],
  ["s7", "remi"],
] as const;

describe("plan / apply / re-plan / remove", () => {
  for (const [scenario, side] of CASES) {
    it(`${scenario} on ${side}: applies, re-plans empty, and removal restores the configuration exactly`, async () => {
      const before = lab.router(side).exportConfig();
      const peering = await readyOn(lab, side, example(scenario));
      const { planned, result } = await planAndApply(lab, side, peering, { secrets: SECRETS });
      expect(planned.plan.conflicts).toEqual([]);
      expect(planned.plan.changes.every((c) => c.op === "add" || (c.op === "set" && c.path === "/interface/ovpn-server/server"))).toBe(true);
      expect(result).toMatchObject({ ok: true, applied: planned.plan.changes.length });
      expect(lab.router(side).exportConfig()).not.toBe(before);

      const again = await planAndApply(lab, side, peering, { secrets: SECRETS });
      expect(again.planned.plan.changes).toEqual([]);

      const removal = await planAndApply(lab, side, peering, { remove: true });
      expect(removal.result.ok).toBe(true);
      expect(removal.planned.plan.changes.every((c) => c.op === "remove")).toBe(true);
      expect(lab.router(side).exportConfig()).toBe(before);
    });
  }
});

describe("all or nothing", () => {
  for (const kind of ["drop", "trap"] as const) {
    it(`a ${kind} on the k-th write of an S1 apply, for a write of each kind (every k with BGPALS_FULL_FAULTS=1), leaves alice as before`, async () => {
      const peering = appliedOn(example("s1"), "alice");
      const before = lab.router("alice").exportConfig();
      const router = await routerOs.connect(targetOf(lab, "alice"));
      const changes = (await router.plan({ peering, side: "alice" })).plan.changes;
      const writes = changes.length + 1; // + the lock
      await router.close();
      for (const k of faultPoints(["lock", ...changes.map((c) => c.path)], 1, writes)) {
        lab.router("alice").failWrite(k, kind);
        const outcome = await planAndApply(lab, "alice", peering).then(
          ({ result }) => result,
          (e: Error) => e,
        );
        if (k === 1) {
          // The lock itself: nothing is written, and a lock the router took before the drop is taken away.
          expect(outcome, `k=${k}`).toBeInstanceOf(Error);
          expect((outcome as Error).message).toMatch(/^nothing written: could not take alice's lock/);
        } else {
          expect(outcome, `k=${k}`).toMatchObject({ ok: false, undoProblems: [], verified: true });
          if (!(outcome instanceof Error) && !outcome.ok) expect(outcome.message).toMatch(/read back, the router is as it was before$/);
        }
        expect(lab.router("alice").exportConfig(), `k=${k}`).toBe(before);
      }
      lab.router("alice").writeFault = null;
    }, 120_000);
  }

  it("refuses to start while another apply holds the router, writing nothing", async () => {
    const client = await RouterClient.connect(targetOf(lab, "remi"));
    await client.add("/system/scheduler", { name: "bgpals-apply-lock", comment: `bgpals:lock:other-laptop pid 1 since ${new Date().toISOString()}`, disabled: "yes" });
    const before = lab.router("remi").exportConfig();
    await expect(planAndApply(lab, "remi", appliedOn(example("s1"), "remi"))).rejects.toThrow(/^remi is held by another bgpals run: apply by other-laptop pid 1, since .*; nothing written\nwait for it with --wait-lock/);
    expect(lab.router("remi").exportConfig()).toBe(before);
    const [lock] = await client.print("/system/scheduler", { query: { name: "bgpals-apply-lock" } });
    await client.remove("/system/scheduler", lock![".id"]!);
    await client.close();
  });

  it("refuses a name collision with an untagged object, naming it, writing nothing", async () => {
    const client = await RouterClient.connect(targetOf(lab, "remi"));
    const id = await client.add("/interface/wireguard", { name: "wg-alice-isp2", "listen-port": "51820" });
    const before = lab.router("remi").exportConfig();
    const { planned, result } = await planAndApply(lab, "remi", appliedOn(example("s1"), "remi"));
    expect(planned.plan.conflicts.map((c) => c.message)).toEqual([expect.stringMatching(/already has wg-alice-isp2 \(\*[0-9A-F]+, no comment\) without bgpals's tag/)]);
    expect(result.ok).toBe(false);
    expect(lab.router("remi").exportConfig()).toBe(before);
    await client.remove("/interface/wireguard", id);
    await client.close();
  });
});
