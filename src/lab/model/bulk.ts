// Routes that come by the hundred thousand: a leak (`/lab/leak`) and an upstream table that is not
// a bgpals peer's (`/lab/table`). Their i-th prefix is a function of i, every other attribute the
// group's, so a million of them cost a few typed arrays, not a million objects. The work on them is
// spread over ticks (a time budget each), so a router carrying them keeps answering.
import { formatAddress } from "../ipv4.js";

/** The most routes a leak or a table may hold. */
export const MAX_BULK_ROUTES = 1_000_000;

const LEAK_START = ((10 * 256 + 200) * 256 + 0) * 256; // 10.200.0.0
const TABLE_START = 1 * 256 * 256 * 256; // 1.0.0.0

/** The i-th leaked /24: 10.200.0.0/24, 10.200.1.0/24 ... 10.255.255.0/24, then 11.0.0.0/24 on. */
export function leakPrefix(i: number): string {
  return `${formatAddress(LEAK_START + i * 256)}/24`;
}

/** The i-th route of an upstream table: 1.0.0.0/24, 1.0.1.0/24 ... */
export function tablePrefix(i: number): string {
  return `${formatAddress(TABLE_START + i * 256)}/24`;
}

/** AS paths an upstream table's routes carry, in turn. */
export const TABLE_AS_PATHS = ["3215,174", "3215,3356,13335", "3215,1299,15169", "3215,6939"];

/** Real time the bulk work of one tick may take, in ms. */
export const BULK_BUDGET_MS = 30;

/** Items between two looks at the clock. */
const CLOCK_EVERY = 512;

/** A deadline for bulk work: `over()` looks at the clock every few hundred items only. */
export class Budget {
  #count = 0;
  readonly #deadline: number;

  constructor(ms = BULK_BUDGET_MS) {
    this.#deadline = performance.now() + ms;
  }

  over(): boolean {
    return (++this.#count & (CLOCK_EVERY - 1)) === 0 && performance.now() > this.#deadline;
  }
}

/**
 * The leaked routes one session receives, judged by its input filter as the ticks go: `localPref`
 * holds each judged route's local-pref, or -1 when the filter rejects it.
 */
export class LeakIntake {
  /** Routes judged so far, from the first. */
  ready = 0;
  /** Of those, accepted. */
  accepted = 0;
  localPref: Int32Array;

  constructor(
    /** What the verdicts depend on (the count, the filters, the chain); a change starts over. */
    readonly signature: string,
    readonly count: number,
    private readonly judge: (dst: string) => number | null,
  ) {
    this.localPref = new Int32Array(count);
  }

  get done(): boolean {
    return this.ready >= this.count;
  }

  /** Judges routes until all are judged or the budget is spent. */
  advance(budget: Budget): void {
    const { count, localPref } = this;
    let i = this.ready;
    while (i < count) {
      const pref = this.judge(leakPrefix(i));
      localPref[i] = pref === null ? -1 : pref;
      if (pref !== null) this.accepted++;
      i++;
      if (budget.over()) break;
    }
    this.ready = i;
  }
}

/** A group of bulk routes as a router's routing table shows them. */
export interface BulkGroup {
  /** Stable while the group lasts: "table", or "leak <session>". */
  readonly key: string;
  readonly count: number;
  /** Routes [0, ready) are known; later ones are still being judged. */
  readonly ready: number;
  /** Local-pref per route, -1 when filtered out; null when every route takes `fixedLocalPref`. */
  readonly localPref: Int32Array | null;
  readonly fixedLocalPref: number;
  /** Changes whenever anything but `ready` changes: the projection then looks at every route again. */
  readonly version: string;
  readonly prefixOf: (i: number) => string;
  readonly gateway: string;
  /** AS path of route i, comma separated. */
  readonly asPathOf: (i: number) => string;
  /** The session it came in on; "" for none. */
  readonly session: string;
  readonly routerId: string;
  readonly interface: string;
  /** Competes for best path with the other groups of its router (leaks); false: always active (a table). */
  readonly competes: boolean;
  /** Its session holds on a silent neighbour: the routes stay, none active. */
  readonly held: boolean;
}
