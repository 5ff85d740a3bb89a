// What a start of bgpals parses before its command runs: the bundle's entry and the chunks it
// imports statically (dist/bundle/, which `npm test` builds first). Reading the flags and `--help`
// need none of the platforms, the stores or the peering schema; ssh2 and conf are required where
// first used, never imported by a chunk (each was a fifth of a start: docs/benchmarks.md).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";
import { emptyHome } from "./run.js";

const BUNDLE = join(repoRoot, "dist/bundle");
const STATIC_IMPORT = /^import\s[^;]*?from\s*"([^"]+)";?$|^import\s*"([^"]+)";?$/gm;

/** The files and packages `chunk` imports statically, itself included, transitively. */
function staticClosure(chunk: string): { chunks: string[]; packages: string[] } {
  const chunks = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (chunks.has(file)) return;
    chunks.add(file);
    for (const m of readFileSync(join(BUNDLE, file), "utf8").matchAll(STATIC_IMPORT)) {
      const target = m[1] ?? m[2]!;
      if (target.startsWith("./")) visit(target.slice(2));
      else if (!target.startsWith("node:")) packages.add(target);
    }
  };
  visit(chunk);
  return { chunks: [...chunks], packages: [...packages] };
}

/** The modules a chunk holds, by the path comment the bundler writes before each. */
function modulesOf(chunk: string): string[] {
  return [...readFileSync(join(BUNDLE, chunk), "utf8").matchAll(/^\/\/ (\S+\.[cm]?js)$/gm)].map((m) => m[1]!);
}

describe("a start of bgpals", () => {
  it("parses no platform, store or peering schema before the command is known", () => {
    const { chunks, packages } = staticClosure("main.js");
    const modules = chunks.flatMap(modulesOf);
    expect(modules).toContain("dist/cli/main.js");
    expect(modules.filter((m) => /dist\/(platforms|store|lab|ui|flows)\/|dist\/core\/peering\.js|node_modules\/(zod|ip-num|node-routeros|conf|ajv|ink|react)\//.test(m))).toEqual([]);
    expect(packages).toEqual([]);
  });

  it("imports ssh2 and conf in no chunk of bgpals's own: they are required where first used", () => {
    // The lab's chunks apart: its routers serve SSH (bgpals lab, the demo).
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith(".js") && !modulesOf(f).some((m) => m.startsWith("dist/lab/")));
    expect(chunks.length).toBeGreaterThan(10);
    const importers = chunks.filter((c) => staticClosure(c).packages.some((p) => /^(ssh2|conf)(\/|$)/.test(p)));
    expect(importers).toEqual([]);
    // Nor bundled: they would be parsed with whichever chunk holds them.
    expect(chunks.flatMap(modulesOf).filter((m) => /node_modules\/(ssh2|conf|ajv)\//.test(m))).toEqual([]);
  });

  it("still reaches both when a command needs them: a key file is read by ssh2, a profile written by conf", () => {
    const r = spawnSync(process.execPath, [join(repoRoot, "bin/bgpals.js"), "inventory", "--router", "ssh://root@192.0.2.1", "--key", join(repoRoot, "package.json")], {
      encoding: "utf8",
      env: { ...process.env, BGPALS_HOME: emptyHome(), CI: "true" },
      input: "",
    });
    // ssh2's key parser judged the file (not a private key) before any connection.
    expect(r.stderr).toMatch(/package\.json is not a private key bgpals can read/);
    expect(r.status).toBe(1);
    const added = spawnSync(process.execPath, [join(repoRoot, "bin/bgpals.js"), "router", "add", "home", "--host", "192.0.2.1", "--user", "admin", "--json"], {
      encoding: "utf8",
      env: { ...process.env, BGPALS_HOME: emptyHome(), CI: "true" },
      input: "",
    });
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(emptyHome(), "config.json"), "utf8")).routers.home).toMatchObject({ host: "192.0.2.1", user: "admin" });
  });
});
