// The read side of a Linux host, on two netlab hosts peered from the render: status (tunnels,
// sessions, routes), the BGP routes, why a prefix was accepted or filtered, the polled route feed,
// and `bgpals status --router ssh://...` itself; a session taken down shows as not established.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RouteUpdate } from "../../../src/core/route-table.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import type { Router, RouterStatus } from "../../../src/platforms/platform.js";
import { cliAsync } from "../../cli/cli-async.js";
import { endsWithTest, onCleanup, repoRoot, tempDir } from "../../helpers.js";
import { ALICE, announceEverything, connectHost, REMI, startPeeredHosts, waitFor, type PeeredHosts } from "./peered-hosts.js";

let hosts: PeeredHosts;
// Remi sends more than alice takes: two of these fall outside what she accepts from him.
const LEAKED = ["10.99.0.0/16", "192.168.32.0/20"];
const ACCEPTED = ["192.168.41.0/24", "192.168.42.0/24"];

const protocolOf = (link: string) => linuxNames.bgpProtocol(hosts.peering, link);
const established = async (side: string) => ((await hosts.onHost(side, "birdc show protocols")).match(/Established/g) ?? []).length;

beforeAll(async () => {
  hosts = await startPeeredHosts({ [REMI]: `protocol static { ipv4; ${[...LEAKED, "192.168.41.0/24"].map((n) => `route ${n} blackhole;`).join(" ")} }` });
  // Remi's side announces everything: what alice's filters then refuse is hers to explain.
  await announceEverything(hosts, REMI);
  await waitFor(async () => (await established(ALICE)) === 2, "both sessions Established");
  await waitFor(async () => /192\.168\.32\.0\/20/.test(await hosts.onHost(ALICE, "birdc show route filtered")), "the leaked routes filtered on alice");
}, 120_000);
afterAll(() => hosts?.lab.teardown());

const connect = (side: string): Promise<Router> => connectHost(hosts, side);

const ssh = (side: string) => `ssh://root@${hosts.lab.hosts[side]!.ssh.host}:${hosts.lab.hosts[side]!.ssh.port}`;

