// How the lab's WANs behave like RouterOS's: ARP on Ethernet and VLAN gateways, equal routes
// shared by flow, replies leaving by the default route unless marked, a DHCP lease, and a WAN cut
// taking what the ISP handed out with it. Driven through the real API.
import type { RouterOSAPI } from "node-routeros";
import { afterEach, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { connect, print } from "./lab-helpers.js";

let lab: Lab | undefined;
const apis: RouterOSAPI[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
  await lab?.stop();
  lab = undefined;
});

async function open(l: Lab, name: string): Promise<RouterOSAPI> {
  const api = await connect(l, name);
  apis.push(api);
  return api;
}

async function add(api: RouterOSAPI, path: string, attrs: Record<string, string>): Promise<string> {
  const [reply] = (await api.write(`${path}/add`, Object.entries(attrs).map(([k, v]) => `=${k}=${v}`))) as Array<{ ret?: string }>;
  return reply?.ret ?? "";
}

/** The tunnel a router starts from its WireGuard interface `iface`, as the lab's dataplane sees it. */
function tunnelOf(l: Lab, router: string, iface: string) {
  l.tick();
  const t = l.dataplane.of(router).tunnels.find((x) => x.tunnel.initiator.interface === iface);
  if (t === undefined) throw new Error(`${router} starts no tunnel from ${iface}`);
  return t.tunnel;
}

/**
 * A WireGuard tunnel from `initiator` to `listener`'s `endpoint`:`port`, keys exchanged, the
 * listener's firewall open for it on `wan`. No route is added: each test adds its own.
 */
async function wireguard(l: Lab, initiator: string, listener: string, endpoint: string, port: number, wan: string): Promise<string> {
  const [from, to] = [await open(l, initiator), await open(l, listener)];
  const name = `wg-${listener}-${port}`;
  await add(from, "/interface/wireguard", { name, "listen-port": String(port) });
  await add(to, "/interface/wireguard", { name: `wg-${initiator}-${port}`, "listen-port": String(port) });
  const [mine] = await print(from, "/interface/wireguard", [`?name=${name}`]);
  const [theirs] = await print(to, "/interface/wireguard", [`?name=wg-${initiator}-${port}`]);
  await add(from, "/interface/wireguard/peers", { interface: name, "public-key": theirs!["public-key"]!, "endpoint-address": endpoint, "endpoint-port": String(port), "allowed-address": "0.0.0.0/0" });
  await add(to, "/interface/wireguard/peers", { interface: `wg-${initiator}-${port}`, "public-key": mine!["public-key"]!, "allowed-address": "0.0.0.0/0" });
  const [first] = await print(to, "/ip/firewall/filter");
  await add(to, "/ip/firewall/filter", { chain: "input", action: "accept", protocol: "udp", "dst-port": String(port), "in-interface": wan, "place-before": first![".id"]! });
  return name;
}

describe("lab: gateways on Ethernet, VLAN and point-to-point WANs", () => {
  it("an interface gateway on an Ethernet WAN gets no ARP answer for an off-link address; the next hop works", async () => {
    lab = await Lab.start({ routers: ["alice", "dana"], tickMs: 0 });
    const iface = await wireguard(lab, "dana", "alice", "203.0.113.10", 13231, "vlan832-orange-internet");
    const dana = await open(lab, "dana");
    // Without a route of its own the tunnel rides dana's DHCP default route, through the next hop.
    expect(tunnelOf(lab, "dana", iface)).toMatchObject({ up: true, via: "ether1" });
    const pin = await add(dana, "/ip/route", { "dst-address": "203.0.113.10/32", gateway: "ether1" });
    // RouterOS keeps the route active (the interface runs) and the packets go nowhere.
    lab.tick();
    expect((await print(dana, "/ip/route", [`?.id=${pin}`]))[0]).toMatchObject({ active: "true" });
    expect(tunnelOf(lab, "dana", iface)).toMatchObject({ up: false, reason: expect.stringMatching(/no ARP answer for 203\.0\.113\.10 on ether1/) });
    await dana.write("/ip/route/set", [`=.id=${pin}`, "=gateway=198.19.4.1"]);
    expect(tunnelOf(lab, "dana", iface)).toMatchObject({ up: true, via: "ether1" });
    // The same next hop named with its interface, as RouterOS writes it when two interfaces could reach it.
    await dana.write("/ip/route/set", [`=.id=${pin}`, "=gateway=198.19.4.1%ether1"]);
    expect(tunnelOf(lab, "dana", iface)).toMatchObject({ up: true, via: "ether1" });
    lab.tick();
    expect((await print(dana, "/ip/route", [`?.id=${pin}`]))[0]).toMatchObject({ active: "true" });
  });

  it("the same holds on a VLAN WAN", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const iface = await wireguard(lab, "alice", "remi", "192.0.2.33", 13240, "pppoe-out1");
    const alice = await open(lab, "alice");
    await add(alice, "/ip/route", { "dst-address": "192.0.2.33/32", gateway: "vlan832-orange-internet" });
    expect(tunnelOf(lab, "alice", iface)).toMatchObject({ up: false, reason: expect.stringMatching(/no ARP answer for 192\.0\.2\.33 on vlan832-orange-internet/) });
  });

  it("a point-to-point interface (PPPoE) works as a gateway", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const iface = await wireguard(lab, "remi", "alice", "203.0.113.10", 13231, "vlan832-orange-internet");
    const remi = await open(lab, "remi");
    // Pinned to the backup PPPoE link, which is not where the default route goes.
    await add(remi, "/ip/route", { "dst-address": "203.0.113.10/32", gateway: "pppoe-out2" });
    expect(tunnelOf(lab, "remi", iface)).toMatchObject({ up: true, via: "pppoe-out2" });
  });
});

