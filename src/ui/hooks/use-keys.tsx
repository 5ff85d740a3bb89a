// One subscription to the terminal's keys for the whole app, handed to whoever listens at that
// moment. Ink's useInput subscribes each component in a passive effect, which can run only after
// the frame that shows the component is on screen: a key typed the moment a new step appears went
// to nobody. Here a component starts listening in the commit that draws it.
// Keys typed in a burst (the program was busy, or fingers fast) reach Ink as one string, "jjj" or
// "/10.2": that is split into keys here, and the keys are handed out one at a time, each after
// React has drawn what the one before did, so each lands where the screen then says it goes.
// "Drawn" is React's scheduler having run the render the key asked for: a key waits as a task of
// the scheduler React itself renders with, at the renders' own (normal) priority, queued from a
// microtask that comes after the one in which React queues the render a key asked for. So it runs
// after that render (one that yields half way on a busy machine still finishes first), and, being
// first in line among later renders, is never starved by the renders of a table that keeps
// streaming in: as a low-priority task it could wait for those up to its 10 s expiry.
import { useInput, type Key } from "ink";
import { unstable_NormalPriority as NORMAL, unstable_scheduleCallback as scheduleCallback } from "scheduler";
import { createContext, useContext, useLayoutEffect, useMemo, useRef, type ReactNode } from "react";

/** Ink's key, and `paste` for text that came between bracketed-paste markers (one paste, enter inside it is text). */
export type HubKey = Key & { paste?: boolean };
export type KeyHandler = (input: string, key: HubKey) => void;

interface KeyHub {
  /** Keys dispatched so far: a listener can tell which key it became live on. */
  count: number;
  readonly listeners: Set<{ current: KeyHandler }>;
  /** Keys waiting for the ones before them to be drawn. */
  readonly queue: Array<[string, HubKey]>;
  pumping: boolean;
  /** Text of a bracketed paste still arriving (between ESC[200~ and ESC[201~), or null. */
  pasting: string | null;
}

// Ink strips the escape of a sequence it does not know: the paste markers arrive as these.
const PASTE_START = "[200~";
const PASTE_END = "[201~";

/**
 * What a key adds to a bracketed paste in progress: Ink reports a lone line break or tab as a key
 * with no text, and a paste may arrive in several reads.
 */
function pastedText(input: string, key: Key): string {
  if (key.return) return "\r";
  if (key.tab) return "\t";
  return input;
}

/**
 * Takes bracketed paste in; returns the paste once it is whole, true while one is arriving
 * (the key is part of it), or false for a key that has nothing to do with a paste.
 */
export function takePaste(hub: { pasting: string | null }, input: string, key: Key): string | boolean {
  if (hub.pasting === null) {
    if (input !== PASTE_START) return false;
    hub.pasting = "";
    return true;
  }
  if (input === PASTE_END) {
    const text = hub.pasting;
    hub.pasting = null;
    return text;
  }
  hub.pasting += pastedText(input, key);
  return true;
}

/** Longer text in one piece is a paste, handed out whole (a bundle); shorter, keys typed in a burst. */
export const BURST_MAX = 32;

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One character of a burst as Ink would have reported it alone. */
function keyOf(char: string): [string, Key] {
  const code = char.charCodeAt(0);
  if (char === "\r" || char === "\n") return ["", { ...NO_KEY, return: true }];
  if (char === "\t") return ["", { ...NO_KEY, tab: true }];
  if (code === 0x7f || code === 0x08) return ["", { ...NO_KEY, backspace: true }];
  if (code < 0x20) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  return [char, { ...NO_KEY, shift: /[A-Z]/.test(char) }];
}

/** The keys in what Ink read as one input: a burst split into its keys, anything else as it came. */
export function keysOf(input: string, key: Key): Array<[string, HubKey]> {
  const chars = [...input];
  if (chars.length < 2 || chars.length > BURST_MAX || key.ctrl || key.meta || input.includes("\u001b")) return [[input, key]];
  return chars.map(keyOf);
}

function dispatch(hub: KeyHub, input: string, key: HubKey): void {
  hub.count++;
  for (const listener of [...hub.listeners]) listener.current(input, key);
}

/** Hands out queued keys one at a time, each once React has committed what the one before did. */
function pump(hub: KeyHub): void {
  if (hub.pumping) return;
  hub.pumping = true;
  // React queues the render of what the last key did in a microtask of its own, queued when that
  // key set state: this one comes after it, so the render is ahead in the scheduler's line.
  queueMicrotask(() =>
    scheduleCallback(NORMAL, () => {
      hub.pumping = false;
      const next = hub.queue.shift();
      if (next === undefined) return;
      dispatch(hub, ...next);
      if (hub.queue.length > 0) pump(hub);
    }),
  );
}

const KeysContext = createContext<KeyHub | null>(null);

/** Listens once, at the root, and dispatches every key to the listeners mounted now. */
export function KeysProvider({ children }: { children: ReactNode }) {
  const parent = useContext(KeysContext);
  const hub = useMemo<KeyHub>(() => parent ?? { count: 0, listeners: new Set(), queue: [], pumping: false, pasting: null }, [parent]);
  useInput(
    (input, key) => {
      const paste = takePaste(hub, input, key);
      if (paste === true) return;
      // A whole paste is one input, never split into keys.
      const keys: Array<[string, HubKey]> = typeof paste === "string" ? [[paste, { ...NO_KEY, paste: true }]] : keysOf(input, key);
      // The first key now, unless earlier ones still wait: order is kept.
      if (hub.queue.length === 0 && !hub.pumping) dispatch(hub, ...keys.shift()!);
      hub.queue.push(...keys);
      if (hub.queue.length > 0) pump(hub);
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
