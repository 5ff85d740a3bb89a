// An operator whose router is a Linux host: a config home with a router profile `home` naming one
// of the peered netlab hosts as ssh://root@host:port (the run's key), their identity, and the
// peering with the friend kept in the peers directory, as the wizard would have left them.
import { expect } from "vitest";
import { workspaceAt, savePeering } from "../../src/store/workspace.js";
import { loadIdentity } from "../../src/store/identity.js";
import { cliAsync } from "../cli/cli-async.js";
import { tempDir } from "../helpers.js";
import type { PeeredHosts } from "../platforms/linux-bird/peered-hosts.js";
import { startNetlab, type HostSpec, type Netlab } from "../netlab/netlab.js";

/** The host's address as bgpals takes it: ssh://root@host:port. */
export function sshAddress(hosts: PeeredHosts, side: string): string {
  const h = hosts.lab.hosts[side]!;
  return `ssh://root@${h.ssh.host}:${h.ssh.port}`;
}

export interface LinuxOperator {
  home: string;
  env: Record<string, string>;
}

/** `me`'s config home: the profile `home` (their host, with the run's key), their identity, the peering with `friend`. */
export async function linuxOperatorHome(hosts: PeeredHosts, me: string, friend: string): Promise<LinuxOperator> {
  const home = tempDir(`bgpals-${me}-`);
  // No agent: the key file is the only way in, as for a first-time user with --key.
  const env = { BGPALS_HOME: home, SSH_AUTH_SOCK: "" };
  const added = await cliAsync(["router", "add", "home", "--host", sshAddress(hosts, me), "--key", hosts.lab.key.file], env);
  expect(added.code, added.stderr).toBe(0);
  loadIdentity(me, home);
  savePeering(workspaceAt(home), friend, hosts.peering);
  return { home, env };
}

/** Two netlab hosts not peered yet (the wizard's starting point), each with its LAN. */
export function startUnpeeredHosts(specs: readonly HostSpec[]): Promise<Netlab> {
  return startNetlab(specs);
}

/** A first-time user's config home: only the profile `home` naming their host (ssh://root@host:port, the run's key); no identity, no peering. */
export async function linuxProfileHome(lab: Netlab, side: string): Promise<LinuxOperator> {
  const home = tempDir(`bgpals-${side}-`);
  const env = { BGPALS_HOME: home, SSH_AUTH_SOCK: "" };
  const h = lab.hosts[side]!;
  const added = await cliAsync(["router", "add", "home", "--host", `ssh://root@${h.ssh.host}:${h.ssh.port}`, "--key", lab.key.file], env);
  expect(added.code, added.stderr).toBe(0);
  return { home, env };
}
