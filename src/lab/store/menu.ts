// One configuration menu of a lab router (`/ip/address`, `/system/identity` ...): its description
// as data, and its items. Items are kept as rows of a column table, because that is what the API
// prints and a million routes must stay small in memory and fast to encode.
import { TrapError, TrapMessage } from "../protocol/traps.js";
import type { Attributes, Origin, StoreEvent, StoreMessages } from "./events.js";
import { ABSENT } from "./query.js";

export type { Attributes, Origin } from "./events.js";

/** What a menu needs of the store that holds it (ConfigStore), and what hooks may read there. */
export interface MenuHost {
  readonly messages: StoreMessages;
  emit(event: StoreEvent): void;
  menu(path: string): Menu | undefined;
  at(path: string): Menu;
}

export interface HookContext {
  readonly store: MenuHost;
  readonly menu: Menu;
  readonly origin: Origin;
}

export type ProposedChange =
  | { readonly kind: "add"; readonly after: Readonly<Attributes> }
  | { readonly kind: "set"; readonly id: string | null; readonly before: Readonly<Attributes>; readonly after: Readonly<Attributes> }
  | { readonly kind: "remove"; readonly id: string | null; readonly before: Readonly<Attributes> };

/**
 * Per-menu behaviour. Hooks run before a change is stored; throwing TrapError refuses it (the API
 * client gets that trap). Effects on other menus after a change belong in `store.subscribe`.
 */
export interface MenuHooks {
  /** May fill attributes a router generates on add (e.g. a WireGuard key pair). */
  onAdd?(draft: Attributes, ctx: HookContext): void;
  /** `draft` holds every attribute after the change; may rewrite derived ones. */
  onSet?(draft: Attributes, before: Readonly<Attributes>, ctx: HookContext): void;
  /** May refuse a removal, or clean up what depends on the item. */
  onRemove?(item: Readonly<Attributes>, ctx: HookContext): void;
  /** Last say before the change is stored (schema checks, cross-menu consistency). */
  validate?(change: ProposedChange, ctx: HookContext): void;
}

export interface MenuDescriptor {
  /** API path, e.g. `/routing/bgp/connection`. */
  readonly path: string;
  /** One item without `.id` and without add/remove, like `/system/identity` or `/ip/cloud`. */
  readonly singleton?: boolean;
  /** Known attributes in print order; when given, any other one is refused as unknown. */
  readonly attributes?: readonly string[];
  /** Attributes only the router sets (state, counters); clients may not write them. */
  readonly readOnly?: readonly string[];
  /** Filled in on add when the client leaves them out (and on the singleton's creation). */
  readonly defaults?: Readonly<Record<string, string>>;
  /** Attributes that together must be unique, e.g. `["name"]`. */
  readonly key?: readonly string[];
  /** The trap for a duplicate key; RouterOS words it per menu. */
  readonly duplicateMessage?: string;
  /** Attributes written `yes`/`no` that the API prints `true`/`false` (`disabled` always is). */
  readonly booleans?: readonly string[];
  /** List menus carry a `disabled` flag and answer enable/disable, unless this is false. */
  readonly disabledFlag?: boolean;
  /**
   * Attributes whose values the menu keeps an index of, so a query naming them (`?dst-address=x`)
   * looks at those items only, not at a million.
   */
  readonly indexed?: readonly string[];
  /** Verbs the menu answers, when not the usual ones (e.g. read-only state menus: print, listen). */
  readonly verbs?: readonly string[];
  readonly hooks?: MenuHooks;
}

/** One stored item: its number and its values, one per column. */
export interface Row {
  readonly id: number;
  values: (string | undefined)[];
}

export const ID_COLUMN = ".id";
const MAX_COLUMNS = 512;
const ATTRIBUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Internal ids print as `*` and upper-case hex, as RouterOS does: *1, *A, *1F. */
export function formatId(id: number): string {
  return `*${id.toString(16).toUpperCase()}`;
}

