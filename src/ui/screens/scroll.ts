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
