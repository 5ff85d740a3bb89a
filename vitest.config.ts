import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { onRealNetwork } from "./test/real-network.js";
import LongestFirst from "./test/sequencer.js";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

// Tests that leave nothing behind between files (no process.env, no module state they do not
// restore, no handles, variables or listeners left: test/leaves-nothing.ts checks) share their worker's
// module cache: vitest imports src/, the lab, zod and Ink once per worker, not once per file. The
// terminal's tests too (their lab runs in the worker, the CLI in a child): 14% less CPU for those files
// than a worker each (docs/benchmarks.md); test/cli's too, since the suite keeps away from the OS
// keyring (BGPALS_KEYRING=off below: a shared worker had kept one file's keyring probe for the next).
// test/safety's kill and interrupt a run mid-apply and keep a worker each.
// Files of those directories that keep a process of their own, and why.
const OWN_PROCESS = new Set([
  // Ink reads CI once, when it is first imported: this file sets CI=false before it does.
  "test/ui/run.test.tsx",
  // These leave a timer (flows/watch) or a socket (route-stream) open for seconds after their
  // last test, which test/leaves-nothing.ts would fail.
  "test/flows/watch.test.ts",
  "test/platforms/routeros/route-stream.test.ts",
]);
const testFiles = (dirs: string[]) =>
  dirs
    .flatMap((dir) => readdirSync(fileURLToPath(new URL(dir, import.meta.url)), { recursive: true, encoding: "utf8" }).map((file) => `${dir}/${file.split("\\").join("/")}`))
    .filter((file) => /\.test\.tsx?$/.test(file));
// Tests on real hosts in network namespaces (test/real-network.ts): a project of their own. They
// share their workers too (each file tears its hosts down in its own hooks; test/leaves-nothing.ts
// checks the rest): 19 files imported src/, ssh2 and the netlab's helpers some 85 s in all, one
// worker a file, and 14 to 17 s shared.
const NETWORK = testFiles(["test"]).filter((file) => onRealNetwork(ROOT, file));
const SHARED = testFiles(["test/core", "test/lab", "test/ui", "test/flows", "test/platforms", "test/store", "test/terminal", "test/cli"]).filter((file) => !OWN_PROCESS.has(file) && !NETWORK.includes(file));

/**
 * Workers for the tests on real hosts: they spend minutes waiting on BIRD's and WireGuard's timers
 * and little CPU, so as many run at once as there are files, up to this. `npm test` (scripts/test.js)
 * runs them in a vitest of their own beside the rest, which keeps to the cores.
 */
export const NETWORK_WORKERS = 6;

const common = {
  // A hang's limit, not a speed check: a test that starts the CLI a few times took 25 s on a
  // machine two to three times slower than usual (a shared CI host), against 30 s then.
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: "forks",
  // One worker per core and one more (vitest's default leaves one core out): the tests mostly wait
  // on child CLIs, the lab's timers and, for minutes, on real BIRD sessions (test/netlab), which
  // would otherwise hold a core's worker idle. A number: vitest caps a percentage ("150%") at the
  // number of cores, which gave 2 workers on 2 cores and one of them waiting on BIRD for minutes.
  // BGPALS_TEST_WORKERS=<n> tries another number (5 on 2 cores: the suite 4% shorter in one run, within noise).
  maxWorkers: Number(process.env.BGPALS_TEST_WORKERS) || availableParallelism() + 1,
  // A test that asserts nothing fails (waiting for a screen alone is not a check of it).
  expect: { requireAssertions: true },
  // Never the OS keyring of whoever runs the suite (a developer's desktop keyring would keep the
  // lab's passwords; two homes' tests side by side would share it): secrets go to each test home's
  // sealed file. The CLIs the tests start inherit it. test/store/keyring.test.ts probes the real one.
  env: { BGPALS_KEYRING: "off" },
  // Cleans up what a test file made outside its tests (test/cleanup.ts).
  setupFiles: ["test/file-cpu.ts", "test/after-file.ts"],
} as const;

export default defineConfig({
  test: {
    // Longest first (test/sequencer.ts): the two workers finish together, on CI too.
    sequence: { sequencer: LongestFirst },
    // Fails the run if a test leaves a bgpals-* temp dir or a process behind.
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        test: {
          ...common,
          name: "isolated",
          include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
          exclude: [...SHARED, ...NETWORK],
        },
      },
      {
        test: {
          ...common,
          name: "network",
          include: NETWORK,
          maxWorkers: NETWORK_WORKERS,
          isolate: false,
          setupFiles: ["test/file-cpu.ts", "test/leaves-nothing.ts"],
          // Vitest runs projects with different maxWorkers one group after the other: in one `vitest
          // run` these come after the rest; `npm test` runs both groups side by side, in two vitests.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...common,
          name: "shared",
          include: SHARED,
          isolate: false,
          setupFiles: ["test/file-cpu.ts", "test/leaves-nothing.ts"],
        },
      },
    ],
  },
});
