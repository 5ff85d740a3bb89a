// RouterOS durations, read and printed the way the lab's routers do: "30s", "3m", "1w2d3h4m5s",
// "500ms", a bare number of seconds, or a clock "00:03:00" (optionally "1d00:03:00").

const UNIT_MS: Readonly<Record<string, number>> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or null for an empty or unreadable duration. */
export function readDuration(text: string | undefined): number | null {
  const value = text?.trim() ?? "";
  if (value === "") return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const clock = /^(?:(\d+)d)?(\d+):(\d{2}):(\d{2})$/.exec(value);
  if (clock !== null) {
    const [, days, hours, minutes, seconds] = clock;
    return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000;
  }
  const parts = [...value.matchAll(/(\d+)(ms|w|d|h|m|s)/g)];
  // Every character must belong to a part: "3x" or "m3" are not durations.
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) return null;
  return parts.reduce((total, [, count, unit]) => total + Number(count) * UNIT_MS[unit!]!, 0);
}

/** How RouterOS prints an uptime or a last-handshake age: "1w2d3h4m5s", whole seconds, "0s" at least. */
export function printDuration(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  let out = "";
  for (const [unit, size] of [["w", 604_800], ["d", 86_400], ["h", 3600], ["m", 60]] as const) {
    if (seconds < size) continue;
    out += `${Math.floor(seconds / size)}${unit}`;
    seconds %= size;
  }
  return seconds > 0 || out === "" ? `${out}${seconds}s` : out;
}
