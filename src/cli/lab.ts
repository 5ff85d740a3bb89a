// `bgpals lab`: simulated routers in the foreground; the first line of output says where they are.
import { Lab } from "../lab/lab.js";
import { readFileSync } from "node:fs";
import { personalityFromFile, PersonalityFileError } from "../lab/personality-file.js";
import { PERSONALITIES, type Personality } from "../lab/personalities.js";
import { UsageError, UserError } from "../errors.js";

export interface LabFlags {
  routers?: string;
  /** `name=version[:personality-file.json]`, repeatable. */
  router?: string[];
  /** Checked as the command line was read (flags.ts), as is clockFactor. */
  portBase?: number;
  host?: string;
  clockFactor?: number;
}

/** `--router name=version[:file]` → what the lab starts: a built-in at another version, or a personality. */
function routerFlag(text: string): { name: string; version?: string; personality?: Personality } {
  const m = /^([A-Za-z][A-Za-z0-9_-]{0,30})=(\d+\.\d+(?:\.\d+)?)(?::(.+))?$/.exec(text);
  if (m === null) throw new UsageError(`--router ${text}: use name=version or name=version:personality.json (e.g. dave=7.21.1:dave.json, alice=7.12.2)`);
  const [, name, version, file] = m as unknown as [string, string, string, string | undefined];
  if (file === undefined && PERSONALITIES[name] !== undefined) return { name, version };
  let contents: string | null = null;
  if (file !== undefined) {
    try {
      contents = readFileSync(file, "utf8");
    } catch (e) {
      throw new UsageError(`--router ${text}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
  }
  try {
    return { name, personality: personalityFromFile(name, version, contents, file ?? `--router ${text}`) };
  } catch (e) {
    if (e instanceof PersonalityFileError) throw new UsageError(e.message);
    throw e;
  }
}

export async function labCommand(flags: LabFlags, write: (text: string) => void): Promise<void> {
  const given = (flags.router ?? []).map(routerFlag);
  const listed = flags.routers ?? (given.length === 0 ? "alice,remi,carol" : "");
  const builtIn = listed.split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = builtIn.filter((r) => PERSONALITIES[r] === undefined);
  if (unknown.length > 0) throw new UsageError(`--routers: no lab router named ${unknown.join(", ")}; the lab has ${Object.keys(PERSONALITIES).join(", ")} (others: --router name=version:personality.json)`);
  const routers = [...builtIn, ...given.map((g) => g.name)];
  if (new Set(routers).size !== routers.length) throw new UsageError("--routers and --router name a router twice");
  const versions = Object.fromEntries(given.flatMap((g) => (g.version === undefined ? [] : [[g.name, g.version]])));
  const personalities = Object.fromEntries(given.flatMap((g) => (g.personality === undefined ? [] : [[g.name, g.personality]])));
  const portBase = flags.portBase ?? 0;
  // Each router takes three ports from there (API, API-SSL, SSH).
  if (portBase > 65535 - 3 * routers.length) throw new UsageError(`--port-base ${portBase}: ${routers.length} routers need ports up to ${portBase + 3 * routers.length - 1}; use at most ${65535 - 3 * routers.length}, or 0 for any free ports`);
  const clockFactor = flags.clockFactor ?? 1;

  let lab: Lab;
  try {
    lab = await Lab.start({ routers, portBase, host: flags.host ?? "127.0.0.1", clockFactor, versions, personalities });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UserError(`a port from ${portBase} on is already in use: choose another --port-base, or 0 for free ports`);
    // A built-in router moved to a version the lab cannot run it as (withVersion says which).
    if (e instanceof Error && /the lab moves a RouterOS 7 router only/.test(e.message)) throw new UsageError(`--router: ${e.message}`);
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
