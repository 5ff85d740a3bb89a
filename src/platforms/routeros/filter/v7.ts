// RouterOS 7 routing filters (/routing/filter/rule): a parser for the rule script and an
// evaluator that runs one route through a chain, explaining each step. Pure: no I/O.
// The route state, verdict and chain helpers at the top are shared with the v6 evaluator.
import type { DecidingRule, FilterChanges, FilterRoute, FilterVerdict } from "../../../core/policy.js";
import {
  asPathText,
  compileAsPath,
  inRange,
  isIPv6Text,
  parseRange,
  prefixInside,
  prefixLengthOf,
  samePrefix,
  toIPv4Prefix,
  type NumberRange,
} from "./prefix.js";

// ---------------------------------------------------------------------------------------
// Route state and verdicts (shared with v6)

/** Numeric properties a rule can compare; the writable ones can also be `set`. */
export type NumericProperty = "dst-len" | "bgp-path-len" | "bgp-local-pref" | "bgp-med" | "distance" | "bgp-path-prepend";
export type WritableProperty = "bgp-local-pref" | "bgp-med" | "distance" | "bgp-path-prepend";

const CHANGE_OF: Record<WritableProperty, keyof FilterChanges> = {
  "bgp-local-pref": "localPref",
  "bgp-med": "med",
  distance: "distance",
  "bgp-path-prepend": "prepend",
};

/** The route part-way through a chain: what it arrived with plus what rules have set so far. */
export interface RouteState {
  readonly route: FilterRoute;
  changes: FilterChanges;
}

/** Current value of a property; undefined when the route does not carry it (e.g. local-pref of a static route). */
export function readNumeric(state: RouteState, property: NumericProperty): number | undefined {
  const { route, changes } = state;
  switch (property) {
    case "dst-len":
      return prefixLengthOf(route.dst) ?? undefined;
    case "bgp-path-len":
      return route.bgp?.asPath.length;
    case "bgp-local-pref":
      return changes.localPref ?? route.bgp?.localPref;
    case "bgp-med":
      return changes.med ?? route.bgp?.med;
    case "distance":
      return changes.distance ?? route.distance;
    case "bgp-path-prepend":
      return changes.prepend;
  }
}

export function writeNumeric(state: RouteState, property: WritableProperty, value: number): void {
  state.changes[CHANGE_OF[property]] = value;
}

/** A verdict that also names the chain it started in, and what was broken when the configuration was at fault. */
export interface ChainVerdict extends FilterVerdict {
  chain: string;
  /** Set when the route was rejected because the filter itself is broken (jump loop, unknown chain, bad rule). */
  problem?: string;
}

/** How a statement, rule or chain ended. */
export type Flow =
  | { kind: "continue" }
  | { kind: "return" }
  | { kind: "decided"; action: "accept" | "reject"; by: DecidingRule; problem?: string };

export const CONTINUE: Flow = { kind: "continue" };

/** Nested jumps allowed before a chain is declared a loop. */
export const MAX_JUMP_DEPTH = 32;

export interface PlacedRule<R> {
  rule: R;
  /** Position within its chain, disabled rules counted, as the router numbers them. */
  index: number;
}

export function rulesOfChain<R extends { chain: string }>(rules: readonly R[], chain: string): PlacedRule<R>[] {
  return rules.filter((rule) => rule.chain === chain).map((rule, index) => ({ rule, index }));
}

export function chainExists(rules: readonly { chain: string }[], chain: string): boolean {
  return rules.some((rule) => rule.chain === chain);
}

/** The API says "true"/"false", exports say "yes"/"no", callers may pass booleans. */
export function isYes(value: unknown): boolean {
  return value === true || value === "yes" || value === "true";
}

export function where(chain: string, index: number): string {
  return `${chain} #${index}`;
}

export function jumpLoopProblem(callers: readonly string[], target: string): string {
  // The innermost repetition is the loop itself; everything before it is the way in.
  const last = callers.lastIndexOf(target);
  const cycle = [...(last >= 0 ? callers.slice(last) : callers), target];
  return `jump loop ${cycle.join(" → ")} (more than ${MAX_JUMP_DEPTH} nested jumps)`;
}