describe("lab: equal routes", () => {
  it("shares flows among routes of the same length and distance, whatever order they were added in", async () => {
    lab = await Lab.start({ routers: ["alice", "dana"], tickMs: 0 });
    const dana = await open(lab, "dana");
    const tunnels: string[] = [];
    for (let port = 13231; port < 13239; port++) tunnels.push(await wireguard(lab, "dana", "alice", "203.0.113.10", port, "vlan832-orange-internet"));
    // Two pins to the same endpoint, one per WAN, both distance 1: RouterOS takes both (ECMP).
    await add(dana, "/ip/route", { "dst-address": "203.0.113.10/32", gateway: "198.19.4.1" });
    await add(dana, "/ip/route", { "dst-address": "203.0.113.10/32", gateway: "pppoe-out1" });
    const vias = tunnels.map((t) => tunnelOf(lab!, "dana", t).via);
    expect(new Set(vias)).toEqual(new Set(["ether1", "pppoe-out1"]));
    // Each flow keeps its route from tick to tick.
    expect(tunnels.map((t) => tunnelOf(lab!, "dana", t).via)).toEqual(vias);
  });
});

describe("lab: replies with two WANs", () => {
  it("answers by the default route, so a tunnel reached on the second WAN stays down until its replies are marked", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const iface = await wireguard(lab, "remi", "alice", "198.51.100.20", 13232, "sfp-wan-sfr");
    const remi = await open(lab, "remi");
    await add(remi, "/ip/route", { "dst-address": "198.51.100.20/32", gateway: "pppoe-out2" });
    // remi's packets arrive on alice's sfp-wan-sfr from 100.64.7.9; alice's default route is orange.
    expect(tunnelOf(lab, "remi", iface)).toMatchObject({
      up: false,
      reason: "alice's replies to 100.64.7.9 leave through vlan832-orange-internet, not sfp-wan-sfr where the tunnel arrives: that ISP drops them",
    });
    // Seed 003's answer: connections arriving on that WAN are marked, their replies routed by a table of its own.
    const alice = await open(lab, "alice");
    await add(alice, "/routing/table", { name: "via-sfr", fib: "" });
    await add(alice, "/ip/route", { "dst-address": "0.0.0.0/0", gateway: "198.51.100.1", "routing-table": "via-sfr" });
    await add(alice, "/ip/firewall/mangle", { chain: "prerouting", "in-interface": "sfp-wan-sfr", "connection-mark": "no-mark", action: "mark-connection", "new-connection-mark": "from-sfr", passthrough: "yes" });
    await add(alice, "/ip/firewall/mangle", { chain: "output", "connection-mark": "from-sfr", action: "mark-routing", "new-routing-mark": "via-sfr", passthrough: "no" });
    expect(tunnelOf(lab, "remi", iface)).toMatchObject({ up: true, via: "pppoe-out2" });
    // The table's route is active in its own table, beside main's defaults rather than instead of them.
    lab.tick();
    const defaults = await print(alice, "/ip/route", ["?dst-address=0.0.0.0/0"]);
    expect(defaults.find((r) => r["routing-table"] === "via-sfr")).toMatchObject({ active: "true", gateway: "198.51.100.1" });
    expect(defaults.filter((r) => r["routing-table"] === undefined).map((r) => r.gateway)).toEqual(["203.0.113.1", "198.51.100.1"]);
  });
});

