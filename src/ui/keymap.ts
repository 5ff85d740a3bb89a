// The one table of key commands. Screens act on commands, never on raw keys, and the key hints
// and the Help page are drawn from this same table, so what the screen says is what it does.
// The user's config file may bind other keys per command (bindKeys, at startup): hints and Help
// follow, as they read the keys through keysOf.
import type { Key } from "ink";
import { UserError } from "../errors.js";
import type { ScreenId } from "./screens/catalog.js";

/**
 * A key as the table spells it: a named key ("up", "return", "escape", "tab", ...),
 * a control chord ("ctrl+c"), or one printable character ("q", "?", "/").
 */
export type KeyName = string;

export interface CommandSpec {
  keys: readonly KeyName[];
  /** What the command does, in a word or two; shown after its keys. */
  label: string;
  /** Listed in Help only, to keep the hint line short (the route view's paging keys). */
  helpOnly?: boolean;
}

export const COMMANDS = {
  up: { keys: ["up", "k"], label: "up" },
  down: { keys: ["down", "j"], label: "down" },
  select: { keys: ["return"], label: "open" },
  back: { keys: ["escape"], label: "back" },
  dismiss: { keys: ["escape", "return"], label: "dismiss" },
  help: { keys: ["?"], label: "help" },
  quit: { keys: ["q", "ctrl+c"], label: "quit" },
  nextPane: { keys: ["tab"], label: "next pane" },
  pageUp: { keys: ["pageUp"], label: "page up", helpOnly: true },
  pageDown: { keys: ["pageDown"], label: "page down", helpOnly: true },
  first: { keys: ["home"], label: "first", helpOnly: true },
  last: { keys: ["end"], label: "last", helpOnly: true },
  filter: { keys: ["/"], label: "filter" },
  clearFilter: { keys: ["ctrl+u"], label: "clear filter", helpOnly: true },
  // While a filter is typed (the route view's filter line).
  keepFilter: { keys: ["return"], label: "keep filter" },
  dropFilter: { keys: ["escape"], label: "drop filter" },
  prefer: { keys: ["p"], label: "swap primary ISP" },
  switchOperator: { keys: ["ctrl+o"], label: "other operator" },
  next: { keys: ["return"], label: "next" },
  toggle: { keys: ["space"], label: "choose" },
  abort: { keys: ["ctrl+c"], label: "quit" },
  clearField: { keys: ["ctrl+u"], label: "clear" },
  pasteCopied: { keys: ["ctrl+v"], label: "paste what was copied" },
  newPeering: { keys: ["n"], label: "new peering" },
  acceptOffer: { keys: ["a"], label: "accept offer" },
  completeOffer: { keys: ["c"], label: "complete" },
  addRouter: { keys: ["r"], label: "add router" },
  removePeering: { keys: ["x"], label: "remove peering" },
  copy: { keys: ["c"], label: "copy" },
  save: { keys: ["s"], label: "save to file" },
  qr: { keys: ["g"], label: "QR code" },
  exportScript: { keys: ["e"], label: "export plan" },
  apply: { keys: ["a"], label: "apply" },
  done: { keys: ["return", "escape"], label: "done" },
  clearLimit: { keys: ["l"], label: "clear limit" },
  why: { keys: ["w"], label: "why?" },
  showRequest: { keys: ["r"], label: "prefer request", helpOnly: true },
  resumeOffer: { keys: ["r"], label: "paste answer" },
  cancelOffer: { keys: ["x"], label: "cancel offer" },
  // Every screen that is not a text field: `:monitor alice`, `:why 10.0.0.0/24` (command-line.ts).
  commandLine: { keys: [":"], label: "command line", helpOnly: true },
} as const satisfies Record<string, CommandSpec>;

export type Command = keyof typeof COMMANDS;

/**
 * Where keys are read: a screen, a step of a wizard screen (entering text takes printable keys, so
 * its scope has none), or the error panel that takes the keys while it is shown.
 */
