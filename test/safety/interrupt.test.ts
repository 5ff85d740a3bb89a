// Ctrl-C (SIGINT) right after the k-th write of `bgpals apply` and of `bgpals remove`, for a write
// of each kind (test/fault-points.ts; every k with BGPALS_FULL_FAULTS=1):
// the run sends nothing more, undoes what it wrote, reads the router back, says so and fails; the
// router is exactly as before the run (rules in order, the same WireGuard keys), with no lock and
// no journal left. After its last write (the lock's release) the run had finished and succeeds.
// Every k runs the command in this process (the signal is real: sent to this process); a few run
// it as a separate process, and a second Ctrl-C during the undo stops at once and says what is left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { faultPoints } from "../fault-points.js";
import { appliedOn, example } from "../helpers.js";
import { exportOf, targetOf } from "../platforms/routeros/apply-helpers.js";
import { applyInProcess, cliArgs, home, journals, passwordOf, recoverInProcess, spawnCli, until, type Spawned } from "./cli-lab.js";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
  dir = home();
  process.env.BGPALS_HOME = dir;
  process.env.BGPALS_PASSWORD = passwordOf(lab, "alice");
  // The lock, every change of the plan, the lock's release.
  const router = await routerOs.connect(targetOf(lab, "alice"), "alice");
  try {
    const changes = (await router.plan({ peering: appliedOn(example("s1"), "alice"), side: "alice" })).plan.changes;
    CHANGES = changes.length;
    APPLY_KINDS = changes.map((c) => c.path);
    // A removal's plan, to know its order: made once on a router that holds the peering.
    expect((await applyInProcess(lab, false)).code).toBe(0);
    REMOVE_KINDS = (await router.plan({ peering: appliedOn(example("s1"), "alice"), side: "alice", remove: true })).plan.changes.map((c) => c.path);
    expect((await applyInProcess(lab, true)).code).toBe(0);
  } finally {
    await router.close();
  }
  WRITES = CHANGES + 2;
});
afterAll(async () => lab.stop());

let CHANGES = 0;
let WRITES = 0;
/** The menu of each change of an apply, and of a removal, in their order. */
let APPLY_KINDS: string[] = [];
let REMOVE_KINDS: string[] = [];

/** Where to interrupt: after a write of each kind (test/fault-points.ts), the lock's and its release's too. */
const interruptPoints = (kinds: string[]) => faultPoints(["lock", ...kinds, "release"], 1, kinds.length + 2);

const lockLeft = () => lab.router("alice").store.at("/system/scheduler").find({ name: "bgpals-apply-lock" }).length > 0;

