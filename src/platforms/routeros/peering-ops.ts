// What the headless commands and the TUI do with a connected router: plan a peering against what
// it holds, and read its live status. The decisions stay in src/core; this reads and wires.
import { checkPeering, type Refusal } from "../../core/checks.js";
import { durationMs } from "../../core/duration.js";
import { parseOwnershipTag } from "./names.js";
import type { Peering } from "../../core/peering.js";
import { planPeering, PLANNED_MENUS, type Observed, type Plan } from "./apply/plan.js";
import { policyViolations } from "./filter/probes.js";
import { render, RenderError, type Rendered, type RenderSecrets } from "./render/render.js";
import type { RouterClient, RouterItem } from "./api/client.js";
import { discover, type Inventory } from "./discovery.js";
import { RouterError } from "./api/errors.js";

async function readMenu(client: RouterClient, path: string, proplist?: readonly string[]): Promise<RouterItem[]> {
  try {
    return await client.print(path, proplist ? { proplist } : {});
  } catch (e) {
    if (e instanceof RouterError && e.kind === "trap") return [];
    throw e;
  }
}

/** Every item of the menus a plan looks at (menus the version lacks read as empty). */
export async function readObserved(client: RouterClient, paths: readonly string[] = PLANNED_MENUS): Promise<Observed> {
  const lists = await Promise.all(paths.map((p) => readMenu(client, p)));
  return Object.fromEntries(paths.map((p, i) => [p, lists[i]!]));
}

export interface RouterPlan {
  inventory: Inventory;
  /** The version rendered for: the router's own. */
  version: string;
  rendered: Rendered | null;
  refusals: Refusal[];
  observed: Observed;
  plan: Plan;
}

export interface PlanRequest {
  peering: Peering;
  side: string;
  /** Other peerings of the peers directory. */
  others?: readonly Peering[];
  secrets?: RenderSecrets;
  /** Plan the removal of the peering instead. */
  remove?: boolean;
}

export async function planOnRouter(client: RouterClient, request: PlanRequest): Promise<RouterPlan> {
  const { peering, side } = request;
  const [inventory, observed] = await Promise.all([discover(client), readObserved(client)]);
  const version = inventory.version;
  if (request.remove) {
    return { inventory, version, rendered: null, refusals: [], observed, plan: planPeering(peering.name, [], observed) };
  }
  // Our own objects are not in the way of our own peering; other peerings' objects are.
  const otherTunnels = inventory.tunnelPrefixes.filter((t) => parseOwnershipTag(t.comment)?.peering !== peering.name && t.comment?.startsWith("bgpals:")).map((t) => t.prefix);
  const refusals = checkPeering({
    peering,
    side,
    version,
    others: request.others,
    router: { interfaces: inventory.interfaces.map((i) => i.name), prefixesInUse: [...inventory.prefixesInUse, ...otherTunnels] },
  });
  let rendered: Rendered | null = null;
  if (refusals.length === 0) {
    try {
      rendered = render(peering, side, version, request.secrets);
      for (const v of policyViolations(peering, rendered)) refusals.push({ code: "filter-set", path: "policy", message: v });
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      refusals.push({ code: "version-gate", path: `sides.${side}.platform.version`, message: e.message });
    }
  }
  const plan = rendered === null || refusals.length > 0 ? { changes: [], conflicts: [] } : planPeering(peering.name, rendered.commands, observed);
  return { inventory, version, rendered, refusals, observed, plan };
}

// --- Status --------------------------------------------------------------------------------

export interface TunnelStatus {
  name: string;
  link: string;
  peering: string;
  state: "up" | "down";
  lastHandshake: string | null;
  rx: number;
  tx: number;
}

export interface SessionStatus {
  name: string;
  link: string;
  peering: string;
  remoteAs: number;
  state: "established" | "idle" | "active" | "connect" | "down";
  uptime: string | null;
  prefixes: number;
  /** Our networks this session announces (those with a route, as RouterOS requires); 0 while down. */
  advertised: number;
  limitExceeded: boolean;
  lastError: string;
}

