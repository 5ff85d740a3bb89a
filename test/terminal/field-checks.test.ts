// Issue 15, in a real terminal: a bad value is refused on the field where it is typed, saying what
// would do, and nothing reaches the router before every field passes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { openOperator, typeText } from "./operators.js";
import { KEYS, type TerminalRun } from "./pty.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

/** The screen without its line breaks: a long problem wraps anywhere. */
const flat = (screen: string) => screen.replace(/\s+/g, " ");

/** Empties the networks field, types `text`, presses enter and waits for `want`. */
async function networks(term: TerminalRun, text: string, want: RegExp | string): Promise<string> {
  await term.press(KEYS.ctrlU, /networks to announce: *$/m);
  await typeText(term, text);
  return term.press(KEYS.enter, want);
}

describe("New peering at 80×24", () => {
  it("refuses a default route and a network holding the WAN address on the networks field, writing nothing", async () => {
    const before = lab.router("alice").exportConfig();
    const { term } = await openOperator(lab, "alice", { cols: 80, rows: 24 });
    await term.press("n", "your name:");
    await typeText(term, "alice");
    await term.press(KEYS.enter, "friend's name:");
    await typeText(term, "remi");
    await term.press(KEYS.enter, "› WireGuard");
    await term.press(KEYS.enter, "[ ] vlan832");
    await term.press(KEYS.space, "[x] vlan832");
    await term.press(KEYS.enter, "your ASN:");
    await term.press(KEYS.enter, "networks to announce:");

    let shown = flat(await networks(term, "0.0.0.0/0", /default\s+route/));
    expect(shown).toContain("0.0.0.0/0 is a default route");
    expect(shown).toContain("networks to announce:");
    shown = flat(await networks(term, "192.168.0.0/24, 0.0.0.0/0", /default\s+route/));
    expect(shown).toContain("0.0.0.0/0 is a default route");
    shown = flat(await networks(term, "203.0.113.0/24", /WAN\s+address/));
    expect(shown).toContain("203.0.113.0/24 holds your WAN address 203.0.113.10");
    expect(lab.router("alice").exportConfig()).toBe(before);

    // A valid value goes on to the next step, still without a write.
    await networks(term, "192.168.0.0/24", "No read-only account");
    expect(lab.router("alice").exportConfig()).toBe(before);
  });

  it("does not offer WireGuard to a RouterOS 6 router, saying why", async () => {
    const before = lab.router("carol").exportConfig();
    const { term } = await openOperator(lab, "carol", { cols: 80, rows: 24 });
    await term.press("n", "your name:");
    await typeText(term, "carol");
    await term.press(KEYS.enter, "friend's name:");
    await typeText(term, "remi");
    const screen = flat(await term.press(KEYS.enter, "› OpenVPN"));
    expect(screen).toMatch(/WireGuard is not offered: .*RouterOS/);
    expect(screen).not.toContain("› WireGuard");
    await term.press(KEYS.enter, "[ ] pppoe-out1");
    expect(lab.router("carol").exportConfig()).toBe(before);
  });
});
