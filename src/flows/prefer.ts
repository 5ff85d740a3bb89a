// Primary/backup toggle, as both the CLI and the TUI run it on an open router: predict, plan,
// apply (all or nothing), then watch the friend's prefixes move; and the friend's half (apply a
// received prefer bundle) and clearing a session a max-prefix trip holds down.
// Progress goes out through callbacks so a screen can draw each step as it happens.
import { decodeBundle, encodeBundle, type Bundle, type BundleRefusal, type Identity, type PublicIdentity, type Recipient } from "../core/bundle.js";
import type { Peering } from "../core/peering.js";
import { sidesOf } from "../core/peering.js";
import type { Plan } from "../core/plan.js";
import { checkPreferRequest, isFriendPrefix, linkOfGateway, predictPrefer, preferProblem, swapPrimary, type ObservedRoute, type PreferBody, type PreferPrediction } from "../core/prefer.js";
import type { ApplyEvent, LinkSecrets, LockRequest, Router, SessionStatus } from "../platforms/platform.js";

const DEFAULT_OBSERVE_MS = 30_000;
const DEFAULT_POLL_MS = 250;
const DEFAULT_CLEAR_WAIT_MS = 5000;

// --- Observing ---------------------------------------------------------------------------------

/** The active path to one friend prefix, seen after the apply. */
export interface ObservedMove {
  prefix: string;
  link: string | null;
  gateway: string;
  localPref: number | null;
  /** Since the apply finished. */
  afterMs: number;
  /** Where the prediction said it would be. */
  asPredicted: boolean;
}

export interface Observation {
  /** Every friend prefix is where the prediction said. */
  settled: boolean;
  /** From the end of the apply to settling (or to giving up). */
  elapsedMs: number;
  /** The last look: each friend prefix's active path. */
  prefixes: ObservedMove[];
}

export interface ObserveOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** A prefix's active path changed (or was first seen). */
  onObserved?: (move: ObservedMove) => void;
  signal?: AbortSignal;
  now?: () => number;
}

function where(prediction: PreferPrediction, peering: Peering, routes: readonly ObservedRoute[], elapsed: number): ObservedMove[] {
  return prediction.prefixes.map((x) => {
    const active = routes.find((r) => r.dst === x.prefix && r.active);
    const link = active === undefined ? null : linkOfGateway(peering, prediction.friend, active.gateway);
    const asPredicted = x.to === null ? active === undefined || link === null : link === x.to.link && active?.localPref === x.to.localPref;
    return { prefix: x.prefix, link, gateway: active?.gateway ?? "", localPref: active?.localPref ?? null, afterMs: elapsed, asPredicted };
  });
}

/** Looks at `/ip/route` until every friend prefix is where `prediction` said, or the time is up. */
export async function observeMove(router: Router, peering: Peering, prediction: PreferPrediction, options: ObserveOptions = {}): Promise<Observation> {
  const now = options.now ?? Date.now;
  const start = now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_OBSERVE_MS;
  const seen = new Map<string, string>();
  for (;;) {
    const elapsed = now() - start;
    const moves = where(prediction, peering, await router.bgpRoutes(), elapsed);
    for (const m of moves) {
      const key = `${m.gateway} ${m.localPref}`;
      if (seen.get(m.prefix) !== key) {
        seen.set(m.prefix, key);
        options.onObserved?.(m);
      }
    }
    const settled = moves.every((m) => m.asPredicted);
    if (settled || elapsed >= timeoutMs || options.signal?.aborted) return { settled, elapsedMs: elapsed, prefixes: moves };
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? DEFAULT_POLL_MS, Math.max(1, timeoutMs - elapsed))));
  }
}

// --- Swapping the primary ----------------------------------------------------------------------

export interface PreferCallbacks {
  /** Before anything is written: the predicted move and the exact changes. */
  onPredicted?: (prediction: PreferPrediction, plan: Plan) => void;
  /** Each write of the apply, and its undo on failure. */
  onApplyStep?: (event: ApplyEvent) => void;
  /** A friend prefix's active path, as it changes after the apply. */
  onObserved?: (move: ObservedMove) => void;
}

