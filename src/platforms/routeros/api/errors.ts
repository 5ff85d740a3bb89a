// What can go wrong between bgpals and a router, as one error type with a `kind` a caller can act
// on and a message that tells the user what to check. Messages name the host, port and user, never
// the password.
import { getSystemErrorName } from "node:util";
import { RouterError, type RouterErrorDetails, type RouterErrorKind } from "../../../errors.js";

export { RouterError, type RouterErrorDetails, type RouterErrorKind };

export const API_PORT = 8728;
export const API_SSL_PORT = 8729;

/** Where a connection goes, as error messages may show it. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly tls: boolean;
}

/** A connection target as callers hold it; only `password` is secret. */
export interface ErrorTarget {
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly tls?: boolean;
  readonly timeoutMs?: number;
}

export function endpointOf(target: ErrorTarget): Endpoint {
  const tls = target.tls ?? false;
  return { host: target.host, port: target.port ?? (tls ? API_SSL_PORT : API_PORT), user: target.user ?? "", tls };
}

/**
 * Builds the error of one kind with its message. `secret` (the password) is blanked out of any
 * text that came from elsewhere, in case a router or a library ever echoes it.
 */
export function routerError(kind: RouterErrorKind, endpoint: Endpoint, details: RouterErrorDetails = {}, secret?: string): RouterError {
  const safe: RouterErrorDetails = {
    ...details,
    routerMessage: details.routerMessage === undefined ? undefined : redact(details.routerMessage, secret),
    reason: details.reason === undefined ? undefined : redact(details.reason, secret),
  };
  return new RouterError(kind, describe(kind, endpoint, safe), endpoint, safe);
}

function describe(kind: RouterErrorKind, endpoint: Endpoint, d: RouterErrorDetails): string {
  const at = `${endpoint.host}:${endpoint.port}`;
  const service = endpoint.tls ? "api-ssl" : "api";
  const during = d.command === undefined ? "" : ` (${d.command})`;
  switch (kind) {
    case "refused":
      return `cannot connect to ${at}: connection refused — is the API service enabled (/ip service enable ${service}) and the port right?`;
    case "timeout": {
      const within = `within ${formatSeconds(d.timeoutMs)}`;
      return d.command === undefined
        ? `no answer from ${at} ${within} — check the address, that the router is up, and that its firewall ` +
            `and the address= list of /ip service ${service} let this host in`
        : `no answer from ${at} ${within} to ${d.command} — the router may be busy or the link down; try again`;
    }
    case "unreachable":
      return `cannot reach ${at}: ${d.reason ?? "no route"} — check the address and the network path to the router`;
    case "bad-credentials":
      return `wrong user name or password for ${endpoint.user}@${at} — check the credentials of this router profile`;
    case "tls":
      return (
        `TLS handshake with ${at} failed${d.reason ? `: ${d.reason}` : ""} — is API-SSL enabled on this port ` +
        `with a certificate (/ip service set api-ssl certificate=<name>)?`
      );
    case "fingerprint-changed":
      return (
        `the certificate of ${at} changed: stored SHA-256 fingerprint ${d.expectedFingerprint ?? "?"}, ` +
        `presented ${d.actualFingerprint ?? "no certificate"}; nothing was sent to it. If the router's ` +
        `certificate was replaced, remove the stored fingerprint of this router profile to accept the new one; ` +
        `otherwise someone may be intercepting the connection`
      );
    case "trap":
      return `${d.command ?? "a command"} failed on ${at}: ${d.routerMessage ?? "no message"}`;
    case "closed": {
      if (d.beforeLogin && !d.routerMessage) {
        return (
          `${at} closed the connection before login — is ${endpoint.port} the router's ${service} port, ` +
          `and is a session free (/ip service ${service} max-sessions)?`
        );
      }
      const why = d.routerMessage ? ` by the router: ${d.routerMessage}` : d.reason ? ` (${d.reason})` : "";
      return `the connection to ${at} was closed${why}${during} — connect again to continue`;
    }
    case "protocol":
      return `unexpected answer from ${at}${during}: ${d.reason ?? "unknown"} — this looks like a bgpals bug, please report it`;
  }
}

/**
 * The router broke the protocol or one of the limits of framing.ts (`what`: "a reply word of ...
 * bytes, over the limit of 16 MiB"), and bgpals closed the connection rather than read on.
 */
export function brokenReply(endpoint: Endpoint, what: string, secret?: string): RouterError {
  const at = `${endpoint.host}:${endpoint.port}`;
  const reason = redact(what, secret);
  const message =
    `${at} sent ${reason}; bgpals stopped reading and closed the connection — RouterOS does not answer this way: ` +
    `check that ${at} is the router's ${endpoint.tls ? "api-ssl" : "api"} port and that nothing in between alters the traffic ` +
    `(if both are so, the router may be a RouterOS version bgpals does not know: please report it)`;
  return new RouterError("protocol", message, endpoint, { reason });
}

