// Best paths as they change, from a route stream: which prefixes arrived, went, or moved to
// another gateway. Fed the updates before they go into the RouteTable, so it knows each touched
// prefix's best path from before; asked later (a burst of changes settled), it says what changed.
// Pure: no clock, no I/O.
import type { MonitorEvent } from "./events.js";
import type { RouteRow, RouteTable, RouteUpdate } from "./route-table.js";

type Best = { gateway: string; link: string | null } | null;

type RouteEvent = Extract<MonitorEvent, { event: "prefix-arrived" | "prefix-withdrawn" | "best-path-moved" }>;

export class BestPaths {
  /** Prefixes touched since the last look, with their best path before the first touch. */
  readonly #before = new Map<string, Best>();

  constructor(private readonly table: RouteTable) {}

  /** Prefixes whose best path may have changed since the last `changes()`. */
  get pending(): number {
    return this.#before.size;
  }

  /** Call with a batch of updates before it goes into the table. */
  note(routes: readonly RouteUpdate[], removed: readonly string[]): void {
    for (const route of routes) {
      const old = this.table.get(route.id);
      if (old?.active) this.#touch(old.prefix, old);
      if (route.active && !this.#before.has(route.prefix)) this.#touch(route.prefix, undefined);
    }
    for (const id of removed) {
      const old = this.table.get(id);
      if (old?.active) this.#touch(old.prefix, old);
    }
  }

  /**
   * What changed since the last call, the table now holding every update noted: of the first
   * `limit` prefixes touched, in the order they were; the rest stay pending for the next call
   * (a whole table's worth at once is a long pause).
   */
  changes(limit = Infinity): RouteEvent[] {
    const events: RouteEvent[] = [];
    let looked = 0;
    for (const [prefix, before] of this.#before) {
      if (looked++ >= limit) break;
      this.#before.delete(prefix);
      const after = bestOf(this.table.routesTo(prefix), before);
      if (before === null && after !== null) events.push({ event: "prefix-arrived", prefix, gateway: after.gateway, link: after.link });
      else if (before !== null && after === null) events.push({ event: "prefix-withdrawn", prefix });
      else if (before !== null && after !== null && before.gateway !== after.gateway) events.push({ event: "best-path-moved", prefix, from: before, to: after });
    }
    return events;
  }

  /** Forgets what was noted (the table starts over). */
  reset(): void {
    this.#before.clear();
  }

  #touch(prefix: string, was: RouteRow | undefined): void {
    if (this.#before.has(prefix)) return;
    this.#before.set(prefix, was !== undefined ? pathOf(was) : bestOf(this.table.routesTo(prefix), null));
  }
}

const pathOf = (row: RouteRow): Best => ({ gateway: row.gateway, link: row.link === "" ? null : row.link });

/** The active route; with two (an update still on its way), the one that is not the old best. */
function bestOf(rows: readonly RouteRow[], before: Best): Best {
  const active = rows.filter((r) => r.active);
  const chosen = active.find((r) => before === null || r.gateway !== before.gateway) ?? active[0];
  return chosen === undefined ? null : pathOf(chosen);
}
