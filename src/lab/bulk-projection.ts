// Writes bulk route groups (model/bulk.ts: leaks, an upstream table) into a router's /ip/route,
// a slice per tick: each pass compares what a group wants at route i with what the table holds
// and writes only the difference, so a million routes that do not change cost no writes, and a
// change (a filter edited, a session lost) is carried out over a few ticks while the router answers.
import type { Budget, BulkGroup } from "./model/bulk.js";
import type { Menu } from "./store/menu.js";

interface Projected {
  /** Row number per route, 0 for none. */
  rows: Int32Array;
  localPref: Int32Array;
  active: Uint8Array;
  /** Routes [0, length) may have rows. */
  length: number;
}

const NONE = -1;

export class BulkProjection {
  readonly #projected = new Map<string, Projected>();
  /** Where the pass over the groups stands. */
  #cursor = 0;
  /** The groups and versions the pass is for: any change starts it over. */
  #pass = "";
  /** Rows the groups hold in the table: counted as they are written, not by looking at a million. */
  #held = 0;

  constructor(
    private readonly menu: () => Menu,
    private readonly v6: boolean,
  ) {}

  /** Rows the groups hold in the table now. */
  get rows(): number {
    return this.#held;
  }

  /** Whether every group is in the table as it wants to be. */
  settled(groups: readonly BulkGroup[]): boolean {
    if (this.#pass !== passOf(groups) || [...this.#projected.keys()].some((key) => !groups.some((g) => g.key === key))) return false;
    return this.#cursor >= this.#end(groups) && groups.every((g) => g.ready >= g.count);
  }

  /** Moves the table towards `groups` until done or the budget is spent. */
  step(groups: readonly BulkGroup[], budget: Budget): void {
    const menu = this.menu();
    // Groups gone (a session lost, a leak or table stopped): their rows go, from the last.
    for (const [key, p] of this.#projected) {
      if (groups.some((g) => g.key === key)) continue;
      while (p.length > 0) {
        const row = p.rows[--p.length]!;
        if (row !== 0) {
          menu.removeBulk(row);
          this.#held--;
        }
        if (budget.over()) return;
      }
      this.#projected.delete(key);
    }
    const pass = passOf(groups);
    if (pass !== this.#pass) {
      this.#pass = pass;
      this.#cursor = 0;
    }
    const projected = groups.map((g) => this.#room(g.key, g.count));
    let limit = this.#end(groups);
    for (const g of groups) if (g.ready < g.count) limit = Math.min(limit, g.ready);
    let i = this.#cursor;
    while (i < limit) {
      this.#route(menu, groups, projected, i++);
      if (budget.over()) break;
    }
    this.#cursor = i;
    if (i >= this.#end(groups)) for (const p of projected) while (p.length > 0 && p.rows[p.length - 1] === 0) p.length--;
  }

  /** One past the last route any group wants or holds. */
  #end(groups: readonly BulkGroup[]): number {
    let end = 0;
    for (const g of groups) end = Math.max(end, g.count, this.#projected.get(g.key)?.length ?? 0);
    return end;
  }

  /** The group's arrays, with room for `count` routes. */
  #room(key: string, count: number): Projected {
    let p = this.#projected.get(key);
    if (p === undefined) {
      p = { rows: new Int32Array(count), localPref: new Int32Array(count), active: new Uint8Array(count), length: 0 };
      this.#projected.set(key, p);
    } else if (p.rows.length < count) {
      const grow = <T extends Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
        const next = make(count);
        next.set(old);
        return next;
      };
      p.rows = grow(p.rows, (n) => new Int32Array(n));
      p.localPref = grow(p.localPref, (n) => new Int32Array(n));
      p.active = grow(p.active, (n) => new Uint8Array(n));
    }
    return p;
  }

  /** Route i of every group: best path among the groups that compete, then rows written where they differ. */
  #route(menu: Menu, groups: readonly BulkGroup[], projected: readonly Projected[], i: number): void {
    let best = -1;
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k]!;
      if (!g.competes || g.held) continue;
      const pref = wanted(g, i);
      if (pref === NONE) continue;
      if (best < 0 || better(g, pref, groups[best]!, wanted(groups[best]!, i))) best = k;
    }
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k]!;
      const p = projected[k]!;
      const pref = wanted(g, i);
      const row = i < p.length ? p.rows[i]! : 0;
      if (pref === NONE) {
        if (row !== 0) {
          menu.removeBulk(row);
          p.rows[i] = 0;
          this.#held--;
        }
        continue;
      }
      const active = g.competes ? k === best : !g.held;
      if (row === 0) {
        p.rows[i] = menu.addBulk(this.#attributes(g, i, pref, active));
        this.#held++;
        p.localPref[i] = pref;
        p.active[i] = active ? 1 : 0;
        if (i >= p.length) p.length = i + 1;
      } else if (p.localPref[i] !== pref || (p.active[i] === 1) !== active) {
        menu.setBulk(row, { active: String(active), [this.v6 ? "bgp-local-pref" : "bgp.local-pref"]: String(pref) });
        p.localPref[i] = pref;
        p.active[i] = active ? 1 : 0;
      }
    }
  }

  /** A route as the router prints it: the attributes of the dataplane's own BGP routes. */
  #attributes(g: BulkGroup, i: number, pref: number, active: boolean): Record<string, string> {
    const base = { "dst-address": g.prefixOf(i), gateway: g.gateway, distance: "20", dynamic: "true", active: String(active), bgp: "true" };
    const from = g.session === "" ? "upstream" : g.session;
    return this.v6
      ? { ...base, "bgp-as-path": g.asPathOf(i), "bgp-local-pref": String(pref), "received-from": from }
      : { ...base, "bgp.as-path": g.asPathOf(i), "bgp.local-pref": String(pref), "belongs-to": this.#belongsTo(g.gateway), "received-from": from };
  }

  /** One string per gateway, not one per route: a million routes' rows share it. */
  readonly #belongsToText = new Map<string, string>();
  #belongsTo(gateway: string): string {
    let text = this.#belongsToText.get(gateway);
    if (text === undefined) this.#belongsToText.set(gateway, (text = `bgp-IP-${gateway}`));
    return text;
  }
}

function passOf(groups: readonly BulkGroup[]): string {
  return groups.map((g) => `${g.key}\u0000${g.version}`).join("\u0001");
}

/** The local-pref route i of the group takes, NONE when the group has no such route. */
function wanted(g: BulkGroup, i: number): number {
  if (i >= g.count || i >= g.ready) return NONE;
  return g.localPref === null ? g.fixedLocalPref : g.localPref[i]!;
}

/** Best path between two groups' route to the same prefix: local-pref, then router id, then gateway. */
function better(a: BulkGroup, prefA: number, b: BulkGroup, prefB: number): boolean {
  if (prefA !== prefB) return prefA > prefB;
  if (a.routerId !== b.routerId) return a.routerId < b.routerId;
  return a.gateway < b.gateway;
}
