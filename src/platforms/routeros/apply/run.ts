// A run: what one lock hold writes on a router, journaled before it is sent, and how it is undone.
// Undo works from what the router holds now rather than from replies (a write whose answer was
// lost may or may not have happened), newest first; then the router is read back and compared
// with what it held before the run, in order where order matters.
import type { Journal, JournalContents, JournalRun, UndoReport } from "../../platform.js";
import type { RouterClient } from "../api/client.js";
import { ORDERED_MENUS, PLACEABLE_MENUS } from "../menus.js";
import { ownershipTag } from "../names.js";
import { readObserved } from "../read.js";
import { inverseOf, READ_ONLY, SENSITIVE, shownSecret, type ObservedItem, type RouterOsChange } from "./plan.js";

/** A change as the journal keeps it: the plan's change without the command object. */
export type StoredChange = Omit<RouterOsChange, "command"> & { owns?: string[] };

export type RunRecord =
  | { kind: "change"; peering: string; change: StoredChange; removed?: ObservedItem }
  /** Certificates (and the files made on the way) a run creates: undo removes them by name. */
  | { kind: "certificates"; names: string[]; files: string[]; fingerprints?: string[] };

export interface RunEntry {
  seq: number;
  what: string;
  record: RunRecord;
  answered: boolean;
  undone: boolean;
}

/** Attributes a router never prints: known only from what was written. */
const UNPRINTED: Readonly<Record<string, readonly string[]>> = { "/user": ["password"] };

/** Attributes whose values change by themselves; never compared. */
const VOLATILE = new Set([...READ_ONLY, "last-logged-out", "last-caller-id", "last-disconnect-reason", "expires-after"]);

/** A journal that keeps nothing on disk: a run without a journal store still undoes itself in-process. */
export class MemoryJournal implements Journal {
  readonly file = "(kept in memory only)";
  readonly keepsSecrets = true;
  read(): JournalContents | null {
    return null;
  }
  begin(): void {}
  before(): void {}
  intend(): void {}
  answered(): void {}
  undone(): void {}
  finish(): void {}
}

// --- Secrets out of records, and back ------------------------------------------------------------

function secretKeys(path: string, change?: StoredChange): string[] {
  return [...new Set([...(SENSITIVE[path] ?? []), ...(change?.secret ?? [])])];
}

function split(record: RunRecord): { record: RunRecord; secrets?: Record<string, string> } {
  if (record.kind !== "change") return { record };
  const secrets: Record<string, string> = {};
  const keys = secretKeys(record.change.path, record.change);
  const take = (where: string, from: Record<string, string> | undefined): Record<string, string> | undefined => {
    if (from === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(from)) {
      if (keys.includes(k) && shownSecret(v) !== null) secrets[`${where}.${k}`] = v;
      else out[k] = v;
    }
    return out;
  };
  const change: StoredChange = { ...record.change, attrs: take("attrs", record.change.attrs)! };
  if (record.change.before !== undefined) change.before = take("before", record.change.before);
  const removed = take("removed", record.removed as Record<string, string> | undefined);
  const out: RunRecord = { kind: "change", peering: record.peering, change, ...(removed ? { removed } : {}) };
  return Object.keys(secrets).length > 0 ? { record: out, secrets } : { record: out };
}

function join(record: RunRecord, secrets: Record<string, string> | undefined): RunRecord {
  if (record.kind !== "change" || secrets === undefined) return record;
  const change: StoredChange = { ...record.change, attrs: { ...record.change.attrs } };
  if (change.before !== undefined) change.before = { ...change.before };
  const removed: Record<string, string> | undefined = record.removed === undefined ? undefined : { ...record.removed };
  for (const [key, value] of Object.entries(secrets)) {
    const at = key.indexOf(".");
    const where = key.slice(0, at);
    const attr = key.slice(at + 1);
    if (where === "attrs") change.attrs[attr] = value;
    else if (where === "before" && change.before !== undefined) change.before[attr] = value;
    else if (where === "removed" && removed !== undefined) removed[attr] = value;
  }
  return { kind: "change", peering: record.peering, change, ...(removed ? { removed } : {}) };
}

function splitBefore(path: string, items: readonly ObservedItem[]): { record: { path: string; items: ObservedItem[] }; secrets?: Record<string, string> } {
  const secrets: Record<string, string> = {};
  const keys = SENSITIVE[path] ?? [];
  const kept = items.map((item, i) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(item)) {
      if (keys.includes(k) && shownSecret(v) !== null) secrets[`${i}.${k}`] = v;
      else out[k] = v;
    }
    return out;
  });
  return Object.keys(secrets).length > 0 ? { record: { path, items: kept }, secrets } : { record: { path, items: kept } };
}

