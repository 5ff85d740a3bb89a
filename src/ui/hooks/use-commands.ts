// Reads keys for one scope and runs the command they trigger. Only commands listed for the scope
// in the keymap can fire, and the types demand a handler for each one that has no default.
import type { EventEmitter } from "node:events";
import { useInput, useStdin } from "ink";
import { useLayoutEffect, useRef } from "react";
import { commandFor, type Command, type KeyScope, type ScopeCommand } from "../keymap.js";
import { useActions, type AppActions } from "../state.js";

/** Commands that mean the same on every screen; a scope may still override them. */
type DefaultCommand = "back" | "help" | "quit";

export type CommandHandlers<S extends KeyScope> = {
  [C in Exclude<ScopeCommand<S>, DefaultCommand>]: () => void;
} & {
  [C in Extract<ScopeCommand<S>, DefaultCommand>]?: () => void;
};

const defaults = (actions: AppActions): Record<DefaultCommand, () => void> => ({
  back: actions.back,
  help: () => actions.navigate({ id: "help" }),
  quit: actions.quit,
});

/** Counts keys as they arrive, before any screen sees them: which key a scope became active on. */
const keyCounters = new WeakMap<EventEmitter, { key: number }>();
function keyCounter(emitter: EventEmitter | undefined): { key: number } | null {
  if (emitter === undefined) return null;
  let counter = keyCounters.get(emitter);
  if (counter === undefined) {
    const made = { key: 0 };
    emitter.prependListener("input", () => made.key++);
    keyCounters.set(emitter, (counter = made));
  }
  return counter;
}

export function useCommands<S extends KeyScope>(scope: S, handlers: CommandHandlers<S>, isActive: boolean): void {
  const actions = useActions();
  const counter = keyCounter(useStdin().internal_eventEmitter as EventEmitter | undefined);
  const latest = useRef({ handlers, isActive: false, actions, activeSince: -1 });
  // Set in the commit that draws the frame. useInput would re-subscribe in a passive effect, which
  // may run only after a key typed the moment the frame appeared: that key went to the old scope.
  useLayoutEffect(() => {
    const became = isActive && !latest.current.isActive;
    latest.current = { handlers, isActive, actions, activeSince: became ? (counter?.key ?? -1) : latest.current.activeSince };
  });
  useInput((input, key) => {
    const now = latest.current;
    // Live from the next key on: a scope opened by this very key must not take it as well.
    if (!now.isActive || (counter !== null && now.activeSince === counter.key)) return;
    const command = commandFor(scope, input, key);
    if (command === undefined) return;
    const table: Partial<Record<Command, () => void>> = { ...defaults(now.actions), ...now.handlers };
    table[command]?.();
  });
}
