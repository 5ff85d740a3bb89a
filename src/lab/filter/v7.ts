// Runs a route through a RouterOS 7 filter chain (`/routing/filter/rule`), as the lab reads the
// manual page "Route Selection and Filters":
// - rules of a chain run in order; a disabled rule is skipped;
// - accept and reject decide and stop; `jump <chain>` runs that chain, and `return` (or running out
//   of its rules, see below) comes back to the statement after the jump;
// - "The default action of the routing filter chain is reject": a route that leaves the chain the
//   connection names without being accepted is rejected.
// Where the manual is silent the lab chooses, and says so next to the choice.
import { prefixWithin, readPrefix, samePrefix, type Prefix } from "../ipv4.js";
import { MAX_JUMPS, dstPrefix, notIPv4, type FilterRoute, type Settable, type Verdict } from "./route.js";
import { RuleSyntaxError, readRule, type Comparison, type Condition, type Operand, type Statement } from "./v7-rule.js";

/** A `/routing/filter/rule` item as the API prints it. */
export type V7Rule = Readonly<Record<string, string | undefined>>;

export interface V7Context {
  /** The addresses of a firewall address list, for `dst in <list>`; undefined when there is no such list. */
  addressList?: (name: string) => readonly string[] | undefined;
}

/** The writable numeric properties the lab carries, by their RouterOS 7 names. */
const SETTABLE: Readonly<Record<string, Settable>> = {
  "bgp-local-pref": "localPref",
  "bgp-med": "med",
  distance: "distance",
  "bgp-path-prepend": "prepend",
};

/** Numeric properties the lab's routes may carry. */
const NUMERIC = new Set(["dst-len", "bgp-path-len", ...Object.keys(SETTABLE)]);

type Flow = { kind: "continue" } | { kind: "return" } | { kind: "decided"; accepted: boolean; by: string };
const CONTINUE: Flow = { kind: "continue" };

/** Judges `route` by `chain` among `rules` (every rule of the router, in order). */
export function judgeV7(rules: readonly V7Rule[], chain: string, route: FilterRoute, context: V7Context = {}): Verdict {
  return compileV7(rules, context).judge(chain, route);
}

/** A router's rules read once, to judge many routes (the dataplane judges every route it moves). */
export interface V7Judge {
  judge(chain: string, route: FilterRoute): Verdict;
}

/** One enabled rule of a chain, read, with the label verdicts name it by. */
interface ReadRule {
  readonly statements: Statement[] | RuleSyntaxError;
  readonly label: string;
}

/** Reads `rules` once: chains and their enabled rules, each rule's statements, address lists on first use. */
export function compileV7(rules: readonly V7Rule[], context: V7Context = {}): V7Judge {
  const chains = new Map<string, ReadRule[]>();
  for (const rule of rules) {
    if (isYes(rule.disabled) || rule.chain === undefined) continue;
    const list = chains.get(rule.chain) ?? [];
    const text = rule.rule ?? "";
    list.push({ statements: statementsOf(text), label: `${rule.chain} #${list.length}: ${text}` });
    chains.set(rule.chain, list);
  }
  const lists = new Map<string, readonly (Prefix | null)[] | undefined>();
  const compiled: Compiled = {
    chains,
    addressList: (name) => {
      if (!lists.has(name)) lists.set(name, context.addressList?.(name)?.map(readPrefix));
      return lists.get(name);
    },
  };
  return {
    judge(chain, route) {
      const unjudged = notIPv4(route);
      if (unjudged !== null) return unjudged;
      const run = new Run(compiled, { ...route });
      const flow = run.chain(chain, 0);
      if (flow.kind === "decided") return { accepted: flow.accepted, route: run.route, by: flow.by, notes: run.notes };
      return { accepted: false, route: run.route, by: `end of chain ${chain} (RouterOS 7 rejects)`, notes: run.notes };
    },
  };
}

interface Compiled {
  readonly chains: ReadonlyMap<string, readonly ReadRule[]>;
  readonly addressList: (name: string) => readonly (Prefix | null)[] | undefined;
}

