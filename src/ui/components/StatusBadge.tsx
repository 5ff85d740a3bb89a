// A status as a symbol, a word and a colour. The symbol and the word carry the meaning on their
// own, so the badge still reads on a light theme or with colours off (NO_COLOR).
import { Text } from "ink";
import type { FriendStatus, RouterStatus } from "../state.js";

export type Status = RouterStatus | FriendStatus;

interface Badge {
  symbol: string;
  word: string;
  // Unset means the terminal's own foreground. No yellow or gray: both fade on light themes.
  color?: "green" | "red" | "magenta";
}

export const BADGES: Record<Status, Badge> = {
  ok: { symbol: "●", word: "ok", color: "green" },
  up: { symbol: "●", word: "up", color: "green" },
  degraded: { symbol: "◐", word: "degraded", color: "magenta" },
  down: { symbol: "○", word: "down", color: "red" },
  unreachable: { symbol: "○", word: "unreachable", color: "red" },
  "bad-credentials": { symbol: "✗", word: "bad credentials", color: "red" },
  unknown: { symbol: "?", word: "unknown" },
};

export function badgeText(status: Status): string {
  return `${BADGES[status].symbol} ${BADGES[status].word}`;
}

export function StatusBadge({ status }: { status: Status }) {
  return (
    <Text color={BADGES[status].color} wrap="truncate-end">
      {badgeText(status)}
    </Text>
  );
}
