// Bracketed paste: the terminal wraps pasted text in ESC[200~ … ESC[201~, so the key hub takes it
// as one paste (a bundle wrapped by a chat window keeps its line breaks from acting as enter).
// It is a terminal mode that outlives the program unless turned off: off again on every way out.
import { writeSync } from "node:fs";

export const PASTE_ON = "\u001B[?2004h";
export const PASTE_OFF = "\u001B[?2004l";

const SIGNALS = ["SIGHUP", "SIGTERM", "SIGINT"] as const;

/** Turns bracketed paste on for `stdout` (a terminal); the returned function turns it off, once. */
export function enableBracketedPaste(stdout: NodeJS.WriteStream): () => void {
  if (!stdout.isTTY) return () => undefined;
  let on = true;
  const off = () => {
    if (!on) return;
    on = false;
    process.off("exit", off);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    // Synchronous: on "exit" nothing asynchronous runs any more.
    try {
      writeSync((stdout as { fd?: number }).fd ?? 1, PASTE_OFF);
    } catch {
      // The terminal is gone (SIGHUP): nothing left to restore.
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const alone = process.listenerCount(signal) === 1;
    off();
    // Where nobody else handles the signal, it ends the program as it would have.
    if (alone) process.kill(process.pid, signal);
  };
  stdout.write(PASTE_ON);
  process.on("exit", off);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return off;
}