describe("lab: ISP leases", () => {
  it("dana's Ethernet WAN is a bound DHCP client: address, gateway and default route from the lease", async () => {
    lab = await Lab.start({ routers: ["dana"], tickMs: 0 });
    const dana = await open(lab, "dana");
    expect(await print(dana, "/ip/dhcp-client")).toEqual([expect.objectContaining({ interface: "ether1", status: "bound", address: "198.19.4.20/24", gateway: "198.19.4.1" })]);
    expect((await print(dana, "/ip/address", ["?interface=ether1"])).map((a) => [a.address, a.dynamic])).toEqual([["198.19.4.20/24", "true"]]);
    expect((await print(dana, "/ip/route", ["?dst-address=0.0.0.0/0"])).map((r) => [r.gateway, r.distance, r.dynamic])).toEqual([
      ["198.19.4.1", "1", "true"],
      ["pppoe-out1", "2", "true"],
    ]);
  });

  it("/lab/wan-down takes the running state, the DHCP lease and its default route; /lab/wan-up brings them back", async () => {
    lab = await Lab.start({ routers: ["dana"], tickMs: 0 });
    const dana = await open(lab, "dana");
    await dana.write("/lab/wan-down", ["=interface=ether1"]);
    expect((await print(dana, "/interface", ["?name=ether1"]))[0]).toMatchObject({ running: "false" });
    expect(await print(dana, "/ip/address", ["?interface=ether1"])).toEqual([]);
    expect((await print(dana, "/ip/route", ["?dst-address=0.0.0.0/0"])).map((r) => r.gateway)).toEqual(["pppoe-out1"]);
    const [lease] = await print(dana, "/ip/dhcp-client");
    expect(lease).toMatchObject({ status: "searching..." });
    expect(lease!.address).toBeUndefined();
    await dana.write("/lab/wan-up", ["=interface=ether1"]);
    expect((await print(dana, "/interface", ["?name=ether1"]))[0]).toMatchObject({ running: "true" });
    expect((await print(dana, "/ip/address", ["?interface=ether1"])).map((a) => a.address)).toEqual(["198.19.4.20/24"]);
    expect((await print(dana, "/ip/route", ["?dst-address=0.0.0.0/0"])).map((r) => r.gateway).sort()).toEqual(["198.19.4.1", "pppoe-out1"]);
    expect((await print(dana, "/ip/dhcp-client"))[0]).toMatchObject({ status: "bound", gateway: "198.19.4.1" });
  });

  it("a cable cut under a VLAN takes the VLAN down too", async () => {
    lab = await Lab.start({ routers: ["alice"], tickMs: 0 });
    const alice = await open(lab, "alice");
    await alice.write("/lab/wan-down", ["=interface=ether1"]);
    expect((await print(alice, "/interface", ["?name=vlan832-orange-internet"]))[0]).toMatchObject({ running: "false" });
    expect(lab.wanDown.has("alice/vlan832-orange-internet")).toBe(true);
    await alice.write("/lab/wan-up", ["=interface=ether1"]);
    expect((await print(alice, "/interface", ["?name=vlan832-orange-internet"]))[0]).toMatchObject({ running: "true" });
  });

  it("a PPPoE WAN cut under its client takes the client's interface, address and default route", async () => {
    lab = await Lab.start({ routers: ["remi"], tickMs: 0 });
    const remi = await open(lab, "remi");
    await remi.write("/lab/wan-down", ["=interface=ether1"]);
    expect((await print(remi, "/interface", ["?name=pppoe-out1"]))[0]).toMatchObject({ running: "false" });
    expect(await print(remi, "/ip/address", ["?interface=pppoe-out1"])).toEqual([]);
    expect((await print(remi, "/ip/route", ["?dst-address=0.0.0.0/0"])).map((r) => r.gateway)).toEqual(["pppoe-out2"]);
    await remi.write("/lab/wan-up", ["=interface=ether1"]);
    expect((await print(remi, "/interface", ["?name=pppoe-out1"]))[0]).toMatchObject({ running: "true" });
    expect((await print(remi, "/ip/address", ["?interface=pppoe-out1"])).map((a) => a.address)).toEqual(["192.0.2.33/32"]);
  });
});