export type KeyScope = ScreenId | "error" | StepScope;
export type StepScope = "text" | "paste" | "filter" | "choose" | "chooseMany" | "bundle" | "plan" | "working" | "result" | "confirm" | "keptOffer";

/** The commands active in each scope, in the order their hints are shown. */
export const SCOPE_COMMANDS = {
  home: ["up", "down", "pageUp", "pageDown", "first", "last", "select", "newPeering", "acceptOffer", "completeOffer", "addRouter", "removePeering", "commandLine", "help", "quit"],
  help: ["commandLine", "back", "quit"],
  router: ["up", "down", "pageUp", "pageDown", "first", "last", "commandLine", "back", "help", "quit"],
  monitor: ["nextPane", "up", "down", "pageUp", "pageDown", "first", "last", "filter", "clearFilter", "prefer", "clearLimit", "why", "showRequest", "commandLine", "back", "help", "quit"],
  confirm: ["next", "back", "quit"],
  addRouter: ["next", "back", "help", "abort"],
  newPeering: ["next", "back", "help", "abort"],
  acceptOffer: ["next", "back", "help", "abort"],
  completeOffer: ["next", "back", "help", "abort"],
  removePeering: ["next", "back", "help", "abort"],
  kept: ["commandLine", "back", "help", "quit"],
  error: ["dismiss", "quit"],
  text: ["next", "clearField", "back", "abort"],
  // A bundle's text field where the app holds what the other operator copied (the demo).
  paste: ["next", "pasteCopied", "clearField", "back", "abort"],
  // The monitor's filter line while it is typed: printable keys are the expression.
  filter: ["keepFilter", "dropFilter", "clearField", "abort"],
  choose: ["up", "down", "pageUp", "pageDown", "first", "last", "next", "commandLine", "back", "help", "quit"],
  chooseMany: ["up", "down", "pageUp", "pageDown", "first", "last", "toggle", "next", "commandLine", "back", "help", "quit"],
  bundle: ["next", "copy", "save", "qr", "up", "down", "pageUp", "pageDown", "first", "last", "commandLine", "back", "help", "quit"],
  // A kept offer still waiting for its answer: the bundle's keys, and resume or cancel it.
  keptOffer: ["next", "copy", "save", "qr", "resumeOffer", "cancelOffer", "up", "down", "pageUp", "pageDown", "first", "last", "commandLine", "back", "help", "quit"],
  plan: ["apply", "exportScript", "up", "down", "pageUp", "pageDown", "first", "last", "commandLine", "back", "help", "quit"],
  working: ["abort"],
  result: ["done", "commandLine", "help", "quit"],
} as const satisfies Record<KeyScope, readonly Command[]>;

export type ScopeCommand<S extends KeyScope> = (typeof SCOPE_COMMANDS)[S][number];

export function commandsFor(scope: KeyScope): readonly Command[] {
  return SCOPE_COMMANDS[scope];
}

// Named keys map onto the flags Ink sets on `Key`.
const NAMED_KEYS = {
  up: "upArrow",
  down: "downArrow",
  left: "leftArrow",
  right: "rightArrow",
  pageUp: "pageUp",
  pageDown: "pageDown",
  home: "home",
  end: "end",
  return: "return",
  escape: "escape",
  tab: "tab",
  backspace: "backspace",
  delete: "delete",
} as const satisfies Record<string, keyof Key>;

// Printable keys the table spells by name, so hints stay readable.
const NAMED_CHARACTERS: Record<string, string> = { space: " " };

const GLYPHS: Record<string, string> = {
  up: "↑",
  down: "↓",
  left: "←",
  right: "→",
  pageUp: "pgup",
  pageDown: "pgdn",
  return: "enter",
  escape: "esc",
};

function isNamedKey(name: KeyName): name is keyof typeof NAMED_KEYS {
  return Object.hasOwn(NAMED_KEYS, name);
}

