// Query words of `print` (`?name=x`, `?-name`, `?#|!` ...), evaluated as the MikroTik API manual
// describes: a stack of booleans that starts as infinitely many `true`; each word pushes or
// combines values; an item matches when no `false` is left on the stack.
import { TrapError, TrapCategory } from "../protocol/traps.js";

export type RowValues = readonly (string | undefined)[];
export type RowPredicate = (values: RowValues) => boolean;

/**
 * Evaluation state: explicit values on top of an endless run of `floor`. A typed array and a top
 * index, not a JS array: a query runs once per item, a million times for a full routing table.
 */
interface Stack {
  values: Uint8Array;
  top: number;
  floor: boolean;
}

type Step = (values: RowValues, stack: Stack) => void;

const push = (stack: Stack, value: boolean): void => {
  stack.values[stack.top++] = value ? 1 : 0;
};

const pop = (stack: Stack): boolean => (stack.top > 0 ? stack.values[--stack.top] === 1 : stack.floor);

// Both operands are popped before combining: no short circuit may skip a pop.
const both = (a: boolean, b: boolean): boolean => a && b;
const either = (a: boolean, b: boolean): boolean => a || b;

const at = (stack: Stack, index: number): boolean => {
  const i = stack.top - 1 - index;
  return i >= 0 ? stack.values[i] === 1 : stack.floor;
};

/**
 * Compiles query words (without their leading `?`) against a menu's columns; `columnOf` maps an
 * attribute name to its column, or -1 when no item can have it. Malformed words trap.
 */
export function compileQuery(words: readonly string[], columnOf: (name: string) => number): RowPredicate | null {
  if (words.length === 0) return null;
  const steps = words.map((word) => compileWord(word, columnOf));
  // Each word pushes at most one value per operation it holds.
  const depth = words.reduce((sum, word) => sum + word.length, 0) + 1;
  const stack: Stack = { values: new Uint8Array(depth), top: 0, floor: true };
  const count = steps.length;
  return (values) => {
    stack.top = 0;
    stack.floor = true;
    for (let i = 0; i < count; i++) steps[i]!(values, stack);
    if (!stack.floor) return false;
    for (let i = 0; i < stack.top; i++) if (stack.values[i] === 0) return false;
    return true;
  };
}

/** A column found on first use: items may gain the attribute after the query was compiled (listen). */
function columnRef(name: string, columnOf: (name: string) => number): () => number {
  let column = columnOf(name);
  return () => (column >= 0 ? column : (column = columnOf(name)));
}

function compileWord(word: string, columnOf: (name: string) => number): Step {
  const first = word[0];
  if (first === "#") return compileOperations(word.slice(1));
  if (first === "-") {
    const column = columnRef(word.slice(1), columnOf);
    return (values, stack) => {
      const at = column();
      push(stack, at < 0 || values[at] === undefined);
    };
  }
  if (first === "<" || first === ">") {
    const [name, operand] = splitAssignment(word.slice(1), word);
    const column = columnRef(name, columnOf);
    const wanted = first === "<" ? -1 : 1;
    return (values, stack) => {
      const at = column();
      const value = at < 0 ? undefined : values[at];
      push(stack, value !== undefined && Math.sign(compareValues(value, operand)) === wanted);
    };
  }
  const body = first === "=" ? word.slice(1) : word;
  if (!body.includes("=")) {
    const column = columnRef(body, columnOf);
    return (values, stack) => {
      const at = column();
      push(stack, at >= 0 && values[at] !== undefined);
    };
  }
  const [name, operand] = splitAssignment(body, word);
  const column = columnRef(name, columnOf);
  return (values, stack) => {
    const at = column();
    push(stack, at >= 0 && values[at] === operand);
  };
}

function splitAssignment(text: string, word: string): [string, string] {
  const split = text.indexOf("=");
  if (split <= 0) throw new TrapError(`invalid query word ?${word}`, TrapCategory.api);
  return [text.slice(0, split), text.slice(split + 1)];
}

/** A `?#` word's operations in order: a stack index (`last`: it ends the word) or an operator. */
type Operation = { index: number; last: boolean } | { operator: "!" | "&" | "|" | "." };

