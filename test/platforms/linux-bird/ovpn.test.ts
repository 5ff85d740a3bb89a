// An OpenVPN link between two real Linux hosts (netlab namespaces reached over SSH), made through
// the platform: certificates made on each host (the CAs cross, the keys stay), plan and apply with
// the PPP password, the tunnel comes up, BIRD's session over it is Established, the friend's LAN
// is routed and pinged; a fault after every step of an apply leaves the host as it was; a re-plan
// is empty; remove takes away exactly what was made, certificates too.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pemFingerprint } from "../../../src/core/certificates.js";
import type { CaCertificateBody } from "../../../src/core/offer.js";
import type { Peering } from "../../../src/core/peering.js";
import { FAIL_AFTER_ENV } from "../../../src/platforms/linux-bird/apply.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import type { Router } from "../../../src/platforms/platform.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { bgpalsRoute, ovpnPeering, withNetlabHost } from "./helpers.js";
import { waitFor } from "./peered-hosts.js";

// Names of this file and process only: they name the tunnels and the pid files in the shared /run.
const SERVER = `os${process.pid}`;
const CLIENT = `oc${process.pid}`;
const PEERING = `ov${process.pid}`;
const PORT = 1194;
const PASSWORD = `pw-${process.pid}-x'y z`;
const SERVER_LAN = "192.168.10.1/24";
const CLIENT_LAN = "192.168.42.1/24";

let lab: Netlab;
let peering: Peering;
const pristine: Record<string, Record<string, string>> = {};
const secrets = { pppPassword: { isp1: PASSWORD } };

const peeringOf = (caFingerprint: string): Peering =>
  ovpnPeering({ name: PEERING, server: SERVER, client: CLIENT, link: "isp1", serverWan: lab.hosts[SERVER]!.wans[0]!, clientWan: lab.hosts[CLIENT]!.wans[0]!, port: PORT, protocol: "tcp", subnet: "172.16.30", caFingerprint });

const withRouter = <T>(side: string, work: (router: Router) => Promise<T>) => withNetlabHost(lab, side, work);

