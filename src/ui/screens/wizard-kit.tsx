// Pieces every wizard screen shares: picking and connecting to a router, running a slow step
// with its log, and the result panel.
import { Box, Text } from "ink";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { useCommands } from "../hooks/use-commands.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { useServices } from "../services.js";
import { useActions } from "../state.js";
import { ChooseOne } from "../widgets/choice-list.js";
import { applyLogReducer, EMPTY_LOG, type ApplyLog } from "../widgets/apply-log.js";
import type { ApplyEvent, Inventory } from "../../platforms/platform.js";
import { TextField } from "../widgets/text-field.js";
import { wrapText } from "../widgets/wrap.js";
import { parseNetworkList } from "../../flows/wizard.js";
import { Working } from "../widgets/working.js";
import { useTheme } from "../theme.js";

export interface RouterStepProps {
  /** The screen's useRouterSession().open: the connection lives as long as the screen, not this step. */
  open: (router: string, password?: string) => Promise<RouterSession>;
  width: number;
  rows: number;
  focused: boolean;
  onSession: (session: RouterSession) => void;
  onBack: () => void;
  onHelp: () => void;
  /** The router to take without asking, when it is one of the operator's (where an offer was made). */
  prefer?: string;
}

/** The screens (by their session's open) whose router step went on without asking. */
const tookAlone = new WeakSet<RouterStepProps["open"]>();

/**
 * Choose one of the operator's routers, type its password if none is stored, connect, discover.
 * With one router, or `prefer` naming one, there is nothing to choose: it goes straight on.
 */