function operationsOf(operations: string): Operation[] {
  const found: Operation[] = [];
  let i = 0;
  while (i < operations.length) {
    const c = operations[i]!;
    if (c >= "0" && c <= "9") {
      let j = i;
      while (j < operations.length && operations[j]! >= "0" && operations[j]! <= "9") j++;
      found.push({ index: Number(operations.slice(i, j)), last: j === operations.length });
      if (operations[j] === ".") j++; // "." right after an index does nothing
      i = j;
      continue;
    }
    if (c !== "!" && c !== "&" && c !== "|" && c !== ".") throw new TrapError(`invalid query operation ${c}`, TrapCategory.api);
    found.push({ operator: c });
    i++;
  }
  return found;
}

function compileOperations(operations: string): Step {
  const steps: Step[] = [];
  for (const op of operationsOf(operations)) {
    if ("index" in op) {
      const { index } = op;
      steps.push(
        op.last
          ? // An index ending the word replaces the whole stack with that value.
            (_, stack) => {
              stack.floor = at(stack, index);
              stack.top = 0;
            }
          : (_, stack) => push(stack, at(stack, index)),
      );
    } else if (op.operator === "!") steps.push((_, stack) => push(stack, !pop(stack)));
    else if (op.operator === "&") steps.push((_, stack) => push(stack, both(pop(stack), pop(stack))));
    else if (op.operator === "|") steps.push((_, stack) => push(stack, either(pop(stack), pop(stack))));
    else steps.push((_, stack) => push(stack, at(stack, 0)));
  }
  return (values, stack) => {
    for (const step of steps) step(values, stack);
  };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Numbers compare as numbers, everything else as byte strings. */
export function compareValues(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index key of items that lack the attribute (`?-name`): no value the API carries. */
export const ABSENT = "\u0000absent";

/** What a value on the stack, when true, says of one attribute: it is one of these; null says nothing. */
type Need = ReadonlySet<string> | null;

const needBoth = (a: Need, b: Need): Need => (a === null ? b : b === null ? a : new Set([...a].filter((value) => b.has(value))));
const needEither = (a: Need, b: Need): Need => (a === null || b === null ? null : new Set([...a, ...b]));

/**
 * The values `name` must have in any item the query words match (`?dst-address=a ?dst-address=b
 * ?#|`: a or b), or null when the query does not pin it down. Run over the words as compileQuery
 * evaluates them, on what each value being true implies; a negation implies nothing. Lets a menu
 * that indexes `name` look at those items only. The words must have compiled.
 */
export function necessaryValues(words: readonly string[], name: string): ReadonlySet<string> | null {
  const stack: Need[] = [];
  let floor: Need = null;
  const pop = (): Need => (stack.length > 0 ? stack.pop()! : floor);
  const at = (index: number): Need => {
    const i = stack.length - 1 - index;
    return i >= 0 ? stack[i]! : floor;
  };
  for (const word of words) {
    const first = word[0];
    if (first === "#") {
      for (const op of operationsOf(word.slice(1))) {
        if ("index" in op) {
          const value = at(op.index);
          if (op.last) {
            floor = value;
            stack.length = 0;
          } else {
            stack.push(value);
          }
        } else if (op.operator === "!") {
          pop();
          stack.push(null);
        } else if (op.operator === "&") stack.push(needBoth(pop(), pop()));
        else if (op.operator === "|") stack.push(needEither(pop(), pop()));
        else stack.push(at(0));
      }
      continue;
    }
    if (first === "-") {
      // `?-name`: the item lacks it, which the index keeps under ABSENT.
      stack.push(word.slice(1) === name ? new Set([ABSENT]) : null);
      continue;
    }
    if (first === "<" || first === ">") {
      stack.push(null);
      continue;
    }
    const body = first === "=" ? word.slice(1) : word;
    const split = body.indexOf("=");
    stack.push(split > 0 && body.slice(0, split) === name ? new Set([body.slice(split + 1)]) : null);
  }
  let need = floor;
  for (const value of stack) need = needBoth(need, value);
  return need;
}
