// The first capture of docs/screens.md (the demo's Home at 80×24) is what the demo draws today:
// run `node scripts/capture-screens.js` after changing a screen. Only the lab's port changes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, tempDir } from "../helpers.js";
import { runInTerminal } from "./pty.js";

const HEADING = "### Home: the first start, your router looked at";
const port = (screen: string) => screen.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");

function documentedHome(): string {
  const doc = readFileSync(join(repoRoot, "docs/screens.md"), "utf8");
  const at = doc.indexOf(HEADING);
  expect(at, `docs/screens.md has "${HEADING}"`).not.toBe(-1);
  const block = /```text\n([\s\S]*?)\n```/.exec(doc.slice(at))!;
  return block[1]!;
}

describe("docs/screens.md", () => {
  it("shows the demo's Home as the demo draws it at 80×24", async () => {
    const term = runInTerminal(["demo"], { env: { BGPALS_HOME: tempDir("bgpals-home-") }, cols: 80, rows: 24 });
    const screen = await term.waitFor((s) => s.includes("Routers (1)") && s.includes("● ok"), 30_000);
    const drawn = screen.split("\n").map((l) => l.trimEnd()).join("\n").replace(/\s+$/, "");
    expect(port(drawn)).toBe(port(documentedHome()));
    term.kill("SIGHUP");
    await term.exited;
  });
});
