// What covers the monitor while it asks or tells something: the swap's prediction and changes
// (enter applies, esc cancels), why a prefix is there, or the prefer request for the friend.
import { Text } from "ink";
import { BundleView } from "../../widgets/bundle-view.js";
import { wrapHanging } from "../../widgets/wrap.js";
import { linesOf, Prose } from "../../components/WizardFrame.js";
import { bodyRows, ScreenFrame } from "../../components/ScreenFrame.js";
import type { TerminalSize } from "../../hooks/use-terminal-size.js";
import type { Overlay } from "./monitor-state.js";

/**
 * What fits in `rows` of `columns`, the last line (the keys) kept, a note where lines were left out.
 * Long lines wrap under their own text (wrapHanging), counted as they are drawn.
 */
export function clipped(lines: readonly string[], rows: number, columns: number): readonly string[] {
  const height = (line: string) => wrapHanging(line, columns).length;
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

export interface MonitorOverlayProps {
  title: string;
  overlay: Overlay;
  size: TerminalSize;
  focused: boolean;
  friend: string;
  /** Closes an overlay that asks nothing (the prefer request). */
  onClose: () => void;
  onHelp: () => void;
}

export function MonitorOverlay({ title, overlay, size, focused, friend, onClose, onHelp }: MonitorOverlayProps) {
  if (overlay.kind === "request") {
    const intro = `Send it to ${friend}: their \`bgpals prefer <request> --router <theirs> --yes\` makes the way back match.`;
    return (
      <ScreenFrame title={`${title} · prefer request`} scope="bundle" focused={focused}>
        <Prose text={intro} columns={size.columns} />
        <BundleView kind="prefer request" friend={friend} bundle={overlay.bundle} width={size.columns} rows={bodyRows(size, "bundle") - linesOf(intro, size.columns)} focused={focused} onNext={onClose} onBack={onClose} onHelp={onHelp} />
      </ScreenFrame>
    );
  }
  return (
    <ScreenFrame title={overlay.kind === "confirm" ? `${title} · swap primary?` : `${title} · ${overlay.title}`} scope="confirm" focused={focused}>
      {clipped(overlay.lines, bodyRows(size, "confirm"), size.columns).map((line, i) => (
        <Text key={i}>{line === "" ? " " : wrapHanging(line, size.columns).join("\n")}</Text>
      ))}
    </ScreenFrame>
  );
}
