// docs/screens.md keeps a text capture of every screen at 80×24 (written by
// scripts/capture-screens.js): a screen added to the catalog without one fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCREEN_IDS, SCREEN_INFO } from "../../src/ui/screens/catalog.js";
import { repoRoot } from "../helpers.js";

const START = "<!-- screens:start -->";
const END = "<!-- screens:end -->";

function captures(): Array<{ heading: string; lines: string[] }> {
  const doc = readFileSync(join(repoRoot, "docs/screens.md"), "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  expect(start, "docs/screens.md has the captures' markers").not.toBe(-1);
  expect(end).toBeGreaterThan(start);
  const section = doc.slice(start + START.length, end);
  return [...section.matchAll(/^### (.+)\n[\s\S]*?^```text\n([\s\S]*?)^```$/gm)].map((m) => ({ heading: m[1]!, lines: m[2]!.replace(/\n$/, "").split("\n") }));
}

describe("docs/screens.md", () => {
  it("has a capture of every screen of the catalog, under a heading that starts with its title", () => {
    const headings = captures().map((c) => c.heading);
    const missing = SCREEN_IDS.filter((id) => !headings.some((h) => h.startsWith(`${SCREEN_INFO[id].title}:`)));
    expect(missing).toEqual([]);
  });

  it("draws each capture at 80×24 at most, and each under its screen's own title", () => {
    const all = captures();
    expect(all.length).toBeGreaterThanOrEqual(SCREEN_IDS.length);
    for (const { heading, lines } of all) {
      expect(lines.length, heading).toBeLessThanOrEqual(24);
      expect(Math.max(...lines.map((l) => [...l].length)), heading).toBeLessThanOrEqual(80);
      // The heading names the screen the capture shows (its title line, under the demo's).
      const title = heading.slice(0, heading.indexOf(":"));
      expect(lines.slice(0, 3).join("\n"), heading).toContain(`bgpals · ${title}`);
    }
  });
});
