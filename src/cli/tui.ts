// `bgpals` with no command: the screens, fed with the router profiles and the peers directory.
import { defaultPeersDir, loadPeersDirectory } from "./files.js";
import { listProfiles } from "./profiles.js";

export async function openTui(): Promise<void> {
  const { runTui } = await import("../ui/run.js");
  const routers = Object.entries(listProfiles()).map(([name, p]) => ({ name, host: `${p.user}@${p.host}`, status: "unknown" as const }));
  const friends = loadPeersDirectory(defaultPeersDir()).map((p) => ({ name: Object.keys(p.sides).join(" ↔ "), peering: p.name, status: "unknown" as const }));
  await runTui({ routers, friends });
}
