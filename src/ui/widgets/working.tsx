// A slow step in progress: a spinner, the steps so far, and apply's progress when there is one.
import { Spinner } from "@inkjs/ui";
import { Box, Text } from "ink";
import { useState } from "react";
import { useCommands } from "../hooks/use-commands.js";
import type { ApplyLog } from "./apply-log.js";

/** `onAbort` absent: the step writes to the router, and quitting now would cut its undo short. */
export function Working({ label, log, rows, focused, onAbort }: { label: string; log: ApplyLog; rows: number; focused: boolean; onAbort?: () => void }) {
  const [held, setHeld] = useState(false);
  useCommands("working", { abort: onAbort ?? (() => setHeld(true)) }, focused);
  const lines = log.lines.slice(-Math.max(1, rows - 3));
  return (
    <Box flexDirection="column">
      <Spinner label={log.total > 0 ? `${label} (${log.done}/${log.total})` : label} />
      {held ? <Text color="magenta">  writing to the router: it finishes, or undoes what it did, in a moment; then quit</Text> : null}
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={line.mark === "✗" ? "red" : line.mark === "↶" ? "magenta" : undefined}>
          {`  ${line.mark} ${line.text}`}
        </Text>
      ))}
    </Box>
  );
}

export function LogLines({ log, rows }: { log: ApplyLog; rows: number }) {
  return (
    <Box flexDirection="column">
      {log.lines.slice(-Math.max(1, rows)).map((line, i) => (
        <Text key={i} wrap="truncate-end" color={line.mark === "✗" ? "red" : line.mark === "↶" ? "magenta" : undefined}>
          {`  ${line.mark} ${line.text}`}
        </Text>
      ))}
    </Box>
  );
}
