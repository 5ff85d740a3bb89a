// Where a router is and how to log in: what a profile resolves to and a platform connects with.

export interface RouterTarget {
  /** How it is reached: the RouterOS API (absent), or SSH to a Linux host (`ssh://user@host[:port]`). */
  readonly transport?: "ssh";
  readonly host: string;
  /** The platform's default when absent (RouterOS: 8728, or 8729 with `tls`). */
  readonly port?: number;
  readonly user: string;
  /** The only secret here: never logged, never in a message. Empty over SSH (keys log in). */
  readonly password: string;
  /** SSH: a private key file (`--key`); it wins over ssh-agent. */
  readonly keyFile?: string;
  /** An encrypted API (RouterOS API-SSL); routers use self-signed certificates, so it is pinned, not verified. */
  readonly tls?: boolean;
  /** Limit for connecting and for each command's silence; default 10 s. */
  readonly timeoutMs?: number;
  /** The certificate (SSH: host key) fingerprint pinned on first use; null or absent accepts any and reports it. */
  readonly knownFingerprint?: string | null;
}

// host:port, host a name or an IPv4 address.
const API_ENDPOINT = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?:\d{1,5}$/;

/**
 * A host:port text → its parts, or null. Here rather than beside the offers that carry one, so
 * the command line checks its flags without loading the peering schema (`bgpals --help` stays quick).
 */
export function parseApiEndpoint(text: string): { host: string; port: number } | null {
  if (!API_ENDPOINT.test(text)) return null;
  const i = text.lastIndexOf(":");
  const port = Number(text.slice(i + 1));
  return port >= 1 && port <= 65535 ? { host: text.slice(0, i), port } : null;
}
