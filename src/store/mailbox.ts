// Every bundle made or received, kept in the config home: outbox/ (what this side sent) and inbox/
// (what it took), one file per bundle, mode 0600 in directories of mode 0700. A lost offer or
// answer can be shown again, the same offer accepted twice gets the same answer, and Home lists
// peerings half-way. Bundles carry secrets only sealed to their recipient, so their text is kept
// as it was sent.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configDir } from "./peers.js";

export type MailboxDirection = "outbox" | "inbox";
export type KeptKind = "offer" | "answer";
/**
 * waiting: an offer sent, no answer yet; answered: an offer taken and answered (this side applied);
 * completed: both sides applied here; cancelled: given up from Home; replaced: a newer offer to
 * the same friend took its place.
 */
export type KeptState = "waiting" | "answered" | "completed" | "cancelled" | "replaced";

export interface KeptBundle {
  format: "bgpals/kept-bundle@1";
  direction: MailboxDirection;
  kind: KeptKind;
  /** The other side's name. */
  friend: string;
  peering: string;
  /** The nonce of the offer this bundle is or answers: an offer and its answer share it. */
  offer: string;
  fingerprint: string;
  text: string;
  state: KeptState;
  /** The router profile the offer was made on (where its prepared objects are). */
  router?: string;
  /** When it was kept, ms since the epoch; `updated` when its state last changed. */
  at: number;
  updated: number;
}

// Nonces are hex: a file name, never a path.
const NONCE = /^[0-9a-f]{8,128}$/;

export function keptId(b: Pick<KeptBundle, "direction" | "kind" | "offer">): string {
  return `${b.direction}/${b.kind}-${b.offer}`;
}

function fileOf(home: string, direction: MailboxDirection, kind: KeptKind, offer: string): string {
  if (!NONCE.test(offer)) throw new Error(`not a bundle nonce: ${JSON.stringify(offer)}`);
  return join(home, direction, `${kind}-${offer}.json`);
}

function write(file: string, dir: string, value: KeptBundle): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Keeps a bundle (replacing the one kept for the same offer, direction and kind). */
export function keepBundle(bundle: Omit<KeptBundle, "format" | "updated">, home: string = configDir()): KeptBundle {
  const kept: KeptBundle = { format: "bgpals/kept-bundle@1", ...bundle, updated: bundle.at };
  write(fileOf(home, bundle.direction, bundle.kind, bundle.offer), join(home, bundle.direction), kept);
  return kept;
}

function read(file: string): KeptBundle | null {
  try {
    const j = JSON.parse(readFileSync(file, "utf8")) as Partial<KeptBundle>;
    if (j.format !== "bgpals/kept-bundle@1" || typeof j.text !== "string" || typeof j.offer !== "string" || typeof j.friend !== "string") return null;
    return j as KeptBundle;
  } catch {
    return null;
  }
}

export function keptBundle(direction: MailboxDirection, kind: KeptKind, offer: string, home: string = configDir()): KeptBundle | null {
  if (!NONCE.test(offer)) return null;
  const file = fileOf(home, direction, kind, offer);
  return existsSync(file) ? read(file) : null;
}

/** The bundle with this id (`keptId`), or null. */
export function keptById(id: string, home: string = configDir()): KeptBundle | null {
  const m = /^(outbox|inbox)\/(offer|answer)-([0-9a-f]+)$/.exec(id);
  return m ? keptBundle(m[1] as MailboxDirection, m[2] as KeptKind, m[3]!, home) : null;
}

/** Every kept bundle, newest first; unreadable files are skipped. */
export function keptBundles(home: string = configDir()): KeptBundle[] {
  const all: KeptBundle[] = [];
  for (const direction of ["outbox", "inbox"] as const) {
    const dir = join(home, direction);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(".json")) continue;
      const kept = read(join(dir, name));
      if (kept !== null) all.push(kept);
    }
  }
  return all.sort((a, b) => b.at - a.at);
}

/** Moves a kept bundle to another state; nothing when none is kept. */
export function setKeptState(direction: MailboxDirection, kind: KeptKind, offer: string, state: KeptState, now: number = Date.now(), home: string = configDir()): void {
  const kept = keptBundle(direction, kind, offer, home);
  if (kept === null) return;
  write(fileOf(home, direction, kind, offer), join(home, direction), { ...kept, state, updated: now });
}
