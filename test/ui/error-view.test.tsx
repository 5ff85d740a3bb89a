import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { ErrorView } from "../../src/ui/components/ErrorView.js";
import { plain } from "./helpers.js";

function bugWithDeepStack(depth: number): Error {
  const dive = (n: number): Error => (n === 0 ? new Error("cannot read tunnel of undefined") : dive(n - 1));
  return dive(depth);
}

describe("ErrorView", () => {
  it("shows an expected error as its message and what to do, without a stack", () => {
    const frame = plain(render(<ErrorView error={{ message: "alice-hap refused the login", hint: "check the user and password in the profile" }} />).lastFrame());
    expect(frame).toContain("alice-hap refused the login");
    expect(frame).toContain("check the user and password in the profile");
    expect(frame).not.toContain("this is a bug");
    expect(frame).not.toMatch(/\bat /);
  });

  it("treats a UserError as expected", () => {
    const frame = plain(render(<ErrorView error={new UserError("no router profile named x")} />).lastFrame());
    expect(frame).toContain("no router profile named x");
    expect(frame).not.toContain("this is a bug");
  });

  it("shows a bug as such, with the top of its stack and a count of the rest", () => {
    const error = bugWithDeepStack(10);
    const frames = (error.stack ?? "").split("\n").filter((l) => l.trim().startsWith("at ")).map((l) => l.trim());
    expect(frames.length).toBeGreaterThan(4);
    const frame = plain(render(<ErrorView error={error} stackLines={3} />).lastFrame());
    expect(frame).toContain("this is a bug");
    expect(frame).toContain("cannot read tunnel of undefined");
    const shown = frame.split("\n").filter((line) => line.trim().startsWith("at "));
    expect(shown).toHaveLength(3);
    expect(frames[0]?.startsWith(shown[0]!.trim().replace(/…$/, ""))).toBe(true);
    expect(frame).toContain(`… ${frames.length - 3} more`);
  });
});
