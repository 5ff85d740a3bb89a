// Mixed peerings through the wizard, between the lab's RouterOS routers (7 over WireGuard, 6.49
// over OpenVPN) and a real Linux host (a netlab namespace over SSH), each way: one side offers, the
// other accepts (and applies), the first completes (and applies); both operators end with the same
// peering file. (The lab's data plane is simulated: no tunnel can come up between it and a real
// host, so this proves the bundles, the certificates, the passwords, the renders and the applies,
// read back on each side; tunnels that come up are proven between Linux hosts: wizard.test.ts,
// wizard-ovpn.test.ts.)
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeFingerprint, pemFingerprint } from "../../../src/core/certificates.js";
import type { Link } from "../../../src/core/peering.js";
import { Lab } from "../../../src/lab/lab.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { cliAsync } from "../../cli/cli-async.js";
import { tempDir } from "../../helpers.js";
import { waitFor } from "./peered-hosts.js";

// The names of the sides name the Linux host's tunnels (wg-<RouterOS side>-<link>), whose
// wireguard-go sockets share /run/wireguard: this process's only.
const HOST = `m${process.pid}`;
const ROS = `ros${process.pid}`;
const ROS_BACK = `rot${process.pid}`;
const ROS6 = `rsx${process.pid}`;
const ROS6_BACK = `rsy${process.pid}`;
// The Linux side's name when carol is offered to: RouterOS 6 names its BGP peers after the friend, so one name per friend on carol.
const HOST6 = `n${process.pid}`;

let lab: Lab;
let net: Netlab;

beforeAll(async () => {
  // Two RouterOS 7 routers, one per direction (an accepting RouterOS side listens on the offered ports
  // too), and carol on RouterOS 6.49 (no WireGuard: OpenVPN).
  lab = await Lab.start({ routers: ["alice", "remi", "carol"], tickMs: 50, tls: false });
  net = await startNetlab([{ name: HOST, lan: "192.168.50.1/24" }]);
}, 120_000);

afterAll(async () => {
  await net?.teardown();
  // openvpn's pid, log and status files in the shared /run, of this file's tunnels only.
  for (const friend of [ROS6, ROS6_BACK]) {
    const iface = linuxNames.tunnelInterface({ name: "isp1", kind: "ovpn" } as Link, friend);
    for (const file of [linuxNames.openvpnPid(iface), linuxNames.openvpnLog(iface), linuxNames.openvpnStatus(iface)]) rmSync(file, { force: true });
  }
  await lab?.stop();
});

function asRouterOS(router: "alice" | "remi" | "carol", home: string, args: string[]) {
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
function samePeering(homeRos: string, homeLinux: string, ros: string, linux = HOST): any {
  const rosCopy = JSON.parse(readFileSync(join(homeRos, "peers", `${linux}.json`), "utf8"));
  const linuxCopy = JSON.parse(readFileSync(join(homeLinux, "peers", `${ros}.json`), "utf8"));
  expect(rosCopy).toEqual(linuxCopy);
  expect(rosCopy.sides[ros].platform.os).toBe("routeros");
  expect(rosCopy.sides[linux].platform.os).toBe("linux");
  return rosCopy;
}

/** The openvpn processes of the Linux host's tunnel `iface` (their config names it). */
async function openvpnRunning(iface: string): Promise<string[]> {
  const ps = (await net.exec(HOST, ["sh", "-c", "ps -o args= -C openvpn || true"])).stdout;
  return ps.split("\n").filter((l) => l.includes(`/etc/openvpn/${iface}.conf`));
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
      // The way to it: the link's table, whose route BIRD keeps through the link's WAN.
      const pin = (await net.exec(HOST, ["ip", "route", "get", endpoint])).stdout;
      expect(pin).toContain(`via ${h.wans[n]!.gateway} dev ${h.wans[n]!.interface} table `);
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
});

