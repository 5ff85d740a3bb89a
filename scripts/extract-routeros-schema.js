// Extracts the RouterOS 7 menus bgpals touches from the `/console/inspect` dumps in
// <shared>/routeros-schema/inspect-<version>.json into src/lab/schema/trees.json.
// The dumps are ~1 MB each and live outside the repository, so an installed bgpals only
// has this extract.
//
//   node scripts/extract-routeros-schema.js [--shared <dir>] [--out <file>] [--check]
//
// --check recomputes the extract and exits 1 (with a summary) when the file differs.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_SHARED = path.resolve(repoRoot, "../shared");
export const DEFAULT_OUT = path.join(repoRoot, "src/lab/schema/trees.json");

/**
 * Menus to keep. "tree": the menu and every sub-menu beneath it; "menu": the menu alone
 * (`/interface` has dozens of sub-menus bgpals never uses).
 */
export const ROOTS = {
  "/interface": "menu",
  "/interface/list": "tree",
  "/interface/bridge": "tree",
  "/interface/ethernet": "tree",
  "/interface/vlan": "tree",
  "/interface/pppoe-client": "tree",
  "/interface/wireguard": "tree",
  "/interface/ovpn-server": "tree",
  "/interface/ovpn-client": "tree",
  "/ip/address": "tree",
  "/ip/route": "tree",
  "/ip/firewall/filter": "tree",
  "/ip/firewall/mangle": "tree",
  "/ip/firewall/nat": "tree",
  "/ip/firewall/address-list": "tree",
  "/ip/cloud": "tree",
  "/ip/dhcp-client": "tree",
  "/ip/dhcp-server": "tree",
  "/ip/pool": "tree",
  "/ip/dns": "tree",
  "/ip/service": "tree",
  "/ppp/profile": "tree",
  "/ppp/secret": "tree",
  "/ppp/active": "tree",
  "/certificate": "tree",
  "/file": "menu",
  "/routing/bgp": "tree",
  "/routing/filter/rule": "tree",
  "/routing/table": "tree",
  "/routing/id": "tree",
  "/system/resource": "tree",
  "/system/identity": "tree",
  "/system/scheduler": "tree",
  "/system/script": "tree",
  "/system/routerboard": "tree",
  "/user": "tree",
  "/tool/netwatch": "tree",
};

