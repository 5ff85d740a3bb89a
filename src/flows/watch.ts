// Watches a router: status snapshots, diffed into events. Where the router streams its changes
// they trigger a look at once, a slow poll covers the rest (and routers that cannot stream). A
// lost connection is said once, retried with backoff, and resumed without repeating events.
import { statusEvents, type MonitorEvent } from "../core/events.js";
import type { Router, RouterStatus, Watching } from "../platforms/platform.js";

export type WatchEvent =
  | (MonitorEvent & { time: string })
  | { event: "connected"; time: string; version: string }
  | { event: "connection-lost"; time: string; error: string; retryInMs: number }
  | { event: "snapshot"; time: string; status: RouterStatus };

export interface WatchOptions {
  connect: () => Promise<Router>;
  onEvent: (event: WatchEvent) => void;
  /** Every look, changed or not: screens draw the latest state from it. */
  onStatus?: (status: RouterStatus) => void;
  signal: AbortSignal;
  /** Slowest look, in ms (default 2000). */
  pollMs?: number;
  now?: () => Date;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

export async function watchRouter(options: WatchOptions): Promise<void> {
  const time = () => (options.now?.() ?? new Date()).toISOString();
  const pollMs = options.pollMs ?? 2000;
  let last: RouterStatus | null = null;
  let failures = 0;
  while (!options.signal.aborted) {
    let router: Router | null = null;
    let watching: Watching | null = null;
    try {
      router = await options.connect();
      const version = await router.version();
      options.onEvent({ event: "connected", time: time(), version });
      failures = 0;
      let wake: (() => void) | null = null;
      watching = await router.watchChanges(() => wake?.());
      while (!options.signal.aborted) {
        if (router.closed) throw new Error("the connection was closed");
        const status = await router.status();
        if (last === null) options.onEvent({ event: "snapshot", time: time(), status });
        else for (const e of statusEvents(last, status)) options.onEvent({ ...e, time: time() });
        last = status;
        options.onStatus?.(status);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          // A change seen by the router's stream: look again shortly (changes come in bursts).
          wake = () => {
            clearTimeout(t);
            wake = null;
            setTimeout(resolve, 50);
          };
          options.signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
    } catch (e) {
      if (options.signal.aborted) break;
      const retryInMs = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!;
      if (failures === 0) options.onEvent({ event: "connection-lost", time: time(), error: (e as Error).message, retryInMs });
      failures++;
      await sleep(retryInMs, options.signal);
    } finally {
      await watching?.stop().catch(() => undefined);
      await router?.close().catch(() => undefined);
    }
  }
}
