// What we keep about a friend beyond the peering file: the read-only account their router grants
// our monitor. The password goes to the OS keyring where one works, else sealed with the identity
// key in the config home (secrets.json); the account's address and user go to a 0600 file under the
// config home, outside peers/ (which holds no secrets and may be a shared git repository).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseApiEndpoint, type MonitorGrant } from "../core/offer.js";
import { existingIdentity } from "./identity.js";
import { osKeyring, scopedTo, type SecretStore } from "./secrets.js";
import { vaultAt } from "./vault.js";
import type { Workspace } from "./workspace.js";

export interface MonitorAccount {
  host: string;
  port: number;
  user: string;
  password: string;
}

interface FriendFile {
  format: "bgpals/friend-monitor@1";
  /** `password` is what versions before the sealed file wrote where no keyring worked: moved to it when read. */
  monitor?: { api: string; user: string; passwordIn: "keyring" | "file"; password?: string };
}

// Not friends/<name>.json: that file holds the friend's public keys (src/store/identity.ts).
export function monitorAccountFile(ws: Workspace, friend: string): string {
  return join(ws.home, "monitor", `${friend}.json`);
}

const monitorSecret = (friend: string) => `monitor:${friend}`;
const pppSecret = (peering: string, link: string) => `ppp:${peering}:${link}`;

/** The workspace's store (the OS keyring unless it names another), its accounts named for its home. */
function store(ws: Workspace): SecretStore | null {
  const chosen = ws.secrets === undefined ? osKeyring() : ws.secrets;
  return chosen === null ? null : scopedTo(ws.home, chosen);
}

function writePrivate(file: string, value: FriendFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Keeps the account a friend granted us; returns where the password went (the keyring, the sealed
 * file) or null when neither could take it (no identity yet: accept and complete have one).
 */
export function saveFriendMonitorAccount(ws: Workspace, friend: string, grant: MonitorGrant, password: string): KeptIn {
  const kept = keep(ws, { [monitorSecret(friend)]: password });
  if (kept === null) return null;
  writePrivate(monitorAccountFile(ws, friend), { format: "bgpals/friend-monitor@1", monitor: { api: grant.api, user: grant.user, passwordIn: kept } });
  return kept;
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
  let password = recall(ws, monitorSecret(friend));
  if (password === null && typeof m.password === "string") {
    password = m.password;
    // Written in plain by an earlier version: sealed now, and the plain copy gone, where it can be.
    const kept = keep(ws, { [monitorSecret(friend)]: password });
    if (kept !== null) writePrivate(file, { format: saved.format, monitor: { api: m.api, user: m.user, passwordIn: kept } });
  }
  if (password === null) return null;
  return { host: endpoint.host, port: endpoint.port, user: m.user, password };
}

export function forgetFriend(ws: Workspace, friend: string): void {
  store(ws)?.delete(monitorSecret(friend));
  vault(ws)?.delete(monitorSecret(friend));
  rmSync(monitorAccountFile(ws, friend), { force: true });
}

/** Where a secret went: the OS keyring, the sealed file of the config home, or nowhere (no keyring and no identity). */
export type KeptIn = "keyring" | "file" | null;

/** The sealed file of the config home, when it has an identity to seal with. */
function vault(ws: Workspace): SecretStore | null {
  const identity = existingIdentity(ws.home);
  return identity === null ? null : vaultAt(ws.home, identity);
}

/** Keeps secrets in the keyring where one works, else sealed with the identity key in the config home. */
function keep(ws: Workspace, entries: Record<string, string>): KeptIn {
  const secrets = store(ws);
  if (secrets !== null) {
    try {
      for (const [account, value] of Object.entries(entries)) secrets.set(account, value);
      return "keyring";
    } catch {
      // a keyring that fails on write: the file below
    }
  }
  const file = vault(ws);
  if (file === null) return null;
  for (const [account, value] of Object.entries(entries)) file.set(account, value);
  return "file";
}

function recall(ws: Workspace, account: string): string | null {
  return store(ws)?.get(account) ?? vault(ws)?.get(account) ?? null;
}

/** PPP passwords (re-applies need them: RouterOS never shows one back). */
export function savePppPasswords(ws: Workspace, peering: string, passwords: Record<string, string>): KeptIn {
  return keep(ws, Object.fromEntries(Object.entries(passwords).map(([link, password]) => [pppSecret(peering, link), password])));
}

export function savedPppPassword(ws: Workspace, peering: string, link: string): string | null {
  return recall(ws, pppSecret(peering, link));
}

const grantedSecret = (peering: string) => `monitor-granted:${peering}`;

/** The password of the read-only account this side granted its friend: undo of a removal puts the account back with it. */
export function saveGrantedMonitorPassword(ws: Workspace, peering: string, password: string): KeptIn {
  return keep(ws, { [grantedSecret(peering)]: password });
}

export function grantedMonitorPassword(ws: Workspace, peering: string): string | null {
  return recall(ws, grantedSecret(peering));
}
