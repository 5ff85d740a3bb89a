// A router's live status: each peering's tunnels and sessions, and the friends' routes. Each look
// asks only for what it shows (.proplist): on RouterOS 6, which is polled, that is most of the cost.
import { durationMs } from "../../core/duration.js";
import type { RouterStatus, SessionStatus, StatusOptions, TunnelStatus } from "../platform.js";
import type { RouterClient, RouterItem } from "./api/client.js";
import type { Dialect } from "./dialects.js";
import { menusOf } from "./menus.js";
import { parseOwnershipTag } from "./names.js";
import { readMenu, STATIC_ONLY } from "./read.js";


const yes = (v: string | undefined) => v === "true" || v === "yes";

/** RouterOS durations (1w2d3h4m5s) in seconds. */
export function durationSeconds(text: string | undefined): number | null {
  const ms = durationMs(text);
  return ms === null ? null : ms / 1000;
}

// WireGuard re-handshakes every 2 minutes while traffic flows; past 3 (REJECT_AFTER_TIME) no
// session is left, so the tunnel is not up. A fresher one is not proof of life: the peer entry
// keeps it when the friend's end goes. Whoever looks again judges that (core/tunnel-liveness.ts).
const HANDSHAKE_FRESH_S = 180;

function linkOf(comment: string | undefined, prefix: string): { peering: string; link: string } | null {
  const tag = parseOwnershipTag(comment);
  if (tag === null || !tag.role.startsWith(prefix)) return null;
  return { peering: tag.peering, link: tag.role.slice(prefix.length) };
}

// Each look asks only for what it shows: on RouterOS 6, which is polled, that is most of the cost.
const STATUS_SESSION_PROPLIST = ["name", "comment", "remote.as", "remote-as", "remote.address", "remote-address", "output.network", "state", "established", "uptime", "prefix-count", "limit-exceeded", "last-error", "keepalive-time"];
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
async function announcedNetworks(client: RouterClient, dialect: Dialect, connections: RouterItem[]): Promise<Map<string, number>> {
  const owned: Array<{ peering: string; network: string }> = [];
  const own = (item: RouterItem, network: string | undefined) => {
    const tag = parseOwnershipTag(item.comment);
    // A RouterOS 6 network several peerings announce is each one's.
    if (tag !== null && tag.role.startsWith("network-") && network) for (const peering of tag.peerings) owned.push({ peering, network });
  };
  if (!dialect.networksFromAddressList) {
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

export async function statusOf(client: RouterClient, dialect: Dialect, options: StatusOptions = {}): Promise<RouterStatus> {
  const menus = menusOf(dialect);
  // Where sessions have a state menu of their own (7), it is read beside their configuration.
  const separateState = menus.bgpSessionState !== menus.bgpSessions;
  const [peers, ovpnClients, ovpnBindings, interfaces, connections, sessions] = await Promise.all([
    dialect.wireguard ? readMenu(client, "/interface/wireguard/peers", ["comment", "interface", "last-handshake", "rx", "tx", "endpoint-address", "persistent-keepalive"]) : Promise.resolve([]),
    readMenu(client, "/interface/ovpn-client", ["name", "comment"]),
    readMenu(client, "/interface/ovpn-server", ["name", "comment"]),
    readMenu(client, "/interface", ["name", "running"]),
    readMenu(client, menus.bgpSessions, STATUS_SESSION_PROPLIST),
    separateState ? readMenu(client, menus.bgpSessionState, STATUS_SESSION_PROPLIST) : Promise.resolve([]),
  ]);
  // Only what the friends sent: a router may also carry a full table from elsewhere.
  const friends = connections.filter((c) => linkOf(c.comment, "bgp-") !== null).map((c) => c["remote.address"] ?? c["remote-address"] ?? "").filter((a) => a !== "");
  const [routes, announced] = await Promise.all([
    friends.length === 0 || options.routes === false ? Promise.resolve([]) : client.print("/ip/route", { query: friendRouteQuery(friends), proplist: STATUS_ROUTE_PROPLIST }),
    announcedNetworks(client, dialect, connections),
  ]);
  const tunnels: TunnelStatus[] = [];
  for (const p of peers) {
    const owner = linkOf(p.comment, "peer-");
    if (owner === null) continue;
    const age = durationSeconds(p["last-handshake"]);
    const tunnel: TunnelStatus = { name: p.interface ?? "", ...owner, state: age !== null && age < HANDSHAKE_FRESH_S ? "up" : "down", lastHandshake: p["last-handshake"] || null, rx: Number(p.rx ?? 0), tx: Number(p.tx ?? 0) };
    if (p["endpoint-address"]) tunnel.endpointAddress = p["endpoint-address"];
    if (p["persistent-keepalive"] && durationSeconds(p["persistent-keepalive"])) tunnel.keepalive = p["persistent-keepalive"];
    tunnels.push(tunnel);
  }
  // An OpenVPN client dials the name itself; where the router last resolved it, its pin route says.
  const pins = ovpnClients.some((c) => linkOf(c.comment, "tunnel-") !== null) ? await readMenu(client, "/ip/route", ["comment", "dst-address"], STATIC_ONLY) : [];
  for (const t of [...ovpnClients, ...ovpnBindings]) {
    const owner = linkOf(t.comment, "tunnel-");
    if (owner === null) continue;
    const running = yes(interfaces.find((i) => i.name === t.name)?.running);
    const tunnel: TunnelStatus = { name: t.name ?? "", ...owner, state: running ? "up" : "down", lastHandshake: null, rx: 0, tx: 0 };
    const pin = pins.find((r) => {
      const o = linkOf(r.comment, "pin-");
      return o?.peering === owner.peering && o.link === owner.link;
    });
    if (pin?.["dst-address"]) tunnel.endpointAddress = pin["dst-address"].replace(/\/32$/, "");
    tunnels.push(tunnel);
  }

  const sessionStatus: SessionStatus[] = [];
  const linkBySession = new Map<string, { peering: string; link: string }>();
  for (const c of connections) {
    const owner = linkOf(c.comment, "bgp-");
    if (owner === null) continue;
    linkBySession.set(c.name ?? "", owner);
    const s = separateState ? sessions.find((x) => x.name === `${c.name}-1` || x.name === c.name) : c;
    const established = separateState ? yes(s?.established) : c.state === "established";
    const state = established ? "established" : ((s?.state as SessionStatus["state"]) ?? "down");
    sessionStatus.push({
      name: c.name ?? "",
      ...owner,
      remoteAs: Number(c["remote.as"] ?? c["remote-as"] ?? 0),
      remoteAddress: (c["remote.address"] ?? c["remote-address"] ?? "").replace(/\/32$/, ""),
      state: established ? "established" : state === "established" ? "down" : state,
      uptime: established ? s?.uptime || null : null,
      prefixes: Number(s?.["prefix-count"] ?? 0),
      advertised: established ? (announced.get(owner.peering) ?? 0) : 0,
      limitExceeded: yes(s?.["limit-exceeded"]),
      lastError: s?.["last-error"] ?? "",
      ...(c["keepalive-time"] ? { keepaliveTime: c["keepalive-time"] } : {}),
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
