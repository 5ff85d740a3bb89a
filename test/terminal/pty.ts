// The real terminal for tests: the built CLI in a pseudo-terminal, its output fed to a headless
// xterm, and the screen read back as text, the way a person sees it.
import { spawn, type IPty } from "@lydell/node-pty";
import xterm from "@xterm/headless";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { onCleanup, until } from "../helpers.js";

const BIN = fileURLToPath(new URL("../../bin/bgpals.js", import.meta.url));

export const KEYS = {
  enter: "\r",
  escape: "\u001B",
  up: "\u001B[A",
  down: "\u001B[B",
  space: " ",
  ctrlO: "\u000F",
  ctrlC: "\u0003",
  ctrlU: "\u0015",
  ctrlV: "\u0016",
  backspace: "\u007F",
} as const;

export interface TerminalRun {
  screen(): string;
  /** Waits until the screen shows `text` (or `check` holds); the error shows the screen. */
  waitFor(text: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Types once the app is ready for it (see `idle`). */
  type(data: string): Promise<void>;
  /** Types once the app is ready, then waits until the screen shows `until` (never a fixed sleep). */
  press(data: string, until: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  /** The cells on screen drawn in a colour (foreground or background not the terminal's own), as "row:col 'char' fg/bg". */
  colouredCells(): Promise<string[]>;
  /** The lines on screen whose text is all drawn dim (SGR 2), as text: the app must draw styles (FORCE_COLOR). */
  dimLines(): Promise<string[]>;
  exited: Promise<number>;
  /** Whether the app left the terminal in bracketed-paste mode (once all its output is read). */
  bracketedPaste(): Promise<boolean>;
  /** SIGKILL unless told otherwise (SIGHUP: the terminal closed). */
  kill(signal?: string): void;
}

export function runInTerminal(args: string[], options: { env: Record<string, string>; cols?: number; rows?: number }): TerminalRun {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  const pty: IPty = spawn(process.execPath, [BIN, ...args], {
    name: "xterm-256color",
    cols,
    rows,
    cwd: process.cwd(),
    // Ink draws every frame only when CI is not set. The run's temp dir and marker (test/global-setup.ts) go along.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TERM: "xterm-256color", TMPDIR: tmpdir(), ...runMarker(), ...options.env, CI: "false" },
  });
  let pending = Promise.resolve();
  pty.onData((data) => {
    pending = pending.then(() => new Promise<void>((resolve) => term.write(data, resolve)));
  });
  let running = true;
  const exited = new Promise<number>((resolve) =>
    pty.onExit(({ exitCode }) => {
      running = false;
      resolve(exitCode);
    }),
  );
  // Ended with the test that started it (or after the file, when started in beforeAll), failed or not.
  // SIGHUP first, as when a terminal window closes (the demo removes its directory then); SIGKILL
  // if the app has not exited 3 s later.
  onCleanup(async () => {
    if (running) {
      pty.kill("SIGHUP");
      await until(() => !running, "the app to exit on SIGHUP", 3000).catch(() => pty.kill("SIGKILL"));
    }
    await exited;
    term.dispose();
  });
  const screen = () => {
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? "");
    return lines.join("\n");
  };
  const matches = (want: string | RegExp | ((s: string) => boolean), s: string) => (typeof want === "string" ? s.includes(want) : want instanceof RegExp ? want.test(s) : want(s));
  const waitFor = async (want: string | RegExp | ((s: string) => boolean), timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await pending;
      const s = screen();
      if (matches(want, s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(want)}; the screen shows:\n${s}`);
      // The poll interval.
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  // A screen that has just appeared takes keys only once React ran its passive effects (Ink's
  // useInput subscribes there), after the frame was written: a key typed in between is lost. So a
  // key goes out once the app is idle, as a person types only once the screen is there.
  const idle = async () => {
    const deadline = Date.now() + 5000;
    while (running && !asleep(pty.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2)); // poll interval
  };
  const type = async (data: string) => {
    await idle();
    pty.write(data);
  };
  return {
    screen,
    waitFor,
    type,
    press: async (data, until, timeoutMs) => {
      await type(data);
      return waitFor(until, timeoutMs);
    },
    colouredCells: async () => {
      await pending;
      const buffer = term.buffer.active;
      const cells: string[] = [];
      for (let y = 0; y < term.rows; y++) {
        const line = buffer.getLine(buffer.viewportY + y);
        for (let x = 0; line !== undefined && x < term.cols; x++) {
          const cell = line.getCell(x);
          if (cell === undefined || (cell.isFgDefault() && cell.isBgDefault())) continue;
          cells.push(`${y}:${x} '${cell.getChars()}'${cell.isFgDefault() ? "" : ` fg ${cell.getFgColor()}`}${cell.isBgDefault() ? "" : ` bg ${cell.getBgColor()}`}`);
        }
      }
      return cells;
    },
    dimLines: async () => {
      await pending;
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < term.rows; y++) {
        const line = buffer.getLine(buffer.viewportY + y);
        if (line === undefined) continue;
        let text = 0;
        let dim = 0;
        for (let x = 0; x < term.cols; x++) {
          const cell = line.getCell(x);
          if (cell === undefined || cell.getChars().trim() === "") continue;
          text++;
          if (cell.isDim()) dim++;
        }
        if (text > 0 && dim === text) lines.push(line.translateToString(true));
      }
      return lines;
    },
    exited,
    bracketedPaste: async () => {
      await pending;
      return term.modes.bracketedPasteMode;
    },
    kill: (signal = "SIGKILL") => {
      if (running) pty.kill(signal);
    },
  };
}

/**
 * The process's main thread sleeps in epoll, waiting for input or a timer: its event loop has
 * nothing left to do, effects included (React schedules those with setImmediate, and a pending
 * setImmediate keeps the loop from sleeping). Asleep elsewhere (a futex, a write to the terminal)
 * is not idle. Without /proc there is no telling: true.
 */
function asleep(pid: number): boolean {
  let stat: string;
  let wchan: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    wchan = readFileSync(`/proc/${pid}/wchan`, "utf8");
  } catch {
    return true;
  }
  // pid (comm) state ...; comm may hold spaces and parentheses.
  const sleeping = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "S";
  // Where it sleeps: "do_epoll_wait" (or "ep_poll"); "0" when the kernel does not say.
  return sleeping && (wchan === "0" || wchan === "" || /epoll|ep_poll/.test(wchan));
}

function runMarker(): Record<string, string> {
  const marker = process.env.BGPALS_TEST_RUN;
  return marker === undefined ? {} : { BGPALS_TEST_RUN: marker };
}