/** The command in this process, with Ctrl-C sent to this process right after the k-th write. */
async function interruptedHere(k: number, command: "apply" | "remove") {
  let seen = "";
  const original = process.stderr.write.bind(process.stderr);
  lab.router("alice").afterWrite(k, async () => {
    process.kill(process.pid, "SIGINT");
    // The answer to that write goes out once the run has seen the Ctrl-C.
    await until(() => seen.includes("Ctrl-C: no further change is sent"), "the run to see Ctrl-C");
  });
  const watch = ((chunk: string | Uint8Array) => {
    seen += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  const result = await applyInProcess(lab, command === "remove", () => (process.stderr.write = watch));
  process.stderr.write = original;
  return { ...result, stderr: seen };
}

/** The command as its own process, interrupted right after the k-th write. */
function interruptedProcess(k: number, command: "apply" | "remove", extra: string[] = []): Spawned {
  const run = spawnCli(cliArgs(lab, command, extra), { BGPALS_HOME: dir, BGPALS_PASSWORD: passwordOf(lab, "alice") });
  lab.router("alice").afterWrite(k, async () => {
    run.child.kill("SIGINT");
    await until(() => run.err().includes("Ctrl-C: no further change is sent"), "the run to see Ctrl-C");
  });
  return run;
}

const UNDONE = /bgpals: interrupted \(at .*\): no further change was sent\nbgpals: undid the \d+ changes? already made; read back, the router is as it was before/;

describe("Ctrl-C after the k-th write", () => {
  it("of an apply, after a write of each kind (every write with BGPALS_FULL_FAULTS=1): the run undoes itself and the router is as it was", async () => {
    const before = exportOf(lab, "alice");
    for (const k of interruptPoints(APPLY_KINDS)) {
      const apply = await interruptedHere(k, "apply");
      if (k < WRITES) {
        expect(apply.code, `apply k=${k}: ${apply.stderr}`).toBe(1);
        expect(apply.error?.message, `apply k=${k}`).toMatch(/^interrupted \(at .*\): no further change was sent\nundid the \d+ changes? already made; read back, the router is as it was before$/);
        expect(exportOf(lab, "alice"), `apply k=${k}`).toBe(before);
      } else {
        // Interrupted while releasing the lock: the apply had finished and was read back.
        expect(apply.code, `apply k=${k}: ${apply.error?.message}`).toBe(0);
        expect(apply.stdout).toMatch(new RegExp(`^applied ${CHANGES} changes`));
        expect((await applyInProcess(lab, true)).code, `apply k=${k}`).toBe(0);
      }
      expect(lockLeft(), `apply k=${k}`).toBe(false);
      expect(journals(dir), `apply k=${k}`).toEqual([]);
      expect(exportOf(lab, "alice"), `apply k=${k}`).toBe(before);
    }
  }, 600_000);

  it("of a remove, after a write of each kind (every write with BGPALS_FULL_FAULTS=1): the run undoes itself and the router is as it was", async () => {
    const before = exportOf(lab, "alice");
    for (const k of interruptPoints(REMOVE_KINDS)) {
      expect((await applyInProcess(lab, false)).code, `remove k=${k}`).toBe(0);
      const applied = exportOf(lab, "alice");
      const remove = await interruptedHere(k, "remove");
      if (k < WRITES) {
        expect(remove.code, `remove k=${k}: ${remove.stderr}`).toBe(1);
        expect(remove.error?.message, `remove k=${k}`).toMatch(/read back, the router is as it was before$/);
        expect(exportOf(lab, "alice"), `remove k=${k}`).toBe(applied);
        expect((await applyInProcess(lab, true)).code, `remove k=${k}`).toBe(0);
      } else {
        expect(remove.code, `remove k=${k}: ${remove.error?.message}`).toBe(0);
      }
      expect(lockLeft(), `remove k=${k}`).toBe(false);
      expect(journals(dir), `remove k=${k}`).toEqual([]);
      expect(exportOf(lab, "alice"), `remove k=${k}`).toBe(before);
    }
  }, 600_000);

  it("as a process of its own: it exits 1 with what it undid, at the first change, in the middle and at the last", async () => {
    const before = exportOf(lab, "alice");
    for (const k of [2, 17, WRITES - 1]) {
      const apply = await interruptedProcess(k, "apply").done;
      expect(apply.code, `apply k=${k}: ${apply.stderr}`).toBe(1);
      expect(apply.stderr).toMatch(UNDONE);
      expect(exportOf(lab, "alice"), `apply k=${k}`).toBe(before);
      expect(lockLeft()).toBe(false);
      expect((await applyInProcess(lab, false)).code).toBe(0);
      const applied = exportOf(lab, "alice");
      const remove = await interruptedProcess(k, "remove").done;
      expect(remove.code, `remove k=${k}: ${remove.stderr}`).toBe(1);
      expect(remove.stderr).toMatch(UNDONE);
      expect(exportOf(lab, "alice"), `remove k=${k}`).toBe(applied);
      expect((await applyInProcess(lab, true)).code).toBe(0);
      expect(journals(dir)).toEqual([]);
    }
  }, 120_000);

  it("a second Ctrl-C during the undo stops at once, says what is left and how to finish it", async () => {
    const before = exportOf(lab, "alice");
    expect((await applyInProcess(lab, false)).code).toBe(0);
    const applied = exportOf(lab, "alice");
    // One write at a time, so that the write after the first Ctrl-C is the undo's first.
    const run = interruptedProcess(20, "remove", ["--sequential"]);
    // The first write of the undo: the second Ctrl-C, and nothing more goes out until the run has it.
    await until(() => run.err().includes("Ctrl-C: no further change is sent"), "the first Ctrl-C", 20_000);
    lab.router("alice").afterWrite(1, async () => {
      run.child.kill("SIGINT");
      await run.done;
    });
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/bgpals: stopped at once while undoing/);
    expect(stopped.stderr).toMatch(/bgpals: an earlier bgpals remove of alice-remi on .* was interrupted/);
    expect(stopped.stderr).toMatch(/bgpals: {3}journal: .*\.jsonl\nbgpals: undo the rest with: bgpals recover --router \S+ --yes/);
    expect(exportOf(lab, "alice")).not.toBe(applied);

    const recovered = await recoverInProcess(lab);
    expect(recovered.code, recovered.stdout + recovered.error?.message).toBe(0);
    expect(recovered.stdout).toMatch(/read back, the router is as it was before that run/);
    expect(exportOf(lab, "alice")).toBe(applied);
    expect((await applyInProcess(lab, true)).code).toBe(0);
    expect(exportOf(lab, "alice")).toBe(before);
  }, 60_000);
});
