// What decides where a friend's router can reach: IP Cloud, addresses behind a NAT, DNS names
// (and WireGuard resolving one once), and scheduler scripts that follow a name. Through the API.
import { afterEach, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { example } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";
import type { RouterOSAPI } from "node-routeros";

let lab: Lab | undefined;
const apis: RouterOSAPI[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close().catch(() => undefined);
  await lab?.stop();
  lab = undefined;
});

async function open(name: string): Promise<RouterOSAPI> {
  const api = await connect(lab!, name);
  apis.push(api);
  return api;
}

const tunnel = (router: string, iface: string) => lab!.dataplane.of(router).tunnels.find((t) => t.tunnel.initiator.interface === iface)?.tunnel;

describe("lab IP Cloud", () => {
  it("shows a DNS name and the public address of the WAN with the main default route only while DDNS is enabled", async () => {
    lab = await Lab.start({ routers: ["alice"], tickMs: 0 });
    const alice = await open("alice");
    const [before] = await print(alice, "/ip/cloud");
    expect(before).not.toHaveProperty("dns-name");
    expect(before).not.toHaveProperty("public-address");

    await alice.write("/ip/cloud/set", ["=ddns-enabled=yes"]);
    const [enabled] = await print(alice, "/ip/cloud");
    // alice's serial number names her; orange (distance 1) carries the default route.
    const serial = (await print(alice, "/system/routerboard"))[0]!["serial-number"]!.toLowerCase();
    expect(enabled).toMatchObject({ "ddns-enabled": "true", "dns-name": `${serial}.sn.mynetname.net`, "public-address": "203.0.113.10" });
    expect(lab.resolve(`${serial}.sn.mynetname.net`)).toBe("203.0.113.10");

    // With orange down the router reaches the cloud through sfr: the name follows.
    await alice.write("/lab/wan-down", ["=interface=vlan832-orange-internet"]);
    expect((await print(alice, "/ip/cloud"))[0]).toMatchObject({ "public-address": "198.51.100.20" });
    expect(lab.resolve(`${serial}.sn.mynetname.net`)).toBe("198.51.100.20");

    await alice.write("/ip/cloud/set", ["=ddns-enabled=no"]);
    const [disabled] = await print(alice, "/ip/cloud");
    expect(disabled).not.toHaveProperty("dns-name");
    expect(disabled).not.toHaveProperty("public-address");
    expect(lab.resolve(`${serial}.sn.mynetname.net`)).toBeNull();
  });
});

describe("lab addresses behind a NAT", () => {
  async function listenOn(remi: RouterOSAPI): Promise<void> {
    // remi listens for WireGuard on every WAN, her firewall open for it.
    await remi.write("/interface/wireguard/add", ["=name=wg-test", "=listen-port=13231"]);
    const [first] = await print(remi, "/ip/firewall/filter");
    await remi.write("/ip/firewall/filter/add", ["=chain=input", "=action=accept", "=protocol=udp", "=dst-port=13231", `=place-before=${first![".id"]}`]);
  }

  async function dial(alice: RouterOSAPI, remi: RouterOSAPI, address: string): Promise<void> {
    await alice.write("/interface/wireguard/add", ["=name=wg-test", "=listen-port=13232"]);
    const [mine] = await print(alice, "/interface/wireguard", ["?name=wg-test"]);
    const [theirs] = await print(remi, "/interface/wireguard", ["?name=wg-test"]);
    await remi.write("/interface/wireguard/peers/add", ["=interface=wg-test", `=public-key=${mine!["public-key"]}`, "=allowed-address=10.99.0.1/32"]);
    await alice.write("/interface/wireguard/peers/add", ["=interface=wg-test", `=public-key=${theirs!["public-key"]}`, "=allowed-address=10.99.0.2/32", `=endpoint-address=${address}`, "=endpoint-port=13231"]);
    lab!.tick();
  }

  it("a CGNAT (100.64.0.0/10) WAN address is not reached from another router's WAN; a public one is", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const alice = await open("alice");
    const remi = await open("remi");
    await listenOn(remi);
    const cgnat = (await print(remi, "/ip/address", ["?interface=pppoe-out2"]))[0]!.address!.split("/")[0]!;
    await dial(alice, remi, cgnat);
    expect(tunnel("alice", "wg-test")).toMatchObject({ up: false, reason: expect.stringContaining("CGNAT") });

    // The same tunnel to remi's public address comes up: only the address was in the way.
    const [peer] = await print(alice, "/interface/wireguard/peers", ["?interface=wg-test"]);
    const publicAddress = (await print(remi, "/ip/address", ["?interface=pppoe-out1"]))[0]!.address!.split("/")[0]!;
    await alice.write("/interface/wireguard/peers/set", [`=.id=${peer![".id"]}`, `=endpoint-address=${publicAddress}`]);
    lab.tick();
    expect(tunnel("alice", "wg-test")).toMatchObject({ up: true });
  });

  it("an RFC 1918 WAN address is not reached from another router's WAN", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const alice = await open("alice");
    const remi = await open("remi");
    await listenOn(remi);
    await remi.write("/ip/address/add", ["=address=10.20.30.40/32", "=interface=pppoe-out1"]);
    await dial(alice, remi, "10.20.30.40");
    expect(tunnel("alice", "wg-test")).toMatchObject({ up: false, reason: expect.stringContaining("RFC 1918") });
  });
});

