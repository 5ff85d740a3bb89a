// The layout every screen shares: a title line, the body, and the screen's key hints at the bottom.
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { TerminalSize } from "../hooks/use-terminal-size.js";
import type { KeyScope } from "../keymap.js";
import { hintLines, KeyHints } from "./KeyHints.js";
import { useReadOnly } from "../services.js";

// Ink redraws the whole terminal on every frame once the output fills it, so screens stop a row short.
export const frameRows = (size: TerminalSize) => size.rows - 1;

/** Rows the body of a screen gets: what is left after the title line, its gap and the hints. */
export function bodyRows(size: TerminalSize, scope: KeyScope): number {
  return Math.max(1, frameRows(size) - 2 - hintLines(scope, size.columns));
}

export interface ScreenFrameProps {
  title: string;
  /** Whose keys the hint line shows. */
  scope: KeyScope;
  /** An unfocused screen hides its hints: its keys are not live, so they would mislead. */
  focused: boolean;
  children: ReactNode;
}

export function ScreenFrame({ title, scope, focused, children }: ScreenFrameProps) {
  const readOnly = useReadOnly() !== undefined;
  return (
    <Box flexDirection="column" flexGrow={1}>
      <Box flexShrink={0} marginBottom={1}>
        <Text bold wrap="truncate-end">
          bgpals · {title}
        </Text>
        {/* Kept in sight however narrow: the title gives way first. */}
        {readOnly ? (
          <Box flexShrink={0} marginLeft={1}>
            <Text inverse> read-only </Text>
          </Box>
        ) : null}
      </Box>
      {/* The body gives way (clipped) before the hints do. Clipped top to bottom only: lines are cut
          to the width already (wrap or truncate), and a sideways clip makes Ink slice every line
          of every frame again (a third of a frame's cost while a route table streams in). */}
      <Box flexDirection="column" flexGrow={1} flexShrink={1} overflowY="hidden">
        {children}
      </Box>
      {focused ? <KeyHints scope={scope} /> : null}
    </Box>
  );
}
