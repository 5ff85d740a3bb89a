// The lab's RouterOS scripting: the small part of the language that scheduler scripts use to follow
// a DNS name (as the community's DDNS and netwatch scripts do), read from the manual's Scripting
// page: `:local`/`:global` variables, `[:resolve "name"]`, `"...$var..."` interpolation,
// `:do { ... } on-error={ ... }`, `:log`, and `/menu set [find attr="value"] attr=value`.
// Anything else fails the script, as a syntax error does on a router.
import type { ConfigStore } from "./store/store.js";

export class ScriptError extends Error {}

export interface ScriptHost {
  store: ConfigStore;
  /** What the router's DNS answers for a name, or null (`:resolve` then fails). */
  resolve(name: string): string | null;
  /** Where `:log` lines go. */
  log?(topic: string, message: string): void;
  /** `:global` variables, kept by the router between runs. */
  globals: Map<string, string>;
}

type Token = { kind: "word" | "string" | "call"; text: string };

/** A double-quoted string from `line[i]` (the quote): its text with escapes read, and where it ends. */
function readString(line: string, i: number): [string, number] {
  let text = "";
  i++;
  while (i < line.length && line[i] !== '"') {
    if (line[i] === "\\" && i + 1 < line.length) {
      text += line[i + 1];
      i += 2;
    } else text += line[i++];
  }
  if (i >= line.length) throw new ScriptError("syntax error (unterminated string)");
  return [text, i + 1];
}

/** Splits a statement into words, double-quoted strings (escapes read) and `[...]` calls. */
function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === ";") {
      i++;
    } else if (c === '"') {
      const [text, next] = readString(line, i);
      out.push({ kind: "string", text });
      i = next;
    } else if (c === "[") {
      let depth = 0;
      const start = i;
      for (; i < line.length; i++) {
        if (line[i] === "[") depth++;
        else if (line[i] === "]" && --depth === 0) break;
      }
      if (depth !== 0) throw new ScriptError("syntax error (missing ])");
      out.push({ kind: "call", text: line.slice(start + 1, i).trim() });
      i++;
    } else {
      // A word may carry a quoted value (attr="a b"): marked, to be interpolated later.
      let text = "";
      while (i < line.length && !" \t;".includes(line[i]!)) {
        if (line[i] === '"') {
          const [quoted, next] = readString(line, i);
          text += `\u0000${quoted}`;
          i = next;
        } else text += line[i++];
      }
      out.push({ kind: "word", text });
    }
  }
  return out;
}

class Scope {
  readonly locals = new Map<string, string>();
  constructor(readonly host: ScriptHost) {}

  variable(name: string): string {
    const value = this.locals.get(name) ?? this.host.globals.get(name);
    if (value === undefined) throw new ScriptError(`no such variable ${name}`);
    return value;
  }

  /** "$a/32" → "203.0.113.9/32". */
  interpolate(text: string): string {
    return text.replace(/\$([A-Za-z][\w-]*)/g, (_, name: string) => this.variable(name));
  }

  value(token: Token): string {
    if (token.kind === "string") return this.interpolate(token.text);
    if (token.kind === "call") return this.call(token.text);
    if (token.text.startsWith("$")) return this.variable(token.text.slice(1));
    return token.text;
  }

  call(text: string): string {
    const tokens = tokenize(text);
    const head = tokens[0]?.text;
    if (head === ":resolve") {
      const name = this.value(tokens[1] ?? { kind: "word", text: "" });
      const address = this.host.resolve(name);
      if (address === null) throw new ScriptError(`failure: dns name does not exist`);
      return address;
    }
    throw new ScriptError(`syntax error (${head ?? "empty"} cannot be called here)`);
  }
}

/** A menu path from script words: "/ip route" or "/ip/route" → "/ip/route". */
function menuPath(words: string[]): { path: string; rest: number } {
  const parts: string[] = [];
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (i === 0) parts.push(...w.split("/").filter((x) => x !== ""));
    else if (/^[a-z][a-z0-9-]*$/.test(w) && !["set", "add", "remove", "print"].includes(w)) parts.push(w);
    else break;
  }
  return { path: `/${parts.join("/")}`, rest: i };
}

