// Router profiles (conf, file mode 0600) and how a command finds the router and its password.
// Passwords never go into the profile file: they come from BGPALS_PASSWORD_<PROFILE>,
// BGPALS_PASSWORD, the OS keyring (where one works), or a prompt on a terminal.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Conf from "conf";
import type { RouterTarget } from "../core/target.js";
import { configDir } from "./peers.js";
import { UsageError, UserError } from "../errors.js";
import { keyring, routerAccount } from "./secrets.js";

export interface RouterProfile {
  host: string;
  port?: number;
  user: string;
  tls?: boolean;
  /** API-SSL certificate fingerprint pinned on first use. */
  fingerprint?: string;
}

interface Settings {
  routers: Record<string, RouterProfile>;
  /** Pins of routers reached without a profile, by host:port. */
  fingerprints: Record<string, string>;
  /** Keys the user binds to the screens' commands ("monitor.prefer": "P"); the screens check them. */
  keys?: unknown;
  /** The screens' colours: "default" or "mono" (checked where it is used: ui/theme.ts). */
  theme?: unknown;
}

export function settings(): Conf<Settings> {
  return new Conf<Settings>({ cwd: configDir(), configName: "config", configFileMode: 0o600, defaults: { routers: {}, fingerprints: {} } });
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
}

/** A profile's password from the environment or the keyring, without asking; null if neither has it. */
export function storedPassword(profile: string): string | null {
  return process.env[passwordVariable(profile)] || process.env.BGPALS_PASSWORD || keyring()?.get(routerAccount(profile)) || null;
}

/**
 * `--router` is a profile name or user@host[:port]; `--tls` asks for API-SSL on ad-hoc targets.
 * `typed` is a password the screens asked for; without it `ask` is the last resort.
 */
export async function resolveRouter(spec: string | undefined, ask: AskPassword, tls = false, typed?: string): Promise<ResolvedRouter> {
  if (spec === undefined) throw new UsageError("--router is required: a router profile (bgpals router list) or user@host[:port]");
  const store = settings();
  const profile = store.get("routers")[spec];
  if (profile !== undefined) {
    const password = typed ?? storedPassword(spec) ?? (await ask(spec));
    return {
      label: spec,
      target: { host: profile.host, port: profile.port, user: profile.user, password, tls: profile.tls, knownFingerprint: profile.fingerprint ?? null },
      remember: (fingerprint) => {
        if (fingerprint !== null && fingerprint !== profile.fingerprint) store.set(`routers.${spec}`, { ...profile, fingerprint });
      },
    };
  }
  const m = ADHOC.exec(spec);
  if (m?.groups === undefined) {
    throw new UsageError(`--router ${spec}: no such router profile, and not user@host[:port]; profiles: ${Object.keys(store.get("routers")).join(", ") || "(none, add one with bgpals router add)"}`);
  }
  const port = m.groups.port === undefined ? undefined : Number(m.groups.port);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--router ${spec}: port must be 1-65535`);
  const key = `${m.groups.host}:${port ?? (tls ? 8729 : 8728)}`;
  const password = typed ?? (process.env.BGPALS_PASSWORD || (await ask(spec)));
  const pins = store.get("fingerprints");
  return {
    label: spec,
    target: { host: m.groups.host!, port, user: m.groups.user!, password, tls, knownFingerprint: pins[key] ?? null },
    remember: (fingerprint) => {
      if (fingerprint !== null && pins[key] !== fingerprint) store.set("fingerprints", { ...pins, [key]: fingerprint });
    },
  };
}

export function addProfile(name: string, profile: RouterProfile): void {
  if (!PROFILE_NAME.test(name)) throw new UsageError(`router name ${name}: use 1 to 32 letters, digits, '-' or '_'`);
  const store = settings();
  store.set("routers", { ...store.get("routers"), [name]: profile });
}

export function removeProfile(name: string): boolean {
  keyring()?.delete(routerAccount(name));
  const store = settings();
  const routers = { ...store.get("routers") };
  if (routers[name] === undefined) return false;
  delete routers[name];
  store.set("routers", routers);
  return true;
}

export function listProfiles(): Record<string, RouterProfile> {
  return settings().get("routers");
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
