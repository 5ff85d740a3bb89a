// Asking for a router's password on the terminal, without echo. Never waits without a terminal:
// it says which variable to set instead.
import { UsageError, UserError } from "../errors.js";
import { passwordVariable } from "../store/profiles.js";

export async function promptPassword(label: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new UsageError(`no password for ${label}: set BGPALS_PASSWORD (or ${passwordVariable(label)} for a profile); bgpals does not prompt without a terminal`);
  }
  return promptSecret(`password for ${label}: `, "BGPALS_PASSWORD");
}

/** Asks for a secret on the terminal, without echo; without one, says which variable to set. */
export async function promptSecret(question: string, variable: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) throw new UsageError(`${question.replace(/: $/, "")}: set ${variable}; bgpals does not prompt without a terminal`);
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(typed);
          return;
        }
        if (ch === "\u0003") {
          done();
          reject(new UserError("cancelled"));
          return;
        }
        typed = ch === "\u007f" ? typed.slice(0, -1) : typed + ch;
      }
    };
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
    };
    stdin.on("data", onData);
  });
}

