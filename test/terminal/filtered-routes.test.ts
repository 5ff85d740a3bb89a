// What the friend sent and my input filters refused (issue 15): the monitor's route view lists
// those routes too, dimmed, each with the rule that refused it in words, the counts line says how
// many, and `w` on one explains it. In a real terminal, on lab routers (RouterOS 7 keeps them in
// /routing/route with the filtered flag).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal } from "./pty.js";

const REMI_PREFIX = "192.168.42.0/24";
const ALICE_PREFIX = "192.168.0.0/24";
// What remi leaks past its own output filters: a default route, alice's own network, a prefix
// remi may not send, and a piece of its own network longer than it may send (/24 by default).
const DEFAULT_ROUTE = "0.0.0.0/0";
const NOT_ALLOWED = "10.99.0.0/24";
const TOO_SPECIFIC = "192.168.42.128/25";
const REASONS: Record<string, RegExp> = {
  [DEFAULT_ROUTE]: /default route/,
  [ALICE_PREFIX]: /your own network 192\.168\.0\.0\/\d+/,
  [NOT_ALLOWED]: /not in friend's allowed prefixes/,
  [TOO_SPECIFIC]: /longer than \/24/,
};
const FILTERED_ROWS = Object.keys(REASONS).length * 2;
const COLS = 120;
const ROWS = 40;

let lab: Lab;
let home = "";
// Styles drawn, as in a terminal that shows them: without FORCE_COLOR, CI (which the tests set, to false) turns them off.
const env = (extra: Record<string, string> = {}) => ({ BGPALS_HOME: home, BGPALS_PASSWORD: lab.info().routers.find((r) => r.name === "alice")!.password, FORCE_COLOR: "3", ...extra });
async function cli(op: "alice" | "remi", dir: string, args: string[]): Promise<string> {
  const info = lab.info().routers.find((r) => r.name === op)!;
  const r = await cliAsync(args, { BGPALS_HOME: dir, BGPALS_PASSWORD: info.password });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

// The peering is made headless: this file is about the route view.
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
  const dirs = { alice: tempDir("bgpals-alice-"), remi: tempDir("bgpals-remi-") };
  for (const op of ["alice", "remi"] as const) {
    const info = lab.info().routers.find((r) => r.name === op)!;
    await cli(op, dirs[op], ["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user]);
  }
  const offer = JSON.parse(await cli("alice", dirs.alice, ["offer", "--router", "home", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", ALICE_PREFIX, "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--json"])).bundle;
  const answer = JSON.parse(await cli("remi", dirs.remi, ["accept", offer, "--router", "home", "--me", "remi", "--asn", "64513", "--networks", REMI_PREFIX, "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"])).bundle;
  await cli("alice", dirs.alice, ["complete", answer, "--router", "home", "--yes", "--json"]);
  home = dirs.alice;
}, 60_000);
afterAll(async () => lab.stop());

const escaped = (text: string) => text.replace(/[./]/g, (c) => `\\${c}`);
/** The row of a filtered route on a link: prefix, ✗, link, gateway, then "filtered: <reason>". */
const filteredRow = (prefix: string, link: string) => new RegExp(`^(›| ) ${escaped(prefix)}\\s+✗\\s+${link}\\s+\\S+\\s+filtered: ${REASONS[prefix]!.source}`, "m");
const allFilteredRows = (s: string) => Object.keys(REASONS).every((p) => filteredRow(p, "isp1").test(s) && filteredRow(p, "isp2").test(s));

describe("filtered routes in the monitor", () => {
  it("lists what my filters refused, dimmed with the reason; the counts say how many; w explains one", async () => {
    lab.leakPrefixes("remi", Object.keys(REASONS));
    const term = runInTerminal([], { env: env(), cols: COLS, rows: ROWS });
    await term.waitFor(/^ {2}remi\s+alice-remi/m);
    const screen = await term.press(":monitor remi\r", (s) => s.includes("bgpals · Monitor: remi") && allFilteredRows(s) && /^2 routes, 1 active/m.test(s), 30_000);
    // Remi's own prefix is still taken, on both links, and not marked.
    expect(screen).toMatch(new RegExp(`^. ${escaped(REMI_PREFIX)}\\s+✓\\s+isp1\\s+\\S+\\s+\\d+`, "m"));
    expect(screen).not.toMatch(new RegExp(`${escaped(REMI_PREFIX)} .*filtered`));
    expect(screen).toMatch(new RegExp(`^2 routes, 1 active, ${FILTERED_ROWS} filtered`, "m"));

    // Dimmed: every filtered row but the selected one (bold, with its ›), and no route the router took.
    const dim = await term.dimLines();
    const rows = screen.split("\n").filter((line) => Object.keys(REASONS).some((p) => filteredRow(p, "isp\\d").test(line)));
    expect(rows).toHaveLength(FILTERED_ROWS);
    for (const row of rows) expect(dim.includes(row), `${row} dim`).toBe(!row.startsWith("›"));
    expect(dim.some((line) => line.includes(`${REMI_PREFIX} `))).toBe(false);

    // The filter finds them by prefix; w on the one selected says which rule of each link refused it.
    await term.press(`/${NOT_ALLOWED.replace(/\./g, "\\.")}`, /match/);
    await term.press(KEYS.enter, (s) => /2 match/.test(s) && filteredRow(NOT_ALLOWED, "isp1").test(s));
    const why = await term.press("w", `Why ${NOT_ALLOWED}?`, 20_000);
    for (const link of ["isp1", "isp2"]) expect(why).toMatch(new RegExp(`^${link}: rejected (by alice-remi-in-${link} #\\d+|at end of chain\\S*).*: not in friend's allowed prefixes`, "m"));
    await term.press(KEYS.escape, (s) => !s.includes(`Why ${NOT_ALLOWED}?`));

    // Remi stops leaking: the filtered rows go at the next read (the filter emptied to see them all).
    lab.leakPrefixes("remi", []);
    await term.press(KEYS.ctrlU, (s) => /^2 routes, 1 active\s*$/m.test(s) && !s.includes("filtered:") && s.includes(REMI_PREFIX), 20_000);
  }, 90_000);

  it("in the monochrome theme (NO_COLOR) the word says what the dim says", async () => {
    lab.leakPrefixes("remi", [DEFAULT_ROUTE]);
    const term = runInTerminal([], { env: env({ NO_COLOR: "1" }), cols: COLS, rows: ROWS });
    await term.waitFor(/^ {2}remi\s+alice-remi/m);
    await term.press(":monitor remi\r", (s) => filteredRow(DEFAULT_ROUTE, "isp1").test(s) && filteredRow(DEFAULT_ROUTE, "isp2").test(s) && /^2 routes, 1 active, 2 filtered/m.test(s), 30_000);
    expect(await term.colouredCells()).toEqual([]);
    lab.leakPrefixes("remi", []);
  }, 60_000);
});
