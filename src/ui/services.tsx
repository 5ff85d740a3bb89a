// What the screens need from outside the tree: the operator's workspace, their routers, a way to
// connect, a clipboard. Real runs read profiles and the keyring; the demo passes lab routers;
// tests pass their own. Provided once at the root, so screens never reach for globals.
import { createContext, useContext, type ReactNode } from "react";
import type { Platform, ReadOnlyMode, Router } from "../platforms/platform.js";
import type { Workspace } from "../store/workspace.js";
import type { HomeData } from "./state.js";

export interface RouterChoice {
  name: string;
  /** user@host:port, as the lists show it. */
  label: string;
}

export interface NewRouterProfile {
  name: string;
  host: string;
  port?: number;
  user: string;
  tls: boolean;
  /** A Linux host reached over SSH: it logs in with this key file, or with ssh-agent's keys; never a password. */
  ssh?: { keyFile?: string };
}

export interface Clipboard {
  copy(text: string): void;
  /**
   * What the other operator copied, where one app holds both (the demo: ctrl+v pastes it, and the
   * paste steps say so). None in a real run: there a friend's bundle comes from a chat, and the
   * terminal's own paste arrives as typing.
   */
  paste?: () => string | null;
}

export interface Services {
  workspace: Workspace;
  /** The operator's name from their identity; null until their first offer or accept. */
  operator: string | null;
  routers(): RouterChoice[];
  /** Whether connecting to this router needs a password typed now (none in env or keyring). */
  needsPassword(router: string): boolean;
  connect(router: string, password?: string): Promise<Router>;
  /**
   * The SSH host key this run pinned for the router on its first connection (the profile had none;
   * Home's look may have been that one), for the screens to say so; null when it was pinned before
   * this run (or the router is not SSH).
   */
  pinnedNow?(router: string): string | null;
  /** Connects to a router not saved yet; it is saved by saveRouter once the operator agrees. */
  connectNew(profile: NewRouterProfile, password: string): Promise<Router>;
  /** The platform routers are reached with (a friend's router for the monitor, plan scripts). */
  platform: Platform;
  saveRouter(profile: NewRouterProfile, password: string, fingerprint: string | null): void;
  /** Where saveRouter keeps a router, said when it is saved (default: your router profiles). */
  routersKept?: string;
  loadHome(): HomeData;
  /** Home with live badges from a look at these routers (reachable, peerings up); absent where nothing can be probed. */
  probe?(routers: readonly string[]): Promise<HomeData>;
  /** How often Home looks while it is on screen, in ms (default 30 s). */
  probeEveryMs?: number;
  clipboard: Clipboard;
  /** Where plans and bundles are written when the operator asks to save them. */
  outputDir: string;
  /** bgpals --read-only: the routers refuse writes; the screens say so and refuse the keys that would write. */
  readOnly?: ReadOnlyMode;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices needs <ServicesProvider> above it");
  return services;
}

/** The read-only mode, or undefined (also outside a ServicesProvider: a component drawn alone). */
export function useReadOnly(): ReadOnlyMode | undefined {
  return useContext(ServicesContext)?.readOnly;
}
