// Which slice of a long list fits on screen, keeping the focused line in view.

export interface ScrollWindow {
  start: number;
  /** Exclusive. */
  end: number;
}

/** A window of at most `capacity` lines out of `total`, with `focus` inside it (centred when it can be). */
export function scrollWindow(total: number, focus: number, capacity: number): ScrollWindow {
  if (total <= capacity) return { start: 0, end: total };
  const size = Math.max(1, capacity);
  const start = Math.max(0, Math.min(focus - Math.floor(size / 2), total - size));
  return { start, end: start + size };
}

export interface ScrollKeys {
  up(): void;
  down(): void;
  pageUp(): void;
  pageDown(): void;
  first(): void;
  last(): void;
}

/**
 * The scrolling keys of a view that shows `room` lines from `offset` of a longer text (plan, bundle,
 * router): a line, a page, the top or the end.
 */
export function scrollKeys(setOffset: (next: (offset: number) => number) => void, room: number, maxOffset: number): ScrollKeys {
  const by = (delta: number) => setOffset((o) => Math.max(0, Math.min(maxOffset, o + delta)));
  const page = Math.max(1, room);
  return { up: () => by(-1), down: () => by(1), pageUp: () => by(-page), pageDown: () => by(page), first: () => setOffset(() => 0), last: () => setOffset(() => maxOffset) };
}

/** The keys of a list with a cursor moved by `move` (clamped by the list): a line, a page, the ends. */
export function cursorKeys(move: (by: number) => void, pageRows: number, total: number): ScrollKeys {
  const page = Math.max(1, pageRows);
  return { up: () => move(-1), down: () => move(1), pageUp: () => move(-page), pageDown: () => move(page), first: () => move(-total), last: () => move(total) };
}
