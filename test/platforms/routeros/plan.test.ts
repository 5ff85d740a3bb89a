import { describe, expect, it } from "vitest";
import { inverseOf, planPeering, type Observed } from "../../../src/platforms/routeros/apply/plan.js";
import { planGroups, planJson } from "../../../src/core/plan-view.js";
import { planScript } from "../../../src/platforms/routeros/render/script.js";
import { render } from "../../../src/platforms/routeros/render/render.js";
import { example } from "../../helpers.js";

/** What a router would print after running these commands: ids, and booleans as true/false. */
function applied(commands: ReturnType<typeof render>["commands"]): Record<string, Array<Record<string, string>>> {
  const out: Record<string, Array<Record<string, string>>> = {};
  let id = 0x20;
  for (const c of commands) {
    const attrs = Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, v === "yes" ? "true" : v === "no" ? "false" : v]));
    (out[c.path] ??= []).push({ ".id": `*${(id++).toString(16).toUpperCase()}`, ...attrs });
  }
  return out;
}

describe("plan", () => {
  const s1 = example("s1");
  const desired = render(s1, "alice").commands;

  it("adds everything on a router without the peering, in render order", () => {
    const plan = planPeering("alice-remi", desired, { "/interface/wireguard": [{ ".id": "*1", name: "wg-other", comment: "someone's" }] });
    expect(plan.conflicts).toEqual([]);
    expect(plan.changes.map((c) => c.op)).toEqual(desired.map(() => "add"));
    expect(plan.changes[0]).toMatchObject({ path: "/interface/wireguard", attrs: { name: "wg-remi-isp1" }, reason: "WireGuard tunnel to remi over isp1" });
  });

  it("is empty once applied (booleans printed as true/false count as equal)", () => {
    expect(planPeering("alice-remi", desired, applied(desired))).toEqual({ changes: [], conflicts: [] });
  });

  it("sets only what differs, saying what changes", () => {
    const observed = applied(desired);
    observed["/routing/bgp/connection"]![0]!["hold-time"] = "3m";
    const plan = planPeering("alice-remi", desired, observed);
    expect(plan.changes).toEqual([
      expect.objectContaining({ op: "set", path: "/routing/bgp/connection", attrs: { "hold-time": "30s" }, before: { "hold-time": "3m" }, reason: "hold-time 3m → 30s", role: "bgp-isp1" }),
    ]);
  });

  it("removes tagged objects no longer wanted, connections before what they use", () => {
    const plan = planPeering("alice-remi", [], applied(desired));
    expect(plan.changes.every((c) => c.op === "remove")).toBe(true);
    expect(plan.changes).toHaveLength(desired.length);
    const paths = plan.changes.map((c) => c.path);
    expect(paths.indexOf("/routing/bgp/connection")).toBeLessThan(paths.indexOf("/routing/filter/rule"));
    expect(paths.indexOf("/interface/wireguard/peers")).toBeLessThan(paths.indexOf("/interface/wireguard"));
  });

  it("never touches other peerings' objects or untagged ones, and refuses a name collision", () => {
    const observed: Observed = {
      "/interface/wireguard": [
        { ".id": "*5", name: "wg-remi-isp1", comment: "my old tunnel" },
        { ".id": "*6", name: "wg-bob-isp1", comment: "bgpals:alice-bob:tunnel-isp1" },
      ],
    };
    const plan = planPeering("alice-remi", desired, observed);
    expect(plan.conflicts).toEqual([
      {
        path: "/interface/wireguard",
        name: "wg-remi-isp1",
        id: "*5",
        message: expect.stringMatching(/already has wg-remi-isp1 \(\*5, comment "my old tunnel"\) without bgpals's tag bgpals:alice-remi:tunnel-isp1: bgpals never changes objects it did not create/),
      },
    ]);
    expect(plan.changes.some((c) => c.id === "*5" || c.id === "*6")).toBe(false);
  });

  it("sets the shared pre-7.17 OpenVPN server and keeps the old values for undo", () => {
    const want = render(example("s3"), "alice", "7.15.3").commands;
    const plan = planPeering("alice-remi-ovpn", want, { "/interface/ovpn-server/server": [{ enabled: "false", port: "1194", mode: "ip", netmask: "24", certificate: "none" }] });
    const server = plan.changes.find((c) => c.path === "/interface/ovpn-server/server")!;
    expect(server.op).toBe("set");
    expect(server.id).toBeUndefined();
    expect(server.before).toMatchObject({ enabled: "false", netmask: "24", certificate: "none" });
    expect(inverseOf(server).attrs).toEqual(server.before);
  });

  it("inverts add, set and remove", () => {
    const add = planPeering("alice-remi", desired, {}).changes[0]!;
    expect(inverseOf(add, undefined, "*99")).toMatchObject({ op: "remove", id: "*99", path: "/interface/wireguard" });
    const removed = { ".id": "*7", name: "wg-remi-isp1", "listen-port": "13231", "public-key": "abc=", running: "true", comment: "bgpals:alice-remi:tunnel-isp1" };
    expect(inverseOf({ op: "remove", path: "/interface/wireguard", attrs: {}, id: "*7", role: "tunnel-isp1", reason: "" }, removed).attrs).toEqual({
      name: "wg-remi-isp1",
      "listen-port": "13231",
      comment: "bgpals:alice-remi:tunnel-isp1",
    });
  });
});

describe("plan on RouterOS 6 filter rules (set-* actions are attributes of the rule)", () => {
  const s4 = example("s4");
  const swapped = { ...s4, policy: { ...s4.policy, primary: "isp2" } };
  const OUT_ISP1 = "out-isp1-net-192.168.88.0/24";
  const OUT_ISP2 = "out-isp2-net-192.168.88.0/24";

  it("clears the prepend the old backup's rule no longer names, and sets the new backup's", () => {
    const observed = applied(render(s4, "carol").commands);
    const plan = planPeering("alice-carol", render(swapped, "carol").commands, observed);
    const byRole = new Map(plan.changes.map((c) => [c.role, c]));
    expect(plan.changes.map((c) => c.role).sort()).toEqual(["in-isp1-allow-192.168.0.0/23", "in-isp2-allow-192.168.0.0/23", OUT_ISP1, OUT_ISP2]);
    expect(byRole.get(OUT_ISP2)).toMatchObject({ op: "set", attrs: {}, unset: ["set-bgp-prepend"], before: { "set-bgp-prepend": "3" }, reason: "set-bgp-prepend 3 → (unset)" });
    expect(byRole.get(OUT_ISP1)).toMatchObject({ op: "set", attrs: { "set-bgp-prepend": "3" }, before: { "set-bgp-prepend": "" }, reason: "set-bgp-prepend (unset) → 3" });
    expect(byRole.get(OUT_ISP1)!.unset).toBeUndefined();
  });

  it("undoes a clear by setting the old value, and a set of an absent attribute by clearing it again", () => {
    const plan = planPeering("alice-carol", render(swapped, "carol").commands, applied(render(s4, "carol").commands));
    const cleared = plan.changes.find((c) => c.role === OUT_ISP2)!;
    const added = plan.changes.find((c) => c.role === OUT_ISP1)!;
    expect(inverseOf(cleared)).toMatchObject({ op: "set", attrs: { "set-bgp-prepend": "3" }, id: cleared.id });
    expect(inverseOf(cleared).unset).toBeUndefined();
    expect(inverseOf(added)).toMatchObject({ op: "set", attrs: {}, unset: ["set-bgp-prepend"], id: added.id });
  });

  it("leaves an empty printed value alone, and never clears what a command does not own", () => {
    const desired = render(swapped, "carol").commands;
    const observed = applied(desired);
    observed["/routing/filter"]!.find((r) => r.comment === `bgpals:alice-carol:${OUT_ISP2}`)!["set-bgp-prepend"] = "";
    observed["/routing/bgp/peer"]![0]!["nexthop-choice"] = "force-self";
    expect(planPeering("alice-carol", desired, observed)).toEqual({ changes: [], conflicts: [] });
  });

  it("shows a clear as ~ with !name in plan review, JSON and the script", () => {
    const plan = planPeering("alice-carol", render(swapped, "carol").commands, applied(render(s4, "carol").commands));
    const cleared = plan.changes.find((c) => c.role === OUT_ISP2)!;
    const line = planGroups({ changes: [cleared], conflicts: [] })[0]!.lines[0]!;
    expect(line).toMatchObject({ sign: "~", text: `${cleared.id} !set-bgp-prepend`, reason: "set-bgp-prepend 3 → (unset)" });
    expect(planJson({ changes: [cleared], conflicts: [] }).changes).toEqual([expect.objectContaining({ op: "set", attrs: {}, unset: ["set-bgp-prepend"] })]);
    expect(planScript({ changes: [cleared], conflicts: [] }, "alice-carol")).toContain(`/routing filter set [find comment=bgpals:alice-carol:${OUT_ISP2}] !set-bgp-prepend\n`);
  });
});
