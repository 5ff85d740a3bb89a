// Bytes a second through each tunnel, from the counters of the watcher's looks.
import { useEffect, useRef, useState } from "react";
import type { RouterStatus } from "../../../platforms/platform.js";

export interface Rate {
  rx: number;
  tx: number;
}

/** Rates by "peering link", from the counters of looks at least a second apart. */
export function useTunnelRates(status: RouterStatus | null): Map<string, Rate> {
  const samples = useRef(new Map<string, { at: number; rx: number; tx: number }>());
  const [rates, setRates] = useState(new Map<string, Rate>());
  useEffect(() => {
    if (status === null) return;
    const now = performance.now();
    const next = new Map(rates);
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
    if (changed) setRates(next);
    // Only a new look brings new counters.
  }, [status]);
  return rates;
}
