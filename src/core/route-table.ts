// The routes the monitor shows: a store of up to millions of routes, kept by `.id`, ordered by
// prefix (numerically) then gateway, with a regular-expression filter and a window for a virtualized view.
//
// Memory: each route is a slot in parallel typed arrays, not an object; gateways, links and AS
// paths are interned (a full table has few of them). An IPv4 prefix as RouterOS prints it
// (`10.2.0.0/24`) is kept only as its sort key (address and length, one number), and made into text
// again for the rows on screen and the filter's slices: a million strings held would each be an
// object for every full garbage collection to look at, and those pauses grew with the table.
// Only a prefix of another shape (IPv6, no length) keeps its text, in a map of the few.
// Speed: adding routes appends slots and remembers them as pending; the sorted order is brought up
// to date only when someone reads it (window, counts), by sorting the pending slots and merging
// them in from the back. A router prints its table roughly in prefix order, so that merge mostly
// only appends.

export interface RouteUpdate {
  /** RouterOS's `.id` (`*1A2B`). */
  readonly id: string;
  /** `dst-address`, e.g. `10.1.2.0/24`. */
  readonly prefix: string;
  readonly gateway: string;
  readonly active: boolean;
  /** BGP local preference; null when the route carries none. */
  readonly localPref: number | null;
  /** AS path as RouterOS prints it, comma separated; empty for none. */
  readonly asPath: string;
  /** The interface (tunnel) the route leaves by, when known. */
  readonly link?: string;
  /**
   * Rejected by an input filter (the router keeps it, never active): why, in words. Such a route
   * is listed, but counted apart (`filtered`), and in no gateway's or link's counts.
   */
  readonly filtered?: string;
}

/** One route as the view shows it. */
export interface RouteRow {
  readonly id: string;
  readonly prefix: string;
  readonly gateway: string;
  readonly active: boolean;
  readonly localPref: number | null;
  /** AS numbers separated by spaces, as routers show paths. */
  readonly asPath: string;
  readonly link: string;
  /** Why an input filter rejected it; null for a route the router took. */
  readonly filtered: string | null;
}

export interface GroupCount {
  /** The gateway or link. */
  readonly name: string;
  readonly total: number;
  readonly active: number;
}

export interface RouteCounts {
  /** Routes the router took (filtered ones apart). */
  readonly total: number;
  readonly active: number;
  /** Routes the filter lets through (all of them without a filter), filtered ones included. */
  readonly matching: number;
  /** Routes an input filter rejected, listed too. */
  readonly filtered: number;
  /**
   * Routes an input filter rejected that the router holds: more than `filtered` where the list
   * of them is capped (the monitor lists at most 1,000), else the same.
   */
  readonly filteredHeld: number;
  /** By gateway and by link, largest first; groups whose routes are all gone are left out. */
  readonly byGateway: readonly GroupCount[];
  readonly byLink: readonly GroupCount[];
}

// Slots of non-IPv4 prefixes sort after every IPv4 one, among themselves by text.
const NOT_IPV4 = Number.MAX_VALUE;
const LIVE = 1;
const ACTIVE = 2;
const FILTERED = 4;
const NO_LOCAL_PREF = -1;
const INITIAL_CAPACITY = 1024;
const RECENT_NAMES = 4;
const SETTLE_PENDING = 32_768;
const MAX_GROWTH = 1 << 20;
const RUN_BITS = 10;
const RUN_OF_IDS = 1 << RUN_BITS;

/** Distinct strings numbered in order of appearance, with per-group route counts. */
class Interned {
  readonly names: string[] = [];
  readonly total: number[] = [];
  readonly active: number[] = [];
  /** Per name: the local-pref of the route last seen with it (NO_LOCAL_PREF for none). */
  readonly localPref: number[] = [];
  /** Per name: does it match the current filter (-1 not computed yet). */
  matches: number[] = [];
  private readonly index = new Map<string, number>();

  /**
   * The last few names looked up: routes in a row mostly share a handful of gateways, links and
   * paths, often as the very same string, which is cheaper to find here than in the Map.
   */
  private readonly recentNames: (string | undefined)[] = new Array<string | undefined>(RECENT_NAMES).fill(undefined);
  private readonly recentNumbers: number[] = new Array<number>(RECENT_NAMES).fill(-1);
  private nextRecent = 0;

