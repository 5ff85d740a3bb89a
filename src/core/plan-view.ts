// One plan, several views: grouped lines for the screen and the text output, JSON, and lines to
// read before saying yes. Secrets are masked in all of them. (A platform adds its own script
// form: RouterOS's .rsc.)
import { SECRET_MASK, type Change, type Plan } from "./plan.js";

const BARE = /^[A-Za-z0-9._:/,@+*-]+$/;

/** A value as plans show it: plain words bare, anything else quoted. */
export function quote(value: string): string {
  return value !== "" && BARE.test(value) ? value : JSON.stringify(value);
}

export const CHANGE_SIGN = { add: "+", set: "~", remove: "-", move: "^" } as const;

export function maskedAttrs(change: Change): Record<string, string> {
  return Object.fromEntries(Object.entries(change.attrs).map(([k, v]) => [k, change.secret?.includes(k) ? SECRET_MASK : v]));
}

/** Cleared attributes as the RouterOS console writes them: `!set-bgp-prepend`. */
export function unsetWords(change: Change): string[] {
  return (change.unset ?? []).map((k) => `!${k}`);
}

/** Where an item goes in a list whose order matters. */
export function placeWords(change: Change): string[] {
  if (change.op === "move") return [change.placeBefore === undefined ? "to the end" : `before ${change.placeBefore}`];
  if (change.op === "add" && change.placeBefore !== undefined) return [`place-before=${change.placeBefore}`];
  return [];
}

export interface PlanLine {
  sign: (typeof CHANGE_SIGN)[Change["op"]];
  /** The attributes (without the ownership comment), or the id for a remove. */
  text: string;
  reason: string;
  role: string;
  /** The text is the change said for people (Change.summary): a screen wraps it rather than cut it. */
  whole: boolean;
}

export interface PlanGroup {
  /** The menu (RouterOS), or what the platform lists the changes under (Change.heading). */
  heading: string;
  lines: PlanLine[];
}

/** Changes grouped by menu (or heading), in the order they will be applied. */
export function planGroups(plan: Plan): PlanGroup[] {
  const groups: PlanGroup[] = [];
  for (const c of plan.changes) {
    let group = groups[groups.length - 1];
    const heading = c.heading ?? c.path;
    if (group?.heading !== heading) {
      group = { heading, lines: [] };
      groups.push(group);
    }
    const attrs = [...Object.entries(maskedAttrs(c)).filter(([k]) => k !== "comment").map(([k, v]) => `${k}=${quote(v)}`), ...unsetWords(c), ...placeWords(c)].join(" ");
    const text = c.summary ?? (c.op === "add" ? attrs : `${c.id ?? ""} ${attrs}`.trim());
    group.lines.push({ sign: CHANGE_SIGN[c.op], text, reason: c.reason, role: c.role, whole: c.summary !== undefined });
  }
  return groups;
}

export function planCounts(plan: Plan): Record<Change["op"], number> {
  const counts = { add: 0, set: 0, remove: 0, move: 0 };
  for (const c of plan.changes) counts[c.op]++;
  return counts;
}

export function planJson(plan: Plan): Record<string, unknown> {
  return {
    changes: plan.changes.map((c) => ({ op: c.op, path: c.path, ...(c.id ? { id: c.id } : {}), attrs: maskedAttrs(c), ...(c.unset ? { unset: c.unset } : {}), ...(c.placeBefore ? { placeBefore: c.placeBefore } : {}), reason: c.reason, role: c.role })),
    conflicts: plan.conflicts,
  };
}

export function planText(plan: Plan, title: string): string {
  if (plan.changes.length === 0 && plan.conflicts.length === 0) return `${title}: nothing to change\n`;
  const lines = [`${title}: ${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"}`];
  for (const group of planGroups(plan)) {
    lines.push(group.heading);
    for (const line of group.lines) lines.push(`  ${line.sign} ${line.text}`, `      ${line.reason}`);
  }
  for (const conflict of plan.conflicts) lines.push(`! ${conflict.message}`);
  if (plan.changes.some((c) => c.summary !== undefined)) lines.push("(--json shows every change whole: each file's contents, secrets masked)");
  return `${lines.join("\n")}\n`;
}

/** A plan as lines to read before saying yes: each change, its attributes, what it clears. */
export function changeLines(plan: Plan, label: string, { compact = false } = {}): string[] {
  if (plan.changes.length === 0) return [`changes on ${label}: none, the router already prefers this link`];
  const lines = [`changes on ${label}: ${plan.changes.length}`];
  for (const c of plan.changes) {
    if (c.summary !== undefined) {
      lines.push(compact ? `  ${CHANGE_SIGN[c.op]} ${c.role}: ${c.summary}` : `  ${CHANGE_SIGN[c.op]} ${c.path} ${c.role}`, ...(compact ? [] : [`      ${c.summary}`]));
      continue;
    }
    if (compact) {
      // One line each, for a screen: the role and what changes.
      const words = [...Object.entries(maskedAttrs(c)).filter(([k]) => k !== "comment").map(([k, v]) => `${k}=${v}`), ...unsetWords(c), ...placeWords(c)];
      lines.push(`  ${CHANGE_SIGN[c.op]} ${c.role}: ${words.join(" ")}`);
      continue;
    }
    lines.push(`  ${CHANGE_SIGN[c.op]} ${c.path} ${c.role}`);
    for (const [k, v] of Object.entries(maskedAttrs(c))) if (k !== "comment") lines.push(`      ${k}=${c.secret?.includes(k) ? v : quote(v)}`);
    // RouterOS console notation for a cleared attribute.
    for (const k of c.unset ?? []) lines.push(`      !${k}  (was ${c.before?.[k] ?? "?"})`);
    for (const words of placeWords(c)) lines.push(`      ${words}`);
  }
  return lines;
}
