// `bgpals export` over SSH against the lab: the whole configuration, host key pinned on first use.
import { tempDir } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { STACK_TRACE } from "./run.js";
import { cliAsync } from "./cli-async.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["carol"], tickMs: 0, tls: false });
});
afterAll(async () => lab.stop());

describe("bgpals export", () => {
  it("prints the router's configuration, then refuses a changed host key", async () => {
    const r = lab.info().routers[0]!;
    const home = tempDir("bgpals-export-");
    const run = () => cliAsync(["export", "--router", `${r.user}@${r.host}:${r.port}`, "--ssh-port", String(r.sshPort)], { BGPALS_HOME: home, BGPALS_PASSWORD: r.password });
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("/system identity\nset name=carol\n");
    expect(first.stdout).toMatch(/\/ip address\nadd address=192\.168\.88\.1\/24 comment=defconf interface=bridge network=192\.168\.88\.0/);
    expect((await run()).code).toBe(0);

    lab.ssh.get("carol")!.rotateHostKey();
    const changed = await run();
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/SHA256:/);
    expect(changed.stderr).not.toMatch(STACK_TRACE);
  });
});
