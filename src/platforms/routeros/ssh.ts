// SSH to a router, for what the RouterOS API does poorly: the whole configuration as `/export`
// prints it, and uploading files (certificates are imported from uploaded files). Like the API-SSL
// certificate, the host key is pinned on first use: the caller stores the fingerprint with the
// router profile, and a different key is refused before any credential is sent.
import { createHash } from "node:crypto";
import { ssh2 } from "../ssh2.js";
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from "ssh2";
import { RouterError, routerError, toRouterError, type Endpoint, type RouterErrorDetails, type RouterErrorKind } from "./api/errors.js";
import { ReadOnlyError } from "../../errors.js";

export const SSH_PORT = 22;
export const DEFAULT_SSH_TIMEOUT_MS = 10_000;

export interface SshTarget {
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  readonly user: string;
  readonly password?: string;
  /** Offer the keys of the ssh-agent at SSH_AUTH_SOCK (before the password, if there is one too). */
  readonly useAgent?: boolean;
  /** Host key fingerprint stored on first use (`SHA256:...`); null or absent accepts any key and reports it. */
  readonly knownHostKey?: string | null;
  /** Limit for connecting and for each command's silence; default 10 s. */
  readonly timeoutMs?: number;
  /** Run only `/export` to the screen (bgpals --read-only): any other command, or an upload, is refused. */
  readonly readOnly?: { readonly leave: string };
}

/** `/export` printed, not into a file (`file=` writes one). */
const READING_EXPORT = /^\/export(\s+(terse|verbose|compact|show-sensitive|hide-sensitive))*\s*$/;

// A router is not expected to print more than this; more means something is wrong on its side.
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
// Below ssh2's largest SFTP write to a server that is not OpenSSH (34000 bytes less overhead), so
// every write is sent whole.
const UPLOAD_CHUNK_BYTES = 16 * 1024;
// Console parse errors, which RouterOS prints on stdout with exit status 0, end like this.
const CONSOLE_ERROR = /\(line \d+ column \d+\)$/;

/** The fingerprint of a raw host key blob as OpenSSH prints it: `SHA256:` and unpadded base64. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** A stored fingerprint in the OpenSSH form, whether it was written with padding or without the prefix. */
export function normalizeHostKeyFingerprint(text: string): string {
  return `SHA256:${text.trim().replace(/^sha256:/i, "").replace(/=+$/, "")}`;
}

export class SshSession {
  readonly endpoint: Endpoint;
  /** The router's host key fingerprint: store it on first use and pass it as `knownHostKey` later. */
  readonly hostKeyFingerprint: string;
  // Private fields keep the password out of console.log output.
  readonly #client: Client;
  readonly #password: string | undefined;
  readonly #timeoutMs: number;
  readonly #readOnly: { readonly leave: string } | undefined;
  #sftp: Promise<SFTPWrapper> | null = null;
  /** Set once the connection is gone; every later call fails with it. */
  #lostWith: RouterError | null = null;

