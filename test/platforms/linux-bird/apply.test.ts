// Plan, apply and remove on two real Linux hosts (netlab namespaces reached over SSH): the keys
// are made on the hosts, both BIRD sessions come up over WireGuard and the LANs reach each other;
// a re-plan is empty; a fault after a step of each kind (after every step with BGPALS_FULL_FAULTS=1,
// test/fault-points.ts) leaves the host exactly as it was; remove takes away exactly what apply made.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Peering } from "../../../src/core/peering.js";
import { FAIL_AFTER_ENV } from "../../../src/platforms/linux-bird/apply.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { RouterLockedError, type Router } from "../../../src/platforms/platform.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { cliAsync } from "../../cli/cli-async.js";
import { faultPoints } from "../../fault-points.js";
import { tempDir } from "../../helpers.js";
import { bgpalsRoute, connectNetlabHost } from "./helpers.js";
import { netlabWans, twoWanPeering, waitFor } from "./peered-hosts.js";

// Side names of this file and process only: they name the tunnels, whose wireguard-go sockets share /run/wireguard.
const ALICE = `x${process.pid}`;
const REMI = `y${process.pid}`;
const PEERING = `ap${process.pid}`;

let lab: Netlab;

function peeringOf(keys: Record<string, Record<string, string>>): Peering {
  return twoWanPeering({ name: PEERING, alice: ALICE, remi: REMI, portBase: 13330, subnetBase: 19, ...netlabWans(lab, ALICE, REMI), keys });
}

const connect = (side: string): Promise<Router> => connectNetlabHost(lab, side);