export function finishVerdict(chain: string, flow: Flow, state: RouteState, trace: string[]): ChainVerdict | null {
  if (flow.kind !== "decided") return null;
  const verdict: ChainVerdict = {
    action: flow.action,
    decidedBy: flow.by,
    // A rejected route goes nowhere, so nothing the chain set on it takes effect.
    changes: flow.action === "accept" ? { ...state.changes } : {},
    trace,
    chain,
  };
  if (flow.problem !== undefined) verdict.problem = flow.problem;
  return verdict;
}

/** One line, e.g. "accepted by alice-remi-in-isp1 #2 (local-pref 200)". */
export function describeVerdict(verdict: FilterVerdict & { chain?: string; problem?: string }): string {
  const outcome = verdict.action === "accept" ? "accepted" : "rejected";
  const place = verdict.decidedBy
    ? `by ${where(verdict.decidedBy.chain, verdict.decidedBy.index)}`
    : `at end of chain${verdict.chain === undefined ? "" : ` ${verdict.chain}`}`;
  const details = [...(verdict.problem === undefined ? [] : [verdict.problem]), ...describeChanges(verdict.changes)];
  return details.length > 0 ? `${outcome} ${place} (${details.join(", ")})` : `${outcome} ${place}`;
}

function describeChanges(changes: FilterChanges): string[] {
  const parts: string[] = [];
  if (changes.localPref !== undefined) parts.push(`local-pref ${changes.localPref}`);
  if (changes.prepend !== undefined) parts.push(`prepend ${changes.prepend}`);
  if (changes.med !== undefined) parts.push(`med ${changes.med}`);
  if (changes.distance !== undefined) parts.push(`distance ${changes.distance}`);
  return parts;
}

// ---------------------------------------------------------------------------------------
// Syntax tree

/** A `/routing/filter/rule` item as the router lists it. */
export interface V7FilterRule {
  chain: string;
  rule: string;
  disabled?: boolean | "yes" | "no" | "true" | "false";
  comment?: string;
}

export interface RuleAst {
  statements: Statement[];
}

export interface Block {
  statements: Statement[];
  /** The block's source, tidied, for traces. */
  text: string;
}

export type Comparison = "in" | "==" | "!=" | "<" | ">" | "<=" | ">=";

export type Statement =
  | { kind: "if"; condition: Condition; conditionText: string; then: Block; otherwise?: Block; text: string }
  | { kind: "accept" | "reject" | "return"; text: string }
  | { kind: "jump"; chain: string; text: string }
  | { kind: "set"; property: WritableProperty; value: number; relative: boolean; text: string }
  | { kind: "unset"; property: WritableProperty; text: string }
  /** Valid RouterOS that bgpals does not model (communities, gateways...): ignored, noted in the trace. */
  | { kind: "unmodelled"; text: string };

export type Condition =
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; operand: Condition }
  | { kind: "prefix"; property: "dst" | "gw"; operator: "in" | "==" | "!="; prefix: string; text: string }
  | { kind: "number"; property: NumericProperty; operator: Comparison; range: NumberRange; text: string }
  | { kind: "list"; property: "protocol" | "afi"; values: string[]; text: string }
  | { kind: "as-path"; pattern: RegExp; text: string }
  /** A matcher bgpals cannot evaluate (address lists, communities, flags): evaluates false. */
  | { kind: "unmodelled"; text: string };

const NUMERIC = new Set<string>(["dst-len", "bgp-path-len", "bgp-local-pref", "bgp-med", "distance", "bgp-path-prepend"]);
const WRITABLE = new Set<string>(["bgp-local-pref", "bgp-med", "distance", "bgp-path-prepend"]);
/** Spellings people use for the same property; the router's own names win. */
const ALIASES: Record<string, string> = { "bgp-as-path-len": "bgp-path-len", "bgp-out-med": "bgp-med" };
const COMPARISONS = new Set<string>(["==", "!=", "<", ">", "<=", ">="]);

export class FilterSyntaxError extends Error {
  constructor(
    readonly reason: string,
    /** 1-based column in the rule text. */
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
    this.name = "FilterSyntaxError";
  }
}

// ---------------------------------------------------------------------------------------
// Lexer

interface Token {
  kind: "word" | "string" | "symbol" | "end";
  text: string;
  /** 0-based offsets into the rule text. */
  start: number;
  end: number;
}