const readCache = new Map<string, Statement[] | RuleSyntaxError>();

/** A rule's statements, read once per distinct text (the dataplane judges every route every tick). */
function statementsOf(text: string): Statement[] | RuleSyntaxError {
  let read = readCache.get(text);
  if (read === undefined) {
    try {
      read = readRule(text);
    } catch (error) {
      if (!(error instanceof RuleSyntaxError)) throw error;
      read = error;
    }
    if (readCache.size > 10_000) readCache.clear();
    readCache.set(text, read);
  }
  return read;
}

const prefixCache = new Map<string, Prefix | null>();

/** An operand read as a prefix once per distinct text. */
function operandPrefix(text: string): Prefix | null {
  let prefix = prefixCache.get(text);
  if (prefix === undefined) {
    prefix = readPrefix(text);
    if (prefixCache.size > 10_000) prefixCache.clear();
    prefixCache.set(text, prefix);
  }
  return prefix;
}

const isYes = (value: string | undefined) => value === "true" || value === "yes";

class Run {
  readonly notes: string[] = [];

  #dst: Prefix | null = null;

  constructor(
    private readonly compiled: Compiled,
    readonly route: FilterRoute,
  ) {}

  chain(name: string, depth: number): Flow {
    const rules = this.compiled.chains.get(name) ?? [];
    if (rules.length === 0 && depth > 0) this.notes.push(`chain ${name} has no rules`);
    for (const { statements, label } of rules) {
      if (statements instanceof RuleSyntaxError) {
        // RouterOS would not hold a rule it cannot read; the lab skips it and says so.
        this.notes.push(`skipped unreadable rule ${label}: ${statements.message}`);
        continue;
      }
      const flow = this.statements(statements, label, depth);
      if (flow.kind !== "continue") return flow;
    }
    return CONTINUE;
  }

  private statements(statements: readonly Statement[], label: string, depth: number): Flow {
    for (const statement of statements) {
      const flow = this.statement(statement, label, depth);
      if (flow.kind !== "continue") return flow;
    }
    return CONTINUE;
  }

  private statement(statement: Statement, label: string, depth: number): Flow {
    switch (statement.kind) {
      case "if":
        return this.statements(this.holds(statement.condition) ? statement.then : statement.else, label, depth);
      case "accept":
      case "reject":
        return { kind: "decided", accepted: statement.kind === "accept", by: label };
      case "return":
        return { kind: "return" };
      case "jump": {
        if (depth >= MAX_JUMPS) {
          this.notes.push(`jump loop through ${statement.chain}`);
          return { kind: "decided", accepted: false, by: `${label} (jump loop)` };
        }
        // The manual does not say what the end of a jumped-to chain does. The lab treats it like
        // `return` (as firewall chains do, and as guides that jump to a shared "sanitize" chain and
        // carry on in the caller expect); only the chain a connection names rejects at its end.
        const flow = this.chain(statement.chain, depth + 1);
        return flow.kind === "decided" ? flow : CONTINUE;
      }
      case "set":
        this.set(statement.property, statement.value);
        return CONTINUE;
      case "unset": {
        const field = SETTABLE[statement.property];
        if (field !== undefined) delete this.route[field];
        return CONTINUE;
      }
      case "other":
        return CONTINUE;
    }
  }

  private set(property: string, value: string): void {
    const field = SETTABLE[property];
    // Communities, gateways, comments ...: valid, but not carried by lab routes.
    if (field === undefined) return;
    const sign = value.startsWith("+") ? "+" : value.startsWith("-") ? "-" : "";
    const rest = value.slice(sign.length);
    const amount = /^\d+$/.test(rest) ? Number(rest) : this.numeric(rest);
    if (amount === undefined) {
      this.notes.push(`cannot set ${property} from ${value}`);
      return;
    }
    // "+N"/"-N" move the current value; the manual does not say from what an unset value moves:
    // the lab counts from 0.
    const current = this.route[field] ?? 0;
    this.route[field] = sign === "+" ? current + amount : sign === "-" ? current - amount : amount;
  }

