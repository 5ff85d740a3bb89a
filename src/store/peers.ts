// Where bgpals keeps its files, and reading the peers directory.
import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parsePeeringText, type FileProblem, type Peering } from "../core/peering.js";
import { UserError } from "../errors.js";

/** BGPALS_HOME, else the standard place (standardConfigDir). */
export function configDir(): string {
  return process.env.BGPALS_HOME || standardConfigDir();
}

/** $XDG_CONFIG_HOME/bgpals, else ~/.config/bgpals: the config home when BGPALS_HOME is not set. */
export function standardConfigDir(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), ".config"), "bgpals");
}

export function defaultPeersDir(): string {
  return join(configDir(), "peers");
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (e as Error).message;
    throw new UserError(`cannot read ${what} ${file}: ${why}`);
  }
}

export function formatProblems(file: string, problems: readonly FileProblem[]): string {
  return [`${file} is not a valid peering file (${problems.length} problem${problems.length > 1 ? "s" : ""}):`, ...problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n");
}

/** Reads and validates one peering file; every problem is reported at once. */
export function loadPeering(file: string): Peering {
  const result = parsePeeringText(readText(file, "peering file"));
  if (!result.ok) throw new UserError(formatProblems(file, result.problems));
  return result.peering;
}

/**
 * Every valid peering in a peers directory. A broken file there is reported, not skipped
 * silently: ASN and prefix checks across friends would otherwise be wrong.
 */
export function loadPeersDirectory(dir: string, exclude?: string): Peering[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new UserError(`cannot read peers directory ${dir}: ${(e as Error).message}`);
  }
  const peerings: Peering[] = [];
  for (const f of entries.sort()) {
    const peering = loadPeering(join(dir, f));
    if (peering.name !== exclude) peerings.push(peering);
  }
  return peerings;
}
