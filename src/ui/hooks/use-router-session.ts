// One router connection for the life of a screen: opened when the operator picks the router,
// closed when the screen goes. Discovery comes with it, as every wizard step needs it.
import { useCallback, useEffect, useRef } from "react";
import type { RouterConnection } from "../../store/workspace.js";
import { discover, type Inventory } from "../../platforms/routeros/discovery.js";
import { RouterError } from "../../platforms/routeros/api/errors.js";
import { UserError } from "../../errors.js";
import { useServices, type NewRouterProfile } from "../services.js";

export interface RouterSession {
  connection: RouterConnection;
  inventory: Inventory;
}

export function useRouterSession() {
  const services = useServices();
  const current = useRef<RouterConnection | null>(null);
  useEffect(
    () => () => {
      void current.current?.client.close().catch(() => undefined);
      current.current = null;
    },
    [],
  );
  const adopt = useCallback(async (open: () => Promise<RouterConnection>): Promise<RouterSession> => {
    try {
      await current.current?.client.close().catch(() => undefined);
      const connection = await open();
      current.current = connection;
      return { connection, inventory: await discover(connection.client) };
    } catch (e) {
      throw e instanceof RouterError ? new UserError(e.message) : e;
    }
  }, []);
  const open = useCallback((router: string, password?: string) => adopt(() => services.connect(router, password)), [adopt, services]);
  const openNew = useCallback((profile: NewRouterProfile, password: string) => adopt(() => services.connectNew(profile, password)), [adopt, services]);
  return { open, openNew };
}
