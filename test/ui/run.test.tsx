import { vi, describe, expect, it } from "vitest";
import { runTui } from "../../src/ui/run.js";
import { FRIENDS, KEY, ROUTERS, effectsSettled, fakeTerminal, offlineServices, plain, waitFor } from "./helpers.js";

// Ink draws only the last frame when CI is set; these tests read frames as they are drawn.
vi.hoisted(() => {
  process.env.CI = "false";
});

function startTui() {
  const terminal = fakeTerminal();
  const streams = terminal as unknown as Parameters<typeof runTui>[2];
  const done = runTui({ routers: ROUTERS, friends: FRIENDS }, offlineServices(), { ...streams, env: {} });
  const screen = () => plain(terminal.stdout.written);
  const shows = (text: string) => waitFor(() => screen().includes(text), screen);
  // Keys are read once Ink listens on stdin.
  const listening = () => waitFor(() => terminal.stdin.listenerCount("readable") > 0);
  return { terminal, done, shows, listening };
}

describe("runTui", () => {
  it("draws Home and returns when q is pressed on it", async () => {
    const { terminal, done, shows, listening } = startTui();
    await shows("Routers (3)");
    await listening();
    terminal.stdin.type(KEY.quit);
    await expect(done).resolves.toBeUndefined();
    expect(terminal.stdin.listenerCount("readable")).toBe(0);
  });

  it("returns when q is pressed on Help, and on ctrl+c", async () => {
    const first = startTui();
    await first.shows("Routers");
    await first.listening();
    first.terminal.stdin.type(KEY.help);
    await first.shows("Help: Home");
    await effectsSettled();
    first.terminal.stdin.type(KEY.quit);
    await expect(first.done).resolves.toBeUndefined();

    const second = startTui();
    await second.listening();
    second.terminal.stdin.type("\u0003");
    await expect(second.done).resolves.toBeUndefined();
  });

  it("refuses a stdin that is not a terminal before drawing anything", async () => {
    const terminal = fakeTerminal();
    terminal.stdin.isTTY = false;
    const streams = terminal as unknown as Parameters<typeof runTui>[2];
    await expect(runTui({ routers: [], friends: [] }, offlineServices(), { ...streams, env: {} })).rejects.toThrow(/headless commands/);
    expect(terminal.stdout.written).toBe("");
  });
});
