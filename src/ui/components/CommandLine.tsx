// The `:` command line at the bottom of the screen: typed like a shell's line (Tab completes,
// ↑ ↓ walk this session's history, esc cancels), run on enter. A line that cannot run says why
// and what would work, and stays for fixing: it changes nothing.
import { Box, Text } from "ink";
import { createContext, useContext, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { completeCommandLine, parseCommandLine } from "../command-line.js";
import { useKeyCount, useKeys } from "../hooks/use-keys.js";
import { useActions, useAppState } from "../state.js";
import { useTheme } from "../theme.js";

/** A command only some screen can run (`:why` on the monitor): what stands in the way, or null once done. */
export type ScreenCommand = (argument: string) => string | null;

interface CommandLineHub {
  /** The screen on top's own commands, by name. */
  readonly screen: Map<string, ScreenCommand>;
  /** Lines run this session, oldest first. */
  readonly history: string[];
}

const CommandLineContext = createContext<CommandLineHub | null>(null);

export function CommandLineProvider({ children }: { children: ReactNode }) {
  const hub = useMemo<CommandLineHub>(() => ({ screen: new Map(), history: [] }), []);
  return <CommandLineContext.Provider value={hub}>{children}</CommandLineContext.Provider>;
}

/** Lets `:<name>` reach this screen while it is drawn. */
export function useScreenCommand(name: string, run: ScreenCommand): void {
  const hub = useContext(CommandLineContext);
  const latest = useRef(run);
  useLayoutEffect(() => {
    latest.current = run;
  });
  useLayoutEffect(() => {
    if (hub === null) return;
    const entry: ScreenCommand = (argument) => latest.current(argument);
    hub.screen.set(name, entry);
    return () => {
      if (hub.screen.get(name) === entry) hub.screen.delete(name);
    };
  }, [hub, name]);
}

export interface LineState {
  readonly text: string;
  /** Where ↑ has gone back to in the history; history.length when on the line being typed. */
  readonly back: number;
  /** The line being typed, kept while ↑ shows older ones. */
  readonly draft: string;
  readonly error: string | null;
  readonly candidates: readonly string[];
}

export type LineAction =
  | { readonly type: "type"; readonly text: string }
  | { readonly type: "erase" }
  | { readonly type: "clear" }
  | { readonly type: "set"; readonly text: string; readonly candidates?: readonly string[] }
  | { readonly type: "history"; readonly by: -1 | 1; readonly history: readonly string[] }
  | { readonly type: "fail"; readonly error: string };

export const emptyLine = (history: readonly string[]): LineState => ({ text: "", back: history.length, draft: "", error: null, candidates: [] });

export function lineReducer(state: LineState, action: LineAction): LineState {
  switch (action.type) {
    case "type":
      return { ...state, text: state.text + action.text, error: null, candidates: [] };
    case "erase":
      return { ...state, text: state.text.slice(0, -1), error: null, candidates: [] };
    case "clear":
      return { ...state, text: "", error: null, candidates: [] };
    case "set":
      return { ...state, text: action.text, error: null, candidates: action.candidates ?? [] };
    case "history": {
      const back = Math.max(0, Math.min(action.history.length, state.back + action.by));
      if (back === state.back) return state;
      const draft = state.back === action.history.length ? state.text : state.draft;
      return { ...state, back, draft, text: back === action.history.length ? draft : action.history[back]!, error: null, candidates: [] };
    }
    case "fail":
      return { ...state, error: action.error, candidates: [] };
  }
}

export function CommandLine({ active }: { active: boolean }) {
  const hub = useContext(CommandLineContext) ?? { screen: new Map<string, ScreenCommand>(), history: [] };
  const app = useAppState();
  const actions = useActions();
  const keys = useKeyCount();
  // The `:` that opened the line is not its first character.
  const openedAt = useRef(keys());
  // The line as the keys left it, read by the next key even before React has drawn the last one
  // (keys typed in one go: ":why 10.0.0.0/24" and enter); the state only draws it.
  const current = useRef<LineState>(emptyLine(hub.history));
  const [line, setLine] = useState(current.current);
  const dispatch = (action: LineAction) => {
    current.current = lineReducer(current.current, action);
    setLine(current.current);
  };
  const context = { friends: app.friends.map((f) => f.name), routers: app.routers.map((r) => r.name) };

  const run = () => {
    const text = current.current.text.trim();
    if (text !== "" && hub.history.at(-1) !== text) hub.history.push(text);
    const parsed = parseCommandLine(text, context);
    if (!parsed.ok) return dispatch({ type: "fail", error: parsed.error });
    const command = parsed.run;
    switch (command.kind) {
      case "go":
        actions.go(command.screen);
        break;
      case "help": {
        // A wizard shows its help in place of its step (its input stays); other screens open Help.
        const own = hub.screen.get("help");
        if (own === undefined) actions.navigate({ id: "help" });
        else own("");
        break;
      }
      case "quit":
        actions.quit();
        break;
      case "why": {
        const why = hub.screen.get("why");
        const problem = why === undefined ? ":why works on the monitor: open one with :monitor <friend>, then :why <prefix>" : why(command.prefix);
        if (problem !== null) return dispatch({ type: "fail", error: problem });
        break;
      }
    }
    actions.closeCommandLine();
  };

  useKeys(
    (input, key) => {
      if (keys() === openedAt.current) return;
      if (key.paste) return dispatch({ type: "type", text: input.replace(/[\r\n\t]/g, " ") });
      if (key.escape) return actions.closeCommandLine();
      if (key.return) return run();
      if (key.tab) {
        const done = completeCommandLine(current.current.text, context);
        return dispatch({ type: "set", text: done.line, candidates: done.candidates });
      }
      if (key.upArrow) return dispatch({ type: "history", by: -1, history: hub.history });
      if (key.downArrow) return dispatch({ type: "history", by: 1, history: hub.history });
      // Backspace on an empty line leaves it, as in vim.
      if (key.backspace || key.delete) return current.current.text === "" ? actions.closeCommandLine() : dispatch({ type: "erase" });
      if (key.ctrl && input === "u") return dispatch({ type: "clear" });
      if (key.ctrl && input === "c") return actions.quit();
      if (key.ctrl || key.meta || input === "" || /[\u0000-\u001f]/.test(input)) return;
      dispatch({ type: "type", text: input });
    },
    { isActive: active },
  );

  const theme = useTheme();
  const note = line.error ?? (line.candidates.length > 0 ? line.candidates.join("  ") : "enter run · tab complete · ↑/↓ history · esc cancel");
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text color={line.error ? theme.bad : undefined} dimColor={line.error === null} wrap={line.error ? "wrap" : "truncate-end"}>
        {note}
      </Text>
      <Text wrap="truncate-end">
        <Text bold>:</Text>
        {line.text}
        <Text inverse> </Text>
      </Text>
    </Box>
  );
}
