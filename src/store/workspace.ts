// What an operator's flows read and write locally: the config home (identity, seen bundles,
// pending offers) and the peers directory. Passed explicitly so the demo can run two operators
// in one process.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isIPv4Prefix } from "../core/ipv4.js";
import { nameProblem, parsePeeringText, type Peering } from "../core/peering.js";
import { UserError } from "../errors.js";
import { friendKeyFile, keyTakenMessage, knownFriend } from "./identity.js";
import { configDir, defaultPeersDir, loadPeersDirectory } from "./peers.js";
import type { SecretStore } from "./secrets.js";

export interface Workspace {
  home: string;
  peersDir: string;
  /**
   * Where secrets that must outlive a run go (a friend's monitor password, PPP passwords):
   * undefined asks the OS keyring, null means none (sealed in `home`'s secrets.json instead, or
   * nowhere without an identity). Either way its accounts are named for `home` (secrets.ts scopedTo).
   */
  secrets?: SecretStore | null;
}

export function defaultWorkspace(peersDir?: string): Workspace {
  return { home: configDir(), peersDir: peersDir ?? defaultPeersDir() };
}

export function workspaceAt(home: string): Workspace {
  return { home, peersDir: join(home, "peers") };
}

export function peersOf(ws: Workspace, exclude?: string): Peering[] {
  return loadPeersDirectory(ws.peersDir, exclude);
}

export function peeringFile(ws: Workspace, friend: string): string {
  const problem = nameProblem(friend);
  if (problem !== null) throw new UserError(`a friend's name must ${problem}, not ${JSON.stringify(friend)}`);
  return join(ws.peersDir, `${friend}.json`);
}

/** The name of the peering kept in peers/<friend>.json, "" when unreadable, or null when there is none. */
function keptPeeringName(file: string): string | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = parsePeeringText(readFileSync(file, "utf8"));
    return parsed.ok ? parsed.peering.name : "";
  } catch {
    return "";
  }
}

/** Why a friend's name is taken: another key kept for it, a peering kept under it (messages), or null. */
export interface NameTaken {
  key: string | null;
  peering: string | null;
}

/**
 * Whether a friend of this name cannot be taken without `--replace`: a peering with that name is
 * kept already (its file would be overwritten), or the bundle is signed by another key than the one
 * kept for that name. Null when the name is free (or the same friend comes back, with no peering kept).
 */
export function friendNameTaken(ws: Workspace, friend: string, signKey?: string): NameTaken | null {
  let key: string | null = null;
  if (signKey !== undefined) {
    const known = knownFriend(friend, ws.home);
    if (known !== null && known.signKey !== signKey) key = keyTakenMessage(friend, friendKeyFile(friend, ws.home)!);
  }
  const file = peeringFile(ws, friend);
  const kept = keptPeeringName(file);
  const peering =
    kept === null
      ? null
      : `you already have a peering with ${friend} (${file}${kept === "" ? "" : `, peering ${kept}`}), which this would overwrite: ` +
        `to replace it, run again with --replace (its objects stay on your router until \`bgpals remove --peering ${file}\` removes them: remove it first if it goes away); ` +
        `to keep it, give the new friend another name`;
  return key === null && peering === null ? null : { key, peering };
}

export function takenMessage(taken: NameTaken): string {
  return [taken.key, taken.peering].filter((m) => m !== null).join("\n");
}

/**
 * Keeps a peering as peers/<friend>.json. A file holding another peering is replaced only with
 * `replace` (the flows ask for --replace before anything is written; this is the last guard).
 */
export function savePeering(ws: Workspace, friend: string, peering: Peering, options: { replace?: boolean } = {}): string {
  const file = peeringFile(ws, friend);
  const kept = keptPeeringName(file);
  if (kept !== null && kept !== peering.name && !options.replace) {
    throw new UserError(`${file} holds ${kept === "" ? "something else" : `peering ${kept}`}, not ${peering.name}: nothing overwritten; run again with --replace to replace it`);
  }
  mkdirSync(ws.peersDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(peering, null, 2)}\n`);
  return file;
}

export function forgetPeering(ws: Workspace, friend: string): void {
  rmSync(peeringFile(ws, friend), { force: true });
}

// --- public space the user confirmed ----------------------------------------------------------

// Kept in the config home, never under peers/ (which a friend may share or edit): only this
// user's own flags put prefixes here.
interface AcceptedPublicFile {
  format: "bgpals/accepted-public@1";
  peerings: Record<string, { friend: string; prefixes: string[] }>;
}

export function acceptedPublicFile(ws: Workspace): string {
  return join(ws.home, "accepted-public.json");
}

function readAccepted(ws: Workspace): AcceptedPublicFile {
  const file = acceptedPublicFile(ws);
  const empty: AcceptedPublicFile = { format: "bgpals/accepted-public@1", peerings: {} };
  if (!existsSync(file)) return empty;
  try {
    const j = JSON.parse(readFileSync(file, "utf8")) as Partial<AcceptedPublicFile>;
    if (j.format !== empty.format || typeof j.peerings !== "object" || j.peerings === null) throw new Error("not a bgpals/accepted-public@1 file");
    return j as AcceptedPublicFile;
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as Error).message}; fix or remove it (it lists the public prefixes you confirmed with --accept-public)`);
  }
}

/** Public prefixes this user confirmed before for a friend's side of a peering. */
export function acceptedPublic(ws: Workspace, peering: string, friend: string): string[] {
  const entry = readAccepted(ws).peerings[peering];
  return entry !== undefined && entry.friend === friend && Array.isArray(entry.prefixes) ? entry.prefixes.filter((p) => typeof p === "string" && isIPv4Prefix(p)) : [];
}

/** Adds prefixes the user confirmed with --accept-public, for later plans and applies of that peering. */
export function rememberAcceptedPublic(ws: Workspace, peering: string, friend: string, prefixes: readonly string[]): void {
  if (prefixes.length === 0) return;
  const saved = readAccepted(ws);
  const before = saved.peerings[peering]?.friend === friend ? saved.peerings[peering]!.prefixes : [];
  saved.peerings[peering] = { friend, prefixes: [...new Set([...before, ...prefixes])] };
  const file = acceptedPublicFile(ws);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Forgets what was confirmed for a peering (its friend was replaced by another identity). */
export function forgetAcceptedPublic(ws: Workspace, peering: string): void {
  const saved = readAccepted(ws);
  if (saved.peerings[peering] === undefined) return;
  delete saved.peerings[peering];
  writeFileSync(acceptedPublicFile(ws), `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
}
