// After a run is killed half way: `bgpals recover` and `bgpals unlock` say what it left without
// writing anything; a writing command without --yes refuses and says what to run; `recover --yes`
// undoes it and reads the router back; `unlock --yes` removes a lock whoever holds it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { recoverCommand, unlockCommand } from "../../src/cli/router-commands.js";
import { withWritingRouter } from "../../src/cli/router.js";
import { exportOf } from "../platforms/routeros/apply-helpers.js";
import { cliArgs, home, inProcess, journals, passwordOf, routerSpec, spawnCli } from "./cli-lab.js";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
  dir = home();
  process.env.BGPALS_HOME = dir;
  process.env.BGPALS_PASSWORD = passwordOf(lab, "alice");
});
afterAll(async () => lab.stop());

const lock = () => lab.router("alice").store.at("/system/scheduler").find({ name: "bgpals-apply-lock" });

describe("after a killed apply", () => {
  it("recover and unlock say what is left; --yes undoes it", async () => {
    const before = exportOf(lab, "alice");
    const run = spawnCli(cliArgs(lab, "apply"), { BGPALS_HOME: dir, BGPALS_PASSWORD: passwordOf(lab, "alice") });
    lab.router("alice").afterWrite(12, async () => {
      run.child.kill("SIGKILL");
      await run.done;
    });
    expect((await run.done).signal).toBe("SIGKILL");
    // The writes the run had already sent are carried out once the hook returns.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exportOf(lab, "alice")).not.toBe(before);
    const router = routerSpec(lab, "alice");

    const look = await inProcess((write) => recoverCommand({ router }, write));
    expect(look.code).toBe(0);
    expect(look.stdout).toMatch(/^an earlier bgpals apply of alice-remi on .* was interrupted \(pid \d+ on .*, started .*\)\n {2}\d+ writes journaled \(each before it was sent\), \d+ answered by the router, 0 already undone\n {2}left to undo, newest first: .*\n {2}journal: .*\.jsonl\nundo it \(then the router is read back\): bgpals recover --router \S+ --yes\n$/);

    const holder = await inProcess((write) => unlockCommand({ router }, write));
    expect(holder.stdout).toMatch(/is locked by apply of alice-remi by .* pid \d+, since .*\nif that run is gone, remove the lock: add --yes/);
    expect(holder.stdout).toMatch(/this computer's journal also holds an interrupted run on it/);

    // unlock --yes removes the lock (the journal stays: recover needs it).
    const unlocked = await inProcess((write) => unlockCommand({ router, yes: true }, write));
    expect(unlocked.stdout).toMatch(/^removed the lock of apply of alice-remi by /);
    expect(lock()).toEqual([]);
    expect(journals(dir)).toHaveLength(1);

    // A writing command without --yes writes nothing and says what to run.
    const unlockedState = exportOf(lab, "alice");
    const refused = await inProcess(() => withWritingRouter({ router }, { command: "apply", peering: "alice-remi" }, async () => 0));
    expect(refused.error?.message).toMatch(/an earlier bgpals apply of alice-remi .* was interrupted[\s\S]*nothing written now\. Undo it first: run this again with --yes \(it undoes that run, then goes on\), or undo it alone: bgpals recover --router \S+ --yes$/);
    expect(exportOf(lab, "alice")).toBe(unlockedState);

    const recovered = await inProcess((write) => recoverCommand({ router, yes: true }, write));
    expect(recovered.code, recovered.error?.message).toBe(0);
    expect(recovered.stdout).toMatch(/undid \d+ writes; read back, the router is as it was before that run\n$/);
    expect(exportOf(lab, "alice")).toBe(before);
    expect(journals(dir)).toEqual([]);
    expect(lock()).toEqual([]);

    const nothing = await inProcess((write) => recoverCommand({ router, yes: true }, write));
    expect(nothing.stdout).toMatch(/^nothing to recover: this computer's journal holds no interrupted run on /);
  });
});
