// Ports a render listens on, against what already listens on the router: two WireGuard interfaces
// cannot share a port, nor two OpenVPN servers (7.17+, where there are several). Checked before
// anything is written: at plan, and before the WireGuard interfaces are made for their keys.
import type { Refusal } from "../../core/checks.js";
import type { Peering } from "../../core/peering.js";
import type { PortInUse } from "../platform.js";
import type { RouterCommand } from "./types.js";

/** What a command listens on: a WireGuard interface's listen-port, an OpenVPN server of its own (7.17+). */
function listensOn(cmd: RouterCommand): { port: number; protocol: "udp" | "tcp"; what: string } | null {
  if (cmd.path === "/interface/wireguard" && cmd.attrs["listen-port"] !== undefined) return { port: Number(cmd.attrs["listen-port"]), protocol: "udp", what: `WireGuard interface ${cmd.attrs.name}` };
  // The one server before 7.17 (a singleton) is shared or refused by the plan itself (apply/plan.ts).
  if (cmd.path === "/interface/ovpn-server/server" && !cmd.singleton && cmd.attrs.port !== undefined) {
    return { port: Number(cmd.attrs.port), protocol: cmd.attrs.protocol === "udp" ? "udp" : "tcp", what: `OpenVPN server ${cmd.attrs.name}` };
  }
  return null;
}

/** The link a command belongs to, from its role ("tunnel-isp1", "ovpn-server-1194"). */
function linksOf(peering: Peering, cmd: RouterCommand, port: number): number[] {
  const byRole = peering.links.findIndex((l) => cmd.role === `tunnel-${l.name}`);
  if (byRole >= 0) return [byRole];
  return peering.links.flatMap((l, i) => (l.port === port ? [i] : []));
}

/** Refusals for every port this render would listen on that something else listens on already. */
export function portRefusals(peering: Peering, commands: readonly RouterCommand[], inUse: readonly PortInUse[]): Refusal[] {
  const out: Refusal[] = [];
  for (const cmd of commands) {
    const wanted = listensOn(cmd);
    if (wanted === null) continue;
    const taken = inUse.find((u) => u.port === wanted.port && u.protocol === wanted.protocol && u.peering !== peering.name);
    if (taken === undefined) continue;
    const whose = taken.peering === undefined ? "not made by bgpals" : `peering ${taken.peering}'s`;
    const links = linksOf(peering, cmd, wanted.port);
    const names = links.map((i) => peering.links[i]!.name).join(", ");
    out.push({
      code: "port-in-use",
      path: links.length === 1 ? `links[${links[0]}].port` : "links",
      message: `link ${names}: ${wanted.protocol}/${wanted.port} is already taken by ${taken.by} (${whose}), and ${wanted.what} cannot listen there too: give the link another port in the peering file (both sides use it), or free that one`,
    });
  }
  return out;
}