const SYMBOLS = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "{", "}", ";"];
const WORD_CHAR = /[A-Za-z0-9_.:/,+-]/;

class Lexer {
  private pos = 0;
  /** End of the last token consumed, to slice source text for traces. */
  lastEnd = 0;

  constructor(readonly source: string) {}

  peek(): Token {
    return this.lexAt(this.skipSpace(this.pos));
  }

  next(): Token {
    return this.consume(this.peek());
  }

  isSymbol(text: string): boolean {
    const token = this.peek();
    return token.kind === "symbol" && token.text === text;
  }

  isWord(text: string): boolean {
    const token = this.peek();
    return token.kind === "word" && token.text === text;
  }

  expectSymbol(text: string, context: string): Token {
    const token = this.peek();
    if (token.kind !== "symbol" || token.text !== text) this.fail(`expected "${text}" ${context}, found ${describe(token)}`, token.start);
    return this.consume(token);
  }

  expectWord(what: string): Token {
    const token = this.peek();
    if (token.kind !== "word" && token.kind !== "string") this.fail(`expected ${what}, found ${describe(token)}`, token.start);
    return this.consume(token);
  }

  /**
   * A value that may contain regex characters, written quoted or not (`bgp-as-path ^64513$`).
   * Unquoted, it runs to whitespace, `&&`, `||`, a brace, `;` or a `)` that closes the condition.
   */
  rawValue(what: string): Token {
    const start = this.skipSpace(this.pos);
    if (this.source[start] === '"') return this.next();
    let end = start;
    for (let depth = 0; end < this.source.length; end++) {
      const c = this.source[end] ?? "";
      const pair = this.source.slice(end, end + 2);
      if (/\s/.test(c) || pair === "&&" || pair === "||" || "{};".includes(c)) break;
      if (c === "(") depth++;
      if (c === ")" && depth-- === 0) break;
    }
    if (end === start) this.fail(`expected ${what}, found ${describe(this.lexAt(start))}`, start);
    return this.consume({ kind: "word", text: this.source.slice(start, end), start, end });
  }

  /** True when the condition being read ends here (`&&`, `||`, `)` or the end of the rule). */
  atMatcherEnd(): boolean {
    const at = this.skipSpace(this.pos);
    const pair = this.source.slice(at, at + 2);
    return at >= this.source.length || pair === "&&" || pair === "||" || this.source[at] === ")";
  }

  slice(start: number, end: number): string {
    return tidy(this.source.slice(start, end));
  }

  fail(reason: string, offset: number): never {
    throw new FilterSyntaxError(reason, offset + 1);
  }

  private consume(token: Token): Token {
    this.pos = token.end;
    this.lastEnd = token.end;
    return token;
  }

  private skipSpace(at: number): number {
    while (at < this.source.length && /\s/.test(this.source[at] ?? "")) at++;
    return at;
  }

  private lexAt(at: number): Token {
    const src = this.source;
    if (at >= src.length) return { kind: "end", text: "", start: at, end: at };
    if (src[at] === '"') return this.lexString(at);
    const symbol = SYMBOLS.find((s) => src.startsWith(s, at));
    if (symbol !== undefined) return { kind: "symbol", text: symbol, start: at, end: at + symbol.length };
    let end = at;
    while (end < src.length && WORD_CHAR.test(src[end] ?? "")) end++;
    if (end > at) return { kind: "word", text: src.slice(at, end), start: at, end };
    const c = src[at] ?? "";
    this.fail(c === "=" ? `unexpected "=": compare with "=="` : `unexpected character "${c}"`, at);
  }

  private lexString(at: number): Token {
    let text = "";
    for (let i = at + 1; i < this.source.length; i++) {
      const c = this.source[i] ?? "";
      if (c === '"') return { kind: "string", text, start: at, end: i + 1 };
      if (c === "\\" && i + 1 < this.source.length) i++;
      text += this.source[i] ?? "";
    }
    this.fail("unterminated string", at);
  }
}

function describe(token: Token): string {
  return token.kind === "end" ? "end of rule" : `"${token.text}"`;
}

/** Collapses whitespace and drops a trailing ";" so traces read like the rule. */
function tidy(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/\s*;$/, "");
}

// ---------------------------------------------------------------------------------------
// Parser

