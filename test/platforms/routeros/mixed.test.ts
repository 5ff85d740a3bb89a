// A RouterOS router whose friend runs Linux with BIRD: planned, applied and removed on the lab,
// with each side checked by its own platform.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { featuresOfAnySide } from "../../../src/platforms/index.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { appliedOn } from "../../helpers.js";
import { linuxExample } from "../linux-bird/helpers.js";
import { labResolve, targetOf } from "./apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false });
});
afterAll(async () => lab.stop());

describe("RouterOS 7 with a Linux friend", () => {
  const peering = appliedOn(linuxExample("mixed"), "alice");

  it("plans, applies, re-plans empty and removes exactly, the friend checked as a Linux host", async () => {
    const before = lab.router("alice").exportConfig();
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice", { featuresOf: featuresOfAnySide });
    try {
      await router.exclusive({ command: "apply", peering: peering.name }, async () => {
        const planned = await router.plan({ peering, side: "alice" });
        expect(planned.refusals).toEqual([]);
        expect(planned.plan.changes.some((c) => c.path === "/interface/wireguard")).toBe(true);
        const result = await router.apply(planned.plan, { resolve: labResolve });
        expect(result).toMatchObject({ ok: true, verified: true });
        expect((await router.plan({ peering, side: "alice" })).plan.changes).toEqual([]);
        const removal = await router.plan({ peering, side: "alice", remove: true });
        expect((await router.apply(removal.plan, { resolve: labResolve })).ok).toBe(true);
      });
      expect(lab.router("alice").exportConfig()).toBe(before);
    } finally {
      await router.close();
    }
  });

  it("is refused when only RouterOS is asked about the friend (a router connected without the other platforms)", async () => {
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    try {
      const planned = await router.plan({ peering, side: "alice" });
      expect(planned.refusals).toEqual([{ code: "version-gate", path: "sides.remi.platform.bird", message: "linux is not RouterOS; upgrade remi's router" }]);
      expect(planned.plan.changes).toEqual([]);
    } finally {
      await router.close();
    }
  });
});
