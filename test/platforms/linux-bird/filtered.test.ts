// The routes a friend sent that bgpals's filters rejected, as a real BIRD keeps them (`import keep
// filtered on`), read through the Linux router on two netlab hosts peered from the render: remi
// leaks a default route, alice's own network, a prefix longer than he may send and public space;
// each comes back with the reason the monitor shows, at most the number asked for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Router } from "../../../src/platforms/platform.js";
import { ALICE, announceEverything, connectHost, REMI, startPeeredHosts, waitFor, type PeeredHosts } from "./peered-hosts.js";

let hosts: PeeredHosts;
// What remi leaks, and why alice's filters refuse each (remi may send 192.168.40.0/21 up to /24).
const LEAKS: Record<string, string> = {
  "0.0.0.0/0": "default route",
  "192.168.10.0/24": "your own network 192.168.10.0/24",
  "192.168.42.128/25": "longer than /24",
  "8.8.8.0/24": "not in friend's allowed prefixes",
};

beforeAll(async () => {
  hosts = await startPeeredHosts({ [REMI]: `protocol static leaks { ipv4; ${Object.keys(LEAKS).map((n) => `route ${n} blackhole;`).join(" ")} }` });
  // Remi's side announces everything: alice's filters then refuse the leaks.
  await announceEverything(hosts, REMI);
  await waitFor(async () => ((await hosts.onHost(ALICE, "birdc show protocols")).match(/Established/g) ?? []).length === 2, "both sessions Established");
  // Each leak over each link.
  await waitFor(async () => ((await hosts.onHost(ALICE, "birdc show route filtered count")).match(/(\d+) of \d+ routes/)?.[1] ?? "0") === String(2 * Object.keys(LEAKS).length), "every leak filtered on alice over both links", 60_000);
}, 150_000);
afterAll(() => hosts?.lab.teardown());

const connect = (side: string): Promise<Router> => connectHost(hosts, side);

const friendAddress = (link: string) => hosts.peering.links.find((l) => l.name === link)!.address[REMI]!;

describe("filtered routes on a Linux host", { timeout: 90_000 }, () => {
  it("lists each route remi leaked over each link, with the rule's reason and his AS path", async () => {
    const router = await connect(ALICE);
    const addresses = hosts.peering.links.map((l) => friendAddress(l.name));
    const found = await router.filteredRoutes(addresses, 100);
    const expected = hosts.peering.links.flatMap((l) => Object.entries(LEAKS).map(([prefix, reason]) => `${prefix} via ${friendAddress(l.name)} [${hosts.peering.sides[REMI]!.asn}]: ${reason}`));
    expect(found.routes.map((r) => `${r.prefix} via ${r.gateway} [${r.asPath}]: ${r.reason}`).sort()).toEqual(expected.sort());
    expect(found.total).toBe(expected.length);
    // Ids are distinct: the monitor keys its table by them.
    expect(new Set(found.routes.map((r) => r.id)).size).toBe(found.routes.length);
  });

  it("keeps to the limit and to the tunnel addresses asked about", async () => {
    const router = await connect(ALICE);
    const isp1 = friendAddress("isp1");
    const one = await router.filteredRoutes([isp1], 100);
    expect(one.routes.map((r) => r.gateway)).toEqual(Object.keys(LEAKS).map(() => isp1));
    const capped = await router.filteredRoutes([isp1, friendAddress("isp2")], 3);
    expect(capped.routes).toHaveLength(3);
    expect(capped.total).toBe(2 * Object.keys(LEAKS).length);
    expect(await router.filteredRoutes(["10.255.255.1"], 100)).toEqual({ routes: [], total: 0 });
    // Remi keeps nothing filtered from alice: she sends only her network.
    const remi = await connect(REMI);
    expect(await remi.filteredRoutes(hosts.peering.links.map((l) => l.address[ALICE]!), 100)).toEqual({ routes: [], total: 0 });
  });
});
