// A one-line text entry: typing, paste (a whole chunk at once, or bracketed by the terminal: then
// its line breaks are dropped rather than submitting), backspace, ctrl+u to clear,
// enter to submit. Masked fields never draw what was typed. Long values show their end.
import { wrapHanging } from "./wrap.js";
import { Box, Text } from "ink";
import { useKeys } from "../hooks/use-keys.js";
import { useReducer } from "react";
import { useCommands } from "../hooks/use-commands.js";
import { useTheme } from "../theme.js";

export type TextFieldAction = { type: "input"; text: string } | { type: "backspace" } | { type: "clear" };

// Control characters never belong in a field; a paste keeps everything else.
const CONTROL = /[\u0000-\u001F\u007F]/g;

export function textFieldReducer(value: string, action: TextFieldAction): string {
  switch (action.type) {
    case "input":
      return value + action.text.replace(CONTROL, "");
    case "backspace":
      return value.slice(0, -1);
    case "clear":
      return "";
  }
}

/** What the field draws: the value (or its mask), the end of it when it is too long. */
export function visibleText(value: string, width: number, mask: boolean): string {
  const shown = mask ? "•".repeat(value.length) : value;
  if (shown.length <= width) return shown;
  return `…${shown.slice(shown.length - width + 1)}`;
}

export interface TextFieldProps {
  label: string;
  initial?: string;
  mask?: boolean;
  width: number;
  focused: boolean;
  /** A problem with the value, or null when it can be submitted. */
  validate?: (value: string) => string | null;
  onSubmit: (value: string) => void;
  onBack: () => void;
  onAbort: () => void;
  /**
   * What ctrl+v adds (the demo's clipboard: the field's keys are then the "paste" scope's); a
   * terminal's own paste arrives as typing.
   */
  paste?: () => string | null;
}

export function TextField({ label, initial = "", mask = false, width, focused, validate, onSubmit, onBack, onAbort, paste }: TextFieldProps) {
  const theme = useTheme();
  const [value, dispatch] = useReducer(textFieldReducer, initial);
  const problem = validate?.(value) ?? null;
  const [tried, setTried] = useReducer((_: boolean, next: boolean) => next, false);
  const [nothingCopied, setNothingCopied] = useReducer((_: boolean, next: boolean) => next, false);

  const submit = (text: string) => {
    const p = validate?.(text) ?? null;
    if (p === null) onSubmit(text.trim());
    else setTried(true);
  };
  const commands = {
    next: () => submit(value),
    clearField: () => dispatch({ type: "clear" }),
    back: onBack,
    abort: onAbort,
  };
  const pasteCopied = () => {
    const text = paste?.() ?? null;
    setNothingCopied(text === null);
    if (text !== null) dispatch({ type: "input", text });
  };
  useCommands("text", commands, focused && paste === undefined);
  useCommands("paste", { ...commands, pasteCopied }, focused && paste !== undefined);
  useKeys(
    (input, key) => {
      if (key.backspace || key.delete) return dispatch({ type: "backspace" });
      // A bracketed paste is text, line breaks and all (they are dropped): only enter submits it.
      if (key.paste) {
        dispatch({ type: "input", text: input });
        setTried(false);
        return;
      }
      if (key.ctrl || key.meta || key.return || key.escape || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
      // Typing ahead or pasting a line can bring the enter in the same chunk as the text.
      const line = /^([^\r\n]*)[\r\n]/.exec(input);
      if (line) {
        dispatch({ type: "input", text: line[1] ?? "" });
        return submit(textFieldReducer(value, { type: "input", text: line[1] ?? "" }));
      }
      if (input !== "") {
        dispatch({ type: "input", text: input });
        setTried(false);
      }
    },
    { isActive: focused },
  );

  const room = Math.max(8, width - label.length - 4);
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold>{label}: </Text>
        <Text>{visibleText(value, room, mask)}</Text>
        {focused ? <Text inverse> </Text> : null}
      </Box>
      {/* Under the field, a long message going on under itself (not from the edge). */}
      {tried && problem !== null ? (
        <Text color={theme.bad}>{wrapHanging(`  ${problem}`, width).join("\n")}</Text>
      ) : nothingCopied ? (
        <Text dimColor>{wrapHanging("  nothing was copied yet: c copies a bundle where it is shown", width).join("\n")}</Text>
      ) : mask ? (
        <Text dimColor>{"  (not shown while you type)"}</Text>
      ) : null}
    </Box>
  );
}
