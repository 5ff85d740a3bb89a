// Colours in a real terminal: Home and the monitor draw in colour by default, and in none at all
// (every cell in the terminal's own foreground and background) with NO_COLOR, with `theme: "mono"`
// in the config file, or with --theme mono. An unknown theme is refused, naming the valid ones.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal } from "./pty.js";

let lab: Lab;
let aliceHome = "";
// A terminal that shows colours: without FORCE_COLOR, CI (which the tests set, to false) turns them all off.
const env = (extra: Record<string, string> = {}) => ({ BGPALS_HOME: aliceHome, BGPALS_PASSWORD: lab.info().routers.find((r) => r.name === "alice")!.password, FORCE_COLOR: "3", ...extra });
const configFile = () => join(aliceHome, "config.json");

/** The config file with `theme` set to `value` (undefined: removed), as a user edits it. */
function setTheme(value: string | undefined): void {
  const config = JSON.parse(readFileSync(configFile(), "utf8")) as Record<string, unknown>;
  if (value === undefined) delete config.theme;
  else config.theme = value;
  writeFileSync(configFile(), JSON.stringify(config, null, 2));
}

// The peering is made headless: this file is about how the screens are drawn.
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
  const homes: Record<string, string> = {};
  const cli = async (op: string, args: string[]) => {
    const info = lab.info().routers.find((r) => r.name === op)!;
    const r = await cliAsync(args, { BGPALS_HOME: homes[op]!, BGPALS_PASSWORD: info.password });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  for (const op of ["alice", "remi"]) {
    homes[op] = tempDir(`bgpals-${op}-`);
    const info = lab.info().routers.find((r) => r.name === op)!;
    await cli(op, ["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user]);
  }
  aliceHome = homes.alice!;
  const offer = JSON.parse(await cli("alice", ["offer", "--router", "home", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--json"])).bundle;
  const answer = JSON.parse(await cli("remi", ["accept", offer, "--router", "home", "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"])).bundle;
  await cli("alice", ["complete", answer, "--router", "home", "--yes", "--json"]);
}, 60_000);
afterAll(async () => lab.stop());

/** Opens the screens, waits for Home's badges and then the monitor's link rows; the coloured cells of each. */
async function colouredScreens(args: string[], extraEnv: Record<string, string>): Promise<{ home: string[]; monitor: string[] }> {
  const term = runInTerminal(args, { env: env(extraEnv) });
  await term.waitFor((s) => /home\s+admin@\S+\s+● ok/.test(s) && /remi\s+alice-remi\s+● up/.test(s), 20_000);
  const home = await term.colouredCells();
  await term.press(KEYS.down, /^› remi\s+alice-remi/m);
  lab.tick();
  await term.press(KEYS.enter, (s) => /isp1\s+primary\s*● up\s+established/.test(s) && /isp2\s+backup\s*● up\s+established/.test(s) && /192\.168\.42\.0\/24\s+✓/.test(s), 20_000);
  const monitor = await term.colouredCells();
  term.kill();
  return { home, monitor };
}

describe("colours", () => {
  it("Home and the monitor use colours by default (the badges)", async () => {
    const { home, monitor } = await colouredScreens([], {});
    // ● ok and ● up on Home, ● up on each link row of the monitor.
    expect(home.filter((c) => c.includes("'●'")).length).toBeGreaterThanOrEqual(2);
    expect(monitor.filter((c) => c.includes("'●'")).length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ["NO_COLOR=1", [], { NO_COLOR: "1" }, undefined],
    ['theme "mono" in the config file', [], {}, "mono"],
    ["--theme mono", ["--theme", "mono"], {}, undefined],
  ] as const)("none at all with %s: every cell of Home and the monitor in the terminal's own colours", async (_, args, extraEnv, configured) => {
    setTheme(configured);
    try {
      const { home, monitor } = await colouredScreens([...args], { ...extraEnv });
      expect(home).toEqual([]);
      expect(monitor).toEqual([]);
    } finally {
      setTheme(undefined);
    }
  });

  it('the config file beats NO_COLOR, as no-color.org asks: theme "default" draws in colour', async () => {
    setTheme("default");
    try {
      const { home } = await colouredScreens([], { NO_COLOR: "1" });
      expect(home.filter((c) => c.includes("'●'")).length).toBeGreaterThanOrEqual(2);
    } finally {
      setTheme(undefined);
    }
  });

  it("the demo takes --theme too: its Home in mono, and an unknown theme refused before the lab starts", async () => {
    const demo = runInTerminal(["demo", "--theme", "mono"], { env: env({ BGPALS_HOME: tempDir("bgpals-demo-home-") }) });
    await demo.waitFor((s) => s.includes("Routers (1)") && s.includes("● ok"), 30_000);
    expect(await demo.colouredCells()).toEqual([]);
    demo.kill("SIGHUP");
    await demo.exited;
    const refused = await cliAsync(["demo", "--theme", "pink"], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--theme pink: no such theme; use default or mono");
  });

  it("an unknown theme is refused with the valid ones, from the config file or the flag, before anything is drawn", async () => {
    setTheme("solarized");
    try {
      const term = runInTerminal([], { env: env() });
      const screen = await term.waitFor((s) => /theme "solarized" in \S+config\.json: no such theme; use default or mono/.test(s.replace(/\n/g, "")));
      expect(screen).not.toContain("Routers");
      expect(await term.exited).toBe(1);
    } finally {
      setTheme(undefined);
    }
    const flagged = runInTerminal(["--theme", "pink"], { env: env() });
    const screen = await flagged.waitFor("--theme pink: no such theme; use default or mono");
    expect(screen).not.toContain("Routers");
    expect(await flagged.exited).toBe(2);
  });
});
