// The key hint line at the bottom of every screen, drawn from the keymap table.
import { Box, Text } from "ink";
import { hintsFor, type KeyScope } from "../keymap.js";
import { WRITING_COMMANDS } from "../read-only.js";
import { useReadOnly } from "../services.js";

export function KeyHints({ scope }: { scope: KeyScope }) {
  // Read-only, the keys that would write are not offered.
  const readOnly = useReadOnly() !== undefined;
  const hints = hintsFor(scope).filter((hint) => !(readOnly && WRITING_COMMANDS.has(hint.command)));
  // Each hint wraps as a whole, so a narrow terminal gets two lines rather than a cut-off key.
  return (
    <Box flexWrap="wrap" flexShrink={0}>
      {hints.map((hint, i) => (
        <Box key={hint.command} marginLeft={i === 0 ? 0 : 2}>
          <Text>
            <Text bold>{hint.keys}</Text> {hint.label}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
