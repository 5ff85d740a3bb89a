import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { assertInteractive, NotInteractiveError } from "../../src/ui/tty.js";

describe("assertInteractive", () => {
  it("refuses a stdin that is not a terminal and names the headless commands", () => {
    const run = () => assertInteractive({ stdin: { isTTY: false }, env: {} });
    expect(run).toThrow(NotInteractiveError);
    expect(run).toThrow(UserError);
    expect(run).toThrow(/stdin is not a terminal/);
    expect(run).toThrow(/bgpals render\|plan\|apply\|status.*--json/);
    expect(run).toThrow(/bgpals --help/);
  });

  it("treats a stdin without isTTY (a pipe) as not a terminal", () => {
    expect(() => assertInteractive({ stdin: {} })).toThrow(NotInteractiveError);
  });

  it("refuses a stdout that is not a terminal, and TERM=dumb", () => {
    expect(() => assertInteractive({ stdin: { isTTY: true }, stdout: { isTTY: false } })).toThrow(/stdout is not a terminal/);
    expect(() => assertInteractive({ stdin: { isTTY: true }, env: { TERM: "dumb" } })).toThrow(/TERM=dumb/);
  });

  it("accepts a terminal even in CI, which may run the TUI in a pseudo-terminal", () => {
    expect(() => assertInteractive({ stdin: { isTTY: true }, stdout: { isTTY: true }, env: { CI: "true", TERM: "xterm-256color" } })).not.toThrow();
  });
});