export function parseId(text: string): number | null {
  if (!/^\*[0-9A-Fa-f]{1,8}$/.test(text)) return null;
  return parseInt(text.slice(1), 16);
}

export function attributes(entries: Iterable<readonly [string, string]> = []): Attributes {
  const out: Attributes = Object.create(null) as Attributes;
  for (const [name, value] of entries) out[name] = value;
  return out;
}

export class Menu {
  readonly path: string;
  readonly singleton: boolean;
  readonly hasDisabledFlag: boolean;
  /** Column names; a list menu's column 0 is `.id`. Only ever grows, so column numbers stay valid. */
  readonly columns: string[] = [];
  private readonly columnIndex = new Map<string, number>();
  /** Items in print order (a Map keeps insertion order and deletes in O(1)). */
  private rows = new Map<number, Row>();
  private nextId = 1;
  private readonly keyIndex: Map<string, number> | null;
  private readonly booleans: ReadonlySet<string>;
  private readonly readOnly: ReadonlySet<string>;
  private readonly known: ReadonlySet<string> | null;
  /** Row ids by value, per indexed column (a value most items have alone: one id, else a list). */
  private readonly indexes = new Map<number, Map<string, Bucket>>();
  /** Whether print order is still the order of row ids (nothing was moved or placed before). */
  private inIdOrder = true;

  constructor(
    private readonly store: MenuHost,
    readonly descriptor: MenuDescriptor,
  ) {
    this.path = descriptor.path;
    this.singleton = descriptor.singleton === true;
    this.hasDisabledFlag = !this.singleton && descriptor.disabledFlag !== false;
    this.keyIndex = descriptor.key !== undefined && descriptor.key.length > 0 ? new Map() : null;
    this.booleans = new Set(["disabled", ...(descriptor.booleans ?? [])]);
    this.readOnly = new Set(descriptor.readOnly ?? []);
    this.known =
      descriptor.attributes === undefined
        ? null
        : new Set([...descriptor.attributes, ...(this.hasDisabledFlag ? ["disabled"] : [])]);
    if (!this.singleton) this.ensureColumn(ID_COLUMN);
    for (const name of descriptor.attributes ?? []) this.ensureColumn(name);
    if (this.singleton) {
      const values: (string | undefined)[] = [];
      for (const [name, value] of Object.entries(descriptor.defaults ?? {})) values[this.ensureColumn(name)] = value;
      this.rows.set(0, { id: 0, values });
    }
  }

  get size(): number {
    return this.rows.size;
  }

  /** Goes up with every change of the menu's items (what a count remembered is good for). */
  get changes(): number {
    return this.#changes;
  }

  #changes = 0;

  private emit(event: StoreEvent): void {
    this.#changes++;
    this.store.emit(event);
  }

  /** The verbs this menu answers over the API. */
  get verbs(): readonly string[] {
    if (this.descriptor.verbs !== undefined) return this.descriptor.verbs;
    if (this.singleton) return ["print", "getall", "get", "set", "unset", "listen"];
    const verbs = ["print", "getall", "get", "add", "set", "unset", "remove", "move", "listen"];
    if (this.hasDisabledFlag) verbs.push("enable", "disable");
    return verbs;
  }

  /** Column of an attribute, or -1 when no item has ever had it. */
  column(name: string): number {
    return this.columnIndex.get(name) ?? -1;
  }

  *rowsInOrder(): IterableIterator<Row> {
    // The items there when the look began: one added meanwhile comes after them, numbered past
    // `end`. A long look yields between slices (a million routes), and a router whose routes keep
    // coming and going would otherwise be looked at forever.
    const end = this.nextId;
    for (const row of this.rows.values()) {
      if (row.id >= end) return;
      yield row;
    }
  }

  /** Whether the item with this row number is still there. */
  holds(row: Row): boolean {
    return this.rows.get(row.id) === row;
  }

  /** Attributes this menu indexes. */
  get indexedNames(): readonly string[] {
    return this.singleton ? [] : (this.descriptor.indexed ?? []);
  }

