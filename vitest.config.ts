import { defineConfig } from "vitest/config";
import LongestFirst from "./test/sequencer.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // One worker per core (vitest's default leaves one core out): the tests mostly wait on child
    // CLIs and the lab's timers, so on 2 cores this halves the run.
    maxWorkers: "100%",
    // Longest first (test/sequencer.ts): the two workers finish together, on CI too.
    sequence: { sequencer: LongestFirst },
    // A test that asserts nothing fails (waiting for a screen alone is not a check of it).
    expect: { requireAssertions: true },
    // Fails the run if a test leaves a bgpals-* temp dir or a process behind.
    globalSetup: ["test/global-setup.ts"],
  },
});
