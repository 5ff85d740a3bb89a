// Router profiles (conf, file mode 0600) and how a command finds the router and its password.
// Passwords never go into the profile file: they come from BGPALS_PASSWORD_<PROFILE>,
// BGPALS_PASSWORD, the OS keyring (where one works), or a prompt on a terminal. A Linux host is
// reached over SSH (`ssh://user@host[:port]`) with a key (--key, or ssh-agent): no password at all.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Conf from "conf";
import type { RouterTarget } from "../core/target.js";
import { configDir } from "./peers.js";
import { UsageError, UserError } from "../errors.js";
import { keyring, routerAccount } from "./secrets.js";
import { knownHostKey, knownHostsFile, rememberHostKey } from "./known-hosts.js";

export interface RouterProfile {
  host: string;
  port?: number;
  user: string;
  tls?: boolean;
  /** A Linux host reached over SSH (ssh://user@host[:port]) instead of the RouterOS API. */
  ssh?: boolean;
  /** SSH: the private key file to log in with (else ssh-agent). */
  keyFile?: string;
  /** API-SSL certificate fingerprint (SSH: host key fingerprint) pinned on first use. */
  fingerprint?: string;
}

export const SSH_DEFAULT_PORT = 22;

interface Settings {
  routers: Record<string, RouterProfile>;
  /** Pins of routers reached without a profile, by host:port. */
  fingerprints: Record<string, string>;
  /** Keys the user binds to the screens' commands ("monitor.prefer": "P"); the screens check them. */
  keys?: unknown;
  /** The screens' colours: "default" or "mono" (checked where it is used: ui/theme.ts). */
  theme?: unknown;
}

/** The config file for writing: conf writes its defaults when it opens a missing file, so reads use `stored`. */
export function settings(): Conf<Settings> {
  // conf (with ajv and semver: a fifth of the code a command parses) loaded only when bgpals writes
  // the file; a require of an ES module, which Node does since 20.19 (package.json's engines).
  const { default: Conf } = createRequire(import.meta.url)("conf") as typeof import("conf");
  return new Conf<Settings>({ cwd: configDir(), configName: "config", configFileMode: 0o600, defaults: { routers: {}, fingerprints: {} } });
}

/**
 * `routers` or `fingerprints` as the config file holds them, empty when the file or entry is
 * absent; read without opening conf, so a command that only reads (or is refused) creates no file.
 */
function stored<K extends "routers" | "fingerprints">(name: K): Settings[K] {
  const { file, value } = configEntry(name);
  if (value === undefined) return {} as Settings[K];
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UserError(`${file}: ${name} must be an object, not ${JSON.stringify(value)}`);
  return value as Settings[K];
}

/**
 * One top-level entry of the config file as written (undefined when the file or the entry is
 * absent), and where the file is, for the message about a bad value. Read without conf, which would
 * write the file's defaults (the demo writes nothing of the user's).
 */
export function configEntry(name: string): { file: string; value: unknown } {
  const file = settingsFile();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { file, value: undefined };
    throw new UserError(`${file}: cannot read it: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message}); fix it or move it away`);
  }
  return { file, value: parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>)[name] : undefined };
}

/** The config file's `"keys"` as written, and where the file is. */
export function configuredKeys(): { file: string; keys: unknown } {
  const { file, value } = configEntry("keys");
  return { file, keys: value };
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const ADHOC = /^(?<user>[^@\s]+)@(?<host>\[[0-9a-fA-F:]+\]|[^:\s]+)(?::(?<port>\d{1,5}))?$/;
const SSH_URL = /^ssh:\/\/(?:(?<user>[^@\s/]+)@)?(?<host>\[[0-9a-fA-F:]+\]|[^:\s/@[\]]+)(?::(?<port>\d{1,5}))?\/?$/;

/** A router as `ssh://user@host[:port]`, or null when `spec` is not an ssh:// address; throws when it is one, badly written. */
export function parseSshAddress(spec: string): { user: string; host: string; port?: number } | null {
  if (!spec.startsWith("ssh://")) return null;
  const m = SSH_URL.exec(spec);
  if (m?.groups === undefined) throw new UsageError(`${spec}: write a Linux host as ssh://user@host[:port], e.g. ssh://root@192.0.2.1:22`);
  if (m.groups.user === undefined) throw new UsageError(`${spec}: say who logs in: ssh://root@${m.groups.host}${m.groups.port ? `:${m.groups.port}` : ""} (root, or a user with passwordless sudo)`);
  const port = m.groups.port === undefined ? undefined : Number(m.groups.port);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`${spec}: port must be 1-65535`);
  // An IPv6 address is bracketed in the address only.
  return { user: m.groups.user, host: m.groups.host!.replace(/^\[(.*)\]$/, "$1"), ...(port === undefined ? {} : { port }) };
}

/** How a profile or target is written for people: user@host:port, or ssh://user@host:port. */
export function profileAddress(p: RouterProfile): string {
  if (p.ssh) return `ssh://${p.user}@${p.host}:${p.port ?? SSH_DEFAULT_PORT}`;
  return `${p.user}@${p.host}:${p.port ?? (p.tls ? 8729 : 8728)}`;
}

