// Read-only mode: --read-only, BGPALS_READ_ONLY=1, or "readOnly": true in the config file. Every
// router is then opened through a platform that refuses writes (platforms/platform.ts
// readOnlyRouter), and below it the API client sends only commands that read.
import { readOnlyPlatform, type Platform, type ReadOnlyMode } from "../platforms/platform.js";
import { platformForTarget } from "../platforms/index.js";
import type { RouterTarget } from "../platforms/platform.js";
import { readOnlySetting, settingsFile } from "../store/profiles.js";
import { readOnlyFlagGiven } from "./read-only-flag.js";

const OFF = /^(0|false|no|off)$/i;

/** The mode and how to leave it, or undefined when bgpals may write. BGPALS_READ_ONLY=0 overrides the config file. */
export function readOnlyMode(env: NodeJS.ProcessEnv = process.env): ReadOnlyMode | undefined {
  if (readOnlyFlagGiven()) return { leave: "run without --read-only" };
  const variable = env.BGPALS_READ_ONLY;
  if (variable !== undefined && variable !== "") {
    return OFF.test(variable.trim()) ? undefined : { leave: "run without --read-only (BGPALS_READ_ONLY is set)" };
  }
  if (readOnlySetting()) return { leave: `run without --read-only ("readOnly": true in ${settingsFile()}; BGPALS_READ_ONLY=0 overrides it for one run)` };
  return undefined;
}

/** The platform a router is opened with (by how it is reached: `ssh://` is Linux): read-only in read-only mode. */
export function routerPlatform(target: Partial<RouterTarget> = {}): Platform {
  const mode = readOnlyMode();
  const platform = platformForTarget(target);
  return mode === undefined ? platform : readOnlyPlatform(platform, mode);
}
