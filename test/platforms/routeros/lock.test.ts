// The router-wide lock, through the real client: a live holder is waited for (with a countdown) or
// refused with who it is; one that is gone (this computer, process not running; or a minute without
// a heartbeat) is replaced, saying so; a plan read before the lock is checked against the router.
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { lockComment, parseLockComment, LOCK_NAME, LOCK_PATH } from "../../../src/platforms/routeros/lock.js";
import { RouterLockedError, type LockHolder } from "../../../src/platforms/platform.js";
import { appliedOn, example } from "../../helpers.js";
import { labResolve, targetOf } from "./apply-helpers.js";

let lab: Lab;
let admin: RouterClient;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
  admin = await RouterClient.connect(targetOf(lab, "alice"));
});
afterAll(async () => {
  await admin.close();
  await lab.stop();
});

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

async function placeLock(holder: LockHolder): Promise<string> {
  return admin.add(LOCK_PATH, { name: LOCK_NAME, comment: lockComment(holder), disabled: "yes" });
}

async function lockOnRouter(): Promise<LockHolder | null> {
  const [item] = await admin.print(LOCK_PATH, { query: { name: LOCK_NAME } });
  return item === undefined ? null : parseLockComment(item.comment);
}

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}

describe("the lock", () => {
  it("says who holds the router and writes nothing when it may not wait", async () => {
    const id = await placeLock({ host: "other-laptop", pid: 77, command: "remove", peering: "alice-remi", since: iso(5000), heartbeat: iso(2000) });
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    const before = lab.router("alice").exportConfig();
    const error = await router.exclusive({ command: "apply", peering: "alice-remi" }, async () => "ran").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterLockedError);
    expect((error as RouterLockedError).holder).toMatchObject({ host: "other-laptop", pid: 77, command: "remove", peering: "alice-remi" });
    expect((error as Error).message).toMatch(/^alice is held by another bgpals run: remove of alice-remi by other-laptop pid 77, since .* \(last heartbeat 2 s ago\); nothing written\nwait for it with --wait-lock/);
    expect(lab.router("alice").exportConfig()).toBe(before);
    await admin.remove(LOCK_PATH, id);
    await router.close();
  });

  it("waits for a live holder with a countdown, then runs", async () => {
    const id = await placeLock({ host: "other-laptop", pid: 77, command: "apply", peering: "alice-remi", since: iso(1000), heartbeat: iso(500) });
    setTimeout(() => void admin.remove(LOCK_PATH, id), 1500);
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    const waits: number[] = [];
    const ran = await router.exclusive({ command: "apply", waitMs: 10_000, onWait: (_holder, remaining) => waits.push(remaining) }, async () => {
      // Ours now, with what we are doing.
      expect(await lockOnRouter()).toMatchObject({ host: hostname(), pid: process.pid, command: "apply" });
      return "ran";
    });
    expect(ran).toBe("ran");
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits[0]).toBeGreaterThan(8000);
    expect(waits.every((w, i) => i === 0 || w < waits[i - 1]!)).toBe(true);
    expect(await lockOnRouter()).toBeNull();
    await router.close();
  });

  it("replaces the lock of a process that is gone from this computer, saying what was interrupted", async () => {
    const pid = deadPid();
    await placeLock({ host: hostname(), pid, command: "remove", peering: "alice-remi", since: iso(3000), heartbeat: iso(1000) });
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    const takeovers: string[] = [];
    await router.exclusive({ command: "apply", onTakeover: (holder, why) => takeovers.push(`${holder.command} ${holder.pid}: ${why}`) }, async () => undefined);
    expect(takeovers).toEqual([`remove ${pid}: its process ${pid} is no longer running on this computer`]);
    expect(await lockOnRouter()).toBeNull();
    await router.close();
  });

  it("replaces a lock whose heartbeat is over a minute old, wherever its holder ran", async () => {
    await placeLock({ host: "other-laptop", pid: 77, command: "accept", peering: "alice-carol", since: iso(120_000), heartbeat: iso(61_000) });
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    const takeovers: string[] = [];
    await router.exclusive({ command: "apply", onTakeover: (holder, why) => takeovers.push(`${holder.command}: ${why}`) }, async () => undefined);
    expect(takeovers).toEqual([expect.stringMatching(/^accept: it has given no sign of life since /)]);
    await router.close();
  });

  it("reads the lock of an older bgpals (no heartbeat): replaced once a minute old", async () => {
    expect(parseLockComment(`bgpals:lock:old-laptop pid 12 since ${iso(90_000)}`)).toMatchObject({ host: "old-laptop", pid: 12, command: "apply" });
    await admin.add(LOCK_PATH, { name: LOCK_NAME, comment: `bgpals:lock:old-laptop pid 12 since ${iso(90_000)}`, disabled: "yes" });
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    await router.exclusive({ command: "apply" }, async () => undefined);
    expect(await lockOnRouter()).toBeNull();
    await router.close();
  });

  it("unlock removes whoever's lock it is, and says whose", async () => {
    await placeLock({ host: "other-laptop", pid: 77, command: "prefer", peering: "alice-remi", since: iso(1000), heartbeat: iso(1000) });
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    expect(await router.lockHolder()).toMatchObject({ command: "prefer", host: "other-laptop" });
    expect(await router.unlock()).toMatchObject({ command: "prefer", host: "other-laptop", pid: 77 });
    expect(await router.lockHolder()).toBeNull();
    await router.close();
  });
});

