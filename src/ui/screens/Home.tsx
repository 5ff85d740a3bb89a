// Home: the routers (connection profiles) and friends (peerings), each with its status badge.
import { Box, Text } from "ink";
import { ScreenFrame, bodyRows } from "../components/ScreenFrame.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { useCommands } from "../hooks/use-commands.js";
import { useHomeProbe } from "../hooks/use-home-probe.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { useReadOnly, useServices } from "../services.js";
import { homeItems, useActions, useAppState, type BundleEntry, type HomeItem } from "../state.js";
import { SCREEN_INFO } from "./catalog.js";
import { cursorKeys, scrollWindow } from "./scroll.js";
import { tone, useTheme } from "../theme.js";

/** The name column: 22 where there is room, less on a narrow terminal (the detail is cut first). */
const nameWidth = (columns: number) => Math.max(10, Math.min(22, Math.floor(columns / 4)));
const BADGE_WIDTH = 18; // "✗ bad credentials" and a space

type Line =
  | { kind: "heading"; text: string }
  | { kind: "note"; text: string }
  | { kind: "gap" }
  | { kind: "item"; item: HomeItem; index: number };

function homeLines(items: HomeItem[], readOnly: boolean): Line[] {
  const routers = items.flatMap((item, index): Line[] => (item.kind === "router" ? [{ kind: "item", item, index }] : []));
  const friends = items.flatMap((item, index): Line[] => (item.kind === "friend" ? [{ kind: "item", item, index }] : []));
  const bundles = items.flatMap((item, index): Line[] => (item.kind === "bundle" ? [{ kind: "item", item, index }] : []));
  return [
    { kind: "heading", text: `Routers (${routers.length})` },
    ...(routers.length ? routers : [{ kind: "note", text: "No routers yet: press r to add one" } as const]),
    { kind: "gap" },
    { kind: "heading", text: `Friends (${friends.length})` },
    ...(friends.length ? friends : [{ kind: "note", text: readOnly ? "No friends yet (a peering is made without --read-only)" : "No friends yet: n starts a peering, a accepts a friend's offer" } as const]),
    // Only once there is one: a first-time user's Home stays short.
    ...(bundles.length ? [{ kind: "gap" } as const, { kind: "heading", text: `Bundles sent (${bundles.length})` } as const, ...bundles] : []),
  ];
}

const KEPT_STATE: Record<BundleEntry["state"], { text: string; tone?: "pending" | "good" }> = {
  waiting: { text: "waiting for answer", tone: "pending" },
  answered: { text: "✓ answered", tone: "good" },
  completed: { text: "✓ completed", tone: "good" },
  cancelled: { text: "cancelled" },
  replaced: { text: "replaced" },
};

/** `looks`: Home looks at the routers (services.probe); without, a badge not looked at is unknown for good. */
function ItemRow({ item, selected, columns, looks }: { item: HomeItem; selected: boolean; columns: number; looks: boolean }) {
  const theme = useTheme();
  const name = item.kind === "bundle" ? item.entry.friend : item.entry.name;
  const detail = item.kind === "router" ? item.entry.host : item.kind === "friend" ? item.entry.peering : `${item.entry.kind} · ${item.entry.peering}`;
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text bold>{selected ? "›" : " "}</Text>
      </Box>
      <Box width={nameWidth(columns)} flexShrink={0} marginRight={1}>
        <Text bold={selected} wrap="truncate-end">
          {name}
        </Text>
      </Box>
      <Box flexGrow={1} flexShrink={1} marginRight={1}>
        <Text wrap="truncate-end">{detail}</Text>
      </Box>
      <Box width={BADGE_WIDTH} flexShrink={0}>
        {item.kind === "bundle" ? (
          <Text color={tone(theme, KEPT_STATE[item.entry.state].tone)} wrap="truncate-end">
            {KEPT_STATE[item.entry.state].text}
          </Text>
        ) : (
          <StatusBadge status={!looks && item.entry.status === "checking" ? "unknown" : item.entry.status} />
        )}
      </Box>
    </Box>
  );
}

function LineView({ line, selected, columns, looks }: { line: Line; selected: number; columns: number; looks: boolean }) {
  switch (line.kind) {
    case "heading":
      return (
        <Text bold underline wrap="truncate-end">
          {line.text}
        </Text>
      );
    case "note":
      return <Text wrap="truncate-end">{`  ${line.text}`}</Text>;
    case "gap":
      return <Text> </Text>;
    case "item":
      return <ItemRow item={line.item} selected={line.index === selected} columns={columns} looks={looks} />;
  }
}

export function Home({ focused }: { focused: boolean }) {
  const state = useAppState();
  const actions = useActions();
  const services = useServices();
  const size = useTerminalSize();
  const items = homeItems(state);
  const readOnly = useReadOnly() !== undefined;

  useCommands(
    "home",
    {
      // A page is the rows the list gets on screen.
      ...cursorKeys(actions.move, bodyRows(size, "home") - 2, items.length),
      select: () => {
        const item = items[state.selected];
        if (item) actions.navigate(item.opens);
      },
      newPeering: () => actions.navigate({ id: "newPeering" }),
      acceptOffer: () => actions.navigate({ id: "acceptOffer" }),
      completeOffer: () => actions.navigate({ id: "completeOffer" }),
      addRouter: () => actions.navigate({ id: "addRouter" }),
      removePeering: () => {
        const item = items[state.selected];
        if (item?.kind === "friend") actions.navigate({ id: "removePeering", subject: item.entry.name });
        else actions.fail({ kind: "expected", message: "Select a friend first (↓), then press x to remove that peering." });
      },
    },
    focused,
  );

  const lines = homeLines(items, readOnly);
  const focusLine = lines.findIndex((line) => line.kind === "item" && line.index === state.selected);
  // Two rows are kept for the "more above / below" markers when the list overflows.
  const capacity = bodyRows(size, "home");
  const fits = lines.length <= capacity;
  const { start, end } = scrollWindow(lines.length, Math.max(0, focusLine), fits ? capacity : capacity - 2);
  // What is on screen is what Home looks at: the routers shown, and every router while a friend is.
  const shown = lines.slice(start, end).flatMap((line) => (line.kind === "item" ? [line.item] : []));
  const probed = shown.some((item) => item.kind === "friend") ? items.filter((i) => i.kind === "router") : shown.filter((i) => i.kind === "router");
  useHomeProbe(focused, probed.map((i) => i.entry.name));

  return (
    <ScreenFrame title={SCREEN_INFO.home.title} scope="home" focused={focused}>
      {fits ? null : <Text>{start > 0 ? `  ↑ ${start} more` : " "}</Text>}
      {lines.slice(start, end).map((line, i) => (
        <LineView key={start + i} line={line} selected={state.selected} columns={size.columns} looks={services.probe !== undefined} />
      ))}
      {fits ? null : <Text>{end < lines.length ? `  ↓ ${lines.length - end} more` : " "}</Text>}
    </ScreenFrame>
  );
}
