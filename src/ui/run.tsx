// Entry point of the TUI for the CLI: check for a terminal, draw the app, return when it ends.
import { render } from "ink";
import { App } from "./App.js";
import { INK_MAX_FPS } from "./frames.js";
import type { Services } from "./services.js";
import type { HomeData } from "./state.js";
import { enableBracketedPaste } from "./bracketed-paste.js";
import { assertInteractive } from "./tty.js";
import type { Theme } from "./theme.js";

export interface TuiStreams {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: Record<string, string | undefined>;
}

export interface TuiLook {
  /** The colours (theme.ts chooseTheme); default: the default theme. */
  theme?: Theme;
}

export async function runTui(home: HomeData, services: Services, streams: TuiStreams = {}, look: TuiLook = {}): Promise<void> {
  const { stdin = process.stdin, stdout = process.stdout, stderr = process.stderr, env = process.env } = streams;
  assertInteractive({ stdin, stdout, env });
  // On before the first frame: a paste that comes as soon as the screen shows is taken whole.
  const pasteOff = enableBracketedPaste(stdout);
  try {
    const instance = render(<App routers={home.routers} friends={home.friends} bundles={home.bundles} services={services} theme={look.theme} />, {
      stdin,
      stdout,
      stderr,
      // ctrl+c is the keymap's quit like q, so the app still ends through its one exit point.
      exitOnCtrlC: false,
      maxFps: INK_MAX_FPS,
      // Stray console output is only ours to move above the frame when we draw on our own stdout.
      patchConsole: stdout === process.stdout,
    });
    await instance.waitUntilExit();
  } finally {
    pasteOff();
  }
}