/** Parses one rule's script; throws FilterSyntaxError with the 1-based column of the problem. */
export function parseRule(text: string): RuleAst {
  const lexer = new Lexer(text);
  const statements = parseStatements(lexer, false);
  const rest = lexer.peek();
  if (rest.kind !== "end") lexer.fail(`unexpected ${describe(rest)}`, rest.start);
  return { statements };
}

function parseStatements(lexer: Lexer, inBlock: boolean): Statement[] {
  const statements: Statement[] = [];
  for (;;) {
    const token = lexer.peek();
    if (token.kind === "symbol" && token.text === ";") {
      lexer.next();
      continue;
    }
    if (token.kind === "end" || (inBlock && token.kind === "symbol" && token.text === "}")) return statements;
    statements.push(parseStatement(lexer));
  }
}

function parseStatement(lexer: Lexer): Statement {
  const token = lexer.peek();
  if (token.kind !== "word") lexer.fail(`expected a statement, found ${describe(token)}`, token.start);
  lexer.next();
  const text = () => lexer.slice(token.start, lexer.lastEnd);
  switch (token.text) {
    case "if":
      return parseIf(lexer, token);
    case "accept":
    case "reject":
    case "return":
      return { kind: token.text, text: token.text };
    case "jump":
      return { kind: "jump", chain: lexer.expectWord("a chain name after jump").text, text: text() };
    case "set":
      return parseSet(lexer, token);
    case "unset": {
      const property = canonical(lexer.expectWord("a property after unset").text);
      return WRITABLE.has(property) ? { kind: "unset", property: property as WritableProperty, text: text() } : { kind: "unmodelled", text: text() };
    }
    case "append":
    case "delete":
      lexer.expectWord(`a property after ${token.text}`);
      lexer.rawValue("a value");
      return { kind: "unmodelled", text: text() };
    default:
      return lexer.fail(`unknown statement "${token.text}"`, token.start);
  }
}

function parseIf(lexer: Lexer, keyword: Token): Statement {
  lexer.expectSymbol("(", "after if");
  const conditionStart = lexer.peek().start;
  const condition = parseOr(lexer);
  const conditionText = lexer.slice(conditionStart, lexer.lastEnd);
  lexer.expectSymbol(")", "to close the condition");
  const then = parseBlock(lexer, "after the condition");
  let otherwise: Block | undefined;
  if (lexer.isWord("else")) {
    lexer.next();
    otherwise = lexer.isWord("if") ? parseElseIf(lexer) : parseBlock(lexer, "after else");
  }
  const statement: Statement = { kind: "if", condition, conditionText, then, text: lexer.slice(keyword.start, lexer.lastEnd) };
  if (otherwise !== undefined) statement.otherwise = otherwise;
  return statement;
}

/** `else if (...) {...}` is read as `else { if (...) {...} }`. */
function parseElseIf(lexer: Lexer): Block {
  const keyword = lexer.next();
  const nested = parseIf(lexer, keyword);
  return { statements: [nested], text: nested.text };
}

function parseBlock(lexer: Lexer, context: string): Block {
  const open = lexer.expectSymbol("{", context);
  const statements = parseStatements(lexer, true);
  const close = lexer.expectSymbol("}", "to close the block");
  return { statements, text: lexer.slice(open.end, close.start) };
}

function parseSet(lexer: Lexer, keyword: Token): Statement {
  const property = canonical(lexer.expectWord("a property after set").text);
  if (!WRITABLE.has(property)) {
    lexer.rawValue(`a value for ${property}`);
    return { kind: "unmodelled", text: lexer.slice(keyword.start, lexer.lastEnd) };
  }
  const value = lexer.expectWord(`a number for ${property}`);
  // RouterOS also accepts `set distance +1` / `-1`, relative to the current value.
  const match = /^([+-]?)(\d+)$/.exec(value.text);
  if (match?.[2] === undefined) lexer.fail(`expected a number for ${property}, found "${value.text}"`, value.start);
  const sign = match[1] === "-" ? -1 : 1;
  return {
    kind: "set",
    property: property as WritableProperty,
    value: sign * Number(match[2]),
    relative: match[1] !== "",
    text: lexer.slice(keyword.start, lexer.lastEnd),
  };
}

function canonical(property: string): string {
  return ALIASES[property] ?? property;
}

