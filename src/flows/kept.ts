// The bundles this side made or took (store/mailbox.ts), as the flows use them: the answer already
// made for an offer (accepting the same offer again shows it instead of refusing), what Home lists
// as half-way, and giving up an offer that will not be answered.
import { rmSync, existsSync, readFileSync } from "node:fs";
import { decodeBundle } from "../core/bundle.js";
import type { Router } from "../platforms/platform.js";
import { peekIdentity, pendingOfferFile } from "../store/identity.js";
import { keptBundle, keptBundles, setKeptState, type KeptBundle } from "../store/mailbox.js";
import type { Workspace } from "../store/workspace.js";
import { bundleText } from "./wizard.js";

/**
 * The answer this side already made for this offer, or null (not accepted here yet, or not a
 * valid offer for `me`: openOffer then says why). Writes nothing.
 */
export function keptAnswerFor(text: string, ws: Workspace, me: string, now = Date.now()): KeptBundle | null {
  const { identity, saved } = peekIdentity(me, ws.home);
  if (!saved) return null;
  // Signature and addressing checked as for a new offer; only a replay is what we look for.
  const decoded = decodeBundle(bundleText(text), { now, identity, expectedKind: "offer" });
  if (!decoded.ok) return null;
  return keptBundle("outbox", "answer", decoded.bundle.nonce, ws.home);
}

/** What Home lists: the offers and answers this side sent that are still of use, newest first. */
export function keptForHome(ws: Workspace): KeptBundle[] {
  return keptBundles(ws.home).filter((b) => b.direction === "outbox" && (b.state === "waiting" || b.state === "answered" || b.state === "completed"));
}

/** How Home says a kept bundle's state. */
export function keptStateText(b: KeptBundle): string {
  switch (b.state) {
    case "waiting":
      return "waiting for answer";
    case "answered":
      return "answered";
    case "completed":
      return "completed";
    case "cancelled":
      return "cancelled";
    case "replaced":
      return "replaced";
  }
}

/**
 * Gives up an offer still waiting for its answer: removes what it prepared on the router (the
 * tunnel interfaces, certificates), forgets the pending offer, and marks it cancelled. The friend's
 * answer to it, if one comes, is then refused.
 */
export async function cancelOffer(router: Router, ws: Workspace, kept: KeptBundle, now = Date.now()): Promise<void> {
  if (kept.direction !== "outbox" || kept.kind !== "offer" || kept.state !== "waiting") throw new Error(`cancelOffer: ${kept.kind} ${kept.offer} is not an offer waiting for its answer`);
  await router.discardPrepared(kept.peering, "all");
  const pending = pendingOfferFile(kept.friend, ws.home);
  // Only this offer's pending file: a newer offer to the same friend stays.
  if (existsSync(pending) && (JSON.parse(readFileSync(pending, "utf8")) as { nonce?: string }).nonce === kept.offer) rmSync(pending, { force: true });
  setKeptState("outbox", "offer", kept.offer, "cancelled", now, ws.home);
}
