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