function joinBefore(record: { path: string; items: ObservedItem[] }, secrets: Record<string, string> | undefined): ObservedItem[] {
  const items = record.items.map((i) => ({ ...i }));
  for (const [key, value] of Object.entries(secrets ?? {})) {
    const at = key.indexOf(".");
    const item = items[Number(key.slice(0, at))];
    if (item !== undefined) item[key.slice(at + 1)] = value;
  }
  return items;
}

export function storedChange(change: RouterOsChange): StoredChange {
  const { command, ...rest } = change;
  const stored: StoredChange = JSON.parse(JSON.stringify(rest)) as StoredChange;
  if (command?.owns !== undefined) stored.owns = [...command.owns];
  return stored;
}

export function describeChange(change: Pick<RouterOsChange, "op" | "path" | "role">): string {
  return `${change.op} ${change.path} (${change.role})`;
}

// --- The run -------------------------------------------------------------------------------------

export class Run {
  readonly entries: RunEntry[] = [];
  /** What each menu held before the run first wrote to it (secrets included, in memory). */
  readonly before = new Map<string, ObservedItem[]>();
  /** An undo in this run left something: the journal stays for `bgpals recover`. */
  unsettled = false;
  /**
   * Items an undo made again get new ids ("<menu> <old id>" → new id): what was placed in front of
   * the old one goes in front of the new. Journaled, so a recovery after an interrupted undo knows.
   */
  readonly recreated = new Map<string, string>();
  #begun = false;
  #seq = 0;

  constructor(
    readonly journal: Journal,
    readonly info: JournalRun,
    readonly signal?: AbortSignal,
    readonly onUndo?: (what: string) => void,
  ) {}

  get written(): boolean {
    return this.entries.length > 0;
  }

  #begin(): void {
    if (this.#begun) return;
    this.#begun = true;
    this.journal.begin(this.info);
  }

  /** Records what a menu held before this run's first write to it (its dynamic items left out). */
  remember(path: string, items: readonly ObservedItem[]): void {
    if (this.before.has(path)) return;
    const kept = items.filter((i) => i.dynamic !== "true").map((i) => ({ ...i }));
    this.before.set(path, kept);
    this.#begin();
    const { record, secrets } = splitBefore(path, kept);
    this.journal.before(record, secrets);
  }

