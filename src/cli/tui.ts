// `bgpals` with no command: the screens, fed with the router profiles, the keyring and the peers
// directory. With no router profile at all, the demo opens instead (the built-in lab).
import { identityName } from "../store/identity.js";
import { HomeLiveness, homeOf, probedHome } from "../flows/home-status.js";
import { addProfile, listProfiles, profileAddress, resolveRouter, storedPassword } from "../store/profiles.js";
import { screensTheme } from "./theme.js";
import { keyringAllowed } from "../store/keyring-switch.js";
import { keyring, routerAccount } from "../store/secrets.js";
import type { Router } from "../platforms/platform.js";
import { featuresOfAnySide } from "../platforms/index.js";
import { defaultWorkspace } from "../store/workspace.js";
import { bindConfiguredKeys } from "./keys.js";
import { promptPassword } from "./prompt.js";
import { readOnlyMode, routerPlatform } from "./read-only.js";
import { endpointResolver, journals, newRouterTarget } from "./router.js";
import type { Services } from "../ui/services.js";
import { join } from "node:path";

export function profileServices(write: (data: string) => void): Services {
  const workspace = defaultWorkspace();
  // Read-only, every router the screens open refuses writes; the screens say so and hide the keys that write.
  const readOnly = readOnlyMode();
  const platform = routerPlatform();
  const routers = () =>
    Object.entries(listProfiles()).map(([name, p]) => ({ name, label: `${profileAddress(p)}${p.tls ? " API-SSL" : ""}` }));
  // Passwords typed on the screens, for this run only (never written): asked once per router.
  const typed = new Map<string, string>();
  const open = async (spec: string, password?: string): Promise<Router> => {
    const resolved = await resolveRouter(spec, promptPassword, false, password ?? typed.get(spec));
    // Runs from the screens journal their writes too: a crash is undone by the next command.
    const router = await routerPlatform(resolved.target).connect(resolved.target, spec, { journals: journals(), resolve: endpointResolver(undefined), featuresOf: featuresOfAnySide });
    // Kept once it worked: a wrong one is asked again.
    if (password !== undefined) typed.set(spec, password);
    try {
      resolved.remember(router.fingerprint);
    } catch (e) {
      await router.close().catch(() => undefined);
      throw e;
    }
    // A host key met for the first time is trusted from now on: the screens say so, with the key.
    if (resolved.target.transport === "ssh" && router.fingerprint !== null && !resolved.target.knownFingerprint) pinned.set(spec, router.fingerprint);
    return router;
  };
  const pinned = new Map<string, string>();
  return {
    workspace,
    // Read each time: the first offer or accept creates the identity.
    get operator() {
      return identityName(workspace.home);
    },
    routers,
    // A Linux host logs in with a key: never a password to ask for.
    needsPassword: (name) => listProfiles()[name]?.ssh !== true && storedPassword(name) === null && !typed.has(name),
    connect: open,
    pinnedNow: (name) => pinned.get(name) ?? null,
    connectNew: (profile, password) => {
      const target = newRouterTarget(profile, password, null);
      return routerPlatform(target).connect(target, profile.name, { journals: journals(), resolve: endpointResolver(undefined), featuresOf: featuresOfAnySide });
    },
    // Plan scripts and the monitor's words on the screens: RouterOS's, the platform peerings are made on.
    platform,
    readOnly,
    saveRouter: (profile, password, fingerprint) => {
      if (profile.ssh !== undefined) {
        const target = newRouterTarget(profile, "", fingerprint);
        return addProfile(profile.name, { host: profile.host, ...(profile.port === undefined ? {} : { port: profile.port }), user: profile.user, ssh: true, ...(target.keyFile === undefined ? {} : { keyFile: target.keyFile }), ...(fingerprint ? { fingerprint } : {}) });
      }
      addProfile(profile.name, { host: profile.host, port: profile.port, user: profile.user, tls: profile.tls, ...(fingerprint ? { fingerprint } : {}) });
      keyring(workspace.home)?.set(routerAccount(profile.name), password);
    },
    loadHome: () => homeOf(workspace, routers()),
    clipboard: {
      copy(text) {
        // OSC 52: most terminals (and tmux with set-clipboard) put this on the system clipboard.
        write(`\u001B]52;c;${Buffer.from(text).toString("base64")}\u0007`);
      },
    },
    outputDir: join(workspace.home, "out"),
  };
}

export async function openTui(flags: { theme?: string } = {}): Promise<void> {
  // A bad BGPALS_KEYRING is said here, not by a screen that asks the keyring for a password.
  keyringAllowed();
  const theme = screensTheme(flags.theme);
  await bindConfiguredKeys();
  if (Object.keys(listProfiles()).length === 0) {
    const { runDemo } = await import("./demo.js");
    return runDemo({ reason: "no router profile yet: this is the demo on the built-in lab; to use your own router, quit and run bgpals router add", theme: flags.theme });
  }
  const { runTui } = await import("../ui/run.js");
  const services = profileServices((data) => process.stdout.write(data));
  // Home's looks remember the tunnels they saw, so a friend gone silent turns its badge down.
  const liveness = new HomeLiveness();
  services.probe = (routers) => probedHome(services, routers, liveness);
  await runTui(services.loadHome(), services, {}, { theme });
}