  /** A numeric property of the route, or undefined when the route does not carry it. */
  private numeric(property: string): number | undefined {
    switch (property) {
      case "dst-len":
        return (this.#dst ??= dstPrefix(this.route)).length;
      case "bgp-path-len":
        return this.route.asPath?.length;
      default: {
        const field = SETTABLE[property];
        return field === undefined ? undefined : this.route[field];
      }
    }
  }

  private holds(condition: Condition): boolean {
    switch (condition.kind) {
      case "and":
        return this.holds(condition.left) && this.holds(condition.right);
      case "or":
        return this.holds(condition.left) || this.holds(condition.right);
      case "not":
        return !this.holds(condition.operand);
      case "compare":
        return condition.property === "dst" ? this.dstMatches(condition.operator, condition.operand) : this.compare(condition.property, condition.operator, condition.operand);
      case "words":
        return this.wordsMatch(condition.property, condition.words);
      case "flag":
        if (condition.property === "bgp-network") return this.route.bgpNetwork === true;
        return this.unmodelled(condition.property);
    }
  }

  private dstMatches(operator: Comparison, operand: Operand): boolean {
    // The route's prefix does not change in a chain: read once.
    const dst = (this.#dst ??= dstPrefix(this.route));
    const prefix = operand.kind === "word" ? operandPrefix(operand.text) : null;
    if (prefix === null) {
      const list = operator === "in" ? this.compiled.addressList(operand.text) : undefined;
      if (list !== undefined) {
        // "it will match only the exact prefix", and (the info box) a /32 inside any listed range.
        return list.some((entry) => entry !== null && (samePrefix(entry, dst) || (dst.length === 32 && prefixWithin(dst, entry))));
      }
      this.notes.push(`dst ${operator} ${operand.text}: not a prefix or known address list`);
      return false;
    }
    switch (operator) {
      // "returns true if the prefix is the subnet of the provided network": the lab counts the
      // network itself in, as the manual's own "dst in 192.168.0.0/16 && dst-len in 16-32" needs.
      case "in":
        return prefixWithin(dst, prefix);
      case "==":
        return samePrefix(dst, prefix);
      case "!=":
        return !samePrefix(dst, prefix);
      default:
        this.notes.push(`dst takes in, == or !=, not ${operator}`);
        return false;
    }
  }

  private compare(property: string, operator: Comparison, operand: Operand): boolean {
    const value = this.numeric(property);
    // A route without the attribute (no local-pref on a connected route) matches nothing.
    if (value === undefined) return NUMERIC.has(property) ? false : this.unmodelled(property);
    if (operator === "in") {
      // The reader let only ranges through.
      const [low, high] = readRange(operand.text);
      return value >= low && value <= high;
    }
    const other = /^\d+$/.test(operand.text) ? Number(operand.text) : this.numeric(operand.text);
    if (other === undefined) return false;
    switch (operator) {
      case "==":
        return value === other;
      case "!=":
        return value !== other;
      case "<":
        return value < other;
      case ">":
        return value > other;
      case "<=":
        return value <= other;
      case ">=":
        return value >= other;
    }
  }

  private wordsMatch(property: string, words: readonly string[]): boolean {
    const [value] = words;
    if (property === "protocol" && value !== undefined) return value.split(",").includes(this.route.protocol);
    // Lab routes are IPv4 unicast.
    if (property === "afi" && value !== undefined) return value.split(",").includes("ipv4");
    return this.unmodelled(property);
  }

  /** A property the lab's routes do not carry (OSPF, communities, RPKI ...) matches nothing. */
  private unmodelled(property: string): boolean {
    this.notes.push(`${property} is not modelled: the matcher is false`);
    return false;
  }
}

/** "23-32", "23..32" (from `{23..32}`), or one number "24". */
function readRange(text: string): [number, number] {
  const [low, high = low] = text.split(/-|\.\./).map(Number);
  return [low!, high!];
}
