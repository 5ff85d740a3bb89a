// `bgpals demo` in a real terminal: both operators' screens on the built-in lab, everything in a
// temporary directory that goes when the demo ends, however it ends.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { onCleanup, tempDir } from "../helpers.js";
import { typeText } from "./operators.js";
import { KEYS, runInTerminal } from "./pty.js";

const ALICE = "demo · alice (RouterOS 7.24)'s terminal";
const REMI = "demo · remi (RouterOS 7.19.6)'s terminal";

// Each demo here gets a temp dir of its own: other test files start demos in the suite's meanwhile,
// so counting the suite's demo dirs raced with them.
const demoDirs = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith("bgpals-demo-"));

describe("bgpals demo", () => {
  it("shows alice's terminal, then remi's with ctrl+o; quit, it leaves nothing behind", async () => {
    const tmp = tempDir("bgpals-tmp-");
    const term = runInTerminal(["demo"], { env: { BGPALS_HOME: tempDir("bgpals-home-"), TMPDIR: tmp } });
    await term.waitFor((s) => s.includes(ALICE) && s.includes("Routers (1)"), 20_000);
    expect(demoDirs(tmp)).toHaveLength(1);
    await term.press(KEYS.ctrlO, REMI);
    await term.type("q");
    expect(await term.exited).toBe(0);
    expect(demoDirs(tmp)).toEqual([]);
  });

  it("opened for want of a router profile, says so whole until the first key, then in its one line", async () => {
    const term = runInTerminal([], { env: { BGPALS_HOME: tempDir("bgpals-home-") } });
    const first = await term.waitFor((s) => s.includes("Routers (1)"), 20_000);
    const lines = first.split("\n");
    // Wrapped over the banner's lines, not cut: why this is a demo and how to leave it for a router.
    const banner = lines.slice(0, lines.findIndex((line) => line.startsWith("bgpals · Home"))).map((line) => line.trim()).join(" ");
    expect(banner).toBe(`${ALICE} · ctrl+o: remi's no router profile yet: this is the demo on the built-in lab; to use your own router, quit and run bgpals router add`);
    expect(first).toMatch(/\? help\s+q quit/);
    const after = await term.press("j", (s) => s.split("\n")[1]!.startsWith("bgpals · Home"));
    expect(after.split("\n")[0]).toMatch(/^ demo · alice .*…$/);
    await term.type("q");
    expect(await term.exited).toBe(0);
  });

  it("passes alice's offer to remi's terminal: c copies it, and remi's offer field says ctrl+v pastes it", async () => {
    const term = runInTerminal(["demo"], { env: { BGPALS_HOME: tempDir("bgpals-home-") } });
    await term.waitFor((s) => s.includes(ALICE) && s.includes("Routers (1)"), 20_000);
    // Nothing copied yet: ctrl+v says so, and the field stays empty.
    await term.press(KEYS.ctrlO, REMI);
    await term.press("a", "offer:");
    expect(await term.press(KEYS.ctrlV, "nothing was copied yet: c copies a bundle where it is shown")).toMatch(/^offer: *$/m);
    await term.press(KEYS.escape, "Friends (0)");
    await term.press(KEYS.ctrlO, ALICE);
    await term.press("n", "friend's name:");
    await typeText(term, "remi");
    await term.press(KEYS.enter, "› WireGuard");
    await term.press(KEYS.enter, "[ ] vlan832-orange-internet");
    await term.press(KEYS.space, "[x] vlan832-orange-internet");
    await term.press(KEYS.down, "› [ ] sfp-wan-sfr");
    await term.press(KEYS.space, "[x] sfp-wan-sfr");
    await term.press(KEYS.enter, "› isp1");
    await term.press(KEYS.enter, "your ASN:");
    await term.press(KEYS.enter, "networks to announce:");
    await term.press(KEYS.enter, "› No read-only account");
    const offer = await term.press(KEYS.enter, /Fingerprint \S+: read it to remi/, 20_000);
    const fingerprint = /Fingerprint (\S+):/.exec(offer)?.[1];
    expect(fingerprint).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await term.press("c", "copied");
    await term.press(KEYS.ctrlO, REMI);
    const field = await term.press("a", "offer:");
    expect(field).toMatch(/^enter next {2}ctrl\+v paste what was copied {2}ctrl\+u clear/m);
    await term.press(KEYS.ctrlV, /offer: …\S+/);
    // The offer remi reads is alice's: the same fingerprint.
    expect(await term.press(KEYS.enter, "Offer from alice", 20_000)).toContain(`Fingerprint ${fingerprint}`);
    term.kill("SIGHUP");
    await term.exited;
  });

  it("sweeps the directory of a demo killed too hard to clean up, and keeps a running demo's", async () => {
    const tmp = tempDir("bgpals-tmp-");
    const stale = mkdtempSync(join(tmp, "bgpals-demo-"));
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    writeFileSync(join(stale, "owner.pid"), `${gone}\n`);
    const running = mkdtempSync(join(tmp, "bgpals-demo-"));
    writeFileSync(join(running, "owner.pid"), `${process.pid}\n`);
    onCleanup(() => rmSync(running, { recursive: true, force: true }));
    const term = runInTerminal(["demo"], { env: { BGPALS_HOME: tempDir("bgpals-home-"), TMPDIR: tmp } });
    await term.waitFor((s) => s.includes(ALICE) && s.includes("Routers (1)"), 20_000);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(running)).toBe(true);
    await term.type("q");
    expect(await term.exited).toBe(0);
  });

  it("leaves nothing behind when its terminal closes under it", async () => {
    const tmp = tempDir("bgpals-tmp-");
    const term = runInTerminal(["demo"], { env: { BGPALS_HOME: tempDir("bgpals-home-"), TMPDIR: tmp } });
    await term.waitFor((s) => s.includes(ALICE) && s.includes("Routers (1)"), 20_000);
    expect(demoDirs(tmp)).toHaveLength(1);
    term.kill("SIGHUP");
    expect(await term.exited).toBe(128 + 1);
    expect(demoDirs(tmp)).toEqual([]);
  });
});