  private constructor(client: Client, endpoint: Endpoint, fingerprint: string, target: SshTarget) {
    this.#client = client;
    this.endpoint = endpoint;
    this.hostKeyFingerprint = fingerprint;
    this.#password = target.password;
    this.#timeoutMs = target.timeoutMs ?? DEFAULT_SSH_TIMEOUT_MS;
    this.#readOnly = target.readOnly;
    client.on("error", (e) => this.#lose(toSshError(e, endpoint, { secret: this.#password, timeoutMs: this.#timeoutMs })));
    client.on("close", () => this.#lose(routerError("closed", endpoint, {}, this.#password)));
  }

  static connect(target: SshTarget): Promise<SshSession> {
    const endpoint: Endpoint = { host: target.host, port: target.port ?? SSH_PORT, user: target.user, tls: false };
    const timeoutMs = target.timeoutMs ?? DEFAULT_SSH_TIMEOUT_MS;
    const agent = target.useAgent ? process.env.SSH_AUTH_SOCK || undefined : undefined;
    const context: ErrorContext = { secret: target.password, timeoutMs, agent: agent !== undefined };
    if (target.password === undefined && agent === undefined) {
      return Promise.reject(
        sshError("bad-credentials", endpoint, {
          reason: target.useAgent ? "SSH_AUTH_SOCK is not set, so there is no ssh-agent to ask for keys" : "no password given",
        }),
      );
    }
    const known = target.knownHostKey?.trim() ? normalizeHostKeyFingerprint(target.knownHostKey) : null;
    let presented: string | null = null;
    let mismatch = false;

    return new Promise((resolve, reject) => {
      const client = new (ssh2().Client)();
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        client.destroy();
        if (mismatch) {
          reject(sshError("fingerprint-changed", endpoint, { expectedFingerprint: known ?? "?", actualFingerprint: presented }));
        } else {
          reject(toSshError(e, endpoint, context));
        }
      };
      const closedEarly = (): void => fail(routerError("closed", endpoint, { reason: "before the SSH login finished" }));
      client.on("error", fail);
      client.once("close", closedEarly);
      client.once("ready", () => {
        if (settled) return;
        settled = true;
        client.removeListener("error", fail);
        client.removeListener("close", closedEarly);
        // ready comes only after the host key was checked, so it is known here.
        resolve(new SshSession(client, endpoint, presented ?? "", target));
      });
      const config: ConnectConfig = {
        host: endpoint.host,
        port: endpoint.port,
        username: target.user,
        readyTimeout: timeoutMs,
        // RouterOS may not answer SSH keepalives, and ssh2 would drop a healthy session for it.
        keepaliveInterval: 0,
        // Called during key exchange, before authentication: refusing here sends no credentials.
        hostVerifier: (key: Buffer) => {
          presented = hostKeyFingerprint(key);
          mismatch = known !== null && known !== presented;
          return !mismatch;
        },
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(agent === undefined ? {} : { agent }),
      };
      try {
        client.connect(config);
      } catch (e) {
        fail(e);
      }
    });
  }

  /**
   * Runs one console command and returns what it printed. A non-zero exit status, anything on
   * stderr, or a console parse error is a `trap` error carrying the router's words.
   */
  exec(command: string): Promise<string> {
    // Named without its arguments: they may hold a secret.
    if (this.#readOnly !== undefined && !READING_EXPORT.test(command.trim())) return Promise.reject(this.#refused(command.split(/\s+/).filter((word) => word !== "" && !word.includes("=")).join(" ")));
    return this.#run(command, (touch) =>
      new Promise<string>((resolve, reject) => {
        this.#client.exec(command, (err, channel) => {
          if (err) {
            reject(err);
            return;
          }
          this.#collect(command, channel, touch).then(resolve, reject);
        });
      }),
    );
  }

  /** The whole configuration as `/export terse` prints it (one line per item, RouterOS 7 hides secrets). */
  async exportConfig(): Promise<string> {
    // RouterOS ends console lines with CRLF.
    return (await this.exec("/export terse")).replace(/\r\n/g, "\n");
  }

  /** Writes a file into the router's file system (e.g. `cert.pem`, `flash/cert.pem`), replacing it if present. */
  upload(remoteName: string, contents: Buffer | string): Promise<void> {
    if (this.#readOnly !== undefined) return Promise.reject(this.#refused(`upload of ${remoteName}`));
    const data = typeof contents === "string" ? Buffer.from(contents, "utf8") : contents;
    return this.#run(`upload of ${remoteName}`, async (touch) => {
      const sftp = await this.#openSftp();
      touch();
      const handle = await sftpCall<Buffer>((cb) => sftp.open(remoteName, "w", cb));
      try {
        for (let offset = 0; offset < data.length; offset += UPLOAD_CHUNK_BYTES) {
          const length = Math.min(UPLOAD_CHUNK_BYTES, data.length - offset);
          await sftpCall<void>((cb) => sftp.write(handle, data, offset, length, offset, cb));
          touch();
        }
      } catch (e) {
        sftp.close(handle, () => {});
        throw e;
      }
      // The file is complete only once the router confirms the close.
      await sftpCall<void>((cb) => sftp.close(handle, cb));
    });
  }

  #refused(what: string): ReadOnlyError {
    return new ReadOnlyError(what, `${this.endpoint.user}@${this.endpoint.host}:${this.endpoint.port}`, this.#readOnly!.leave);
  }

  /** Ends the session; later calls fail with a `closed` error. */
  async close(): Promise<void> {
    if (this.#lostWith !== null) {
      this.#client.destroy();
      return;
    }
    const closed = new Promise<void>((resolve) => this.#client.once("close", () => resolve()));
    this.#lose(routerError("closed", this.endpoint, { reason: "closed by bgpals" }));
    this.#client.end();
    // A router that does not answer the disconnect must not keep the caller waiting.
    const timer = setTimeout(() => this.#client.destroy(), 1000);
    await closed;
    clearTimeout(timer);
  }

  /** Runs `work` under the session's time limit for silence; `touch` restarts the clock. */
  async #run<T>(command: string, work: (touch: () => void) => Promise<T>): Promise<T> {
    if (this.#lostWith !== null) throw this.#lostWith;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = sshError("timeout", this.endpoint, { command, timeoutMs: this.#timeoutMs });
        // What the router will still send for this command is unknown: start over with a new session.
        this.#lose(error);
        this.#client.destroy();
        reject(error);
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([work(() => timer?.refresh()), timedOut]);
    } catch (e) {
      throw this.#lostWith ?? toSshError(e, this.endpoint, { secret: this.#password, timeoutMs: this.#timeoutMs, command });
    } finally {
      clearTimeout(timer);
    }
  }

  #collect(command: string, channel: ClientChannel, touch: () => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      let exitCode: number | null | undefined;
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
      channel.on("exit", (code: number | null) => {
        exitCode = code;
      });
      channel.on("close", () => {
        if (this.#lostWith !== null) return reject(this.#lostWith);
        if (tooLong) {
          return reject(routerError("protocol", this.endpoint, { command, reason: `more than ${MAX_OUTPUT_BYTES} bytes of output` }));
        }
        const out = Buffer.concat(stdout).toString("utf8");
        const err = Buffer.concat(stderr).toString("utf8").trim();
        // No exit status at all (some SSH servers send none) counts as success; a signal (null) does not.
        const failed = (exitCode !== undefined && exitCode !== 0) || err !== "" || CONSOLE_ERROR.test(out.trim());
        if (!failed) return resolve(out);
        const words = err || out.trim() || `exit status ${exitCode ?? "unknown (killed by a signal)"}`;
        reject(routerError("trap", this.endpoint, { command, routerMessage: words }, this.#password));
      });
    });
  }

  #openSftp(): Promise<SFTPWrapper> {
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.#client.sftp((err, sftp) => {
        if (err) return reject(err);
        // A later failure of the subsystem makes the next upload open a new one.
        sftp.on("error", () => (this.#sftp = null));
        sftp.on("close", () => (this.#sftp = null));
        resolve(sftp);
      });
    }).catch((e: unknown) => {
      this.#sftp = null;
      throw e;
    });
    return this.#sftp;
  }

  #lose(error: RouterError): void {
    this.#lostWith ??= error;
  }
}

