// S1 through the screens: alice (RouterOS 7.24) and remi (7.19.6) at two terminals, the offer and
// the answer read off one screen and pasted into the other, ending with both tunnels up and both
// BGP sessions established in the lab.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { bundleOnScreen, openOperator, pasteBundle, typeText, waitForPeeringUp, type Operator } from "./operators.js";
import { KEYS } from "./pty.js";

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
    const a = alice.term;
    const r = remi.term;

    // Alice: new peering over both her ISPs, isp1 primary.
    await a.press("n", "Which router?");
    await a.press(KEYS.enter, "your name:");
    await typeText(a, "alice");
    await a.press(KEYS.enter, "friend's name:");
    await typeText(a, "remi");
    await a.press(KEYS.enter, "› WireGuard");
    await a.press(KEYS.enter, "[ ] vlan832-orange-internet");
    await a.press(KEYS.space, "[x] vlan832-orange-internet");
    await a.press(KEYS.down, "› [ ] sfp-wan-sfr");
    await a.press(KEYS.space, "[x] sfp-wan-sfr");
    await a.press(KEYS.enter, "› isp1");
    await a.press(KEYS.enter, "your ASN:");
    await a.press(KEYS.ctrlU, /your ASN: *$/m);
    await typeText(a, "64514");
    await a.press(KEYS.enter, "networks to announce: 192.168.0.0/24");
    await a.press(KEYS.enter, "› No read-only account");
    const offerScreen = await a.press(KEYS.enter, /\d+ characters, offer for remi/, 20_000);
    const offer = bundleOnScreen(offerScreen);
    expect(offer.text).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);

    // Remi: paste the offer; the fingerprint he sees is the one alice reads to him.
    await r.press("a", "your name:");
    await typeText(r, "remi");
    await r.press(KEYS.enter, "offer:");
    const summary = await pasteBundle(r, offer.text, "Offer from alice");
    expect(summary).toContain(`Fingerprint ${offer.fingerprint}`);
    expect(summary).toContain("isp1: wireguard to 203.0.113.10");
    await r.press(KEYS.enter, "Which router?");
    await r.press(KEYS.enter, "Link isp1");
    await r.press(KEYS.enter, "Link isp2");
    await r.press(KEYS.down, "› pppoe-out2");
    await r.press(KEYS.enter, "your ASN:");
    await r.press(KEYS.ctrlU, /your ASN: *$/m);
    await typeText(r, "64513");
    await r.press(KEYS.enter, "networks to announce:");
    await r.press(KEYS.enter, "› No read-only account");
    const plan = await r.press(KEYS.enter, /\d+ changes on home/, 20_000);
    expect(plan).toMatch(/\+ interface=wg-alice-isp1 public-key=/);
    const answerScreen = await r.press("a", /\d+ characters, answer for alice/, 20_000);
    const answer = bundleOnScreen(answerScreen);
    await r.press(KEYS.enter, "Your side of alice-remi is applied");

    // Alice: complete with the answer.
    await a.press(KEYS.enter, "waiting for remi's answer");
    await a.press(KEYS.enter, "Friends (0)");
    await a.press("c", "answer:");
    const answerSummary = await pasteBundle(a, answer.text, "Answer from remi");
    expect(answerSummary).toContain(`Fingerprint ${answer.fingerprint}`);
    await a.press(KEYS.enter, "Which router?");
    await a.press(KEYS.enter, /\d+ changes on home/, 20_000);
    await a.press("a", "Peering alice-remi with remi is complete", 20_000);
    const home = await a.press(KEYS.enter, "Friends (1)");
    expect(home).toMatch(/remi\s+alice-remi/);

    // Both operators hold the same peering file.
    expect(JSON.parse(readFileSync(join(alice.home, "peers", "remi.json"), "utf8"))).toEqual(JSON.parse(readFileSync(join(remi.home, "peers", "alice.json"), "utf8")));

    // The lab: both tunnels up, both sessions established, on both routers; remi's prefix via isp1.
    await waitForPeeringUp(lab, remi);
    const aliceStatus = await waitForPeeringUp(lab, alice);
    expect(aliceStatus.routes.find((x) => x.dst === "192.168.42.0/24" && x.active)).toMatchObject({ link: "isp1" });

    // Home's badges are live: the router answers, and the peering is up on both links.
    const badges = await a.waitFor(/remi\s+alice-remi\s+● up/, 20_000);
    expect(badges).toMatch(/home\s+admin@127\.0\.0\.1:\d+\s+● ok/);
  }, 120_000);
});
