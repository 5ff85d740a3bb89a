// An OpenVPN link over UDP whose server listens on its host's second WAN, while the host's default
// route leaves by the first (two real Linux hosts in netlab namespaces, made through the platform).
// A UDP server answers from whatever address the kernel picks unless told otherwise: the first
// WAN's, by the main table. The client takes packets from its server's address only, so the
// tunnel would never come up. Read from the hosts (ip, birdc), not from bgpals.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaCertificateBody } from "../../../src/core/offer.js";
import type { Peering } from "../../../src/core/peering.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import type { Router } from "../../../src/platforms/platform.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { ovpnPeering, withNetlabHost } from "./helpers.js";
import { waitFor } from "./peered-hosts.js";

// Names of this file and process only: they name the tunnels and the pid files in the shared /run.
const SERVER = `us${process.pid}`;
const CLIENT = `uc${process.pid}`;
const PEERING = `ou${process.pid}`;
const PASSWORD = `pw-${process.pid}`;
const secrets = { pppPassword: { isp2: PASSWORD } };

let lab: Netlab;

// The server's second WAN (its default route leaves by wan1); the client's only one.
const peeringOf = (caFingerprint: string): Peering =>
  ovpnPeering({ name: PEERING, server: SERVER, client: CLIENT, link: "isp2", serverWan: lab.hosts[SERVER]!.wans[1]!, clientWan: lab.hosts[CLIENT]!.wans[0]!, port: 1196, protocol: "udp", subnet: "172.16.31", caFingerprint });

const withRouter = <T>(side: string, work: (router: Router) => Promise<T>) => withNetlabHost(lab, side, work);

/** This run's pid, log and status files in the shared /run. */
function runFiles(): string[] {
  return [SERVER, CLIENT].flatMap((side) => {
    const iface = linuxNames.tunnelInterface({ name: "isp2", kind: "ovpn" } as Peering["links"][number], side === SERVER ? CLIENT : SERVER);
    return [linuxNames.openvpnPid(iface), linuxNames.openvpnLog(iface), linuxNames.openvpnStatus(iface)];
  });
}

beforeAll(async () => {
  lab = await startNetlab([
    { name: SERVER, lan: "192.168.10.1/24", wans: 2 },
    { name: CLIENT, lan: "192.168.42.1/24", wans: 1 },
  ]);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
  for (const file of runFiles()) rmSync(file, { force: true });
});

describe("an OpenVPN link over UDP on the server's second WAN", () => {
  it("comes up: the server answers from the address the client dials, out of that WAN", async () => {
    const server = lab.hosts[SERVER]!;
    // The server's own way to the client leaves by wan1: the test is about answering by wan2 anyway.
    expect((await lab.exec(SERVER, ["ip", "route", "get", lab.hosts[CLIENT]!.wans[0]!.address])).stdout).toContain("dev wan1");
    const cas: Record<string, CaCertificateBody> = {};
    cas[SERVER] = await withRouter(SERVER, (router) => router.makeCertificates(PEERING, "server", [server.wans[1]!.address]));
    cas[CLIENT] = await withRouter(CLIENT, (router) => router.makeCertificates(PEERING, "client"));
    await withRouter(SERVER, (router) => router.importFriendCa(PEERING, cas[CLIENT]!));
    await withRouter(CLIENT, (router) => router.importFriendCa(PEERING, cas[SERVER]!));
    const peering = peeringOf(cas[SERVER]!.caFingerprint);
    for (const side of [SERVER, CLIENT]) {
      const result = await withRouter(side, async (router) => router.apply((await router.plan({ peering, side, secrets })).plan));
      expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
    }
    for (const side of [SERVER, CLIENT]) {
      await waitFor(async () => /^bgpals_\S+\s+BGP\s+.*Established/m.test(await lab.birdc(side, "show", "protocols")), `the session Established on ${side}`, 60_000);
    }
    // Established is before the routes: each LAN in the other's kernel, through the tunnel, then a ping.
    const routeOf = async (side: string, lan: string) => (await lab.exec(side, ["ip", "route", "show", lan])).stdout;
    await waitFor(async () => /via 172\.16\.31\.2 /.test(await routeOf(SERVER, "192.168.42.0/24")), "the client's LAN on the server", 30_000);
    await waitFor(async () => /via 172\.16\.31\.1 /.test(await routeOf(CLIENT, "192.168.10.0/24")), "the server's LAN on the client", 30_000);
    expect((await lab.exec(SERVER, ["ping", "-c", "1", "-W", "3", "-I", "192.168.10.1", "192.168.42.1"])).stdout).toMatch(/1 received/);
  }, 180_000);
});
