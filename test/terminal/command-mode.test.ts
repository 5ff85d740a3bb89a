// The conventions of k9s and lazygit (issue 15), in a real terminal on the lab: the `:` command
// line (with Tab and history), a regular-expression filter on the monitor's routes (`?` typed in a
// field is text, not Help), an error that stays while the monitor redraws under it, paging keys on
// Home, and keys bound in the config file (a bad binding stops the start and changes nothing).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal } from "./pty.js";

const TAB = "\t";
const PAGE_DOWN = "\u001B[6~";
const END = "\u001B[F";
const HOME = "\u001B[H";
const REMI_PREFIX = "192.168.42.0/24";

let lab: Lab;
let home = "";
const env = () => ({ BGPALS_HOME: home, BGPALS_PASSWORD: lab.info().routers.find((r) => r.name === "alice")!.password });
async function cli(op: "alice" | "remi", dir: string, args: string[]): Promise<string> {
  const info = lab.info().routers.find((r) => r.name === op)!;
  const r = await cliAsync(args, { BGPALS_HOME: dir, BGPALS_PASSWORD: info.password });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

// The peering is made headless: this file is about the keys, not the wizard.
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
  const dirs = { alice: tempDir("bgpals-alice-"), remi: tempDir("bgpals-remi-") };
  for (const op of ["alice", "remi"] as const) {
    const info = lab.info().routers.find((r) => r.name === op)!;
    await cli(op, dirs[op], ["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user]);
  }
  const offer = JSON.parse(await cli("alice", dirs.alice, ["offer", "--router", "home", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--json"])).bundle;
  const answer = JSON.parse(await cli("remi", dirs.remi, ["accept", offer, "--router", "home", "--me", "remi", "--asn", "64513", "--networks", REMI_PREFIX, "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"])).bundle;
  await cli("alice", dirs.alice, ["complete", answer, "--router", "home", "--yes", "--json"]);
  home = dirs.alice;
}, 60_000);
afterAll(async () => lab.stop());

/** Alice's screens, on Home once it lists remi. */
async function aliceOnHome() {
  const term = runInTerminal([], { env: env() });
  await term.waitFor(/^ {2}remi\s+alice-remi/m);
  return term;
}

/** Remi's prefix on both links: the route view has them once the sessions are up. */
const bothRoutes = (s: string) => new RegExp(`${REMI_PREFIX.replace(/\./g, "\\.")}\\s+✓?\\s+isp1`).test(s) && new RegExp(`${REMI_PREFIX.replace(/\./g, "\\.")}\\s+isp2`).test(s);

describe("the : command line", () => {
  it(":monitor <friend> opens that peering's monitor (Tab completes the command and the friend); :why asks about a prefix there", async () => {
    const term = await aliceOnHome();
    await term.press(":", /^:\s*$/m);
    await term.press("mo", /^:mo\s*$/m);
    await term.press(TAB, /^:monitor\s*$/m);
    await term.press("r", /^:monitor r\s*$/m);
    await term.press(TAB, /^:monitor remi\s*$/m);
    lab.tick();
    const monitor = await term.press(KEYS.enter, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s), 20_000);
    expect(monitor).toContain("alice-remi on home");
    expect(monitor).not.toMatch(/^:/m);

    const why = await term.press(`:why ${REMI_PREFIX}\r`, `Why ${REMI_PREFIX}?`, 20_000);
    expect(why).toMatch(/isp[12]: /);
    await term.press(KEYS.escape, (s) => bothRoutes(s));
    // A prefix the route view does not list (remi never declared it): :why says which rule of each
    // link's input filter would reject it.
    const rejected = await term.press(":why 10.99.0.0/24\r", "Why 10.99.0.0/24?", 20_000);
    for (const link of ["isp1", "isp2"]) expect(rejected).toMatch(new RegExp(`^${link}: rejected (by alice-remi-in-${link} #\\d+|at end of chain)`, "m"));
    await term.press(KEYS.escape, (s) => bothRoutes(s));
    // Esc goes back to Home: :monitor put the monitor over Home.
    await term.press(KEYS.escape, "bgpals · Home");

    // ↑ brings back the lines run before, the last first.
    await term.press(":", /^:\s*$/m);
    await term.press(KEYS.up, /^:why 10\.99\.0\.0\/24\s*$/m);
    await term.press(KEYS.up, new RegExp(`^:why ${REMI_PREFIX.replace(/\./g, "\\.")}\\s*$`, "m"));
    await term.press(KEYS.up, /^:monitor remi\s*$/m);
    await term.press(KEYS.down, new RegExp(`^:why ${REMI_PREFIX.replace(/\./g, "\\.")}\\s*$`, "m"));
    await term.press(KEYS.escape, (s) => !/^:/m.test(s) && s.includes("bgpals · Home"));

    // Typed in a text field, : is a colon.
    await term.press("n", "friend's name:");
    const typed = await term.press("a:b", /friend's name: a:b/);
    expect(typed).not.toMatch(/^:/m);
    expect(typed).not.toContain("enter run");
    // And ? is a question mark, not Help (issue 15).
    const asked = await term.press("?", /friend's name: a:b\?/);
    expect(asked).not.toContain("Help:");
    term.kill();
  }, 60_000);

  it("an unknown command, an unknown friend and :why off the monitor each say what would work, and change nothing", async () => {
    const term = await aliceOnHome();
    const unknown = await term.press(":frobnicate\r", 'no command "frobnicate"');
    // One message, wrapped where the terminal ends.
    expect(unknown.replace(/\n/g, " ")).toMatch(/use :monitor <friend>, :why <prefix>, :router <name>, ?:home, :help, :quit \(:q\)/);
    expect(unknown).toContain("bgpals · Home");
    await term.press(KEYS.ctrlU, /^:\s*$/m);
    const friend = await term.press("monitor bob\r", 'no friend "bob": friends are remi');
    expect(friend).toContain("bgpals · Home");
    await term.press(KEYS.ctrlU, /^:\s*$/m);
    await term.press(`why ${REMI_PREFIX}\r`, ":why works on the monitor");
    // Esc leaves the line: Home as it was, its first line still selected.
    const after = await term.press(KEYS.escape, (s) => !/^:/m.test(s));
    expect(after).toContain("bgpals · Home");
    expect(after).toMatch(/^› home\s+admin@/m);
    term.kill();
  }, 30_000);
});

describe("/ on the monitor's routes", () => {
  it("filters by a regular expression, case-insensitive; an invalid one says why and keeps the last valid filter", async () => {
    const term = await aliceOnHome();
    lab.tick();
    await term.press(`:monitor remi\r`, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s), 20_000);
    const typing = await term.press("/", "filter /▏");
    // While it is typed, the hints are the filter's keys (p would be typed, not swap the primary).
    expect(typing).toMatch(/enter keep filter\s+esc drop filter\s+ctrl\+u clear\s+ctrl\+c quit/);
    expect(typing).not.toContain("swap primary ISP");
    // A character class: only isp2's route (a substring filter would match none).
    const isp2 = await term.press("ISP[2]", "filter /ISP[2]▏: 1 match");
    expect(isp2).toMatch(new RegExp(`${REMI_PREFIX.replace(/\./g, "\\.")}\\s+isp2`));
    expect(isp2).not.toMatch(/\s+✓\s+isp1\s+/);
    // ? in the filter is the expression's, not Help: "ISP[2]?" matches both links.
    await term.press("?", "filter /ISP[2]?▏: 2 match");
    await term.press(KEYS.backspace, "filter /ISP[2]▏: 1 match");
    const broken = await term.press("(", "Unterminated group");
    expect(broken).toContain('filter /ISP[2](▏ ✗ Unterminated group (showing "ISP[2]")');
    expect(broken).toMatch(new RegExp(`${REMI_PREFIX.replace(/\./g, "\\.")}\\s+isp2`));
    // Enter keeps the last valid filter; ctrl+u clears it.
    const kept = await term.press(KEYS.enter, 'filter "ISP[2]": 1 match');
    expect(kept).toContain("p swap primary ISP");
    expect(kept).not.toContain("keep filter");
    const cleared = await term.press(KEYS.ctrlU, (s) => !s.includes("· filter") && bothRoutes(s));
    expect(cleared).toMatch(/2 routes/);
    term.kill();
  }, 60_000);

  it("esc drops the filter being typed, and ctrl+c quits from it as from everywhere", async () => {
    const term = await aliceOnHome();
    lab.tick();
    await term.press(`:monitor remi\r`, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s), 20_000);
    await term.press("/", "filter /▏");
    await term.press("isp2", "filter /isp2▏: 1 match");
    const dropped = await term.press(KEYS.escape, (s) => !s.includes("· filter") && bothRoutes(s));
    expect(dropped).toContain("p swap primary ISP");
    await term.press("/", "filter /▏");
    await term.type(KEYS.ctrlC);
    expect(await term.exited).toBe(0);
  }, 60_000);
});

describe("the monitor at 60×20", () => {
  it("shows each link's lines, the counts and a full route table above its three lines of hints", async () => {
    // Pieces of remi's /24 that alice's filters refuse: listed (filtered, on both links), they fill
    // the route table.
    const pieces = Array.from({ length: 8 }, (_, i) => `192.168.42.${i * 32}/27`);
    lab.leakPrefixes("remi", pieces);
    try {
      const term = runInTerminal([], { env: env(), cols: 60, rows: 20 });
      await term.waitFor(/^ {2}remi\s+alice-remi/m);
      lab.tick();
      const shown = await term.press(`:monitor remi\r`, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s) && /16 filtered/.test(s) && /watching: 2 tunnels/.test(s), 30_000);
      // Counted as two lines, the hints' three pushed the body over them: Ink shrank the link's
      // first lines and the counts line to nothing.
      expect(shown).toMatch(/^ {2}isp1 .*● up/m);
      expect(shown).toMatch(/^ {2}isp2 .*● up/m);
      expect(shown).toMatch(/^2 routes, 1 active, 16 filtered/m);
      // The top of the table, where the filtered routes (read before the stream's rows) do not start it.
      expect(shown).toMatch(/^› 192\.168\.42\.0\/24\s+✓\s+isp1/m);
      expect(shown).not.toMatch(/↑ \d+ more/);
      expect(shown).toMatch(/↓ \d+ more/);
      const lines = shown.trimEnd().split("\n");
      expect(lines.filter((line) => /^ +hs /.test(line))).toHaveLength(2);
      expect(lines.at(-3)).toMatch(/^tab next pane/);
      expect(lines.at(-1)).toMatch(/\? help\s+q quit/);
      term.kill();
    } finally {
      lab.leakPrefixes("remi", []);
    }
  }, 60_000);
});

describe("an error on the monitor", () => {
  it("stays on screen while the monitor keeps drawing under it, until dismissed", async () => {
    const term = runInTerminal(["--read-only"], { env: env() });
    await term.waitFor(/^ {2}remi\s+alice-remi/m);
    lab.tick();
    await term.press(`:monitor remi\r`, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s), 20_000);
    const refusal = "read-only: swap primary ISP would write to a router";
    const shown = await term.press("p", refusal);
    // The handshake's age on isp1's second line: the monitor's next looks redraw it.
    const age = (s: string) => /^\s+hs (\S+) ·/m.exec(s)?.[1];
    const first = age(shown);
    expect(first).toBeDefined();
    const later = await term.waitFor((s) => age(s) !== undefined && age(s) !== first, 20_000);
    expect(later).toContain(refusal);
    await term.press(KEYS.escape, (s) => !s.includes(refusal) && bothRoutes(s));
    term.kill();
  }, 60_000);
});

describe("paging keys", () => {
  it("pgdn, end and home move through a long list on Home", async () => {
    const dir = tempDir("bgpals-many-");
    // Forty router profiles (at a port nothing listens on): more than a screen holds.
    const routers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`r${String(i).padStart(2, "0")}`, { host: "127.0.0.1", port: 1, user: "admin" }]));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ routers, fingerprints: {} }));
    const term = runInTerminal([], { env: { BGPALS_HOME: dir } });
    await term.waitFor(/^› r00 /m);
    const paged = await term.press(PAGE_DOWN, (s) => /^› r(?!00)\d\d /m.test(s));
    const page = Number(/^› r(\d\d) /m.exec(paged)![1]);
    // A page is more than a line: what the list shows at once, less its markers.
    expect(page).toBeGreaterThan(5);
    expect(paged).toMatch(/↑ \d+ more/);
    await term.press(END, /^› r39 /m);
    await term.press(HOME, /^› r00 /m);
    term.kill();
  }, 30_000);
});