export interface RouteStatus {
  dst: string;
  gateway: string;
  active: boolean;
  localPref: number | null;
  asPath: string;
  link: string | null;
}

export interface RouterStatus {
  tunnels: TunnelStatus[];
  sessions: SessionStatus[];
  routes: RouteStatus[];
}

const yes = (v: string | undefined) => v === "true" || v === "yes";

/** RouterOS durations (1w2d3h4m5s) in seconds. */
export function durationSeconds(text: string | undefined): number | null {
  const ms = durationMs(text);
  return ms === null ? null : ms / 1000;
}

// WireGuard re-handshakes every 2 minutes while traffic flows; past 3 the tunnel is not up.
const HANDSHAKE_FRESH_S = 180;

function linkOf(comment: string | undefined, prefix: string): { peering: string; link: string } | null {
  const tag = parseOwnershipTag(comment);
  if (tag === null || !tag.role.startsWith(prefix)) return null;
  return { peering: tag.peering, link: tag.role.slice(prefix.length) };
}

// Each look asks only for what it shows: on RouterOS 6, which is polled, that is most of the cost.
const STATUS_SESSION_PROPLIST = ["name", "comment", "remote.as", "remote-as", "remote.address", "remote-address", "output.network", "state", "established", "uptime", "prefix-count", "limit-exceeded", "last-error"];
const STATUS_ROUTE_PROPLIST = ["dst-address", "gateway", "active", "bgp.local-pref", "bgp-local-pref", "bgp.as-path", "bgp-as-path", "received-from"];

/**
 * Query words for the BGP routes learned from these friends' tunnel addresses (their next hop):
 * `?bgp=true`, then each `?gateway=` OR-ed together (`?#|`), the way the RouterOS API combines them.
 */
export function friendRouteQuery(friendAddresses: readonly string[]): string[] {
  const gateways = [...new Set(friendAddresses.map((a) => a.replace(/\/32$/, "")).filter((a) => a !== ""))];
  if (gateways.length === 0) throw new Error("friendRouteQuery needs at least one address");
  return ["?bgp=true", ...gateways.map((g) => `?gateway=${g}`), ...(gateways.length > 1 ? [`?#${"|".repeat(gateways.length - 1)}`] : [])];
}

/**
 * Per peering, how many of our networks the router announces: those bgpals tagged (an
 * `/routing/bgp/network` on v6, the `output.network` address list on v7) that have a route other
 * than BGP, which RouterOS requires before it announces one.
 */
async function announcedNetworks(client: RouterClient, v6: boolean, connections: RouterItem[]): Promise<Map<string, number>> {
  const owned: Array<{ peering: string; network: string }> = [];
  const own = (item: RouterItem, network: string | undefined) => {
    const tag = parseOwnershipTag(item.comment);
    if (tag !== null && tag.role.startsWith("network-") && network) owned.push({ peering: tag.peering, network });
  };
  if (v6) {
    for (const n of await readMenu(client, "/routing/bgp/network")) own(n, n.network);
  } else {
    const lists = [...new Set(connections.filter((c) => linkOf(c.comment, "bgp-") !== null).map((c) => c["output.network"] ?? "").filter((l) => l !== ""))];
    for (const list of lists) for (const e of await client.print("/ip/firewall/address-list", { query: { list }, proplist: ["address", "comment"] })) own(e, e.address);
  }
  const counts = new Map<string, number>();
  if (owned.length === 0) return counts;
  const networks = [...new Set(owned.map((o) => o.network))];
  const query = [...networks.map((n) => `?dst-address=${n}`), ...(networks.length > 1 ? [`?#${"|".repeat(networks.length - 1)}`] : [])];
  const routed = new Set((await client.print("/ip/route", { query, proplist: ["dst-address", "bgp"] })).filter((r) => !yes(r.bgp)).map((r) => r["dst-address"]));
  for (const o of owned) counts.set(o.peering, (counts.get(o.peering) ?? 0) + (routed.has(o.network) ? 1 : 0));
  return counts;
}