/** "7.12.2" -> [7, 12, 2]; "7.24" -> [7, 24, 0]. */
function versionParts(v) {
  const parts = v.split(".").map((p) => Number.parseInt(p, 10));
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

export function compareVersions(a, b) {
  const x = versionParts(a);
  const y = versionParts(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

const isMenu = (node) => node !== null && typeof node === "object" && (node._type === "dir" || node._type === "path");

function childrenOfType(node, types) {
  return Object.keys(node)
    .filter((k) => k !== "_type" && node[k] !== null && typeof node[k] === "object" && types.includes(node[k]._type))
    .sort();
}

function lookup(tree, menuPath) {
  let node = tree;
  for (const segment of menuPath.split("/").filter(Boolean)) {
    node = node?.[segment];
    if (!isMenu(node)) return null;
  }
  return node;
}

/** Menu path -> { verb -> sorted arg names } for one inspect dump. */
function extractVersion(tree) {
  const menus = {};
  const visit = (node, menuPath, recurse) => {
    const commands = {};
    for (const verb of childrenOfType(node, ["cmd"])) {
      commands[verb] = childrenOfType(node[verb], ["arg"]);
    }
    menus[menuPath] = commands;
    if (!recurse) return;
    for (const sub of childrenOfType(node, ["dir", "path"])) visit(node[sub], `${menuPath}/${sub}`, true);
  };
  for (const [root, mode] of Object.entries(ROOTS)) {
    const node = lookup(tree, root);
    if (node !== null) visit(node, root, mode === "tree");
  }
  return menus;
}

/**
 * The extract: `args` is a table of distinct sorted argument lists and each command points
 * at one by index, so identical lists (most `print`s, unchanged menus across versions) are
 * stored once. Everything is sorted, so the output only changes when the dumps do.
 */
export function computeExtract(sharedDir = DEFAULT_SHARED) {
  const dir = path.join(sharedDir, "routeros-schema");
  const files = readdirSync(dir)
    .map((name) => /^inspect-(.+)\.json$/.exec(name))
    .filter((m) => m !== null)
    .map((m) => ({ version: m[1], file: path.join(dir, m[0]) }))
    .sort((a, b) => compareVersions(a.version, b.version));
  if (files.length === 0) throw new Error(`no inspect-*.json in ${dir}`);

  // Oldest version first: adding a newer dump appends to the table instead of renumbering it.
  const args = [];
  const argIndex = new Map();
  const versions = {};
  for (const { version, file } of files) {
    const menus = extractVersion(JSON.parse(readFileSync(file, "utf8")));
    const out = {};
    for (const menuPath of Object.keys(menus).sort()) {
      const commands = {};
      for (const [verb, names] of Object.entries(menus[menuPath])) {
        const key = names.join("\n");
        let index = argIndex.get(key);
        if (index === undefined) {
          index = args.length;
          args.push(names);
          argIndex.set(key, index);
        }
        commands[verb] = index;
      }
      out[menuPath] = commands;
    }
    versions[version] = out;
  }
  const roots = Object.fromEntries(Object.entries(ROOTS).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { roots, args, versions };
}

/** JSON with one line per arg list and per menu: valid JSON, compact, and diffable. */
export function serializeExtract(extract) {
  const line = (value) => JSON.stringify(value);
  const lines = [
    "{",
    `  "generator": ${line("scripts/extract-routeros-schema.js from RouterOS /console/inspect dumps (tikoci/restraml); do not edit")},`,
    `  "roots": ${line(extract.roots)},`,
    '  "args": [',
    extract.args.map((a) => `    ${line(a)}`).join(",\n"),
    "  ],",
    '  "versions": {',
  ];
  const versionNames = Object.keys(extract.versions);
  versionNames.forEach((version, vi) => {
    const menus = extract.versions[version];
    lines.push(`    ${line(version)}: {`);
    const menuPaths = Object.keys(menus);
    menuPaths.forEach((menuPath, mi) => {
      lines.push(`      ${line(menuPath)}: ${line(menus[menuPath])}${mi < menuPaths.length - 1 ? "," : ""}`);
    });
    lines.push(`    }${vi < versionNames.length - 1 ? "," : ""}`);
  });
  lines.push("  }", "}", "");
  return lines.join("\n");
}

/** Human summary of how `actual` (the committed file) differs from `expected` (recomputed). */
export function diffSummary(expected, actual, limit = 40) {
  const out = [];
  const resolve = (extract, version, menuPath, verb) =>
    extract.args?.[extract.versions?.[version]?.[menuPath]?.[verb]] ?? null;
  const keys = (o) => Object.keys(o ?? {});
  const union = (a, b) => [...new Set([...keys(a), ...keys(b)])].sort();

  for (const version of union(expected.versions, actual.versions)) {
    const e = expected.versions[version];
    const a = actual.versions?.[version];
    if (!a) out.push(`${version}: missing from committed file`);
    else if (!e) out.push(`${version}: not in the dumps any more`);
    if (!a || !e) continue;
    for (const menuPath of union(e, a)) {
      if (!a[menuPath]) out.push(`${version} ${menuPath}: menu missing`);
      else if (!e[menuPath]) out.push(`${version} ${menuPath}: menu should not be there`);
      if (!a[menuPath] || !e[menuPath]) continue;
      for (const verb of union(e[menuPath], a[menuPath])) {
        const want = resolve(expected, version, menuPath, verb);
        const have = resolve(actual, version, menuPath, verb);
        if (have === null) out.push(`${version} ${menuPath} ${verb}: command missing`);
        else if (want === null) out.push(`${version} ${menuPath} ${verb}: command should not be there`);
        else if (want.join() !== have.join()) {
          const missing = want.filter((x) => !have.includes(x));
          const extra = have.filter((x) => !want.includes(x));
          out.push(`${version} ${menuPath} ${verb}: args missing [${missing}] extra [${extra}]`);
        }
      }
    }
  }
  if (JSON.stringify(expected.roots) !== JSON.stringify(actual.roots)) out.push("roots differ");
  if (out.length === 0) out.push("same content, different layout (rerun the script to rewrite it)");
  return out.length > limit ? [...out.slice(0, limit), `... and ${out.length - limit} more`] : out;
}

function parseArgs(argv) {
  const opts = { shared: DEFAULT_SHARED, out: DEFAULT_OUT, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") opts.check = true;
    else if ((arg === "--shared" || arg === "--out") && argv[i + 1] !== undefined) {
      opts[arg.slice(2)] = path.resolve(argv[++i]);
    } else throw new Error(`unknown argument ${arg}; usage: [--shared <dir>] [--out <file>] [--check]`);
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const extract = computeExtract(opts.shared);
  const text = serializeExtract(extract);
  if (!opts.check) {
    writeFileSync(opts.out, text);
    console.log(`wrote ${opts.out} (${Math.round(Buffer.byteLength(text) / 1024)} KiB)`);
    // E.g. /system/routerboard: hardware-only, so the CHR dumps lack it.
    const versions = Object.values(extract.versions);
    for (const root of Object.keys(ROOTS).filter((r) => versions.every((menus) => !menus[r]))) {
      console.warn(`note: ${root} is in no dump; the schema will call it a missing menu`);
    }
    return 0;
  }
  if (!existsSync(opts.out)) {
    console.error(`${opts.out} does not exist; run without --check to write it`);
    return 1;
  }
  const committed = readFileSync(opts.out, "utf8");
  if (committed === text) {
    console.log(`${opts.out} matches the dumps in ${opts.shared}`);
    return 0;
  }
  let summary;
  try {
    summary = diffSummary(JSON.parse(text), JSON.parse(committed));
  } catch (e) {
    summary = [`committed file is not valid JSON: ${e.message}`];
  }
  console.error(`${opts.out} differs from the dumps in ${opts.shared}:`);
  for (const s of summary) console.error(`  ${s}`);
  return 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  }
}
