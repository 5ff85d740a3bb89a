// The wizard between two real Linux hosts (netlab namespaces over SSH), S1 shape (two WANs each,
// links isp1 primary and isp2): `bgpals offer` on one, `bgpals accept` on the other, `bgpals
// complete` back on the first, each operator with their own config home. What it proves is read
// from the hosts themselves (birdc, ip, wg, ping), not from what bgpals says.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Link } from "../../../src/core/peering.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { tempDir } from "../../helpers.js";
import { connectNetlabHost } from "./helpers.js";
import { asOperator, mustOnHost, waitFor } from "./peered-hosts.js";

// Side names of this file and process only: they name the tunnels, whose wireguard-go sockets share /run/wireguard.
const ALICE = `o${process.pid}`;
const REMI = `k${process.pid}`;
const ALICE_LAN = "192.168.10.1";
const REMI_LAN = "192.168.42.1";

let lab: Netlab;

beforeAll(async () => {
  lab = await startNetlab([
    { name: ALICE, lan: `${ALICE_LAN}/24` },
    { name: REMI, lan: `${REMI_LAN}/24` },
  ]);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
});

const homes = { [ALICE]: tempDir("bgpals-linux-wizard-alice-"), [REMI]: tempDir("bgpals-linux-wizard-remi-") };

/** The built CLI as `side`'s operator, against that host over SSH with the run's key (no agent). */
const as = (side: string, args: string[], env: Record<string, string> = {}) => asOperator(lab, homes[side]!, side, args, env);

const onHost = (side: string, argv: string[]) => mustOnHost(lab, side, argv);

