// The frame of a wizard screen: the screen's title with the current step, the step's one-line
// guidance, its key hints, and help in place of the step when asked for (the step keeps its state).
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useCommands } from "../hooks/use-commands.js";
import type { KeyScope } from "../keymap.js";
import { KeyList } from "./KeyList.js";
import { wrapParts, wrapText } from "../widgets/wrap.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { SCREEN_INFO, type ScreenId } from "../screens/catalog.js";
import type { TerminalSize } from "../hooks/use-terminal-size.js";
import { bodyRows, ScreenFrame } from "./ScreenFrame.js";

/** Rows of text `text` takes at `columns`, wrapped at spaces as Prose draws it. */
export function linesOf(text: string, columns: number): number {
  return wrapText(text, Math.max(1, columns)).length;
}

/**
 * A paragraph wrapped at spaces before Ink draws it: Ink's own wrap starts a line with the space it
 * broke at when the words before it fill a line exactly (" it." under a full line at 60 columns).
 */
export function Prose({ text, columns, color }: { text: string; columns?: number; color?: string }) {
  const size = useTerminalSize();
  return <Text color={color}>{wrapText(text, Math.max(1, columns ?? size.columns)).join("\n")}</Text>;
}

/** Rows a step's own content gets: the screen's body less the guide (and its gap) and `below`. */
export function stepRows(size: TerminalSize, scope: KeyScope, guide: string | undefined, below = 0): number {
  const guideRows = guide ? linesOf(guide, size.columns) + 1 : 0;
  return Math.max(3, bodyRows(size, scope) - guideRows - below);
}

export interface WizardFrameProps {
  screen: ScreenId;
  step: string;
  /** What to do at this step, in a sentence. */
  guide?: string;
  /** A dim line under the step (what was chosen so far), its parts separated by " · ". */
  note?: string;
  scope: KeyScope;
  focused: boolean;
  showHelp: boolean;
  onCloseHelp: () => void;
  /** A line above the step (the demo says whose terminal this is). */
  banner?: string;
  children: ReactNode;
}

export function WizardFrame({ screen, step, guide, note, scope, focused, showHelp, onCloseHelp, children }: WizardFrameProps) {
  useCommands("help", { back: onCloseHelp }, focused && showHelp);
  const title = `${SCREEN_INFO[screen].title} · ${step}`;
  const size = useTerminalSize();
  if (showHelp) {
    const helpRows = bodyRows(size, "help") - linesOf(SCREEN_INFO[screen].about, size.columns) - (guide ? linesOf(guide, size.columns) + 1 : 0) - 2;
    return (
      <ScreenFrame title={`Help: ${title}`} scope="help" focused={focused}>
        <Prose text={SCREEN_INFO[screen].about} columns={size.columns} />
        {guide ? <Prose text={`\n${guide}`} columns={size.columns} /> : null}
        <Box marginTop={1} flexDirection="column">
          <Text bold underline>
            Keys
          </Text>
          <KeyList scope={scope} rows={helpRows} width={size.columns} />
        </Box>
      </ScreenFrame>
    );
  }
  return (
    <ScreenFrame title={title} scope={scope} focused={focused}>
      {guide ? (
        <Box marginBottom={1} flexShrink={0}>
          <Prose text={guide} columns={size.columns} />
        </Box>
      ) : null}
      {children}
      {note ? <Text dimColor>{wrapParts(note.split(" · "), size.columns).join("\n")}</Text> : null}
    </ScreenFrame>
  );
}
