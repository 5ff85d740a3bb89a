// A bundle to hand to the friend: its fingerprint to read aloud, the text wrapped to the screen
// (scrolls when it does not fit), copy, save to a file, and a QR code where the terminal is big enough.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Box, Text } from "ink";
import { useState } from "react";
import { useCommands } from "../hooks/use-commands.js";
import { useServices } from "../services.js";
import { scrollKeys } from "../screens/scroll.js";
import { linesOf, Prose } from "../components/WizardFrame.js";
import { qrLines } from "./qr.js";
import { useTheme } from "../theme.js";

/** The bundle cut into lines of `width`; copying them back is safe, pasting ignores line breaks. */
export function wrapBundle(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
}

export interface BundleViewProps {
  kind: "offer" | "answer" | "prefer request";
  friend: string;
  bundle: { text: string; fingerprint: string };
  width: number;
  rows: number;
  focused: boolean;
  onNext: () => void;
  onBack: () => void;
  onHelp: () => void;
  /** A kept offer waiting for its answer (Home): r pastes the answer, x cancels the offer. */
  waiting?: { onResume: () => void; onCancel: () => void };
}

export function BundleView({ kind, friend, bundle, width, rows, focused, onNext, onBack, onHelp, waiting }: BundleViewProps) {
  const services = useServices();
  const theme = useTheme();
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const [qr, setQr] = useState(false);
  const lines = wrapBundle(bundle.text, Math.max(20, width - 2));
  const heading = `Fingerprint ${bundle.fingerprint}: read it to ${friend}; it must match theirs.`;
  // The heading, the two "more" markers and the note stay; the bundle gets the rest. The note wraps:
  // a file's path cut short would say nothing of where the bundle went.
  const room = Math.max(1, rows - linesOf(heading, width) - 2 - (note === null ? 1 : linesOf(note, width)));
  const maxOffset = Math.max(0, lines.length - room);

  // Both scopes take the same handlers; the kept offer's adds its two.
  useCommands(
    (waiting ? "keptOffer" : "bundle") as "keptOffer",
    {
      resumeOffer: () => waiting?.onResume(),
      cancelOffer: () => waiting?.onCancel(),
      next: onNext,
      copy: () => {
        services.clipboard.copy(bundle.text);
        setNote("copied (your terminal passes it to the clipboard if it allows OSC 52)");
      },
      save: () => {
        mkdirSync(services.outputDir, { recursive: true });
        const file = join(services.outputDir, `${kind.replace(/ /g, "-")}-for-${friend}.txt`);
        writeFileSync(file, `${bundle.text}\n`, { mode: 0o600 });
        setNote(`saved to ${file}`);
      },
      qr: () => setQr((shown) => !shown),
      ...scrollKeys(setOffset, room, maxOffset),
      back: qr ? () => setQr(false) : onBack,
      help: onHelp,
    },
    focused,
  );

  if (qr) {
    const code = qrLines(bundle.text);
    const fits = code.length <= rows && (code[0]?.length ?? 0) <= width;
    return (
      <Box flexDirection="column">
        {fits ? code.map((line, i) => (
              <Text key={i} color={theme.qr.color} backgroundColor={theme.qr.background}>
                {line}
              </Text>
            )) : <Text>{`The QR code needs a terminal of ${code[0]?.length ?? 0}×${code.length + 4}; this one is ${width}×${rows + 4}. Enlarge it (or zoom out), or copy the text instead.`}</Text>}
      </Box>
    );
  }
  const shown = lines.slice(offset, offset + room);
  return (
    <Box flexDirection="column">
      <Text>
        Fingerprint <Text bold>{bundle.fingerprint}</Text>
        {`: read it to ${friend}; it must match theirs.`}
      </Text>
      <Text dimColor>{offset > 0 ? `↑ ${offset} more lines` : ` `}</Text>
      {shown.map((line, i) => (
        <Text key={offset + i}>{line}</Text>
      ))}
      <Text dimColor>{offset < maxOffset ? `↓ ${maxOffset - offset} more lines` : `${bundle.text.length} characters, ${kind} for ${friend}`}</Text>
      <Prose color={theme.good} text={note ?? " "} columns={width} />
    </Box>
  );
}
