// The monitor's use cases on an open router: which peering it shows, whose routes are the friend's,
// the friend's own router watched through the read-only account they granted, and the key actions
// (swap the primary, clear a prefix limit, ask why) each on a connection of its own, so the
// watcher keeps the screen's.
import type { Peering } from "../core/peering.js";
import type { Plan } from "../core/plan.js";
import type { PreferPrediction } from "../core/prefer.js";
import type { Platform, Router } from "../platforms/platform.js";
import { friendMonitorAccount } from "../store/friends.js";
import { knownFriend, loadIdentity } from "../store/identity.js";
import { acceptedPublic, peersOf, savePeering, type Workspace } from "../store/workspace.js";
import { preferPrimary, type PreferCallbacks, type PreferResult } from "./prefer.js";
import { watchRouter, type WatchOptions } from "./watch.js";

/** How long a swap watches the friend's prefixes move. */
const OBSERVE_MS = 30_000;
/** The friend's router is farther away and optional: give up on a look sooner than on our own. */
const FRIEND_TIMEOUT_MS = 5000;

/** Our peering with `friend` in the peers directory, where we are a side of it. */
export function peeringWith(ws: Workspace, me: string | null, friend: string): Peering | undefined {
  return peersOf(ws).find((p) => p.sides[friend] !== undefined && me !== null && p.sides[me] !== undefined);
}

/** The friend's tunnel address on each link, with the link's name: routes via them are the friend's. */
export function friendAddresses(peering: Peering, friend: string): Array<[address: string, link: string]> {
  return peering.links.map((l): [string, string] => [l.address[friend] ?? "", l.name]).filter(([address]) => address !== "");
}

/** The link a swap makes primary: the first that is not primary now; undefined with one link. */
export function nextPrimary(peering: Peering): string | undefined {
  return peering.links.find((l) => l.name !== peering.policy.primary)?.name;
}

/** Runs `work` on another connection to the same router, closed after. */
export async function onOwnConnection<T>(router: Router, work: (router: Router) => Promise<T>): Promise<T> {
  const own = await router.reconnect();
  try {
    return await work(own);
  } finally {
    await own.close().catch(() => undefined);
  }
}

export interface SwapOptions extends PreferCallbacks {
  workspace: Workspace;
  peering: Peering;
  /** Our side. */
  side: string;
  friend: string;
  /** The link to make primary. */
  primary: string;
  /** Asked with the prediction and the exact changes, before anything is written. */
  confirm: (prediction: PreferPrediction, plan: Plan) => Promise<boolean>;
}

/**
 * Makes `primary` the peering's primary link (flows/prefer.ts), with a signed request for the
 * friend to match, and saves the swapped peering once it is applied.
 */
export async function swapPrimaryLink(router: Router, options: SwapOptions): Promise<PreferResult> {
  const { workspace, peering, side, friend } = options;
  const result = await onOwnConnection(router, (own) =>
    preferPrimary(own, {
      peering,
      side,
      primary: options.primary,
      others: peersOf(workspace, peering.name),
      // What this user confirmed of the friend's public space before (accept, complete, apply).
      acceptPublic: acceptedPublic(workspace, peering.name, friend),
      confirm: options.confirm,
      onApplyStep: options.onApplyStep,
      onObserved: options.onObserved,
      identity: loadIdentity(side, workspace.home),
      friend: knownFriend(friend, workspace.home),
      observeMs: OBSERVE_MS,
    }),
  );
  if (result.status === "applied") savePeering(workspace, friend, result.peering);
  return result;
}

export interface FriendWatchOptions extends Pick<WatchOptions, "onEvent" | "onStatus" | "signal"> {
  platform: Platform;
  workspace: Workspace;
  friend: string;
}

/** Watches the friend's router through the read-only account they granted; null when they granted none. */
export function watchFriendRouter(options: FriendWatchOptions): Promise<void> | null {
  const { platform, workspace, friend } = options;
  const account = friendMonitorAccount(workspace, friend);
  if (account === null) return null;
  const target = { host: account.host, port: account.port, user: account.user, password: account.password, timeoutMs: FRIEND_TIMEOUT_MS };
  return watchRouter({ connect: () => platform.connect(target, `${friend}'s router`), signal: options.signal, onEvent: options.onEvent, onStatus: options.onStatus, routes: false });
}