interface ErrorContext {
  /** The password, to blank out of text that came from elsewhere. */
  readonly secret?: string | undefined;
  readonly timeoutMs: number;
  readonly command?: string;
  /** Keys from ssh-agent were offered. */
  readonly agent?: boolean;
}

/** SFTP status errors carry the numeric status as `code`; they are the router's answer to a request. */
class SftpStatusError extends Error {}

function sftpCall<T>(start: (callback: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((err, value) => (err ? reject(new SftpStatusError(err.message, { cause: err })) : resolve(value as T)));
  });
}

/** Maps what ssh2 (or the socket under it) reports to a RouterError. */
function toSshError(e: unknown, endpoint: Endpoint, context: ErrorContext): RouterError {
  if (e instanceof RouterError) return e;
  const { code, level } = (typeof e === "object" && e !== null ? e : {}) as { code?: unknown; level?: unknown };
  const message = e instanceof Error ? e.message : String(e);
  const details: RouterErrorDetails = { command: context.command, cause: e, timeoutMs: context.timeoutMs };
  if (e instanceof SftpStatusError) return routerError("trap", endpoint, { ...details, routerMessage: message }, context.secret);
  if (code === "ECONNREFUSED") return sshError("refused", endpoint, details);
  if (code === "ETIMEDOUT" || level === "client-timeout") return sshError("timeout", endpoint, details);
  if (level === "client-authentication") {
    return sshError("bad-credentials", endpoint, { ...details, reason: context.agent ? "agent" : undefined });
  }
  if (level === "handshake" || level === "protocol") {
    return routerError("protocol", endpoint, { ...details, reason: `SSH ${message}` }, context.secret);
  }
  // The router disconnected with a reason (ssh2 sets the numeric disconnect reason as `code`).
  if (typeof code === "number") return routerError("closed", endpoint, { ...details, routerMessage: message }, context.secret);
  return toRouterError(e, { ...endpoint, password: context.secret, timeoutMs: context.timeoutMs }, context.command);
}

