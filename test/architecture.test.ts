// The layout holds: imports go down only (.dependency-cruiser.cjs), and nothing but the dialect
// table (and the lab's own) compares RouterOS versions.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.js";

const DEPCRUISE = join(repoRoot, "node_modules", ".bin", "depcruise");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

// What a version check looks like: a parsed or compared version, a dialect family tested, a version
// number's prefix tested.
const VERSION_CHECKS = [
  /\b(parseVersion|compareVersions|atLeast)\s*\(/,
  /(===|!==|==|!=)\s*"v(6|7|7\.20)"/,
  /"v(6|7|7\.20)"\s*(===|!==|==|!=)/,
  /\.(family|dialect)\s*(===|!==)/,
  /\.startsWith\(\s*"[67]\./,
  /\bversion\s*(<|>|<=|>=)\s*"?\d/,
];
const VERSION_TABLES = new Set(["src/platforms/routeros/dialects.ts", "src/lab/versions.ts"]);

describe("architecture", () => {
  it("keeps every import rule of .dependency-cruiser.cjs", () => {
    const run = spawnSync(DEPCRUISE, ["src", "--output-type", "err"], { cwd: repoRoot, encoding: "utf8" });
    expect(run.error).toBeUndefined();
    expect(`${run.stdout}${run.stderr}`.trim(), "dependency rules broken").toMatch(/^✔ no dependency violations found/);
    expect(run.status).toBe(0);
  }, 60_000);

  it("compares RouterOS versions only in the dialect table", () => {
    const found: string[] = [];
    for (const file of sources(join(repoRoot, "src"))) {
      const path = relative(repoRoot, file);
      if (VERSION_TABLES.has(path)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (line.trim().startsWith("//") || line.trim().startsWith("*")) return;
          if (VERSION_CHECKS.some((check) => check.test(line))) found.push(`${path}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("would notice a version check", () => {
    // The patterns above must catch what the old code did.
    const old = ['const v6 = capabilities(version)?.dialect === "v6";', 'if (version.startsWith("6.")) poll();', "if (atLeast(v, \"7.17\")) {"];
    for (const line of old) expect(VERSION_CHECKS.some((check) => check.test(line)), line).toBe(true);
  });
});
