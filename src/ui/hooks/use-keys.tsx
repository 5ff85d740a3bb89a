// One subscription to the terminal's keys for the whole app, handed to whoever listens at that
// moment. Ink's useInput subscribes each component in a passive effect, which can run only after
// the frame that shows the component is on screen: a key typed the moment a new step appears went
// to nobody. Here a component starts listening in the commit that draws it.
import { useInput, type Key } from "ink";
import { createContext, useContext, useLayoutEffect, useMemo, useRef, type ReactNode } from "react";

export type KeyHandler = (input: string, key: Key) => void;

interface KeyHub {
  /** Keys dispatched so far: a listener can tell which key it became live on. */
  count: number;
  readonly listeners: Set<{ current: KeyHandler }>;
}

const KeysContext = createContext<KeyHub | null>(null);

/** Listens once, at the root, and dispatches every key to the listeners mounted now. */
export function KeysProvider({ children }: { children: ReactNode }) {
  const parent = useContext(KeysContext);
  const hub = useMemo<KeyHub>(() => parent ?? { count: 0, listeners: new Set() }, [parent]);
  useInput(
    (input, key) => {
      hub.count++;
      for (const listener of [...hub.listeners]) listener.current(input, key);
    },
    { isActive: parent === null },
  );
  return <KeysContext.Provider value={hub}>{children}</KeysContext.Provider>;
}

/** Keys for this component while `isActive`; live from the commit that draws it. */
export function useKeys(handler: KeyHandler, { isActive = true }: { isActive?: boolean } = {}): void {
  const hub = useContext(KeysContext);
  const latest = useRef<KeyHandler>(() => undefined);
  useLayoutEffect(() => {
    latest.current = isActive ? handler : () => undefined;
  });
  useLayoutEffect(() => {
    if (hub === null) return;
    hub.listeners.add(latest);
    return () => void hub.listeners.delete(latest);
  }, [hub]);
  // Outside a KeysProvider (a widget drawn alone), Ink's own subscription.
  useInput((input, key) => latest.current(input, key), { isActive: hub === null && isActive });
}

/** How many keys the app has dispatched: which key a scope became live on. */
export function useKeyCount(): () => number {
  const hub = useContext(KeysContext);
  return () => hub?.count ?? -1;
}
