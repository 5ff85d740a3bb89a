// The OS keyring: a probe that leaves at most one key behind, accounts named per config home (two
// homes on one machine never share a secret), BGPALS_KEYRING=off, and a friend's monitor password
// that never lands in a plain file.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { friendMonitorAccount, monitorAccountFile, saveFriendMonitorAccount, savedPppPassword, savePppPasswords } from "../../src/store/friends.js";
import { loadIdentity } from "../../src/store/identity.js";
import { keyringAllowed } from "../../src/store/keyring-switch.js";
import { keyringAccount, probeKeyring, type EntryClass, type SecretStore } from "../../src/store/secrets.js";
import { vaultFile } from "../../src/store/vault.js";
import type { Workspace } from "../../src/store/workspace.js";
import { tempDir } from "../helpers.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** An in-memory keyring; `keeps` false is one that takes a key, fails, and never finds it again. */
function fakeEntries(keeps: boolean): { Entry: EntryClass; held: Map<string, string> } {
  const held = new Map<string, string>();
  const Entry = class {
    constructor(
      private readonly service: string,
      private readonly account: string,
    ) {}
    private get key() {
      return `${this.service}/${this.account}`;
    }
    setPassword(value: string) {
      held.set(this.key, value);
      if (!keeps) throw new Error("No matching entry found in secure storage");
    }
    getPassword() {
      return keeps ? (held.get(this.key) ?? null) : null;
    }
    deletePassword() {
      if (!keeps) return false;
      return held.delete(this.key);
    }
  };
  return { Entry, held };
}

function memoryStore(): SecretStore & { held: Map<string, string> } {
  const held = new Map<string, string>();
  return { name: "memory", held, get: (a) => held.get(a) ?? null, set: (a, v) => void held.set(a, v), delete: (a) => void held.delete(a) };
}

describe("the probe", () => {
  it("takes a keyring that gives back what it was given, and leaves nothing in it", () => {
    const { Entry, held } = fakeEntries(true);
    const store = probeKeyring(Entry);
    expect(store).not.toBeNull();
    expect(held.size).toBe(0);
    store!.set("router:home", "pw");
    expect(store!.get("router:home")).toBe("pw");
  });

  it("refuses one that keeps a key it cannot find again", () => {
    const { Entry, held } = fakeEntries(false);
    expect(probeKeyring(Entry)).toBeNull();
    expect(probeKeyring(Entry)).toBeNull();
    // Such a keyring cannot have the probe's key deleted: every probe writes the same one.
    expect(held.size).toBe(1);
  });

  const keysFile = "/proc/keys";
  const dist = fileURLToPath(new URL("../../dist/store/secrets.js", import.meta.url));
  it.skipIf(!existsSync(keysFile) || !existsSync(dist))("leaves at most one key in the real kernel keyring, however many runs probe", () => {
    const probeKeys = () =>
      new Set(
        readFileSync(keysFile, "utf8")
          .split("\n")
          .filter((line) => /\skeyring-rs:probe\S*@bgpals:/.test(line))
          .map((line) => line.split(" ")[0]),
      );
    const before = probeKeys();
    const home = tempDir("bgpals-keyring-");
    const script = `const { keyring } = await import(${JSON.stringify(dist)}); process.stdout.write(keyring(${JSON.stringify(home)}) === null ? "none" : "works");`;
    const verdicts = [1, 2, 3].map(() => execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, BGPALS_KEYRING: "on" } }));
    // One verdict for the machine, whichever it is; and three runs that probed leave at most one new key.
    expect(new Set(verdicts).size).toBe(1);
    expect([...probeKeys()].filter((serial) => !before.has(serial)).length).toBeLessThanOrEqual(1);
  });
});

describe("BGPALS_KEYRING", () => {
  it("off keeps bgpals away from the keyring; on or unset uses it; another word is refused", () => {
    for (const off of ["off", "OFF", "no", "false", "0"]) expect(keyringAllowed({ BGPALS_KEYRING: off })).toBe(false);
    for (const on of [undefined, "", "on", "yes", "1"]) expect(keyringAllowed({ BGPALS_KEYRING: on })).toBe(true);
    expect(() => keyringAllowed({ BGPALS_KEYRING: "sometimes" })).toThrow(/BGPALS_KEYRING=sometimes: use off .* or on/);
  });
});

