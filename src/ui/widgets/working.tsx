// A slow step in progress: a spinner, the steps so far, and apply's progress when there is one.
import { Spinner } from "@inkjs/ui";
import { Box, Text } from "ink";
import { useState } from "react";
import { useCommands } from "../hooks/use-commands.js";
import type { ApplyLog } from "./apply-log.js";
import { useTheme, type Theme } from "../theme.js";

/** `onAbort` absent: the step writes to the router, and quitting now would cut its undo short. */
export function Working({ label, log, rows, focused, onAbort }: { label: string; log: ApplyLog; rows: number; focused: boolean; onAbort?: () => void }) {
  const [held, setHeld] = useState(false);
  const theme = useTheme();
  useCommands("working", { abort: onAbort ?? (() => setHeld(true)) }, focused);
  const lines = log.lines.slice(-Math.max(1, rows - 3));
  return (
    <Box flexDirection="column">
      <Spinner label={log.total > 0 ? `${label} (${log.done}/${log.total})` : label} />
      {held ? <Text color={theme.changed}>  writing to the router: it finishes, or undoes what it did, in a moment; then quit</Text> : null}
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={markColour(theme, line.mark)}>
          {`  ${line.mark} ${line.text}`}
        </Text>
      ))}
    </Box>
  );
}

export function LogLines({ log, rows }: { log: ApplyLog; rows: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      {log.lines.slice(-Math.max(1, rows)).map((line, i) => (
        <Text key={i} wrap="truncate-end" color={markColour(theme, line.mark)}>
          {`  ${line.mark} ${line.text}`}
        </Text>
      ))}
    </Box>
  );
}

/** A failed step in the bad colour, an undone one in the changed one; the mark says it without colour. */
function markColour(theme: Theme, mark: string): string | undefined {
  return mark === "✗" ? theme.bad : mark === "↶" ? theme.changed : undefined;
}
