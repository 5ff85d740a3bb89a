// What an operator's flows read and write locally: the config home (identity, seen bundles,
// pending offers) and the peers directory. Passed explicitly so the demo can run two operators
// in one process.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Peering } from "../core/peering.js";
import { configDir, defaultPeersDir, loadPeersDirectory } from "./peers.js";
import type { SecretStore } from "./secrets.js";

export interface Workspace {
  home: string;
  peersDir: string;
  /**
   * Where secrets that must outlive a run go (a friend's monitor password, PPP passwords):
   * undefined asks the OS keyring, null means none (0600 file under `home` instead, or nothing).
   */
  secrets?: SecretStore | null;
}

export function defaultWorkspace(peersDir?: string): Workspace {
  return { home: configDir(), peersDir: peersDir ?? defaultPeersDir() };
}

export function workspaceAt(home: string): Workspace {
  return { home, peersDir: join(home, "peers") };
}

export function peersOf(ws: Workspace, exclude?: string): Peering[] {
  return loadPeersDirectory(ws.peersDir, exclude);
}

export function peeringFile(ws: Workspace, friend: string): string {
  return join(ws.peersDir, `${friend}.json`);
}

export function savePeering(ws: Workspace, friend: string, peering: Peering): string {
  mkdirSync(ws.peersDir, { recursive: true });
  const file = peeringFile(ws, friend);
  writeFileSync(file, `${JSON.stringify(peering, null, 2)}\n`);
  return file;
}

export function forgetPeering(ws: Workspace, friend: string): void {
  rmSync(peeringFile(ws, friend), { force: true });
}
