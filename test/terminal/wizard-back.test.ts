// Esc in a wizard goes a step back and keeps what was typed and chosen: the fields show it again.
import { afterAll, beforeAll, describe, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { openOperator, typeText } from "./operators.js";
import { KEYS } from "./pty.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

describe("going back in a wizard", () => {
  it("keeps the names typed and the tunnel chosen", async () => {
    const { term } = await openOperator(lab, "alice", { cols: 80, rows: 24 });
    // One router: taken without a list.
    await term.press("n", "your name:");
    await typeText(term, "alice");
    await term.press(KEYS.enter, "friend's name:");
    await typeText(term, "bob");
    await term.press(KEYS.enter, "› WireGuard");
    await term.press(KEYS.down, "› OpenVPN");
    await term.press(KEYS.enter, "[ ] vlan832-orange-internet");
    await term.press(KEYS.escape, "› OpenVPN");
    await term.press(KEYS.escape, "friend's name: bob");
    await term.press(KEYS.escape, "your name: alice");
    // And forward again with them.
    await term.press(KEYS.enter, "friend's name: bob");
    await term.press(KEYS.enter, "› OpenVPN");
    // Back to the router: now the list of one, and esc leaves for Home.
    await term.press(KEYS.escape, "friend's name: bob");
    await term.press(KEYS.escape, "your name: alice");
    await term.press(KEYS.escape, "Which router?");
    await term.press(KEYS.escape, "Routers (1)");
  });
});
