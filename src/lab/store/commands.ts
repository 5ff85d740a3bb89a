// The API verbs of config menus (print, add, set, remove, enable, disable, listen ...) answered
// from a ConfigStore. `createStoreHandler` is the CommandHandler a lab router hands its ApiServer.
import type { ApiRequest, CommandHandler, Reply } from "../protocol/server.js";
import { TrapCategory, TrapError, TrapMessage } from "../protocol/traps.js";
import { attributes, type Attributes, type Menu, type Row } from "./menu.js";
import { compileQuery, necessaryValues, type RowPredicate } from "./query.js";
import type { ConfigStore } from "./store.js";

export interface StoreHandlerOptions {
  /** Commands answered before any menu, by full command word (e.g. `/system/reboot`). */
  commands?: Readonly<Record<string, CommandHandler>>;
}

const WRITE_VERBS = new Set(["add", "set", "unset", "remove", "move", "enable", "disable"]);
/** Attributes that name the items a write applies to, rather than change them. */
const ITEM_REFERENCES = [".id", "numbers"];

export function createStoreHandler(store: ConfigStore, options: StoreHandlerOptions = {}): CommandHandler {
  // A Map, so that a command word such as "constructor" cannot reach Object.prototype.
  const commands = new Map(Object.entries(options.commands ?? {}));
  return (request, reply) => {
    const custom = commands.get(request.command);
    if (custom !== undefined) return custom(request, reply);
    const { command } = request;
    const split = command.lastIndexOf("/");
    const menu = split > 0 ? store.menu(command.slice(0, split)) : undefined;
    const verb = command.slice(split + 1);
    if (menu === undefined || !menu.verbs.includes(verb)) return unknownCommand(store, commands, request, reply);
    if (WRITE_VERBS.has(verb) && request.user.group === "read") {
      reply.fail(TrapMessage.notEnoughPermissions);
      return;
    }
    return runVerb(store, menu, verb, request, reply);
  };
}

function runVerb(store: ConfigStore, menu: Menu, verb: string, request: ApiRequest, reply: Reply): void | Promise<void> {
  const a = request.attributes;
  switch (verb) {
    case "print":
    case "getall":
      return print(store, menu, request, reply);
    case "listen":
      listen(store, menu, request, reply, compileQuery(request.queries, (name) => menu.column(name)));
      return;
    case "get": {
      const item = menu.singleton ? menu.get() : menu.get(mustOne(itemRefs(request)));
      if (item === undefined) throw new TrapError(TrapMessage.noSuchItem, TrapCategory.missingItemOrCommand);
      const name = a.get("value-name");
      if (name === undefined) {
        reply.item(item);
        reply.done();
      } else {
        reply.done(item[name] ?? "");
      }
      return;
    }
    case "add": {
      const placeBefore = a.get("place-before");
      reply.done(menu.add(changes(request, ["place-before"]), "api", placeBefore));
      return;
    }
    case "set":
      menu.set(targets(menu, request), changes(request, ITEM_REFERENCES), "api");
      reply.done();
      return;
    case "unset": {
      const names = (a.get("value-name") ?? "").split(",").filter((name) => name !== "");
      menu.unset(targets(menu, request), names, "api");
      reply.done();
      return;
    }
    case "enable":
    case "disable":
      menu.set(targets(menu, request), { disabled: verb === "disable" ? "true" : "false" }, "api");
      reply.done();
      return;
    case "remove":
      menu.remove(targets(menu, request) ?? [], "api");
      reply.done();
      return;
    case "move":
      menu.move(targets(menu, request) ?? [], a.get("destination"));
      reply.done();
      return;
    default:
      throw new TrapError(TrapMessage.noSuchCommand);
  }
}

