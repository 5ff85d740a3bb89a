// The journal on disk: 0600 in a 0700 directory, one line a record, secrets sealed with the
// identity key (never in clear), left out and flagged without one, unreadable with another one.
import { existsSync, readFileSync, statSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createIdentity } from "../../src/core/bundle.js";
import { fileJournals, journalDir } from "../../src/store/journal.js";
import { vaultAt, vaultFile } from "../../src/store/vault.js";
import { grantedMonitorPassword, saveGrantedMonitorPassword, savedPppPassword, savePppPasswords } from "../../src/store/friends.js";
import { loadIdentity } from "../../src/store/identity.js";
import { tempDir } from "../helpers.js";

const KEY = "GBKgGxdT+q7oleOnpfU1ouVDvCWe+26asTnN8Xmc1XA=";
const RUN = { command: "remove", peering: "alice-remi", router: "home", host: "laptop", pid: 4242, startedAt: "2026-01-01T00:00:00.000Z" };

function journalOf(identity = createIdentity("alice")) {
  const home = tempDir("bgpals-journal-");
  return { home, journal: fileJournals(home, identity)("192.168.88.1:8728") };
}

describe("the journal file", () => {
  it("is 0600 in a 0700 directory, keeps every record in order, and holds no secret in clear", () => {
    const { home, journal } = journalOf();
    journal.begin(RUN);
    journal.before({ path: "/interface/wireguard", items: [{ name: "wg-remi-isp1" }] }, { "0.private-key": KEY });
    journal.intend([{ seq: 1, what: "remove /interface/wireguard (tunnel-isp1)", record: { kind: "change", change: { op: "remove" } }, secrets: { "removed.private-key": KEY } }]);
    journal.answered([1]);
    expect(statSync(journal.file).mode & 0o777).toBe(0o600);
    expect(statSync(journalDir(home)).mode & 0o777).toBe(0o700);
    expect(journal.file).toBe(join(home, "journal", "192.168.88.1_8728.jsonl"));
    const text = readFileSync(journal.file, "utf8");
    expect(text).not.toContain(KEY);
    expect(text).toContain('"sealed"');

    const back = journal.read()!;
    expect(back.run).toEqual(RUN);
    expect(back.secretsMissing).toBe(false);
    expect(back.before).toEqual([{ record: { path: "/interface/wireguard", items: [{ name: "wg-remi-isp1" }] }, secrets: { "0.private-key": KEY } }]);
    expect(back.writes).toEqual([{ seq: 1, what: "remove /interface/wireguard (tunnel-isp1)", record: { kind: "change", change: { op: "remove" } }, secrets: { "removed.private-key": KEY }, answered: true, undone: false }]);

    journal.undone([1]);
    expect(journal.read()!.writes[0]!.undone).toBe(true);
    journal.finish();
    expect(existsSync(journal.file)).toBe(false);
  });

  it("reads what a crash left, a torn last line included", () => {
    const { journal } = journalOf();
    journal.begin(RUN);
    journal.intend([{ seq: 1, what: "add /ip/address (address-isp1)", record: {} }]);
    appendFileSync(journal.file, '{"t":"intend","seq":2,"wh');
    expect(journal.read()!.writes.map((w) => w.seq)).toEqual([1]);
  });

  it("without an identity keeps no secret, and says so", () => {
    const { journal } = journalOf(null as never);
    expect(journal.keepsSecrets).toBe(false);
    journal.begin(RUN);
    journal.intend([{ seq: 1, what: "remove /interface/wireguard (tunnel-isp1)", record: {}, secrets: { "removed.private-key": KEY } }]);
    expect(readFileSync(journal.file, "utf8")).not.toContain(KEY);
    const back = journal.read()!;
    expect(back.secretsMissing).toBe(true);
    expect(back.writes[0]!.secrets).toBeUndefined();
  });

  it("sealed with another identity, its secrets cannot be opened", () => {
    const { home, journal } = journalOf();
    journal.begin(RUN);
    journal.intend([{ seq: 1, what: "remove", record: {}, secrets: { "removed.private-key": KEY } }]);
    const other = fileJournals(home, createIdentity("mallory"))("192.168.88.1:8728").read()!;
    expect(other.secretsMissing).toBe(true);
    expect(other.writes[0]!.secrets).toBeUndefined();
  });
});

describe("secrets where no keyring works", () => {
  it("go to <config>/secrets.json, 0600, sealed with the identity key; without an identity, nowhere", () => {
    const home = tempDir("bgpals-vault-");
    const ws = { home, peersDir: join(home, "peers"), secrets: null };
    expect(savePppPasswords(ws, "alice-carol", { isp1: "first-secret-1234" })).toBeNull();
    loadIdentity("alice", home);
    expect(savePppPasswords(ws, "alice-carol", { isp1: "first-secret-1234", isp2: "second-secret-5678" })).toBe("file");
    expect(saveGrantedMonitorPassword(ws, "alice-carol", "monitor-secret-9999")).toBe("file");
    expect(statSync(vaultFile(home)).mode & 0o777).toBe(0o600);
    const text = readFileSync(vaultFile(home), "utf8");
    for (const secret of ["first-secret-1234", "second-secret-5678", "monitor-secret-9999"]) expect(text).not.toContain(secret);
    expect(savedPppPassword(ws, "alice-carol", "isp2")).toBe("second-secret-5678");
    expect(grantedMonitorPassword(ws, "alice-carol")).toBe("monitor-secret-9999");
    expect(savedPppPassword(ws, "alice-carol", "isp3")).toBeNull();
    // Another identity cannot open them.
    expect(vaultAt(home, createIdentity("mallory")).get("ppp:alice-carol:isp1")).toBeNull();
  });
});