function attrOf(scope: Scope, token: Token): [string, string] {
  const text = token.text;
  const eq = text.indexOf("=");
  if (token.kind !== "word" || eq < 1) throw new ScriptError(`syntax error (${text})`);
  const name = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  const value = raw.startsWith("\u0000") ? scope.interpolate(raw.slice(1)) : raw.startsWith("$") ? scope.variable(raw.slice(1)) : raw;
  return [name, value];
}

function menuCommand(scope: Scope, tokens: Token[]): void {
  const words = tokens.map((t) => t.text);
  const { path, rest } = menuPath(words);
  const menu = scope.host.store.menu(path);
  if (menu === undefined) throw new ScriptError(`bad command name ${path}`);
  const verb = words[rest];
  if (verb !== "set") throw new ScriptError(`bad command name ${verb ?? ""} (${path})`);
  const target = tokens[rest + 1];
  let ids: string[];
  let from = rest + 2;
  if (target?.kind === "call") {
    const find = tokenize(target.text);
    if (find[0]?.text !== "find") throw new ScriptError("syntax error (set takes [find ...])");
    const match = Object.fromEntries(find.slice(1).map((t) => attrOf(scope, t)));
    ids = menu.find(match).map((i) => i[".id"]!);
  } else {
    ids = [];
    from = rest + 1;
  }
  const attrs = Object.fromEntries(tokens.slice(from).map((t) => attrOf(scope, t)));
  if (menu.singleton && target?.kind !== "call") {
    menu.set(null, attrs, "api");
    return;
  }
  // A value set to what it already is changes nothing (and tells no listener).
  for (const id of ids) {
    const item = menu.get(id);
    if (item !== undefined && Object.entries(attrs).some(([k, v]) => item[k] !== v)) menu.set([id], attrs, "api");
  }
}

function statement(scope: Scope, line: string): void {
  const tokens = tokenize(line);
  const head = tokens[0];
  if (head === undefined) return;
  if (head.text === ":local" || head.text === ":global") {
    const name = tokens[1]?.text ?? "";
    const value = tokens[2] === undefined ? "" : scope.value(tokens[2]);
    if (head.text === ":local") scope.locals.set(name, value);
    else scope.host.globals.set(name, value);
    return;
  }
  if (head.text === ":set") {
    const name = tokens[1]?.text ?? "";
    const value = tokens[2] === undefined ? "" : scope.value(tokens[2]);
    if (scope.locals.has(name)) scope.locals.set(name, value);
    else scope.host.globals.set(name, value);
    return;
  }
  if (head.text === ":log") {
    scope.host.log?.(tokens[1]?.text ?? "info", tokens[2] === undefined ? "" : scope.value(tokens[2]));
    return;
  }
  if (head.text === ":put") return;
  if (head.kind === "word" && head.text.startsWith("/")) return menuCommand(scope, tokens);
  throw new ScriptError(`syntax error (${head.text})`);
}

/** Statements and `:do { } on-error={ }` blocks, one statement a line. */
function runLines(scope: Scope, lines: string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line === ":do {") {
      const body: string[] = [];
      let depth = 1;
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!.trim();
        if (l.endsWith("{")) depth++;
        if (l.startsWith("}") && --depth === 0) break;
        body.push(l);
      }
      if (j >= lines.length) throw new ScriptError("syntax error (missing })");
      const handler = /^}\s*on-error=\{(.*)\}$/.exec(lines[j]!.trim());
      const inner = new Scope(scope.host);
      for (const [k, v] of scope.locals) inner.locals.set(k, v);
      try {
        runLines(inner, body);
      } catch (e) {
        if (!(e instanceof ScriptError) && !(e instanceof Error && "category" in e)) throw e;
        if (handler === null) throw e;
        runLines(scope, [handler[1]!]);
      }
      i = j;
      continue;
    }
    statement(scope, line);
  }
}

/** Runs a script's source; throws ScriptError where a router would stop the script. */
export function runScript(host: ScriptHost, source: string): void {
  runLines(new Scope(host), source.split(/\r?\n/));
}
