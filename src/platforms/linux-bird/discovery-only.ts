// A stand-in for the linux-bird Platform while only discovery is built: it connects and discovers,
// and says so for the rest. The full platform (src/platforms/linux-bird/index.ts: features,
// render, plan script) replaces it in the registry (src/platforms/index.ts).
import { UserError } from "../../errors.js";
import type { Platform } from "../platform.js";
import { connectLinuxBird } from "./router.js";
import { LINUX_SSH_PORT } from "./ssh.js";

const NOT_YET = "this version of bgpals only discovers Linux hosts (bgpals inventory); peerings on Linux are not built yet";

export const linuxBirdDiscoveryOnly: Platform = {
  name: "Linux + BIRD",
  os: "linux",
  featuresOf: () => ({ unsupported: NOT_YET }),
  apiPort: LINUX_SSH_PORT,
  monitorAccountName: (peering: string) => `bgpals-${peering}`,
  connect: (target, label, options) => connectLinuxBird(target, label, { ...options, platform: linuxBirdDiscoveryOnly }),
  render: () => {
    throw new UserError(NOT_YET);
  },
  planScript: () => {
    throw new UserError(NOT_YET);
  },
};