  /** Journals writes about to be sent; on disk when this returns. */
  intend(list: ReadonlyArray<{ what: string; record: RunRecord }>): RunEntry[] {
    this.#begin();
    const entries = list.map((w) => ({ seq: ++this.#seq, what: w.what, record: w.record, answered: false, undone: false }));
    this.journal.intend(entries.map((e) => ({ seq: e.seq, what: e.what, ...split(e.record) })));
    this.entries.push(...entries);
    return entries;
  }

  answered(entries: readonly RunEntry[]): void {
    for (const e of entries) e.answered = true;
    if (entries.length > 0) this.journal.answered(entries.map((e) => e.seq));
  }

  undone(entry: RunEntry, recreated?: Readonly<Record<string, string>>): void {
    entry.undone = true;
    for (const [from, to] of Object.entries(recreated ?? {})) this.recreated.set(from, to);
    this.journal.undone([entry.seq], recreated);
  }

  /** Writes not undone, newest first. */
  pending(): RunEntry[] {
    return this.entries.filter((e) => !e.undone).reverse();
  }

  /** The run is over with the router in a known state: the journal goes. */
  finish(): void {
    if (this.#begun) this.journal.finish();
  }
}

/** A run read back from its journal: entries and before-states, secrets put back where they were kept. */
export function runFromJournal(contents: JournalContents, journal: Journal): Run {
  const run = new Run(journal, contents.run);
  for (const b of contents.before) {
    const record = b.record as { path: string; items: ObservedItem[] };
    run.before.set(record.path, joinBefore(record, b.secrets));
  }
  for (const w of contents.writes) run.entries.push({ seq: w.seq, what: w.what, record: join(w.record as RunRecord, w.secrets), answered: w.answered, undone: w.undone });
  for (const [from, to] of Object.entries(contents.recreated ?? {})) run.recreated.set(from, to);
  return run;
}

// --- Undo ----------------------------------------------------------------------------------------

export interface UndoContext {
  client: () => RouterClient;
  /** A new connection when the old one dropped. */
  reconnect: () => Promise<RouterClient>;
  onUndo?: (what: string) => void;
}

/** Undoes entries (newest first), marking each undone in the run; what went wrong, by entry. */
export async function undoEntries(ctx: UndoContext, run: Run, entries: readonly RunEntry[], each?: (entry: RunEntry) => void): Promise<{ count: number; problems: string[] }> {
  const problems: string[] = [];
  let count = 0;
  if (entries.length === 0) return { count, problems };
  if (ctx.client().closed) {
    try {
      await ctx.reconnect();
    } catch (e) {
      return { count, problems: [`could not reconnect to undo: ${(e as Error).message}`] };
    }
  }
  for (const entry of entries) {
    ctx.onUndo?.(entry.what);
    each?.(entry);
    try {
      const notes: string[] = [];
      const made: Record<string, string> = {};
      if (await undoOne(ctx.client(), entry.record, run.recreated, notes, made)) count++;
      run.undone(entry, made);
      problems.push(...notes);
    } catch (e) {
      problems.push(`${entry.what}: ${(e as Error).message}`);
    }
  }
  return { count, problems };
}

async function undoOne(client: RouterClient, record: RunRecord, recreated: ReadonlyMap<string, string>, notes: string[], made: Record<string, string>): Promise<boolean> {
  if (record.kind === "certificates") {
    let any = false;
    for (const name of record.files) {
      for (const f of await client.print("/file", { query: { name } })) {
        await client.remove("/file", f[".id"]!);
        any = true;
      }
    }
    const gone = new Set<string>();
    for (const name of [...record.names].reverse()) {
      for (const c of await client.print("/certificate", { query: { name } })) {
        await client.remove("/certificate", c[".id"]!);
        gone.add(c[".id"]!);
      }
    }
    // An import not yet renamed carries the file's name: found by its fingerprint.
    for (const fingerprint of record.fingerprints ?? []) {
      for (const c of await client.print("/certificate", { query: { fingerprint } })) {
        if (gone.has(c[".id"]!)) continue;
        await client.remove("/certificate", c[".id"]!);
        gone.add(c[".id"]!);
      }
    }
    return any || gone.size > 0;
  }
  const { change, peering } = record;
  const tag = ownershipTag(peering, change.role);
  if (change.op === "add") {
    const made = await client.print(change.path, { query: { comment: tag } });
    for (const item of made) await client.remove(change.path, item[".id"]!);
    return made.length > 0;
  }
  if (change.op === "set") {
    const inverse = inverseOf(change);
    await setAndUnset(client, inverse, inverse.attrs);
    return true;
  }
  if (change.op === "move") {
    const back = inverseOf(change);
    const now = (id: string) => recreated.get(`${change.path} ${id}`) ?? id;
    await move(client, change.path, now(change.id!), back.placeBefore === undefined ? undefined : now(back.placeBefore));
    return true;
  }
  // A certificate's key pair cannot be made again: say so rather than add an unsigned stand-in.
  // A removal the router refused (a trap on it) left the certificate where it was: nothing to undo.
  if (change.path === "/certificate") {
    if ((await client.print("/certificate")).some((c) => c[".id"] === change.id)) return false;
    throw new Error("a removed certificate cannot be restored; prepare the peering again (offer or accept) to make new ones");
  }
  const still = await client.print(change.path, { query: { comment: tag } });
  if (still.length > 0) {
    // Made again already (by an undo the crash cut short): what follows it is placed in front of this one.
    made[`${change.path} ${change.id!}`] = still[0]![".id"]!;
    return false;
  }
  const removed = record.removed;
  if (removed === undefined) throw new Error("the removed item is not in what was read before: re-create it by applying again");
  const back = inverseOf(change, removed);
  const attrs = { ...back.attrs };
  const name = removed.name ?? change.role;
  if (change.path === "/interface/wireguard" && shownSecret(removed["private-key"]) === null) {
    notes.push(`${name} came back with a new private key (the old one could not be read or kept): the friend needs its new public key`);
  }
  if ((change.path === "/user" || change.path === "/ppp/secret" || change.path === "/interface/ovpn-client") && shownSecret(removed.password) === null) {
    // Never an account without its password: back, but disabled, until someone sets it.
    attrs.disabled = "yes";
    notes.push(`${name} came back disabled: its password was not known here; set it and enable it`);
  }
  if (back.placeBefore !== undefined) attrs["place-before"] = recreated.get(`${change.path} ${back.placeBefore}`) ?? back.placeBefore;
  made[`${change.path} ${change.id!}`] = await client.add(change.path, attrs);
  return true;
}

/** Puts an item in front of another, or last. */
export async function move(client: RouterClient, path: string, id: string, before: string | undefined): Promise<void> {
  await client.run(`${path}/move`, before === undefined ? { numbers: id } : { numbers: id, destination: before });
}

/** A set, then one `unset` per cleared attribute: each write on its own, so an undo can follow any of them. */
export async function setAndUnset(client: RouterClient, change: Pick<RouterOsChange, "path" | "id" | "unset">, attrs: Readonly<Record<string, string>>): Promise<void> {
  const unset = change.unset ?? [];
  if (Object.keys(attrs).length > 0 || unset.length === 0) await client.set(change.path, change.id ?? null, attrs);
  for (const name of unset) await client.unset(change.path, change.id ?? null, name);
}

// --- Reading back --------------------------------------------------------------------------------

function comparable(path: string, item: ObservedItem): Record<string, string> {
  const skip = new Set([...(UNPRINTED[path] ?? [])]);
  const out: Record<string, string> = {};
  for (const k of Object.keys(item).sort()) {
    if (k.startsWith(".") || VOLATILE.has(k) || skip.has(k)) continue;
    out[k] = item[k]!;
  }
  return out;
}

function nameOf(item: Record<string, string>): string {
  return item.name ? item.name : item.comment ? `"${item.comment}"` : item["dst-address"] ?? item.address ?? item.chain ?? "an item";
}

function shown(path: string, key: string, value: string | undefined): string {
  if (value === undefined) return "(none)";
  return SENSITIVE[path]?.includes(key) ? "(a secret)" : JSON.stringify(value);
}

/** How what the router holds now differs from what it held before, menu by menu ([] when equal). */
export function differences(before: ReadonlyMap<string, readonly ObservedItem[]>, now: ReadonlyMap<string, readonly ObservedItem[]>): string[] {
  const out: string[] = [];
  for (const [path, items] of before) {
    const was = items.filter((i) => i.dynamic !== "true").map((i) => comparable(path, i));
    const is = (now.get(path) ?? []).filter((i) => i.dynamic !== "true").map((i) => comparable(path, i));
    const key = (i: Record<string, string>) => JSON.stringify(i);
    const counts = new Map<string, number>();
    for (const i of was) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
    const unexpected: Array<Record<string, string>> = [];
    for (const i of is) {
      const n = counts.get(key(i)) ?? 0;
      if (n > 0) counts.set(key(i), n - 1);
      else unexpected.push(i);
    }
    const missing = was.filter((i) => {
      const n = counts.get(key(i)) ?? 0;
      if (n > 0) {
        counts.set(key(i), n - 1);
        return true;
      }
      return false;
    });
    for (const m of missing) {
      const twin = unexpected.findIndex((u) => nameOf(u) === nameOf(m));
      if (twin >= 0) {
        const u = unexpected.splice(twin, 1)[0]!;
        const keys = [...new Set([...Object.keys(m), ...Object.keys(u)])].filter((k) => m[k] !== u[k]);
        out.push(`${path} ${nameOf(m)}: ${keys.map((k) => `${k} was ${shown(path, k, m[k])}, now ${shown(path, k, u[k])}`).join(", ")}`);
      } else {
        out.push(`${path}: ${nameOf(m)} is missing`);
      }
    }
    for (const u of unexpected) out.push(`${path}: ${nameOf(u)} was not there before`);
    const ordered = Object.keys(ORDERED_MENUS).includes(path) || PLACEABLE_MENUS.includes(path);
    if (ordered && missing.length === 0 && unexpected.length === 0 && was.map(key).join("\n") !== is.map(key).join("\n")) {
      out.push(`${path}: the same items in another order: before ${was.map(nameOf).join(", ")}; now ${is.map(nameOf).join(", ")}`);
    }
  }
  return out;
}

/** Reads the menus back and compares them with what they held before. */
export async function readBack(client: RouterClient, before: ReadonlyMap<string, readonly ObservedItem[]>): Promise<string[]> {
  const paths = [...before.keys()];
  // As the plan read them (the scheduler: only bgpals's record there, not the lock beside it).
  const read = await readObserved(client, paths);
  const lists = paths.map((p) => read[p] ?? []);
  return differences(before, new Map(paths.map((p, i) => [p, lists[i]!])));
}

/** Undoes what is left of a run and reads the router back. */
export async function undoRun(ctx: UndoContext, run: Run): Promise<UndoReport> {
  const { count, problems } = await undoEntries(ctx, run, run.pending());
  let diffs: string[] = [];
  try {
    diffs = await readBack(ctx.client().closed ? await ctx.reconnect() : ctx.client(), run.before);
  } catch (e) {
    problems.push(`could not read the router back: ${(e as Error).message}`);
  }
  return { undone: count, problems, verified: problems.length === 0 && diffs.length === 0, differences: diffs };
}

/** One line for people: what an undo did, and only with a read-back that matched, "as it was before". */
export function undoSummary(report: UndoReport, what = "change"): string {
  const did = `undid ${report.undone} ${what}${report.undone === 1 ? "" : "s"}`;
  if (report.verified) return `${did}; read back, the router is as it was before`;
  return [
    `${did}, but the router is not as it was before:`,
    ...report.problems.map((p) => `  ${p}`),
    ...report.differences.map((d) => `  read back: ${d}`),
  ].join("\n");
}
