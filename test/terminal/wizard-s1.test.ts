// S1 through the screens: alice (RouterOS 7.24) and remi (7.19.6) at two terminals, the offer and
// the answer read off one screen and pasted into the other, ending with both tunnels up and both
// BGP sessions established in the lab.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { openOperator, peerS1, waitForPeeringUp, type Operator } from "./operators.js";

let lab: Lab;
const operators: Operator[] = [];
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => {
  for (const op of operators) op.term.kill();
  await lab.stop();
});

describe("S1 in two terminals", () => {
  it("offer, accept, complete: both tunnels up and both sessions established", async () => {
    const alice = await openOperator(lab, "alice");
    const remi = await openOperator(lab, "remi");
    operators.push(alice, remi);
    const s1 = await peerS1(alice, remi);
    expect(s1.offer.text).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);
    // The fingerprint remi sees is the one alice reads to him, and the other way round.
    expect(s1.offerSummary).toContain(`Fingerprint ${s1.offer.fingerprint}`);
    expect(s1.offerSummary).toContain("isp1: wireguard to 203.0.113.10");
    expect(s1.plan).toMatch(/\+ interface=wg-alice-isp1 public-key=/);
    expect(s1.answerSummary).toContain(`Fingerprint ${s1.answer.fingerprint}`);
    expect(s1.home).toMatch(/remi\s+alice-remi/);

    // Both operators hold the same peering file.
    expect(JSON.parse(readFileSync(join(alice.home, "peers", "remi.json"), "utf8"))).toEqual(JSON.parse(readFileSync(join(remi.home, "peers", "alice.json"), "utf8")));

    // The lab: both tunnels up, both sessions established, on both routers; remi's prefix via isp1.
    await waitForPeeringUp(lab, remi);
    const aliceStatus = await waitForPeeringUp(lab, alice);
    expect(aliceStatus.routes.find((x) => x.dst === "192.168.42.0/24" && x.active)).toMatchObject({ link: "isp1" });

    // Home's badges are live: the router answers, and the peering is up on both links.
    const badges = await alice.term.waitFor(/remi\s+alice-remi\s+● up/, 20_000);
    expect(badges).toMatch(/home\s+admin@127\.0\.0\.1:\d+\s+● ok/);
  }, 120_000);
});
