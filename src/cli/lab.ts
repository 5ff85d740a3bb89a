// `bgpals lab`: simulated routers in the foreground; the first line of output says where they are.
import { Lab } from "../lab/lab.js";
import { PERSONALITIES } from "../lab/personalities.js";
import { UsageError, UserError } from "../errors.js";

export interface LabFlags {
  routers?: string;
  /** Checked as the command line was read (flags.ts), as is clockFactor. */
  portBase?: number;
  host?: string;
  clockFactor?: number;
}

export async function labCommand(flags: LabFlags, write: (text: string) => void): Promise<void> {
  const routers = (flags.routers ?? "alice,remi,carol").split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = routers.filter((r) => PERSONALITIES[r] === undefined);
  if (unknown.length > 0) throw new UsageError(`--routers: no lab router named ${unknown.join(", ")}; the lab has ${Object.keys(PERSONALITIES).join(", ")}`);
  if (new Set(routers).size !== routers.length) throw new UsageError("--routers names a router twice");
  const portBase = flags.portBase ?? 0;
  // Each router takes three ports from there (API, API-SSL, SSH).
  if (portBase > 65535 - 3 * routers.length) throw new UsageError(`--port-base ${portBase}: ${routers.length} routers need ports up to ${portBase + 3 * routers.length - 1}; use at most ${65535 - 3 * routers.length}, or 0 for any free ports`);
  const clockFactor = flags.clockFactor ?? 1;

  let lab: Lab;
  try {
    lab = await Lab.start({ routers, portBase, host: flags.host ?? "127.0.0.1", clockFactor });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UserError(`a port from ${portBase} on is already in use: choose another --port-base, or 0 for free ports`);
    throw e;
  }
  write(`${JSON.stringify(lab.info())}\n`);
  process.stderr.write(`bgpals lab: ${routers.length} simulated router${routers.length > 1 ? "s" : ""} running on ${flags.host ?? "127.0.0.1"}; Ctrl-C stops them\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await lab.stop();
  process.stderr.write("bgpals lab: stopped\n");
}
