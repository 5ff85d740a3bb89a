// The wizard over OpenVPN between two real Linux hosts (netlab namespaces over SSH), S1 shape (two
// WANs each, links isp1 primary and isp2): `bgpals offer --link isp1:ovpn:wan1 --link
// isp2:ovpn:wan2` on one (it runs an OpenVPN server per link), `bgpals accept` on the other (the
// client: the server's CA imported, its own CA and client certificate made, the PPP password chosen),
// `bgpals complete` back on the first (the client's CA imported, the password from the answer); then
// `bgpals prefer` each way. What it proves is read from the hosts themselves (ps, birdc, ip, ping,
// the files), not from what bgpals says.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePeering, type Link, type Peering } from "../../../src/core/peering.js";
import { FAIL_AFTER_ENV } from "../../../src/platforms/linux-bird/apply.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { tempDir } from "../../helpers.js";
import { connectNetlabHost } from "./helpers.js";
import { asOperator, mustOnHost, waitFor } from "./peered-hosts.js";

// Side names of this file and process only: they name the tunnels and their pid files in the shared /run.
const ALICE = `va${process.pid}`;
const REMI = `vr${process.pid}`;
// A friend only named (its side is never applied): the peering of the run that fails after its apply.
const GHOST = `vg${process.pid}`;
const ALICE_LAN = "192.168.10.1";
const REMI_LAN = "192.168.42.1";

let lab: Netlab;

const tunnelOf = (friend: string, link = "isp1") => linuxNames.tunnelInterface({ name: link, kind: "ovpn" } as Link, friend);

/** The openvpn pid, log and status files of this file's tunnels in the shared /run (openvpn leaves its log). */
const runFiles = () => [tunnelOf(REMI), tunnelOf(ALICE), tunnelOf(REMI, "isp2"), tunnelOf(ALICE, "isp2"), tunnelOf(GHOST)].flatMap((i) => [linuxNames.openvpnPid(i), linuxNames.openvpnLog(i), linuxNames.openvpnStatus(i)]);

beforeAll(async () => {
  lab = await startNetlab([
    { name: ALICE, lan: `${ALICE_LAN}/24` },
    { name: REMI, lan: `${REMI_LAN}/24` },
  ]);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
  for (const file of runFiles()) rmSync(file, { force: true });
});

const homes = { [ALICE]: tempDir("bgpals-ovpn-wizard-alice-"), [REMI]: tempDir("bgpals-ovpn-wizard-remi-") };

/** The built CLI as `side`'s operator, against that host over SSH with the run's key (no agent). */
const as = (side: string, args: string[], env: Record<string, string> = {}) => asOperator(lab, homes[side]!, side, args, env);

const onHost = (side: string, argv: string[]) => mustOnHost(lab, side, argv);

/** The host's own /etc/openvpn, as its files are there (name and mode). */
function openvpnFiles(side: string): string[] {
  const dir = join(lab.hosts[side]!.etc, "openvpn");
  return readdirSync(dir).filter((name) => !statSync(join(dir, name)).isDirectory()).sort().map((name) => `${name} ${(statSync(join(dir, name)).mode & 0o777).toString(8)}`);
}

/** The openvpn processes of the host's own tunnels to `friend` (their configs name them). */
async function openvpnRunning(side: string, friend: string, links = ["isp1", "isp2"]): Promise<string[]> {
  const ps = await onHost(side, ["sh", "-c", "ps -o args= -C openvpn || true"]);
  return ps.split("\n").filter((l) => links.some((link) => l.includes(`/etc/openvpn/${tunnelOf(friend, link)}.conf`)));
}