/** The TCP connection was made but nothing answered the TLS handshake in time. */
export function handshakeUnanswered(endpoint: Endpoint, timeoutMs: number, cause?: unknown): RouterError {
  return routerError("tls", endpoint, { reason: `no answer to the handshake within ${formatSeconds(timeoutMs)}`, timeoutMs, cause });
}

/** A print answered more rows than bgpals reads in one (`maxRows`); it was stopped. */
export function tooManyRows(endpoint: Endpoint, command: string, maxRows: number): RouterError {
  const at = `${endpoint.host}:${endpoint.port}`;
  const message =
    `${command} on ${at} answered more than ${maxRows} rows, the most bgpals reads in one answer, so it stopped ` +
    `reading — a menu that large (a full BGP table?) is more than this command handles; if the router really holds ` +
    `that many, please report it`;
  return new RouterError("protocol", message, endpoint, { command, reason: `more than ${maxRows} rows` });
}

function formatSeconds(ms: number | undefined): string {
  if (ms === undefined) return "the time limit";
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}

// Shorter "secrets" would blank out ordinary words in messages, and hide nothing worth hiding.
const MIN_REDACTED_LENGTH = 4;

function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length < MIN_REDACTED_LENGTH) return text;
  return text.split(secret).join("***");
}

/** RouterOS's refusals of `/login` (6.43+ wording, then the older one). */
const LOGIN_REFUSALS = new Set(["invalid user name or password (6)", "cannot log in"]);

const UNREACHABLE: Readonly<Record<string, string>> = {
  EHOSTUNREACH: "host unreachable",
  EHOSTDOWN: "host is down",
  ENETUNREACH: "network unreachable",
  ENETDOWN: "network is down",
  ENOTFOUND: "host name not found",
  EAI_NONAME: "host name not found",
  EAI_AGAIN: "host name lookup failed for now, try again",
  EAI_FAIL: "host name lookup failed",
};

const CLOSED: Readonly<Record<string, string>> = {
  ECONNRESET: "reset by the peer",
  ECONNABORTED: "aborted",
  EPIPE: "broken pipe",
  ERR_STREAM_DESTROYED: "socket already closed",
};

/** node-routeros's own error numbers that mean "the reply made no sense". */
const PROTOCOL = new Set(["UNKNOWNREPLY", "UNREGISTEREDTAG"]);

/**
 * Maps anything node-routeros (or the socket under it) throws to a RouterError. node-routeros
 * rejects a failed connect with a RosException whose `errno` is the numeric system error and whose
 * message is empty, and a `!trap` with a plain Error carrying only RouterOS's message.
 */
export function toRouterError(e: unknown, target: ErrorTarget, command?: string): RouterError {
  if (e instanceof RouterError) return e;
  const endpoint = endpointOf(target);
  const make = (kind: RouterErrorKind, details: RouterErrorDetails = {}): RouterError =>
    routerError(kind, endpoint, { command, cause: e, ...details }, target.password);
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "";

  if (code === "CANTLOGIN" || LOGIN_REFUSALS.has(message)) return make("bad-credentials", { command: undefined });
  if (code === "SOCKTMOUT" || code === "ETIMEDOUT") return make("timeout", { timeoutMs: target.timeoutMs });
  if (code === "ECONNREFUSED") return make("refused");
  if (code !== undefined) {
    const unreachable = UNREACHABLE[code];
    if (unreachable !== undefined) return make("unreachable", { reason: unreachable });
    const closed = CLOSED[code];
    if (closed !== undefined) return make("closed", { reason: closed });
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code === "EPROTO") {
      // OpenSSL's `reason` ("wrong version number") reads better than its full error line.
      const reason = (e as { reason?: unknown }).reason;
      return make("tls", { reason: typeof reason === "string" ? reason : message || code });
    }
    if (PROTOCOL.has(code)) return make("protocol", { reason: message || code });
    return make("protocol", { reason: message ? `${message} (${code})` : code });
  }
  // What is left with a message and no code is a `!trap` as node-routeros passes it on.
  if (e instanceof Error && message !== "") return make("trap", { routerMessage: message });
  return make("protocol", { reason: message || describeUnknown(e) });
}

/** `code` of a Node.js error, or `errno` of a RosException (a name, or a number for system errors). */
function errorCode(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return typeof e === "string" && /^[A-Z][A-Z0-9_]+$/.test(e) ? e : undefined;
  const { code, errno } = e as { code?: unknown; errno?: unknown };
  if (typeof code === "string") return code;
  if (typeof errno === "string") return errno;
  if (typeof errno === "number" && errno < 0) {
    try {
      return getSystemErrorName(errno);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function describeUnknown(e: unknown): string {
  if (e instanceof Error) return e.name;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}
