// Watches a router: status snapshots, diffed into events; RouterOS 7 `listen` streams trigger a
// look as soon as something changes, a slow poll covers the rest (and RouterOS 6). A lost
// connection is said once, retried with backoff, and resumed without repeating events.
import { statusEvents, type MonitorEvent } from "../../core/events.js";
import type { Listening, RouterClient } from "./api/client.js";
import { statusOf, type RouterStatus } from "./peering-ops.js";

export type WatchEvent =
  | (MonitorEvent & { time: string })
  | { event: "connected"; time: string; version: string }
  | { event: "connection-lost"; time: string; error: string; retryInMs: number }
  | { event: "snapshot"; time: string; status: RouterStatus };

export interface WatchOptions {
  connect: () => Promise<RouterClient>;
  onEvent: (event: WatchEvent) => void;
  /** Every look, changed or not: screens draw the latest state from it. */
  onStatus?: (status: RouterStatus) => void;
  signal: AbortSignal;
  /** Slowest look, in ms (default 2000). */
  pollMs?: number;
  now?: () => Date;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000];
const LISTENED = ["/routing/bgp/session", "/ip/route", "/interface/wireguard/peers", "/interface"];

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
    let client: RouterClient | null = null;
    const listens: Listening[] = [];
    try {
      client = await options.connect();
      const [resource] = await client.print("/system/resource", { proplist: ["version"] });
      const version = (resource?.version ?? "").split(" ")[0] ?? "";
      const v6 = version.startsWith("6.");
      options.onEvent({ event: "connected", time: time(), version });
      failures = 0;
      let wake: (() => void) | null = null;
      if (!v6) {
        for (const path of LISTENED) listens.push(client.listen(path, () => wake?.(), { onError: () => wake?.() }));
      }
      while (!options.signal.aborted) {
        if (client.closed) throw new Error("the connection was closed");
        const status = await statusOf(client, v6);
        if (last === null) options.onEvent({ event: "snapshot", time: time(), status });
        else for (const e of statusEvents(last, status)) options.onEvent({ ...e, time: time() });
        last = status;
        options.onStatus?.(status);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          // A change seen by listen: look again shortly (changes come in bursts).
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
      for (const l of listens) await l.stop().catch(() => undefined);
      await client?.close().catch(() => undefined);
    }
  }
}
