// The journal of the runs on one router, on disk: `<config>/journal/<host>_<port>.jsonl`, mode
// 0600 in a 0700 directory. One JSON object a line, appended: the run, what menus held before it
// first wrote to them, each write (flushed to disk before it is sent), which writes the router
// answered and which were undone. Secrets undo needs are sealed with the identity key, or left out
// (and the run says so) when there is no identity here. The file goes when the run ends with the
// router in a known state; one that stays is an interrupted run, for the next command to undo.
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Identity } from "../core/bundle.js";
import type { Journal, JournalContents, JournalRun, JournalWrite } from "../core/journal.js";
import { secretBox, type SecretBox } from "./sealed.js";

const FORMAT = "bgpals/journal@1";
const PURPOSE = "journal";

type Line =
  | ({ t: "run"; format: string; keyId: string | null } & JournalRun)
  | { t: "before"; record: unknown; sealed?: string; lost?: true }
  | { t: "intend"; seq: number; what: string; record: unknown; sealed?: string; lost?: true }
  | { t: "answered"; seqs: number[] }
  | { t: "undone"; seqs: number[]; recreated?: Record<string, string> };

/** The journal directory under a config home. */
export function journalDir(home: string): string {
  return join(home, "journal");
}

/** A router's journal file: its key (host:port) made a file name. */
export function journalFile(home: string, routerKey: string): string {
  return join(journalDir(home), `${routerKey.replace(/[^A-Za-z0-9._-]/g, "_")}.jsonl`);
}

class FileJournal implements Journal {
  readonly keepsSecrets: boolean;
  #fd: number | null = null;
  readonly #box: SecretBox | null;

  constructor(
    readonly file: string,
    identity: Identity | null,
  ) {
    this.#box = identity === null ? null : secretBox(identity, PURPOSE);
    this.keepsSecrets = this.#box !== null;
  }

  read(): JournalContents | null {
    if (!existsSync(this.file)) return null;
    const lines: Line[] = [];
    for (const text of readFileSync(this.file, "utf8").split("\n")) {
      if (text.trim() === "") continue;
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        // A line torn by the crash itself: what came before it is whole.
      }
    }
    const head = lines.find((l): l is Extract<Line, { t: "run" }> => l.t === "run");
    if (head === undefined) return null;
    let secretsMissing = false;
    const open = (line: { sealed?: string; lost?: true }): Record<string, string> | undefined => {
      if (line.lost) secretsMissing = true;
      if (line.sealed === undefined) return undefined;
      const value = this.#box !== null && head.keyId === this.#box.keyId ? this.#box.open(line.sealed) : null;
      if (value === null) {
        secretsMissing = true;
        return undefined;
      }
      return value as Record<string, string>;
    };
    const before: JournalContents["before"] = [];
    const writes = new Map<number, JournalContents["writes"][number]>();
    const recreated: Record<string, string> = {};
    for (const line of lines) {
      if (line.t === "before") before.push({ record: line.record, secrets: open(line) });
      else if (line.t === "intend") writes.set(line.seq, { seq: line.seq, what: line.what, record: line.record, secrets: open(line), answered: false, undone: false });
      else if (line.t === "answered") for (const s of line.seqs) writes.get(s) && (writes.get(s)!.answered = true);
      else if (line.t === "undone") {
        for (const s of line.seqs) writes.get(s) && (writes.get(s)!.undone = true);
        Object.assign(recreated, line.recreated ?? {});
      }
    }
    const { t: _t, format: _f, keyId: _k, ...run } = head;
    return { run, file: this.file, before, writes: [...writes.values()].sort((a, b) => a.seq - b.seq), recreated, secretsMissing };
  }

  begin(run: JournalRun): void {
    mkdirSync(join(this.file, ".."), { recursive: true, mode: 0o700 });
    chmodSync(join(this.file, ".."), 0o700);
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = openSync(this.file, "w", 0o600);
    chmodSync(this.file, 0o600);
    this.#write({ t: "run", format: FORMAT, keyId: this.#box?.keyId ?? null, ...run }, true);
  }

  before(record: unknown, secrets?: Record<string, string>): void {
    this.#write({ t: "before", record, ...this.#sealed(secrets) }, false);
  }

  intend(writes: readonly JournalWrite[]): void {
    for (const w of writes) this.#write({ t: "intend", seq: w.seq, what: w.what, record: w.record, ...this.#sealed(w.secrets) }, false);
    // On disk before the writes go to the router.
    if (this.#fd !== null) fsyncSync(this.#fd);
  }

  answered(seqs: readonly number[]): void {
    this.#write({ t: "answered", seqs: [...seqs] }, false);
  }

  undone(seqs: readonly number[], recreated?: Readonly<Record<string, string>>): void {
    this.#write({ t: "undone", seqs: [...seqs], ...(recreated && Object.keys(recreated).length > 0 ? { recreated: { ...recreated } } : {}) }, true);
  }

  finish(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
    rmSync(this.file, { force: true });
  }

  #sealed(secrets: Record<string, string> | undefined): { sealed?: string; lost?: true } {
    if (secrets === undefined || Object.keys(secrets).length === 0) return {};
    return this.#box === null ? { lost: true } : { sealed: this.#box.seal(secrets) };
  }

  #write(line: Line, sync: boolean): void {
    if (this.#fd === null) {
      // A journal read back and then written to (an undo marks what it undid): append.
      mkdirSync(join(this.file, ".."), { recursive: true, mode: 0o700 });
      this.#fd = openSync(this.file, "a", 0o600);
    }
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
    if (sync) fsyncSync(this.#fd);
  }
}

/**
 * Journals under a config home. With an identity, secrets undo needs are kept sealed with its key;
 * without one they are left out, and a run interrupted after removing a WireGuard interface brings
 * it back with a new key.
 */
export function fileJournals(home: string, identity: Identity | null): (routerKey: string) => Journal {
  return (routerKey) => new FileJournal(journalFile(home, routerKey), identity);
}
