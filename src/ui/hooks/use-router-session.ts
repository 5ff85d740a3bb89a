// One router connection for the life of a screen: opened when the operator picks the router,
// closed when the screen goes. Discovery comes with it, as every wizard step needs it.
import { useCallback, useEffect, useRef } from "react";
import type { Inventory, Router } from "../../platforms/platform.js";
import { useServices, type NewRouterProfile } from "../services.js";

export interface RouterSession {
  router: Router;
  inventory: Inventory;
}

export function useRouterSession() {
  const services = useServices();
  const current = useRef<Router | null>(null);
  useEffect(
    () => () => {
      void current.current?.close().catch(() => undefined);
      current.current = null;
    },
    [],
  );
  const adopt = useCallback(async (open: () => Promise<Router>): Promise<RouterSession> => {
    await current.current?.close().catch(() => undefined);
    const router = await open();
    current.current = router;
    return { router, inventory: await router.discover() };
  }, []);
  const open = useCallback((router: string, password?: string) => adopt(() => services.connect(router, password)), [adopt, services]);
  const openNew = useCallback((profile: NewRouterProfile, password: string) => adopt(() => services.connectNew(profile, password)), [adopt, services]);
  return { open, openNew };
}
