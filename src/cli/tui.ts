// `bgpals` with no command: the screens, fed with the router profiles, the keyring and the peers
// directory. With no router profile at all, the demo opens instead (the built-in lab).
import { identityName } from "../store/identity.js";
import { addProfile, listProfiles, resolveRouter, storedPassword } from "../store/profiles.js";
import { keyring, routerAccount } from "../store/secrets.js";
import { RouterClient } from "../platforms/routeros/api/client.js";
import { defaultWorkspace, peersOf, type RouterConnection, type Workspace } from "../store/workspace.js";
import { probeHome, type HomeHealth } from "../flows/home-status.js";
import type { HomeData } from "../ui/state.js";
import type { Services } from "../ui/services.js";
import { join } from "node:path";

/** Home's lists: routers from profiles, friends from the peers directory (the other side's name). */
export function homeOf(ws: Workspace, routers: Array<{ name: string; label: string }>, health?: HomeHealth): HomeData {
  const me = identityName(ws.home);
  return {
    routers: routers.map((r) => ({ name: r.name, host: r.label, status: health?.routers[r.name] ?? "unknown" })),
    friends: peersOf(ws).map((p) => {
      const names = Object.keys(p.sides);
      const friend = names.find((n) => n !== me) ?? names.join(" ↔ ");
      return { name: friend, peering: p.name, status: health?.peerings[p.name] ?? "unknown" };
    }),
  };
}

/** Probes what can be probed without asking for a password, and returns Home with the badges. */
export async function probedHome(services: Pick<Services, "workspace" | "routers" | "needsPassword" | "connect">): Promise<HomeData> {
  const routers = services.routers();
  const health = await probeHome(
    routers.map((r) => ({ name: r.name, connect: services.needsPassword(r.name) ? null : () => services.connect(r.name) })),
    peersOf(services.workspace),
  );
  return homeOf(services.workspace, routers, health);
}

export function profileServices(write: (data: string) => void): Services {
  const workspace = defaultWorkspace();
  const routers = () =>
    Object.entries(listProfiles()).map(([name, p]) => ({ name, label: `${p.user}@${p.host}:${p.port ?? (p.tls ? 8729 : 8728)}${p.tls ? " API-SSL" : ""}` }));
  const open = async (spec: string, password?: string): Promise<RouterConnection> => {
    const resolved = await resolveRouter(spec, false, password);
    const client = await RouterClient.connect(resolved.target);
    resolved.remember(client.fingerprint);
    return { client, label: spec, target: () => resolved.target, reconnect: () => RouterClient.connect(resolved.target) };
  };
  let last: string | null = null;
  return {
    workspace,
    // Read each time: the first offer or accept creates the identity.
    get operator() {
      return identityName(workspace.home);
    },
    routers,
    needsPassword: (name) => storedPassword(name) === null,
    connect: open,
    connectNew: async (profile, password) => {
      const target = { host: profile.host, port: profile.port, user: profile.user, password, tls: profile.tls, knownFingerprint: null };
      const client = await RouterClient.connect(target);
      const pinned = { ...target, knownFingerprint: client.fingerprint };
      return { client, label: profile.name, target: () => pinned, reconnect: () => RouterClient.connect(pinned) };
    },
    saveRouter: (profile, password, fingerprint) => {
      addProfile(profile.name, { host: profile.host, port: profile.port, user: profile.user, tls: profile.tls, ...(fingerprint ? { fingerprint } : {}) });
      keyring()?.set(routerAccount(profile.name), password);
    },
    loadHome: () => homeOf(workspace, routers()),
    clipboard: {
      copy(text) {
        last = text;
        // OSC 52: most terminals (and tmux with set-clipboard) put this on the system clipboard.
        write(`\u001B]52;c;${Buffer.from(text).toString("base64")}\u0007`);
      },
      paste: () => last,
    },
    outputDir: join(workspace.home, "out"),
  };
}

export async function openTui(): Promise<void> {
  if (Object.keys(listProfiles()).length === 0) {
    const { runDemo } = await import("./demo.js");
    return runDemo({ reason: "no router profile yet: this is the demo on the built-in lab (add your router with r, or bgpals router add)" });
  }
  const { runTui } = await import("../ui/run.js");
  const services = profileServices((data) => process.stdout.write(data));
  services.probe = () => probedHome(services);
  await runTui(services.loadHome(), services);
}
