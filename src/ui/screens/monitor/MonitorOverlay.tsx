// What covers the monitor while it asks or tells something: the swap's prediction and changes
// (enter applies, esc cancels), or why a prefix is there.
import { Text } from "ink";
import { bodyRows, ScreenFrame } from "../../components/ScreenFrame.js";
import type { TerminalSize } from "../../hooks/use-terminal-size.js";
import type { Overlay } from "./monitor-state.js";

/** What fits in `rows` of `columns` (long lines wrap), the last line (the keys) kept, a note where lines were left out. */
export function clipped(lines: readonly string[], rows: number, columns: number): readonly string[] {
  const height = (line: string) => Math.max(1, Math.ceil(line.length / Math.max(1, columns)));
  const total = lines.reduce((sum, line) => sum + height(line), 0);
  if (total <= rows) return lines;
  const last = lines[lines.length - 1]!;
  const kept: string[] = [];
  let used = height(last) + 1;
  for (const line of lines.slice(0, -1)) {
    if (used + height(line) > rows) break;
    kept.push(line);
    used += height(line);
  }
  return [...kept, `… ${lines.length - 1 - kept.length} more lines (bgpals prefer shows them all)`, last];
}

export function MonitorOverlay({ title, overlay, size, focused }: { title: string; overlay: Overlay; size: TerminalSize; focused: boolean }) {
  return (
    <ScreenFrame title={overlay.kind === "confirm" ? `${title} · swap primary?` : `${title} · ${overlay.title}`} scope="confirm" focused={focused}>
      {clipped(overlay.lines, bodyRows(size, "confirm"), size.columns).map((line, i) => (
        <Text key={i} wrap="wrap">
          {line || " "}
        </Text>
      ))}
    </ScreenFrame>
  );
}