/** A command in a namespace of the lab (the internet between the hosts), on the test machine. */
async function execIn(ns: string, argv: string[]): Promise<void> {
  const r = spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${ns}: ${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
}

/** The host's own /etc/wireguard, as its files are there (name and mode). */
function wireguardFiles(side: string): string[] {
  const dir = join(lab.hosts[side]!.etc, "wireguard");
  return readdirSync(dir).sort().map((name) => `${name} ${(statSync(join(dir, name)).mode & 0o777).toString(8)}`);
}

/** The host's WireGuard interfaces (wireguard-go's sockets are shared: only the host's own links count). */
async function tunnels(side: string): Promise<string[]> {
  return (await onHost(side, ["ip", "-br", "link", "show"])).split("\n").map((l) => l.split(/[\s@]+/)[0]!).filter((l) => l.startsWith("wg-")).sort();
}

const tunnelOf = (link: string, friend: string) => linuxNames.tunnelInterface({ name: link } as Link, friend);
const offerLinks = ["--link", "isp1:wireguard:wan1", "--link", "isp2:wireguard:wan2", "--primary", "isp1"];

describe("the wizard between two Linux hosts", () => {
  it("refuses what a Linux side cannot do yet, before anything is written", async () => {
    const home = tempDir("bgpals-linux-wizard-refused-");
    const refused = (args: string[]) => as(ALICE, ["offer", "--me", ALICE, "--friend", REMI, "--asn", "64514", "--networks", "192.168.10.0/24", ...args], { BGPALS_HOME: home });
    const monitor = await refused([...offerLinks, "--monitor-account"]);
    expect(monitor.code, monitor.stderr).toBe(1);
    expect(monitor.stderr).toMatch(/monitor a read-only account on a Linux host is not built yet: leave out --monitor-account.*nothing written/);
    // The host is as it was: no key made, no tunnel; and no identity or offer kept here (only the host key pinned, and the settings file).
    expect(wireguardFiles(ALICE)).toEqual([]);
    expect(await tunnels(ALICE)).toEqual([]);
    expect(readdirSync(home).filter((name) => name !== "known_hosts" && name !== "config.json")).toEqual([]);
  }, 60_000);

  it("an offer given up takes away the keys it made on the host", async () => {
    const ghost = `g${process.pid}`;
    const home = tempDir("bgpals-linux-wizard-ghost-");
    const offer = await as(ALICE, ["offer", "--me", ALICE, "--friend", ghost, "--asn", "64514", "--networks", "192.168.10.0/24", ...offerLinks, "--json"], { BGPALS_HOME: home });
    expect(offer.code, offer.stderr).toBe(0);
    const iface = tunnelOf("isp1", ghost);
    // Each link's private key, mode 0600, with the marker naming the peering; no tunnel yet.
    expect(wireguardFiles(ALICE)).toEqual([`${iface}.bgpals-prepared 600`, `${iface}.key 600`, `${tunnelOf("isp2", ghost)}.bgpals-prepared 600`, `${tunnelOf("isp2", ghost)}.key 600`].sort());
    expect(readFileSync(join(lab.hosts[ALICE]!.etc, "wireguard", `${iface}.bgpals-prepared`), "utf8").trim()).toBe(`${ALICE}-${ghost}`);
    const router = await connectNetlabHost(lab, ALICE);
    try {
      // Another peering's name removes nothing.
      await router.discardPrepared(`${ALICE}-other`, "all");
      expect(wireguardFiles(ALICE)).toHaveLength(4);
      await router.discardPrepared(`${ALICE}-${ghost}`, "all");
    } finally {
      await router.close();
    }
    expect(wireguardFiles(ALICE)).toEqual([]);
  }, 60_000);

  it("offer, accept and complete over SSH: both sessions Established, the friend's LAN via the primary link at local-pref 200, LAN to LAN ping", async () => {
    const offer = await as(ALICE, ["offer", "--me", ALICE, "--friend", REMI, "--asn", "64514", "--networks", "192.168.10.0/24", ...offerLinks, "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout) as { bundle: string };
    expect(wireguardFiles(ALICE).filter((f) => f.endsWith(".key 600"))).toHaveLength(2);

    const accept = (env: Record<string, string> = {}) => as(REMI, ["accept", bundle, "--me", REMI, "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=wan1", "--wan", "isp2=wan2", "--yes", "--json"], env);
    // A fault at the apply's first step: the keys the accept made before its plan go with the run.
    const failed = await accept({ BGPALS_LINUX_FAIL_AFTER: "0" });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/as it was before/);
    expect(wireguardFiles(REMI)).toEqual([]);
    expect(await tunnels(REMI)).toEqual([]);

    const accepted = await accept();
    expect(accepted.code, accepted.stderr).toBe(0);
    const { bundle: answer } = JSON.parse(accepted.stdout) as { bundle: string };
    // Applied: the keys stay, no longer only prepared.
    expect(wireguardFiles(REMI).filter((f) => f.includes(".bgpals-prepared"))).toEqual([]);
    expect(wireguardFiles(REMI).filter((f) => f.endsWith(".key 600"))).toHaveLength(2);

    const complete = await as(ALICE, ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);
    expect(wireguardFiles(ALICE).filter((f) => f.includes(".bgpals-prepared"))).toEqual([]);

    // Both operators hold the same peering file, each side Linux with its BIRD version.
    const aliceCopy = JSON.parse(readFileSync(join(homes[ALICE]!, "peers", `${REMI}.json`), "utf8"));
    const remiCopy = JSON.parse(readFileSync(join(homes[REMI]!, "peers", `${ALICE}.json`), "utf8"));
    expect(aliceCopy).toEqual(remiCopy);
    const bird = /BIRD (?:version )?(\d+\.\d+\.\d+)/.exec((await lab.exec(ALICE, ["bird", "--version"])).stderr)?.[1];
    expect(aliceCopy.sides[ALICE].platform).toEqual({ os: "linux", bird });
    expect(aliceCopy.sides[REMI].platform).toEqual({ os: "linux", bird });
    // Alice's endpoints are her WANs' addresses (the friend dials them).
    expect(aliceCopy.sides[ALICE].wans.isp1.endpoint).toBe(lab.hosts[ALICE]!.wans[0]!.address);
    expect(aliceCopy.sides[ALICE].wans.isp2.endpoint).toBe(lab.hosts[ALICE]!.wans[1]!.address);

    // The initiator's way to each of alice's ends leaves by each link's own WAN, through that ISP's router (the link's table, BIRD's route).
    const remiWans = lab.hosts[REMI]!.wans;
    for (const [n, wan] of remiWans.entries()) {
      expect(await onHost(REMI, ["ip", "route", "get", lab.hosts[ALICE]!.wans[n]!.address])).toContain(`via ${wan.gateway} dev ${wan.interface} table `);
    }

    for (const side of [ALICE, REMI]) {
      await waitFor(async () => ((await lab.birdc(side, "show", "protocols")).match(/^bgpals_\S+\s+BGP\s+.*Established/gm) ?? []).length === 2, `both sessions Established on ${side}`, 180_000);
    }
    const primary = aliceCopy.links.find((l: { name: string }) => l.name === "isp1");
    const nextHop = primary.address[REMI] as string;
    const iface = tunnelOf("isp1", REMI);
    // BIRD's best route to remi's LAN: over the primary link's tunnel, local-pref 200.
    await waitFor(async () => (await lab.birdc(ALICE, "show", "route", "all", "192.168.42.0/24")).includes("BGP.local_pref: 100"), "the backup route too", 60_000);
    const routes = (await lab.birdc(ALICE, "show", "route", "all", "192.168.42.0/24")).split(/\n(?=\S*\s+unicast \[)/);
    const best = routes.find((r) => /unicast \[\S+ [^\]]*\] \*/.test(r));
    expect(best, routes.join("\n")).toBeDefined();
    expect(best).toContain(`via ${nextHop} on ${iface}`);
    expect(best).toMatch(/BGP\.local_pref: 200/);
    await waitFor(async () => (await onHost(ALICE, ["ip", "route", "show", "192.168.42.0/24"])).includes(`via ${nextHop} dev ${iface}`), "remi's LAN in alice's kernel through isp1", 30_000);
    // The answer's way back (Established is before the routes).
    await waitFor(async () => (await onHost(REMI, ["ip", "route", "show", "192.168.10.0/24"])).includes(`via ${primary.address[ALICE]} `), "alice's LAN in remi's kernel through isp1", 30_000);
    expect(await onHost(ALICE, ["ping", "-c", "1", "-W", "3", "-I", ALICE_LAN, REMI_LAN])).toMatch(/1 received/);
  }, 420_000);

  it("a session stopped by BIRD comes back when cleared (birdc enable), and an established one restarts", async () => {
    const router = await connectNetlabHost(lab, ALICE);
    try {
      const backup = (await router.status()).sessions.find((s) => s.link === "isp2");
      expect(backup).toBeDefined();
      const protocolState = async () => (await lab.birdc(ALICE, "show", "protocols", backup!.name)).split("\n").find((l) => l.startsWith(backup!.name))?.split(/\s+/)[3];
      // As a receive limit leaves it: disabled.
      await lab.birdc(ALICE, "disable", backup!.name);
      expect(await protocolState()).toBe("down");
      await router.clearSession(backup!);
      expect(await protocolState()).not.toBe("down");
      await waitFor(async () => (await lab.birdc(ALICE, "show", "protocols", backup!.name)).includes("Established"), "the backup session Established again", 120_000);
      // Up: restarted (BIRD counts it down and up again: its "since" moves).
      const since = async () => (await lab.birdc(ALICE, "show", "protocols", backup!.name)).split("\n").find((l) => l.startsWith(backup!.name))?.split(/\s+/)[4];
      const before = await since();
      await new Promise((resolve) => setTimeout(resolve, 1100)); // BIRD's "since" counts in seconds
      await router.clearSession(backup!);
      expect(await since()).not.toBe(before);
    } finally {
      await router.close();
    }
  }, 180_000);

  it("remi's first ISP failing moves alice's traffic to the backup link, and back when it returns", async () => {
    const peering = JSON.parse(readFileSync(join(homes[ALICE]!, "peers", `${REMI}.json`), "utf8"));
    const via = (link: string) => `via ${peering.links.find((l: { name: string }) => l.name === link).address[REMI]} dev ${tunnelOf(link, REMI)}`;
    const routeToRemi = async () => onHost(ALICE, ["ip", "route", "show", "192.168.42.0/24"]);
    expect(await routeToRemi()).toContain(via("isp1"));
    // The ISP's end of remi's first WAN (in the internet namespace) goes down: remi's packets on isp1 go nowhere.
    // Named as netlab names it: the host's letter (its place in the lab), then the WAN's number.
    const ispEnd = `${String.fromCharCode(97 + Object.keys(lab.hosts).indexOf(REMI))}1`;
    const ispLink = (state: "up" | "down") => execIn(lab.inet, ["ip", "link", "set", ispEnd, state]);
    const lanPings = async () => /1 received/.test(await onHost(ALICE, ["ping", "-c", "1", "-W", "2", "-I", ALICE_LAN, REMI_LAN]).catch((e: unknown) => String(e)));
    await ispLink("down");
    try {
      await waitFor(async () => (await routeToRemi()).includes(via("isp2")), "remi's LAN through isp2 once the isp1 session's hold time ran out", 150_000);
      // Remi's side moves when his own hold timer runs out, a moment apart: the answer comes back once it has.
      await waitFor(lanPings, "alice's LAN pinging remi's over isp2", 60_000);
    } finally {
      await ispLink("up");
    }
    await waitFor(async () => (await routeToRemi()).includes(via("isp1")), "remi's LAN back on isp1", 240_000);
    await waitFor(lanPings, "alice's LAN pinging remi's over isp1 again", 60_000);
  }, 480_000);
});
