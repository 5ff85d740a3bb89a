// S4 through the screens: alice (RouterOS 7.24) offers OpenVPN to carol (6.49.10, no WireGuard),
// both over carol's one WAN; each grants the other a read-only account. Ends with both tunnels up
// and both sessions established in the lab.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { bundleOnScreen, openOperator, pasteBundle, typeText, waitForPeeringUp, type Operator } from "./operators.js";
import { KEYS } from "./pty.js";

// OpenVPN bundles carry a CA certificate: a wide terminal shows them whole.
const WIDE = { cols: 200, rows: 60 };

let lab: Lab;
const operators: Operator[] = [];
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => {
  for (const op of operators) op.term.kill();
  await lab.stop();
});

describe("S4 in two terminals, over OpenVPN", () => {
  it("offer, accept, complete with carol on RouterOS 6: tunnels up, sessions established", async () => {
    const alice = await openOperator(lab, "alice", WIDE);
    const carol = await openOperator(lab, "carol", WIDE);
    operators.push(alice, carol);
    const a = alice.term;
    const c = carol.term;

    await a.press("n", "your name:");
    await typeText(a, "alice");
    await a.press(KEYS.enter, "friend's name:");
    await typeText(a, "carol");
    await a.press(KEYS.enter, "› WireGuard");
    await a.press(KEYS.down, "› OpenVPN");
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
    await a.press(KEYS.down, "› Grant carol a read-only account");
    const offer = bundleOnScreen(await a.press(KEYS.enter, /\d+ characters, offer for carol/, 30_000));

    await c.press("a", "your name:");
    await typeText(c, "carol");
    await c.press(KEYS.enter, "offer:");
    const summary = await pasteBundle(c, offer.text, "Offer from alice");
    expect(summary).toContain(`Fingerprint ${offer.fingerprint}`);
    expect(summary).toContain("isp1: ovpn to 203.0.113.10");
    await c.press(KEYS.enter, "Link isp1");
    await c.press(KEYS.enter, "Link isp2");
    await c.press(KEYS.enter, "your ASN:");
    await c.press(KEYS.ctrlU, /your ASN: *$/m);
    await typeText(c, "64515");
    await c.press(KEYS.enter, "networks to announce: 192.168.88.0/24");
    const monitor = await c.press(KEYS.enter, "› No read-only account");
    expect(monitor).toContain("alice grants you a read-only account");
    await c.press(KEYS.down, "› Grant alice a read-only account");
    const plan = await c.press(KEYS.enter, /\d+ changes on home/, 30_000);
    expect(plan).toContain("/interface/ovpn-client");
    // No password is ever drawn: the PPP secret is masked in the plan.
    expect(plan).not.toMatch(/password=(?!"?\*{8})/);
    const answer = bundleOnScreen(await c.press("a", /\d+ characters, answer for alice/, 30_000));
    await c.press(KEYS.enter, "Your side of alice-carol is applied");

    await a.press(KEYS.enter, "waiting for carol's answer");
    await a.press(KEYS.enter, "Friends (0)");
    await a.press("c", "answer:");
    const answerSummary = await pasteBundle(a, answer.text, "Answer from carol");
    expect(answerSummary).toContain(`Fingerprint ${answer.fingerprint}`);
    const alicePlan = await a.press(KEYS.enter, /\d+ changes on home/, 30_000);
    expect(alicePlan).toContain("/ppp/secret");
    await a.press("a", "Peering alice-carol with carol is complete", 30_000);
    await a.press(KEYS.enter, "Friends (1)");

    for (const op of [alice, carol]) await waitForPeeringUp(lab, op);
    await a.waitFor(/carol\s+alice-carol\s+● up/, 20_000);
  }, 180_000);
});