type SshWordedKind = Extract<RouterErrorKind, "refused" | "timeout" | "bad-credentials" | "fingerprint-changed">;

/**
 * The errors whose wording in errors.ts speaks of the API service or of certificates, worded for
 * SSH. Only fingerprints, host, port and user name go into these messages.
 */
function sshError(kind: SshWordedKind, endpoint: Endpoint, d: RouterErrorDetails): RouterError {
  const at = `${endpoint.host}:${endpoint.port}`;
  let message: string;
  switch (kind) {
    case "refused":
      message = `cannot connect to ${at}: connection refused — is the SSH service enabled (/ip service enable ssh) and the port right?`;
      break;
    case "timeout": {
      const within = d.timeoutMs === undefined ? "in time" : `within ${Number((d.timeoutMs / 1000).toFixed(d.timeoutMs < 1000 ? 2 : 1))} s`;
      message =
        d.command === undefined
          ? `no answer over SSH from ${at} ${within} — check the address, that the router is up, and that its firewall ` +
            `and the address= list of /ip service ssh let this host in`
          : `no answer from ${at} ${within} to ${d.command} — the router may be busy or the link down; the SSH session ` +
            `was closed, connect again`;
      break;
    }
    case "bad-credentials":
      message =
        d.reason === "agent"
          ? `${at} refused the SSH login of ${endpoint.user}: no key from ssh-agent and no password was accepted — ` +
            `check the user name, the password and the keys of this router profile (/user ssh-keys)`
          : d.reason !== undefined
            ? `cannot log in to ${endpoint.user}@${at} over SSH: ${d.reason} — store a password or start ssh-agent`
            : `wrong user name or password for ${endpoint.user}@${at} (SSH) — check the credentials of this router profile`;
      break;
    case "fingerprint-changed":
      message =
        `the SSH host key of ${at} changed: stored ${d.expectedFingerprint ?? "?"}, presented ` +
        `${d.actualFingerprint ?? "none"}; no credentials were sent. If the router was reinstalled or its host key ` +
        `regenerated, remove the stored SSH host key of this router profile to accept the new one; otherwise someone ` +
        `may be intercepting the connection`;
      break;
  }
  return new RouterError(kind, message, endpoint, d);
}