function parseOr(lexer: Lexer): Condition {
  let left = parseAnd(lexer);
  while (lexer.isSymbol("||")) {
    lexer.next();
    left = { kind: "or", left, right: parseAnd(lexer) };
  }
  return left;
}

function parseAnd(lexer: Lexer): Condition {
  let left = parseUnary(lexer);
  while (lexer.isSymbol("&&")) {
    lexer.next();
    left = { kind: "and", left, right: parseUnary(lexer) };
  }
  return left;
}

function parseUnary(lexer: Lexer): Condition {
  // `not` is the manual's word for `!` (`if (not bgp-network) ...`).
  const next = lexer.peek();
  if (next.kind === "word" && next.text === "not") {
    lexer.next();
    return { kind: "not", operand: parseUnary(lexer) };
  }
  if (lexer.isSymbol("!")) {
    lexer.next();
    return { kind: "not", operand: parseUnary(lexer) };
  }
  if (lexer.isSymbol("(")) {
    lexer.next();
    const inner = parseOr(lexer);
    lexer.expectSymbol(")", "to close the parenthesis");
    return inner;
  }
  return parseMatcher(lexer);
}

function parseMatcher(lexer: Lexer): Condition {
  const token = lexer.peek();
  if (token.kind !== "word") lexer.fail(`expected a condition, found ${describe(token)}`, token.start);
  lexer.next();
  const property = canonical(token.text);
  const text = () => lexer.slice(token.start, lexer.lastEnd);
  if (property === "dst" || property === "gw") return parsePrefixMatcher(lexer, property, text);
  if (NUMERIC.has(property)) return parseNumberMatcher(lexer, property as NumericProperty, text);
  if (property === "protocol" || property === "afi") {
    const values = lexer.expectWord(`a value for ${property}`).text.split(",");
    return { kind: "list", property, values, text: text() };
  }
  if (property === "bgp-as-path") {
    const value = lexer.rawValue("an AS-path expression");
    const pattern = compileAsPath(value.text);
    if (!(pattern instanceof RegExp)) lexer.fail(pattern.problem, value.start);
    return { kind: "as-path", pattern, text: text() };
  }
  // Anything else is a RouterOS matcher bgpals does not model: keep its text, evaluate false.
  while (!lexer.atMatcherEnd()) lexer.rawValue("a value");
  return { kind: "unmodelled", text: text() };
}

function parseOperator(lexer: Lexer, allowed: readonly string[], property: string): Comparison {
  const token = lexer.peek();
  const isOperator = (token.kind === "word" && token.text === "in") || (token.kind === "symbol" && COMPARISONS.has(token.text));
  if (!isOperator || !allowed.includes(token.text)) {
    lexer.fail(`expected ${allowed.join(" or ")} after ${property}, found ${describe(token)}`, token.start);
  }
  lexer.next();
  return token.text as Comparison;
}

function parsePrefixMatcher(lexer: Lexer, property: "dst" | "gw", text: () => string): Condition {
  const operator = parseOperator(lexer, ["in", "==", "!="], property) as "in" | "==" | "!=";
  const value = lexer.expectWord(`a prefix after ${property} ${operator}`);
  if (/^[a-z]/i.test(value.text) && !isIPv6Text(value.text)) {
    return { kind: "unmodelled", text: text() }; // an address list by name
  }
  if (!isIPv6Text(value.text) && toIPv4Prefix(value.text) === null) {
    lexer.fail(`"${value.text}" is not a prefix`, value.start);
  }
  return { kind: "prefix", property, operator, prefix: value.text, text: text() };
}

function parseNumberMatcher(lexer: Lexer, property: NumericProperty, text: () => string): Condition {
  const operator = parseOperator(lexer, ["in", ...COMPARISONS], property);
  const value = lexer.expectWord(`a number after ${property} ${operator}`);
  const range = operator === "in" ? parseRange(value.text) : /^\d+$/.test(value.text) ? parseRange(value.text) : null;
  if (range === null) {
    if (operator === "in" && /^[a-z]/i.test(value.text)) return { kind: "unmodelled", text: text() }; // a num-list by name
    lexer.fail(`expected ${operator === "in" ? "a range like 23-32" : "a number"} after ${property} ${operator}, found "${value.text}"`, value.start);
  }
  return { kind: "number", property, operator, range, text: text() };
}

// ---------------------------------------------------------------------------------------
// Evaluator

