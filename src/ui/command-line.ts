// The `:` command line (as k9s and vim have it): what a typed line means, and what Tab completes.
// Pure: the CommandLine component runs what this returns.
import { isIPv4Prefix } from "../core/ipv4.js";
import type { Screen } from "./screens/catalog.js";

/** What the command line can name: the friends and routers on Home. */
export interface CommandLineContext {
  readonly friends: readonly string[];
  readonly routers: readonly string[];
}

/** What a command line asks for. */
export type CommandLineRun =
  | { readonly kind: "go"; readonly screen?: Screen }
  | { readonly kind: "help" }
  | { readonly kind: "quit" }
  | { readonly kind: "why"; readonly prefix: string };

type Argument = "friend" | "router" | "prefix" | null;

interface CommandLineSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly argument: Argument;
  /** How it is written, for the error that lists what works. */
  readonly usage: string;
  readonly about: string;
}

export const COMMAND_LINE: readonly CommandLineSpec[] = [
  { name: "monitor", argument: "friend", usage: ":monitor <friend>", about: "the monitor of your peering with that friend" },
  { name: "why", argument: "prefix", usage: ":why <prefix>", about: "on the monitor: why that prefix was accepted or filtered" },
  { name: "router", argument: "router", usage: ":router <name>", about: "what bgpals found on that router" },
  { name: "home", argument: null, usage: ":home", about: "back to Home" },
  { name: "help", argument: null, usage: ":help", about: "the keys of this screen" },
  { name: "quit", aliases: ["q"], argument: null, usage: ":quit (:q)", about: "end bgpals" },
];

const USAGES = COMMAND_LINE.map((c) => c.usage).join(", ");

export type CommandLineResult = { readonly ok: true; readonly run: CommandLineRun } | { readonly ok: false; readonly error: string };

function find(name: string): CommandLineSpec | undefined {
  return COMMAND_LINE.find((c) => c.name === name || c.aliases?.includes(name));
}

/** The names an argument may take, for its error and for Tab. */
function choicesFor(argument: Argument, context: CommandLineContext): readonly string[] {
  return argument === "friend" ? context.friends : argument === "router" ? context.routers : [];
}

function listed(names: readonly string[], none: string): string {
  return names.length === 0 ? none : names.join(", ");
}

/** The line typed after `:` as a command to run, or the one-line error saying what would work. */
export function parseCommandLine(line: string, context: CommandLineContext): CommandLineResult {
  const words = line.trim().replace(/^:/, "").split(/\s+/).filter((w) => w !== "");
  const [name, argument, ...extra] = words;
  if (name === undefined) return { ok: false, error: `type a command: ${USAGES}` };
  const spec = find(name);
  if (spec === undefined) return { ok: false, error: `no command "${name}": use ${USAGES}` };
  const fail = (error: string): CommandLineResult => ({ ok: false, error });
  if (spec.argument === null) {
    if (argument !== undefined) return fail(`:${spec.name} takes nothing after it`);
  } else if (extra.length > 0) {
    return fail(`${spec.usage} takes one ${spec.argument}`);
  }
  switch (spec.argument) {
    case "friend":
    case "router": {
      const names = choicesFor(spec.argument, context);
      const none = spec.argument === "friend" ? "(no peering yet: n starts one)" : "(no router yet: r adds one)";
      if (argument === undefined) return fail(`${spec.usage}: name a ${spec.argument}: ${listed(names, none)}`);
      if (!names.includes(argument)) return fail(`no ${spec.argument} "${argument}": ${spec.argument}s are ${listed(names, none)}`);
      return { ok: true, run: { kind: "go", screen: { id: spec.argument === "friend" ? "monitor" : "router", subject: argument } } };
    }
    case "prefix":
      if (argument === undefined) return fail(`${spec.usage}: name a prefix, e.g. :why 192.168.42.0/24`);
      if (!isIPv4Prefix(argument)) return fail(`"${argument}" is not a prefix: write it as the route table shows it, e.g. 192.168.42.0/24`);
      return { ok: true, run: { kind: "why", prefix: argument } };
    case null:
      return { ok: true, run: spec.name === "home" ? { kind: "go" } : spec.name === "help" ? { kind: "help" } : { kind: "quit" } };
  }
}

export interface Completion {
  /** The line with what Tab could add. */
  readonly line: string;
  /** What it could still be, when Tab could not decide (shown under the line). */
  readonly candidates: readonly string[];
}

function commonStart(words: readonly string[]): string {
  if (words.length === 0) return "";
  let start = words[0]!;
  for (const w of words) while (!w.startsWith(start)) start = start.slice(0, -1);
  return start;
}

/** Tab: completes the command's name, then the friend or router it names. */
export function completeCommandLine(line: string, context: CommandLineContext): Completion {
  const space = line.indexOf(" ");
  if (space < 0) {
    const names = COMMAND_LINE.map((c) => c.name).filter((n) => n.startsWith(line));
    // One left: complete it, with the space its argument needs.
    if (names.length === 1) return { line: names[0]! + (find(names[0]!)!.argument === null ? "" : " "), candidates: [] };
    return { line: names.length ? commonStart(names) : line, candidates: names };
  }
  const spec = find(line.slice(0, space));
  const typed = line.slice(space + 1).trimStart();
  if (spec === undefined || typed.includes(" ")) return { line, candidates: [] };
  const names = choicesFor(spec.argument, context).filter((n) => n.startsWith(typed));
  const head = `${line.slice(0, space)} `;
  if (names.length === 1) return { line: head + names[0]!, candidates: [] };
  return { line: names.length ? head + commonStart(names) : line, candidates: names };
}