  /**
   * Items whose `name` is one of `values`, in print order, from the index; null when the menu
   * keeps none of `name` (or items were moved, so row numbers no longer give the order).
   */
  rowsWhere(name: string, values: ReadonlySet<string>): Row[] | null {
    if (!this.indexedNames.includes(name) || !this.inIdOrder) return null;
    const index = this.indexes.get(this.column(name));
    // No item ever had the attribute: every item lacks it, none has one of the values.
    if (index === undefined) return values.has(ABSENT) ? null : [];
    let count = 0;
    for (const value of values) count += sizeOf(index.get(value));
    // Most of the menu: looking at all of it in order costs less than sorting their numbers.
    if (count > this.rows.size / 2) return null;
    const ids: number[] = [];
    for (const value of values) {
      const found = index.get(value);
      if (typeof found === "number") ids.push(found);
      else if (found !== undefined) for (const id of found) ids.push(id);
    }
    ids.sort((a, b) => a - b);
    const rows: Row[] = [];
    for (const id of ids) {
      const row = this.rows.get(id);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }

  /** Finds an item by `*hex` id, or by name in menus keyed by name (as RouterOS allows). */
  resolve(ref: string): Row | undefined {
    if (this.singleton) return undefined;
    const id = parseId(ref);
    if (id !== null) return this.rows.get(id);
    if (this.keyIndex !== null && this.descriptor.key?.length === 1 && this.descriptor.key[0] === "name") {
      const found = this.keyIndex.get(ref);
      return found === undefined ? undefined : this.rows.get(found);
    }
    return undefined;
  }

  /** The single item of a singleton menu. */
  singletonRow(): Row {
    const row = this.rows.get(0);
    if (!this.singleton || row === undefined) throw new Error(`${this.path} is not a singleton menu`);
    return row;
  }

  record(row: Row): Attributes {
    const out = attributes();
    const { columns } = this;
    for (let i = 0; i < row.values.length; i++) {
      const value = row.values[i];
      if (value !== undefined) out[columns[i]!] = value;
    }
    return out;
  }

  /** An item's attributes (with `.id`), by id or name; the singleton's when `ref` is omitted. */
  get(ref?: string): Attributes | undefined {
    const row = ref === undefined && this.singleton ? this.singletonRow() : ref === undefined ? undefined : this.resolve(ref);
    return row === undefined ? undefined : this.record(row);
  }

  list(): Attributes[] {
    return [...this.rows.values()].map((row) => this.record(row));
  }

  /** Items whose attributes equal every given one. */
  find(match: Readonly<Record<string, string>>): Attributes[] {
    const wanted = Object.entries(match).map(([name, value]) => [this.column(name), value] as const);
    const out: Attributes[] = [];
    for (const row of this.rows.values()) {
      if (wanted.every(([column, value]) => column >= 0 && row.values[column] === value)) out.push(this.record(row));
    }
    return out;
  }

  /** Adds an item; returns its id. `placeBefore` puts it in front of that item instead of last. */
  add(input: Readonly<Record<string, string>>, origin: Origin = "system", placeBefore?: string): string {
    if (this.singleton) throw new TrapError(TrapMessage.noSuchCommand);
    const given = this.normalize(input, origin);
    // Given attributes first: a menu's columns (its print order) follow its first items.
    const draft = attributes(Object.entries(given));
    for (const [name, value] of Object.entries(this.descriptor.defaults ?? {})) draft[name] ??= value;
    if (this.hasDisabledFlag) draft["disabled"] ??= "false";
    const before = placeBefore === undefined ? undefined : this.mustResolve(placeBefore);
    const ctx = this.context(origin);
    this.descriptor.hooks?.onAdd?.(draft, ctx);
    delete draft[ID_COLUMN];
    this.descriptor.hooks?.validate?.({ kind: "add", after: draft }, ctx);
    this.checkUnique(draft, null);

    const row: Row = { id: this.nextId++, values: [] };
    const id = formatId(row.id);
    this.fill(row, { ...draft, [ID_COLUMN]: id });
    if (before === undefined) this.rows.set(row.id, row);
    else this.insertBefore(row, before.id);
    this.indexKey(row);
    this.indexValues(row);
    this.emit({ kind: "add", path: this.path, id, after: this.record(row) });
    return id;
  }

  /** Changes items (all or none); `refs` null means the singleton. */
  set(refs: readonly string[] | null, input: Readonly<Record<string, string>>, origin: Origin = "system"): void {
    const given = this.normalize(input, origin);
    const rows = refs === null ? [this.singletonRow()] : refs.map((ref) => this.mustResolve(ref));
    const planned = rows.map((row) => {
      const before = this.record(row);
      const draft = attributes(Object.entries({ ...before, ...given }));
      const ctx = this.context(origin);
      this.descriptor.hooks?.onSet?.(draft, before, ctx);
      if (!this.singleton) draft[ID_COLUMN] = formatId(row.id);
      this.descriptor.hooks?.validate?.({ kind: "set", id: this.idOf(row), before, after: draft }, ctx);
      this.checkUnique(draft, row.id);
      return { row, before, draft };
    });
    for (const { row, before, draft } of planned) this.replace(row, before, draft);
  }

  /** Drops attributes from items (`unset`), which then print without them. */
  unset(refs: readonly string[] | null, names: readonly string[], origin: Origin = "system"): void {
    for (const name of names) this.checkWritable(name, origin);
    const rows = refs === null ? [this.singletonRow()] : refs.map((ref) => this.mustResolve(ref));
    for (const row of rows) {
      const before = this.record(row);
      const draft = attributes(Object.entries(before));
      for (const name of names) delete draft[name];
      const ctx = this.context(origin);
      this.descriptor.hooks?.validate?.({ kind: "set", id: this.idOf(row), before, after: draft }, ctx);
      this.replace(row, before, draft);
    }
  }

  /** Removes items (all or none). */
  remove(refs: readonly string[], origin: Origin = "system"): void {
    if (this.singleton) throw new TrapError(TrapMessage.noSuchCommand);
    const rows = refs.map((ref) => this.mustResolve(ref));
    const ctx = this.context(origin);
    for (const row of rows) {
      const before = this.record(row);
      this.descriptor.hooks?.onRemove?.(before, ctx);
      this.descriptor.hooks?.validate?.({ kind: "remove", id: this.idOf(row), before }, ctx);
    }
    for (const row of rows) {
      if (!this.rows.has(row.id)) continue; // a hook removed it already
      const before = this.record(row);
      this.rows.delete(row.id);
      this.unindexKey(row);
      this.unindexValues(row);
      this.emit({ kind: "remove", path: this.path, id: formatId(row.id), before });
    }
  }

  /** Moves items in front of `destination`, or to the end when it is omitted. */
  move(refs: readonly string[], destination?: string): void {
    const moving = refs.map((ref) => this.mustResolve(ref));
    const target = destination === undefined ? undefined : this.mustResolve(destination);
    const ids = new Set(moving.map((row) => row.id));
    const order: Row[] = [];
    for (const row of this.rows.values()) {
      if (row === target) order.push(...moving);
      if (!ids.has(row.id)) order.push(row);
    }
    if (target === undefined) order.push(...moving);
    this.rows = new Map(order.map((row) => [row.id, row]));
    this.inIdOrder = false;
    this.#changes++;
  }

  /**
   * Bulk load for big tables (a million routes): no hooks, no events, no uniqueness checks.
   */
  load(records: Iterable<Readonly<Record<string, string>>>): void {
    this.#changes++;
    const disabled = this.hasDisabledFlag ? this.ensureColumn("disabled") : -1;
    for (const input of records) {
      const row: Row = { id: this.nextId++, values: [formatId(this.nextId - 1)] };
      for (const name of Object.keys(input)) row.values[this.ensureColumn(name)] = input[name];
      if (disabled >= 0) row.values[disabled] ??= "false";
      this.rows.set(row.id, row);
      this.indexKey(row);
      this.indexValues(row);
    }
  }

  // Bulk writes, for the lab's own big tables (a leak, an upstream table): no hooks, checks or key
  // index, as `load`, but listeners still hear of each change; what the item holds is read only
  // when a listener asks.

  /** Adds an item the lab makes; returns its row number. */
  addBulk(input: Readonly<Record<string, string>>): number {
    const row: Row = { id: this.nextId++, values: [] };
    row.values[0] = formatId(row.id);
    for (const name in input) row.values[this.ensureColumn(name)] = input[name];
    if (this.hasDisabledFlag) row.values[this.ensureColumn("disabled")] ??= "false";
    this.rows.set(row.id, row);
    this.indexValues(row);
    const menu = this;
    this.emit({
      kind: "add",
      path: this.path,
      id: row.values[0],
      get after() {
        return menu.record(row);
      },
    });
    return row.id;
  }

  /** Changes an item added by addBulk. */
  setBulk(rowId: number, changes: Readonly<Record<string, string>>): void {
    const row = this.rows.get(rowId);
    if (row === undefined) return;
    const before = [...row.values];
    const reindex = this.descriptor.indexed !== undefined && Object.keys(changes).some((name) => this.indexedNames.includes(name));
    if (reindex) this.unindexValues(row);
    for (const name in changes) row.values[this.ensureColumn(name)] = changes[name];
    if (reindex) this.indexValues(row);
    const menu = this;
    this.emit({
      kind: "set",
      path: this.path,
      id: formatId(rowId),
      get before() {
        return menu.record({ id: rowId, values: before });
      },
      get after() {
        return menu.record(row);
      },
    });
  }

  /** Removes an item added by addBulk. */
  removeBulk(rowId: number): void {
    const row = this.rows.get(rowId);
    if (row === undefined) return;
    this.rows.delete(rowId);
    this.unindexValues(row);
    const menu = this;
    this.emit({
      kind: "remove",
      path: this.path,
      id: formatId(rowId),
      get before() {
        return menu.record(row);
      },
    });
  }

  private context(origin: Origin): HookContext {
    return { store: this.store, menu: this, origin };
  }

  private idOf(row: Row): string | null {
    return this.singleton ? null : formatId(row.id);
  }

  private mustResolve(ref: string): Row {
    const row = this.resolve(ref);
    if (row === undefined) throw new TrapError(TrapMessage.noSuchItem, 0);
    return row;
  }

  /** Checks what a client may write and turns `yes`/`no` into `true`/`false` where RouterOS does. */
  private normalize(input: Readonly<Record<string, string>>, origin: Origin): Attributes {
    const out = attributes();
    for (const [name, value] of Object.entries(input)) {
      if (name === ID_COLUMN) continue;
      this.checkWritable(name, origin);
      out[name] = this.booleans.has(name) ? booleanText(value) : value;
    }
    return out;
  }

  private checkWritable(name: string, origin: Origin): void {
    if (origin === "system") return;
    const writable =
      ATTRIBUTE_NAME.test(name) &&
      !this.readOnly.has(name) &&
      (this.known === null ? this.columnIndex.has(name) || this.columns.length < MAX_COLUMNS : this.known.has(name));
    if (!writable) throw new TrapError(this.store.messages.unknownParameter(name), 1);
  }

  private replace(row: Row, before: Attributes, draft: Attributes): void {
    this.unindexKey(row);
    this.unindexValues(row);
    row.values = [];
    this.fill(row, draft);
    this.indexKey(row);
    this.indexValues(row);
    this.emit({ kind: "set", path: this.path, id: this.idOf(row), before, after: this.record(row) });
  }

  private fill(row: Row, record: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(record)) row.values[this.ensureColumn(name)] = value;
  }