describe("lab DNS and scheduler scripts", () => {
  it("/lab/dns sets, changes and forgets what a name resolves to for every lab router; an address it must be", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    const remi = await open("remi");
    // The personalities' own names resolve from the start.
    expect(lab.resolve("vpn.alice.example")).toBe("203.0.113.10");
    await remi.write("/lab/dns", ["=name=Friend.Example", "=address=198.51.100.7"]);
    expect(lab.resolve("friend.example")).toBe("198.51.100.7");
    await remi.write("/lab/dns", ["=name=friend.example", "=address=198.51.100.8"]);
    expect(lab.resolve("FRIEND.example")).toBe("198.51.100.8");
    await expect(remi.write("/lab/dns", ["=name=friend.example", "=address=not-an-address"])).rejects.toThrow(/=address= must be an IPv4 address/);
    await remi.write("/lab/dns", ["=name=friend.example", "=address="]);
    expect(lab.resolve("friend.example")).toBeNull();
  });

  it("/lab/dns sets what a name resolves to; a scheduler runs its script every interval on the lab clock", async () => {
    lab = await Lab.start({ routers: ["remi"], tickMs: 0 });
    const remi = await open("remi");
    await remi.write("/lab/dns", ["=name=friend.example", "=address=203.0.113.10"]);
    expect(lab.resolve("friend.example")).toBe("203.0.113.10");
    await remi.write("/ip/route/add", ["=dst-address=203.0.113.10/32", "=gateway=pppoe-out1", "=comment=follow-me"]);
    const source = [":do {", ':local a [:resolve "friend.example"]', '/ip route set [find comment="follow-me"] dst-address="$a/32"', ':global lastFriend $a', '} on-error={ :log warning "friend.example does not resolve" }'].join("\n");
    await remi.write("/system/script/add", ["=name=follow", `=source=${source}`, "=policy=read,write,test"]);
    await remi.write("/system/scheduler/add", ["=name=follow", "=interval=1m", "=on-event=follow", "=policy=read,write,test"]);

    await remi.write("/lab/dns", ["=name=friend.example", "=address=198.51.100.20"]);
    lab.advance(59_000);
    expect((await print(remi, "/ip/route", ["?comment=follow-me"]))[0]).toMatchObject({ "dst-address": "203.0.113.10/32" });
    lab.advance(1_000);
    expect((await print(remi, "/ip/route", ["?comment=follow-me"]))[0]).toMatchObject({ "dst-address": "198.51.100.20/32" });
    expect((await print(remi, "/system/scheduler", ["?name=follow"]))[0]).toMatchObject({ "run-count": "1" });
    expect(lab.router("remi").globals.get("lastFriend")).toBe("198.51.100.20");

    // A name that stops resolving: the script's on-error runs and nothing changes.
    await remi.write("/lab/dns", ["=name=friend.example", "=address="]);
    lab.advance(60_000);
    expect((await print(remi, "/ip/route", ["?comment=follow-me"]))[0]).toMatchObject({ "dst-address": "198.51.100.20/32" });
    expect(lab.router("remi").log.at(-1)).toBe("warning: friend.example does not resolve");

    // A disabled scheduler item (bgpals's lock is one) never runs.
    await remi.write("/system/scheduler/disable", ["=numbers=follow"]);
    await remi.write("/lab/dns", ["=name=friend.example", "=address=203.0.113.10"]);
    lab.advance(180_000);
    expect((await print(remi, "/ip/route", ["?comment=follow-me"]))[0]).toMatchObject({ "dst-address": "198.51.100.20/32" });
  });

  it("WireGuard resolves an endpoint name once: a friend's new address is not followed until the peer is set again", async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0 });
    await buildPeering(lab, example("s1"));
    const alice = await open("alice");
    const remi = await open("remi");
    const [peer] = await print(remi, "/interface/wireguard/peers", ["?comment=bgpals:alice-remi:peer-isp1"]);
    await remi.write("/interface/wireguard/peers/set", [`=.id=${peer![".id"]}`, "=endpoint-address=vpn.alice.example"]);
    lab.tick();
    expect(tunnel("remi", peer!.interface!)).toMatchObject({ up: true });

    // alice's ISP gives her a new address and her DNS name follows it.
    const [address] = await print(alice, "/ip/address", ["?address=203.0.113.10/24"]);
    await alice.write("/ip/address/set", [`=.id=${address![".id"]}`, "=address=203.0.113.99/24"]);
    await alice.write("/lab/dns", ["=name=vpn.alice.example", "=address=203.0.113.99"]);
    lab.advance(5_000);
    expect(tunnel("remi", peer!.interface!)).toMatchObject({ up: false, reason: "nothing answers at 203.0.113.10" });

    await remi.write("/interface/wireguard/peers/set", [`=.id=${peer![".id"]}`, "=endpoint-address=203.0.113.99"]);
    lab.tick();
    expect(tunnel("remi", peer!.interface!)).toMatchObject({ up: true });
  });
});
