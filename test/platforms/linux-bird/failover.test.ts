// Failover and prefer on real BIRD and WireGuard: two netlab hosts peered over two ISPs (remi dials,
// alice listens). Each tunnel rides its own ISP from its first handshake; an ISP going dark moves
// both BIRDs' best routes, and the LAN-to-LAN traffic, to the backup link within the hold time, and
// back when it returns; `bgpals prefer` over SSH swaps primary and backup in BIRD, and back.
// Everything is read from BIRD (birdc), the kernel (ip) and ping, not from bgpals.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durationMs } from "../../../src/core/duration.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { cliAsync } from "../../cli/cli-async.js";
import { tempDir } from "../../helpers.js";
import {
  ALICE,
  bestIs as bestIsOn,
  bestRoute,
  birdRoutes as birdRoutesOf,
  establishedOn,
  expectedBest,
  friendOf,
  REMI,
  startPeeredHosts,
  tunnelOf as tunnelOfHost,
  waitFor,
  type BestRoute,
  type PeeredHosts,
} from "./peered-hosts.js";

// BIRD notices a dead path by its hold timer; what follows (withdrawing, the kernel route) takes
// moments, but the test machine is shared by parallel workers.
const MARGIN_MS = 15_000;
// After a session fails BIRD waits its "error wait time" before it tries again: 5 s as bgpals
// renders it (render.ts), then its connect delay (5 s) and a WireGuard handshake. BIRD's default
// (60 s) would not come back within this bound: the render's timers are what this waits on.
const FAILBACK_MS = 45_000;

let hosts: PeeredHosts;

/** A side's LAN, as BIRD holds it (its network in the peering). */
const lanOf = (side: string) => hosts.peering.sides[side]!.networks[0]!;

const lanAddress = (side: string) => hosts.lab.hosts[side]!.lan.split("/")[0]!;
const tunnelOf = (side: string, link: string) => tunnelOfHost(hosts, side, link);
const birdRoutes = (side: string, prefix: string) => birdRoutesOf(hosts, side, prefix);
const best = (side: string, prefix: string) => bestRoute(hosts, side, prefix);
const expected = (side: string, link: string, localPref: number) => expectedBest(hosts, side, link, localPref);
const bestIs = (side: string, prefix: string, want: Omit<BestRoute, "asPath">) => bestIsOn(hosts, side, prefix, want);

/** One ping from this side's LAN address to the friend's, through whatever path the kernel has. */
async function pings(side: string): Promise<boolean> {
  const r = await hosts.lab.exec(side, ["ping", "-c", "1", "-W", "1", "-I", lanAddress(side), lanAddress(friendOf(side))]);
  return r.code === 0;
}

const established = async (side: string) => (await establishedOn(hosts, side)).length;
const bothEstablished = async () => (await established(ALICE)) === 2 && (await established(REMI)) === 2;

/** The ISP's end of a host's WAN, in the internet namespace (where the ISP goes dark). */
function ispEnd(side: string, wan: number): string {
  const gateway = hosts.lab.hosts[side]!.wans[wan]!.gateway;
  const links = JSON.parse(execFileSync("ip", ["-n", hosts.lab.inet, "-j", "-4", "addr", "show"], { encoding: "utf8" })) as Array<{ ifname: string; addr_info: Array<{ local: string }> }>;
  const link = links.find((l) => l.addr_info.some((a) => a.local === gateway));
  if (link === undefined) throw new Error(`no interface of ${hosts.lab.inet} holds ${gateway}`);
  return link.ifname;
}

const ispLink = (ifname: string, state: "up" | "down") => execFileSync("ip", ["-n", hosts.lab.inet, "link", "set", ifname, state], { stdio: "ignore" });

beforeAll(async () => {
  hosts = await startPeeredHosts();
  await waitFor(bothEstablished, "both sessions Established on both hosts", 90_000);
  await waitFor(async () => (await bestIs(ALICE, lanOf(REMI), expected(ALICE, "isp1", hosts.peering.policy.localPref.primary))) && (await bestIs(REMI, lanOf(ALICE), expected(REMI, "isp1", hosts.peering.policy.localPref.primary))), "the LANs' routes via isp1 on both hosts");
}, 150_000);
afterAll(() => hosts?.lab.teardown());

