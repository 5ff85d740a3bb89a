// The key hint line at the bottom of every screen, drawn from the keymap table.
import { Box, Text } from "ink";
import { hintsFor, type KeyScope } from "../keymap.js";
import { WRITING_COMMANDS } from "../read-only.js";
import { useReadOnly } from "../services.js";

/** The gap between two hints on a line; a hint that starts a wrapped line keeps it too. */
const GAP = 2;

/**
 * The lines KeyHints takes at `columns`: each hint wraps as a whole, as Yoga's flex wrap lays them
 * out. A screen's body gets what they leave, so this must count as they fall, not by their sum
 * (three lines of hints counted as two pushed the body over them, and Yoga shrank rows to nothing).
 */
export function hintLines(scope: KeyScope, columns: number): number {
  let lines = 1;
  let used = 0;
  hintsFor(scope).forEach((hint, i) => {
    const width = [...hint.keys].length + 1 + [...hint.label].length + (i === 0 ? 0 : GAP);
    if (used > 0 && used + width > columns) {
      lines++;
      used = width;
    } else used += width;
  });
  return lines;
}

export function KeyHints({ scope }: { scope: KeyScope }) {
  // Read-only, the keys that would write are not offered.
  const readOnly = useReadOnly() !== undefined;
  const hints = hintsFor(scope).filter((hint) => !(readOnly && WRITING_COMMANDS.has(hint.command)));
  // Each hint wraps as a whole, so a narrow terminal gets two lines rather than a cut-off key.
  return (
    <Box flexWrap="wrap" flexShrink={0}>
      {hints.map((hint, i) => (
        <Box key={hint.command} marginLeft={i === 0 ? 0 : GAP}>
          <Text>
            <Text bold>{hint.keys}</Text> {hint.label}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