function keyPressed(input: string, key: Key, name: KeyName): boolean {
  if (isNamedKey(name)) return key[NAMED_KEYS[name]];
  if (name.startsWith("ctrl+")) return key.ctrl && input === name.slice("ctrl+".length);
  if (Object.hasOwn(NAMED_CHARACTERS, name)) return !key.ctrl && !key.meta && input === NAMED_CHARACTERS[name];
  // Escape sequences set `meta`; a bare character must not match "alt+k" or a stray sequence.
  return !key.ctrl && !key.meta && input === name;
}

/** Keys the user's config binds, by scope and command, in place of the table's. */
export type KeyBindings = Partial<Record<KeyScope, Partial<Record<Command, readonly KeyName[]>>>>;

// Set once at startup (bindKeys); the demo's two apps share the user's keys.
let bound: KeyBindings = {};

/** The keys that trigger `command` in `scope`: the user's binding, or the table's. */
export function keysOf(command: Command, scope?: KeyScope): readonly KeyName[] {
  return (scope === undefined ? undefined : bound[scope]?.[command]) ?? COMMANDS[command].keys;
}

/** Whether this keypress (as Ink's useInput reports it) triggers `command` (in `scope`, if given). */
export function matches(input: string, key: Key, command: Command, scope?: KeyScope): boolean {
  return keysOf(command, scope).some((name) => keyPressed(input, key, name));
}

/** The first command active in `scope` that this keypress triggers. */
export function commandFor(scope: KeyScope, input: string, key: Key): Command | undefined {
  return commandsFor(scope).find((command) => matches(input, key, command, scope));
}

/** How a key is written on screen: "↑", "enter", "ctrl+c", "q". */
export function keyLabel(name: KeyName): string {
  return GLYPHS[name] ?? name;
}

/**
 * The keys of a command as hints show them. Control chords stay out of the hint line to keep it
 * short (ctrl+c is the usual fallback, not the documented way); Help lists every key.
 */
export function hintKeys(command: Command, options: { all?: boolean; scope?: KeyScope } = {}): string {
  const keys = keysOf(command, options.scope);
  // ctrl+c stays out of the hints where another key quits; a command with only chords shows them.
  const shown = options.all || keys.every((name) => name.startsWith("ctrl+")) ? keys : keys.filter((name) => !name.startsWith("ctrl+"));
  return shown.map(keyLabel).join("/");
}

export interface KeyHint {
  command: Command;
  keys: string;
  label: string;
}

export function hintsFor(scope: KeyScope): KeyHint[] {
  const spec = (command: Command): CommandSpec => COMMANDS[command];
  return commandsFor(scope)
    .filter((command) => spec(command).helpOnly !== true)
    .map((command) => ({ command, keys: hintKeys(command, { scope }), label: COMMANDS[command].label }));
}

// Keys no binding may take: ctrl+c always quits (the way out when all else fails), and `:` opens
// the command line on every screen that has one.
const RESERVED: Record<KeyName, string> = { "ctrl+c": "it always quits", ":": "it opens the command line" };
// Scopes where printable keys are typed text: a binding there must be a named key or a chord.
const TEXT_SCOPES: readonly KeyScope[] = ["text", "paste", "filter"];
const SCOPES = Object.keys(SCOPE_COMMANDS) as KeyScope[];

function isCommand(name: string): name is Command {
  return Object.hasOwn(COMMANDS, name);
}

function isScope(name: string): name is KeyScope {
  return Object.hasOwn(SCOPE_COMMANDS, name);
}

/** Why `name` is not a key the table can spell, or null when it is one. */
function keyProblem(name: string): string | null {
  if (isNamedKey(name) || Object.hasOwn(NAMED_CHARACTERS, name)) return null;
  if (/^ctrl\+[a-z]$/.test(name)) return null;
  if ([...name].length === 1 && !/[\u0000-\u001f\u007f]/.test(name)) return null;
  return `"${name}" is not a key: use one character ("P"), ctrl+<letter> ("ctrl+p"), or one of ${[...Object.keys(NAMED_KEYS), ...Object.keys(NAMED_CHARACTERS)].join(", ")}`;
}

