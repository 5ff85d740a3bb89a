// How often the screen redraws. Kept apart from Ink and React so the launchers can read it cheaply.

/** The app's frame timer: a store that changes faster than a screen should redraw is looked at this often. */
export const FRAME_MS = 33;

/**
 * Routes a new filter of the route view looks at per frame (RouteTable's `filterSlice`): a few ms,
 * so typing a filter over a million routes does not hold up the screen; the matches fill in over
 * the next frames (a million in about a second). A filter on the prefix makes each prefix's text
 * again (the table keeps IPv4 prefixes as numbers): about 4 ms per 32,768 routes on a quiet core.
 */
export const FILTER_SLICE = 32_768;

/**
 * Ink's `maxFps` for the app. Ink's limit is a debounce: a render asked for within 1000/maxFps ms
 * of the last one postpones the frame. At Ink's default of 30 (34 ms) the 33 ms frame timer kept
 * postponing it, and a frame went out only every second or third tick (gaps of 70 to 140 ms while
 * routes streamed in). At 60 each tick of the frame timer draws at once.
 */
export const INK_MAX_FPS = 60;
