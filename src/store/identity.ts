// The operator's identity key (signs bundles, receives secrets) and the nonces of bundles already
// used. Both live in the config directory with file mode 0600.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createIdentity, identityFromJson, identityToJson, type Identity, type PublicIdentity } from "../core/bundle.js";
import { configDir } from "./peers.js";
import { UserError } from "../errors.js";

function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Loads the identity, creating it on first use under `name`. */
export function loadIdentity(name: string, home: string = configDir()): Identity {
  const { identity, saved } = peekIdentity(name, home);
  if (!saved) saveIdentity(identity, home);
  return identity;
}

/**
 * The identity kept in `home`, or a new one under `name` that is not written yet (`saved: false`):
 * opening a friend's bundle must not write anything until the bundle is taken.
 */
export function peekIdentity(name: string, home: string = configDir()): { identity: Identity; saved: boolean } {
  const file = join(home, "identity.json");
  if (!existsSync(file)) {
    try {
      return { identity: createIdentity(name), saved: false };
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  }
  return { identity: readIdentity(name, file), saved: true };
}

/** Writes a new identity (mode 0600); never replaces one that exists. */
export function saveIdentity(identity: Identity, home: string = configDir()): void {
  const file = join(home, "identity.json");
  if (existsSync(file)) {
    // Made meanwhile by another run: only the same keys may stand for this one.
    if (readIdentity(identity.name, file).signKey !== identity.signKey) throw new UserError(`another identity was saved in ${file} while this ran: nothing more written; start again`);
    return;
  }
  writePrivate(file, `${JSON.stringify(identityToJson(identity), null, 2)}\n`);
}

function readIdentity(name: string, file: string): Identity {
  try {
    const identity = identityFromJson(JSON.parse(readFileSync(file, "utf8")));
    if (identity.name !== name) throw new UserError(`your identity (${file}) is ${identity.name}, not ${name}: use --me ${identity.name}, or move that file away to start a new identity`);
    return identity;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read your identity ${file}: ${(e as Error).message}`);
  }
}

/** Nonces of bundles already accepted, until they expire: a bundle works once. */
export class SeenNonces {
  private readonly file: string;
  private entries: Record<string, number>;

  constructor(now: number, home: string = configDir()) {
    this.file = join(home, "seen-bundles.json");
    this.entries = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, "utf8")) as Record<string, number>) : {};
    for (const [nonce, expires] of Object.entries(this.entries)) if (expires < now) delete this.entries[nonce];
  }

  has(nonce: string): boolean {
    return this.entries[nonce] !== undefined;
  }

  remember(nonce: string, expiresAt: number): void {
    this.entries[nonce] = expiresAt;
    writePrivate(this.file, JSON.stringify(this.entries));
  }
}

/** Offers waiting for an answer, by friend. */
export function pendingOfferFile(friend: string, home: string = configDir()): string {
  return join(home, "pending", `${friend}.json`);
}

export function savePending(friend: string, value: unknown, home: string = configDir()): void {
  writePrivate(pendingOfferFile(friend, home), `${JSON.stringify(value, null, 2)}\n`);
}

/** The name of the identity kept in `home`, or null before the first offer or accept. */
export function identityName(home: string = configDir()): string | null {
  const file = join(home, "identity.json");
  if (!existsSync(file)) return null;
  try {
    const name = (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name;
    return typeof name === "string" ? name : null;
  } catch {
    return null;
  }
}

/** The identity made by offer or accept, or null when this config directory has none yet. */
export function existingIdentity(home: string = configDir()): Identity | null {
  const file = join(home, "identity.json");
  if (!existsSync(file)) return null;
  try {
    return identityFromJson(JSON.parse(readFileSync(file, "utf8")));
  } catch (e) {
    throw new UserError(`cannot read your identity ${file}: ${(e as Error).message}`);
  }
}

// Friends' names become file names: the peering-name alphabet only, never a path.
const FRIEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/;

function friendFile(name: string, home: string): string | null {
  return FRIEND_NAME.test(name) ? join(home, "friends", `${name}.json`) : null;
}

/** Where a friend's public keys are kept (null for a name that cannot be a file name). */
export function friendKeyFile(name: string, home: string = configDir()): string | null {
  return friendFile(name, home);
}

/**
 * Keeps a friend's public keys (from their offer or answer): later bundles from them are checked
 * against them. Another key already kept under that name is replaced only with `replace`: a second
 * identity named like a friend must not take the friend's place silently.
 */
export function rememberFriend(friend: PublicIdentity, home: string = configDir(), options: { replace?: boolean } = {}): void {
  const file = friendFile(friend.name, home);
  if (file === null) throw new UserError(`a friend's name must be 1 to 31 ASCII letters, digits, '-' or '_', not ${JSON.stringify(friend.name)}`);
  const known = knownFriend(friend.name, home);
  if (known !== null && known.signKey !== friend.signKey && !options.replace) throw new UserError(keyTakenMessage(friend.name, file));
  writePrivate(file, `${JSON.stringify({ format: "bgpals/friend@1", name: friend.name, signKey: friend.signKey, boxKey: friend.boxKey }, null, 2)}\n`);
}

/** A friend's public keys, or null when none are kept here. */
export function knownFriend(name: string, home: string = configDir()): PublicIdentity | null {
  const file = friendFile(name, home);
  if (file === null || !existsSync(file)) return null;
  try {
    const j = JSON.parse(readFileSync(file, "utf8")) as Partial<PublicIdentity>;
    if (typeof j.signKey !== "string" || typeof j.boxKey !== "string" || j.name !== name) throw new Error("not a friend file");
    return { name, signKey: j.signKey, boxKey: j.boxKey };
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as Error).message}; remove it and redo the offer with ${name}`);
  }
}

/** What to say when a bundle from `name` is signed by another key than the one kept for them. */
export function keyTakenMessage(name: string, file: string): string {
  return `a friend named ${name} is already known here with another identity key (${file}), and this bundle is signed by a different one: if ${name} really made a new identity, compare the fingerprint with them by voice, then run again with --replace; if it is someone else, ask them to use another name`;
}
