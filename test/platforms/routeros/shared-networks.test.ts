// RouterOS 6 keeps one `/routing bgp network` per network, whatever the peering: two peerings on
// carol (6.49) announcing the same LAN share the entry; it stays while either needs it and goes
// with the last (issue 13, point 6).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { planPeering } from "../../../src/platforms/routeros/apply/plan.js";
import { render } from "../../../src/platforms/routeros/render/render.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { planScript } from "../../../src/platforms/routeros/render/script.js";
import { onCleanup } from "../../helpers.js";
import { exportOf, planAndApply, readyOn, targetOf } from "./apply-helpers.js";
import { s4With } from "./shared-helpers.js";

const SECRETS = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["carol"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

const networks = () => lab.router("carol").store.at("/routing/bgp/network").list();

describe("two peerings on RouterOS 6 announcing the same LAN", () => {
  const first = s4With("alice", 20);
  const second = s4With("dave", 30);
  const lan = first.sides.carol!.networks[0]!;

  for (const [leaving, staying] of [[first, second], [second, first]] as const) {
    it(`both apply; removing ${leaving.name} keeps the announcement for ${staying.name}; removing both restores carol`, async () => {
      const before = exportOf(lab, "carol");
      for (const peering of [first, second]) {
        const { result } = await planAndApply(lab, "carol", peering, { secrets: SECRETS });
        expect(result, peering.name).toMatchObject({ ok: true, verified: true });
      }
      expect(networks()).toEqual([expect.objectContaining({ network: lan, comment: `bgpals:${first.name},${second.name}:network-${lan}` })]);
      for (const peering of [first, second]) expect((await planAndApply(lab, "carol", peering, { secrets: SECRETS })).planned.plan.changes, `re-plan ${peering.name}`).toEqual([]);

      const gone = await planAndApply(lab, "carol", leaving, { remove: true });
      expect(gone.result).toMatchObject({ ok: true, verified: true });
      expect(networks()).toEqual([expect.objectContaining({ network: lan, comment: `bgpals:${staying.name}:network-${lan}` })]);
      expect((await planAndApply(lab, "carol", staying, { secrets: SECRETS })).planned.plan.changes).toEqual([]);

      expect((await planAndApply(lab, "carol", staying, { remove: true })).result).toMatchObject({ ok: true, verified: true });
      expect(networks()).toEqual([]);
      expect(exportOf(lab, "carol")).toBe(before);
    });
  }

  it("a fault while the second peering joins the shared entry is undone exactly", async () => {
    const before = exportOf(lab, "carol");
    await planAndApply(lab, "carol", first, { secrets: SECRETS });
    // Which write of the second peering's apply joins the entry: counted on a run that succeeds
    // (the friend's CA put on carol first, as accept does, so only the apply's writes count), then removed.
    const writes = () => lab.router("carol").requests.filter((r) => /\/(add|set|remove|unset|enable|disable|move|sign|import|export-certificate)$/.test(r.command) && !r.command.startsWith("/lab/"));
    const counted = await readyOn(lab, "carol", second);
    const seen = writes().length;
    expect((await planAndApply(lab, "carol", counted, { secrets: SECRETS })).result).toMatchObject({ ok: true });
    const at = writes().slice(seen).findIndex((r) => r.command === "/routing/bgp/network/set") + 1;
    expect(at, "the write that joins the shared entry").toBeGreaterThan(0);
    await planAndApply(lab, "carol", second, { remove: true });

    const joining = await readyOn(lab, "carol", second);
    const joined = exportOf(lab, "carol");
    lab.router("carol").failWrite(at, "trap");
    const { result } = await planAndApply(lab, "carol", joining, { secrets: SECRETS });
    lab.router("carol").writeFault = null;
    expect(result).toMatchObject({ ok: false, verified: true, message: expect.stringContaining("/routing/bgp/network") });
    expect(exportOf(lab, "carol")).toBe(joined);
    // Its CA goes with its removal, then the first peering's.
    await planAndApply(lab, "carol", second, { remove: true });
    await planAndApply(lab, "carol", first, { remove: true });
    expect(exportOf(lab, "carol")).toBe(before);
  });

  it("the plan as a script finds the shared entry by the tag it has now", async () => {
    onCleanup(() => planAndApply(lab, "carol", first, { remove: true }));
    await planAndApply(lab, "carol", first, { secrets: SECRETS });
    const router = await routerOs.connect(targetOf(lab, "carol"), "carol");
    onCleanup(() => router.close());
    onCleanup(() => planAndApply(lab, "carol", second, { remove: true }));
    const planned = await router.plan({ peering: await readyOn(lab, "carol", second), side: "carol", secrets: SECRETS });
    expect(planScript(planned.plan, second.name)).toContain(`/routing bgp network set [find comment=bgpals:${first.name}:network-${lan}] comment=bgpals:${first.name},${second.name}:network-${lan}\n`);
  });

  it("a shared entry one peering would change is a conflict, not a change made under the other", () => {
    const cmd = render(first, "carol").commands.find((c) => c.path === "/routing/bgp/network")!;
    const observed = { "/routing/bgp/network": [{ ".id": "*1", network: lan, synchronize: "no", comment: `bgpals:${second.name},${first.name}:network-${lan}` }] };
    const plan = planPeering(first.name, [cmd], observed);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts.map((c) => c.message)).toEqual([`/routing/bgp/network network=${lan} is shared with peering ${second.name} and RouterOS keeps only one, but this peering wants it changed (synchronize no → yes); make the peerings agree, then plan again`]);
  });

  it("a network the user announces already is a conflict naming it; nothing is written", async () => {
    const id = lab.router("carol").store.add("/routing/bgp/network", { network: lan, synchronize: "no" });
    // The friend's CA on carol first (as accept puts it there); it goes with the removal after.
    onCleanup(() => planAndApply(lab, "carol", first, { remove: true }));
    await readyOn(lab, "carol", first);
    const before = exportOf(lab, "carol");
    const { planned, result } = await planAndApply(lab, "carol", first, { secrets: SECRETS });
    expect(planned.plan.conflicts.map((c) => c.message)).toEqual([expect.stringMatching(new RegExp(`/routing/bgp/network already has network=${lan} \\(\\*[0-9A-F]+, no comment\\), which bgpals did not make`))]);
    expect(result.ok).toBe(false);
    expect(exportOf(lab, "carol")).toBe(before);
    lab.router("carol").store.remove("/routing/bgp/network", id);
  });
});
