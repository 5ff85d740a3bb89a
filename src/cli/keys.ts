// The keys of the config file, bound before any screen is drawn. A bad entry stops the start with
// a message naming it (exit 1): keys that do something other than what the hints say are worse.
import { configuredKeys } from "../store/profiles.js";

export async function bindConfiguredKeys(): Promise<void> {
  const { file, keys } = configuredKeys();
  const { bindKeys, parseKeyBindings } = await import("../ui/keymap.js");
  bindKeys(parseKeyBindings(keys, `${file}: keys`));
}
