import { Box, type Key } from "ink";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { hintLines, KeyHints } from "../../src/ui/components/KeyHints.js";
import { KeyList } from "../../src/ui/components/KeyList.js";
import { COMMANDS, SCOPE_COMMANDS, bindKeys, commandFor, hintKeys, hintsFor, keyLabel, matches, parseKeyBindings, type KeyScope } from "../../src/ui/keymap.js";
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

  // A screen's body gets the rows the hints leave: counted short, the body overflows them and Ink
  // shrinks rows of it to nothing (the monitor's at 60 columns lost its link lines).
  it("counts the lines the hints take as they wrap, for every scope at every width", () => {
    let wrapped = 0;
    for (const scope of Object.keys(SCOPE_COMMANDS) as KeyScope[]) {
      for (const width of [30, 40, 50, 60, 70, 80, 100]) {
        const { lastFrame } = render(
          <Box width={width}>
            <KeyHints scope={scope} />
          </Box>,
        );
        const drawn = plain(lastFrame()).split("\n").length;
        expect(hintLines(scope, width), `${scope} at ${width}`).toBe(drawn);
        if (drawn > 1) wrapped++;
      }
    }
    // The widths make the hints wrap, or the check above proves little.
    expect(wrapped).toBeGreaterThan(20);
  });

  it("Help's key list at 60 columns in three columns keeps each label whole", () => {
    // A wizard's choose step at 60×20 in the demo: four rows a column.
    const frame = plain(render(<KeyList scope="choose" rows={4} width={60} />).lastFrame());
    expect(frame.split("\n")).toHaveLength(4);
    for (const command of SCOPE_COMMANDS.choose) expect(frame, command).toContain(COMMANDS[command].label);
    expect(frame).not.toContain("…");
  });

  it("writes keys the way people read them", () => {
    expect(hintKeys("up")).toBe("↑/k");
    expect(hintKeys("select")).toBe("enter");
    expect(hintKeys("quit")).toBe("q");
    expect(hintKeys("quit", { all: true })).toBe("q/ctrl+c");
  });
});

describe("key bindings from the config file", () => {
  // Each test binds its own keys and puts the table's back.
  const bound = (keys: unknown, check: () => void) => {
    const before = bindKeys(parseKeyBindings(keys));
    try {
      check();
    } finally {
      bindKeys(before);
    }
  };

  it("binds a command on one screen: the keys act there, the hints and Help show them", () => {
    bound({ "monitor.prefer": "P" }, () => {
      expect(commandFor("monitor", "P", key({ shift: true }))).toBe("prefer");
      expect(commandFor("monitor", "p", NO_KEY)).toBeUndefined();
      expect(hintsFor("monitor").find((h) => h.command === "prefer")?.keys).toBe("P");
      const { lastFrame } = render(<KeyList scope="monitor" rows={40} width={100} />);
      expect(plain(lastFrame())).toMatch(/ P\s+swap primary ISP/);
    });
    // Unbound again: the table's key.
    expect(commandFor("monitor", "p", NO_KEY)).toBe("prefer");
  });

  it("a command without a screen binds it on every screen that has it; quit keeps ctrl+c", () => {
    bound({ quit: ["Q"], down: ["down", "ctrl+n"] }, () => {
      expect(commandFor("home", "Q", key({ shift: true }))).toBe("quit");
      expect(commandFor("plan", "Q", key({ shift: true }))).toBe("quit");
      expect(commandFor("home", "c", key({ ctrl: true }))).toBe("quit");
      expect(commandFor("home", "q", NO_KEY)).toBeUndefined();
      expect(commandFor("choose", "n", key({ ctrl: true }))).toBe("down");
      expect(commandFor("choose", "j", NO_KEY)).toBeUndefined();
      expect(hintKeys("quit", { all: true, scope: "home" })).toBe("Q/ctrl+c");
    });
  });

  it("an unknown screen, command or key is refused with the entry named and what would work", () => {
    expect(() => parseKeyBindings({ "monitor.swap": "P" })).toThrow(/keys "monitor.swap": no command "swap"; commands: .*prefer/);
    expect(() => parseKeyBindings({ "monitr.prefer": "P" })).toThrow(/keys "monitr.prefer": no screen "monitr"; screens: home, help, router, monitor/);
    expect(() => parseKeyBindings({ "home.prefer": "P" })).toThrow(/keys "home.prefer": the home screen has no prefer/);
    expect(() => parseKeyBindings({ "monitor.prefer": "F5" })).toThrow(/keys "monitor.prefer": "F5" is not a key/);
    expect(() => parseKeyBindings({ "monitor.prefer": 5 })).toThrow(/give a key as a string/);
    expect(() => parseKeyBindings(["P"])).toThrow(/must be an object/);
    expect(() => parseKeyBindings({ switchOperator: "ctrl+t" })).toThrow(/switchOperator is on no screen's keys/);
  });

  it("a reserved key, a printable key in a text field, or a key bound twice on one screen is refused", () => {
    expect(() => parseKeyBindings({ "monitor.prefer": "ctrl+c" })).toThrow(/keys "monitor.prefer": ctrl\+c is reserved: it always quits/);
    expect(() => parseKeyBindings({ "home.select": ":" })).toThrow(/: is reserved: it opens the command line/);
    expect(() => parseKeyBindings({ "text.next": "x" })).toThrow(/"x" would be typed into the field/);
    expect(() => parseKeyBindings({ "monitor.prefer": "w" })).toThrow(/"w" is bound twice on the monitor screen \(prefer and why\)/);
    expect(() => parseKeyBindings({ "monitor.prefer": "P", "monitor.why": "P" })).toThrow(/"P" is bound twice on the monitor screen/);
    // Every problem at once, each on its line.
    expect(() => parseKeyBindings({ "monitor.swap": "P", "home.quit": "ctrl+c" })).toThrow(/swap[^]*\n[^]*reserved/);
    expect(() => parseKeyBindings({ quit: "x" })).toThrow(/"x" is bound twice on the home screen \(removePeering and quit\)/);
  });

  it("nothing bound: the table's keys, and none of them shared on one screen", () => {
    expect(parseKeyBindings(undefined)).toEqual({});
    expect(parseKeyBindings({})).toEqual({});
    for (const scope of Object.keys(SCOPE_COMMANDS) as KeyScope[]) {
      const keys = SCOPE_COMMANDS[scope].flatMap((command): readonly string[] => COMMANDS[command].keys);
      expect(new Set(keys).size, scope).toBe(keys.length);
    }
  });
});
