// The keys of a screen and what they do, as Help lists them.
import { Box, Text } from "ink";
import { COMMANDS, commandsFor, hintKeys, type Command, type KeyScope } from "../keymap.js";
import { WRITING_COMMANDS } from "../read-only.js";
import { useReadOnly } from "../services.js";

/** Between a column's keys and what they do, and between columns. */
const GAP = 2;
const INDENT = 2;

/**
 * Every key of a screen with what it does, in as many columns as it takes to fit `rows` (a short
 * terminal shows them side by side rather than cutting the list). Each column is as wide as its own
 * keys and labels where they all fit across, so a narrow terminal's three columns keep "page down"
 * whole; where they do not, the columns share the width alike and cut.
 */
export function KeyList({ scope, rows, width }: { scope: KeyScope; rows: number; width: number }) {
  const commands = commandsFor(scope);
  const readOnly = useReadOnly() !== undefined;
  const perColumn = Math.max(1, rows);
  const keysOf = (command: Command) => hintKeys(command, { all: true, scope });
  const labelOf = (command: Command) => (readOnly && WRITING_COMMANDS.has(command) ? `${COMMANDS[command].label} (off: read-only)` : COMMANDS[command].label);
  const columns: { commands: Command[]; keys: number; natural: number }[] = [];
  for (let i = 0; i < commands.length; i += perColumn) {
    const column = commands.slice(i, i + perColumn);
    const keys = INDENT + Math.max(...column.map((command) => [...keysOf(command)].length)) + GAP;
    columns.push({ commands: column, keys, natural: keys + Math.max(...column.map((command) => [...labelOf(command)].length)) + GAP });
  }
  const fits = columns.reduce((sum, column) => sum + column.natural, 0) <= width;
  const alike = Math.floor(width / Math.max(1, columns.length));
  return (
    <Box>
      {columns.map((column, c) => (
        <Box key={c} flexDirection="column" width={fits ? column.natural : alike} flexShrink={0}>
          {column.commands.map((command) => (
            <Box key={command}>
              <Box width={column.keys} flexShrink={0}>
                <Text bold wrap="truncate-end">{`${" ".repeat(INDENT)}${keysOf(command)}`}</Text>
              </Box>
              <Text dimColor={readOnly && WRITING_COMMANDS.has(command)} wrap="truncate-end">
                {labelOf(command)}
              </Text>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}
