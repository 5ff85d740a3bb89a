// The lab's reader for RouterOS 7 routing filter rules (`/routing/filter/rule`, the `rule=` script),
// written from the manual page "Route Selection and Filters" (help.mikrotik.com, "Filter Syntax"):
//
//   if ( [matchers] ) { [actions] } else { [actions] }
//   [matchers]: [prop readable] [bool operator] [prop readable]   e.g.  dst in 192.168.1.0/24 && dst-len>24
//   [actions]:  [action] [prop writeable] [value]                  e.g.  set distance +1; accept
//
// Matchers join with &&, || and not (the lab also reads `!`). A matcher whose property has one
// possible operation needs no operator ("protocol connected"); a flag stands alone ("ospf-dn").
// Commands: accept, reject, return, jump <chain>, set <prop> <value>, unset <prop>, and the
// community commands append, delete, filter, plus rpki-verify <group>.

export type Comparison = "in" | "==" | "!=" | "<" | ">" | "<=" | ">=";

export type Operand =
  | { kind: "word"; text: string }
  /** `{23..32}` or `{23-32}`: a numeric range written in braces. */
  | { kind: "braced"; text: string };

export type Condition =
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; operand: Condition }
  /** `dst in 192.168.0.0/16`, `dst-len>24`, `bgp-local-pref == bgp-med`. */
  | { kind: "compare"; property: string; operator: Comparison; operand: Operand }
  /** `protocol connected`, `afi ipv4`, `bgp-communities equal-list myList`: the words after the property. */
  | { kind: "words"; property: string; words: string[] }
  /** `active`, `bgp-network`, `ospf-dn`: a flag property alone. */
  | { kind: "flag"; property: string };

export type Statement =
  | { kind: "if"; condition: Condition; then: Statement[]; else: Statement[] }
  | { kind: "accept" | "reject" | "return" }
  | { kind: "jump"; chain: string }
  | { kind: "set"; property: string; value: string }
  | { kind: "unset"; property: string }
  /** append, delete, filter, rpki-verify: read, but about attributes the lab does not carry. */
  | { kind: "other"; command: string; words: string[] };

export class RuleSyntaxError extends Error {
  constructor(
    message: string,
    readonly rule: string,
    readonly at: number,
  ) {
    super(`${message} (at ${at} in "${rule}")`);
    this.name = "RuleSyntaxError";
  }
}

