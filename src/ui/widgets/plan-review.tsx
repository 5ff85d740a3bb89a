// Plan review: the exact RouterOS changes, grouped by menu (+ add, ~ set, - remove), each with
// its reason; scrolls; exports the same plan as an .rsc script; apply asks nothing more.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Box, Text } from "ink";
import { useMemo, useState } from "react";
import type { Plan } from "../../core/plan.js";
import { planCounts, planGroups, type PlanLine } from "../../core/plan-view.js";
import { useCommands } from "../hooks/use-commands.js";
import { useServices } from "../services.js";
import { scrollKeys } from "../screens/scroll.js";
import { useTheme } from "../theme.js";

type Row = { kind: "menu"; text: string } | { kind: "change"; sign: PlanLine["sign"]; text: string } | { kind: "reason"; text: string };

export function planRows(plan: Plan): Row[] {
  return planGroups(plan).flatMap((group): Row[] => [
    { kind: "menu", text: group.path },
    ...group.lines.flatMap((line): Row[] => [
      { kind: "change", sign: line.sign, text: readableChange(line) },
      { kind: "reason", text: line.reason },
    ]),
  ]);
}

/**
 * A change that names only the router's id (a removal: `*1`) says which of the peering's objects
 * it is, by its ownership role, with the id after it.
 */
export function readableChange(line: PlanLine): string {
  return /^\*[0-9A-Fa-f]+$/.test(line.text) && line.role ? `${line.role} (${line.text})` : line.text;
}

const SIGN_TONE = { "+": "good", "~": "changed", "-": "bad", "^": "pending" } as const;

export interface PlanReviewProps {
  plan: Plan;
  peering: string;
  side: string;
  router: string;
  rows: number;
  focused: boolean;
  onApply: () => void;
  onBack: () => void;
  onHelp: () => void;
}

export function PlanReview({ plan, peering, side, router, rows, focused, onApply, onBack, onHelp }: PlanReviewProps) {
  const services = useServices();
  const theme = useTheme();
  const all = useMemo(() => planRows(plan), [plan]);
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  // The counts line, the two "more" markers and the note line stay; the changes get the rest.
  const room = Math.max(1, rows - 4);
  const maxOffset = Math.max(0, all.length - room);
  useCommands(
    "plan",
    {
      apply: onApply,
      exportScript: () => {
        mkdirSync(services.outputDir, { recursive: true });
        const script = services.platform.planScript(plan, peering);
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
      {all.slice(offset, offset + room).map((row, i) => (
        <PlanRowView key={offset + i} row={row} />
      ))}
      <Text dimColor>{offset < maxOffset ? `↓ ${maxOffset - offset} more` : " "}</Text>
      <Text color={theme.good} wrap="truncate-end">
        {note ?? " "}
      </Text>
    </Box>
  );
}

function PlanRowView({ row }: { row: Row }) {
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
    case "reason":
      return <Text dimColor wrap="truncate-end">{`      ${row.text}`}</Text>;
  }
}
