// Peerings that share one router: the example S4 (alice and carol) again with another friend, so
// two peerings land on the same router with what RouterOS keeps one of (issue 13).
import type { Peering } from "../../../src/core/peering.js";
import { exampleJson, mustParse } from "../../helpers.js";

/**
 * S4 with `friend` in alice's place (addresses from documentation ranges, a network of its own,
 * tunnel subnets 172.16.<octet>.0/30 and .4/30). `carolListens` turns the links round, so carol runs
 * the OpenVPN server; `json` rewrites what a test needs.
 */
export function s4With(
  friend: string,
  octet: number,
  options: { carolListens?: boolean; port?: number; version?: string; wans?: [string, string]; json?: (j: Record<string, any>) => void } = {},
): Peering {
  const base = exampleJson("s4");
  const alice = base.sides.alice;
  const carol = base.sides.carol;
  const name = friend === "alice" ? base.name : `${friend}-carol`;
  const side = {
    ...alice,
    asn: friend === "alice" ? alice.asn : 64600 + octet,
    routerId: friend === "alice" ? alice.routerId : `10.${octet}.0.1`,
    networks: friend === "alice" ? alice.networks : [`10.${octet}.0.0/24`],
    allowed: friend === "alice" ? alice.allowed : [{ prefix: `10.${octet}.0.0/23`, maxLength: 28 }],
    wans: friend === "alice" ? alice.wans : { isp1: { interface: options.wans?.[0] ?? "ether1", endpoint: `198.51.100.${octet}` }, isp2: { interface: options.wans?.[1] ?? "ether2", endpoint: `203.0.113.${octet}` } },
    platform: { ...alice.platform, version: options.version ?? alice.platform.version },
  };
  const json: Record<string, any> = {
    ...base,
    name,
    sides: { [friend]: side, carol },
    links: base.links.map((l: Record<string, any>, i: number) => ({
      ...l,
      // Carol has one WAN and one address: dialling it from two of the friend's WANs would make
      // equal routes to one address (refused), so when carol listens both links leave by isp1.
      wan: { [friend]: options.carolListens ? "isp1" : l.wan.alice, carol: l.wan.carol },
      listener: options.carolListens ? "carol" : friend,
      port: options.port ?? l.port,
      subnet: `172.16.${octet}.${i * 4}/30`,
      address: { [friend]: `172.16.${octet}.${i * 4 + (options.carolListens ? 2 : 1)}`, carol: `172.16.${octet}.${i * 4 + (options.carolListens ? 1 : 2)}` },
      user: `${friend}-${l.name}`,
    })),
  };
  options.json?.(json);
  return mustParse(json);
}