async function print(store: ConfigStore, menu: Menu, request: ApiRequest, reply: Reply): Promise<void> {
  const a = request.attributes;
  const predicate = compileQuery(request.queries, (name) => menu.column(name));
  const from = a.has("from") ? new Set(splitRefs(a.get("from")!).map((ref) => mustResolve(menu, ref).id)) : null;
  const matches = (row: Row): boolean =>
    (from === null || from.has(row.id)) && (predicate === null || predicate(row.values));
  // Where the query pins an indexed attribute down (`?dst-address=x`), only those items are looked at.
  const candidates = candidatesOf(menu, request.queries);
  const rows = (): Iterable<Row> => candidates ?? menu.rowsInOrder();
  // An item looked up may go while a long reply waits; one met in the menu's own order is there.
  const present = (row: Row): boolean => candidates === null || menu.holds(row);

  if (a.has("count-only")) {
    // The same count of an unchanged menu is remembered, not looked for again over a million items.
    const key = `${request.queries.join("\n")}\u0000${a.get("from") ?? ""}`;
    const counted = countsOf(menu);
    const known = counted.get(key);
    if (known !== undefined && known.changes === menu.changes) {
      reply.done(String(known.count));
      return;
    }
    const changes = menu.changes;
    let count = 0;
    const slice = new ScanSlice();
    for (const row of rows()) {
      if (present(row) && matches(row)) count++;
      if (slice.over()) {
        await slice.yield();
        if (reply.finished) return;
      }
    }
    if (menu.changes === changes) remember(counted, key, { changes, count });
    reply.done(String(count));
    return;
  }
  const followOnly = a.has("follow-only");
  const follow = followOnly || a.has("follow");
  // Subscribe before printing so changes made meanwhile are not lost; they go out afterwards.
  const stream = follow ? listen(store, menu, request, reply, predicate, true) : null;
  const proplist = parseProplist(a.get(".proplist"));
  if (!followOnly) {
    const pick = pickColumns(menu, proplist);
    let sent = 0;
    const slice = new ScanSlice();
    for (const row of rows()) {
      if (reply.finished) return;
      if (slice.over()) await slice.yield();
      if (!present(row) || !matches(row)) continue;
      reply.row(menu.columns, row.values, pick);
      // Between items of a long reply, let a slow client slow us down.
      if ((++sent & 63) === 0) {
        const wait = reply.backpressure();
        if (wait !== null) await wait;
      }
    }
    if (reply.finished) return;
    if (sent === 0 && !follow) reply.empty();
  }
  if (stream !== null) stream.start();
  else reply.done();
}

/** Real time a print or count may look at items before the router answers others, in ms. */
export const SCAN_SLICE_MS = 8;
/** Items looked at between two looks at the clock. */
const SCAN_CLOCK_EVERY = 1024;
/** Most items in a slice, however fast the machine: a big table is never scanned in one go. */
export const SCAN_SLICE_ITEMS = 65_536;

/**
 * A long scan (a print or count over a million routes) in slices: the router answers other
 * commands, and other clients, between them, as RouterOS does while it prints a big table.
 * A menu shorter than SCAN_CLOCK_EVERY items is scanned in one go, as before.
 */
class ScanSlice {
  #seen = 0;
  #until = performance.now() + SCAN_SLICE_MS;

