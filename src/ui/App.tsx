// The root of the Ink tree: providers, the screen on top of the stack, the error panel, and the
// one place that ends the app.
import { Box, useApp } from "ink";
import { Component, useEffect, type ReactNode } from "react";
import { CommandLine, CommandLineProvider } from "./components/CommandLine.js";
import { ErrorView } from "./components/ErrorView.js";
import { KeyHints } from "./components/KeyHints.js";
import { frameRows } from "./components/ScreenFrame.js";
import { useCommands } from "./hooks/use-commands.js";
import { TerminalSizeProvider, useTerminalSize, type TerminalSize } from "./hooks/use-terminal-size.js";
import type { Screen } from "./screens/catalog.js";
import { Help } from "./screens/Help.js";
import { Home } from "./screens/Home.js";
import { AcceptOffer } from "./screens/AcceptOffer.js";
import { AddRouter } from "./screens/AddRouter.js";
import { CompleteOffer } from "./screens/CompleteOffer.js";
import { NewPeering } from "./screens/NewPeering.js";
import { Monitor } from "./screens/Monitor.js";
import { RemovePeering } from "./screens/RemovePeering.js";
import { RouterView } from "./screens/RouterView.js";
import { KeptBundleScreen } from "./screens/KeptBundle.js";
import { KeysProvider } from "./hooks/use-keys.js";
import { ServicesProvider, type Services } from "./services.js";
import { ThemeProvider, type Theme } from "./theme.js";
import { AppStateProvider, currentScreen, useActions, useAppState, type BundleEntry, type FriendEntry, type RouterEntry } from "./state.js";

export interface AppProps {
  routers: readonly RouterEntry[];
  friends: readonly FriendEntry[];
  bundles?: readonly BundleEntry[];
  services: Services;
  /** Lay out for this size instead of the terminal's (tests, embedding). */
  size?: TerminalSize;
  /** Whether this app takes the keys (the demo runs two and shows one). */
  active?: boolean;
  /** The demo's operator switch; by default quitting ends the Ink app. */
  onQuit?: () => void;
  /** The colours to draw with (theme.ts); default: the default theme. */
  theme?: Theme;
}

export function App({ routers, friends, bundles, services, size, active = true, onQuit, theme }: AppProps) {
  return (
    <ThemeProvider theme={theme}>
      <KeysProvider>
        <ServicesProvider services={services}>
          <AppStateProvider home={{ routers, friends, bundles }}>
            <TerminalSizeProvider fixed={size}>
              <CommandLineProvider>
                <Root routers={routers} friends={friends} active={active} onQuit={onQuit} />
              </CommandLineProvider>
            </TerminalSizeProvider>
          </AppStateProvider>
        </ServicesProvider>
      </KeysProvider>
    </ThemeProvider>
  );
}

function Root({ routers, friends, active, onQuit }: Pick<AppProps, "routers" | "friends" | "onQuit"> & { active: boolean }) {
  const state = useAppState();
  const actions = useActions();
  const { exit } = useApp();
  const size = useTerminalSize();

  // New statuses arrive as new props; the reducer ignores the arrays it already holds.
  useEffect(() => {
    actions.setHome({ routers, friends });
  }, [actions, routers, friends]);

  // The only exit() in the tree: screens and async work dispatch quit, the root ends the app.
  useEffect(() => {
    if (state.quit) (onQuit ?? exit)();
  }, [state.quit, exit, onQuit]);

  const screen = currentScreen(state);
  const below = state.stack[state.stack.length - 2];
  // The command line, while open, takes the keys from the screen (and its hints' place).
  const focused = active && state.error === null && !state.quit && !state.commandLine;
  // Help opens over a screen without ending it: the monitor keeps its connection and its routes,
  // a wizard what was typed. The screen under it stays mounted, hidden and without the keys.
  const layers = [
    ...(screen.id === "help" && below !== undefined ? [{ screen: below, depth: state.stack.length - 1, visible: false }] : []),
    { screen, depth: state.stack.length, visible: true },
  ];
  return (
    <Box flexDirection="column" width={size.columns} height={frameRows(size)}>
      {layers.map(({ screen: shown, depth, visible }) => (
        // Keyed by place in the stack: the screen under help is the same element it was on top.
        <Box key={`${depth}:${shown.id}:${shown.subject ?? ""}`} display={visible ? "flex" : "none"} flexDirection="column" flexGrow={1}>
          <ScreenBoundary errorShown={state.error !== null} onCrash={(error) => actions.fail(error, { leaveScreen: true })}>
            <ScreenSwitch screen={shown} below={state.stack[depth - 2]} focused={visible && focused} />
          </ScreenBoundary>
        </Box>
      ))}
      {state.commandLine && state.error === null ? <CommandLine active={active && !state.quit} /> : null}
      {state.error ? <ErrorPanel error={state.error} active={active} /> : null}
    </Box>
  );
}

function ScreenSwitch({ screen, below, focused }: { screen: Screen; below: Screen | undefined; focused: boolean }) {
  switch (screen.id) {
    case "home":
      return <Home focused={focused} />;
    case "help":
      return <Help about={below?.id ?? "home"} focused={focused} />;
    case "router":
      return <RouterView router={screen.subject ?? ""} focused={focused} />;
    case "monitor":
      return <Monitor friend={screen.subject ?? ""} focused={focused} />;
    case "addRouter":
      return <AddRouter focused={focused} />;
    case "newPeering":
      return <NewPeering focused={focused} />;
    case "acceptOffer":
      return <AcceptOffer focused={focused} />;
    case "completeOffer":
      return <CompleteOffer focused={focused} />;
    case "removePeering":
      return <RemovePeering friend={screen.subject ?? ""} focused={focused} />;
    case "kept":
      return <KeptBundleScreen id={screen.subject ?? ""} focused={focused} />;
  }
}

function ErrorPanel({ error, active }: { error: unknown; active: boolean }) {
  const actions = useActions();
  useCommands("error", { dismiss: actions.dismissError }, active);
  return (
    <Box flexDirection="column" flexShrink={0} marginTop={1}>
      <ErrorView error={error} />
      <KeyHints scope="error" />
    </Box>
  );
}

interface BoundaryProps {
  onCrash: (error: unknown) => void;
  errorShown: boolean;
  children: ReactNode;
}

/** Turns a screen that throws while drawing into an error report instead of ending the app. */
class ScreenBoundary extends Component<BoundaryProps, { crashed: boolean }> {
  override state = { crashed: false };

  static getDerivedStateFromError() {
    return { crashed: true };
  }

  override componentDidCatch(error: unknown) {
    this.props.onCrash(error);
  }

  // A screen that could not be left (Home) gets another try once its error is dismissed.
  override componentDidUpdate(previous: BoundaryProps) {
    if (previous.errorShown && !this.props.errorShown && this.state.crashed) this.setState({ crashed: false });
  }

  override render() {
    return this.state.crashed ? null : this.props.children;
  }
}
