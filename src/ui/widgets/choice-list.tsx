// A list to pick one item from (enter), or several (space to mark, enter when done).
import { Box, Text } from "ink";
import { useReducer } from "react";
import { useCommands } from "../hooks/use-commands.js";
import { cursorKeys, scrollWindow } from "../screens/scroll.js";
import { useTheme } from "../theme.js";

export interface Choice {
  value: string;
  label: string;
  /** Shown after the label, dimmed: why this one, what it is. */
  detail?: string;
}

export interface ChoiceState {
  cursor: number;
  marked: readonly string[];
}

export type ChoiceAction = { type: "move"; by: number; count: number } | { type: "toggle"; value: string };

export function choiceReducer(state: ChoiceState, action: ChoiceAction): ChoiceState {
  switch (action.type) {
    case "move":
      return { ...state, cursor: Math.max(0, Math.min(action.count - 1, state.cursor + action.by)) };
    case "toggle":
      return { ...state, marked: state.marked.includes(action.value) ? state.marked.filter((v) => v !== action.value) : [...state.marked, action.value] };
  }
}

interface CommonProps {
  choices: readonly Choice[];
  rows: number;
  focused: boolean;
  onBack: () => void;
  onHelp: () => void;
}

export function ChooseOne({ choices, rows, focused, onBack, onHelp, initial, onChoose }: CommonProps & { initial?: string; onChoose: (value: string) => void }) {
  const start = Math.max(0, choices.findIndex((c) => c.value === initial));
  const [state, dispatch] = useReducer(choiceReducer, { cursor: start, marked: [] });
  useCommands(
    "choose",
    {
      ...cursorKeys((by) => dispatch({ type: "move", by, count: choices.length }), rows, choices.length),
      next: () => {
        const choice = choices[state.cursor];
        if (choice) onChoose(choice.value);
      },
      back: onBack,
      help: onHelp,
    },
    focused,
  );
  return <ChoiceRows choices={choices} rows={rows} cursor={state.cursor} />;
}

export function ChooseMany({ choices, rows, focused, onBack, onHelp, initial = [], min = 1, onChoose }: CommonProps & { initial?: readonly string[]; min?: number; onChoose: (values: string[]) => void }) {
  const theme = useTheme();
  const [state, dispatch] = useReducer(choiceReducer, { cursor: 0, marked: initial });
  const [tried, setTried] = useReducer((_: boolean, next: boolean) => next, false);
  useCommands(
    "chooseMany",
    {
      ...cursorKeys((by) => dispatch({ type: "move", by, count: choices.length }), rows - 1, choices.length),
      toggle: () => {
        const choice = choices[state.cursor];
        if (choice) dispatch({ type: "toggle", value: choice.value });
      },
      next: () => {
        // Marked order follows the list, not the order of the key presses.
        const values = choices.map((c) => c.value).filter((v) => state.marked.includes(v));
        if (values.length >= min) onChoose(values);
        else setTried(true);
      },
      back: onBack,
      help: onHelp,
    },
    focused,
  );
  return (
    <Box flexDirection="column">
      <ChoiceRows choices={choices} rows={rows - 1} cursor={state.cursor} marked={state.marked} />
      {tried ? <Text color={theme.bad}>{`  mark at least ${min} with space`}</Text> : null}
    </Box>
  );
}

function ChoiceRows({ choices, rows, cursor, marked }: { choices: readonly Choice[]; rows: number; cursor: number; marked?: readonly string[] }) {
  const { start, end } = scrollWindow(choices.length, cursor, Math.max(1, rows));
  return (
    <Box flexDirection="column">
      {choices.slice(start, end).map((choice, i) => {
        const index = start + i;
        const box = marked === undefined ? "" : marked.includes(choice.value) ? "[x] " : "[ ] ";
        return (
          <Box key={choice.value}>
            <Text bold={index === cursor} wrap="truncate-end">
              {index === cursor ? "› " : "  "}
              {box}
              {choice.label}
              {choice.detail ? <Text dimColor>{`  ${choice.detail}`}</Text> : null}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