  private ensureColumn(name: string): number {
    let column = this.columnIndex.get(name);
    if (column === undefined) {
      column = this.columns.length;
      this.columns.push(name);
      this.columnIndex.set(name, column);
      // No item has the attribute yet: every item there is lacks it.
      if (!this.singleton && this.descriptor.indexed?.includes(name) === true) {
        const index = new Map<string, Bucket>();
        for (const id of this.rows.keys()) addId(index, ABSENT, id);
        this.indexes.set(column, index);
      }
    }
    return column;
  }

  private insertBefore(row: Row, beforeId: number): void {
    const order: [number, Row][] = [];
    for (const existing of this.rows.values()) {
      if (existing.id === beforeId) order.push([row.id, row]);
      order.push([existing.id, existing]);
    }
    this.rows = new Map(order);
    this.inIdOrder = false;
  }

  private keyOf(values: (name: string) => string | undefined): string | null {
    const key = this.descriptor.key;
    if (key === undefined || key.length === 0) return null;
    const parts = key.map(values);
    // An item without any key attribute is not subject to uniqueness.
    if (parts.every((part) => part === undefined)) return null;
    return parts.map((part) => part ?? "").join("\u0000");
  }

  private rowKey(row: Row): string | null {
    return this.keyOf((name) => {
      const column = this.column(name);
      return column < 0 ? undefined : row.values[column];
    });
  }

