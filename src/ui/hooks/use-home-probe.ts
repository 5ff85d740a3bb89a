// Keeps Home's badges live while Home is on screen: looks at the routers it shows (and, while a
// friend is shown, every router: a friend's badge comes from the routers' sessions) at most once
// per PROBE_EVERY_MS (at once when a friend was added or removed since the last look), and stops
// when the screen is left. A look reads tunnels and sessions only.
import { useLayoutEffect } from "react";
import type { Services } from "../services.js";
import { useServices } from "../services.js";
import { useActions, useAppState, type HomeData } from "../state.js";

/** The slowest Home looks, in ms (services.probeEveryMs changes it). */
export const PROBE_EVERY_MS = 30_000;

/**
 * When each app's Home last looked, and at what: leaving and coming back does not look again
 * sooner, unless what Home shows changed (a router or a peering was added or removed: its badge
 * should not wait half a minute).
 */
const lastLook = new WeakMap<Services, { at: number; what: string }>();


export function useHomeProbe(active: boolean, routers: readonly string[]): void {
  const services = useServices();
  const actions = useActions();
  const state = useAppState();
  const shown = routers.join("\n");
  const what = `${shown}\n--\n${state.friends.map((f) => f.peering).join("\n")}`;
  const current = { routers: state.routers, friends: state.friends };
  // A layout effect: it stops in the very commit that takes Home off the screen.
  useLayoutEffect(() => {
    if (!active || services.probe === undefined || shown === "") return;
    const probe = services.probe;
    const every = services.probeEveryMs ?? PROBE_EVERY_MS;
    const names = shown.split("\n");
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const look = async () => {
      lastLook.set(services, { at: Date.now(), what });
      try {
        const home = await probe(names);
        if (!stopped) actions.setHome(merged(current, home, names));
      } catch {
        // A failed look leaves the badges as they were; the next one tries again.
      }
      if (!stopped) timer = setTimeout(look, every);
    };
    const last = lastLook.get(services);
    const since = last === undefined || last.what !== what ? Infinity : Date.now() - last.at;
    timer = setTimeout(look, Math.max(0, every - since));
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // What is shown decides; the badges themselves change with every look.
  }, [active, services, actions, shown, what]);
}

/** The new look where it looked; the badges it did not look at stay as they were. */
function merged(before: HomeData, look: HomeData, probed: readonly string[]): HomeData {
  const routers = look.routers.map((r) => (probed.includes(r.name) ? r : (before.routers.find((b) => b.name === r.name) ?? r)));
  // A friend no router of this look shows keeps what an earlier look saw; one never seen is unknown, not checking.
  const friends = look.friends.map((f) => {
    const seen = before.friends.find((b) => b.peering === f.peering);
    return f.status !== "unknown" || seen === undefined || seen.status === "checking" ? f : seen;
  });
  return { routers, friends };
}
