// A status as a symbol, a word and a colour. The symbol and the word carry the meaning on their
// own, so the badge still reads on a light theme or with colours off (NO_COLOR).
import { Text } from "ink";
import type { FriendStatus, RouterStatus } from "../state.js";
import { useTheme } from "../theme.js";

export type Status = RouterStatus | FriendStatus;

interface Badge {
  symbol: string;
  word: string;
  /** The theme's colour (theme.ts); unset means the terminal's own foreground. */
  tone?: "good" | "bad" | "changed";
  /** Not a state yet: drawn faint. */
  dim?: boolean;
}

export const BADGES: Record<Status, Badge> = {
  ok: { symbol: "●", word: "ok", tone: "good" },
  up: { symbol: "●", word: "up", tone: "good" },
  degraded: { symbol: "◐", word: "degraded", tone: "changed" },
  down: { symbol: "○", word: "down", tone: "bad" },
  unreachable: { symbol: "○", word: "unreachable", tone: "bad" },
  "bad-credentials": { symbol: "✗", word: "bad credentials", tone: "bad" },
  checking: { symbol: "…", word: "checking", dim: true },
  unknown: { symbol: "?", word: "unknown" },
};

export function badgeText(status: Status): string {
  return `${BADGES[status].symbol} ${BADGES[status].word}`;
}

export function StatusBadge({ status }: { status: Status }) {
  const theme = useTheme();
  const tone = BADGES[status].tone;
  return (
    <Text color={tone ? theme[tone] : undefined} dimColor={BADGES[status].dim === true} wrap="truncate-end">
      {badgeText(status)}
    </Text>
  );
}
