// Mixed peerings through the wizard, between the lab's RouterOS 7 router and a real Linux host (a
// netlab namespace over SSH), each way: one side offers, the other accepts (and applies), the
// first completes (and applies); both operators end with the same peering file. (The
// lab's data plane is simulated: no tunnel can come up between it and a real host, so this proves
// the bundles, the renders and the applies, read back on each side.)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Link } from "../../../src/core/peering.js";
import { Lab } from "../../../src/lab/lab.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { cliAsync } from "../../cli/cli-async.js";
import { tempDir } from "../../helpers.js";

// The names of the sides name the Linux host's tunnels (wg-<RouterOS side>-<link>), whose
// wireguard-go sockets share /run/wireguard: this process's only.
const HOST = `m${process.pid}`;
const ROS = `ros${process.pid}`;
const ROS_BACK = `rot${process.pid}`;

let lab: Lab;
let net: Netlab;
let madeNftablesD = false;

beforeAll(async () => {
  madeNftablesD = !existsSync("/etc/nftables.d");
  if (madeNftablesD) mkdirSync("/etc/nftables.d");
  // Two RouterOS routers, one per direction: an accepting RouterOS side listens on the offered ports too.
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false });
  net = await startNetlab([{ name: HOST, lan: "192.168.50.1/24" }]);
}, 120_000);

afterAll(async () => {
  await net?.teardown();
  await lab?.stop();
  try {
    if (madeNftablesD) rmdirSync("/etc/nftables.d");
  } catch {
    // another test's file went in meanwhile: theirs to remove
  }
});

function asRouterOS(router: "alice" | "remi", home: string, args: string[]) {
  const r = lab.info().routers.find((x) => x.name === router)!;
  return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: home, BGPALS_PASSWORD: r.password });
}

