// Plan review: the exact changes on the router (+ add, ~ set, - remove), grouped by menu (a Linux
// host's by what they change: files, routes and rules, nftables, BIRD, ...), each with its reason;
// scrolls; exports the same plan as the platform's script (RouterOS: .rsc), or as the text shown
// where the platform has none (a Linux host); apply asks nothing more.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Box, Text } from "ink";
import { useMemo, useState } from "react";
import type { Plan } from "../../core/plan.js";
import { UserError } from "../../errors.js";
import type { Platform } from "../../platforms/platform.js";
import { planCounts, planGroups, type PlanLine } from "../../core/plan-view.js";
import { linesOf, Prose } from "../components/WizardFrame.js";
import { wrapText } from "./wrap.js";
import { useCommands } from "../hooks/use-commands.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { useServices } from "../services.js";
import { scrollKeys } from "../screens/scroll.js";
import { useTheme } from "../theme.js";

/** `wraps`: said for people whole (a Linux host's "ip route replace ..."): wrapped on a narrow screen, never cut. */
type Row = { kind: "menu"; text: string } | { kind: "change"; sign: PlanLine["sign"]; text: string; wraps?: boolean } | { kind: "reason"; text: string; wraps?: boolean };
/** A screen line: a row, or the rest of a wrapped change. */
type ScreenLine = Row | { kind: "more"; text: string };

export function planRows(plan: Plan): Row[] {
  // Under its menu (RouterOS), or what the platform lists it under (a Linux host's "files", "BIRD").
  return planGroups(plan).flatMap((group): Row[] => [
    { kind: "menu" as const, text: group.heading },
    ...group.lines.flatMap((line): Row[] => [
      { kind: "change", sign: line.sign, text: readableChange(line), ...(line.whole ? { wraps: true } : {}) },
      { kind: "reason", text: line.reason, ...(line.whole ? { wraps: true } : {}) },
    ]),
  ]);
}

/** The rows as the screen's lines at `columns`: a change said whole wraps under itself (indent 4), its reason under the reason (indent 6). */
export function screenLines(rows: readonly Row[], columns: number): ScreenLine[] {
  return rows.flatMap((row): ScreenLine[] => {
    if (row.kind === "change" && row.wraps) {
      const [first = "", ...rest] = wrapText(row.text, Math.max(10, columns - 5));
      return [{ ...row, text: first }, ...rest.map((text) => ({ kind: "more" as const, text }))];
    }
    if (row.kind === "reason" && row.wraps) return wrapText(row.text, Math.max(10, columns - 7)).map((text) => ({ kind: "reason" as const, text }));
    return [row];
  });
}

/**
 * A change that names only the router's id (a removal: `*1`) says which of the peering's objects
 * it is, by its ownership role, with the id after it.
 */
export function readableChange(line: PlanLine): string {
  return /^\*[0-9A-Fa-f]+$/.test(line.text) && line.role ? `${line.role} (${line.text})` : line.text;
}

const SIGN_TONE = { "+": "good", "~": "changed", "-": "bad", "^": "pending" } as const;

/** The plan as the review shows it, for a file. */
export function planText(plan: Plan): string {
  const line = (row: Row) => (row.kind === "menu" ? row.text : row.kind === "change" ? `  ${row.sign} ${row.text}` : `      ${row.text}`);
  return `${planRows(plan).map(line).join("\n")}\n`;
}

export interface PlanReviewProps {
  plan: Plan;
  /** The platform of the router the plan is for: its script. */
  platform: Platform;
  peering: string;
  side: string;
  router: string;
  rows: number;
  focused: boolean;
  onApply: () => void;
  onBack: () => void;
  onHelp: () => void;
}

export function PlanReview({ plan, platform, peering, side, router, rows, focused, onApply, onBack, onHelp }: PlanReviewProps) {
  const services = useServices();
  const theme = useTheme();
  const all = useMemo(() => planRows(plan), [plan]);
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const { columns } = useTerminalSize();
  const lines = useMemo(() => screenLines(all, columns), [all, columns]);
  // The counts line, the two "more" markers and the note stay; the changes get the rest. The note
  // wraps: a file's path cut short would not say where the plan went.
  const room = Math.max(1, rows - 3 - (note === null ? 1 : linesOf(note, columns)));
  const maxOffset = Math.max(0, lines.length - room);
  useCommands(
    "plan",
    {
      apply: onApply,
      exportScript: () => {
        mkdirSync(services.outputDir, { recursive: true });
        let script: { extension: string; text: string };
        try {
          script = platform.planScript(plan, peering);
        } catch (e) {
          // A platform without a script of its own (a Linux host): the plan as shown.
          if (!(e instanceof UserError)) throw e;
          script = { extension: "txt", text: planText(plan) };
        }
        const file = join(services.outputDir, `${peering}-${side}.${script.extension}`);
        writeFileSync(file, script.text);
        setNote(`saved the plan as ${file}`);
      },
      ...scrollKeys(setOffset, room, maxOffset),
      back: onBack,
      help: onHelp,
    },
    focused,
  );
  const counts = planCounts(plan);
  return (
    <Box flexDirection="column">
      <Text>
        {plan.changes.length === 0 ? `${router} already matches ${peering}: nothing to change.` : `${plan.changes.length} changes on ${router}: `}
        {plan.changes.length > 0 ? (
          <Text>
            <Text color={theme.good}>{`+${counts.add} add`}</Text>
            {"  "}
            <Text color={theme.changed}>{`~${counts.set} set`}</Text>
            {"  "}
            <Text color={theme.bad}>{`-${counts.remove} remove`}</Text>
            {counts.move > 0 ? <Text color={theme.pending}>{`  ^${counts.move} move`}</Text> : null}
          </Text>
        ) : null}
      </Text>
      <Text dimColor>{offset > 0 ? `↑ ${offset} more` : " "}</Text>
      {lines.slice(offset, offset + room).map((row, i) => (
        <PlanRowView key={offset + i} row={row} />
      ))}
      <Text dimColor>{offset < maxOffset ? `↓ ${maxOffset - offset} more` : " "}</Text>
      <Prose color={theme.good} text={note ?? " "} columns={columns} />
    </Box>
  );
}

function PlanRowView({ row }: { row: ScreenLine }) {
  const theme = useTheme();
  switch (row.kind) {
    case "menu":
      return (
        <Text bold wrap="truncate-end">
          {row.text}
        </Text>
      );
    case "change":
      return (
        <Text wrap="truncate-end">
          {"  "}
          <Text color={theme[SIGN_TONE[row.sign]]} bold>
            {row.sign}
          </Text>
          {` ${row.text}`}
        </Text>
      );
    case "more":
      return <Text wrap="truncate-end">{`    ${row.text}`}</Text>;
    case "reason":
      return <Text dimColor wrap="truncate-end">{`      ${row.text}`}</Text>;
  }
}
