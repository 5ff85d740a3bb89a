import type { Key } from "ink";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { KeyHints } from "../../src/ui/components/KeyHints.js";
import { COMMANDS, SCOPE_COMMANDS, commandFor, hintKeys, keyLabel, matches, type KeyScope } from "../../src/ui/keymap.js";
import { plain } from "./helpers.js";

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
  backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};
const key = (flags: Partial<Key>): Key => ({ ...NO_KEY, ...flags });

describe("matches", () => {
  it("maps arrows and j/k onto up and down", () => {
    expect(matches("", key({ downArrow: true }), "down")).toBe(true);
    expect(matches("j", NO_KEY, "down")).toBe(true);
    expect(matches("k", NO_KEY, "up")).toBe(true);
    expect(matches("j", NO_KEY, "up")).toBe(false);
  });

  it("tells a bare character from the same character with ctrl or meta", () => {
    expect(matches("q", NO_KEY, "quit")).toBe(true);
    expect(matches("c", key({ ctrl: true }), "quit")).toBe(true);
    expect(matches("q", key({ meta: true }), "quit")).toBe(false);
    expect(matches("c", NO_KEY, "quit")).toBe(false);
  });

  it("only finds the commands active in a scope", () => {
    expect(commandFor("home", "?", NO_KEY)).toBe("help");
    expect(commandFor("help", "?", NO_KEY)).toBeUndefined();
    expect(commandFor("home", "", key({ escape: true, meta: true }))).toBeUndefined();
    expect(commandFor("help", "", key({ escape: true, meta: true }))).toBe("back");
  });
});

describe("KeyHints", () => {
  // The expected line is built from the table itself, so the test follows the table.
  const expectedHints = (scope: KeyScope) =>
    // Help-only commands (the route view's paging keys) stay off the hint line.
    SCOPE_COMMANDS[scope].filter((command) => !("helpOnly" in COMMANDS[command])).map((command) => {
      const all: readonly string[] = COMMANDS[command].keys;
      // Chords are left out where another key does the same; a chord-only command shows its chord.
      const keys = (all.every((name) => name.startsWith("ctrl+")) ? all : all.filter((name) => !name.startsWith("ctrl+"))).map(keyLabel).join("/");
      return `${keys} ${COMMANDS[command].label}`;
    });

  for (const scope of Object.keys(SCOPE_COMMANDS) as KeyScope[]) {
    it(`draws the ${scope} hints from the keymap table`, () => {
      const { lastFrame } = render(<KeyHints scope={scope} />);
      // ink-testing-library draws 100 columns; long scopes wrap between hints.
      expect(plain(lastFrame()).split("\n").map((line) => line.trim()).join("  ")).toBe(expectedHints(scope).join("  "));
    });
  }

  it("writes keys the way people read them", () => {
    expect(hintKeys("up")).toBe("↑/k");
    expect(hintKeys("select")).toBe("enter");
    expect(hintKeys("quit")).toBe("q");
    expect(hintKeys("quit", { all: true })).toBe("q/ctrl+c");
  });
});
