import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // A test that asserts nothing fails (waiting for a screen alone is not a check of it).
    expect: { requireAssertions: true },
    // Fails the run if a test leaves a bgpals-* temp dir or a process behind.
    globalSetup: ["test/global-setup.ts"],
  },
});
