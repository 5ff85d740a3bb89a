// The primary/backup toggle's pure core: the swap, the predicted move, the request check.
import { describe, expect, it } from "vitest";
import { checkPreferRequest, describePrediction, linkChanges, predictPrefer, preferProblem, swapPrimary, type ObservedRoute } from "../../src/core/prefer.js";
import { render } from "../../src/platforms/routeros/render/render.js";
import { example } from "../helpers.js";

const REMI_LAN = "192.168.42.0/24";
const VIA_ISP1 = "172.16.10.2";
const VIA_ISP2 = "172.16.11.2";

// What alice's /ip/route shows in S1 with isp1 primary: both paths, isp1 active.
const S1_ROUTES: ObservedRoute[] = [
  { dst: REMI_LAN, gateway: VIA_ISP1, active: true, localPref: 200, asPath: "64513" },
  { dst: REMI_LAN, gateway: VIA_ISP2, active: false, localPref: 100, asPath: "64513,64513,64513,64513" },
];

describe("predictPrefer", () => {
  const s1 = example("s1");

  it("moves remi's prefix from isp1 to isp2 with local-pref 200, and swaps both links' policy", () => {
    const p = predictPrefer(s1, "alice", "isp2", S1_ROUTES);
    expect(p).toMatchObject({ peering: "alice-remi", side: "alice", friend: "remi", primary: { before: "isp1", after: "isp2" }, unchanged: false });
    expect(p.prefixes).toEqual([
      { prefix: REMI_LAN, from: { link: "isp1", gateway: VIA_ISP1, localPref: 200 }, to: { link: "isp2", gateway: VIA_ISP2, localPref: 200 }, moves: true },
    ]);
    expect(p.links).toEqual([
      { link: "isp1", role: { before: "primary", after: "backup" }, localPref: { before: 200, after: 100 }, prepend: { before: 0, after: 3 } },
      { link: "isp2", role: { before: "backup", after: "primary" }, localPref: { before: 100, after: 200 }, prepend: { before: 3, after: 0 } },
    ]);
  });

  it("says the way back is the friend's choice", () => {
    const p = predictPrefer(s1, "alice", "isp2", S1_ROUTES);
    expect(p.returnPath).toMatch(/never sent to remi/);
    expect(p.returnPath).toMatch(/The way back \(remi → alice\) is remi's choice/);
    expect(p.returnPath).toMatch(/prepend on isp1 only suggests isp2/);
    expect(p.returnPath).toMatch(/prefer bundle/);
  });

  it("predicts no move when the link already is the primary", () => {
    const p = predictPrefer(s1, "alice", "isp1", S1_ROUTES);
    expect(p.unchanged).toBe(true);
    expect(p.prefixes[0]).toMatchObject({ moves: false, to: { link: "isp1", localPref: 200 } });
    expect(p.links.every((c) => c.localPref.before === c.localPref.after && c.prepend.before === c.prepend.after)).toBe(true);
  });

  it("keeps the prefix on the old primary while the new one carries no route, and says why", () => {
    const p = predictPrefer(s1, "alice", "isp2", [S1_ROUTES[0]!]);
    expect(p.prefixes[0]).toMatchObject({ moves: false, to: { link: "isp1", localPref: 100 } });
    expect(p.prefixes[0]!.note).toMatch(/over isp1 only right now/);
  });

  it("lists a friend network with no route at all", () => {
    const p = predictPrefer(s1, "alice", "isp2", []);
    expect(p.prefixes).toEqual([{ prefix: REMI_LAN, from: null, to: null, moves: false, note: expect.stringMatching(/no route to 192.168.42.0\/24 now/) }]);
  });

  it("leaves alone a friend prefix reached another way, and ignores prefixes outside the friend's space", () => {
    const routes: ObservedRoute[] = [
      ...S1_ROUTES.map((r) => ({ ...r, active: false })),
      { dst: REMI_LAN, gateway: "10.9.9.9", active: true, localPref: null },
      { dst: "10.200.0.0/24", gateway: VIA_ISP1, active: true, localPref: 200 },
    ];
    const p = predictPrefer(s1, "alice", "isp2", routes);
    expect(p.prefixes).toHaveLength(1);
    expect(p.prefixes[0]).toMatchObject({ moves: false, from: { link: null, gateway: "10.9.9.9" }, note: expect.stringMatching(/not over this peering/) });
  });

  it("counts a more specific friend prefix within the allowed space", () => {
    const more = [...S1_ROUTES, { dst: "192.168.43.0/25", gateway: VIA_ISP1, active: true, localPref: 200, asPath: "64513" }, { dst: "192.168.43.0/25", gateway: VIA_ISP2, active: false, localPref: 100, asPath: "64513,64513,64513,64513" }];
    const p = predictPrefer(s1, "alice", "isp2", more);
    expect(p.prefixes.map((x) => [x.prefix, x.from?.link, x.to?.link])).toEqual([
      [REMI_LAN, "isp1", "isp2"],
      ["192.168.43.0/25", "isp1", "isp2"],
    ]);
  });

  it("reads as one line per link and per prefix", () => {
    const lines = describePrediction(predictPrefer(s1, "alice", "isp2", S1_ROUTES));
    expect(lines).toEqual([
      "primary link of alice-remi: isp1 → isp2",
      "  isp1: backup, in local-pref 200 → 100, out prepend 0 → 3",
      "  isp2: primary, in local-pref 100 → 200, out prepend 3 → 0",
      "  192.168.42.0/24 moves: isp1 (local-pref 200) → isp2 (local-pref 200)",
    ]);
  });
});

describe("preferProblem and swapPrimary", () => {
  it("refuses an unknown link, an unknown side, a static peering", () => {
    const s1 = example("s1");
    expect(preferProblem(s1, "alice", "isp3")).toMatch(/no link named isp3; its links are isp1, isp2/);
    expect(preferProblem(s1, "bob", "isp2")).toMatch(/no side named bob/);
    expect(preferProblem(example("s7"), "alice", "isp2")).toMatch(/static routes/);
    expect(preferProblem(s1, "alice", "isp2")).toBeNull();
    expect(() => predictPrefer(s1, "alice", "isp3", [])).toThrow(/no link named isp3/);
  });

  it("renders local-pref 200 in on the new primary and the prepend out on the old one, on every link", () => {
    const swapped = swapPrimary(example("s1"), "isp2");
    expect(swapped.policy.primary).toBe("isp2");
    const rules = render(swapped, "alice", "7.24").commands.filter((c) => c.path === "/routing/filter/rule");
    const rule = (role: string) => rules.find((c) => c.role === role)?.attrs.rule;
    expect(rule("in-isp2-allow-192.168.42.0/23")).toMatch(/set bgp-local-pref 200/);
    expect(rule("in-isp1-allow-192.168.42.0/23")).toMatch(/set bgp-local-pref 100/);
    expect(rule("out-isp1-net-192.168.0.0/24")).toMatch(/set bgp-path-prepend 3/);
    expect(rule("out-isp2-net-192.168.0.0/24")).not.toMatch(/prepend/);
    expect(linkChanges(example("s1"), "isp2").map((c) => c.role.after)).toEqual(["backup", "primary"]);
  });
});

describe("checkPreferRequest", () => {
  const s1 = example("s1");
  it("accepts a known peering and link", () => {
    expect(checkPreferRequest({ peering: "alice-remi", primary: "isp2" }, s1, "alice")).toEqual({ ok: true, primary: "isp2" });
  });
  it("refuses what it cannot match, saying why", () => {
    expect(checkPreferRequest({ peering: "alice-remi" }, s1, "alice")).toMatchObject({ ok: false, reason: "malformed" });
    expect(checkPreferRequest({ peering: "alice-remi", primary: "isp2" }, null, "alice")).toMatchObject({ ok: false, reason: "unknown-peering", message: expect.stringMatching(/no peering with alice/) });
    expect(checkPreferRequest({ peering: "alice-bob", primary: "isp2" }, s1, "alice")).toMatchObject({ ok: false, reason: "unknown-peering", message: expect.stringMatching(/your peering with alice is alice-remi/) });
    expect(checkPreferRequest({ peering: "alice-remi", primary: "isp9" }, s1, "alice")).toMatchObject({ ok: false, reason: "unknown-link", message: expect.stringMatching(/no link isp9/) });
  });
});
