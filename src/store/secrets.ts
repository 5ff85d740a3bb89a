// Router passwords in the OS keyring, where one works. Many machines (servers, containers, CI) have
// none: the probe writes and reads back a value, and without a keyring bgpals falls back to
// environment variables, a prompt, or a file sealed with the identity key. Passwords never go to
// plain files. BGPALS_KEYRING=off keeps bgpals away from the OS keyring altogether.
import { createHash, randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { keyringAllowed } from "./keyring-switch.js";
import { standardConfigDir } from "./peers.js";

const SERVICE = "bgpals";
/**
 * One name for every probe: a keyring that keeps a key and then cannot find it (a Linux kernel
 * keyring without persistent keyrings, as @napi-rs/keyring uses it) cannot have it deleted either,
 * and a name per run left one key per start there, filling the user's key quota (200 by default).
 * Written again under the same name, the key is replaced: at most one is ever left.
 */
const PROBE = "probe";

interface KeyringEntry {
  setPassword(value: string): void;
  getPassword(): string | null | undefined;
  deletePassword(): boolean | void;
}

export type EntryClass = new (service: string, account: string) => KeyringEntry;

function entryClass(): EntryClass | null {
  try {
    // A native module: absent or broken on some platforms, which must not break bgpals.
    return (createRequire(import.meta.url)("@napi-rs/keyring") as { Entry: EntryClass }).Entry;
  } catch {
    return null;
  }
}

export interface SecretStore {
  readonly name: string;
  get(account: string): string | null;
  set(account: string, value: string): void;
  delete(account: string): void;
}

/**
 * The OS keyring behind `Entry` (unscoped account names), or null when it does not give back what
 * it was given. Another bgpals probing at the same moment may read the other's value: any probe
 * value read back counts, one missing counts as none (that run keeps its secrets in a file).
 */
export function probeKeyring(Entry: EntryClass): SecretStore | null {
  try {
    const probe = new Entry(SERVICE, PROBE);
    const value = randomBytes(8).toString("hex");
    probe.setPassword(value);
    const back = probe.getPassword();
    try {
      probe.deletePassword();
    } catch {
      // nothing to clean
    }
    if (back !== value && !/^[0-9a-f]{16}$/.test(back ?? "")) return null;
  } catch {
    return null;
  }
  return {
    name: "OS keyring",
    get: (account) => {
      try {
        return new Entry(SERVICE, account).getPassword() ?? null;
      } catch {
        return null;
      }
    },
    set: (account, value) => new Entry(SERVICE, account).setPassword(value),
    delete: (account) => {
      try {
        new Entry(SERVICE, account).deletePassword();
      } catch {
        // already gone
      }
    },
  };
}

function realHome(home: string): string {
  try {
    return realpathSync.native(home);
  } catch {
    return resolve(home);
  }
}

/**
 * The keyring's account for `account` of the config home `home`. The standard config home keeps the
 * plain names (`router:<profile>`, `monitor:<friend>`, ...: what earlier versions wrote); any other
 * (BGPALS_HOME) adds a tag of its path, so two homes on one machine never read or overwrite each
 * other's secrets (a profile or friend of the same name in both).
 */
export function keyringAccount(home: string, account: string): string {
  const real = realHome(home);
  if (real === realHome(standardConfigDir())) return account;
  return `${account}@home-${createHash("sha256").update(real).digest("hex").slice(0, 12)}`;
}

/** `store` with each account named for the config home `home` (keyringAccount). */
export function scopedTo(home: string, store: SecretStore): SecretStore {
  const named = (account: string) => keyringAccount(home, account);
  return {
    name: store.name,
    get: (account) => store.get(named(account)),
    set: (account, value) => store.set(named(account), value),
    delete: (account) => store.delete(named(account)),
  };
}

let probed: SecretStore | null | undefined;

/** The OS keyring with unscoped account names, or null when it is switched off or none works here. */
export function osKeyring(): SecretStore | null {
  if (!keyringAllowed()) return null;
  if (probed === undefined) {
    const Entry = entryClass();
    probed = Entry === null ? null : probeKeyring(Entry);
  }
  return probed;
}

/** The OS keyring for the secrets of config home `home` (keyringAccount), or null (osKeyring). */
export function keyring(home: string): SecretStore | null {
  const os = osKeyring();
  return os === null ? null : scopedTo(home, os);
}

export const routerAccount = (profile: string) => `router:${profile}`;
