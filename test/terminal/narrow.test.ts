// Narrow terminals (issue 15): at 60×20, 70×22 and 80×24, Home, the monitor and its help fit: every
// link row shows whole columns (tunnel state, session state) with nothing overlapping, every
// route of the peering is listed, the hints stay at the bottom, and Help shows every key of the screen.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { COMMANDS, commandsFor } from "../../src/ui/keymap.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal } from "./pty.js";

const SIZES = [
  [60, 20],
  [70, 22],
  [80, 24],
] as const;

let lab: Lab;
const homes = { alice: "", remi: "" };
const envOf = (op: "alice" | "remi") => ({ BGPALS_HOME: homes[op], BGPALS_PASSWORD: lab.info().routers.find((r) => r.name === op)!.password });
async function cli(op: "alice" | "remi", args: string[]): Promise<string> {
  const r = await cliAsync(args, envOf(op));
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

// The peering is made headless: this file is about how the screens fit, not the wizard.
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
  for (const op of ["alice", "remi"] as const) {
    homes[op] = tempDir(`bgpals-${op}-`);
    const info = lab.info().routers.find((r) => r.name === op)!;
    await cli(op, ["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user]);
  }
  const offer = JSON.parse(await cli("alice", ["offer", "--router", "home", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--json"])).bundle;
  const answer = JSON.parse(await cli("remi", ["accept", offer, "--router", "home", "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"])).bundle;
  await cli("alice", ["complete", answer, "--router", "home", "--yes", "--json"]);
});
afterAll(async () => lab.stop());

/** A link row: the marker, the link's name, its tunnel badge and the session's state, each whole. */
const linkRow = (link: string) => new RegExp(`^[ ›] ${link}\\s+(primary\\s+|backup\\s+)?● up\\s+established`, "m");

describe.each(SIZES)("at %i×%i", (cols, rows) => {
  it("Home, the monitor with every link row, and its help fit", async () => {
    const term = runInTerminal([], { env: envOf("alice"), cols, rows });
    const home = await term.waitFor(/remi\s+offer · alice-remi\s+✓ completed/);
    expect(home).toMatch(/^› home\s+admin@/m);
    expect(home).toMatch(/^ {2}remi\s+alice-remi\s+/m);
    await term.press(KEYS.down, /^› remi\s+alice-remi/m);
    lab.tick();
    const monitor = await term.press(KEYS.enter, (s) => linkRow("isp1").test(s) && linkRow("isp2").test(s) && s.includes("Events"), 20_000);
    const lines = monitor.split("\n");
    // The hints end the screen (one row is left empty below them), and the events come before.
    expect(lines.findIndex((l) => l.includes("q quit"))).toBeGreaterThan(lines.findIndex((l) => l.startsWith("Events")));
    expect(lines.at(-2)).toMatch(/q quit/);
    // Each link's second line is there too, under its row.
    for (const link of ["isp1", "isp2"]) expect(lines[lines.findIndex((l) => linkRow(link).test(l)) + 1]).toMatch(/^\s+hs /);
    // The route view shows both of remi's routes, one a link, before the event log takes rows
    // (issue 15: the route pane too small to read).
    const routes = await term.waitFor(/2 routes, 1 active/, 20_000);
    for (const link of ["isp1", "isp2"]) expect(routes).toMatch(new RegExp(`^[ ›] 192\\.168\\.42\\.0/24\\s+(✓\\s+)?${link}\\s`, "m"));
    expect(routes).not.toMatch(/↓ \d+ more/);

    const help = await term.press("?", "Help: Monitor");
    for (const command of commandsFor("monitor")) expect(help).toContain(COMMANDS[command].label);
    term.kill();
  });
});
