// The `:` command line's parser and Tab completion, without a screen.
import { describe, expect, it } from "vitest";
import { COMMAND_LINE, completeCommandLine, parseCommandLine } from "../../src/ui/command-line.js";

const FRIENDS = ["remi", "rosa", "bob"];
const ROUTERS = ["home", "office"];
const context = { friends: FRIENDS, routers: ROUTERS };
const run = (line: string) => parseCommandLine(line, context);
const error = (line: string) => {
  const result = run(line);
  if (result.ok) throw new Error(`${line} ran: ${JSON.stringify(result.run)}`);
  return result.error;
};

describe("parseCommandLine", () => {
  it("opens a friend's monitor or a router, each over Home", () => {
    expect(run("monitor remi")).toEqual({ ok: true, run: { kind: "go", screen: { id: "monitor", subject: "remi" } } });
    expect(run("  router   office ")).toEqual({ ok: true, run: { kind: "go", screen: { id: "router", subject: "office" } } });
    expect(run("home")).toEqual({ ok: true, run: { kind: "go" } });
  });

  it("asks why for a prefix, and takes help, quit and q", () => {
    expect(run("why 192.168.42.0/24")).toEqual({ ok: true, run: { kind: "why", prefix: "192.168.42.0/24" } });
    expect(run("help")).toEqual({ ok: true, run: { kind: "help" } });
    expect(run("quit")).toEqual({ ok: true, run: { kind: "quit" } });
    expect(run("q")).toEqual({ ok: true, run: { kind: "quit" } });
  });

  it("an unknown command names every command that works", () => {
    const message = error("monitr remi");
    expect(message).toContain('no command "monitr"');
    for (const spec of COMMAND_LINE) expect(message).toContain(spec.usage);
    expect(error("")).toContain(":monitor <friend>");
  });

  it("an unknown or missing friend or router names those there are", () => {
    expect(error("monitor alice")).toBe('no friend "alice": friends are remi, rosa, bob');
    expect(error("monitor")).toBe(":monitor <friend>: name a friend: remi, rosa, bob");
    expect(error("router lab")).toBe('no router "lab": routers are home, office');
    expect(parseCommandLine("monitor remi", { friends: [], routers: [] })).toEqual({ ok: false, error: 'no friend "remi": friends are (no peering yet: n starts one)' });
  });

  it("a prefix that is not one, and words too many, are refused", () => {
    expect(error("why 10.0.0.1/24")).toContain('"10.0.0.1/24" is not a prefix');
    expect(error("why")).toContain("name a prefix");
    expect(error("home now")).toBe(":home takes nothing after it");
    expect(error("monitor remi rosa")).toBe(":monitor <friend> takes one friend");
  });
});

describe("completeCommandLine", () => {
  it("completes a command's name, with a space where an argument follows", () => {
    expect(completeCommandLine("mo", context)).toEqual({ line: "monitor ", candidates: [] });
    expect(completeCommandLine("ho", context)).toEqual({ line: "home", candidates: [] });
    // Two commands start with h: as far as they agree, and both named.
    expect(completeCommandLine("h", context)).toEqual({ line: "h", candidates: ["home", "help"] });
    expect(completeCommandLine("x", context)).toEqual({ line: "x", candidates: [] });
  });

  it("completes the friend or router a command names", () => {
    expect(completeCommandLine("monitor b", context)).toEqual({ line: "monitor bob", candidates: [] });
    expect(completeCommandLine("monitor r", context)).toEqual({ line: "monitor r", candidates: ["remi", "rosa"] });
    expect(completeCommandLine("router o", context)).toEqual({ line: "router office", candidates: [] });
    expect(completeCommandLine("why 10", context)).toEqual({ line: "why 10", candidates: [] });
  });
});