async function onHost(side: string, argv: string[]): Promise<string> {
  const r = await lab.exec(side, argv);
  if (r.code !== 0) throw new Error(`${side}: ${argv.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const friendOf = (side: string) => (side === SERVER ? CLIENT : SERVER);
const ifaceOf = (side: string) => linuxNames.tunnelInterface(peering.links[0]!, friendOf(side));

/** Everything bgpals may touch on a host, read on the test machine (not through bgpals). */
async function snapshot(side: string): Promise<Record<string, string>> {
  const h = lab.hosts[side]!;
  const out: Record<string, string> = {};
  for (const dir of ["bird", "wireguard", "nftables.d", "openvpn"]) {
    const path = join(h.etc, dir);
    for (const name of existsSync(path) ? readdirSync(path).sort() : []) {
      const file = join(path, name);
      if (statSync(file).isDirectory()) continue;
      out[`file ${dir}/${name}`] = `${(statSync(file).mode & 0o777).toString(8)} ${createHash("sha256").update(readFileSync(file)).digest("hex")}`;
    }
  }
  out.protocols = (await lab.birdc(side, "show", "protocols"))
    .split("\n")
    .slice(2)
    .map((l) => l.split(/\s+/).slice(0, 4).join(" "))
    .filter((l) => l !== "")
    .join("\n");
  out.links = (await onHost(side, ["ip", "-br", "link", "show"])).split("\n").map((l) => l.split(/[\s@]+/)[0]!).filter((l) => l !== "").sort().join(" ");
  out.nft = await onHost(side, ["nft", "list", "ruleset"]);
  out.routes = (await onHost(side, ["ip", "-4", "route", "show", "table", "all"])).split("\n").filter(bgpalsRoute).join("\n");
  out.rules = await onHost(side, ["ip", "rule", "show"]);
  out.openvpn = (await onHost(side, ["sh", "-c", "ps -o args= -C openvpn || true"])).split("\n").filter((l) => l.includes(PEERING) || l.includes(`${process.pid}-isp1`)).sort().join("\n");
  return out;
}

/** Every pid and log file of this run's tunnels in the shared /run (a failed run may leave them). */
function runFiles(sides = [SERVER, CLIENT]): string[] {
  return sides.flatMap((side) => {
    const iface = linuxNames.tunnelInterface({ name: "isp1", kind: "ovpn" } as Peering["links"][number], friendOf(side));
    return [linuxNames.openvpnPid(iface), linuxNames.openvpnLog(iface), linuxNames.openvpnStatus(iface)];
  });
}

beforeAll(async () => {
  lab = await startNetlab([
    { name: SERVER, lan: SERVER_LAN, wans: 1 },
    { name: CLIENT, lan: CLIENT_LAN, wans: 1 },
  ]);
  peering = peeringOf("0".repeat(64));
  for (const side of [SERVER, CLIENT]) pristine[side] = await snapshot(side);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
  for (const file of runFiles()) rmSync(file, { force: true });
});

describe("an OpenVPN link between two Linux hosts", () => {
  it("refuses to plan before the certificates are on the host, changing nothing", async () => {
    const refused = await withRouter(SERVER, (router) => router.plan({ peering, side: SERVER, secrets }).then(() => null, (e: Error) => e));
    expect(refused?.message).toMatch(/the OpenVPN links need certificates the host does not have: .*bgpals-ov\d+-friend-ca\.crt/);
    expect(await snapshot(SERVER)).toEqual(pristine[SERVER]);
  }, 60_000);

  it("makes the certificates on each host: keys 0600 stay there, the CAs cross and are checked", async () => {
    const cas: Record<string, CaCertificateBody> = {};
    cas[SERVER] = await withRouter(SERVER, (router) => router.makeCertificates(PEERING, "server", [lab.hosts[SERVER]!.wans[0]!.address]));
    cas[CLIENT] = await withRouter(CLIENT, (router) => router.makeCertificates(PEERING, "client"));
    for (const side of [SERVER, CLIENT]) {
      const ca = cas[side]!;
      expect(pemFingerprint(ca.caCertificate)).toBe(ca.caFingerprint);
      expect(ca.caCertificate).not.toMatch(/PRIVATE KEY/);
      const files = linuxNames.certificates(PEERING);
      const mode = (path: string) => (statSync(join(lab.hosts[side]!.etc, path.replace(/^\/etc\//, ""))).mode & 0o777).toString(8);
      expect(mode(files.caKey)).toBe("600");
      expect(mode(side === SERVER ? files.serverKey : files.clientKey)).toBe("600");
      // Asking again keeps what is there: the same CA.
      expect((await withRouter(side, (router) => router.makeCertificates(PEERING, side === SERVER ? "server" : "client", side === SERVER ? [lab.hosts[SERVER]!.wans[0]!.address] : []))).caFingerprint).toBe(ca.caFingerprint);
    }
    // A CA whose fingerprint does not match is refused and nothing is written.
    const wrong = await withRouter(CLIENT, (router) => router.importFriendCa(PEERING, { caCertificate: cas[SERVER]!.caCertificate, caFingerprint: cas[CLIENT]!.caFingerprint }).then(() => null, (e: Error) => e));
    expect(wrong?.message).toMatch(/does not match its fingerprint/);
    expect(existsSync(join(lab.hosts[CLIENT]!.etc, "openvpn", `bgpals-${PEERING}-friend-ca.crt`))).toBe(false);
    await withRouter(SERVER, (router) => router.importFriendCa(PEERING, cas[CLIENT]!));
    await withRouter(CLIENT, (router) => router.importFriendCa(PEERING, cas[SERVER]!));
    peering = peeringOf(cas[SERVER]!.caFingerprint);
  }, 120_000);

  it("a fault after every step of the server's apply leaves the host as it was", async () => {
    const before = await snapshot(SERVER);
    const steps = await withRouter(SERVER, async (router) => (await router.plan({ peering, side: SERVER, secrets })).plan.changes.length);
    expect(steps).toBeGreaterThan(5);
    try {
      for (let k = 0; k < steps; k++) {
        process.env[FAIL_AFTER_ENV] = String(k);
        const result = await withRouter(SERVER, async (router) => router.apply((await router.plan({ peering, side: SERVER, secrets })).plan));
        expect(result.ok, `step ${k}`).toBe(false);
        if (result.ok) continue;
        // Only the injected fault stopped it: every step before it, openvpn's start too, worked.
        expect(result.failedAt, `step ${k}: ${result.message}`).toBeNull();
        expect(result.verified, `step ${k}: ${result.message}`).toBe(true);
        expect(await snapshot(SERVER), `step ${k}`).toEqual(before);
      }
    } finally {
      delete process.env[FAIL_AFTER_ENV];
    }
  }, 300_000);

  it("applies on both hosts: the tunnel comes up, BGP is Established over it, the LANs reach each other, a re-plan is empty", async () => {
    for (const side of [SERVER, CLIENT]) {
      const result = await withRouter(side, async (router) => {
        const planned = await router.plan({ peering, side, secrets });
        expect(planned.plan.changes.some((c) => c.role === "openvpn" && c.op === "add")).toBe(true);
        return router.apply(planned.plan);
      });
      expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
    }
    // The client's login file holds the password, readable by root only.
    const login = linuxNames.openvpnLogin(ifaceOf(CLIENT));
    expect((statSync(join(lab.hosts[CLIENT]!.etc, login.replace(/^\/etc\//, ""))).mode & 0o777).toString(8)).toBe("600");
    // The tunnel: each tun device has its own address and the friend's as its peer.
    for (const side of [SERVER, CLIENT]) {
      const link = peering.links[0]!;
      await waitFor(async () => new RegExp(`inet ${link.address[side]!.replace(/\./g, "\\.")} peer ${link.address[friendOf(side)]!.replace(/\./g, "\\.")}/32`).test(await onHost(side, ["ip", "-4", "addr", "show", "dev", ifaceOf(side)])), `${ifaceOf(side)} up on ${side}`, 60_000);
    }
    for (const side of [SERVER, CLIENT]) {
      await waitFor(async () => /^bgpals_\S+\s+BGP\s+.*Established/m.test(await lab.birdc(side, "show", "protocols")), `the session Established on ${side}`, 60_000);
    }
    await waitFor(async () => new RegExp(`via 172\\.16\\.30\\.2 dev ${ifaceOf(SERVER)}`).test(await onHost(SERVER, ["ip", "route", "show", "192.168.42.0/24"])), "the client's LAN on the server");
    await waitFor(async () => new RegExp(`via 172\\.16\\.30\\.1 dev ${ifaceOf(CLIENT)}`).test(await onHost(CLIENT, ["ip", "route", "show", "192.168.10.0/24"])), "the server's LAN on the client");
    expect(await onHost(SERVER, ["ping", "-c", "1", "-W", "3", "-I", "192.168.10.1", "192.168.42.1"])).toMatch(/1 received/);
    expect(await onHost(CLIENT, ["ping", "-c", "1", "-W", "3", "-I", "192.168.42.1", "192.168.10.1"])).toMatch(/1 received/);
    for (const side of [SERVER, CLIENT]) {
      const again = await withRouter(side, (router) => router.plan({ peering, side, secrets }));
      expect(again.plan.changes, side).toEqual([]);
    }
    // Status reads the tunnel as bgpals's and up (the server's once its status file lists the friend), with traffic counted.
    for (const side of [SERVER, CLIENT]) {
      await waitFor(async () => {
        const status = await withRouter(side, (router) => router.status({ routes: false }));
        const tunnel = status.tunnels.find((t) => t.name === ifaceOf(side));
        return tunnel?.state === "up" && tunnel.link === "isp1" && tunnel.peering === PEERING && tunnel.rx > 0 && tunnel.tx > 0;
      }, `the OpenVPN tunnel up in ${side}'s status`, 30_000);
    }
  }, 180_000);

  it("a wrong password is refused by the server's check", async () => {
    const log = linuxNames.openvpnLog(ifaceOf(SERVER));
    // The server's log says the friend's login was taken: the check ran with the right password.
    expect(await onHost(SERVER, ["cat", log])).toMatch(/TLS: Username\/Password authentication succeeded for username/);
    const script = linuxNames.openvpnScript(ifaceOf(SERVER));
    const check = (user: string, password: string) => lab.exec(SERVER, ["sh", "-c", `f=$(mktemp); printf '%s\\n%s\\n' "$1" "$2" > "$f"; script_type=user-pass-verify ${script} "$f"; c=$?; rm -f "$f"; exit $c`, "sh", user, password]);
    expect((await check(`${CLIENT}-isp1`, PASSWORD)).code).toBe(0);
    expect((await check(`${CLIENT}-isp1`, `${PASSWORD}!`)).code).not.toBe(0);
    expect((await check("someone", PASSWORD)).code).not.toBe(0);
  }, 60_000);

  it("remove takes away exactly what was made, the certificates too", async () => {
    for (const side of [SERVER, CLIENT]) {
      expect(await snapshot(side)).not.toEqual(pristine[side]);
      const result = await withRouter(side, async (router) => router.apply((await router.plan({ peering, side, secrets, remove: true })).plan));
      expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
      expect(await snapshot(side)).toEqual(pristine[side]);
      // Nothing of the run is left in /run either.
      expect(runFiles([side]).filter((file) => existsSync(file))).toEqual([]);
      expect((await withRouter(side, (router) => router.status({ routes: false }))).tunnels).toEqual([]);
      const again = await withRouter(side, (router) => router.plan({ peering, side, secrets, remove: true }));
      expect(again.plan.changes).toEqual([]);
    }
  }, 120_000);
});