// (WireGuard, wireguard-go's too, forgets a source address once the route to the endpoint changes:
// a tunnel brought up before its pin route heals here too. The order is proven in render.test.ts.)
describe("each tunnel rides its own ISP", () => {
  it("alice hears remi's isp1 tunnel from his isp1 address and his isp2 tunnel from his isp2 address", async () => {
    for (const [n, link] of ["isp1", "isp2"].entries()) {
      const endpoints = await hosts.onHost(ALICE, `wg show ${tunnelOf(ALICE, link)} endpoints`);
      // "<public key>\t<address>:<port>"
      expect(endpoints.trim().split("\t")[1]?.replace(/:\d+$/, ""), `${link}: ${endpoints}`).toBe(hosts.lab.hosts[REMI]!.wans[n]!.address);
    }
  });
});

describe("failover on real BIRD", () => {
  it("moves the LANs' routes and traffic to the backup link within the hold time when the primary ISP goes dark, and back when it returns", async () => {
    const holdMs = durationMs(hosts.peering.policy.timers.hold)!;
    expect(await pings(ALICE)).toBe(true);
    expect(await best(ALICE, lanOf(REMI))).toMatchObject(expected(ALICE, "isp1", hosts.peering.policy.localPref.primary));
    // Remi's first ISP goes dark at its end: his wan1 loses its carrier, its routes stay (as with a dead modem upstream).
    const dark = ispEnd(REMI, 0);
    ispLink(dark, "down");
    try {
      await waitFor(
        async () => (await bestIs(ALICE, lanOf(REMI), expected(ALICE, "isp2", hosts.peering.policy.localPref.backup))) && (await bestIs(REMI, lanOf(ALICE), expected(REMI, "isp2", hosts.peering.policy.localPref.backup))),
        "both BIRDs' best routes via isp2",
        holdMs + MARGIN_MS,
      );
      expect((await best(ALICE, lanOf(REMI)))?.asPath).toBe(`${hosts.peering.sides[REMI]!.asn} `.repeat(4).trim());
      expect(await hosts.onHost(ALICE, `ip route get ${lanAddress(REMI)} from ${lanAddress(ALICE)}`)).toContain(`dev ${tunnelOf(ALICE, "isp2")}`);
      await waitFor(() => pings(ALICE), `a ping from ${ALICE}'s LAN to ${REMI}'s over isp2`, 10_000);
      await waitFor(() => pings(REMI), `a ping from ${REMI}'s LAN to ${ALICE}'s over isp2`, 10_000);
    } finally {
      ispLink(dark, "up");
    }
    await waitFor(
      async () => (await bestIs(ALICE, lanOf(REMI), expected(ALICE, "isp1", hosts.peering.policy.localPref.primary))) && (await bestIs(REMI, lanOf(ALICE), expected(REMI, "isp1", hosts.peering.policy.localPref.primary))),
      "both BIRDs' best routes via isp1 again",
      FAILBACK_MS,
    );
    expect(await hosts.onHost(ALICE, `ip route get ${lanAddress(REMI)} from ${lanAddress(ALICE)}`)).toContain(`dev ${tunnelOf(ALICE, "isp1")}`);
    await waitFor(() => pings(ALICE), `a ping from ${ALICE}'s LAN to ${REMI}'s over isp1`, 10_000);
  }, FAILBACK_MS + 60_000);
});