// RouterOS 6 has no WireGuard: its friend on Linux peers over OpenVPN, each way round.
describe("the wizard between RouterOS 6 and Linux, over OpenVPN", () => {
  it("RouterOS 6 offers (its OpenVPN server), Linux accepts (a client with its certificate and the PPP password), RouterOS completes; the peering files agree", async () => {
    const homes = { carol: tempDir("bgpals-mixed-carol-"), linux: tempDir("bgpals-mixed-linux-") };
    const h = net.hosts[HOST]!;
    // carol's address is dynamic (IP Cloud names it): the Linux host here resolves no names, so the offer gives the address.
    const carolAddress = "198.18.0.77";
    const offer = await asRouterOS("carol", homes.carol, ["offer", "--me", ROS6, "--friend", HOST, "--asn", "64515", "--networks", "192.168.88.0/24", "--link", "isp1:ovpn:pppoe-out1", "--endpoint", `isp1=${carolAddress}`, "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };

    const accept = await asLinux(homes.linux, ["accept", bundle, "--me", HOST, "--asn", "64513", "--networks", "192.168.50.0/24", "--wan", "isp1=wan1", "--yes", "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    const { bundle: answer } = JSON.parse(accept.stdout) as { bundle: string };

    const complete = await asRouterOS("carol", homes.carol, ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);

    const peering = samePeering(homes.carol, homes.linux, ROS6);
    expect(peering.sides[ROS6].platform.version).toMatch(/^6\.49/);
    const [link] = peering.links;
    expect(link).toMatchObject({ kind: "ovpn", listener: ROS6, protocol: "tcp", user: `${HOST}-isp1` });
    const base = `bgpals-${peering.name}`;
    const iface = linuxNames.tunnelInterface(link as Link, ROS6);

    // On the Linux host, read there: an openvpn client dialling carol over TCP with the ciphers RouterOS 6 has,
    // trusting carol's CA (the one the peering pins), logging in with the password RouterOS holds in its PPP secret.
    const conf = readFileSync(join(h.etc, "openvpn", `${iface}.conf`), "utf8");
    expect(conf).toContain(`remote ${carolAddress} ${link.port}`);
    expect(conf).toMatch(/^proto tcp-client$/m);
    expect(conf).toMatch(/^data-ciphers AES-256-CBC$/m);
    expect(conf).toMatch(/^auth SHA1$/m);
    expect(normalizeFingerprint(pemFingerprint(readFileSync(join(h.etc, "openvpn", `${base}-friend-ca.crt`), "utf8"))!)).toBe(normalizeFingerprint(link.caFingerprint));
    const carolCa = lab.router("carol").store.at("/certificate").find({ name: `${base}-ca` })[0]!;
    expect(normalizeFingerprint(link.caFingerprint)).toBe(normalizeFingerprint(carolCa.fingerprint!));
    const [user, password] = readFileSync(join(h.etc, "openvpn", `${iface}.login`), "utf8").split("\n");
    expect(user).toBe(link.user);
    const secret = lab.router("carol").store.at("/ppp/secret").find({ name: link.user })[0];
    expect(secret?.password).toBeDefined();
    expect(password).toBe(secret!.password);
    expect((statSync(join(h.etc, "openvpn", `${iface}.login`)).mode & 0o777).toString(8)).toBe("600");
    expect(await openvpnRunning(iface)).toHaveLength(1);
    expect((await net.birdc(HOST, "show", "protocols")).match(new RegExp(`^${linuxNames.bgpProtocol(peering, "isp")}1\\s+BGP\\s`, "gm"))).toHaveLength(1);

    // On RouterOS, read there: the server listens on the link's port, and trusts the CA that signed the Linux host's client certificate.
    expect(lab.router("carol").store.at("/interface/ovpn-server/server").list()[0]).toMatchObject({ enabled: "true", port: String(link.port) });
    const linuxCa = pemFingerprint(readFileSync(join(h.etc, "openvpn", `${base}-ca.crt`), "utf8"))!;
    expect(lab.router("carol").store.at("/certificate").list().map((c) => normalizeFingerprint(c.fingerprint ?? ""))).toContain(normalizeFingerprint(linuxCa));
  }, 240_000);

  it("Linux offers (its OpenVPN server), RouterOS 6 accepts (a client), Linux completes with the password RouterOS chose; the peering files agree", async () => {
    const homes = { carol: tempDir("bgpals-mixed-carol-"), linux: tempDir("bgpals-mixed-linux-") };
    const h = net.hosts[HOST]!;
    const offer = await asLinux(homes.linux, ["offer", "--me", HOST6, "--friend", ROS6_BACK, "--asn", "64513", "--networks", "192.168.50.0/24", "--link", "isp1:ovpn:wan1", "--name", `bov${process.pid}`, "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };

    const accept = await asRouterOS("carol", homes.carol, ["accept", bundle, "--me", ROS6_BACK, "--asn", "64515", "--networks", "192.168.88.0/24", "--wan", "isp1=pppoe-out1", "--yes", "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    const { bundle: answer } = JSON.parse(accept.stdout) as { bundle: string };

    const complete = await asLinux(homes.linux, ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);

    const peering = samePeering(homes.carol, homes.linux, ROS6_BACK, HOST6);
    const [link] = peering.links;
    expect(link).toMatchObject({ kind: "ovpn", listener: HOST6, protocol: "tcp" });
    expect(peering.sides[HOST6].wans[link.wan[HOST6]].endpoint).toBe(h.wans[0]!.address);
    const base = `bgpals-${peering.name}`;
    const iface = linuxNames.tunnelInterface(link as Link, ROS6_BACK);

    // On RouterOS, read there: a client dialling the Linux host's endpoint on the link's port, trusting the Linux host's CA.
    const client = lab.router("carol").store.at("/interface/ovpn-client").list()[0]!;
    expect(client).toMatchObject({ "connect-to": h.wans[0]!.address, port: String(link.port), user: link.user });
    const linuxCa = pemFingerprint(readFileSync(join(h.etc, "openvpn", `${base}-ca.crt`), "utf8"))!;
    expect(normalizeFingerprint(link.caFingerprint)).toBe(normalizeFingerprint(linuxCa));
    expect(lab.router("carol").store.at("/certificate").list().map((c) => normalizeFingerprint(c.fingerprint ?? ""))).toContain(normalizeFingerprint(linuxCa));

    // On the Linux host, read there: an openvpn server on the link's port (TCP, RouterOS 6's ciphers), trusting
    // carol's CA, whose login check holds the sha256 of the password carol's client has, never the password.
    const conf = readFileSync(join(h.etc, "openvpn", `${iface}.conf`), "utf8");
    expect(conf).toMatch(new RegExp(`^port ${link.port}$`, "m"));
    expect(conf).toMatch(/^proto tcp-server$/m);
    expect(conf).toMatch(/^data-ciphers AES-256-CBC$/m);
    const carolCa = readFileSync(join(h.etc, "openvpn", `${base}-friend-ca.crt`), "utf8");
    expect(lab.router("carol").store.at("/certificate").list().map((c) => normalizeFingerprint(c.fingerprint ?? ""))).toContain(normalizeFingerprint(pemFingerprint(carolCa)!));
    const script = readFileSync(join(h.etc, "openvpn", `${iface}.sh`), "utf8");
    expect(client.password).toBeDefined();
    expect(script).toContain(createHash("sha256").update(client.password!).digest("hex"));
    expect(script).not.toContain(client.password!);
    expect(await openvpnRunning(iface)).toHaveLength(1);
    await waitFor(async () => new RegExp(`:${link.port}\\b`).test((await net.exec(HOST, ["ss", "-Hltn"])).stdout), `openvpn listening on ${link.port}`, 30_000);
    expect((await net.birdc(HOST, "show", "protocols")).match(new RegExp(`^${linuxNames.bgpProtocol(peering, "isp")}1\\s+BGP\\s`, "gm"))).toHaveLength(1);
  }, 240_000);
});