export function RouterStep({ open, width, rows, focused, onSession, onBack, onHelp, prefer }: RouterStepProps) {
  const services = useServices();
  const actions = useActions();
  const routers = services.routers();
  // Taken without asking once per screen: going back to this step shows the list (esc then leaves).
  const [only] = useState(() => {
    const taken = routers.find((r) => r.name === prefer)?.name ?? (routers.length === 1 ? routers[0]!.name : null);
    if (taken === null || tookAlone.has(open)) return null;
    tookAlone.add(open);
    return taken;
  });
  const [stage, setStage] = useState<{ id: "choose" } | { id: "password"; router: string } | { id: "connecting"; router: string }>(() =>
    only === null ? { id: "choose" } : services.needsPassword(only) ? { id: "password", router: only } : { id: "connecting", router: only },
  );
  // Without a choice, back and a failed connection leave the step instead of showing a list of one.
  const retreat = () => (only === null ? setStage({ id: "choose" }) : onBack());
  const connect = (router: string, password?: string) => {
    setStage({ id: "connecting", router });
    open(router, password).then(onSession, (e: unknown) => {
      // A typed password that did not work is asked again; anything else goes back.
      if (password !== undefined) setStage({ id: "password", router });
      else retreat();
      actions.fail(e);
    });
  };
  const started = useRef(false);
  useEffect(() => {
    if (started.current || stage.id !== "connecting") return;
    started.current = true;
    connect(stage.router);
    // Once, for the router taken without a choice.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (routers.length === 0) return <NoRouters focused={focused} onBack={onBack} onHelp={onHelp} />;
  switch (stage.id) {
    case "choose":
      return (
        <Box flexDirection="column">
          <Text>Which router?</Text>
          <ChooseOne
            choices={routers.map((r) => ({ value: r.name, label: r.name, detail: r.label }))}
            rows={rows - 1}
            focused={focused}
            onBack={onBack}
            onHelp={onHelp}
            onChoose={(router) => (services.needsPassword(router) ? setStage({ id: "password", router }) : connect(router))}
          />
        </Box>
      );
    case "password":
      return (
        <TextField
          label={`password for ${stage.router}`}
          mask
          width={width}
          focused={focused}
          validate={(v) => (v === "" ? "type the password (it is not shown)" : null)}
          onSubmit={(password) => connect(stage.router, password)}
          onBack={retreat}
          onAbort={actions.quit}
        />
      );
    case "connecting":
      return <Working label={`connecting to ${stage.router} and reading its configuration`} log={EMPTY_LOG} rows={rows} focused={focused} onAbort={actions.quit} />;
  }
}

function NoRouters({ focused, onBack, onHelp }: { focused: boolean; onBack: () => void; onHelp: () => void }) {
  const actions = useActions();
  useCommands("result", { done: onBack, help: onHelp, quit: actions.quit }, focused);
  return <Text>No routers yet: press esc, then r on Home to add one (or bgpals router add).</Text>;
}

/** A slow step's log, and how to run one: failures go to the error panel and back to `retreat`. */
export function useWork() {
  const actions = useActions();
  const [log, dispatch] = useReducer(applyLogReducer, EMPTY_LOG);
  const hooks = useMemo(
    () => ({
      onStep: (message: string) => dispatch({ kind: "step", message }),
      onApply: (event: ApplyEvent) => dispatch(event),
    }),
    [],
  );
  const run = useCallback(
    <T,>(work: () => Promise<T>, done: (value: T) => void, retreat: () => void) => {
      dispatch({ kind: "reset" });
      // A failure after the work (in `done`) is a bug and is reported like one.
      work().then(done, (e: unknown) => {
        retreat();
        actions.fail(e);
      });
    },
    [actions],
  );
  return { log, hooks, run };
}

export function ResultPanel({ lines, log, rows, focused, onDone, onHelp }: { lines: string[]; log?: ApplyLog; rows: number; focused: boolean; onDone: () => void; onHelp: () => void }) {
  const actions = useActions();
  const theme = useTheme();
  const { columns } = useTerminalSize();
  useCommands("result", { done: onDone, help: onHelp, quit: actions.quit }, focused);
  // Wrapped here, to count them: what does not fit must not push the rest off the screen.
  const head = lines.map((line) => wrapText(line, columns));
  const room = Math.max(1, rows - head.reduce((n, l) => n + l.length, 0) - 2);
  const all = log?.lines ?? [];
  const whole = all.map((line) => wrapText(`${line.mark} ${line.text}`, columns - 2, columns - 4).map((text, i) => (i === 0 ? `  ${text}` : `    ${text}`)));
  // Every step whole where they fit; else every step in a line (cut at the edge); else the last
  // ones, after a line saying how many came before.
  const earlier = whole.flat().length <= room || all.length <= room ? 0 : all.length - (room - 1);
  const steps = whole.flat().length <= room ? whole : all.slice(earlier).map((line) => [`  ${line.mark} ${line.text}`]);
  return (
    <Box flexDirection="column">
      {head.flatMap((wrapped, i) =>
        wrapped.map((text, j) => (
          <Text key={`${i}.${j}`} color={i === 0 ? theme.good : undefined} wrap="truncate-end">
            {text}
          </Text>
        )),
      )}
      {all.length > 0 ? (
        <Box marginTop={1} flexDirection="column">
          {earlier > 0 ? <Text dimColor>{`  … ${earlier} step${earlier === 1 ? "" : "s"} before these`}</Text> : null}
          {steps.flatMap((wrapped, i) =>
            wrapped.map((text, j) => (
              <Text key={`${i}.${j}`} dimColor wrap="truncate-end">
                {text}
              </Text>
            )),
          )}
        </Box>
      ) : null}
    </Box>
  );
}

/** Left-out networks said one a line, at most this many (tunnels in one line of their own). */
const LEFT_OUT_LINES = 4;

/**
 * Why the router's other connected networks are not offered (a tunnel, Docker's network, a
 * point-to-point link): one a line, the tunnels together, at most LEFT_OUT_LINES.
 */
export function leftOutLines(leftOut: Inventory["lansLeftOut"]): string[] {
  const all = leftOut ?? [];
  const tunnels = all.filter((l) => l.why.startsWith("a tunnel"));
  const lines = all.filter((l) => !tunnels.includes(l)).map((l) => `not suggested: ${l.network} on ${l.interface}: ${l.why}`);
  if (tunnels.length > 0) lines.push(`not suggested: ${tunnels.length === 1 ? "a tunnel's network" : `${tunnels.length} tunnels' networks`} (${tunnels.map((l) => l.interface).join(", ")})`);
  if (lines.length <= LEFT_OUT_LINES) return lines;
  return [...lines.slice(0, LEFT_OUT_LINES - 1), `… and ${lines.length - LEFT_OUT_LINES + 1} more not suggested (bgpals inventory lists them)`];
}

/** The networks to announce: comma-separated prefixes, the router's LANs offered first, and why others are not. */
export function NetworksField({ initial, leftOut, width, focused, problem, onSubmit, onBack }: { initial: readonly string[]; /** The router's networks not offered, with why. */ leftOut?: Inventory["lansLeftOut"]; width: number; focused: boolean; /** What both routers' facts say of the typed networks (null: fine). */ problem: (networks: string[]) => string | null; onSubmit: (networks: string[]) => void; onBack: () => void }) {
  const actions = useActions();
  const notes = leftOutLines(leftOut);
  return (
    <Box flexDirection="column">
      <TextField
        key="networks"
        label="networks to announce"
        initial={initial.join(", ")}
        width={width}
        focused={focused}
        validate={(v) => {
          const parsed = parseNetworkList(v);
          return parsed.ok ? problem(parsed.networks) : parsed.message;
        }}
        onSubmit={(v) => {
          const parsed = parseNetworkList(v);
          if (parsed.ok && problem(parsed.networks) === null) onSubmit(parsed.networks);
        }}
        onBack={onBack}
        onAbort={actions.quit}
      />
      {notes.map((line) => (
        // Wrapped under itself, not from the screen's edge: a long reason stays readable at 60 columns.
        // wrapText, not Ink's wrap, which kept the space it broke at at the start of the next line.
        <Box key={line} paddingLeft={2} flexDirection="column">
          {wrapText(line, Math.max(10, width - 2)).map((text, i) => (
            <Text key={i} dimColor>
              {text}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}

/** What the monitor account step says where the router's platform cannot grant one (a Linux host). */
export const MONITOR_ACCOUNT_NOT_BUILT = "Granting your friend's monitor a read-only account is not built for Linux hosts yet: go on without one (their monitor still shows their own side).";

/** Whether to grant the friend a read-only account on this router; only "no" where its platform cannot grant one (`unsupported`). */
export function MonitorAccountChoice({ friend, router, unsupported, rows, focused, onChoose, onBack, onHelp }: { friend: string; router: string; unsupported?: string; rows: number; focused: boolean; onChoose: (grant: boolean) => void; onBack: () => void; onHelp: () => void }) {
  return (
    <ChooseOne
      choices={[
        { value: "no", label: "No read-only account" },
        ...(unsupported === undefined ? [{ value: "yes", label: `Grant ${friend} a read-only account on ${router}` }] : []),
      ]}
      rows={rows}
      focused={focused}
      onBack={onBack}
      onHelp={onHelp}
      onChoose={(v) => onChoose(v === "yes")}
    />
  );
}

/** The fingerprint check after a pasted bundle: go on only when both screens show the same. */
export function FingerprintCheck({ focused, onGo, onBack, onHelp }: { focused: boolean; onGo: () => void; onBack: () => void; onHelp: () => void }) {
  const actions = useActions();
  return (
    <Box marginTop={1}>
      <ChooseOne
        choices={[
          { value: "go", label: "The fingerprint matches: continue" },
          { value: "stop", label: "It does not match: stop (nothing was written)" },
        ]}
        rows={2}
        focused={focused}
        onBack={onBack}
        onHelp={onHelp}
        onChoose={(v) => (v === "go" ? onGo() : actions.back())}
      />
    </Box>
  );
}

/** Leaves a finished wizard for Home, with its lists read again. */
export function useFinish(): () => void {
  const services = useServices();
  const actions = useActions();
  return () => {
    actions.setHome(services.loadHome());
    actions.back();
  };
}
