// What we keep about a friend beyond the peering file: the read-only account their router grants
// our monitor. The password goes to the OS keyring where one works, else into a 0600 file under
// the config home, outside peers/ (which holds no secrets and may be a shared git repository).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseApiEndpoint, type MonitorGrant } from "../core/offer.js";
import { keyring, type SecretStore } from "./secrets.js";
import type { Workspace } from "./workspace.js";

export interface MonitorAccount {
  host: string;
  port: number;
  user: string;
  password: string;
}

interface FriendFile {
  format: "bgpals/friend-monitor@1";
  monitor?: { api: string; user: string; passwordIn: "keyring" | "file"; password?: string };
}

// Not friends/<name>.json: that file holds the friend's public keys (src/store/identity.ts).
export function monitorAccountFile(ws: Workspace, friend: string): string {
  return join(ws.home, "monitor", `${friend}.json`);
}

const monitorSecret = (friend: string) => `monitor:${friend}`;
const pppSecret = (peering: string, link: string) => `ppp:${peering}:${link}`;

function store(ws: Workspace): SecretStore | null {
  return ws.secrets === undefined ? keyring() : ws.secrets;
}

function writePrivate(file: string, value: FriendFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Keeps the account a friend granted us; returns where the password went. */
export function saveFriendMonitorAccount(ws: Workspace, friend: string, grant: MonitorGrant, password: string): "keyring" | "file" {
  const secrets = store(ws);
  let passwordIn: "keyring" | "file" = "file";
  if (secrets !== null) {
    try {
      secrets.set(monitorSecret(friend), password);
      passwordIn = "keyring";
    } catch {
      passwordIn = "file";
    }
  }
  writePrivate(monitorAccountFile(ws, friend), { format: "bgpals/friend-monitor@1", monitor: { api: grant.api, user: grant.user, passwordIn, ...(passwordIn === "file" ? { password } : {}) } });
  return passwordIn;
}

/** The read-only account on the friend's router, for the monitor; null when none was granted. */
export function friendMonitorAccount(ws: Workspace, friend: string): MonitorAccount | null {
  const file = monitorAccountFile(ws, friend);
  if (!existsSync(file)) return null;
  let saved: FriendFile;
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as FriendFile;
  } catch {
    return null;
  }
  const m = saved.monitor;
  const endpoint = m === undefined ? null : parseApiEndpoint(m.api);
  if (m === undefined || endpoint === null) return null;
  const password = m.passwordIn === "keyring" ? store(ws)?.get(monitorSecret(friend)) ?? null : (m.password ?? null);
  if (password === null) return null;
  return { host: endpoint.host, port: endpoint.port, user: m.user, password };
}

export function forgetFriend(ws: Workspace, friend: string): void {
  store(ws)?.delete(monitorSecret(friend));
  rmSync(monitorAccountFile(ws, friend), { force: true });
}

/** PPP passwords go to the keyring only (re-applies read them there or from the environment). */
export function savePppPasswords(ws: Workspace, peering: string, passwords: Record<string, string>): boolean {
  const secrets = store(ws);
  if (secrets === null) return false;
  try {
    for (const [link, password] of Object.entries(passwords)) secrets.set(pppSecret(peering, link), password);
    return true;
  } catch {
    return false;
  }
}

export function savedPppPassword(peering: string, link: string, secrets: SecretStore | null = keyring()): string | null {
  return secrets?.get(pppSecret(peering, link)) ?? null;
}
