// The screens without a terminal: one clear message, said once by bgpals (not "bgpals: bgpals ..."),
// with the headless commands to use instead, and exit 1.
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers.js";
import { cliAsync } from "./cli-async.js";

describe("bgpals without a terminal", () => {
  it("says so once, and what to use instead", async () => {
    const r = await cliAsync(["demo"], { BGPALS_HOME: tempDir("bgpals-home-") });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("bgpals needs a terminal for its screens, but stdin is not a terminal;");
    expect(lines[1]).toMatch(/^bgpals: use the headless commands instead: bgpals render\|plan\|apply/);
  });
});
