// Keeps Home's badges live: probes the routers now and then and folds the answers into the
// home lists. Stops when the app goes.
import { useEffect } from "react";
import { useServices } from "../services.js";
import { useActions } from "../state.js";

const PROBE_EVERY_MS = 5_000;

export function useLiveStatus(active: boolean): void {
  const services = useServices();
  const actions = useActions();
  useEffect(() => {
    if (!active || services.probe === undefined) return;
    const probe = services.probe;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const look = async () => {
      try {
        const home = await probe();
        if (!stopped) actions.setHome(home);
      } catch {
        // A failed look leaves the badges as they were; the next one tries again.
      }
      if (!stopped) timer = setTimeout(look, PROBE_EVERY_MS);
    };
    void look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, services, actions]);
}