describe("the heartbeat", () => {
  it("is renewed while the lock is held; a run whose lock was replaced sends nothing more", async () => {
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    const before = lab.router("alice").exportConfig();
    const result = await router.exclusive({ command: "apply", peering: "alice-remi", heartbeatMs: 100 }, async () => {
      const first = (await lockOnRouter())!;
      await new Promise((resolve) => setTimeout(resolve, 450));
      const later = (await lockOnRouter())!;
      expect(later.since).toBe(first.since);
      expect(Date.parse(later.heartbeat)).toBeGreaterThan(Date.parse(first.heartbeat));
      const planned = await router.plan({ peering: appliedOn(example("s1"), "alice"), side: "alice" });
      // Someone decides this run is gone and takes the router over.
      await admin.remove(LOCK_PATH, (await admin.print(LOCK_PATH, { query: { name: LOCK_NAME } }))[0]![".id"]!);
      await placeLock({ host: "other-laptop", pid: 77, command: "apply", peering: "alice-remi", since: iso(0), heartbeat: iso(0) });
      await new Promise((resolve) => setTimeout(resolve, 350));
      return router.apply(planned.plan, { resolve: labResolve });
    });
    expect(result).toMatchObject({ ok: false, undone: 0 });
    if (!result.ok) expect(result.message).toMatch(/another bgpals run replaced this run's lock on the router; no further change was sent/);
    // Nothing of ours, and the other run's lock stays.
    expect(await lockOnRouter()).toMatchObject({ host: "other-laptop", pid: 77 });
    await admin.remove(LOCK_PATH, (await admin.print(LOCK_PATH, { query: { name: LOCK_NAME } }))[0]![".id"]!);
    expect(lab.router("alice").exportConfig()).toBe(before);
    await router.close();
  });
});

describe("a plan read before the lock", () => {
  it("is checked against the router under the lock: when the router changed, nothing is written", async () => {
    const peering = appliedOn(example("s1"), "alice");
    const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
    const planned = await router.plan({ peering, side: "alice" });
    // Meanwhile, someone else writes.
    const theirs = await admin.add("/ip/firewall/address-list", { list: "someone-else", address: "10.9.9.9" });
    const before = lab.router("alice").exportConfig();
    const result = await router.apply(planned.plan, { resolve: labResolve });
    expect(result).toMatchObject({ ok: false, undone: 0 });
    if (!result.ok) expect(result.message).toMatch(/^nothing written: the router changed since this plan was made .*: plan again\n {2}\/ip\/firewall\/address-list: 10\.9\.9\.9 was not there before/);
    expect(lab.router("alice").exportConfig()).toBe(before);

    // Read again (still without the lock): nothing changed since, so it applies.
    const again = await router.plan({ peering, side: "alice" });
    expect(await router.apply(again.plan, { resolve: labResolve })).toMatchObject({ ok: true, verified: true });
    const removal = await router.plan({ peering, side: "alice", remove: true });
    expect(await router.apply(removal.plan, { resolve: labResolve })).toMatchObject({ ok: true, verified: true });
    await admin.remove("/ip/firewall/address-list", theirs);
    await router.close();
  });
});
