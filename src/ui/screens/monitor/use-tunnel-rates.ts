// Bytes a second through each tunnel, from the counters of the watcher's looks.
import { useMemo, useRef } from "react";
import type { RouterStatus } from "../../../platforms/platform.js";

export interface Rate {
  rx: number;
  tx: number;
}

/**
 * Rates by "peering link", from the counters of looks at least a second apart. Worked out while
 * the look is drawn, not in an effect after it: an effect's setState would draw every look twice,
 * and a screen full of routes costs tens of milliseconds a frame.
 */
export function useTunnelRates(status: RouterStatus | null): Map<string, Rate> {
  const samples = useRef(new Map<string, { at: number; rx: number; tx: number }>());
  const rates = useRef(new Map<string, Rate>());
  return useMemo(() => {
    if (status === null) return rates.current;
    const now = performance.now();
    const next = new Map(rates.current);
    let changed = false;
    for (const t of status.tunnels) {
      const key = `${t.peering} ${t.link}`;
      const before = samples.current.get(key);
      if (before === undefined || t.rx < before.rx || t.tx < before.tx) {
        // First look, or the counters restarted (a reboot): start over.
        samples.current.set(key, { at: now, rx: t.rx, tx: t.tx });
        continue;
      }
      const seconds = (now - before.at) / 1000;
      if (seconds < 1) continue;
      next.set(key, { rx: (t.rx - before.rx) / seconds, tx: (t.tx - before.tx) / seconds });
      samples.current.set(key, { at: now, rx: t.rx, tx: t.tx });
      changed = true;
    }
    if (changed) rates.current = next;
    return rates.current;
    // Only a new look brings new counters.
  }, [status]);
}