  over(): boolean {
    if ((++this.#seen & (SCAN_CLOCK_EVERY - 1)) !== 0) return false;
    return this.#seen >= SCAN_SLICE_ITEMS || performance.now() > this.#until;
  }

  async yield(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.#seen = 0;
    this.#until = performance.now() + SCAN_SLICE_MS;
  }
}

/** The items a query can match by an index of the menu, in print order; null when it must look at all. */
function candidatesOf(menu: Menu, queries: readonly string[]): Row[] | null {
  if (queries.length === 0) return null;
  for (const name of menu.indexedNames) {
    const values = necessaryValues(queries, name);
    if (values !== null) return menu.rowsWhere(name, values);
  }
  return null;
}

/** Counts remembered per menu, by query; good while the menu's `changes` stays what it was. */
const COUNTS_KEPT = 16;
const remembered = new WeakMap<Menu, Map<string, { changes: number; count: number }>>();

function countsOf(menu: Menu): Map<string, { changes: number; count: number }> {
  let counts = remembered.get(menu);
  if (counts === undefined) remembered.set(menu, (counts = new Map()));
  return counts;
}

function remember(counts: Map<string, { changes: number; count: number }>, key: string, count: { changes: number; count: number }): void {
  counts.delete(key);
  counts.set(key, count);
  if (counts.size > COUNTS_KEPT) counts.delete(counts.keys().next().value!);
}

interface Listening {
  start(): void;
}

/**
 * Streams every later change of the menu as `!re` (removals as `.id` + `.dead=yes`) until the
 * command is cancelled. Pending changes are kept per item, so a slow client gets each item's
 * latest state and the queue never outgrows the menu.
 */
function listen(
  store: ConfigStore,
  menu: Menu,
  request: ApiRequest,
  reply: Reply,
  predicate: RowPredicate | null,
  deferred = false,
): Listening {
  const proplist = parseProplist(request.attributes.get(".proplist"));
  const pending = new Map<string, { dead: boolean }>();
  let started = !deferred;
  let pumping = false;

  const pump = async (): Promise<void> => {
    let sent = 0;
    try {
      while (pending.size > 0 && !reply.finished) {
        // A big change (a table coming in) is many items: let the router answer others meanwhile.
        if ((++sent & 1023) === 0) await new Promise((resolve) => setImmediate(resolve));
        const [key, change] = pending.entries().next().value as [string, { dead: boolean }];
        pending.delete(key);
        if (change.dead) {
          reply.item({ ".id": key, ".dead": "yes" });
        } else {
          const row = menu.singleton ? menu.singletonRow() : menu.resolve(key);
          if (row === undefined || (predicate !== null && !predicate(row.values))) continue;
          reply.row(menu.columns, row.values, pickColumns(menu, proplist));
        }
        const wait = reply.backpressure();
        if (wait !== null) await wait;
      }
    } finally {
      pumping = false;
    }
    if (pending.size > 0 && !reply.finished) schedule();
  };
  const schedule = (): void => {
    if (pumping || !started) return;
    pumping = true;
    queueMicrotask(() => void pump());
  };

  const unsubscribe = store.subscribe((event) => {
    if (reply.finished) return;
    const key = event.id ?? "";
    pending.delete(key);
    if (event.kind === "remove") {
      // Only items the client could have seen are announced dead.
      if (predicate === null || predicate(valuesOf(menu, event.before))) pending.set(key, { dead: true });
    } else {
      pending.set(key, { dead: false });
    }
    schedule();
  }, menu.path);
  reply.signal.addEventListener("abort", unsubscribe, { once: true });
  return {
    start() {
      started = true;
      if (pending.size > 0) schedule();
    },
  };
}

function unknownCommand(
  store: ConfigStore,
  commands: ReadonlyMap<string, CommandHandler>,
  request: ApiRequest,
  reply: Reply,
): void {
  const known = [...store.paths, ...commands.keys()];
  const segments = request.command.split("/").slice(1);
  // The directory part of the command: every segment but the verb.
  let prefix = "";
  for (const segment of segments.slice(0, -1)) {
    prefix += `/${segment}`;
    const exists = known.some((path) => path === prefix || path.startsWith(prefix + "/"));
    if (!exists || segment === "") {
      // RouterOS names the first unknown segment, then adds a second trap.
      reply.trap(TrapMessage.noSuchDirectory(segment), TrapCategory.missingItemOrCommand);
      reply.fail(TrapMessage.noSuchCommandPrefix);
      return;
    }
  }
  if (!request.command.startsWith("/")) {
    reply.fail(TrapMessage.noSuchCommandPrefix);
    return;
  }
  reply.fail(TrapMessage.noSuchCommand);
}

/** Items named by `=.id=` or `=numbers=` (comma lists); null for a singleton. */
function targets(menu: Menu, request: ApiRequest): string[] | null {
  if (menu.singleton) return null;
  const refs = itemRefs(request);
  if (refs.length === 0) throw new TrapError(TrapMessage.noSuchItem, TrapCategory.missingItemOrCommand);
  return refs;
}

function itemRefs(request: ApiRequest): string[] {
  const text = request.attributes.get(".id") ?? request.attributes.get("numbers") ?? "";
  return [...new Set(splitRefs(text))];
}

function mustOne(refs: readonly string[]): string {
  if (refs.length !== 1) throw new TrapError(TrapMessage.noSuchItem, TrapCategory.missingItemOrCommand);
  return refs[0]!;
}

function mustResolve(menu: Menu, ref: string): Row {
  const row = menu.resolve(ref);
  if (row === undefined) throw new TrapError(TrapMessage.noSuchItem, TrapCategory.missingItemOrCommand);
  return row;
}

function splitRefs(text: string): string[] {
  return text
    .split(",")
    .map((ref) => ref.trim())
    .filter((ref) => ref !== "");
}

/** The attributes a write sets: every `=name=value` but the API's own and the given ones. */
function changes(request: ApiRequest, consumed: readonly string[]): Attributes {
  const out = attributes();
  for (const [name, value] of request.attributes) {
    if (name === ".proplist" || consumed.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

function parseProplist(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

function pickColumns(menu: Menu, proplist: readonly string[] | null): number[] | null {
  if (proplist === null) return null;
  return proplist.map((name) => menu.column(name)).filter((column) => column >= 0);
}

function valuesOf(menu: Menu, record: Readonly<Attributes>): (string | undefined)[] {
  const values: (string | undefined)[] = [];
  for (const [name, value] of Object.entries(record)) {
    const column = menu.column(name);
    if (column >= 0) values[column] = value;
  }
  return values;
}