export interface PreferOptions extends PreferCallbacks {
  peering: Peering;
  /** Our side of the peering (the router `client` is connected to). */
  side: string;
  /** The link to make primary. */
  primary: string;
  /** Other peerings of the peers directory, for the checks a plan runs. */
  others?: readonly Peering[];
  secrets?: LinkSecrets;
  /** Public prefixes the user confirmed the friend may send (kept in their config since offer/accept/apply). */
  acceptPublic?: readonly string[];
  resolve?: (name: string) => Promise<string>;
  /** Asked after onPredicted, before any write: false stops there (status "planned"). */
  confirm?: (prediction: PreferPrediction, plan: Plan) => boolean | Promise<boolean>;
  /** Our identity and the friend's, to sign a prefer bundle asking them to match; absent: no bundle. */
  identity?: Identity | null;
  friend?: Recipient | null;
  /** How long to watch the move (default 30 s); 0 does not watch. */
  observeMs?: number;
  /** Take the router's lock for the plan and the apply, so (the move is watched after it is released); without it apply takes its own. */
  lock?: LockRequest;
  pollMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export type PreferResult =
  | { status: "refused"; message: string }
  | { status: "planned"; prediction: PreferPrediction; plan: Plan; peering: Peering }
  | { status: "failed"; prediction: PreferPrediction; plan: Plan; message: string; undone: number; undoProblems: string[] }
  | {
      status: "applied";
      prediction: PreferPrediction;
      plan: Plan;
      /** The peering with its new primary: save it. */
      peering: Peering;
      applied: number;
      observation: Observation | null;
      /** For the friend, null without identities. */
      bundle: { text: string; fingerprint: string } | null;
      /** Changes the router needs that a swap does not make (drift): `bgpals plan` shows them. */
      otherChanges: number;
    };

/** Plans the swap on the router: only filter and session changes, the rest is counted as drift. */
async function planSwap(router: Router, options: PreferOptions): Promise<{ prediction: PreferPrediction; plan: Plan; swapped: Peering; otherChanges: number } | { refused: string }> {
  const { peering, side, primary } = options;
  const problem = preferProblem(peering, side, primary);
  if (problem !== null) return { refused: problem };
  const swapped = swapPrimary(peering, primary);
  const [planned, routes] = await Promise.all([router.plan({ peering: swapped, side, others: options.others, secrets: options.secrets, scope: "policy", acceptPublic: options.acceptPublic }), router.bgpRoutes()]);
  if (planned.refusals.length > 0) return { refused: ["refused for this router, nothing written:", ...planned.refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n") };
  if (planned.plan.conflicts.length > 0) return { refused: ["nothing written:", ...planned.plan.conflicts.map((c) => `  ${c.message}`)].join("\n") };
  return { prediction: predictPrefer(peering, side, primary, routes), plan: planned.plan, swapped, otherChanges: planned.otherChanges };
}

export function preferBundle(identity: Identity, friend: Recipient, body: PreferBody, now: number): { text: string; fingerprint: string } {
  return encodeBundle({ identity, kind: "prefer", body: { ...body }, recipient: friend, now });
}

/**
 * Makes `primary` the preferred link of the peering on this router: every link's filters at once,
 * through plan and apply (a failure undoes what was written), then watches the move.
 */
export async function preferPrimary(router: Router, options: PreferOptions): Promise<PreferResult> {
  // Given a lock request (the commands): lock first, then read, plan and write. Without one (the
  // screens, where a person confirms in between), the plan is read without the lock and apply checks
  // it against the router under its own. Either way the move is watched once the lock is released.
  const locked = <T>(work: () => Promise<T>) => (options.lock === undefined ? work() : router.exclusive(options.lock, work));
  const outcome = await locked(async () => {
    const swap = await planSwap(router, options);
    if ("refused" in swap) return { status: "refused", message: swap.refused } as const;
    const { prediction, plan, swapped } = swap;
    options.onPredicted?.(prediction, plan);
    if (options.confirm !== undefined && !(await options.confirm(prediction, plan))) return { status: "planned", prediction, plan, peering: swapped } as const;
    const result = await router.apply(plan, { resolve: options.resolve, onEvent: options.onApplyStep });
    if (!result.ok) return { status: "failed", prediction, plan, message: result.message, undone: result.undone, undoProblems: result.undoProblems } as const;
    if (!result.verified) return { status: "failed", prediction, plan, message: [`applied, but reading ${router.label} back shows:`, ...result.differences.map((d) => `  ${d}`)].join("\n"), undone: 0, undoProblems: result.differences } as const;
    return { status: "written", swap, applied: result.applied } as const;
  });
  if (outcome.status !== "written") return outcome;
  const { swap, applied } = outcome;
  const { prediction, plan, swapped } = swap;

  const observeMs = options.observeMs ?? DEFAULT_OBSERVE_MS;
  const observation = observeMs > 0 ? await observeMove(router, swapped, prediction, { timeoutMs: observeMs, pollMs: options.pollMs, onObserved: options.onObserved, signal: options.signal, now: options.now }) : null;
  const bundle =
    options.identity && options.friend ? preferBundle(options.identity, options.friend, { peering: swapped.name, primary: options.primary }, (options.now ?? Date.now)()) : null;
  return { status: "applied", prediction, plan, peering: swapped, applied, observation, bundle, otherChanges: swap.otherChanges };
}

// --- The friend's half: a received prefer bundle -------------------------------------------

export interface ReadPreferInput {
  text: string;
  /** Ours: the request must be addressed to us. */
  identity: Identity;
  now: number;
  /** Nonces of bundles already used. */
  seen: { has(nonce: string): boolean };
  /** The key we keep for a friend (learned from their offer or answer), null when unknown. */
  friendKey: (name: string) => PublicIdentity | null;
  /** Our peering with that friend, null when we hold none. */
  peeringWith: (friend: string) => Peering | null;
}

export type PreferRequestRefusal = BundleRefusal | "unknown-friend" | "unknown-peering" | "unknown-link";

export type ReadPreferResult =
  | { ok: true; bundle: Bundle; fingerprint: string; friend: string; peering: Peering; side: string; primary: string }
  | { ok: false; reason: PreferRequestRefusal; message: string };

/** Verifies a prefer bundle and what it asks, without touching a router. */
export function readPreferBundle(input: ReadPreferInput): ReadPreferResult {
  const decoded = decodeBundle(input.text, { now: input.now, identity: input.identity, expectedKind: "prefer", seen: input.seen });
  if (!decoded.ok) return decoded;
  const sender = decoded.bundle.from;
  const known = input.friendKey(sender.name);
  if (known === null) {
    return { ok: false, reason: "unknown-friend", message: `this prefer request says it is from ${sender.name}, but you have no key for ${sender.name} (it is learned from their offer or answer): nothing to change` };
  }
  if (known.signKey !== sender.signKey) {
    return { ok: false, reason: "wrong-sender", message: `this prefer request says it is from ${sender.name}, but it is not signed with the key you have for ${sender.name}: if they made a new identity, confirm the fingerprint with them by voice and redo the offer` };
  }
  const peering = input.peeringWith(sender.name);
  const check = checkPreferRequest(decoded.bundle.body, peering, sender.name);
  if (!check.ok) return check;
  const side = Object.keys(peering!.sides).find((s) => s !== sender.name);
  if (side === undefined || peering!.sides[sender.name] === undefined) {
    return { ok: false, reason: "unknown-peering", message: `your peering ${peering!.name} has no side named ${sender.name}: nothing to change` };
  }
  return { ok: true, bundle: decoded.bundle, fingerprint: decoded.fingerprint, friend: sender.name, peering: peering!, side, primary: check.primary };
}

// --- Clearing a max-prefix trip ----------------------------------------------------------------

export interface ClearOptions {
  peering: Peering;
  side: string;
  /** Only this link's session (default: every session of the peering). */
  link?: string;
  /** How long to wait for a cleared session to establish again (default 5 s); a session still tripped then is "tripped-again". */
  waitMs?: number;
  pollMs?: number;
  onCleared?: (session: SessionStatus) => void;
  now?: () => number;
}

export interface ClearedSession {
  session: string;
  link: string;
  /** After the clear (and the wait): established, tripped again, or still coming up. */
  outcome: "established" | "tripped-again" | "not-established";
  lastError: string;
}

export type ClearResult = { status: "nothing-to-clear"; sessions: SessionStatus[] } | { status: "cleared"; sessions: ClearedSession[] } | { status: "refused"; message: string };

/**
 * Restarts the peering's sessions that a max-prefix trip holds down: `/routing/bgp/session clear`
 * on RouterOS 7; on RouterOS 6, which has no clear, disabling and enabling the peer (as its manual
 * says: without max-prefix-restart-time the session waits for that).
 */
export async function clearLimitExceeded(router: Router, options: ClearOptions): Promise<ClearResult> {
  const { peering, side } = options;
  if (peering.sides[side] === undefined) return { status: "refused", message: `peering ${peering.name} has no side named ${side}` };
  if (options.link !== undefined && !peering.links.some((l) => l.name === options.link)) {
    return { status: "refused", message: `peering ${peering.name} has no link named ${options.link}; its links are ${peering.links.map((l) => l.name).join(", ")}` };
  }
  const mine = (s: SessionStatus) => s.peering === peering.name && (options.link === undefined || s.link === options.link);
  const before = (await router.status()).sessions.filter(mine);
  const tripped = before.filter((s) => s.limitExceeded);
  if (tripped.length === 0) return { status: "nothing-to-clear", sessions: before };

  for (const s of tripped) {
    await router.clearSession(s);
    options.onCleared?.(s);
  }
  // A restart that disables and enables may have needed a connection of its own.
  const current = router.closed ? await router.reconnect() : router;
  try {
    const now = options.now ?? Date.now;
    const deadline = now() + (options.waitMs ?? DEFAULT_CLEAR_WAIT_MS);
    for (;;) {
      const after = (await current.status()).sessions.filter(mine);
      const outcomes = tripped.map((t): ClearedSession => {
        const s = after.find((x) => x.name === t.name);
        const outcome = s?.state === "established" ? "established" : s?.limitExceeded ? "tripped-again" : "not-established";
        return { session: t.name, link: t.link, outcome, lastError: s?.lastError ?? "" };
      });
      // Right after a clear the router may still show the old trip: only "established" ends the wait early.
      if (outcomes.every((o) => o.outcome === "established") || now() >= deadline) return { status: "cleared", sessions: outcomes };
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
    }
  } finally {
    if (current !== router) await current.close().catch(() => undefined);
  }
}

/** Friend prefixes among observed routes (for screens that list what a swap concerns). */
export function friendRoutes(peering: Peering, side: string, routes: readonly ObservedRoute[]): ObservedRoute[] {
  const { friend } = sidesOf(peering, side);
  return routes.filter((r) => isFriendPrefix(peering, friend, r.dst));
}
