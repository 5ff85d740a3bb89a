// How a command reaches its router: the profile or user@host:port, the password, the pin, the
// time limit, one connection closed on every path. The one place commands open routers.
import type { Router } from "../platforms/platform.js";
import { routerOs } from "../platforms/routeros/index.js";
import { resolveRouter, type ResolvedRouter } from "../store/profiles.js";
import { promptPassword } from "./prompt.js";

export interface RouterFlags {
  router?: string;
  tls?: boolean;
  /** Seconds, checked as the command line was read (flags.ts). */
  timeout?: number;
}

/** --timeout in ms, or undefined for the default. */
export function timeoutMs(flags: { timeout?: number }): number | undefined {
  return flags.timeout === undefined ? undefined : flags.timeout * 1000;
}

/** The router the flags name, with its password and pin, before connecting. */
export async function resolveFlags(flags: RouterFlags): Promise<ResolvedRouter> {
  const ms = timeoutMs(flags);
  const resolved = await resolveRouter(flags.router, promptPassword, flags.tls);
  if (ms !== undefined) resolved.target = { ...resolved.target, timeoutMs: ms };
  return resolved;
}

/**
 * Connects to a resolved router and keeps a newly pinned certificate where it belongs: in the
 * profile for later runs, and in `resolved` for the later connections of this one (a watch that
 * reconnects must meet the same certificate, not pin whatever answers after a drop).
 */
export async function connectResolved(resolved: ResolvedRouter): Promise<Router> {
  const router = await routerOs.connect(resolved.target, resolved.label);
  try {
    resolved.remember(router.fingerprint);
  } catch (e) {
    await router.close().catch(() => undefined);
    throw e;
  }
  if (router.fingerprint !== null && !resolved.target.knownFingerprint) resolved.target = { ...resolved.target, knownFingerprint: router.fingerprint };
  return router;
}

/** Runs `work` on one connection to the router the flags name, closed afterwards whatever happens. */
export async function withRouter<T>(flags: RouterFlags, work: (router: Router, resolved: ResolvedRouter) => Promise<T>): Promise<T> {
  const resolved = await resolveFlags(flags);
  const router = await connectResolved(resolved);
  try {
    return await work(router, resolved);
  } finally {
    await router.close().catch(() => undefined);
  }
}