/**
 * The bindings of a config file's `"keys"`: `"<screen>.<command>": "key"` (or a list of keys) binds
 * the command on that screen, `"<command>": ...` on every screen that has it. Throws a UserError
 * naming every bad entry: an unknown command or screen, a key that cannot be spelled, a reserved
 * key, or a key that two commands of one screen would share.
 */
export function parseKeyBindings(keys: unknown, where = "keys"): KeyBindings {
  if (keys === undefined) return {};
  if (keys === null || typeof keys !== "object" || Array.isArray(keys)) throw new UserError(`${where}: must be an object of "<screen>.<command>": "<key>", e.g. {"monitor.prefer": "P"}`);
  const problems: string[] = [];
  const bindings: KeyBindings = {};
  for (const [entry, value] of Object.entries(keys)) {
    const problem = (text: string) => problems.push(`${where} "${entry}": ${text}`);
    const dot = entry.lastIndexOf(".");
    const scopeName = dot < 0 ? undefined : entry.slice(0, dot);
    const commandName = entry.slice(dot + 1);
    if (scopeName !== undefined && !isScope(scopeName)) {
      problem(`no screen "${scopeName}"; screens: ${SCOPES.join(", ")}`);
      continue;
    }
    if (!isCommand(commandName)) {
      problem(`no command "${commandName}"; commands: ${(scopeName === undefined ? Object.keys(COMMANDS) : commandsFor(scopeName)).join(", ")}`);
      continue;
    }
    const scopes = scopeName === undefined ? SCOPES.filter((s) => commandsFor(s).includes(commandName)) : [scopeName];
    if (scopes.length === 0) {
      problem(`${commandName} is on no screen's keys (the demo's own keys cannot be bound)`);
      continue;
    }
    if (scopeName !== undefined && !commandsFor(scopeName).includes(commandName)) {
      problem(`the ${scopeName} screen has no ${commandName}; its commands: ${commandsFor(scopeName).join(", ")}`);
      continue;
    }
    const names = typeof value === "string" ? [value] : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string") ? (value as string[]) : null;
    if (names === null) {
      problem(`give a key as a string ("P") or a list of keys (["P", "ctrl+p"])`);
      continue;
    }
    const bad = names.map((name) => keyProblem(name) ?? (Object.hasOwn(RESERVED, name) ? `${name} is reserved: ${RESERVED[name]}` : null)).find((p) => p !== null);
    if (bad) {
      problem(bad);
      continue;
    }
    const typed = names.find((name) => !isNamedKey(name) && !name.startsWith("ctrl+"));
    const textScope = scopes.find((s) => TEXT_SCOPES.includes(s));
    if (typed !== undefined && textScope !== undefined) {
      problem(`"${typed}" would be typed into the field on the ${textScope} screen: use a named key or ctrl+<letter> there`);
      continue;
    }
    // quit and abort keep ctrl+c whatever else they are bound to.
    const keysToBind = (commandName === "quit" || commandName === "abort") && !names.includes("ctrl+c") ? [...names, "ctrl+c"] : names;
    for (const scope of scopes) bindings[scope] = { ...bindings[scope], [commandName]: keysToBind };
  }
  // A key two commands of one screen share would do only the first: refused.
  for (const scope of SCOPES) {
    const owner = new Map<KeyName, Command>();
    for (const command of commandsFor(scope)) {
      for (const name of bindings[scope]?.[command] ?? COMMANDS[command].keys) {
        const other = owner.get(name);
        // Two commands sharing a key on purpose in the table (none today) are not the user's doing.
        if (other !== undefined && (bindings[scope]?.[command] !== undefined || bindings[scope]?.[other] !== undefined)) {
          problems.push(`${where}: "${name}" is bound twice on the ${scope} screen (${other} and ${command}); give one of them another key`);
        }
        owner.set(name, command);
      }
    }
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return bindings;
}

/** Makes `bindings` the keys every screen reads (at startup); returns what was bound before. */
export function bindKeys(bindings: KeyBindings): KeyBindings {
  const before = bound;
  bound = bindings;
  return before;
}