export function passwordVariable(profile: string): string {
  return `BGPALS_PASSWORD_${profile.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** Asks for a password when none is stored (a terminal prompt); throws when it cannot ask. */
export type AskPassword = (label: string) => Promise<string>;

export interface ResolvedRouter {
  /** Profile name, or user@host:port. */
  label: string;
  target: RouterTarget;
  /** Stores a newly pinned fingerprint where it belongs. */
  remember(fingerprint: string | null): void;
  /** Where the pin is kept, for messages: "router profile pi", or the known_hosts file. */
  pinnedIn?: string;
}

/** A profile's password from the environment or the keyring, without asking; null if neither has it. */
export function storedPassword(profile: string): string | null {
  return process.env[passwordVariable(profile)] || process.env.BGPALS_PASSWORD || keyring(configDir())?.get(routerAccount(profile)) || null;
}

/**
 * `--router` is a profile name, user@host[:port] (RouterOS) or ssh://user@host[:port] (a Linux host);
 * `--tls` asks for API-SSL on ad-hoc RouterOS targets, `keyFile` (--key) is an SSH key. `typed` is a
 * password the screens asked for; without it `ask` is the last resort.
 */
export async function resolveRouter(spec: string | undefined, ask: AskPassword, tls = false, typed?: string, keyFile?: string): Promise<ResolvedRouter> {
  if (spec === undefined) throw new UsageError("--router is required: a router profile (bgpals router list), user@host[:port], or ssh://user@host[:port] for a Linux host");
  const routers = stored("routers");
  const profile = Object.hasOwn(routers, spec) ? routers[spec] : undefined;
  const ssh = profile === undefined ? parseSshAddress(spec) : profile.ssh ? { host: profile.host, port: profile.port, user: profile.user } : null;
  if (ssh === null && keyFile !== undefined) throw new UsageError(`--key is for Linux hosts over SSH (ssh://user@host[:port], or an SSH router profile); ${spec} is a RouterOS router`);
  if (ssh !== null) {
    if (tls) throw new UsageError(`--tls is for the RouterOS API; ${spec} is reached over SSH`);
    const key = keyFile ?? profile?.keyFile;
    const port = ssh.port ?? SSH_DEFAULT_PORT;
    const target: RouterTarget = { transport: "ssh", host: ssh.host, port, user: ssh.user, password: "", ...(key === undefined ? {} : { keyFile: key }) };
    if (profile !== undefined) {
      return {
        label: spec,
        target: { ...target, knownFingerprint: profile.fingerprint ?? null },
        remember: (fingerprint) => {
          if (fingerprint !== null && fingerprint !== profile.fingerprint) settings().set(`routers.${spec}`, { ...profile, fingerprint });
        },
        pinnedIn: `router profile ${spec}`,
      };
    }
    const known = knownHostKey(ssh.host, port);
    return {
      label: spec,
      target: { ...target, knownFingerprint: known },
      remember: (fingerprint) => {
        if (fingerprint !== null && fingerprint !== known) rememberHostKey(ssh.host, port, fingerprint);
      },
      pinnedIn: knownHostsFile(),
    };
  }
  if (profile !== undefined) {
    const password = typed ?? storedPassword(spec) ?? (await ask(spec));
    return {
      label: spec,
      target: { host: profile.host, port: profile.port, user: profile.user, password, tls: profile.tls, knownFingerprint: profile.fingerprint ?? null },
      remember: (fingerprint) => {
        if (fingerprint !== null && fingerprint !== profile.fingerprint) settings().set(`routers.${spec}`, { ...profile, fingerprint });
      },
    };
  }
  const m = ADHOC.exec(spec);
  if (m?.groups === undefined) {
    throw new UsageError(`--router ${spec}: no such router profile, and not user@host[:port] or ssh://user@host[:port]; profiles: ${Object.keys(routers).join(", ") || "(none, add one with bgpals router add)"}`);
  }
  const port = m.groups.port === undefined ? undefined : Number(m.groups.port);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--router ${spec}: port must be 1-65535`);
  const key = `${m.groups.host}:${port ?? (tls ? 8729 : 8728)}`;
  const password = typed ?? (process.env.BGPALS_PASSWORD || (await ask(spec)));
  const pins = stored("fingerprints");
  return {
    label: spec,
    target: { host: m.groups.host!, port, user: m.groups.user!, password, tls, knownFingerprint: pins[key] ?? null },
    remember: (fingerprint) => {
      if (fingerprint !== null && pins[key] !== fingerprint) rememberFingerprint(key, fingerprint);
    },
  };
}

export function addProfile(name: string, profile: RouterProfile): void {
  if (!PROFILE_NAME.test(name)) throw new UsageError(`router name ${name}: use 1 to 32 letters, digits, '-' or '_'`);
  const store = settings();
  store.set("routers", { ...store.get("routers"), [name]: profile });
}

export function removeProfile(name: string): boolean {
  keyring(configDir())?.delete(routerAccount(name));
  if (!Object.hasOwn(stored("routers"), name)) return false;
  const store = settings();
  const routers = { ...store.get("routers") };
  delete routers[name];
  store.set("routers", routers);
  return true;
}

/** Pins of routers reached without a profile, by key ("host:port", "ssh:host:port"). */
export function storedFingerprints(): Record<string, string> {
  return stored("fingerprints");
}

/** Pins `fingerprint` under `key`, creating the config file if need be. */
export function rememberFingerprint(key: string, fingerprint: string): void {
  const store = settings();
  store.set("fingerprints", { ...store.get("fingerprints"), [key]: fingerprint });
}

export function listProfiles(): Record<string, RouterProfile> {
  return stored("routers");
}

/** The config file: router profiles, pins and settings (what settings() reads and writes). */
export function settingsFile(): string {
  return join(configDir(), "config.json");
}

/**
 * `"readOnly": true` in the config file: bgpals never writes to a router, as with --read-only.
 * Read without settings(), which would create the file.
 */
export function readOnlySetting(): boolean {
  const { file, value } = configEntry("readOnly");
  if (value === undefined || typeof value === "boolean") return value === true;
  throw new UserError(`${file}: readOnly must be true or false, not ${JSON.stringify(value)}`);
}

/** The config file's `theme` as written there (undefined when unset), and the file, for a message. */
export function themeSetting(): { value: unknown; file: string } {
  return configEntry("theme");
}