function asLinux(home: string, args: string[]) {
  const h = net.hosts[HOST]!;
  return cliAsync([...args, "--router", `ssh://root@${h.ssh.host}:${h.ssh.port}`, "--key", net.key.file], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
}

/** The users of a lab router's configuration (its exportConfig). */
const usersOf = (exported: string): string[] => ((JSON.parse(exported) as Record<string, Array<{ name?: string }>>)["/user"] ?? []).map((u) => u.name ?? "");

/** Both operators' peering files, equal, each side on its own platform. */
function samePeering(homeRos: string, homeLinux: string, ros: string): any {
  const rosCopy = JSON.parse(readFileSync(join(homeRos, "peers", `${HOST}.json`), "utf8"));
  const linuxCopy = JSON.parse(readFileSync(join(homeLinux, "peers", `${ros}.json`), "utf8"));
  expect(rosCopy).toEqual(linuxCopy);
  expect(rosCopy.sides[ros].platform.os).toBe("routeros");
  expect(rosCopy.sides[HOST].platform.os).toBe("linux");
  return rosCopy;
}

/** Read on the Linux host: each tunnel holds the RouterOS side's key; BIRD holds the peering's two sessions; no key is left only prepared. */
async function heldOnLinux(peering: any, ros: string): Promise<void> {
  const h = net.hosts[HOST]!;
  for (const link of peering.links) {
    const iface = linuxNames.tunnelInterface({ name: link.name } as Link, ros);
    expect((await net.exec(HOST, ["wg", "show", iface, "peers"])).stdout.trim()).toBe(link.publicKey[ros]);
  }
  const protocols = (await net.birdc(HOST, "show", "protocols")).match(new RegExp(`^${linuxNames.bgpProtocol(peering, "isp")}\\d\\s+BGP\\s`, "gm"));
  expect(protocols).toHaveLength(2);
  expect(readdirSync(join(h.etc, "wireguard")).filter((f) => f.endsWith(".bgpals-prepared"))).toEqual([]);
}

describe("the wizard between RouterOS 7 and Linux", () => {
  it("RouterOS offers, Linux accepts: the accept applies on Linux, the complete on RouterOS, and the peering files agree", async () => {
    const homes = { alice: tempDir("bgpals-mixed-alice-"), linux: tempDir("bgpals-mixed-linux-") };
    const offer = await asRouterOS("alice", homes.alice, ["offer", "--me", ROS, "--friend", HOST, "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--primary", "isp1", "--monitor-account", "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };

    const accept = await asLinux(homes.linux, ["accept", bundle, "--me", HOST, "--asn", "64513", "--networks", "192.168.50.0/24", "--wan", "isp1=wan1", "--wan", "isp2=wan2", "--yes", "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    const { bundle: answer } = JSON.parse(accept.stdout) as { bundle: string };

    const complete = await asRouterOS("alice", homes.alice, ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);

    const aliceCopy = samePeering(homes.alice, homes.linux, ROS);
    await heldOnLinux(aliceCopy, ROS);

    // On the Linux host, read there: each tunnel made with alice's key, dialling alice's endpoint
    // on that link, pinned to its own WAN; BIRD holds both sessions.
    const h = net.hosts[HOST]!;
    for (const [n, link] of ["isp1", "isp2"].entries()) {
      const iface = linuxNames.tunnelInterface({ name: link } as Link, ROS);
      const l = aliceCopy.links.find((x: { name: string }) => x.name === link);
      const endpoint = aliceCopy.sides[ROS].wans[l.wan[ROS]].endpoint as string;
      const peers = (await net.exec(HOST, ["wg", "show", iface, "endpoints"])).stdout;
      expect(peers).toContain(`${l.publicKey[ROS]}\t${endpoint}:${l.port}`);
      const pin = (await net.exec(HOST, ["ip", "route", "show", `${endpoint}/32`])).stdout;
      expect(pin).toContain(`via ${h.wans[n]!.gateway} dev ${h.wans[n]!.interface}`);
    }
    // On RouterOS, read there: each WireGuard peer holds the Linux host's public key, and the
    // monitor account granted to the Linux friend (nothing of it runs on Linux) is made at complete.
    const exported = lab.router("alice").exportConfig();
    for (const link of aliceCopy.links) expect(exported).toContain(link.publicKey[HOST]);
    expect(usersOf(exported)).toContain(routerOs.monitorAccountName(aliceCopy.name));
  }, 240_000);

  it("Linux offers, RouterOS accepts: the accept applies on RouterOS, the complete on Linux, and the peering files agree", async () => {
    const homes = { remi: tempDir("bgpals-mixed-remi-"), linux: tempDir("bgpals-mixed-linux-") };
    const offer = await asLinux(homes.linux, ["offer", "--me", HOST, "--friend", ROS_BACK, "--asn", "64513", "--networks", "192.168.50.0/24", "--link", "isp1:wireguard:wan1", "--link", "isp2:wireguard:wan2", "--primary", "isp1", "--name", `back${process.pid}`, "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };

    const accept = await asRouterOS("remi", homes.remi, ["accept", bundle, "--me", ROS_BACK, "--asn", "64514", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--monitor-account", "--yes", "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    const { bundle: answer } = JSON.parse(accept.stdout) as { bundle: string };

    const complete = await asLinux(homes.linux, ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);

    const peering = samePeering(homes.remi, homes.linux, ROS_BACK);
    await heldOnLinux(peering, ROS_BACK);
    const h = net.hosts[HOST]!;
    // The Linux host listens on each link's port, on that link's WAN (its address is the endpoint the friend dials).
    for (const [n, link] of ["isp1", "isp2"].entries()) {
      const l = peering.links.find((x: { name: string }) => x.name === link);
      expect(peering.sides[HOST].wans[l.wan[HOST]].endpoint).toBe(h.wans[n]!.address);
      const iface = linuxNames.tunnelInterface({ name: link } as Link, ROS_BACK);
      expect((await net.exec(HOST, ["wg", "show", iface, "listen-port"])).stdout.trim()).toBe(String(l.port));
    }
    const exported = lab.router("remi").exportConfig();
    for (const link of peering.links) expect(exported).toContain(link.publicKey[HOST]);
    // RouterOS granted its monitor account at accept; the Linux side's complete kept it.
    expect(usersOf(exported)).toContain(routerOs.monitorAccountName(peering.name));
  }, 240_000);

  it("an OpenVPN offer from RouterOS is refused on Linux before anything is written", async () => {
    const homes = { alice: tempDir("bgpals-mixed-alice-"), linux: tempDir("bgpals-mixed-linux-") };
    const offer = await asRouterOS("alice", homes.alice, ["offer", "--me", `rov${process.pid}`, "--friend", HOST, "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:ovpn:vlan832-orange-internet", "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };
    const h = net.hosts[HOST]!;
    const held = async () => ({
      files: readdirSync(join(h.etc, "wireguard")).sort(),
      links: (await net.exec(HOST, ["ip", "-br", "link", "show"])).stdout,
      protocols: (await net.birdc(HOST, "show", "protocols")).split("\n").map((l) => l.split(/\s+/).slice(0, 3).join(" ")),
    });
    const before = await held();
    const accept = await asLinux(homes.linux, ["accept", bundle, "--me", HOST, "--asn", "64513", "--networks", "192.168.50.0/24", "--wan", "isp1=wan1", "--yes"]);
    expect(accept.code, accept.stderr).toBe(1);
    expect(accept.stderr).toMatch(/link isp1 uses OpenVPN, which .*Linux.* does not offer: use "kind": "wireguard"/);
    expect(await held()).toEqual(before);
  }, 120_000);
});
