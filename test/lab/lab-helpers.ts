// Configures lab routers the way an operator would: through the real API with node-routeros.
import "../../src/platforms/routeros/api/node-routeros-fix.js";
import { RouterOSAPI } from "node-routeros";
import type { Lab } from "../../src/lab/lab.js";
import { PERSONALITIES } from "../../src/lab/personalities.js";
import type { Peering } from "../../src/core/peering.js";
import { render, type RenderSecrets } from "../../src/platforms/routeros/render/render.js";
import type { RouterCommand } from "../../src/platforms/routeros/types.js";

/** `timeoutS`: node-routeros drops a connection silent that long (its writes then never answer). */
export async function connect(lab: Lab, name: string, timeoutS = 5): Promise<RouterOSAPI> {
  const info = lab.info().routers.find((r) => r.name === name)!;
  const api = new RouterOSAPI({ host: info.host, port: info.port, user: info.user, password: info.password, timeout: timeoutS });
  api.on("error", () => {});
  await api.connect();
  return api;
}

export async function print(api: RouterOSAPI, path: string, query: string[] = []): Promise<Record<string, string>[]> {
  return (await api.write(`${path}/print`, query)) as Record<string, string>[];
}

const DNS = new Map(Object.values(PERSONALITIES).flatMap((p) => Object.entries(p().dns)));

/** Sends rendered commands one by one: firewall rules on top, endpoint names resolved by the lab's DNS. */
export async function sendCommands(api: RouterOSAPI, commands: readonly RouterCommand[]): Promise<void> {
  for (const cmd of commands) {
    const attrs = { ...cmd.attrs };
    for (const key of cmd.resolve ?? []) attrs[key] = DNS.get(attrs[key]!) ?? attrs[key]!;
    if (cmd.placement === "top") {
      const first = (await print(api, cmd.path)).find((r) => r.dynamic !== "true");
      if (first) attrs["place-before"] = first[".id"]!;
    }
    await api.write(`${cmd.path}/${cmd.verb}`, Object.entries(attrs).map(([k, v]) => `=${k}=${v}`));
  }
}

/**
 * Builds a peering on lab routers as bgpals's wizard does: WireGuard interfaces first so the
 * routers generate keys, then the peering with those public keys, rendered and sent in full.
 */
export async function buildPeering(lab: Lab, peering: Peering, secrets: RenderSecrets = {}): Promise<Peering> {
  const sides = Object.keys(peering.sides);
  const apis = new Map<string, RouterOSAPI>();
  for (const side of sides) apis.set(side, await connect(lab, side));
  const withKeys: Peering = structuredClone(peering);
  for (const side of sides) {
    const interfaces = render(peering, side).commands.filter((c) => c.path === "/interface/wireguard");
    await sendCommands(apis.get(side)!, interfaces);
    for (const link of withKeys.links.filter((l) => l.kind === "wireguard")) {
      const iface = interfaces.find((c) => c.role === `tunnel-${link.name}`)!;
      const [printed] = await print(apis.get(side)!, "/interface/wireguard", [`?name=${iface.attrs.name}`]);
      link.publicKey![side] = printed!["public-key"]!;
    }
  }
  for (const side of sides) {
    const rest = render(withKeys, side, undefined, secrets).commands.filter((c) => c.path !== "/interface/wireguard");
    await sendCommands(apis.get(side)!, rest);
  }
  for (const api of apis.values()) await api.close();
  return withKeys;
}

/**
 * Counts the lab router's answers to `command` from now on (e.g. `/routing/bgp/session/print`,
 * which a watcher or the monitor sends once per look): a test waits for N more looks instead of
 * sleeping and hoping they happened.
 */
export function countRequests(lab: Lab, router: string, command: string): () => number {
  const server = lab.router(router).server;
  const inner = server.handler;
  let count = 0;
  server.handler = (request, reply) => {
    if (request.command === command) count++;
    return inner(request, reply);
  };
  return () => count;
}
