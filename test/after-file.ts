// Set up before each test file (vitest.config.ts): registered before the file's own hooks, this
// afterAll runs after them.
import { afterAll } from "vitest";
import { runFileCleanups } from "./cleanup.js";

afterAll(runFileCleanups);