describe("a Linux host's status", { timeout: 90_000 }, () => {
  it("shows the tunnels, the Established sessions and the friend's routes, with their links", async () => {
    const router = await connect(ALICE);
    const status = await router.status();
    const p = hosts.peering;
    // Only alice's own tunnels, though `wg show all` there lists remi's too (the hosts share /run).
    expect(status.tunnels.map((t) => [t.name, t.link, t.peering, t.state]).sort()).toEqual(p.links.map((l) => [linuxNames.tunnelInterface(l, REMI), l.name, p.name, "up"]).sort());
    for (const t of status.tunnels) {
      expect(t.rx).toBeGreaterThan(0);
      expect(t.tx).toBeGreaterThan(0);
      expect(t.lastHandshake).toMatch(/^(\d+[wdhm])*\d+s$|^(\d+[wdhm])+$/);
      // Where remi dials from: one of his WANs (the one WireGuard last heard him on).
      expect(hosts.lab.hosts[REMI]!.wans.map((w) => w.address), JSON.stringify(status.tunnels)).toContain(t.endpointAddress);
    }
    expect(status.sessions).toHaveLength(2);
    for (const link of p.links) {
      const s = status.sessions.find((x) => x.link === link.name)!;
      expect(s).toMatchObject({ name: protocolOf(link.name), peering: p.name, remoteAs: p.sides[REMI]!.asn, remoteAddress: link.address[REMI], state: "established", prefixes: ACCEPTED.length, advertised: 1, limitExceeded: false });
      expect(s.uptime).toMatch(/^(\d+[wdhm])*\d*s?$/);
    }
    // Each accepted prefix twice (over each link); the primary's is BIRD's best, with its local-pref.
    const routes = status.routes.map((r) => `${r.dst} ${r.link}${r.active ? " *" : ""} ${r.localPref} ${r.gateway}`).sort();
    expect(routes).toEqual(
      ACCEPTED.flatMap((dst) => [`${dst} isp1 * ${p.policy.localPref.primary} ${p.links[0]!.address[REMI]}`, `${dst} isp2 ${p.policy.localPref.backup} ${p.links[1]!.address[REMI]}`]).sort(),
    );
    expect(status.routes.find((r) => r.dst === "192.168.42.0/24" && r.link === "isp1")!.asPath).toBe(String(p.sides[REMI]!.asn));
    expect(status.routes.some((r) => LEAKED.includes(r.dst))).toBe(false);
    // A watcher reads routes by the feed, not by each look.
    expect((await router.status({ routes: false })).routes).toEqual([]);
    expect(await router.watchChanges(() => undefined)).toBeNull();
    const observed = await router.bgpRoutes();
    expect(observed.filter((r) => r.active).map((r) => `${r.dst} ${r.gateway}`).sort()).toEqual(ACCEPTED.map((dst) => `${dst} ${p.links[0]!.address[REMI]}`));
  });

  it("says why: accepted with its local-pref, or filtered by the rule that refused it", async () => {
    const router = await connect(ALICE);
    const accepted = await router.why("192.168.42.0/24");
    expect(accepted.map((a) => [a.session, a.link, a.verdict.action])).toEqual([
      [protocolOf("isp1"), "isp1", "accept"],
      [protocolOf("isp2"), "isp2", "accept"],
    ]);
    expect(accepted[0]!.summary).toMatch(/^accepted: BIRD holds it from \S+ as its best route, local-pref 200/);
    const filtered = await router.why("10.99.0.0/16", { session: protocolOf("isp1") });
    expect(filtered).toHaveLength(1);
    expect(filtered[0]!.verdict.action).toBe("reject");
    expect(filtered[0]!.chain).toBe(linuxNames.inputFilter(hosts.peering, "isp1"));
    expect(filtered[0]!.summary).toMatch(/^filtered: BIRD keeps it as rejected by \S+, rule \d+: anything else from/);
    // Never sent: what the filter would do.
    const never = await router.why(`${hosts.lab.hosts[ALICE]!.lan.replace(/\.1\/24$/, ".0/24")}`, { session: protocolOf("isp2") });
    expect(never[0]!.summary).toMatch(/^not received on \S+ now; \S+ would reject it, rule \d+: never take our own/);
    await expect(router.why("not-a-prefix")).rejects.toThrow(/not an IPv4 prefix/);
  });

  it("feeds the friend's routes: all of them once, then only what changes", async () => {
    const router = await connect(ALICE);
    const controller = new AbortController();
    const batches: Array<{ routes: RouteUpdate[]; removed: string[] }> = [];
    let loaded: number | null = null;
    const feed = router.feedFriendRoutes({
      addresses: hosts.peering.links.map((l) => l.address[REMI]!),
      onUpdates: (routes, removed) => batches.push({ routes, removed }),
      onLoaded: (count) => (loaded = count),
      signal: controller.signal,
    });
    await waitFor(async () => loaded !== null, "the feed loaded", 20_000);
    expect(loaded).toBe(ACCEPTED.length * 2);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.routes.map((r) => `${r.prefix} ${r.link}${r.active ? " *" : ""}`).sort()).toEqual(ACCEPTED.flatMap((d) => [`${d} isp1 *`, `${d} isp2`]).sort());
    // Remi withdraws one prefix: its two routes go, nothing else is sent again; then he announces it again.
    await hosts.onHost(REMI, `sed -i 's#route 192.168.41.0/24 blackhole;##' /etc/bird/bird.conf && birdc configure`);
    await waitFor(async () => batches.length > 1, "the withdrawal in the feed", 30_000);
    expect(batches[1]!.routes).toEqual([]);
    expect(batches[1]!.removed.sort()).toEqual([`${protocolOf("isp1")} 192.168.41.0/24`, `${protocolOf("isp2")} 192.168.41.0/24`]);
    await hosts.onHost(REMI, `sed -i 's#protocol static { ipv4; #&route 192.168.41.0/24 blackhole; #' /etc/bird/bird.conf && birdc configure`);
    await waitFor(async () => batches.slice(2).flatMap((b) => b.routes).length === 2, "the route back in the feed", 30_000);
    expect(batches.slice(2).flatMap((b) => b.removed)).toEqual([]);
    expect(batches.slice(2).flatMap((b) => b.routes).map((r) => `${r.prefix} ${r.link}`).sort()).toEqual(["192.168.41.0/24 isp1", "192.168.41.0/24 isp2"]);
    controller.abort();
    await feed;
  });
});

