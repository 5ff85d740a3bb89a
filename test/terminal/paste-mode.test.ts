// Bracketed paste is a mode of the terminal: the app turns it on, and off again however it ends,
// or the shell after it would get pastes wrapped in ESC[200~ … ESC[201~.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { openOperator } from "./operators.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

describe("bracketed paste", () => {
  it("is on while the screens are up, and off after q", async () => {
    const { term } = await openOperator(lab, "alice", { cols: 80, rows: 24 });
    expect(await term.bracketedPaste()).toBe(true);
    // A pasted "q" is text, not the quit key: the app still takes the next key.
    await term.type("\u001B[200~q\u001B[201~");
    await term.press("?", "Help: Home");
    await term.press("\u001B", "Routers (1)");
    await term.type("q");
    expect(await term.exited).toBe(0);
    expect(await term.bracketedPaste()).toBe(false);
  });

  it("is off after a SIGTERM", async () => {
    const { term } = await openOperator(lab, "alice", { cols: 80, rows: 24 });
    expect(await term.bracketedPaste()).toBe(true);
    term.kill("SIGTERM");
    await term.exited;
    // The pty may hand over the last bytes after it reports the exit: give them a moment.
    for (let i = 0; i < 40 && (await term.bracketedPaste()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await term.bracketedPaste()).toBe(false);
  });
});
