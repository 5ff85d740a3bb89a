// Host keys of SSH hosts reached without a router profile (`--router ssh://user@host`), pinned on
// first use: <config>/known_hosts, one `[host]:port SHA256:...` a line (OpenSSH's way of naming a
// host on another port). A profile keeps its own pin instead.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { configDir } from "./peers.js";

export function knownHostsFile(): string {
  return join(configDir(), "known_hosts");
}

const hostName = (host: string, port: number) => `[${host.replace(/^\[|\]$/g, "")}]:${port}`;

function entries(): Map<string, string> {
  let text = "";
  try {
    text = readFileSync(knownHostsFile(), "utf8");
  } catch {
    return new Map();
  }
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [name, fingerprint] = line.trim().split(/\s+/);
    if (name && fingerprint && !name.startsWith("#")) out.set(name, fingerprint);
  }
  return out;
}

/** The pinned fingerprint of host:port, or null on first use. */
export function knownHostKey(host: string, port: number): string | null {
  return entries().get(hostName(host, port)) ?? null;
}

/** Pins host:port's key (replacing none: a changed key never gets here, it is refused first). */
export function rememberHostKey(host: string, port: number, fingerprint: string): void {
  const all = entries();
  all.set(hostName(host, port), fingerprint);
  const file = knownHostsFile();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = `# bgpals: SSH host keys pinned on first use (remove a line to accept a host's new key)\n${[...all].map(([name, fp]) => `${name} ${fp}`).join("\n")}\n`;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
}