interface Run {
  rules: readonly V7FilterRule[];
  state: RouteState;
  trace: string[];
  parsed: Map<string, RuleAst | FilterSyntaxError>;
  /** Chains that jumped and wait for the current one to end. */
  callers: string[];
}

interface Position {
  chain: string;
  index: number;
  rule: V7FilterRule;
}

/**
 * Runs `route` through `chain` as RouterOS 7 would. Never throws: broken configuration
 * (a rule that does not parse, a jump loop, an unknown chain) rejects the route and says why.
 */
export function evaluateChain(rules: readonly V7FilterRule[], chain: string, route: FilterRoute): ChainVerdict {
  const run: Run = { rules, state: { route, changes: {} }, trace: [], parsed: new Map(), callers: [] };
  const flow = runChain(run, chain);
  const decided = finishVerdict(chain, flow, run.state, run.trace);
  if (decided) return decided;
  if (!chainExists(rules, chain)) run.trace.push(`${chain}: no such chain`);
  run.trace.push(`${chain}: end of chain: rejected (RouterOS 7 default)`);
  return { action: "reject", decidedBy: null, changes: {}, trace: run.trace, chain };
}

function runChain(run: Run, chain: string): Flow {
  for (const { rule, index } of rulesOfChain(run.rules, chain)) {
    const at: Position = { chain, index, rule };
    if (isYes(rule.disabled)) {
      run.trace.push(`${where(chain, index)}: disabled, skipped`);
      continue;
    }
    const ast = parsed(run, rule.rule);
    if (ast instanceof FilterSyntaxError) {
      const problem = `rule does not parse: ${ast.message}`;
      run.trace.push(`${where(chain, index)}: ${problem}: ${rule.rule}`);
      return decide(at, "reject", problem);
    }
    const flow = runStatements(run, at, ast.statements, true);
    if (flow.kind !== "continue") return flow;
  }
  return CONTINUE;
}

function parsed(run: Run, text: string): RuleAst | FilterSyntaxError {
  let ast = run.parsed.get(text);
  if (ast === undefined) {
    try {
      ast = parseRule(text);
    } catch (error) {
      if (!(error instanceof FilterSyntaxError)) throw error;
      ast = error;
    }
    run.parsed.set(text, ast);
  }
  return ast;
}

function decide(at: Position, action: "accept" | "reject", problem?: string): Flow {
  const by: DecidingRule = { chain: at.chain, index: at.index, text: at.rule.rule };
  if (at.rule.comment !== undefined && at.rule.comment !== "") by.comment = at.rule.comment;
  return problem === undefined ? { kind: "decided", action, by } : { kind: "decided", action, by, problem };
}

/** `topLevel`: the statement is not inside an if, whose trace line already shows it. */
function runStatements(run: Run, at: Position, statements: readonly Statement[], topLevel: boolean): Flow {
  for (const statement of statements) {
    const flow = runStatement(run, at, statement, topLevel);
    if (flow.kind !== "continue") return flow;
  }
  return CONTINUE;
}

function runStatement(run: Run, at: Position, statement: Statement, topLevel: boolean): Flow {
  const here = where(at.chain, at.index);
  const note = (line: string) => run.trace.push(`${here}: ${line}`);
  switch (statement.kind) {
    case "if":
      return runIf(run, at, statement);
    case "accept":
    case "reject":
      if (topLevel) note(statement.text);
      return decide(at, statement.kind);
    case "return":
      note("return");
      return { kind: "return" };
    case "jump":
      return runJump(run, at, statement.chain);
    case "set":
      runSet(run, statement, note);
      if (topLevel) note(statement.text);
      return CONTINUE;
    case "unset":
      // Forgetting what the chain set leaves the route's own value.
      delete run.state.changes[CHANGE_OF[statement.property]];
      if (topLevel) note(statement.text);
      return CONTINUE;
    case "unmodelled":
      note(`"${statement.text}" is not modelled by bgpals, ignored`);
      return CONTINUE;
  }
}

