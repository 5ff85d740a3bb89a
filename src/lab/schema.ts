// RouterOS 7 command trees: which menus, commands and arguments exist on a version, from the
// extract scripts/extract-routeros-schema.js writes to ./schema/trees.json. Used to check that
// what bgpals sends or prints exists on the target router, and by the lab to refuse what a
// real router would refuse.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closestOf, sortVersions } from "./versions.js";

/** Layout of trees.json (see the extract script). */
interface TreesFile {
  /** Extracted menu -> "tree" (with every sub-menu) or "menu" (that menu alone). */
  roots: Record<string, string>;
  /** Distinct sorted argument lists, shared by index. */
  args: string[][];
  /** version -> menu path -> verb -> index into `args`. */
  versions: Record<string, Record<string, Record<string, number>>>;
}

// Naming the JSON in a type makes it part of the program, so `tsc -p tsconfig.build.json`
// copies it to dist/lab/schema/trees.json next to this module; no build step needed.
type TreesJson = typeof import("./schema/trees.json", { with: { type: "json" } });

// Next to the module (src under vitest, dist after a build); from a chunk of the CLI's bundle
// (dist/bundle/, scripts/bundle.js) the copy tsc left in dist/lab/; then the source tree for a
// dist/ built before the JSON existed.
const CANDIDATES = ["./schema/trees.json", "../lab/schema/trees.json", "../../src/lab/schema/trees.json"];

let cache: TreesFile | undefined;
let sortedVersions: string[] | undefined;

function trees(): TreesFile {
  if (cache !== undefined) return cache;
  const files = CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url)));
  const file = files.find((f) => existsSync(f));
  if (file === undefined) {
    throw new Error(`RouterOS schema extract not found (looked for ${files.join(", ")}); run npm run build`);
  }
  const parsed: TreesFile = JSON.parse(readFileSync(file, "utf8")) as TreesJson;
  cache = parsed;
  return parsed;
}

export type SchemaProblemKind = "no-such-menu" | "no-such-command" | "unknown-argument";

export interface SchemaProblem {
  kind: SchemaProblemKind;
  path: string;
  verb: string;
  attr?: string;
  /** What RouterOS's API answers in its `!trap`. */
  message: string;
}

/** The part of a RouterCommand the schema can judge (any verb, not only add/set). */
export interface SchemaCommand {
  path: string;
  verb: string;
  attrs: Record<string, string>;
}

/** API words RouterOS accepts on any command; they are not in the console tree. */
const API_WORDS = new Set([".id", "numbers", ".proplist", ".query", ".tag"]);
/** API-only verbs (and print) every menu answers, whether or not the tree lists them. */
const API_VERBS = new Set(["listen", "getall", "cancel", "print"]);

// Trap wording, as RouterOS's API sends it and client libraries report it:
// - unknown menu: "no such command prefix" (terraform-routeros/terraform-provider-routeros#781,
//   GideonLeGrange/mikrotik-java#52; RouterOS 7 sends it after "no such command or directory (<segment>)",
//   home-assistant/core#68115);
// - unknown verb in a menu: "no such command" (socialwifi/RouterOS-api#55, aluisiora/node-routeros#29);
// - unknown attribute: "unknown parameter <name>" on RouterOS 7 (terraform-routeros/terraform-provider-routeros#535,
//   "unknown parameter thr-rtt-max"); RouterOS 6 omits the name.
const NO_SUCH_MENU = "no such command prefix";
const NO_SUCH_COMMAND = "no such command";
const unknownParameter = (attr: string) => `unknown parameter ${attr}`;

/** Versions in the extract, oldest first. */
export function schemaVersions(): string[] {
  sortedVersions ??= sortVersions(Object.keys(trees().versions));
  return [...sortedVersions];
}

/**
 * The tree to judge `version` by: the newest extracted version not newer than it, or the
 * oldest for a 7.x older than all of them. null for anything but RouterOS 7 (6.x has no tree).
 */
export function closestSchemaVersion(version: string): string | null {
  return closestOf(schemaVersions(), version);
}

/** "/routing bgp connection" (script form) or "/routing/bgp/connection/" -> "/routing/bgp/connection". */
function normalizePath(path: string): string {
  return path.trim().replace(/\s+/g, "/").replace(/\/+$/, "");
}

function menuOf(version: string, path: string): Record<string, number> | null {
  const schema = closestSchemaVersion(version);
  if (schema === null) return null;
  return trees().versions[schema]?.[normalizePath(path)] ?? null;
}

function argsAt(index: number | undefined): string[] | null {
  return index === undefined ? null : (trees().args[index] ?? null);
}

/** Whether the extract holds this menu; false on RouterOS 6 (no tree) and for menus outside the extract. */
export function menuExists(version: string, path: string): boolean {
  return menuOf(version, path) !== null;
}

/** Sorted argument names of a command in the console tree, or null when the menu or command is absent. */
export function commandArgs(version: string, path: string, verb: string): string[] | null {
  const menu = menuOf(version, path);
  const args = menu === null ? null : argsAt(menu[verb]);
  return args === null ? null : [...args];
}

/** Whether a menu lies inside what the extract script keeps, i.e. whether its absence means anything. */
function covered(path: string): boolean {
  return Object.entries(trees().roots).some(
    ([root, mode]) => path === root || (mode === "tree" && path.startsWith(`${root}/`)),
  );
}

/**
 * What the router would refuse in `cmd`, with RouterOS's trap wording. Empty when it would be
 * accepted, and on RouterOS 6, which has no tree (check `closestSchemaVersion` first when that
 * matters). Query words (`?name`) are not checked: they may name read-only properties, which
 * the tree does not list.
 */
export function checkCommand(version: string, cmd: SchemaCommand): SchemaProblem[] {
  if (closestSchemaVersion(version) === null) return [];
  const path = normalizePath(cmd.path);
  const { verb } = cmd;
  const menu = menuOf(version, path);
  if (menu === null) {
    const message = covered(path)
      ? NO_SUCH_MENU
      : `${NO_SUCH_MENU} (${path} is outside bgpals's RouterOS schema extract; add it to scripts/extract-routeros-schema.js)`;
    return [{ kind: "no-such-menu", path, verb, message }];
  }

  let allowed = argsAt(menu[verb]);
  if (allowed === null) {
    if (!API_VERBS.has(verb)) return [{ kind: "no-such-command", path, verb, message: NO_SUCH_COMMAND }];
    // listen/getall take print's arguments; cancel names the request to stop by `tag`.
    allowed = verb === "cancel" ? ["tag"] : (argsAt(menu["print"]) ?? []);
  }

  const problems: SchemaProblem[] = [];
  for (const attr of Object.keys(cmd.attrs)) {
    if (API_WORDS.has(attr) || attr.startsWith("?") || allowed.includes(attr)) continue;
    problems.push({ kind: "unknown-argument", path, verb, attr, message: unknownParameter(attr) });
  }
  return problems;
}
