// SSH to a Linux host: the only way bgpals reaches one. A command's output and exit status come
// back as they are (a Linux command says "no" with its exit status, not with an error); files are
// read and written whole, a write through a temporary file and a rename so no reader ever sees
// half of one. Commands run as root: directly when the login is root, under `sudo -n` otherwise
// (found out once, at login). The host key is pinned on first use: a different key is refused
// during key exchange, before the key that logs in is offered.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ssh2 } from "../ssh2.js";
import type { Client, ClientChannel, ConnectConfig, ParsedKey } from "ssh2";
import { RouterError, type RouterErrorDetails, type RouterErrorKind } from "../../errors.js";

export const LINUX_SSH_PORT = 22;
export const DEFAULT_TIMEOUT_MS = 10_000;
// What a host prints for one command bgpals runs (a routing table, a ruleset) stays far below this.
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
// Commands run at once on one connection: sshd refuses channels beyond MaxSessions (10 by default).
const MAX_CHANNELS = 4;

export interface LinuxSshTarget {
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  readonly user: string;
  /** A private key file; it wins over ssh-agent. */
  readonly keyFile?: string;
  /** Host key fingerprint stored on first use (`SHA256:...`); null or absent accepts any key and reports it. */
  readonly knownHostKey?: string | null;
  /** Limit for connecting and for each command's silence; default 10 s. */
  readonly timeoutMs?: number;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** The exit status; null when a signal ended the command. */
  code: number | null;
}

export interface RunOptions {
  /** Sent to the command's standard input, then closed. */
  stdin?: string | Buffer;
  /** Set in the command's environment (through env(1): sshd would drop them otherwise). */
  env?: Readonly<Record<string, string>>;
  /** Run as the login user, without sudo. */
  asLoginUser?: boolean;
}

/** The fingerprint of a raw key blob as OpenSSH prints it: `SHA256:` and unpadded base64. */
export function keyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** A stored fingerprint in the OpenSSH form, whether written with padding or without the prefix. */
export function normalizeFingerprint(text: string): string {
  return `SHA256:${text.trim().replace(/^sha256:/i, "").replace(/=+$/, "")}`;
}

/** One word for sh: single-quoted unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

const at = (e: Endpoint) => `${e.user}@${e.host}:${e.port}`;

/** The private key of `--key`, read and checked here so a bad file is named before connecting. */
export function readKeyFile(file: string): { key: Buffer; fingerprint: string } {
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (e as Error).message;
    throw new RouterError("bad-credentials", `cannot read the SSH key file ${file}: ${why}`, { host: "", port: 0 });
  }
  const parsed = ssh2().utils.parseKey(key);
  if (parsed instanceof Error) {
    const message = /encrypted/i.test(parsed.message)
      ? `the SSH key file ${file} is protected by a passphrase: add it to ssh-agent (ssh-add ${file}) and leave out --key`
      : `${file} is not a private key bgpals can read (${parsed.message}): give an OpenSSH, PEM or PuTTY private key file`;
    throw new RouterError("bad-credentials", message, { host: "", port: 0 });
  }
  const first: ParsedKey = Array.isArray(parsed) ? parsed[0]! : parsed;
  if (!first.isPrivateKey()) {
    throw new RouterError("bad-credentials", `${file} is a public key: give the private key file${file.endsWith(".pub") ? ` (${file.slice(0, -4)})` : ""}`, { host: "", port: 0 });
  }
  return { key, fingerprint: keyFingerprint(first.getPublicSSH()) };
}

/** One SSH connection to a Linux host, running commands as root. */
export class LinuxShell {
  readonly endpoint: Endpoint;
  /** The host's key fingerprint: stored on first use, passed as `knownHostKey` later. */
  readonly hostKeyFingerprint: string;
  readonly #client: Client;
  #root = false;
  readonly #timeoutMs: number;
  #lostWith: RouterError | null = null;
  #open = 0;
  readonly #waiting: Array<() => void> = [];