function runIf(run: Run, at: Position, statement: Extract<Statement, { kind: "if" }>): Flow {
  const notes: string[] = [];
  const holds = test(statement.condition, run.state, notes);
  const branch = holds ? statement.then : statement.otherwise;
  const outcome = holds ? "true" : branch ? "false, else" : "false";
  const shown = branch === undefined ? "" : `: ${branch.text === "" ? "(nothing)" : branch.text}`;
  const here = where(at.chain, at.index);
  run.trace.push(`${here}: if (${statement.conditionText}) → ${outcome}${shown}`);
  for (const line of notes) run.trace.push(`${here}: ${line}`);
  return branch ? runStatements(run, at, branch.statements, false) : CONTINUE;
}

function runSet(run: Run, statement: Extract<Statement, { kind: "set" }>, note: (line: string) => void): void {
  if (!statement.relative) return writeNumeric(run.state, statement.property, statement.value);
  const current = readNumeric(run.state, statement.property);
  if (current === undefined) return void note(`${statement.property} is unknown for this route, "${statement.text}" ignored`);
  writeNumeric(run.state, statement.property, current + statement.value);
}

function runJump(run: Run, at: Position, target: string): Flow {
  run.trace.push(`${where(at.chain, at.index)}: jump ${target}`);
  return followJump(run, at.chain, where(at.chain, at.index), target, (problem) => decide(at, "reject", problem), () => runChain(run, target));
}

/**
 * A jump, the same in both generations: refuse loops and unknown chains, run the target chain,
 * and carry on after the jump when it ends or returns.
 */
export function followJump(
  run: { rules: readonly { chain: string }[]; trace: string[]; callers: string[] },
  chain: string,
  here: string,
  target: string,
  reject: (problem: string) => Flow,
  runTarget: () => Flow,
): Flow {
  const refuse = (problem: string) => {
    run.trace.push(`${here}: ${problem}: rejected`);
    return reject(problem);
  };
  if (run.callers.length >= MAX_JUMP_DEPTH) return refuse(jumpLoopProblem([...run.callers, chain], target));
  if (!chainExists(run.rules, target)) return refuse(target === "" ? "jump without jump-target" : `jump to unknown chain ${target}`);
  run.callers.push(chain);
  const flow = runTarget();
  run.callers.pop();
  if (flow.kind === "decided") return flow;
  run.trace.push(`${here}: back from ${target} (${flow.kind === "return" ? "return" : "end of chain"})`);
  return CONTINUE;
}

/** Evaluates a condition; `notes` collects why a matcher could not be judged. */
function test(condition: Condition, state: RouteState, notes: string[]): boolean {
  switch (condition.kind) {
    case "and":
      return test(condition.left, state, notes) && test(condition.right, state, notes);
    case "or":
      return test(condition.left, state, notes) || test(condition.right, state, notes);
    case "not":
      return !test(condition.operand, state, notes);
    case "prefix":
      return testPrefix(condition, state.route);
    case "number": {
      const value = readNumeric(state, condition.property);
      if (value === undefined) notes.push(`${condition.property} is unknown for this route, so "${condition.text}" is false`);
      return value !== undefined && compare(value, condition.operator, condition.range);
    }
    case "list":
      return condition.values.includes(listValue(condition.property, state.route) ?? "");
    case "as-path":
      return state.route.bgp !== undefined && condition.pattern.test(asPathText(state.route.bgp.asPath));
    case "unmodelled":
      notes.push(`cannot evaluate "${condition.text}", taken as false`);
      return false;
  }
}

function testPrefix(condition: Extract<Condition, { kind: "prefix" }>, route: FilterRoute): boolean {
  const value = condition.property === "dst" ? route.dst : route.gateway;
  if (value === undefined) return false;
  switch (condition.operator) {
    case "in":
      return prefixInside(value, condition.prefix);
    case "==":
      return samePrefix(value, condition.prefix);
    case "!=":
      return !samePrefix(value, condition.prefix);
  }
}

function listValue(property: "protocol" | "afi", route: FilterRoute): string | undefined {
  if (property === "protocol") return route.protocol;
  return isIPv6Text(route.dst) ? "ipv6" : "ipv4";
}

export function compare(value: number, operator: Comparison, range: NumberRange): boolean {
  switch (operator) {
    case "in":
      return inRange(value, range);
    case "==":
      return value === range.min;
    case "!=":
      return value !== range.min;
    case "<":
      return value < range.min;
    case ">":
      return value > range.min;
    case "<=":
      return value <= range.min;
    case ">=":
      return value >= range.min;
  }
}
