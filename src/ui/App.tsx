// The root of the Ink tree: providers, the screen on top of the stack, the error panel, and the
// one place that ends the app.
import { Box, useApp } from "ink";
import { Component, useEffect, type ReactNode } from "react";
import { ErrorView } from "./components/ErrorView.js";
import { KeyHints } from "./components/KeyHints.js";
import { frameRows } from "./components/ScreenFrame.js";
import { useCommands } from "./hooks/use-commands.js";
import { TerminalSizeProvider, useTerminalSize, type TerminalSize } from "./hooks/use-terminal-size.js";
import type { Screen } from "./screens/catalog.js";
import { Help } from "./screens/Help.js";
import { Home } from "./screens/Home.js";
import { Placeholder } from "./screens/Placeholder.js";
import { AppStateProvider, currentScreen, useActions, useAppState, type FriendEntry, type RouterEntry } from "./state.js";

export interface AppProps {
  routers: readonly RouterEntry[];
  friends: readonly FriendEntry[];
  /** Lay out for this size instead of the terminal's (tests, embedding). */
  size?: TerminalSize;
}

export function App({ routers, friends, size }: AppProps) {
  return (
    <AppStateProvider home={{ routers, friends }}>
      <TerminalSizeProvider fixed={size}>
        <Root routers={routers} friends={friends} />
      </TerminalSizeProvider>
    </AppStateProvider>
  );
}

function Root({ routers, friends }: Pick<AppProps, "routers" | "friends">) {
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
    if (state.quit) exit();
  }, [state.quit, exit]);

  const screen = currentScreen(state);
  const below = state.stack[state.stack.length - 2];
  const focused = state.error === null && !state.quit;
  return (
    <Box flexDirection="column" width={size.columns} height={frameRows(size)}>
      <ScreenBoundary
        key={`${state.stack.length}:${screen.id}:${screen.subject ?? ""}`}
        errorShown={state.error !== null}
        onCrash={(error) => actions.fail(error, { leaveScreen: true })}
      >
        <ScreenSwitch screen={screen} below={below} focused={focused} />
      </ScreenBoundary>
      {state.error ? <ErrorPanel error={state.error} /> : null}
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
    case "monitor":
      return <Placeholder screen={{ ...screen, id: screen.id }} focused={focused} />;
  }
}

function ErrorPanel({ error }: { error: unknown }) {
  const actions = useActions();
  useCommands("error", { dismiss: actions.dismissError }, true);
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
