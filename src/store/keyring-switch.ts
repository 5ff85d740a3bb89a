// BGPALS_KEYRING: whether bgpals may use the OS keyring. Apart from secrets.ts, small, so the screens'
// start can check it before any screen opens (an error there is a message, not a screen that breaks).
import { UserError } from "../errors.js";

/** Whether BGPALS_KEYRING lets bgpals use the OS keyring (unset or "on"); any other word is refused. */
export function keyringAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.BGPALS_KEYRING ?? "").trim().toLowerCase();
  if (["", "on", "yes", "true", "1"].includes(value)) return true;
  if (["off", "no", "false", "0"].includes(value)) return false;
  throw new UserError(`BGPALS_KEYRING=${env.BGPALS_KEYRING}: use off (never the OS keyring: secrets go to files sealed in the config home) or on (the default)`);
}