export async function statusOf(client: RouterClient, v6: boolean): Promise<RouterStatus> {
  const [peers, ovpnClients, ovpnBindings, interfaces, connections, sessions] = await Promise.all([
    v6 ? Promise.resolve([]) : readMenu(client, "/interface/wireguard/peers", ["comment", "interface", "last-handshake", "rx", "tx"]),
    readMenu(client, "/interface/ovpn-client", ["name", "comment"]),
    readMenu(client, "/interface/ovpn-server", ["name", "comment"]),
    readMenu(client, "/interface", ["name", "running"]),
    readMenu(client, v6 ? "/routing/bgp/peer" : "/routing/bgp/connection", STATUS_SESSION_PROPLIST),
    v6 ? Promise.resolve([]) : readMenu(client, "/routing/bgp/session", STATUS_SESSION_PROPLIST),
  ]);
  // Only what the friends sent: a router may also carry a full table from elsewhere.
  const friends = connections.filter((c) => linkOf(c.comment, "bgp-") !== null).map((c) => c["remote.address"] ?? c["remote-address"] ?? "").filter((a) => a !== "");
  const [routes, announced] = await Promise.all([
    friends.length === 0 ? Promise.resolve([]) : client.print("/ip/route", { query: friendRouteQuery(friends), proplist: STATUS_ROUTE_PROPLIST }),
    announcedNetworks(client, v6, connections),
  ]);
  const tunnels: TunnelStatus[] = [];
  for (const p of peers) {
    const owner = linkOf(p.comment, "peer-");
    if (owner === null) continue;
    const age = durationSeconds(p["last-handshake"]);
    tunnels.push({ name: p.interface ?? "", ...owner, state: age !== null && age < HANDSHAKE_FRESH_S ? "up" : "down", lastHandshake: p["last-handshake"] || null, rx: Number(p.rx ?? 0), tx: Number(p.tx ?? 0) });
  }
  for (const t of [...ovpnClients, ...ovpnBindings]) {
    const owner = linkOf(t.comment, "tunnel-");
    if (owner === null) continue;
    const running = yes(interfaces.find((i) => i.name === t.name)?.running);
    tunnels.push({ name: t.name ?? "", ...owner, state: running ? "up" : "down", lastHandshake: null, rx: 0, tx: 0 });
  }

  const sessionStatus: SessionStatus[] = [];
  const linkBySession = new Map<string, { peering: string; link: string }>();
  for (const c of connections) {
    const owner = linkOf(c.comment, "bgp-");
    if (owner === null) continue;
    linkBySession.set(c.name ?? "", owner);
    const s = v6 ? c : sessions.find((x) => x.name === `${c.name}-1` || x.name === c.name);
    const established = v6 ? c.state === "established" : yes(s?.established);
    const state = established ? "established" : ((s?.state as SessionStatus["state"]) ?? "down");
    sessionStatus.push({
      name: c.name ?? "",
      ...owner,
      remoteAs: Number(c["remote.as"] ?? c["remote-as"] ?? 0),
      state: established ? "established" : state === "established" ? "down" : state,
      uptime: established ? s?.uptime || null : null,
      prefixes: Number(s?.["prefix-count"] ?? 0),
      advertised: established ? (announced.get(owner.peering) ?? 0) : 0,
      limitExceeded: yes(s?.["limit-exceeded"]),
      lastError: s?.["last-error"] ?? "",
    });
  }
  const routeStatus = routes.map((r) => {
    const from = (r["received-from"] ?? "").replace(/-1$/, "");
    return {
      dst: r["dst-address"] ?? "",
      gateway: r.gateway ?? "",
      active: yes(r.active),
      localPref: r["bgp.local-pref"] ?? r["bgp-local-pref"] ? Number(r["bgp.local-pref"] ?? r["bgp-local-pref"]) : null,
      asPath: r["bgp.as-path"] ?? r["bgp-as-path"] ?? "",
      link: linkBySession.get(from)?.link ?? null,
    };
  });
  return { tunnels, sessions: sessionStatus, routes: routeStatus };
}
