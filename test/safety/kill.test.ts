// `bgpals apply` and `bgpals remove` killed (SIGKILL) right after their k-th write: after a write of
// each kind (the lock, each menu, the release; test/fault-points.ts), every k with BGPALS_FULL_FAULTS=1.
// The next apply, started at once, says what was interrupted, undoes it from the journal, applies,
// exits 0 and a re-plan is empty. After a killed remove, `bgpals recover --yes` gives back exactly
// what the router held (the WireGuard private keys from the sealed journal, the rules in order),
// and a later remove gives back the router as it was before the peering. The journals the killed
// runs left are 0600 and hold no private key in clear.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import type { Change } from "../../src/core/plan.js";
import { faultPoints } from "../fault-points.js";
import { appliedOn, example } from "../helpers.js";
import { exportOf, targetOf } from "../platforms/routeros/apply-helpers.js";
import { applyInProcess, cliArgs, fileMode, home, journals, passwordOf, recoverInProcess, spawnCli, text } from "./cli-lab.js";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
  dir = home();
  process.env.BGPALS_HOME = dir;
  process.env.BGPALS_PASSWORD = passwordOf(lab, "alice");
});
afterAll(async () => lab.stop());

/** The changes a plan makes on alice now. */
async function planned(remove = false): Promise<Change[]> {
  const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
  try {
    return (await router.plan({ peering: appliedOn(example("s1"), "alice"), side: "alice", remove })).plan.changes;
  } finally {
    await router.close();
  }
}

const replan = async (remove = false): Promise<number> => (await planned(remove)).length;

/** Where to kill a run of these changes: after a write of each kind (test/fault-points.ts), the lock's and its release's too. */
const killPoints = (changes: Change[]) => faultPoints(["lock", ...changes.map((c) => c.path), "release"], 1, changes.length + 2);

/** Runs the CLI command and kills it right after the router carried out its k-th write. */
async function killedAt(k: number, command: "apply" | "remove") {
  const run = spawnCli(cliArgs(lab, command), { BGPALS_HOME: dir, BGPALS_PASSWORD: passwordOf(lab, "alice") });
  lab.router("alice").afterWrite(k, async () => {
    run.child.kill("SIGKILL");
    await run.done;
  });
  return run.done;
}

describe("SIGKILL after the k-th write", () => {
  it("of an apply, after a write of each kind (every write with BGPALS_FULL_FAULTS=1): the next run converges", async () => {
    const before = exportOf(lab, "alice");
    const changes = await planned();
    // The lock, every change, the lock's release.
    const writes = changes.length + 2;
    expect(writes).toBeGreaterThan(2);
    for (const k of killPoints(changes)) {
      const killed = await killedAt(k, "apply");
      expect(killed.signal, `apply k=${k}: ${killed.stderr}`).toBe("SIGKILL");
      const left = journals(dir);
      if (k >= 2 && k < writes) {
        expect(left, `apply k=${k}`).toHaveLength(1);
        expect(fileMode(left[0]!)).toBe(0o600);
      }
      const next = await applyInProcess(lab, false);
      expect(next.code, `apply k=${k}: ${next.error?.message}\n${next.stderr}`).toBe(0);
      if (k < writes) expect(next.stderr, `apply k=${k}`).toMatch(/was held by apply of alice-remi by .* but its process \d+ is no longer running on this computer: that run was interrupted/);
      if (k >= 2 && k < writes) expect(next.stderr, `apply k=${k}`).toMatch(/an earlier bgpals apply of alice-remi on .* was interrupted[\s\S]*read back, the router is as it was before that run/);
      expect(next.stdout, `apply k=${k}`).toMatch(k === writes ? /^nothing to change: .* already matches \(read back\)/ : new RegExp(`^applied ${writes - 2} changes on .* \\(read back: the router holds the peering\\)`));
      expect(journals(dir), `apply k=${k}`).toEqual([]);
      expect(await replan(), `apply k=${k}`).toBe(0);
      expect((await applyInProcess(lab, true)).code, `apply k=${k}`).toBe(0);
      expect(exportOf(lab, "alice"), `apply k=${k}`).toBe(before);
    }
  }, 900_000);

  it("of a remove, after a write of each kind (every write with BGPALS_FULL_FAULTS=1): recover gives back exactly what the router held", async () => {
    const before = exportOf(lab, "alice");
    expect((await applyInProcess(lab, false)).code).toBe(0);
    const changes = await planned(true);
    const writes = changes.length + 2;
    expect(writes).toBeGreaterThan(2);
    expect((await applyInProcess(lab, true)).code).toBe(0);
    for (const k of killPoints(changes)) {
      expect((await applyInProcess(lab, false)).code, `remove k=${k}`).toBe(0);
      const applied = exportOf(lab, "alice");
      const keys = [...lab.router("alice").privateKeys.values()];
      const removal = await killedAt(k, "remove");
      expect(removal.signal, `remove k=${k}: ${removal.stderr}`).toBe("SIGKILL");
      for (const file of journals(dir)) {
        expect(fileMode(file)).toBe(0o600);
        for (const key of keys) expect(text(file), `remove k=${k}: a private key in clear`).not.toContain(key);
      }
      const recovered = await recoverInProcess(lab);
      expect(recovered.code, `remove k=${k}: ${recovered.error?.message}\n${recovered.stdout}${recovered.stderr}`).toBe(0);
      for (const key of keys) expect(removal.stderr + removal.stdout + recovered.stdout + recovered.stderr, `remove k=${k}: a private key in the output`).not.toContain(key);
      if (k >= 2 && k < writes) expect(recovered.stdout, `remove k=${k}`).toMatch(/an earlier bgpals remove of alice-remi .* was interrupted[\s\S]*read back, the router is as it was before that run/);
      // Exactly what it held: the same private keys (so the same public keys), rules in order.
      expect(exportOf(lab, "alice"), `remove k=${k}`).toBe(k === writes ? before : applied);
      const finished = await applyInProcess(lab, true);
      expect(finished.code, `remove k=${k}: ${finished.error?.message}`).toBe(0);
      expect(await replan(true), `remove k=${k}`).toBe(0);
      expect(exportOf(lab, "alice"), `remove k=${k}`).toBe(before);
    }
  }, 900_000);
});
