// `bgpals demo`: the screens on the built-in lab, with both operators' contexts (alice on RouterOS
// 7.24, remi on 7.19.6) so a newcomer can walk through a whole peering alone. Everything lives in
// a temporary directory that goes when the demo ends.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { join } from "node:path";
import { loadIdentity } from "../store/identity.js";
import { HomeLiveness, homeOf, probedHome } from "../flows/home-status.js";
import type { RouterTarget } from "../platforms/platform.js";
import { readOnlyMode, routerPlatform } from "./read-only.js";
import { featuresOfAnySide } from "../platforms/index.js";
import { workspaceAt } from "../store/workspace.js";
import type { Clipboard, RouterChoice, Services } from "../ui/services.js";
import type { DemoOperator } from "../ui/Demo.js";
import { INK_MAX_FPS } from "../ui/frames.js";
import { enableBracketedPaste } from "../ui/bracketed-paste.js";
import { bindConfiguredKeys } from "./keys.js";
import { newRouterTarget } from "./router.js";

const OPERATORS = ["alice", "remi"] as const;

export async function runDemo(options: { reason?: string; theme?: string } = {}): Promise<void> {
  // An unknown theme or a bad key binding is refused before anything starts.
  const theme = (await import("./theme.js")).screensTheme(options.theme);
  await bindConfiguredKeys();
  const { assertInteractive } = await import("../ui/tty.js");
  assertInteractive({ stdin: process.stdin, stdout: process.stdout, env: process.env });
  const [{ render }, { createElement }, { Demo }] = await Promise.all([import("ink"), import("react"), import("../ui/Demo.js")]);
  sweepStaleDemos();
  const root = mkdtempSync(join(tmpdir(), "bgpals-demo-"));
  // Whose it is: the next demo sweeps it if this one was killed too hard to clean up (SIGKILL).
  writeFileSync(join(root, OWNER), `${process.pid}\n`, { mode: 0o600 });
  // The terminal closing under the demo (SIGHUP), or a kill, ends it too: the directory goes all the same.
  const ended = (signal: NodeJS.Signals) => {
    rmSync(root, { recursive: true, force: true });
    process.exit(128 + osConstants.signals[signal]);
  };
  const SIGNALS = ["SIGHUP", "SIGTERM", "SIGINT"] as const;
  for (const signal of SIGNALS) process.once(signal, ended);
  let stop: () => Promise<void> = async () => undefined;
  const ready = (async () => {
    const { Lab } = await import("../lab/lab.js");
    const lab = await Lab.start({ routers: [...OPERATORS], tickMs: 200, clockFactor: 1, tls: false, ssh: false });
    stop = () => lab.stop();
    // The demo's routers resolve endpoint names in the lab's DNS, not this computer's.
    const resolve = async (name: string) => lab.resolve(name) ?? Promise.reject(new Error("the lab's DNS does not know it"));
    return demoOperators(lab.info().routers, root, resolve);
  })();
  // On before the first frame (and off on every way out, the exit included).
  const pasteOff = enableBracketedPaste(process.stdout);
  const instance = render(createElement(Demo, { ready, reason: options.reason, theme }), { exitOnCtrlC: false, maxFps: INK_MAX_FPS });
  try {
    await instance.waitUntilExit();
  } finally {
    pasteOff();
    await ready.catch(() => undefined);
    await stop();
    rmSync(root, { recursive: true, force: true });
    for (const signal of SIGNALS) process.off(signal, ended);
  }
}

const OWNER = "owner.pid";

/**
 * Removes demo directories left by demos that are gone (killed with SIGKILL, or a crash): each names
 * its process; a directory whose process still runs is another demo's, and stays.
 */
export function sweepStaleDemos(dir: string = tmpdir()): string[] {
  const swept: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith("bgpals-demo-"));
  } catch {
    return swept;
  }
  for (const name of names) {
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, name, OWNER), "utf8").trim());
    } catch {
      // No owner file: made by an older bgpals, or just being made; left alone.
      continue;
    }
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Each operator's services: their own workspace and router, one clipboard shared between them. */
export function demoOperators(routers: ReadonlyArray<{ name: string; version: string; host: string; port: number; user: string; password: string }>, root: string, resolve?: (name: string) => Promise<string>): DemoOperator[] {
  let copied: string | null = null;
  // bgpals --read-only demo: the lab's routers refuse writes like real ones would.
  const platform = routerPlatform();
  const readOnly = readOnlyMode();
  const clipboard: Clipboard = {
    copy: (text) => {
      copied = text;
    },
    paste: () => copied,
  };
  return OPERATORS.map((name) => {
    const info = routers.find((r) => r.name === name);
    if (!info) throw new Error(`the lab has no router ${name}`);
    // The demo's help promises nothing outside its temporary directory: its secrets (the monitor
    // accounts, PPP passwords) go to files there, never to the OS keyring, where they would outlive it.
    const workspace = { ...workspaceAt(join(root, name)), secrets: null };
    loadIdentity(name, workspace.home);
    const target: RouterTarget = { host: info.host, port: info.port, user: info.user, password: info.password, tls: false, knownFingerprint: null };
    const mine: RouterChoice[] = [{ name, label: `${info.user}@${info.host}:${info.port} (lab, RouterOS ${info.version})` }];
    const added = new Map<string, { choice: RouterChoice; target: RouterTarget }>();
    // Home's looks remember the tunnels they saw, so a friend gone silent turns its badge down.
    const liveness = new HomeLiveness();
    const services: Services = {
      workspace,
      operator: name,
      routers: () => [...mine, ...[...added.values()].map((a) => a.choice)],
      needsPassword: () => false,
      connect: async (router, password) => {
        const extra = added.get(router);
        const t = extra ? { ...extra.target, password: password ?? extra.target.password } : target;
        return routerPlatform(t).connect(t, router, { resolve, featuresOf: featuresOfAnySide });
      },
      connectNew: (profile, password) => {
        const t = newRouterTarget(profile, password, null);
        return routerPlatform(t).connect(t, profile.name, { featuresOf: featuresOfAnySide });
      },
      // The lab's routers are RouterOS.
      platform,
      readOnly,
      // The demo keeps added routers for this run only: it never touches the real profiles.
      routersKept: "for this demo only (the demo never writes your profiles: to keep it, quit and run bgpals router add, then bgpals)",
      saveRouter: (profile, password, fingerprint) =>
        void added.set(profile.name, {
          choice: { name: profile.name, label: `${profile.user}@${profile.host}${profile.port ? `:${profile.port}` : ""}` },
          target: newRouterTarget(profile, password, fingerprint),
        }),
      loadHome: () => homeOf(workspace, services.routers()),
      probe: (routers) => probedHome(services, routers, liveness),
      clipboard,
      outputDir: join(workspace.home, "out"),
    };
    return { name, describe: `${name} (RouterOS ${info.version})`, services, home: homeOf(workspace, services.routers()) };
  });
}
