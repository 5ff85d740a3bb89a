// Services for screen tests that reach a router: each operator gets a workspace and their lab
// router, connected through the real client over the real protocol.
import { tempDir } from "../helpers.js";
import { join } from "node:path";
import { identityName, loadIdentity } from "../../src/store/identity.js";
import { homeOf } from "../../src/flows/home-status.js";
import { workspaceAt } from "../../src/store/workspace.js";
import type { Lab } from "../../src/lab/lab.js";
import type { RouterTarget } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import type { NewRouterProfile, Services } from "../../src/ui/services.js";

export interface LabServices extends Services {
  saved: Array<{ profile: NewRouterProfile; fingerprint: string | null }>;
}

/** `operator` null: no identity yet (the screens ask for a name). */
export function labServices(lab: Lab, router: string, operator: string | null, shared?: { copied: string | null }): LabServices {
  const info = lab.info().routers.find((r) => r.name === router);
  if (!info) throw new Error(`no lab router ${router}`);
  const workspace = workspaceAt(tempDir(`bgpals-ui-${router}-`));
  if (operator !== null) loadIdentity(operator, workspace.home);
  const target: RouterTarget = { host: info.host, port: info.port, user: info.user, password: info.password, tls: false, knownFingerprint: null };
  const clip = shared ?? { copied: null };
  const saved: LabServices["saved"] = [];
  const services: LabServices = {
    saved,
    workspace,
    // As in real runs: the identity file names the operator once the first offer or accept made it.
    get operator() {
      return identityName(workspace.home);
    },
    routers: () => [{ name: "home", label: `${info.user}@${info.host}:${info.port}` }],
    needsPassword: () => false,
    connect: (_router, password) => routerOs.connect(password === undefined ? target : { ...target, password }, "home"),
    connectNew: (profile, password) => {
      const t: RouterTarget = { host: profile.host, port: profile.port, user: profile.user, password, tls: profile.tls, knownFingerprint: null };
      return routerOs.connect(t, profile.name);
    },
    platform: routerOs,
    saveRouter: (profile, _password, fingerprint) => void saved.push({ profile, fingerprint }),
    loadHome: () => homeOf(workspace, services.routers()),
    clipboard: { copy: (text) => void (clip.copied = text), paste: () => clip.copied },
    outputDir: join(workspace.home, "out"),
  };
  return services;
}