describe("bgpals prefer on a Linux host", () => {
  it("swaps primary and backup in BIRD over SSH, and swaps them back", async () => {
    await waitFor(bothEstablished, "both sessions Established on both hosts", FAILBACK_MS);
    const h = hosts.lab.hosts[ALICE]!;
    const home = tempDir("bgpals-linux-prefer-home-");
    const peers = tempDir("bgpals-linux-prefer-peers-");
    // The peering as alice keeps it: peers/<friend>.json.
    const file = join(peers, `${REMI}.json`);
    writeFileSync(file, `${JSON.stringify(hosts.peering, null, 2)}\n`);
    const include = linuxNames.birdInclude(hosts.peering);
    const router = ["--router", `ssh://root@${h.ssh.host}:${h.ssh.port}`, "--key", hosts.lab.key.file];
    const prefer = (primary: string, ...more: string[]) =>
      cliAsync(["prefer", ...router, "--peers", peers, "--friend", REMI, "--primary", primary, ...more], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    const { localPref } = hosts.peering.policy;
    const aliceAs = hosts.peering.sides[ALICE]!.asn;

    const plan = () => cliAsync(["plan", ...router, "--peers", peers, "--peering", file, "--side", ALICE], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    // Drift a swap must leave alone: a line the operator added to the peering's nftables file.
    const nft = linuxNames.nftablesFile(hosts.peering);
    await hosts.onHost(ALICE, `echo '# added by hand' >> ${nft}`);
    const drifted = await hosts.onHost(ALICE, `cat ${nft}`);
    const before = await plan();
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/: 2 changes\n/);
    // Under what they change: the file, then the chains loaded from it.
    expect(before.stdout).toContain(`\nfiles\n  ~ rewrite ${nft} (`);
    expect(before.stdout).toContain(`\nnftables\n  ~ nft -f ${nft} (`);
    expect(before.stdout).toMatch(new RegExp(`^plan for ${hosts.peering.name} on ssh://\\S+ \\(Linux \\(BIRD 2\\.\\d+\\.\\d+\\)\\)`, "m"));
    // Without --yes: the prediction, and nothing written.
    const includeBefore = await hosts.onHost(ALICE, `cat ${include}`);
    const preview = await prefer("isp2");
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`${lanOf(REMI)} moves: isp1 (local-pref ${localPref.primary}) → isp2 (local-pref ${localPref.primary})`);
    expect(preview.stdout).toContain(include);
    expect(preview.stdout).toContain("nothing written: pass --yes to apply");
    expect(await hosts.onHost(ALICE, `cat ${include}`)).toBe(includeBefore);

    const swapped = await prefer("isp2", "--yes", "--json");
    expect(swapped.code, swapped.stderr).toBe(0);
    const out = JSON.parse(swapped.stdout);
    expect(out).toMatchObject({ ok: true, written: true, side: ALICE, friend: REMI });
    expect(out.otherChanges, `what else the host lacks now: ${before.stdout}`).toBe(2);
    // The include file and BIRD taking it: nothing else of the host (the drift is counted, not touched).
    expect(out.plan.changes.map((c: { path: string }) => c.path)).toEqual([include, "bird/configure"]);
    expect(out.plan.changes[0].reason).toContain(`isp2 takes local-pref ${localPref.primary} in and no prepend out; isp1 local-pref ${localPref.backup} and our AS prepended ${hosts.peering.policy.backupPrepend} times`);
    // BIRD itself: remi's LAN best via isp2 with the primary's local-pref, isp1 now the backup.
    await waitFor(() => bestIs(ALICE, lanOf(REMI), expected(ALICE, "isp2", localPref.primary)), "alice's best route to remi's LAN via isp2", 30_000);
    expect((await birdRoutes(ALICE, lanOf(REMI))).find((r) => r.protocol === linuxNames.bgpProtocol(hosts.peering, "isp1"))?.localPref).toBe(localPref.backup);
    // The prepend moved: remi hears alice's LAN with her AS four times over isp1, once over isp2; his own local-pref still picks isp1.
    await waitFor(async () => (await birdRoutes(REMI, lanOf(ALICE))).find((r) => r.protocol === linuxNames.bgpProtocol(hosts.peering, "isp1"))?.asPath === `${aliceAs} `.repeat(4).trim(), "alice's prepend on isp1, seen by remi", 30_000);
    expect((await birdRoutes(REMI, lanOf(ALICE))).find((r) => r.protocol === linuxNames.bgpProtocol(hosts.peering, "isp2"))?.asPath).toBe(String(aliceAs));
    expect(out.observed).toMatchObject({ settled: true, prefixes: [{ prefix: lanOf(REMI), link: "isp2", localPref: localPref.primary, asPredicted: true }] });
    expect(await hosts.onHost(ALICE, `ip route get ${lanAddress(REMI)} from ${lanAddress(ALICE)}`)).toContain(`dev ${tunnelOf(ALICE, "isp2")}`);
    // Filters changed, sessions kept: BIRD refreshed the routes without a reset.
    expect(await bothEstablished()).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8")).policy.primary).toBe("isp2");

    const back = await prefer("isp1", "--yes");
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/applied 2 changes; saved .* \(primary isp1\)/);
    expect(back.stdout).toContain("the router differs from the peering in 2 other ways; bgpals plan shows them");
    await waitFor(() => bestIs(ALICE, lanOf(REMI), expected(ALICE, "isp1", localPref.primary)), "alice's best route to remi's LAN via isp1 again", 30_000);
    await waitFor(async () => (await birdRoutes(REMI, lanOf(ALICE))).find((r) => r.protocol === linuxNames.bgpProtocol(hosts.peering, "isp2"))?.asPath === `${aliceAs} `.repeat(4).trim(), "alice's prepend back on isp2", 30_000);
    expect(await hosts.onHost(ALICE, `cat ${include}`)).toBe(includeBefore);
    expect(await hosts.onHost(ALICE, `cat ${nft}`)).toBe(drifted);
  }, 120_000);
});
