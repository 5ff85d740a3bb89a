// `bgpals --read-only` in a real terminal: the screens say read-only in their title line, offer no
// key that would write, and a writing key pressed anyway says why nothing happens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal } from "./pty.js";

const REFUSED = (what: string) => `read-only: ${what} would write to a router; run without --read-only`;

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

describe("the screens, read-only", () => {
  it("show read-only, hide the writing keys, and refuse them when pressed", async () => {
    const info = lab.info().routers.find((r) => r.name === "alice")!;
    const env = { BGPALS_HOME: tempDir("bgpals-ro-tui-"), BGPALS_PASSWORD: info.password };
    const added = await cliAsync(["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user], env);
    expect(added.code, added.stderr).toBe(0);
    const before = lab.router("alice").exportConfig();

    const term = runInTerminal(["--read-only"], { env, cols: 80, rows: 24 });
    const home = await term.waitFor("Routers (1)");
    expect(home.split("\n")[0]).toMatch(/^bgpals · .* read-only\s*$/);
    // The hints offer what reads, not what writes.
    expect(home).toContain("add router");
    for (const hidden of ["new peering", "accept offer", "complete", "remove peering"]) expect(home).not.toContain(hidden);
    expect(home).toContain("No friends yet (a peering is made without --read-only)");

    const refused = await term.press("n", REFUSED("new peering"));
    expect(refused).not.toContain("Which router?");
    await term.press(KEYS.escape, (s) => !s.includes(REFUSED("new peering")) && s.includes("Routers (1)"));
    await term.press("a", REFUSED("accept offer"));
    // Help still lists every key, the writing ones marked off.
    await term.press(KEYS.escape, (s) => !s.includes(REFUSED("accept offer")) && s.includes("Routers (1)"));
    const help = await term.press("?", "Keys");
    expect(help).toContain("new peering (off: read-only)");
    expect(help).toMatch(/r\s+add router\s*$/m);
    expect(lab.router("alice").exportConfig()).toBe(before);
  });
});