async function onHost(side: string, argv: string[]): Promise<string> {
  const r = await lab.exec(side, argv);
  if (r.code !== 0) throw new Error(`${side}: ${argv.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Everything bgpals may touch on a host, read on the test machine (not through bgpals). */
/** What the host holds; `withState: false` leaves out the sessions' state (up, start), which BIRD moves back by itself. */
async function snapshot(side: string, { withState = true } = {}): Promise<Record<string, string>> {
  const h = lab.hosts[side]!;
  const out: Record<string, string> = {};
  for (const dir of ["bird", "wireguard", "nftables.d"]) {
    const path = join(h.etc, dir);
    for (const name of existsSync(path) ? readdirSync(path).sort() : []) {
      const file = join(path, name);
      out[`file ${dir}/${name}`] = `${(statSync(file).mode & 0o777).toString(8)} ${createHash("sha256").update(readFileSync(file)).digest("hex")}`;
    }
  }
  // Name, protocol, table and state: "since" moves with every reconfiguration.
  out.protocols = (await lab.birdc(side, "show", "protocols"))
    .split("\n")
    .slice(2)
    .map((l) => l.split(/\s+/).slice(0, withState ? 4 : 3).join(" "))
    .filter((l) => l !== "")
    .join("\n");
  // wireguard-go's sockets are in the shared /run/wireguard: only this host's interfaces are its own.
  const links = (await onHost(side, ["ip", "-br", "link", "show"])).split("\n").map((l) => l.split(/[\s@]+/)[0]!).filter((l) => l !== "");
  out.wg = (await onHost(side, ["wg", "show", "interfaces"])).split(/\s+/).filter((i) => links.includes(i)).sort().join(" ");
  out.nft = await onHost(side, ["nft", "list", "ruleset"]);
  // IPv4 (bgpals's): the kernel adds IPv6 link-local routes when it gets round to it. BIRD's in main come with its sessions.
  out.routes = (await onHost(side, ["ip", "-4", "route", "show", "table", "all"])).split("\n").filter(bgpalsRoute).join("\n");
  out.rules = await onHost(side, ["ip", "rule", "show"]);
  out.links = links.sort().join(" ");
  return out;
}

async function withRouter<T>(side: string, work: (router: Router) => Promise<T>): Promise<T> {
  const router = await connect(side);
  try {
    return await work(router);
  } finally {
    await router.close();
  }
}

/** The same work on both hosts at once. */
async function bothSides(work: (side: string) => Promise<void>): Promise<void> {
  await Promise.all([ALICE, REMI].map(work));
}

const pristine: Record<string, Record<string, string>> = {};
let peering: Peering;

beforeAll(async () => {
  lab = await startNetlab([
    { name: ALICE, lan: "192.168.10.1/24" },
    { name: REMI, lan: "192.168.42.1/24" },
  ]);
  for (const side of [ALICE, REMI]) pristine[side] = await snapshot(side);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
});

describe("apply on a Linux host", () => {
  it("a fault after a step of each kind (after every step with BGPALS_FULL_FAULTS=1) leaves the host exactly as it was", async () => {
    // One connection and one plan for every fault: each run leaves the host as it found it, so the plan holds.
    await withRouter(ALICE, async (router) => {
      const { plan } = await router.plan({ peering: peeringOf({}), side: ALICE });
      expect(plan.changes.length).toBeGreaterThan(8);
      const points = faultPoints(plan.changes.map((c) => c.role), 0, plan.changes.length - 1);
      try {
        for (const k of points) {
          process.env[FAIL_AFTER_ENV] = String(k);
          const result = await router.exclusive({ command: "apply" }, () => router.apply(plan));
          expect(result.ok, `step ${k}`).toBe(false);
          if (result.ok) continue;
          expect(result.undone, `step ${k}`).toBe(k);
          expect(result.message, `step ${k}`).toContain("as it was before");
          expect(result.verified, `step ${k}: ${result.message}`).toBe(true);
          expect(await snapshot(ALICE), `step ${k}`).toEqual(pristine[ALICE]);
        }
      } finally {
        delete process.env[FAIL_AFTER_ENV];
      }
    });
  }, 240_000);

  it("BIRD refusing the configuration undoes every step", async () => {
    // Another bgpals include that BIRD refuses (a protocol named like ours): the check fails at the last step.
    const clash = join(lab.hosts[ALICE]!.etc, "bird", "bgpals-zz.conf");
    writeFileSync(clash, `protocol device ${linuxNames.networksProtocol(peeringOf({}))} {}\n`);
    const before = await snapshot(ALICE);
    try {
      const result = await withRouter(ALICE, async (router) => router.apply((await router.plan({ peering: peeringOf({}), side: ALICE })).plan));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.failedAt?.path).toBe("bird/configure");
      expect(result.message).toMatch(/configure check/);
      expect(result.verified, result.message).toBe(true);
      expect(await snapshot(ALICE)).toEqual(before);
    } finally {
      rmSync(clash);
    }
  }, 60_000);

  it("refuses a BIRD without a protocol device, saying what to add, before anything is written", async () => {
    // BIRD keeps each link's route by watching the WANs through it, and allows one: bird.conf's, not the include's.
    const conf = join(lab.hosts[ALICE]!.etc, "bird", "bird.conf");
    const kept = readFileSync(conf, "utf8");
    expect(kept).toContain("protocol device {}\n");
    writeFileSync(conf, kept.replace("protocol device {}\n", ""));
    try {
      await lab.birdc(ALICE, "configure");
      const before = await snapshot(ALICE);
      const refused = await withRouter(ALICE, (router) => router.plan({ peering: peeringOf({}), side: ALICE })).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(refused?.message).toMatch(/BIRD runs no protocol device .*add "protocol device \{ \}" to \/etc\/bird\/bird\.conf .*nothing was changed/);
      expect(await snapshot(ALICE)).toEqual(before);
    } finally {
      writeFileSync(conf, kept);
      await lab.birdc(ALICE, "configure");
    }
  }, 60_000);

  it("a second run is refused while one holds the host", async () => {
    await withRouter(ALICE, async (first) => {
      await first.exclusive({ command: "apply", peering: PEERING }, async () => {
        const holder = await first.lockHolder();
        expect(holder).toMatchObject({ command: "apply", peering: PEERING, pid: process.pid });
        await withRouter(ALICE, async (second) => {
          const refused = await second.exclusive({ command: "remove" }, async () => "ran").catch((e: unknown) => e);
          expect(refused).toBeInstanceOf(RouterLockedError);
          expect((refused as Error).message).toMatch(/locked by apply of/);
        });
      });
      expect(await first.lockHolder()).toBeNull();
    });
  }, 60_000);

  it("applies on both hosts: keys made there, sessions Established, the LANs reach each other, and a re-plan is empty", async () => {
    // First with placeholder keys: each host makes its keys; then only the public keys cross.
    // The two hosts side by side: nothing one does waits on the other.
    const keys: Record<string, Record<string, string>> = {};
    await bothSides(async (side) => {
      const result = await withRouter(side, async (router) => router.apply((await router.plan({ peering: peeringOf({}), side })).plan));
      expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
      keys[side] = {};
      for (const link of ["isp1", "isp2"]) {
        const key = linuxNames.wireguardKey(linuxNames.tunnelInterface({ name: link } as Peering["links"][number], side === ALICE ? REMI : ALICE));
        expect((statSync(join(lab.hosts[side]!.etc, key.replace(/^\/etc\//, ""))).mode & 0o777).toString(8)).toBe("600");
        keys[side]![link] = (await onHost(side, ["sh", "-c", `wg pubkey < ${key}`])).trim();
      }
    });
    peering = peeringOf(keys);
    await bothSides(async (side) => {
      const result = await withRouter(side, async (router) => {
        const planned = await router.plan({ peering, side });
        // The tunnels are made again with the friend's key; the keys stay.
        expect(planned.plan.changes.filter((c) => c.role === "key")).toEqual([]);
        expect(planned.plan.changes.some((c) => c.role === "wireguard" && c.op === "add")).toBe(true);
        return router.apply(planned.plan);
      });
      expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
    });
    await bothSides(async (side) => {
      await waitFor(async () => ((await lab.birdc(side, "show", "protocols")).match(/^bgpals_\S+\s+BGP\s+.*Established/gm) ?? []).length === 2, `both sessions Established on ${side}`);
    });
    await waitFor(async () => /via 172\.16\.20\.2/.test(await onHost(ALICE, ["ip", "route", "show", "192.168.42.0/24"])), "the friend's LAN through isp1");
    // The answer's way back: alice's LAN in remi's kernel (Established is before the routes).
    await waitFor(async () => /via 172\.16\.20\.1/.test(await onHost(REMI, ["ip", "route", "show", "192.168.10.0/24"])), "alice's LAN on remi through isp1");
    expect(await onHost(ALICE, ["ping", "-c", "1", "-W", "3", "-I", "192.168.10.1", "192.168.42.1"])).toMatch(/1 received/);
    await bothSides(async (side) => {
      const again = await withRouter(side, (router) => router.plan({ peering, side }));
      expect(again.plan.changes, side).toEqual([]);
    });
  }, 180_000);

  it("a fault after a step of each kind of a removal (every step with BGPALS_FULL_FAULTS=1) leaves the peering as it was", async () => {
    expect(peering).toBeDefined();
    const applied = await snapshot(ALICE);
    const appliedConfig = await snapshot(ALICE, { withState: false });
    await withRouter(ALICE, async (router) => {
      const { plan } = await router.plan({ peering, side: ALICE, remove: true });
      expect(plan.changes.length).toBeGreaterThan(8);
      const points = faultPoints(plan.changes.map((c) => c.role), 1, plan.changes.length - 1);
      try {
        for (const k of points) {
          process.env[FAIL_AFTER_ENV] = String(k);
          const result = await router.apply(plan);
          expect(result.ok, `step ${k}`).toBe(false);
          if (result.ok) continue;
          expect(result.undone, `step ${k}`).toBe(k);
          expect(result.verified, `step ${k}: ${result.message}`).toBe(true);
          // Everything as it was but the sessions' state: BIRD brings the sessions it dropped back up
          // by itself, which the end of the loop waits for once (not after each step: seconds each).
          expect(await snapshot(ALICE, { withState: false }), `step ${k}`).toEqual(appliedConfig);
        }
      } finally {
        delete process.env[FAIL_AFTER_ENV];
      }
    });
    await waitFor(async () => JSON.stringify(await snapshot(ALICE)) === JSON.stringify(applied), `${ALICE}'s sessions up again`, 60_000);
  }, 600_000);

  it("remove takes away exactly what apply made", async () => {
    expect(peering).toBeDefined();
    await bothSides(async (side) => {
      const applied = await snapshot(side);
      expect(applied).not.toEqual(pristine[side]);
      // Each link's route, BIRD's in the link's own table: the peering's, so removed with it.
      expect(applied.routes!.match(/^default via \S+ dev wan\d table \d+ proto bird/gm)?.length, applied.routes).toBe(peering.links.length);
      const result = await withRouter(side, async (router) => router.apply((await router.plan({ peering, side, remove: true })).plan));
      expect(result.ok && result.verified, JSON.stringify(result)).toBe(true);
      // wireguard-go ends once its interface is gone.
      await waitFor(async () => !(await onHost(side, ["ip", "-br", "link", "show"])).includes("wg-"), `no WireGuard interface on ${side}`, 10_000);
      expect(await snapshot(side)).toEqual(pristine[side]);
      const again = await withRouter(side, (router) => router.plan({ peering, side, remove: true }));
      expect(again.plan.changes).toEqual([]);
    });
  }, 120_000);

  it("bgpals apply and bgpals remove do it over SSH from the command line", async () => {
    const h = lab.hosts[ALICE]!;
    const home = tempDir("bgpals-linux-apply-home-");
    const peers = tempDir("bgpals-linux-apply-peers-");
    const file = join(home, "peering.json");
    writeFileSync(file, JSON.stringify(peeringOf({})));
    const cli = (command: string) => cliAsync([command, "--router", `ssh://root@${h.ssh.host}:${h.ssh.port}`, "--key", lab.key.file, "--peering", file, "--side", ALICE, "--peers", peers, "--yes"], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    const applied = await cli("apply");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/applied \d+ changes .*read back/);
    expect(await lab.birdc(ALICE, "show", "protocols")).toMatch(/^bgpals_ap\d+_isp1\s+BGP/m);
    const again = await cli("apply");
    expect(again.stdout).toMatch(/nothing to change/);
    const removed = await cli("remove");
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/removed \d+ changes/);
    await waitFor(async () => !(await onHost(ALICE, ["ip", "-br", "link", "show"])).includes("wg-"), "no WireGuard interface", 10_000);
    expect(await snapshot(ALICE)).toEqual(pristine[ALICE]);
  }, 120_000);
});
