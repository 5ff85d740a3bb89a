// Order is part of the plan: new filter rules go in front of their chain's final reject, a rule
// someone moved is moved back, and undo puts removed rules back where they were. Judged by the
// lab's own lists, in order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import type { Peering } from "../../../src/core/peering.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { exampleJson, mustParse } from "../../helpers.js";
import { planAndApply, targetOf } from "./apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

const SECRETS = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };

/** The cases: a RouterOS 7 side with script rules, a RouterOS 6 side with attribute rules. */
const CASES = [
  { scenario: "s1", side: "alice", friend: "remi", rules: "/routing/filter/rule", ownNetwork: "192.168.1.0/24" },
  { scenario: "s4", side: "carol", friend: "alice", rules: "/routing/filter", ownNetwork: "192.168.89.0/24" },
] as const;

/** Our rules of the peering as the router lists them, by chain, in order: their roles. */
function chains(router: string, path: string, peering: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rule of lab.router(router).store.at(path).list()) {
    const role = (rule.comment ?? "").replace(`bgpals:${peering}:`, "");
    if (role === rule.comment) continue;
    out.set(rule.chain ?? "", [...(out.get(rule.chain ?? "") ?? []), role]);
  }
  return out;
}

/** The whole list of a menu, in order, as the lab holds it. */
const listed = (router: string, path: string) => JSON.stringify(lab.router(router).store.at(path).list().map(({ ".id": _id, ...rest }) => rest));

/** The example with one more network of ours and one more prefix the friend may send. */
function grown(c: (typeof CASES)[number]): Peering {
  const json = exampleJson(c.scenario);
  json.sides[c.side].networks.push(c.ownNetwork);
  json.sides[c.friend].allowed = [...(json.sides[c.friend].allowed ?? json.sides[c.friend].networks.map((n: string) => ({ prefix: n, maxLength: Number(n.split("/")[1]) }))), { prefix: "10.42.0.0/16", maxLength: 24 }];
  return mustParse(json);
}

describe("order is part of the plan", () => {
  for (const c of CASES) {
    it(`${c.scenario} on ${c.side} (${c.rules}): a re-plan puts new rules in front of their chain's end, and a moved rule back`, async () => {
      const original = mustParse(exampleJson(c.scenario));
      const before = listed(c.side, c.rules);
      expect((await planAndApply(lab, c.side, original, { secrets: SECRETS })).result.ok).toBe(true);

      const more = grown(c);
      const { planned, result } = await planAndApply(lab, c.side, more, { secrets: SECRETS });
      expect(result.ok).toBe(true);
      const adds = planned.plan.changes.filter((ch) => ch.path === c.rules && ch.op === "add");
      // Per link: the friend's new prefix in, our new network out.
      expect(adds.map((a) => a.role)).toEqual(expect.arrayContaining([`in-isp1-allow-10.42.0.0/16`, `in-isp2-allow-10.42.0.0/16`, `out-isp1-net-${c.ownNetwork}`, `out-isp2-net-${c.ownNetwork}`]));
      expect(adds.every((a) => a.placeBefore !== undefined)).toBe(true);
      for (const [chain, roles] of chains(c.side, c.rules, more.name)) {
        expect(roles.at(-1), `${chain}: ${roles.join(", ")}`).toMatch(/-end$/);
      }
      // The order the render gives is the order on the router: a re-plan finds nothing to do.
      expect((await planAndApply(lab, c.side, more, { secrets: SECRETS })).planned.plan.changes).toEqual([]);

      // Someone moves a chain's end to its top: the re-plan moves it back, and only it.
      const end = lab.router(c.side).store.at(c.rules).list().find((r) => r.comment === `bgpals:${more.name}:in-isp1-end`)!;
      const first = lab.router(c.side).store.at(c.rules).list().find((r) => r.chain === end.chain)!;
      const client = await RouterClient.connect(targetOf(lab, c.side));
      await client.run(`${c.rules}/move`, { numbers: end[".id"]!, destination: first[".id"]! });
      await client.close();
      expect(chains(c.side, c.rules, more.name).get(end.chain ?? "")?.[0]).toBe("in-isp1-end");
      const fixed = await planAndApply(lab, c.side, more, { secrets: SECRETS });
      expect(fixed.planned.plan.changes.map((ch) => `${ch.op} ${ch.role}`)).toEqual(["move in-isp1-end"]);
      expect(chains(c.side, c.rules, more.name).get(end.chain ?? "")?.at(-1)).toBe("in-isp1-end");

      // Back to the original file, then removed: the list is as it was, in order.
      expect((await planAndApply(lab, c.side, original, { secrets: SECRETS })).result.ok).toBe(true);
      expect((await planAndApply(lab, c.side, original, { remove: true })).result.ok).toBe(true);
      expect(listed(c.side, c.rules)).toBe(before);
    });
  }

  it("undo of a failed removal puts every rule back where it was, for every k", async () => {
    const c = CASES[0];
    const peering = mustParse(exampleJson(c.scenario));
    // A rule of someone else's between ours, so positions are not just "the end".
    const client = await RouterClient.connect(targetOf(lab, c.side));
    expect((await planAndApply(lab, c.side, peering, { secrets: SECRETS })).result.ok).toBe(true);
    const middle = lab.router(c.side).store.at(c.rules).list().find((r) => r.comment === `bgpals:${peering.name}:in-isp1-default`)!;
    const theirs = await client.add(c.rules, { chain: middle.chain!, rule: "if (dst == 10.99.0.0/16) { reject; }", "place-before": middle[".id"]! });
    await client.close();
    const ordered = () => ["/routing/filter/rule", "/ip/firewall/filter", "/ip/firewall/mangle", "/interface/wireguard/peers"].map((p) => listed(c.side, p)).join("\n");
    const reference = ordered();
    let failures = 0;
    for (let k = 1; ; k++) {
      lab.router(c.side).failWrite(k, "trap");
      const outcome = await planAndApply(lab, c.side, peering, { remove: true }).then(
        ({ result }) => result,
        (e: Error) => e,
      );
      lab.router(c.side).writeFault = null;
      // k = 1 is the lock: nothing written.
      if (outcome instanceof Error) {
        expect(k).toBe(1);
        expect(ordered()).toBe(reference);
        continue;
      }
      // Past the last write the removal goes through: every k before it has been tried.
      if (outcome.ok) break;
      failures++;
      expect(outcome.undoProblems, `k=${k}`).toEqual([]);
      expect(outcome.verified, `k=${k}`).toBe(true);
      expect(ordered(), `k=${k}`).toBe(reference);
    }
    expect(failures).toBeGreaterThan(20);
    const cleanup = await RouterClient.connect(targetOf(lab, c.side));
    await cleanup.remove(c.rules, theirs);
    await cleanup.close();
  }, 120_000);
});
