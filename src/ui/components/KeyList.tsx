// The keys of a screen and what they do, as Help lists them.
import { Box, Text } from "ink";
import { COMMANDS, commandsFor, hintKeys, type Command, type KeyScope } from "../keymap.js";
import { WRITING_COMMANDS } from "../read-only.js";
import { useReadOnly } from "../services.js";

/** The keys' column: the widest keys of the list, indented, and a gap; at least this wide. */
const MIN_KEYS_WIDTH = 8;

/**
 * Every key of a screen with what it does, in as many columns as it takes to fit `rows` (a short
 * terminal shows them side by side rather than cutting the list).
 */
export function KeyList({ scope, rows, width }: { scope: KeyScope; rows: number; width: number }) {
  const commands = commandsFor(scope);
  const readOnly = useReadOnly() !== undefined;
  const perColumn = Math.max(1, rows);
  const columns: Command[][] = [];
  for (let i = 0; i < commands.length; i += perColumn) columns.push(commands.slice(i, i + perColumn));
  const columnWidth = Math.floor(width / Math.max(1, columns.length));
  // As narrow as the keys allow, so a narrow terminal's columns keep room for what the keys do.
  const keysWidth = Math.max(MIN_KEYS_WIDTH, ...commands.map((command) => 2 + [...hintKeys(command, { all: true, scope })].length + 2));
  return (
    <Box>
      {columns.map((column, c) => (
        <Box key={c} flexDirection="column" width={columnWidth} flexShrink={0}>
          {column.map((command) => (
            <Box key={command}>
              <Box width={keysWidth} flexShrink={0}>
                <Text bold wrap="truncate-end">{`  ${hintKeys(command, { all: true, scope })}`}</Text>
              </Box>
              {readOnly && WRITING_COMMANDS.has(command) ? (
                <Text dimColor wrap="truncate-end">{`${COMMANDS[command].label} (off: read-only)`}</Text>
              ) : (
                <Text wrap="truncate-end">{COMMANDS[command].label}</Text>
              )}
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}