describe("accounts per config home", () => {
  it("keep the plain names in the standard home and tag any other by its path", () => {
    const xdg = tempDir("bgpals-xdg-");
    vi.stubEnv("XDG_CONFIG_HOME", xdg);
    mkdirSync(join(xdg, "bgpals"));
    expect(keyringAccount(join(xdg, "bgpals"), "router:home")).toBe("router:home");
    const one = tempDir("bgpals-home-");
    const two = tempDir("bgpals-home-");
    const a = keyringAccount(one, "router:home");
    expect(a).toMatch(/^router:home@home-[0-9a-f]{12}$/);
    expect(keyringAccount(two, "router:home")).not.toBe(a);
    // The same home reached through a link is the same home.
    const link = join(tempDir("bgpals-link-"), "home");
    symlinkSync(one, link);
    expect(keyringAccount(link, "router:home")).toBe(a);
  });

  it("two homes sharing one keyring never read or overwrite each other's secrets", () => {
    const shared = memoryStore();
    const homes = [tempDir("bgpals-home-"), tempDir("bgpals-home-")];
    const spaces: Workspace[] = homes.map((home) => ({ home, peersDir: join(home, "peers"), secrets: shared }));
    spaces.forEach((ws, i) => {
      expect(saveFriendMonitorAccount(ws, "carol", { api: "10.0.0.1:8728", user: "bgpals-carol-ro" }, `monitor-${i}`)).toBe("keyring");
      expect(savePppPasswords(ws, "alice-carol", { isp1: `ppp-${i}` })).toBe("keyring");
    });
    spaces.forEach((ws, i) => {
      expect(friendMonitorAccount(ws, "carol")?.password).toBe(`monitor-${i}`);
      expect(savedPppPassword(ws, "alice-carol", "isp1")).toBe(`ppp-${i}`);
    });
    expect(shared.held.size).toBe(4);
  });
});

describe("a friend's monitor account without a keyring", () => {
  it("keeps the password sealed with the identity key, never in a plain file; without an identity, nowhere", () => {
    const home = tempDir("bgpals-home-");
    const ws: Workspace = { home, peersDir: join(home, "peers"), secrets: null };
    const grant = { api: "10.0.0.1:8728", user: "bgpals-carol-ro" };
    expect(saveFriendMonitorAccount(ws, "carol", grant, "monitor-secret-4321")).toBeNull();
    expect(existsSync(monitorAccountFile(ws, "carol"))).toBe(false);
    loadIdentity("alice", home);
    expect(saveFriendMonitorAccount(ws, "carol", grant, "monitor-secret-4321")).toBe("file");
    for (const file of [monitorAccountFile(ws, "carol"), vaultFile(home)]) expect(readFileSync(file, "utf8")).not.toContain("monitor-secret-4321");
    expect(friendMonitorAccount(ws, "carol")).toEqual({ host: "10.0.0.1", port: 8728, user: "bgpals-carol-ro", password: "monitor-secret-4321" });
  });

  it("moves a password an earlier version wrote in plain into the sealed file when read", () => {
    const home = tempDir("bgpals-home-");
    const ws: Workspace = { home, peersDir: join(home, "peers"), secrets: null };
    loadIdentity("alice", home);
    const file = monitorAccountFile(ws, "carol");
    mkdirSync(join(home, "monitor"), { recursive: true });
    writeFileSync(file, JSON.stringify({ format: "bgpals/friend-monitor@1", monitor: { api: "10.0.0.1:8728", user: "bgpals-carol-ro", passwordIn: "file", password: "old-plain-8765" } }));
    expect(friendMonitorAccount(ws, "carol")?.password).toBe("old-plain-8765");
    expect(readFileSync(file, "utf8")).not.toContain("old-plain-8765");
    expect(readFileSync(vaultFile(home), "utf8")).not.toContain("old-plain-8765");
    expect(friendMonitorAccount(ws, "carol")?.password).toBe("old-plain-8765");
  });
});