  private checkUnique(draft: Attributes, self: number | null): void {
    if (this.keyIndex === null) return;
    const key = this.keyOf((name) => draft[name]);
    if (key === null) return;
    const holder = this.keyIndex.get(key);
    if (holder !== undefined && holder !== self) {
      throw new TrapError(this.descriptor.duplicateMessage ?? TrapMessage.alreadyHaveSuchEntry);
    }
  }

  private indexKey(row: Row): void {
    if (this.keyIndex === null) return;
    const key = this.rowKey(row);
    if (key !== null) this.keyIndex.set(key, row.id);
  }

  private indexValues(row: Row): void {
    for (const [column, index] of this.indexes) {
      const value = row.values[column] ?? ABSENT;
      // An item there when the column was made is under ABSENT; it is under its value only now.
      if (value !== ABSENT) removeId(index, ABSENT, row.id);
      addId(index, value, row.id);
    }
  }

  private unindexValues(row: Row): void {
    for (const [column, index] of this.indexes) {
      const value = row.values[column] ?? ABSENT;
      removeId(index, value, row.id);
      if (value !== ABSENT) removeId(index, ABSENT, row.id);
    }
  }

  private unindexKey(row: Row): void {
    if (this.keyIndex === null) return;
    const key = this.rowKey(row);
    if (key !== null && this.keyIndex.get(key) === row.id) this.keyIndex.delete(key);
  }
}

