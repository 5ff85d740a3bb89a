// Reads keys for one scope and runs the command they trigger. Only commands listed for the scope
// in the keymap can fire, and the types demand a handler for each one that has no default.
import { useInput } from "ink";
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

export function useCommands<S extends KeyScope>(scope: S, handlers: CommandHandlers<S>, isActive: boolean): void {
  const actions = useActions();
  useInput(
    (input, key) => {
      const command = commandFor(scope, input, key);
      if (command === undefined) return;
      const table: Partial<Record<Command, () => void>> = { ...defaults(actions), ...handlers };
      table[command]?.();
    },
    { isActive },
  );
}