  number(name: string): number {
    const recent = this.recentNames;
    for (let i = 0; i < RECENT_NAMES; i++) if (recent[i] === name) return this.recentNumbers[i]!;
    let n = this.index.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.index.set(name, n);
      this.names.push(name);
      this.total.push(0);
      this.active.push(0);
      this.localPref.push(NO_LOCAL_PREF);
      this.matches.push(-1);
    }
    recent[this.nextRecent] = name;
    this.recentNumbers[this.nextRecent] = n;
    this.nextRecent = (this.nextRecent + 1) % RECENT_NAMES;
    return n;
  }

  /** The number of a name seen before. */
  find(name: string): number | undefined {
    return this.index.get(name);
  }

  groups(): GroupCount[] {
    const out: GroupCount[] = [];
    for (let i = 0; i < this.names.length; i++) {
      if (this.total[i]! > 0) out.push({ name: this.names[i]!, total: this.total[i]!, active: this.active[i]! });
    }
    return out.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/**
 * `.id` number to slot: open addressing with linear probing over typed arrays. A Map of a million
 * entries costs about three times the memory and time, and the index is touched for every route.
 */
class IdIndex {
  #keys = new Float64Array(0);
  /** Slot + 1 per place; 0 marks an empty place (a new array is all empty, with no fill). */
  #slots = new Int32Array(0);
  #mask = 0;
  #count = 0;

  constructor() {
    this.#resize(1024);
  }

  get(key: number): number | undefined {
    const keys = this.#keys;
    const slots = this.#slots;
    for (let i = hashOf(key) & this.#mask; ; i = (i + 1) & this.#mask) {
      const slot = slots[i]!;
      if (slot === 0) return undefined;
      if (keys[i] === key) return slot - 1;
    }
  }

  set(key: number, slot: number): void {
    // Up to 3/4 full: the ids of a print mostly run in sequence and rarely collide. It also keeps
    // this resize away from the slot arrays' doubling, each a burst of fresh memory on its own.
    if ((this.#count + 1) * 4 > this.#keys.length * 3) this.#resize(this.#keys.length * 2);
    if (this.#put(key, slot)) this.#count++;
  }

  delete(key: number): void {
    const keys = this.#keys;
    const slots = this.#slots;
    const mask = this.#mask;
    let i = hashOf(key) & mask;
    for (; ; i = (i + 1) & mask) {
      if (slots[i] === 0) return;
      if (keys[i] === key) break;
    }
    // Backward shift: entries after the hole that would no longer be found move into it.
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = hashOf(keys[j]!) & mask;
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        keys[i] = keys[j]!;
        slots[i] = slots[j]!;
        i = j;
      }
    }
    slots[i] = 0;
    this.#count--;
  }

  clear(): void {
    this.#keys = new Float64Array(0);
    this.#count = 0;
    this.#resize(1024);
  }

  /** Room for `count` keys without a resize (each one rehashes every key, at once). */
  reserve(count: number): void {
    let size = this.#keys.length;
    while (count * 4 > size * 3) size *= 2;
    if (size > this.#keys.length) this.#resize(size);
  }

  /** Stores key -> slot; true when the key is new. */
  #put(key: number, slot: number): boolean {
    const keys = this.#keys;
    const slots = this.#slots;
    let i = hashOf(key) & this.#mask;
    for (; slots[i] !== 0; i = (i + 1) & this.#mask) {
      if (keys[i] === key) {
        slots[i] = slot + 1;
        return false;
      }
    }
    keys[i] = key;
    slots[i] = slot + 1;
    return true;
  }

  #resize(size: number): void {
    const oldKeys = this.#keys;
    const oldSlots = this.#slots;
    this.#keys = new Float64Array(size);
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
    for (let i = 0; i < oldKeys.length; i++) if (oldSlots[i] !== 0) this.#put(oldKeys[i]!, oldSlots[i]! - 1);
  }
}

/**
 * Where a key's search starts. A print's ids mostly come in sequence (*1, *2 ...): runs of
 * neighbouring ids land next to each other, so a million lookups touch memory in order instead of
 * a cache miss each (that was the table's largest cost); the runs themselves are scattered.
 */
function hashOf(key: number): number {
  const k = (key | 0) ^ ((key / 0x100000000) | 0);
  return (k & (RUN_OF_IDS - 1)) | (Math.imul(k >>> RUN_BITS, 0x9e3779b1) << RUN_BITS);
}

export class RouteTable {
  #size = 0;
  #active = 0;
  #filtered = 0;
  /** Filtered routes the router holds (holdsFiltered), listed or not. */
  #filteredHeld = 0;
  /** Why, per slot of a filtered route (a few, next to a table of millions). */
  readonly #reasons = new Map<number, string>();
  #revision = 0;
  #capacity = 0;
  /** Parsed `.id` per slot: the hex number, or -(n+1) for the n-th id of another shape. */
  #idKey = new Float64Array(0);
  #sortKey = new Float64Array(0);
  #gateway = new Uint32Array(0);
  #link = new Uint32Array(0);
  #asPath = new Uint32Array(0);
  #localPref = new Int32Array(0);
  #flags = new Uint8Array(0);
  /** The text of prefixes the sort key does not give back as they came (not IPv4, no length, ...), per slot. */
  readonly #prefixText = new Map<number, string>();
  /** Slots ever used; slots below it that are free wait in #free. */
  #used = 0;
  #free: number[] = [];
  /** Freed slots that may still sit in #order or #view: reusable only after the next settle. */
  #freed: number[] = [];
  readonly #slotOf = new IdIndex();
  readonly #oddIds = new Interned();
  readonly #gateways = new Interned();
  readonly #links = new Interned();
  readonly #asPaths = new Interned();

  /** Live slots in display order, as of the last settle; may still hold slots freed since. */
  #order: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  #orderLength = 0;
  /** Slots added since the last settle. */
  #pending: number[] = [];
  #freedSinceSettle = 0;
  /** The filtered order; the same array as #order without a filter. */
  #view: Uint32Array = this.#order;
  #viewLength = 0;
  #filter = "";
  #pattern: RegExp | null = null;
  #filterChanged = false;
  /** Routes of #order the filter has looked at: #view holds the matches among order[0, #scanned). */
  #scanned = 0;
  readonly #filterSlice: number;

  /**
   * `filterSlice`: routes a new filter looks at per `window` (default all). A screen sets it so a
   * filter over a million routes is a few ms per frame, not one long pause: until it is through,
   * the view holds the matches found so far (all in order, from the top), `filtering` says so, and
   * the revision moves on each slice, so a view drawn per revision comes back for the rest. Only
   * `window`, which a frame calls once for its rows, looks further (and any first read of a new
   * filter): `matching`, `counts` and `positionOf`, read several times a frame, and `routesTo`,
   * read route by route for best paths, would otherwise run the whole filter in one go.
   */
  constructor(options: { filterSlice?: number } = {}) {
    this.#filterSlice = Math.max(1, options.filterSlice ?? Infinity);
    this.#grow(INITIAL_CAPACITY);
  }

  /** Routes held. */
  get size(): number {
    return this.#size;
  }

  /** Changes on every upsert, removal or filter change: a cheap "anything new?" for a view. */
  get revision(): number {
    return this.#revision;
  }

  get filter(): string {
    return this.#filter;
  }

  /** Adds routes, or replaces those whose `.id` is known. */
  upsert(routes: readonly RouteUpdate[]): void {
    for (const route of routes) this.#upsertOne(route);
    if (routes.length > 0) this.#revision++;
    // Nobody may read the order for a while (the view hidden): settling here keeps each sort and
    // merge to a few tens of ms, where a million routes sorted at once would freeze the screen.
    if (this.#pending.length >= SETTLE_PENDING) this.settle();
  }

  /**
   * Makes room for `count` routes in all, when it is known before they come (a router counts them
   * first): growing the slots and the index as they arrive copies and rehashes them at once, each
   * step a longer pause the bigger the table (about 100 ms near a million).
   */
  reserve(count: number): void {
    if (count > this.#capacity) this.#grow(count);
    this.#slotOf.reserve(count);
    if (count > this.#order.length) {
      const order = new Uint32Array(count);
      order.set(this.#order.subarray(0, this.#orderLength));
      if (this.#view === this.#order) this.#view = order;
      this.#order = order;
    }
  }

  /** Removes routes by `.id`; unknown ids are ignored. */
  remove(ids: readonly string[]): void {
    let removed = false;
    for (const id of ids) {
      const slot = this.#slotOf.get(this.#idNumber(id));
      if (slot === undefined) continue;
      this.#release(slot);
      removed = true;
    }
    if (removed) this.#revision++;
  }

  /** Forgets every route (a new print starts over). */
  clear(): void {
    this.#size = 0;
    this.#active = 0;
    this.#filtered = 0;
    this.#filteredHeld = 0;
    this.#reasons.clear();
    this.#used = 0;
    this.#free = [];
    this.#freed = [];
    this.#slotOf.clear();
    this.#pending = [];
    this.#freedSinceSettle = 0;
    this.#orderLength = 0;
    this.#viewLength = 0;
    this.#prefixText.clear();
    for (const interned of [this.#gateways, this.#links, this.#asPaths]) {
      interned.total.fill(0);
      interned.active.fill(0);
    }
    this.#flags.fill(0);
    this.#filterChanged = true;
    this.#revision++;
  }

  /**
   * Shows only routes whose prefix, gateway, link or AS path the regular expression `text` matches
   * (case-insensitive; an AS path as the view shows it, with spaces, or as RouterOS prints it, with
   * commas). Empty shows every route. Throws on an expression that does not compile: check it
   * first with filterProblem.
   */
  setFilter(text: string): void {
    const filter = text.trim();
    if (filter === this.#filter) return;
    this.#pattern = filter === "" ? null : new RegExp(filter, "i");
    this.#filter = filter;
    this.#filterChanged = true;
    for (const interned of [this.#gateways, this.#links, this.#asPaths]) interned.matches.fill(-1);
    this.#revision++;
  }

  /** `count` routes from `offset` of the filtered, ordered table. */
  window(offset: number, count: number): RouteRow[] {
    this.#settle(true);
    const end = Math.min(this.#viewLength, Math.max(0, offset) + Math.max(0, count));
    const rows: RouteRow[] = [];
    for (let i = Math.max(0, offset); i < end; i++) rows.push(this.#row(this.#view[i]!));
    return rows;
  }

  /** Routes the filter lets through (found so far, while `filtering`). */
  get matching(): number {
    this.settle();
    return this.#viewLength;
  }

  /** A new filter has not looked at every route yet (with a `filterSlice`): `matching` will grow. */
  get filtering(): boolean {
    return this.#filter !== "" && this.#scanned < this.#orderLength;
  }

  /** How many filtered routes the router holds, of which the table lists some (their list is capped). */
  holdsFiltered(total: number): void {
    this.#filteredHeld = total;
  }

  counts(): RouteCounts {
    return {
      total: this.#size - this.#filtered,
      active: this.#active,
      matching: this.matching,
      filtered: this.#filtered,
      filteredHeld: Math.max(this.#filtered, this.#filteredHeld),
      byGateway: this.#gateways.groups(),
      byLink: this.#links.groups().filter((group) => group.name !== ""),
    };
  }

  /** The local-pref the routes of a link carry (the last one seen); null when it has none now. */
  localPrefOf(link: string): number | null {
    const n = this.#links.find(link);
    if (n === undefined || this.#links.total[n] === 0) return null;
    const pref = this.#links.localPref[n]!;
    return pref === NO_LOCAL_PREF ? null : pref;
  }

  get(id: string): RouteRow | undefined {
    const slot = this.#slotOf.get(this.#idNumber(id));
    return slot === undefined ? undefined : this.#row(slot);
  }

  /** Every route in order, whatever the filter. */
  all(): RouteRow[] {
    this.settle();
    const rows: RouteRow[] = [];
    for (let i = 0; i < this.#orderLength; i++) rows.push(this.#row(this.#order[i]!));
    return rows;
  }

  /** The routes to `prefix` (filter or not), in order: a binary search in the settled order. */
  routesTo(prefix: string): RouteRow[] {
    this.settle();
    const key = prefixKey(prefix);
    const order = this.#order;
    const sortKey = this.#sortKey;
    let low = 0;
    let high = this.#orderLength;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sortKey[order[middle]!]! < key) low = middle + 1;
      else high = middle;
    }
    const rows: RouteRow[] = [];
    for (let i = low; i < this.#orderLength && sortKey[order[i]!] === key; i++) {
      const slot = order[i]!;
      if (key !== NOT_IPV4 || this.#prefixText.get(slot) === prefix) rows.push(this.#row(slot));
    }
    return rows;
  }

  /** Where the route stands in the filtered order; -1 when it is absent or filtered out. */
  positionOf(id: string): number {
    const slot = this.#slotOf.get(this.#idNumber(id));
    if (slot === undefined) return -1;
    this.settle();
    let low = 0;
    let high = this.#viewLength;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#compare(this.#view[middle]!, slot) < 0) low = middle + 1;
      else high = middle;
    }
    return low < this.#viewLength && this.#view[low] === slot ? low : -1;
  }

  /**
   * Brings the order (and the filtered view, as far as the filter has looked) up to date; every
   * read does it when needed. A new filter's view is built a slice per `window` (see the constructor).
   */
  settle(): void {
    this.#settle(false);
  }

  /** `slice`: and look at a slice more of the order for a new filter. */
  #settle(slice: boolean): void {
    const filterChanged = this.#filterChanged;
    if (this.#pending.length === 0 && this.#freedSinceSettle === 0 && !filterChanged && !(slice && this.filtering)) return;
    const flags = this.#flags;
    const filtered = this.#filter !== "" && !filterChanged && this.#view !== this.#order;
    if (this.#freedSinceSettle > 0) {
      if (filtered) this.#scanned = live(this.#order, this.#scanned, flags);
      this.#orderLength = compact(this.#order, this.#orderLength, flags);
    }
    const added = this.#livePending();
    if (!this.#inOrder(added)) added.sort((a, b) => this.#compare(a, b));
    // Of the routes added, those that sort before the first one the filter has not looked at yet
    // (all of them once it has looked at every route); the others it will come to.
    const seen = filtered && this.#scanned < this.#orderLength ? this.#countBefore(added, this.#order[this.#scanned]!) : added.length;
    this.#order = this.#mergeInto(this.#order, this.#orderLength, added);
    this.#orderLength += added.length;

    if (this.#filter === "") {
      this.#view = this.#order;
      this.#viewLength = this.#orderLength;
      this.#scanned = this.#orderLength;
    } else {
      if (!filtered) {
        this.#view = new Uint32Array(Math.max(INITIAL_CAPACITY, this.#orderLength));
        this.#viewLength = 0;
        this.#scanned = 0;
        // A new filter shows its first matches at the first read, whoever reads.
        slice = true;
      } else {
        if (this.#freedSinceSettle > 0) this.#viewLength = compact(this.#view, this.#viewLength, flags);
        const matching = new Uint32Array(seen);
        const n = this.#select(added, seen, matching);
        this.#view = this.#mergeInto(this.#view, this.#viewLength, matching.subarray(0, n));
        this.#viewLength += n;
        this.#scanned += seen;
      }
      // Further into the order, a slice at most: what is found there sorts after the whole view.
      const end = slice ? Math.min(this.#orderLength, this.#scanned + this.#filterSlice) : this.#scanned;
      if (end > this.#scanned) {
        if (this.#viewLength + (end - this.#scanned) > this.#view.length) {
          const view = new Uint32Array(Math.max(INITIAL_CAPACITY, this.#orderLength));
          view.set(this.#view.subarray(0, this.#viewLength));
          this.#view = view;
        }
        this.#viewLength += this.#select(this.#order.subarray(this.#scanned, end), end - this.#scanned, this.#view.subarray(this.#viewLength));
        this.#scanned = end;
      }
      // More to look at: a view that redraws per revision comes back for it.
      if (slice && this.#scanned < this.#orderLength) this.#revision++;
    }
    this.#pending = [];
    this.#filterChanged = false;
    this.#freedSinceSettle = 0;
    // Freed slots are out of both orders now: they may be handed out again.
    for (const slot of this.#freed) this.#free.push(slot);
    this.#freed = [];
  }

  /** The slots added since the last settle that are still there. */
  #livePending(): Uint32Array {
    const pending = this.#pending;
    const flags = this.#flags;
    const added = new Uint32Array(pending.length);
    let n = 0;
    for (let i = 0; i < pending.length; i++) {
      const slot = pending[i]!;
      if ((flags[slot]! & LIVE) !== 0) added[n++] = slot;
    }
    return n === added.length ? added : added.subarray(0, n);
  }

  /** How many of `sorted` (slots in order) sort before `slot`: a binary search. */
  #countBefore(sorted: Uint32Array, slot: number): number {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#compare(sorted[middle]!, slot) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** A router prints its table in order (by prefix) more often than not: then there is nothing to sort. */
  #inOrder(slots: Uint32Array): boolean {
    for (let i = 1; i < slots.length; i++) if (this.#compare(slots[i - 1]!, slots[i]!) > 0) return false;
    return true;
  }

  #upsertOne(route: RouteUpdate): void {
    const idKey = this.#idNumber(route.id);
    const gateway = this.#gateways.number(route.gateway);
    const link = this.#links.number(route.link ?? "");
    const asPath = this.#asPaths.number(route.asPath);
    const filtered = route.filtered !== undefined;
    if (!filtered) this.#links.localPref[link] = route.localPref ?? NO_LOCAL_PREF;
    const sortKey = prefixKey(route.prefix);
    // The text only where the key does not give it back (rare: not an IPv4 prefix as RouterOS prints it).
    const text = sortKey !== NOT_IPV4 && route.prefix.length === prefixTextLength(sortKey) && route.prefix.includes("/") ? undefined : route.prefix;
    const existing = this.#slotOf.get(idKey);
    if (existing !== undefined) {
      // Same place in the order and the same filter result: change it where it is.
      const wasFiltered = (this.#flags[existing]! & FILTERED) !== 0;
      if (this.#sortKey[existing] === sortKey && this.#prefixText.get(existing) === text && this.#gateway[existing] === gateway && this.#link[existing] === link && this.#asPath[existing] === asPath && wasFiltered === filtered && (!filtered || this.#reasons.get(existing) === route.filtered)) {
        this.#setActive(existing, route.active);
        this.#localPref[existing] = route.localPref ?? NO_LOCAL_PREF;
        return;
      }
      this.#release(existing);
    }
    const slot = this.#free.pop() ?? this.#used++;
    // Past a million slots, a doubling is ~100 ms of fresh memory touched at once: grow in steps.
    if (slot >= this.#capacity) this.#grow(this.#capacity + Math.min(this.#capacity, MAX_GROWTH));
    this.#idKey[slot] = idKey;
    this.#sortKey[slot] = sortKey;
    if (text !== undefined) this.#prefixText.set(slot, text);
    this.#gateway[slot] = gateway;
    this.#link[slot] = link;
    this.#asPath[slot] = asPath;
    this.#localPref[slot] = route.localPref ?? NO_LOCAL_PREF;
    this.#slotOf.set(idKey, slot);
    this.#pending.push(slot);
    this.#size++;
    if (filtered) {
      // Never active, and in no gateway's or link's counts: those say what the router uses.
      this.#flags[slot] = LIVE | FILTERED;
      this.#reasons.set(slot, route.filtered!);
      this.#filtered++;
      return;
    }
    this.#flags[slot] = LIVE | (route.active ? ACTIVE : 0);
    this.#gateways.total[gateway]!++;
    this.#links.total[link]!++;
    if (route.active) {
      this.#active++;
      this.#gateways.active[gateway]!++;
      this.#links.active[link]!++;
    }
  }

  #setActive(slot: number, active: boolean): void {
    if ((this.#flags[slot]! & FILTERED) !== 0) return;
    const was = (this.#flags[slot]! & ACTIVE) !== 0;
    if (was === active) return;
    const step = active ? 1 : -1;
    this.#flags[slot] = LIVE | (active ? ACTIVE : 0);
    this.#active += step;
    this.#gateways.active[this.#gateway[slot]!]! += step;
    this.#links.active[this.#link[slot]!]! += step;
  }

  #release(slot: number): void {
    this.#setActive(slot, false);
    if ((this.#flags[slot]! & FILTERED) !== 0) {
      this.#filtered--;
      this.#reasons.delete(slot);
    } else {
      this.#gateways.total[this.#gateway[slot]!]!--;
      this.#links.total[this.#link[slot]!]!--;
    }
    this.#flags[slot] = 0;
    this.#slotOf.delete(this.#idKey[slot]!);
    this.#prefixText.delete(slot);
    this.#size--;
    this.#freed.push(slot);
    this.#freedSinceSettle++;
  }

  #row(slot: number): RouteRow {
    const localPref = this.#localPref[slot]!;
    const idKey = this.#idKey[slot]!;
    return {
      id: idKey >= 0 ? `*${idKey.toString(16).toUpperCase()}` : this.#oddIds.names[-idKey - 1]!,
      prefix: this.#prefixOf(slot),
      gateway: this.#gateways.names[this.#gateway[slot]!]!,
      active: (this.#flags[slot]! & ACTIVE) !== 0,
      localPref: localPref === NO_LOCAL_PREF ? null : localPref,
      asPath: this.#asPaths.names[this.#asPath[slot]!]!.replace(/,/g, " "),
      link: this.#links.names[this.#link[slot]!]!,
      filtered: (this.#flags[slot]! & FILTERED) !== 0 ? (this.#reasons.get(slot) ?? "") : null,
    };
  }

  /** Prefix numerically, then gateway, then `.id`: a total order, so views are stable. */
  #compare(a: number, b: number): number {
    const keyA = this.#sortKey[a]!;
    const keyB = this.#sortKey[b]!;
    if (keyA !== keyB) return keyA < keyB ? -1 : 1;
    if (keyA === NOT_IPV4) {
      const prefixA = this.#prefixText.get(a)!;
      const prefixB = this.#prefixText.get(b)!;
      if (prefixA !== prefixB) return prefixA < prefixB ? -1 : 1;
    }
    const gatewayA = this.#gateways.names[this.#gateway[a]!]!;
    const gatewayB = this.#gateways.names[this.#gateway[b]!]!;
    if (gatewayA !== gatewayB) return gatewayA < gatewayB ? -1 : 1;
    return this.#idKey[a]! - this.#idKey[b]!;
  }

  /**
   * Merges sorted `added` into the sorted first `length` slots of `target`, from the back, so only
   * what sorts after the smallest added slot moves. Returns the array holding the result.
   */
  #mergeInto(target: Uint32Array, length: number, added: Uint32Array): Uint32Array {
    const m = added.length;
    if (m === 0) return target;
    let out = target;
    if (length + m > target.length) {
      out = new Uint32Array(Math.max(INITIAL_CAPACITY, (length + m) * 2));
      out.set(target.subarray(0, length));
    }
    // What sorts after every added slot only moves up by m: found by halving and moved in one
    // copy, not compared slot by slot (routes arriving mid-order would move half a million).
    const last = added[m - 1]!;
    let low = 0;
    let high = length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#compare(out[mid]!, last) > 0) high = mid;
      else low = mid + 1;
    }
    out.copyWithin(low + m, low, length);
    let i = low - 1;
    let j = m - 1;
    let k = low + m - 1;
    while (j >= 0) {
      if (i >= 0 && this.#compare(out[i]!, added[j]!) > 0) out[k--] = out[i--]!;
      else out[k--] = added[j--]!;
    }
    return out;
  }

  /** Copies the slots of `source` that match the filter into `target`; returns how many. */
  #select(source: Uint32Array, length: number, target: Uint32Array): number {
    const filter = this.#pattern;
    if (filter === null) {
      target.set(source.subarray(0, length));
      return length;
    }
    let n = 0;
    for (let i = 0; i < length; i++) {
      const slot = source[i]!;
      // The interned fields first: their answers are remembered, where the prefix's text is made anew.
      if (
        matches(this.#gateways, this.#gateway[slot]!, filter) ||
        matches(this.#links, this.#link[slot]!, filter) ||
        matches(this.#asPaths, this.#asPath[slot]!, filter, true) ||
        filter.test(this.#prefixOf(slot)) ||
        // A filtered route also by the word and its reason: `/filtered`, `/own network`.
        ((this.#flags[slot]! & FILTERED) !== 0 && filter.test(`filtered ${this.#reasons.get(slot) ?? ""}`))
      ) {
        target[n++] = slot;
      }
    }
    return n;
  }

  #prefixOf(slot: number): string {
    return this.#prefixText.get(slot) ?? prefixText(this.#sortKey[slot]!);
  }

  #idNumber(id: string): number {
    const parsed = parseId(id);
    return parsed >= 0 ? parsed : -this.#oddIds.number(id) - 1;
  }

  #grow(capacity: number): void {
    const grown = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.#idKey = grown(this.#idKey, (n) => new Float64Array(n));
    this.#sortKey = grown(this.#sortKey, (n) => new Float64Array(n));
    this.#gateway = grown(this.#gateway, (n) => new Uint32Array(n));
    this.#link = grown(this.#link, (n) => new Uint32Array(n));
    this.#asPath = grown(this.#asPath, (n) => new Uint32Array(n));
    this.#localPref = grown(this.#localPref, (n) => new Int32Array(n));
    this.#flags = grown(this.#flags, (n) => new Uint8Array(n));
    this.#capacity = capacity;
  }
}

function matches(interned: Interned, n: number, filter: RegExp, asPath = false): boolean {
  let known = interned.matches[n]!;
  if (known === -1) {
    const name = interned.names[n]!;
    known = filter.test(name) || (asPath && filter.test(name.replace(/,/g, " "))) ? 1 : 0;
    interned.matches[n] = known;
  }
  return known === 1;
}

/**
 * Why `text` cannot filter routes (the JavaScript engine's words, without the expression it
 * repeats), or null when it can.
 */
export function filterProblem(text: string): string | null {
  try {
    new RegExp(text.trim(), "i");
    return null;
  } catch (e) {
    const message = (e as Error).message;
    // "Invalid regular expression: /(/i: Unterminated group" says the expression back: its tail is the news.
    return message.slice(message.lastIndexOf(": ") + 2) || message;
  }
}

/** How many of the first `length` of `slots` are still live. */
function live(slots: Uint32Array, length: number, flags: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < length; i++) if ((flags[slots[i]!]! & LIVE) !== 0) n++;
  return n;
}

/** Drops freed slots from the first `length` of `slots`, in place; returns the new length. */
function compact(slots: Uint32Array, length: number, flags: Uint8Array): number {
  let kept = 0;
  for (let i = 0; i < length; i++) {
    const slot = slots[i]!;
    if ((flags[slot]! & LIVE) !== 0) slots[kept++] = slot;
  }
  return kept;
}

/** `*1A2B` as a number; -1 for any other shape. */
function parseId(id: string): number {
  const n = id.length;
  if (n < 2 || n > 9 || id.charCodeAt(0) !== 0x2a /* * */) return -1;
  let value = 0;
  for (let i = 1; i < n; i++) {
    const c = id.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

const OCTET_DOT = Array.from({ length: 256 }, (_, n) => `${n}.`);
const OCTET = Array.from({ length: 256 }, (_, n) => `${n}`);
const SLASH_LENGTH = Array.from({ length: 33 }, (_, n) => `/${n}`);

/** An IPv4 prefix's text from its key (prefixKey), as RouterOS prints it: `10.2.0.0/24`. */
export function prefixText(key: number): string {
  const length = key % 64;
  const address = (key - length) / 64;
  // From strings made once: a filter over a million routes makes this a million times.
  return OCTET_DOT[address >>> 24]! + OCTET_DOT[(address >>> 16) & 255]! + OCTET_DOT[(address >>> 8) & 255]! + OCTET[address & 255]! + SLASH_LENGTH[length]!;
}

/** How long prefixText(key) is, without making it. */
function prefixTextLength(key: number): number {
  const length = key % 64;
  const address = (key - length) / 64;
  return digits(address >>> 24) + digits((address >>> 16) & 255) + digits((address >>> 8) & 255) + digits(address & 255) + digits(length) + 4;
}

const digits = (n: number): number => (n >= 100 ? 3 : n >= 10 ? 2 : 1);

/**
 * A number that orders IPv4 prefixes by address, then by length (`10.0.0.0/8` before
 * `10.0.0.0/24`); NOT_IPV4 for anything else. Parsed by hand: it runs once per route.
 */
export function prefixKey(prefix: string): number {
  const n = prefix.length;
  let address = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = prefix.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return NOT_IPV4;
    } else if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return NOT_IPV4;
      address = address * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c === 47 /* / */) {
      break;
    } else {
      return NOT_IPV4;
    }
  }
  if (dots !== 3 || digits === 0) return NOT_IPV4;
  address = address * 256 + part;
  let length = 32;
  if (i < n) {
    length = 0;
    if (i + 1 === n || n - i > 3) return NOT_IPV4;
    for (i++; i < n; i++) {
      const c = prefix.charCodeAt(i);
      if (c < 48 || c > 57) return NOT_IPV4;
      length = length * 10 + (c - 48);
    }
    if (length > 32) return NOT_IPV4;
  }
  return address * 64 + length;
}
