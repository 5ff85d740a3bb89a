// Set up before each test file that shares its worker with the next (vitest.config.ts: isolate:
// false): after the file's own hooks and cleanups, the file fails if it left the worker otherwise
// than it found it (an open socket, server or timer; a changed environment variable; a process
// listener), so what one file leaves cannot change the next file's result.
// conf (through when-exit) listens on exit and signals as it loads, once per worker: loaded here,
// before the baseline below, so the file that happens to load it first is not taken for a leak.
import "conf";
import { cleanup as unmountInk } from "ink-testing-library";
import { afterAll, expect } from "vitest";
import { until } from "./helpers.js";
import { runFileCleanups } from "./cleanup.js";

/** How long sockets and servers closed at the end of the file may take to go. */
const SETTLE_MS = 2000;

/** Process events a file might listen on and forget. */
const PROCESS_EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection", "warning"];

/** Names of the environment variables that differ (names only: values may be secrets). */
function changedVariables(before: NodeJS.ProcessEnv): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(process.env)]);
  return [...names].filter((name) => before[name] !== process.env[name]).sort();
}

function listeners(): Record<string, number> {
  return Object.fromEntries(PROCESS_EVENTS.map((event) => [event, process.listenerCount(event)]));
}

/** Open handles (sockets, servers, timers...) now that were not there before. */
function surplus(before: string[]): string[] {
  const left = process.getActiveResourcesInfo();
  for (const resource of before) {
    const i = left.indexOf(resource);
    if (i !== -1) left.splice(i, 1);
  }
  return left;
}

// Taken as this module runs: before the test file is imported, so also before what it starts at load.
const resourcesBefore = process.getActiveResourcesInfo();
const envBefore = { ...process.env };
const listenersBefore = listeners();

afterAll(async () => {
  await runFileCleanups();
  // What the file rendered (ink-testing-library) ends with it, as it would with its process.
  unmountInk();
  await until(() => surplus(resourcesBefore).length === 0, "the file's handles to close", SETTLE_MS).catch(() => undefined);
  expect({ handles: surplus(resourcesBefore), variables: changedVariables(envBefore), listeners: listeners() }, "what the test file left in its worker").toEqual({
    handles: [],
    variables: [],
    listeners: listenersBefore,
  });
});
