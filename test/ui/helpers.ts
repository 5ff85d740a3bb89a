// Shared by the TUI tests: unstyled frames, waiting for the screen to change, fake terminal streams.
import { routerOs } from "../../src/platforms/routeros/index.js";
import { EventEmitter } from "node:events";
import { stripVTControlCharacters } from "node:util";
import { tempDir } from "../helpers.js";
import { join } from "node:path";
import type { Services } from "../../src/ui/services.js";
import type { FriendEntry, HomeData, RouterEntry } from "../../src/ui/state.js";

export const KEY = {
  up: "\u001B[A",
  down: "\u001B[B",
  enter: "\r",
  escape: "\u001B",
  help: "?",
  quit: "q",
  j: "j",
  k: "k",
  pageUp: "\u001B[5~",
  pageDown: "\u001B[6~",
  home: "\u001B[H",
  end: "\u001B[F",
} as const;

export const ROUTERS: RouterEntry[] = [
  { name: "alice-hap", host: "192.168.88.1", status: "ok" },
  { name: "alice-lab", host: "10.0.0.2", status: "unreachable" },
  { name: "old-rb", host: "10.0.0.3", status: "bad-credentials" },
];

export const FRIENDS: FriendEntry[] = [
  { name: "remi", peering: "s1-alice-remi", status: "up" },
  { name: "carol", peering: "s4-alice-carol", status: "degraded" },
  { name: "dave", peering: "alice-dave", status: "down" },
  { name: "erin", peering: "alice-erin", status: "unknown" },
];

export const plain = (frame: string | undefined): string => stripVTControlCharacters(frame ?? "");

/** Polls until `check` holds; each poll first yields to the event loop, so React's effects run. */
export async function waitFor(check: () => boolean, describe: () => string = () => "", timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the screen to change\n${describe()}`);
  }
}

/**
 * Lets React finish what a frame it just drew started: the new screen subscribes to keys in an
 * effect that runs after the frame is written (the scheduler queues it with setImmediate).
 */
export const effectsSettled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The line of a frame that holds `text`. */
export function lineWith(frame: string, text: string): string | undefined {
  return frame.split("\n").find((line) => line.includes(text));
}

/** Minimal terminal streams for runTui: a stdin we type into and a stdout that keeps what is written. */
export function fakeTerminal() {
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    pending: [] as string[],
    setEncoding() {},
    setRawMode() {},
    ref() {},
    unref() {},
    resume() {},
    pause() {},
    read(): string | null {
      return stdin.pending.shift() ?? null;
    },
    type(data: string) {
      stdin.pending.push(data);
      stdin.emit("readable");
    },
  });
  const stdout = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns: 80,
    rows: 24,
    written: "",
    write(chunk: string) {
      stdout.written += chunk;
      return true;
    },
  });
  return { stdin, stdout, stderr: stdout };
}

/**
 * Services for screens that never reach a router: an empty workspace and no routers. Screens
 * that do are tested against the lab with `labServices` (test/ui/lab-services.ts).
 */
export function offlineServices(home: HomeData = { routers: [], friends: [] }): Services {
  const dir = tempDir("bgpals-ui-");
  let copied: string | null = null;
  return {
    workspace: { home: dir, peersDir: join(dir, "peers") },
    operator: "alice",
    routers: () => home.routers.map((r) => ({ name: r.name, label: r.host })),
    needsPassword: () => false,
    connect: () => Promise.reject(new Error("offline: no router in this test")),
    connectNew: () => Promise.reject(new Error("offline: no router in this test")),
    platform: routerOs,
    saveRouter: () => undefined,
    loadHome: () => home,
    clipboard: { copy: (text) => void (copied = text), paste: () => copied },
    outputDir: join(dir, "out"),
  };
}
