// The packed package (`npm pack`, what `npx bgpals` and `npm install -g` install) ships the built
// program and starts without building: unpacked, with the dependencies beside it as npm would put
// them, `prepare` finds no sources and builds nothing, and bgpals answers from dist/bundle/.
// Packed from the dist/ this run built (`npm test` builds before vitest).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, repoRoot, tempDir } from "../helpers.js";

/** Lifecycle scripts npm runs when it installs a package (`prepare` too, for a git or folder install). */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];

let packed: string[];
let unpacked: string;
let manifest: { version: string; scripts?: Record<string, string> };

beforeAll(() => {
  const out = tempDir("bgpals-pack-");
  // --ignore-scripts: pack this run's dist/ as it is (the package's `prepack` would build it again).
  const json = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } });
  const [pack] = JSON.parse(json) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = pack!.files.map((f) => f.path);
  unpacked = tempDir("bgpals-unpacked-");
  execFileSync("tar", ["-xzf", join(out, pack!.filename), "-C", unpacked]);
  unpacked = join(unpacked, "package");
  // Where npm would install the dependencies; this checkout's are the same versions.
  symlinkSync(join(repoRoot, "node_modules"), join(unpacked, "node_modules"), "dir");
  manifest = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8"));
}, 60_000);

/** Every file of the unpacked package (not the linked dependencies) with its modification time. */
function files(dir = unpacked): Record<string, number> {
  const found: Record<string, number> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === join(unpacked, "node_modules")) continue;
    if (statSync(path).isDirectory()) Object.assign(found, files(path));
    else found[relative(unpacked, path)] = statSync(path).mtimeMs;
  }
  return found;
}

/** bgpals from the unpacked package, or (`from`) this checkout's. */
function bgpals(args: string[], from = unpacked) {
  const r = spawnSync(process.execPath, [join(from, "bin/bgpals.js"), ...args], { cwd: unpacked, encoding: "utf8", env: { ...process.env, CI: "true", BGPALS_HOME: tempDir("bgpals-home-"), npm_package_version: undefined }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the packed package", () => {
  it("holds the launcher, the bundled program with every chunk and the lab's schema; no sources or tests", () => {
    expect(packed).toContain("bin/bgpals.js");
    const chunks = readdirSync(join(repoRoot, "dist/bundle"));
    expect(chunks).toContain("main.js");
    for (const chunk of chunks) expect(packed).toContain(`dist/bundle/${chunk}`);
    expect(packed).toContain("dist/lab/schema/trees.json");
    // tsc's modules stay home: the bundle holds them.
    expect(packed.filter((p) => p.startsWith("dist/") && !p.startsWith("dist/bundle/"))).toEqual(["dist/lab/schema/trees.json"]);
    expect(packed).toContain(EXAMPLES.s1);
    expect(packed.filter((p) => /^(src|test|bench)\//.test(p))).toEqual([]);
    for (const script of INSTALL_SCRIPTS) expect(manifest.scripts?.[script], script).toBeUndefined();
  });

  it("installs without building: its prepare finds no sources and changes nothing", () => {
    const before = files();
    expect(manifest.scripts?.prepare).toBe("node scripts/prepare.js");
    const r = spawnSync(process.execPath, ["scripts/prepare.js"], { cwd: unpacked, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to build/);
    expect(files()).toEqual(before);
    expect(existsSync(join(unpacked, "tsconfig.json"))).toBe(false);
  });

  it("starts from what it ships: --version, --help and an offline render", () => {
    // The version comes from the package it runs from, not from npm's environment.
    const manifestFile = join(unpacked, "package.json");
    const shipped = readFileSync(manifestFile, "utf8");
    writeFileSync(manifestFile, shipped.replace(`"version": "${manifest.version}"`, `"version": "${manifest.version}-probe"`));
    const probed = bgpals(["--version"]);
    writeFileSync(manifestFile, shipped);
    expect(probed.stdout.trim(), probed.stderr).toBe(`${manifest.version}-probe`);
    const before = files();
    const version = bgpals(["--version"]);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);
    const help = bgpals(["--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: bgpals /);
    const render = bgpals(["render", EXAMPLES.s1, "--side", "alice", "--routeros", "7.24"]);
    expect(render.code, render.stderr).toBe(0);
    expect(render.stdout).toMatch(/^\/interface wireguard$/m);
    expect(render.stdout).toBe(bgpals(["render", EXAMPLES.s1, "--side", "alice", "--routeros", "7.24"], repoRoot).stdout);
    expect(files()).toEqual(before);
  });
});
