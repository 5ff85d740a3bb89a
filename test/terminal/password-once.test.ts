// A router's password, where none is stored, is asked once per run of the screens: kept in memory
// (never written) once it worked, and asked again only when it was wrong.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal } from "./pty.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

describe("the router password", () => {
  it("is asked once per router per run; a wrong one is asked again", async () => {
    const info = lab.info().routers.find((r) => r.name === "alice")!;
    const env = { BGPALS_HOME: tempDir("bgpals-alice-") };
    const added = await cliAsync(["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user], env);
    expect(added.code, added.stderr).toBe(0);
    const term = runInTerminal([], { env, cols: 80, rows: 24 });
    await term.waitFor("Routers (1)");
    // Masked: the field shows a dot per character.
    const typePassword = async (password: string) => {
      await term.type(password);
      await term.waitFor(`password for home: ${"•".repeat(password.length)}`);
    };

    // The only router is taken without a list: its password is asked.
    await term.press("n", "password for home:");
    await typePassword("not-the-password");
    await term.press(KEYS.enter, "✗");
    // The field is on screen under the error too: wait for the error to go.
    await term.press(KEYS.escape, (s) => s.includes("password for home:") && !s.includes("✗"));
    await typePassword(info.password);
    await term.press(KEYS.enter, "your name:");
    // Out to Home and into another flow on the same router: no password this time.
    await term.press(KEYS.escape, "Which router?");
    await term.press(KEYS.escape, "Routers (1)");
    const next = await term.press("n", (s) => s.includes("your name:") || s.includes("password for home:"));
    expect(next).toContain("your name:");
  });
});