/** Reads a whole `rule=` script into its statements, or throws RuleSyntaxError. */
export function readRule(text: string): Statement[] {
  const reader = new Reader(text);
  const statements = reader.statements();
  reader.expectEnd();
  return statements;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token = { kind: "word"; text: string; at: number } | { kind: "symbol"; text: string; at: number } | { kind: "end"; text: ""; at: number };

// A lone & or | is no operator, but an AS-path regexp may hold a | ("^(1234|5678)"): the tokenizer
// keeps it and the reader refuses it anywhere else.
const SYMBOLS = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "{", "}", ";", "&", "|"] as const;
/** Characters that end a bare word: blanks, brackets, separators, operator characters, quotes. */
const WORD_END = /[\s(){};<>=!&|"]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol !== undefined) {
      tokens.push({ kind: "symbol", text: symbol, at: i });
      i += symbol.length;
      continue;
    }
    if (ch === '"') {
      const start = i;
      let value = "";
      for (i++; i < text.length && text[i] !== '"'; i++) value += text[i] === "\\" && i + 1 < text.length ? text[++i] : text[i];
      if (i >= text.length) throw new RuleSyntaxError("unterminated string", text, start);
      i++;
      tokens.push({ kind: "word", text: value, at: start });
      continue;
    }
    const start = i;
    while (i < text.length && !WORD_END.test(text[i]!)) i++;
    tokens.push({ kind: "word", text: text.slice(start, i), at: start });
  }
  tokens.push({ kind: "end", text: "", at: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Grammar

const COMPARISONS: readonly string[] = ["==", "!=", "<=", ">=", "<", ">"];
/** Readable flags the manual lists; each stands alone in a matcher. */
const FLAGS = new Set(["active", "bgp-atomic-aggregate", "bgp-communities-empty", "bgp-ext-communities-empty", "bgp-large-communities-empty", "bgp-network", "ospf-dn"]);
/** AS-path properties take a regular expression, which may hold ( ) and |. */
const REGEXP_PROPERTIES = new Set(["bgp-as-path", "bgp-as-path-slow-legacy"]);
const PROPERTY = /^[a-z][a-z0-9-]*$/;
/** Numeric properties, readable and writable, as the manual lists them. */
const NUMERIC = new Set([
  "dst-len", "bgp-path-len", "bgp-input-local-as", "bgp-input-remote-as", "bgp-output-local-as", "bgp-output-remote-as",
  "ospf-metric", "ospf-tag", "rip-metric", "rip-tag", "distance", "scope", "scope-target", "bgp-weight", "bgp-med",
  "bgp-out-med", "bgp-local-pref", "bgp-igp-metric", "bgp-path-peer-prepend", "bgp-path-prepend", "ospf-ext-metric",
  "ospf-ext-tag", "rip-ext-metric", "rip-ext-tag",
]);
/** Prefix properties: they take in, == and != only. */
const PREFIXES = new Set(["dst", "ospf-fwd", "bgp-input-local-addr", "bgp-input-remote-addr", "bgp-output-local-addr", "bgp-output-remote-addr"]);
const NUMBER = /^\d+$/;
/** "23-32", "23..32", or one number. */
const RANGE = /^\d+(?:(?:-|\.\.)\d+)?$/;

class Reader {
  private readonly tokens: Token[];
  private next = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    while (!this.atSymbol("}") && this.peek().kind !== "end") {
      if (this.takeSymbol(";")) continue;
      out.push(this.statement());
    }
    return out;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== "end") this.fail(`unexpected "${token.text}"`, token);
  }

  private statement(): Statement {
    const token = this.word("a command");
    switch (token.text) {
      case "if": {
        this.symbol("(");
        const condition = this.or();
        this.symbol(")");
        const then = this.block();
        let otherwise: Statement[] = [];
        if (this.peekWord("else")) {
          this.take();
          otherwise = this.peekWord("if") ? [this.statement()] : this.block();
        }
        return { kind: "if", condition, then, else: otherwise };
      }
      case "accept":
        return { kind: "accept" };
      case "reject":
        return { kind: "reject" };
      case "return":
        return { kind: "return" };
      case "jump":
        return { kind: "jump", chain: this.word("a chain name after jump").text };
      case "set": {
        const property = this.property("a property after set");
        const value = this.word(`a value for ${property}`);
        // A number, +N or -N, or (with or without a sign) another numeric property.
        const operand = value.text.replace(/^[+-]/, "");
        if (NUMERIC.has(property) && !NUMBER.test(operand) && !NUMERIC.has(operand)) this.fail(`expected a number for ${property}, found "${value.text}"`, value);
        return { kind: "set", property, value: value.text };
      }
      case "unset":
        return { kind: "unset", property: this.property("a property after unset") };
      case "append":
      case "delete":
      case "filter": {
        const property = this.property(`a property after ${token.text}`);
        return { kind: "other", command: token.text, words: [property, this.word(`a value for ${property}`).text] };
      }
      case "rpki-verify":
        return { kind: "other", command: token.text, words: [this.word("an RPKI group").text] };
      default:
        return this.fail(`unknown command "${token.text}"`, token);
    }
  }

  private block(): Statement[] {
    this.symbol("{");
    const statements = this.statements();
    this.symbol("}");
    return statements;
  }

  // The manual gives no precedence; the lab reads && before ||, as in the C family the operators
  // come from, so "a || b && c" is "a || (b && c)".
  private or(): Condition {
    let left = this.and();
    while (this.takeSymbol("||")) left = { kind: "or", left, right: this.and() };
    return left;
  }

  private and(): Condition {
    let left = this.unary();
    while (this.takeSymbol("&&")) left = { kind: "and", left, right: this.unary() };
    return left;
  }

  private unary(): Condition {
    if (this.peekWord("not")) this.take();
    else if (!this.takeSymbol("!")) return this.matcherOrGroup();
    return { kind: "not", operand: this.unary() };
  }

  private matcherOrGroup(): Condition {
    if (this.takeSymbol("(")) {
      const inner = this.or();
      this.symbol(")");
      return inner;
    }
    return this.matcher();
  }

  private matcher(): Condition {
    const property = this.property("a property to match");
    const token = this.peek();
    if ((token.kind === "word" && token.text === "in") || (token.kind === "symbol" && COMPARISONS.includes(token.text))) {
      this.take();
      const operator = token.text as Comparison;
      const at = this.peek();
      const operand = this.operand(property);
      if (PREFIXES.has(property) && !["in", "==", "!="].includes(operator)) this.fail(`${property} takes in, == or !=, not ${operator}`, token);
      if (NUMERIC.has(property)) {
        const fits = operator === "in" ? RANGE.test(operand.text) : operand.kind === "word" && (NUMBER.test(operand.text) || NUMERIC.has(operand.text));
        if (!fits) this.fail(`expected ${operator === "in" ? "a range" : "a number"} after ${property} ${operator}, found "${operand.text}"`, at);
      }
      return { kind: "compare", property, operator, operand };
    }
    if (REGEXP_PROPERTIES.has(property)) return { kind: "words", property, words: [this.regexp()] };
    if (FLAGS.has(property) || token.kind !== "word") return { kind: "flag", property };
    const words: string[] = [];
    while (this.peek().kind === "word") words.push(this.take().text);
    return { kind: "words", property, words };
  }

  private operand(property: string): Operand {
    if (this.takeSymbol("{")) {
      const range = this.word(`a range for ${property}`).text;
      this.symbol("}");
      return { kind: "braced", text: range };
    }
    return { kind: "word", text: this.word(`a value for ${property}`).text };
  }

  /** An AS-path regexp, read from the source text: it ends at a blank, && or ||, or an unmatched ")". */
  private regexp(): string {
    const start = this.peek();
    if (start.kind === "end") this.fail("expected an AS-path regexp", start);
    let i = start.at;
    let depth = 0;
    while (i < this.text.length) {
      const ch = this.text[i]!;
      if (/\s/.test(ch) && depth === 0) break;
      if (this.text.startsWith("&&", i) || this.text.startsWith("||", i)) break;
      if (ch === "(" || ch === "[") depth++;
      if (ch === ")" || ch === "]") {
        if (depth === 0) break;
        depth--;
      }
      i++;
    }
    while (this.peek().kind !== "end" && this.peek().at < i) this.take();
    return this.text.slice(start.at, i);
  }

  private property(what: string): string {
    const token = this.word(what);
    if (!PROPERTY.test(token.text)) this.fail(`"${token.text}" is not a property name`, token);
    return token.text;
  }

  private peek(): Token {
    return this.tokens[this.next]!;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.next++;
    return token;
  }

  private peekWord(text: string): boolean {
    const token = this.peek();
    return token.kind === "word" && token.text === text;
  }

  private atSymbol(text: string): boolean {
    const token = this.peek();
    return token.kind === "symbol" && token.text === text;
  }

  private takeSymbol(text: string): boolean {
    if (!this.atSymbol(text)) return false;
    this.take();
    return true;
  }

  private symbol(text: string): void {
    if (!this.takeSymbol(text)) this.fail(`expected "${text}"`, this.peek());
  }

  private word(what: string): Token {
    const token = this.peek();
    if (token.kind !== "word") this.fail(`expected ${what}, found ${token.kind === "end" ? "the end" : `"${token.text}"`}`, token);
    return this.take();
  }

  private fail(message: string, token: Token): never {
    throw new RuleSyntaxError(message, this.text, token.at);
  }
}