describe("the wizard over OpenVPN between two Linux hosts", () => {
  it("offer, accept and complete, two links: openvpn on both hosts, both BGP sessions Established over them, the friend's LAN routed and pinged; a failed accept or complete leaves no certificate behind", async () => {
    const offer = await as(ALICE, ["offer", "--me", ALICE, "--friend", REMI, "--asn", "64514", "--networks", "192.168.10.0/24", "--link", "isp1:ovpn:wan1", "--link", "isp2:ovpn:wan2", "--primary", "isp1", "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };
    // The offer made the server's CA and certificate on alice's host: the private keys 0600, nothing else.
    const peeringName = `${ALICE}-${REMI}`;
    const base = `bgpals-${peeringName}`;
    expect(openvpnFiles(ALICE)).toEqual([`${base}-ca.crt 644`, `${base}-ca.key 600`, `${base}-server.crt 644`, `${base}-server.key 600`]);

    const before = openvpnFiles(REMI);
    const accept = (env: Record<string, string> = {}) => as(REMI, ["accept", bundle, "--me", REMI, "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=wan1", "--wan", "isp2=wan2", "--yes", "--json"], env);
    // A fault after the apply's first step: the certificates the accept made before its plan (alice's CA imported, its own CA and client certificate) go with the run.
    const failed = await accept({ [FAIL_AFTER_ENV]: "1" });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/as it was before/);
    expect(openvpnFiles(REMI)).toEqual(before);
    expect(await openvpnRunning(REMI, ALICE)).toEqual([]);

    const accepted = await accept();
    expect(accepted.code, accepted.stderr).toBe(0);
    const { bundle: answer } = JSON.parse(accepted.stdout) as { bundle: string };
    // Remi's host: alice's CA, its own CA and client certificate (keys 0600), and each tunnel's config and login (0600).
    expect(openvpnFiles(REMI)).toEqual(expect.arrayContaining([`${base}-friend-ca.crt 644`, `${base}-ca.key 600`, `${base}-client.key 600`, `${base}-client.crt 644`]));
    for (const link of ["isp1", "isp2"]) expect(openvpnFiles(REMI)).toEqual(expect.arrayContaining([`${tunnelOf(ALICE, link)}.conf 644`, `${tunnelOf(ALICE, link)}.login 600`]));

    // A fault in the complete's apply: remi's CA, put on alice's host just before the plan, goes with the run; the answer stays usable.
    const beforeComplete = openvpnFiles(ALICE);
    const failedComplete = await as(ALICE, ["complete", answer, "--yes", "--json"], { [FAIL_AFTER_ENV]: "1" });
    expect(failedComplete.code, failedComplete.stderr).toBe(1);
    expect(failedComplete.stderr).toMatch(/as it was before/);
    expect(openvpnFiles(ALICE)).toEqual(beforeComplete);
    expect(await openvpnRunning(ALICE, REMI)).toEqual([]);

    const complete = await as(ALICE, ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);
    expect(openvpnFiles(ALICE)).toEqual(expect.arrayContaining([`${base}-friend-ca.crt 644`, `${tunnelOf(REMI)}.conf 644`, `${tunnelOf(REMI, "isp2")}.conf 644`]));

    // Both operators hold the same peering file: two OpenVPN links, alice listening on a port each, pinned to alice's CA.
    const aliceCopy = JSON.parse(readFileSync(join(homes[ALICE]!, "peers", `${REMI}.json`), "utf8"));
    const remiCopy = JSON.parse(readFileSync(join(homes[REMI]!, "peers", `${ALICE}.json`), "utf8"));
    expect(aliceCopy).toEqual(remiCopy);
    const [link, backup] = aliceCopy.links;
    expect(link).toMatchObject({ name: "isp1", kind: "ovpn", listener: ALICE, user: `${REMI}-isp1` });
    expect(backup).toMatchObject({ name: "isp2", kind: "ovpn", listener: ALICE, user: `${REMI}-isp2` });
    expect(backup.port).not.toBe(link.port);
    const caFile = readFileSync(join(lab.hosts[REMI]!.etc, "openvpn", `${base}-friend-ca.crt`), "utf8");
    expect(caFile).toBe(readFileSync(join(lab.hosts[ALICE]!.etc, "openvpn", `${base}-ca.crt`), "utf8"));

    // openvpn runs on both hosts, one per link, each with its own config.
    expect(await openvpnRunning(ALICE, REMI)).toHaveLength(2);
    expect(await openvpnRunning(REMI, ALICE)).toHaveLength(2);
    // The PPP passwords remi chose reached alice's checks (each server's log says the login was taken).
    for (const l of ["isp1", "isp2"]) {
      await waitFor(async () => /Username\/Password authentication succeeded/.test(await onHost(ALICE, ["cat", linuxNames.openvpnLog(tunnelOf(REMI, l))])), `remi's login on ${l} taken by alice's server`, 60_000);
    }

    for (const side of [ALICE, REMI]) {
      await waitFor(async () => ((await lab.birdc(side, "show", "protocols")).match(/^bgpals_\S+\s+BGP\s+.*Established/gm) ?? []).length === 2, `both sessions Established on ${side}`, 120_000);
    }
    const aliceIface = tunnelOf(REMI);
    const remiIface = tunnelOf(ALICE);
    // The primary link carries the route (local-pref 200), the backup's is there too.
    await waitFor(async () => (await lab.birdc(ALICE, "show", "route", "all", "192.168.42.0/24")).includes("BGP.local_pref: 100"), "the backup route too", 60_000);
    await waitFor(async () => (await onHost(ALICE, ["ip", "route", "show", "192.168.42.0/24"])).includes(`via ${link.address[REMI]} dev ${aliceIface}`), "remi's LAN in alice's kernel over the primary tunnel", 60_000);
    await waitFor(async () => (await onHost(REMI, ["ip", "route", "show", "192.168.10.0/24"])).includes(`via ${link.address[ALICE]} dev ${remiIface}`), "alice's LAN in remi's kernel over the tunnel", 60_000);
    expect(await onHost(ALICE, ["ping", "-c", "1", "-W", "3", "-I", ALICE_LAN, REMI_LAN])).toMatch(/1 received/);
    expect(await onHost(REMI, ["ping", "-c", "1", "-W", "3", "-I", REMI_LAN, ALICE_LAN])).toMatch(/1 received/);
  }, 420_000);

  it("bgpals prefer moves remi's LAN to the other OpenVPN link in BIRD and the kernel, and back", async () => {
    const peering = JSON.parse(readFileSync(join(homes[ALICE]!, "peers", `${REMI}.json`), "utf8"));
    const via = (link: string) => `via ${peering.links.find((l: { name: string }) => l.name === link).address[REMI]} dev ${tunnelOf(REMI, link)}`;
    const routeToRemi = () => onHost(ALICE, ["ip", "route", "show", "192.168.42.0/24"]);
    expect(await routeToRemi()).toContain(via("isp1"));
    for (const [primary, other] of [["isp2", "isp1"], ["isp1", "isp2"]] as const) {
      const swapped = await as(ALICE, ["prefer", "--friend", REMI, "--primary", primary, "--yes", "--json"]);
      expect(swapped.code, swapped.stderr).toBe(0);
      expect(JSON.parse(swapped.stdout)).toMatchObject({ ok: true, written: true });
      await waitFor(async () => (await routeToRemi()).includes(via(primary)), `remi's LAN via ${primary} in alice's kernel`, 60_000);
      expect(await routeToRemi()).not.toContain(via(other));
      expect(JSON.parse(readFileSync(join(homes[ALICE]!, "peers", `${REMI}.json`), "utf8")).policy.primary).toBe(primary);
      await waitFor(async () => /1 received/.test(await onHost(ALICE, ["ping", "-c", "1", "-W", "2", "-I", ALICE_LAN, REMI_LAN]).catch((e: unknown) => String(e))), `the LANs pinging over ${primary}`, 30_000);
    }
  }, 240_000);

  it("a run that fails after its apply, or a discard of what was prepared, keeps the certificates the applied tunnel uses (remove takes them away)", async () => {
    const name = `vz${process.pid}`;
    const h = lab.hosts[ALICE]!;
    const r = parsePeering({
      format: "bgpals/peering@1",
      name,
      sides: {
        [ALICE]: { asn: 64514, routerId: ALICE_LAN, platform: { os: "linux", bird: "2.0.12" }, networks: ["192.168.10.0/24"], wans: { isp1: { interface: "wan1", endpoint: h.wans[0]!.address, gateway: h.wans[0]!.gateway } } },
        [GHOST]: { asn: 64520, routerId: "192.168.77.1", platform: { os: "linux", bird: "2.0.12" }, networks: ["192.168.77.0/24"], wans: { isp1: { interface: "wan1" } } },
      },
      links: [{ name: "isp1", kind: "ovpn", wan: { [ALICE]: "isp1", [GHOST]: "isp1" }, listener: ALICE, port: 1299, protocol: "tcp", subnet: "172.16.99.0/30", address: { [ALICE]: "172.16.99.1", [GHOST]: "172.16.99.2" }, caFingerprint: "0".repeat(64), user: `${GHOST}-isp1`, requireClientCertificate: true }],
      policy: { mode: "bgp", primary: "isp1" },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const peering: Peering = r.peering;
    const secrets = { pppPassword: { isp1: `pw-${process.pid}-ghost` } };
    const base = `bgpals-${name}`;
    const certificates = [`${base}-ca.crt 644`, `${base}-ca.key 600`, `${base}-friend-ca.crt 644`, `${base}-server.crt 644`, `${base}-server.key 600`];
    const router = await connectNetlabHost(lab, ALICE);
    try {
      // As the wizard does in one run: certificates made, the friend's CA put there (any CA will do: ours), plan, apply; then something after the apply fails.
      const failed = await router
        .exclusive({ command: "accept", peering: name }, async () => {
          const ca = await router.makeCertificates(name, "server", [h.wans[0]!.address]);
          await router.importFriendCa(name, ca);
          const result = await router.apply((await router.plan({ peering, side: ALICE, secrets })).plan);
          expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
          throw new Error("after the apply");
        })
        .then(() => null, (e: Error) => e.message);
      expect(failed).toBe("after the apply");
      // The applied tunnel keeps what it needs: its certificates are there, and its openvpn runs.
      expect(openvpnFiles(ALICE).filter((f) => f.startsWith(`${base}-`))).toEqual(certificates);
      expect(await openvpnRunning(ALICE, GHOST)).toHaveLength(1);
      // Discarding what an accept of that name prepared (a re-accept that failed) leaves the applied peering's certificates.
      await router.discardPrepared(name, "all");
      expect(openvpnFiles(ALICE).filter((f) => f.startsWith(`${base}-`))).toEqual(certificates);
    } finally {
      const removed = await router.apply((await router.plan({ peering, side: ALICE, secrets, remove: true })).plan);
      await router.close();
      expect(removed.ok && removed.verified, JSON.stringify(removed)).toBe(true);
    }
    expect(openvpnFiles(ALICE).filter((f) => f.startsWith(`${base}-`))).toEqual([]);
    expect(await openvpnRunning(ALICE, GHOST)).toEqual([]);
  }, 180_000);
});
