// The one table of key commands. Screens act on commands, never on raw keys, and the key hints
// and the Help page are drawn from this same table, so what the screen says is what it does.
import type { Key } from "ink";
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
  first: { keys: ["home"], label: "first route", helpOnly: true },
  last: { keys: ["end"], label: "last route", helpOnly: true },
  filter: { keys: ["/"], label: "filter" },
  clearFilter: { keys: ["ctrl+u"], label: "clear filter", helpOnly: true },
  togglePrimary: { keys: ["p"], label: "swap primary ISP" },
  switchOperator: { keys: ["ctrl+o"], label: "other operator" },
  next: { keys: ["return"], label: "next" },
  toggle: { keys: ["space"], label: "choose" },
  abort: { keys: ["ctrl+c"], label: "quit" },
  clearField: { keys: ["ctrl+u"], label: "clear" },
  newPeering: { keys: ["n"], label: "new peering" },
  acceptOffer: { keys: ["a"], label: "accept offer" },
  completeOffer: { keys: ["c"], label: "complete" },
  addRouter: { keys: ["r"], label: "add router" },
  removePeering: { keys: ["x"], label: "remove peering" },
  copy: { keys: ["c"], label: "copy" },
  save: { keys: ["s"], label: "save to file" },
  qr: { keys: ["g"], label: "QR code" },
  exportScript: { keys: ["e"], label: "export .rsc" },
  apply: { keys: ["a"], label: "apply" },
  done: { keys: ["return", "escape"], label: "done" },
  clearLimit: { keys: ["l"], label: "clear limit" },
  why: { keys: ["w"], label: "why?" },
  showRequest: { keys: ["r"], label: "prefer request", helpOnly: true },
  resumeOffer: { keys: ["r"], label: "paste answer" },
  cancelOffer: { keys: ["x"], label: "cancel offer" },
} as const satisfies Record<string, CommandSpec>;

export type Command = keyof typeof COMMANDS;

/**
 * Where keys are read: a screen, a step of a wizard screen (entering text takes printable keys, so
 * its scope has none), or the error panel that takes the keys while it is shown.
 */
export type KeyScope = ScreenId | "error" | StepScope;
export type StepScope = "text" | "choose" | "chooseMany" | "bundle" | "plan" | "working" | "result" | "confirm" | "keptOffer";

/** The commands active in each scope, in the order their hints are shown. */
export const SCOPE_COMMANDS = {
  home: ["up", "down", "select", "newPeering", "acceptOffer", "completeOffer", "addRouter", "removePeering", "help", "quit"],
  help: ["back", "quit"],
  router: ["back", "help", "quit"],
  monitor: ["nextPane", "up", "down", "pageUp", "pageDown", "first", "last", "filter", "clearFilter", "togglePrimary", "clearLimit", "why", "showRequest", "back", "help", "quit"],
  confirm: ["next", "back", "quit"],
  addRouter: ["next", "back", "help", "abort"],
  newPeering: ["next", "back", "help", "abort"],
  acceptOffer: ["next", "back", "help", "abort"],
  completeOffer: ["next", "back", "help", "abort"],
  removePeering: ["next", "back", "help", "abort"],
  kept: ["back", "help", "quit"],
  error: ["dismiss", "quit"],
  text: ["next", "clearField", "back", "abort"],
  choose: ["up", "down", "next", "back", "help", "quit"],
  chooseMany: ["up", "down", "toggle", "next", "back", "help", "quit"],
  bundle: ["next", "copy", "save", "qr", "up", "down", "back", "help", "quit"],
  // A kept offer still waiting for its answer: the bundle's keys, and resume or cancel it.
  keptOffer: ["next", "copy", "save", "qr", "resumeOffer", "cancelOffer", "up", "down", "back", "help", "quit"],
  plan: ["apply", "exportScript", "up", "down", "back", "help", "quit"],
  working: ["abort"],
  result: ["done", "help", "quit"],
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

/** Whether this keypress (as Ink's useInput reports it) triggers `command`. */
export function matches(input: string, key: Key, command: Command): boolean {
  return COMMANDS[command].keys.some((name) => keyPressed(input, key, name));
}

/** The first command active in `scope` that this keypress triggers. */
export function commandFor(scope: KeyScope, input: string, key: Key): Command | undefined {
  return commandsFor(scope).find((command) => matches(input, key, command));
}

/** How a key is written on screen: "↑", "enter", "ctrl+c", "q". */
export function keyLabel(name: KeyName): string {
  return GLYPHS[name] ?? name;
}

/**
 * The keys of a command as hints show them. Control chords stay out of the hint line to keep it
 * short (ctrl+c is the usual fallback, not the documented way); Help lists every key.
 */
export function hintKeys(command: Command, options: { all?: boolean } = {}): string {
  const keys: readonly KeyName[] = COMMANDS[command].keys;
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
    .map((command) => ({ command, keys: hintKeys(command), label: COMMANDS[command].label }));
}
