// Point-to-point subnets for tunnels, picked so they clash with nothing on either router
// nor with any other peering in the peers directory.
import { formatAddress, formatPrefix, isIPv4, isIPv4Prefix, lastAddress, parsePrefix, type Prefix } from "./ipv4.js";
import type { Peering } from "./peering.js";

export const DEFAULT_TUNNEL_POOL = "172.16.0.0/12";

export interface SubnetRequest {
  /** Where tunnel subnets come from. */
  pool?: string;
  /** /30 by default (the seeds' choice); /31 saves addresses where both ends support it. */
  prefixLength?: 30 | 31;
  /**
   * What is already in use: interface addresses (with their mask, e.g. "192.168.0.1/24"),
   * route destinations, and the link subnets of every peering in the peers directory.
   * Default routes are ignored: they cover everything and reserve nothing.
   */
  inUse: readonly string[];
}

export interface LinkSubnet {
  subnet: string;
  /** The listener's address first, then the initiator's. */
  addresses: [string, string];
}

export type SubnetResult = { ok: true; links: LinkSubnet[] } | { ok: false; message: string };

/** Allocates `count` distinct subnets (one per link) from the pool. */
export function allocateLinkSubnets(request: SubnetRequest, count = 1): SubnetResult {
  const poolText = request.pool ?? DEFAULT_TUNNEL_POOL;
  if (!isIPv4Prefix(poolText)) return { ok: false, message: `tunnel pool ${poolText} is not an IPv4 prefix such as ${DEFAULT_TUNNEL_POOL}` };
  const pool = parsePrefix(poolText);
  const length = request.prefixLength ?? 30;
  if (pool.length > length) return { ok: false, message: `tunnel pool ${poolText} is smaller than one /${length}` };

  const used = occupiedRanges(request.inUse, pool);
  const links: LinkSubnet[] = [];
  for (let i = 0; i < count; i++) {
    const start = firstFreeBlock(pool, length, used);
    if (start === null) {
      const free = count - i;
      return {
        ok: false,
        message: `tunnel pool ${poolText} has no free /${length} left for ${free} more link${free > 1 ? "s" : ""}: choose a larger or different pool`,
      };
    }
    const subnet = { network: start, length };
    links.push(describe(subnet));
    insertRange(used, [start, lastAddress(subnet)]);
  }
  return { ok: true, links };
}

function describe(subnet: Prefix): LinkSubnet {
  // A /31 uses both addresses; a /30 skips network and broadcast.
  const first = subnet.length === 31 ? subnet.network : subnet.network + 1;
  return { subnet: formatPrefix(subnet), addresses: [formatAddress(first), formatAddress(first + 1)] };
}

type Range = [number, number];

/** Sorted, merged ranges of the pool that are taken. */
function occupiedRanges(inUse: readonly string[], pool: Prefix): Range[] {
  const poolEnd = lastAddress(pool);
  const ranges: Range[] = [];
  for (const text of inUse) {
    const [address, length] = text.split("/");
    if (address === undefined || !isIPv4(address) || (length !== undefined && !/^\d{1,2}$/.test(length))) continue;
    const p = parsePrefix(text);
    if (p.length === 0) continue;
    const start = Math.max(p.network, pool.network);
    const end = Math.min(lastAddress(p), poolEnd);
    if (start <= end) ranges.push([start, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function insertRange(ranges: Range[], r: Range): void {
  const at = ranges.findIndex((x) => x[0] > r[0]);
  ranges.splice(at === -1 ? ranges.length : at, 0, r);
}

function firstFreeBlock(pool: Prefix, length: number, used: readonly Range[]): number | null {
  const size = 2 ** (32 - length);
  const poolEnd = lastAddress(pool);
  const align = (n: number) => Math.ceil(n / size) * size;
  let candidate = pool.network;
  for (const [start, end] of used) {
    if (candidate + size - 1 < start) break;
    if (end >= candidate) candidate = align(end + 1);
  }
  return candidate + size - 1 <= poolEnd ? candidate : null;
}

/** Every link subnet of every peering, for allocation and overlap checks. */
export function linkSubnetsOf(peerings: readonly Peering[]): string[] {
  return peerings.flatMap((p) => p.links.map((l) => l.subnet));
}
