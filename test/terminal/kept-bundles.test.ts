// Nothing lost (issue 15): every bundle sent is kept and listed on Home; a lost answer is shown
// again when the same offer is accepted again, writing nothing more; an offer waiting for its
// answer is resumed or cancelled from Home. Bundles are pasted as a chat window passes them on:
// bracketed paste, wrapped at 64 columns with CR/LF inside.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { bundleOnScreen, COLS, offerS1, openOperator, ROWS, typeText, type Operator } from "./operators.js";
import { KEYS, runInTerminal } from "./pty.js";

const PASTE_START = "\u001B[200~";
const PASTE_END = "\u001B[201~";

/** A bundle as a chat window wraps it, pasted by a terminal in bracketed-paste mode. */
const chatPaste = (text: string) => `${PASTE_START}${text.match(/.{1,64}/g)!.join("\r\n")}\r\n${PASTE_END}`;

let lab: Lab;
const operators: Operator[] = [];
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => {
  for (const op of operators) op.term.kill();
  await lab.stop();
});

describe("bundles kept in the outbox", () => {
  it("an offer waiting for its answer is cancelled from Home: what it prepared leaves the router", async () => {
    const before = lab.router("alice").exportConfig();
    const alice = await openOperator(lab, "alice");
    operators.push(alice);
    const a = alice.term;
    await offerS1(a, "zoe");
    expect(lab.router("alice").exportConfig()).not.toBe(before);
    await a.press(KEYS.enter, "waiting for zoe's answer");
    await a.press(KEYS.enter, /zoe\s+offer · alice-zoe\s+waiting for answer/);
    // Routers (1) first, then the one bundle.
    await a.press(KEYS.down, /› zoe\s+offer/);
    await a.press(KEYS.enter, /Offer to zoe · waiting for answer · alice-zoe, made \d{4}-\d\d-\d\d \d\d:\d\d on home/);
    await a.press("x", "Cancel it and remove what it prepared on home");
    await a.press(KEYS.down, "› Cancel it");
    await a.press(KEYS.enter, "The offer to zoe is cancelled", 20_000);
    expect(lab.router("alice").exportConfig()).toBe(before);
    const home = await a.press(KEYS.enter, "Friends (0)");
    expect(home).not.toContain("Bundles sent");
  });

  it("accept, kill the terminal, accept again: the same answer, nothing more written; alice resumes from Home", async () => {
    const alice = await openOperator(lab, "alice");
    const remi = await openOperator(lab, "remi");
    operators.push(alice, remi);
    const a = alice.term;
    const offer = await offerS1(a);
    await a.press(KEYS.enter, "waiting for remi's answer");
    await a.press(KEYS.enter, /remi\s+offer · alice-remi\s+waiting for answer/);

    // Remi pastes the offer as his chat window shows it: taken whole, the line breaks dropped.
    const r = remi.term;
    await r.press("a", "your name:");
    await typeText(r, "remi");
    await r.press(KEYS.enter, "offer:");
    await r.type(chatPaste(offer.text));
    await r.waitFor((s) => s.includes(offer.text.slice(-20)));
    await r.press(KEYS.enter, `Fingerprint ${offer.fingerprint}`);
    await r.press(KEYS.enter, "Link isp1");
    // The other WAN is proposed for the second link.
    await r.press(KEYS.enter, (s) => s.includes("Link isp2") && s.includes("› pppoe-out2"));
    await r.press(KEYS.enter, "your ASN:");
    await r.press(KEYS.ctrlU, /your ASN: *$/m);
    await typeText(r, "64513");
    await r.press(KEYS.enter, "networks to announce:");
    await r.press(KEYS.enter, "› No read-only account");
    await r.press(KEYS.enter, /\d+ changes on home/, 20_000);
    const answer = bundleOnScreen(await r.press("a", /\d+ characters, answer for alice/, 20_000));

    // The terminal goes before the answer was sent.
    r.kill();
    await r.exited;
    const applied = lab.router("remi").exportConfig();
    const again = runInTerminal([], { env: remi.env, cols: COLS, rows: ROWS });
    await again.waitFor(/alice\s+answer · alice-remi\s+✓ answered/);
    await again.press("a", "offer:");
    await again.type(chatPaste(offer.text));
    await again.waitFor((s) => s.includes(offer.text.slice(-20)));
    const shown = await again.press(KEYS.enter, /\d+ characters, answer for alice/);
    expect(shown).toContain("You accepted this offer already");
    expect(bundleOnScreen(shown)).toEqual(answer);
    expect(lab.router("remi").exportConfig()).toBe(applied);

    // Alice resumes from Home: her offer, r, the answer pasted.
    await a.press(KEYS.down, /› remi\s+offer/);
    await a.press(KEYS.enter, "r paste answer");
    await a.press("r", "answer:");
    await a.type(chatPaste(answer.text));
    await a.waitFor((s) => s.includes(answer.text.slice(-20)));
    await a.press(KEYS.enter, `Fingerprint ${answer.fingerprint}`);
    await a.press(KEYS.enter, /\d+ changes on home/, 20_000);
    await a.press("a", "Peering alice-remi with remi is complete", 20_000);
    await a.press(KEYS.enter, /remi\s+offer · alice-remi\s+✓ completed/);
  });
});