function booleanText(value: string): string {
  if (value === "yes") return "true";
  if (value === "no") return "false";
  return value;
}

/** The items of an index with one value: a number, a few in an array, many in a set (removed from at once). */
type Bucket = number | number[] | Set<number>;
const SET_OVER = 64;

function sizeOf(bucket: Bucket | undefined): number {
  return bucket === undefined ? 0 : typeof bucket === "number" ? 1 : Array.isArray(bucket) ? bucket.length : bucket.size;
}

function addId(index: Map<string, Bucket>, value: string, id: number): void {
  const found = index.get(value);
  if (found === undefined) index.set(value, id);
  else if (typeof found === "number") {
    if (found !== id) index.set(value, [found, id]);
  } else if (Array.isArray(found)) {
    if (found.includes(id)) return;
    found.push(id);
    if (found.length > SET_OVER) index.set(value, new Set(found));
  } else found.add(id);
}

function removeId(index: Map<string, Bucket>, value: string, id: number): void {
  const found = index.get(value);
  if (found === undefined) return;
  if (typeof found === "number") {
    if (found === id) index.delete(value);
  } else if (Array.isArray(found)) {
    const at = found.indexOf(id);
    if (at >= 0) found.splice(at, 1);
    if (found.length === 1) index.set(value, found[0]!);
    else if (found.length === 0) index.delete(value);
  } else {
    found.delete(id);
    if (found.size === 0) index.delete(value);
  }
}
