// What a journal of the runs on one router holds and does: the seam between the platform that
// writes through it (platforms/) and the store that keeps it on disk (store/journal.ts).

/** One write as a journal keeps it. */
export interface JournalWrite {
  seq: number;
  /** For people: "remove /interface/wireguard (tunnel-isp1)". */
  what: string;
  /** The platform's own record of the write and of how to undo it: plain data, no secrets. */
  record: unknown;
  /** What undo needs that is secret (a private key, a password): kept encrypted, or not at all. */
  secrets?: Record<string, string>;
}

/** A run as its journal starts. */
export interface JournalRun {
  command: string;
  peering: string | null;
  router: string;
  host: string;
  pid: number;
  startedAt: string;
}

/** A journal file read back: the run, what it recorded, and which writes were answered or undone. */
export interface JournalContents {
  run: JournalRun;
  file: string;
  /** What menus held before the run first wrote to them (the platform's records). */
  before: Array<{ record: unknown; secrets?: Record<string, string> }>;
  writes: Array<JournalWrite & { answered: boolean; undone: boolean }>;
  /** Items an undo made again, and their new ids: "<old reference>" → "<new id>". */
  recreated: Record<string, string>;
  /** Some recorded secrets are not here (not kept, or sealed with another identity). */
  secretsMissing: boolean;
}

/**
 * The on-disk journal of one router (the store implements it). Entries are appended; intend()
 * returns only once they are on disk.
 */
export interface Journal {
  /** Where it is, for messages. */
  readonly file: string;
  /** Secrets can be kept, encrypted at rest; false: they are left out (and a crash may lose them). */
  readonly keepsSecrets: boolean;
  /** What an earlier run left, or null. */
  read(): JournalContents | null;
  begin(run: JournalRun): void;
  /** What a menu held before this run first wrote to it; on disk with the next intend(). */
  before(record: unknown, secrets?: Record<string, string>): void;
  /** On disk (flushed) before it returns: called before the writes are sent. */
  intend(writes: readonly JournalWrite[]): void;
  /** The router answered these writes. */
  answered(seqs: readonly number[]): void;
  /** These writes were undone; an undo that made an item again says its new id (what followed the old one must follow it). */
  undone(seqs: readonly number[], recreated?: Readonly<Record<string, string>>): void;
  /** The run is over and the router in a known state: the journal goes. */
  finish(): void;
}
