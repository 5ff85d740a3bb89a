// The demo: two operators (alice and remi), each with their own screens, workspace and lab
// router, in one terminal. ctrl+o switches whose terminal is shown; both keep their state.
import { Box, Text, useApp } from "ink";
import { KeysProvider, useKeys } from "./hooks/use-keys.js";
import { useEffect, useState } from "react";
import { App } from "./App.js";
import { matches } from "./keymap.js";
import { useTerminalSize, TerminalSizeProvider, type TerminalSize } from "./hooks/use-terminal-size.js";
import type { Services } from "./services.js";
import type { HomeData } from "./state.js";
import { ThemeProvider, useTheme, type Theme } from "./theme.js";
import { wrapText } from "./widgets/wrap.js";

export interface DemoOperator {
  name: string;
  /** "alice (RouterOS 7.24)" */
  describe: string;
  services: Services;
  home: HomeData;
}

export interface DemoProps {
  /** Resolves once the lab is up; the first frame does not wait for it. */
  ready: Promise<DemoOperator[]>;
  reason?: string;
  size?: TerminalSize;
  theme?: Theme;
}

export function Demo(props: DemoProps) {
  return (
    <ThemeProvider theme={props.theme}>
      <TerminalSizeProvider fixed={props.size}>
        <KeysProvider>
          <DemoRoot {...props} />
        </KeysProvider>
      </TerminalSizeProvider>
    </ThemeProvider>
  );
}

function DemoRoot({ ready, reason, theme: chosen }: DemoProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const theme = useTheme();
  const [operators, setOperators] = useState<DemoOperator[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [shown, setShown] = useState(0);
  // Why the demo opened is said whole (wrapped) until the first key; then the banner is one line.
  const [intro, setIntro] = useState(true);
  useEffect(() => {
    ready.then(setOperators, (e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  }, [ready]);
  useKeys((input, key) => {
    if (operators) setIntro(false);
    if (operators && matches(input, key, "switchOperator")) setShown((i) => (i + 1) % operators.length);
    if (!operators && matches(input, key, "quit")) exit();
  });
  if (failure) return <Text color={theme.bad}>{`The demo's lab did not start: ${failure}`}</Text>;
  if (!operators) return <Text>Starting the built-in lab (simulated routers alice and remi)…</Text>;
  const current = operators[shown]!;
  const other = operators[(shown + 1) % operators.length]!;
  const whose = ` demo · ${current.describe}'s terminal · ctrl+o: ${other.name}'s`;
  // The reason on lines of its own under whose terminal it is (a few at most: the screens keep their room).
  const lines = intro && reason ? [`${whose} `, ...wrapText(reason, size.columns - 2).slice(0, 4).map((line) => ` ${line} `)] : [`${whose}${reason ? ` · ${reason}` : ""} `];
  const inner = { columns: size.columns, rows: size.rows - lines.length };
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} inverse wrap="truncate-end">
          {line}
        </Text>
      ))}
      {operators.map((op, i) => (
        <Box key={op.name} display={i === shown ? "flex" : "none"}>
          <App routers={op.home.routers} friends={op.home.friends} bundles={op.home.bundles} services={op.services} size={inner} active={i === shown} onQuit={exit} theme={chosen} />
        </Box>
      ))}
    </Box>
  );
}