  private constructor(client: Client, endpoint: Endpoint, fingerprint: string, timeoutMs: number) {
    this.#client = client;
    this.endpoint = endpoint;
    this.hostKeyFingerprint = fingerprint;
    this.#timeoutMs = timeoutMs;
    client.on("error", (e) => this.#lose(toError(e, endpoint, { timeoutMs })));
    client.on("close", () => this.#lose(linuxError("closed", endpoint, { reason: "the SSH connection closed" })));
  }

  static async connect(target: LinuxSshTarget): Promise<LinuxShell> {
    const endpoint: Endpoint = { host: target.host, port: target.port ?? LINUX_SSH_PORT, user: target.user };
    const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const key = target.keyFile === undefined ? undefined : readKeyFile(target.keyFile);
    const agent = key === undefined ? process.env.SSH_AUTH_SOCK || undefined : undefined;
    if (key === undefined && agent === undefined) {
      throw linuxError("bad-credentials", endpoint, { reason: "no key: give a key file (--key FILE), or start ssh-agent with your key (ssh-add) so SSH_AUTH_SOCK is set" });
    }
    const known = target.knownHostKey?.trim() ? normalizeFingerprint(target.knownHostKey) : null;
    let presented: string | null = null;
    const client = await new Promise<Client>((resolve, reject) => {
      const client = new (ssh2().Client)();
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        client.destroy();
        if (known !== null && presented !== null && presented !== known) {
          reject(linuxError("fingerprint-changed", endpoint, { expectedFingerprint: known, actualFingerprint: presented }));
        } else {
          reject(toError(e, endpoint, { timeoutMs, keyFile: target.keyFile, keyFingerprint: key?.fingerprint, agent: agent !== undefined }));
        }
      };
      const closedEarly = (): void => fail(linuxError("closed", endpoint, { reason: "the host closed the connection before the SSH login finished" }));
      client.on("error", fail);
      client.once("close", closedEarly);
      client.once("ready", () => {
        if (settled) return;
        settled = true;
        client.removeListener("error", fail);
        client.removeListener("close", closedEarly);
        resolve(client);
      });
      const config: ConnectConfig = {
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        readyTimeout: timeoutMs,
        keepaliveInterval: 15_000,
        // During key exchange, before authentication: refusing here offers no key at all.
        hostVerifier: (blob: Buffer) => {
          presented = keyFingerprint(blob);
          return known === null || known === presented;
        },
        ...(key === undefined ? {} : { privateKey: key.key }),
        ...(agent === undefined ? {} : { agent }),
      };
      try {
        client.connect(config);
      } catch (e) {
        fail(e);
      }
    });
    const session = new LinuxShell(client, endpoint, presented ?? "", timeoutMs);
    try {
      const id = await session.#exec("id -u", {});
      session.#root = id.stdout.trim() === "0";
      if (session.#root) return session;
      const sudo = await session.#exec("sudo -n true", {});
      if (sudo.code !== 0) {
        throw linuxError("bad-credentials", endpoint, {
          reason: `${endpoint.user} is not root and cannot use sudo without a password (sudo -n true: ${sudo.stderr.trim() || `exit ${sudo.code}`}); log in as root, or let ${endpoint.user} run sudo without a password`,
        });
      }
      return session;
    } catch (e) {
      client.destroy();
      throw e;
    }
  }

  /** The login user is root (commands run without sudo). */
  get root(): boolean {
    return this.#root;
  }

  /** Runs `argv` as root (directly, or under `sudo -n`): what it printed and its exit status. */
  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const env = Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${value}`);
    const words = [...(env.length > 0 ? ["env", ...env] : []), ...argv];
    const sudo = this.#root || options.asLoginUser ? [] : ["sudo", "-n", "--"];
    return this.#exec([...sudo, ...words].map(shellQuote).join(" "), options, argv.join(" "));
  }

  /** Runs `argv` as root and returns its output; any exit status but 0 is an error with the host's words. */
  async must(argv: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(argv, options);
    if (result.code === 0) return result.stdout;
    throw linuxError("trap", this.endpoint, { command: argv.join(" "), routerMessage: result.stderr.trim() || result.stdout.trim() || `exit status ${result.code ?? "unknown (killed by a signal)"}` });
  }

  /** A file's contents, or null when there is no such file. */
  async readFile(path: string): Promise<string | null> {
    const result = await this.run(["sh", "-c", 'if [ -e "$1" ]; then exec cat -- "$1"; else exit 3; fi', "sh", path]);
    if (result.code === 3) return null;
    if (result.code !== 0) throw linuxError("trap", this.endpoint, { command: `read ${path}`, routerMessage: result.stderr.trim() || `exit status ${result.code}` });
    return result.stdout;
  }

  /**
   * Writes a whole file: into a temporary file beside it with `mode`, then renamed over it, so a
   * reader sees the old contents or the new, never a part.
   */
  async writeFile(path: string, contents: string | Buffer, mode = 0o644): Promise<void> {
    const script = 'set -e; tmp="$1.bgpals-$$"; trap \'rm -f -- "$tmp"\' EXIT; (umask 077; cat > "$tmp"); chmod "$2" -- "$tmp"; mv -f -- "$tmp" "$1"; trap - EXIT';
    const result = await this.run(["sh", "-c", script, "sh", path, mode.toString(8)], { stdin: contents });
    if (result.code !== 0) throw linuxError("trap", this.endpoint, { command: `write ${path}`, routerMessage: result.stderr.trim() || `exit status ${result.code}` });
  }

  /** Ends the connection; later calls fail with a `closed` error. */
  async close(): Promise<void> {
    if (this.#lostWith !== null) {
      this.#client.destroy();
      return;
    }
    const closed = new Promise<void>((resolve) => this.#client.once("close", () => resolve()));
    this.#lose(linuxError("closed", this.endpoint, { reason: "closed by bgpals" }));
    this.#client.end();
    // A host that does not answer the disconnect must not keep the caller waiting.
    const timer = setTimeout(() => this.#client.destroy(), 1000);
    await closed;
    clearTimeout(timer);
  }

  get closed(): boolean {
    return this.#lostWith !== null;
  }

  async #exec(command: string, options: RunOptions, label = command): Promise<CommandResult> {
    while (this.#open >= MAX_CHANNELS) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#open++;
    try {
      return await this.#channel(command, options, label);
    } finally {
      this.#open--;
      this.#waiting.shift()?.();
    }
  }

  #channel(command: string, options: RunOptions, label: string): Promise<CommandResult> {
    if (this.#lostWith !== null) return Promise.reject(this.#lostWith);
    return new Promise<CommandResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = linuxError("timeout", this.endpoint, { command: label, timeoutMs: this.#timeoutMs });
        // What the host still sends for this command is unknown: the connection is done.
        this.#lose(error);
        this.#client.destroy();
        reject(error);
      }, this.#timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      this.#client.exec(command, (err, channel) => {
        if (err) return done(() => reject(this.#lostWith ?? toError(err, this.endpoint, { timeoutMs: this.#timeoutMs, command: label })));
        this.#collect(label, channel, () => timer.refresh()).then(
          (r) => done(() => resolve(r)),
          (e: unknown) => done(() => reject(e)),
        );
        if (options.stdin !== undefined) channel.end(options.stdin);
        else channel.end();
      });
    });
  }

  #collect(command: string, channel: ClientChannel, touch: () => void): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      let code: number | null = null;
      let tooLong = false;
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        touch();
        if (tooLong) return;
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) {
          tooLong = true;
          channel.close();
          return;
        }
        into.push(chunk);
      };
      channel.on("data", take(stdout));
      channel.stderr.on("data", take(stderr));
      channel.on("exit", (exitCode: number | null) => {
        code = exitCode;
      });
      channel.on("close", () => {
        if (this.#lostWith !== null) return reject(this.#lostWith);
        if (tooLong) return reject(linuxError("protocol", this.endpoint, { command, reason: `more than ${MAX_OUTPUT_BYTES} bytes of output` }));
        resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), code });
      });
    });
  }

  #lose(error: RouterError): void {
    this.#lostWith ??= error;
  }
}

interface ErrorContext {
  readonly timeoutMs: number;
  readonly command?: string;
  readonly keyFile?: string;
  readonly keyFingerprint?: string;
  readonly agent?: boolean;
}

/** Maps what ssh2 (or the socket under it) reports to a RouterError worded for a Linux host. */
function toError(e: unknown, endpoint: Endpoint, context: ErrorContext): RouterError {
  if (e instanceof RouterError) return e;
  const { code, level } = (typeof e === "object" && e !== null ? e : {}) as { code?: unknown; level?: unknown };
  const message = e instanceof Error ? e.message : String(e);
  const details: RouterErrorDetails = { command: context.command, cause: e, timeoutMs: context.timeoutMs };
  if (code === "ECONNREFUSED") return linuxError("refused", endpoint, details);
  if (code === "ETIMEDOUT" || level === "client-timeout") return linuxError("timeout", endpoint, details);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENOTFOUND" || code === "EAI_AGAIN") return linuxError("unreachable", endpoint, { ...details, reason: String(code) });
  if (level === "client-authentication") {
    const reason =
      context.keyFile !== undefined
        ? `${endpoint.user} did not accept the key ${context.keyFile} (${context.keyFingerprint ?? "?"}): is its public key in ~${endpoint.user}/.ssh/authorized_keys on the host?`
        : `${endpoint.user} accepted none of ssh-agent's keys: add the right one (ssh-add), or give a key file (--key FILE)`;
    return linuxError("bad-credentials", endpoint, { ...details, reason });
  }
  if (level === "handshake" || level === "protocol") return linuxError("protocol", endpoint, { ...details, reason: `SSH ${message}` });
  return linuxError("closed", endpoint, { ...details, reason: message });
}

function linuxError(kind: RouterErrorKind, endpoint: Endpoint, d: RouterErrorDetails): RouterError {
  const where = `${endpoint.host}:${endpoint.port}`;
  let message: string;
  switch (kind) {
    case "refused":
      message = `cannot connect to ${where}: connection refused — is sshd running there, and is the port right (ssh://user@host:port)?`;
      break;
    case "timeout": {
      const within = `within ${Number(((d.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000).toFixed(1))} s`;
      message =
        d.command === undefined
          ? `no answer over SSH from ${where} ${within} — check the address, that the host is up, and that its firewall lets this computer in`
          : `no answer from ${where} ${within} to ${d.command} — the host may be busy or the link down; the SSH connection was closed, try again (--timeout gives it longer)`;
      break;
    }
    case "unreachable":
      message = `cannot reach ${where}: ${d.reason ?? "no route"} — check the address and the network path to the host`;
      break;
    case "bad-credentials":
      message = `cannot log in to ${at(endpoint)} over SSH: ${d.reason ?? "the login was refused"}`;
      break;
    case "fingerprint-changed":
      message =
        `the SSH host key of ${where} changed: stored ${d.expectedFingerprint ?? "?"}, presented ${d.actualFingerprint ?? "none"}; ` +
        `nothing was sent, no key was offered. If the host was reinstalled or its host key regenerated, remove the stored host key ` +
        `to accept the new one; otherwise someone may be intercepting the connection`;
      break;
    case "trap":
      message = `${d.command ?? "a command"} failed on ${where}: ${d.routerMessage ?? "no message"}`;
      break;
    case "protocol":
      message = `SSH with ${where} went wrong: ${d.reason ?? "unexpected answer"}`;
      break;
    default:
      message = `the SSH connection to ${where} ended: ${d.reason ?? "closed"}`;
  }
  return new RouterError(kind, message, endpoint, d);
}