describe("keys in the config file", () => {
  it("a key bound to a command acts, and the hints and Help show it", async () => {
    const file = join(home, "config.json");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(original), keys: { "monitor.prefer": "P" } }));
    try {
      const term = await aliceOnHome();
      lab.tick();
      const monitor = await term.press(`:monitor remi\r`, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s), 20_000);
      expect(monitor).toMatch(/P swap primary ISP/);
      expect(monitor).not.toMatch(/\bp swap primary ISP/);
      const help = await term.press("?", "Help: Monitor");
      expect(help).toMatch(/ P\s+swap primary ISP/);
      // Back on the monitor, connected again (Help closed its connection).
      await term.press(KEYS.escape, (s) => s.includes("bgpals · Monitor: remi") && bothRoutes(s) && /● up/.test(s), 20_000);
      // P asks to swap now.
      await term.press("P", "swap primary?", 15_000);
      await term.press(KEYS.escape, (s) => bothRoutes(s));
      term.kill();
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  it("a bad binding stops the start with the entry named, exit 1, and the file as it was", async () => {
    const dir = tempDir("bgpals-keys-");
    const file = join(dir, "config.json");
    const text = JSON.stringify({ routers: {}, fingerprints: {}, keys: { "monitor.swap": "P", "home.quit": "ctrl+c" } });
    writeFileSync(file, text);
    // Wide enough for the message's lines not to wrap.
    const term = runInTerminal([], { env: { BGPALS_HOME: dir }, cols: 200 });
    const shown = await term.waitFor("reserved");
    expect(shown).toContain(`bgpals: ${file}: keys "monitor.swap": no command "swap"`);
    expect(shown).toContain('keys "home.quit": ctrl+c is reserved: it always quits');
    expect(await term.exited).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(text);
  }, 30_000);

  it("a BGPALS_KEYRING it does not know stops the start with a message, exit 1, before any screen", async () => {
    const dir = tempDir("bgpals-home-");
    const term = runInTerminal([], { env: { BGPALS_HOME: dir, BGPALS_KEYRING: "sometimes" }, cols: 200 });
    const shown = await term.waitFor("BGPALS_KEYRING=sometimes");
    // The message alone: no screen was drawn.
    expect(shown.split("\n").map((line) => line.trim()).filter(Boolean)).toEqual(["bgpals: BGPALS_KEYRING=sometimes: use off (never the OS keyring: secrets go to files sealed in the config home) or on (the default)"]);
    expect(await term.exited).toBe(1);
  }, 30_000);
});
