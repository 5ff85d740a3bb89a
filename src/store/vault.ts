// Secrets that must outlive a run where no OS keyring works (PPP passwords, the password of the
// account granted to a friend's monitor): sealed with the identity key, in `<config>/secrets.json`
// (mode 0600). Never in plain text, never in peers/.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Identity } from "../core/bundle.js";
import { secretBox } from "./sealed.js";
import type { SecretStore } from "./secrets.js";

interface VaultFile {
  format: "bgpals/secrets@1";
  keyId: string;
  entries: Record<string, string>;
}

export function vaultFile(home: string): string {
  return join(home, "secrets.json");
}

/** The sealed secret file of a config home, opened with its identity. */
export function vaultAt(home: string, identity: Identity): SecretStore {
  const file = vaultFile(home);
  const box = secretBox(identity, "secrets");
  const load = (): VaultFile => {
    if (!existsSync(file)) return { format: "bgpals/secrets@1", keyId: box.keyId, entries: {} };
    const saved = JSON.parse(readFileSync(file, "utf8")) as VaultFile;
    // Sealed with another identity: those entries cannot be opened; new ones start over.
    return saved.keyId === box.keyId ? saved : { format: "bgpals/secrets@1", keyId: box.keyId, entries: {} };
  };
  const save = (vault: VaultFile) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(vault, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  return {
    name: `an encrypted file (${file})`,
    get(account) {
      const sealed = load().entries[account];
      if (sealed === undefined) return null;
      const value = box.open(sealed);
      return typeof value === "string" ? value : null;
    },
    set(account, value) {
      const vault = load();
      vault.entries[account] = box.seal(value);
      save(vault);
    },
    delete(account) {
      const vault = load();
      if (vault.entries[account] === undefined) return;
      delete vault.entries[account];
      save(vault);
    },
  };
}
