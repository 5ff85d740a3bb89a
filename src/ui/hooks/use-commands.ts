// Reads keys for one scope and runs the command they trigger. Only commands listed for the scope
// in the keymap can fire, and the types demand a handler for each one that has no default.
import { useLayoutEffect, useRef } from "react";
import { commandFor, type Command, type KeyScope, type ScopeCommand } from "../keymap.js";
import { readOnlyRefusal, WRITING_COMMANDS } from "../read-only.js";
import { useReadOnly } from "../services.js";
import { useActions, type AppActions } from "../state.js";
import { useKeyCount, useKeys } from "./use-keys.js";

/** Commands that mean the same on every screen; a scope may still override them. */
type DefaultCommand = "back" | "help" | "quit" | "commandLine";

export type CommandHandlers<S extends KeyScope> = {
  [C in Exclude<ScopeCommand<S>, DefaultCommand>]: () => void;
} & {
  [C in Extract<ScopeCommand<S>, DefaultCommand>]?: () => void;
};

const defaults = (actions: AppActions): Record<DefaultCommand, () => void> => ({
  back: actions.back,
  help: () => actions.navigate({ id: "help" }),
  quit: actions.quit,
  commandLine: actions.openCommandLine,
});

export function useCommands<S extends KeyScope>(scope: S, handlers: CommandHandlers<S>, isActive: boolean): void {
  const actions = useActions();
  const keys = useKeyCount();
  const readOnly = useReadOnly();
  const latest = useRef({ handlers, isActive: false, actions, activeSince: -1 });
  // Set in the commit that draws the frame: a key typed the moment the frame appeared is this scope's.
  useLayoutEffect(() => {
    const became = isActive && !latest.current.isActive;
    latest.current = { handlers, isActive, actions, activeSince: became ? keys() : latest.current.activeSince };
  });
  useKeys((input, key) => {
    const now = latest.current;
    // Live from the next key on: a scope opened by this very key must not take it as well.
    if (!now.isActive || (now.activeSince !== -1 && now.activeSince === keys())) return;
    // Pasted text is never a command (a pasted "q" must not quit).
    if (key.paste) return;
    const command = commandFor(scope, input, key);
    if (command === undefined) return;
    // Read-only: a key that would write says so instead, on every screen alike.
    if (readOnly !== undefined && WRITING_COMMANDS.has(command)) return now.actions.fail(readOnlyRefusal(command, readOnly));
    const table: Partial<Record<Command, () => void>> = { ...defaults(now.actions), ...now.handlers };
    table[command]?.();
  });
}