describe("bgpals status --router ssh://", { timeout: 120_000 }, () => {
  it("prints the peering's tunnels, sessions and routes, and a session taken down as not established", async () => {
    const home = tempDir("bgpals-status-home-");
    const status = (...more: string[]) => cliAsync(["status", "--router", ssh(ALICE), "--key", hosts.lab.key.file, ...more], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    const text = await status();
    expect(text.code, text.stderr).toBe(0);
    for (const link of hosts.peering.links) {
      expect(text.stdout).toMatch(new RegExp(`^  ${linuxNames.tunnelInterface(link, REMI)} \\(${link.name}\\) up, handshake \\S+ ago, rx \\d+ tx \\d+$`, "m"));
      expect(text.stdout).toMatch(new RegExp(`^  ${protocolOf(link.name)} \\(${link.name}\\) AS${hosts.peering.sides[REMI]!.asn} established \\S+, 2 prefixes received, 1 announced$`, "m"));
    }
    expect(text.stdout).toMatch(/^ {2}\* 192\.168\.42\.0\/24 via 172\.16\.10\.2 \(isp1\), local-pref 200, AS path \d+$/m);

    await hosts.onHost(ALICE, `birdc disable ${protocolOf("isp2")}`);
    onCleanup(() => hosts.onHost(ALICE, `birdc enable ${protocolOf("isp2")}`));
    const json = await status("--json");
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout) as RouterStatus;
    expect(shown.sessions.map((s) => [s.link, s.state]).sort()).toEqual([
      ["isp1", "established"],
      ["isp2", "down"],
    ]);
    const down = shown.sessions.find((s) => s.link === "isp2")!;
    expect(down).toMatchObject({ uptime: null, prefixes: 0, advertised: 0 });
    // Its routes went with it; the primary's remain.
    expect(shown.routes.every((r) => r.link === "isp1")).toBe(true);
    expect(shown.routes.map((r) => r.dst).sort()).toEqual(ACCEPTED);
  });
});

describe("bgpals why and status --watch on a Linux host", { timeout: 120_000 }, () => {
  // The session an earlier test took down is back.
  beforeEach(() => waitFor(async () => (await established(ALICE)) === 2, "both sessions Established again"), 60_000);

  it("why names the rule that filtered a prefix", async () => {
    const home = tempDir("bgpals-why-home-");
    const r = await cliAsync(["why", "10.99.0.0/16", "--router", ssh(ALICE), "--key", hosts.lab.key.file], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    expect(r.code, r.stderr).toBe(0);
    for (const link of hosts.peering.links) {
      expect(r.stdout).toMatch(new RegExp(`^${protocolOf(link.name)} \\(${link.name}\\): 10\\.99\\.0\\.0/16 filtered: BIRD keeps it as rejected by ${linuxNames.inputFilter(hosts.peering, link.name)}, rule \\d+: anything else from ${REMI} is refused$`, "m"));
    }
  });

  it("status --watch tells the first look whole, then a session going down", async () => {
    const home = tempDir("bgpals-watch-home-");
    const child = endsWithTest(spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), "status", "--watch", "--json", "--router", ssh(ALICE), "--key", hosts.lab.key.file], { env: { ...process.env, CI: "true", BGPALS_HOME: home, SSH_AUTH_SOCK: "" }, stdio: ["ignore", "pipe", "pipe"] }));
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    const events = () => out.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    await waitFor(async () => events().some((e) => e.event === "snapshot"), `the snapshot (${err})`, 30_000);
    const snapshot = events().find((e) => e.event === "snapshot") as unknown as { status: RouterStatus; routes: number };
    expect(snapshot.status.sessions.map((s) => s.state)).toEqual(["established", "established"]);
    expect(snapshot.routes).toBe(ACCEPTED.length * 2);
    await hosts.onHost(ALICE, `birdc disable ${protocolOf("isp1")}`);
    onCleanup(() => hosts.onHost(ALICE, `birdc enable ${protocolOf("isp1")}`));
    await waitFor(async () => events().some((e) => e.event === "session-down"), "the session going down", 30_000);
    expect(events().filter((e) => e.event === "session-down")).toEqual([expect.objectContaining({ session: protocolOf("isp1"), link: "isp1" })]);
    child.kill("SIGINT");
  });
});
