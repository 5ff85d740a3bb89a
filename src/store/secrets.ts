// Router passwords in the OS keyring, where one works. Many machines (servers, containers, CI) have
// none: the probe writes and reads back a value, and without a keyring bgpals falls back to
// environment variables or a prompt. Passwords never go to plain files.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

const SERVICE = "bgpals";

interface KeyringEntry {
  setPassword(value: string): void;
  getPassword(): string | null | undefined;
  deletePassword(): boolean | void;
}

type EntryClass = new (service: string, account: string) => KeyringEntry;

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

let probed: SecretStore | null | undefined;

/** The OS keyring, or null when this machine has none that works. */
export function keyring(): SecretStore | null {
  if (probed !== undefined) return probed;
  probed = null;
  const Entry = entryClass();
  if (Entry === null) return null;
  try {
    const probe = new Entry(SERVICE, `probe-${process.pid}`);
    const value = randomBytes(8).toString("hex");
    probe.setPassword(value);
    const back = probe.getPassword();
    try {
      probe.deletePassword();
    } catch {
      // nothing to clean
    }
    if (back !== value) return null;
  } catch {
    return null;
  }
  probed = {
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
  return probed;
}

export const routerAccount = (profile: string) => `router:${profile}`;
