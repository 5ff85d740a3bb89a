// The screens with a Linux host as the router, in real terminals, as a first-time user meets them:
// two netlab hosts peered (BIRD and WireGuard for real), alice's config home naming her host as
// ssh://root@host:port. Adding the friend's host on Home (a key file, the host key shown and pinned,
// discovery in Linux's words, never a password), then alice's monitor: both links up, the friend's
// prefix with its link and local-pref, why, the filter, the polls' pace over SSH, and a WAN taken
// down and back in the event log (and in `status --watch --json` beside it); at 80×24 and at 60×20.
// Last, `status --json` on the host against the RouterOS lab's: the same fields.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linuxNames } from "../../src/platforms/linux-bird/names.js";
import { Lab } from "../../src/lab/lab.js";
import type { RouterStatus } from "../../src/platforms/platform.js";
import { cliAsync } from "../cli/cli-async.js";
import { endsWithTest, example, onCleanup, repoRoot, tempDir, until } from "../helpers.js";
import { buildPeering } from "../lab/lab-helpers.js";
import { ALICE, REMI, startPeeredHosts, waitFor, type PeeredHosts } from "../platforms/linux-bird/peered-hosts.js";
import { linuxOperatorHome, sshAddress, type LinuxOperator } from "./linux-operator.js";
import { KEYS, runInTerminal, type TerminalRun } from "./pty.js";

const FRIEND_LAN = "192.168.42.0/24";
/**
 * The monitor's looks at my host per poll period: one SSH exec reads the tunnels and sessions, the
 * friend's routes and the friend's filtered routes together.
 */
const LOOKS = 1;
const POLL_SECONDS = 2;

let hosts: PeeredHosts;
let alice: LinuxOperator;

const established = async (side: string) => ((await hosts.onHost(side, "birdc show protocols")).match(/Established/g) ?? []).length;

beforeAll(async () => {
  hosts = await startPeeredHosts();
  await waitFor(async () => (await established(ALICE)) === 2 && (await established(REMI)) === 2, "both sessions Established on both hosts", 90_000);
  alice = await linuxOperatorHome(hosts, ALICE, REMI);
}, 150_000);
afterAll(() => hosts?.lab.teardown());

/** The event log's lines, oldest first. */
function eventLines(screen: string): string[] {
  const lines = screen.split("\n");
  const start = lines.findIndex((l) => l.trim() === "Events");
  return start < 0 ? [] : lines.slice(start + 1).filter((l) => /^\d\d:\d\d:\d\d /.test(l));
}

/** The sessions sshd started on a host so far: one per exec channel ("Starting session: command ..."). */
function execsOn(side: string): number {
  return (readFileSync(hosts.lab.hosts[side]!.ssh.log, "utf8").match(/Starting session: command /g) ?? []).length;
}

async function openTui(cols: number, rows: number): Promise<TerminalRun> {
  const term = runInTerminal([], { env: alice.env, cols, rows });
  await term.waitFor("Routers (1)");
  return term;
}

/** From Home to the friend's monitor, once it shows both links established (never a password on the way). */
async function openMonitor(term: TerminalRun): Promise<string> {
  await term.press(KEYS.down, `› ${REMI}`);
  await term.type(KEYS.enter);
  return term.waitFor((s) => {
    expect(s).not.toMatch(/password/i);
    return /isp1 .*● up\s+established/.test(s) && /isp2 .*● up\s+established/.test(s) && s.includes(FRIEND_LAN) && /watching: 2 tunnels, 2 sessions, 2 routes/.test(s);
  }, 40_000);
}

describe("adding a Linux host on Home", { timeout: 90_000 }, () => {
  it("takes ssh://user@host:port and a key file, shows the host key and what the host runs, and saves it pinned", async () => {
    // A config home of its own: the monitor's tests below keep one router.
    const own = await linuxOperatorHome(hosts, ALICE, REMI);
    const term = runInTerminal([], { env: own.env, cols: 60, rows: 20 });
    await term.waitFor("Routers (1)");
    const remi = hosts.lab.hosts[REMI]!;
    await term.press("r", "router name:");
    await term.type("pi");
    await term.press(KEYS.enter, "address:");
    await term.type(sshAddress(hosts, REMI));
    await term.press(KEYS.enter, "key file:");
    // No agent and no key: refused with what to do, nothing saved; the key file step again.
    await term.press(KEYS.enter, /no\s+key:[^]*ssh-agent/);
    expect(readFileSync(join(own.home, "config.json"), "utf8")).not.toContain('"pi"');
    await term.press(KEYS.escape, (s) => s.includes("key file:") && !/no\s+key/.test(s));
    await term.type(hosts.lab.key.file);
    const found = await term.press(KEYS.enter, /› Save pi/, 30_000);
    // The key to compare with the host's own, then discovery in Linux's words.
    expect(found).toContain(`Host key (pinned when you save):\n  ${remi.ssh.hostKeyFingerprint}\n`);
    expect(found).toMatch(/: Linux \S+ \(\S+\), BIRD \d+\.\d+/);
    expect(found).not.toContain("RouterOS");
    for (const wan of remi.wans) expect(found).toMatch(new RegExp(`^  ${wan.interface}  ${wan.address.replace(/\./g, "\\.")}/${wan.prefixLength}  \\(default route\\)`, "m"));
    expect(found).toContain(`${FRIEND_LAN} on lo`);
    expect(found).not.toMatch(/password/i);
    // At 60×20 the rest is said, not cut silently.
    expect(found).toMatch(/… \d+ more lines: bgpals inventory --router pi/);

    const saved = await term.press(KEYS.enter, "Saved router pi");
    // Wrapped at 60 columns, paths and all: read without the line breaks and spaces.
    const flat = saved.replace(/\s+/g, "");
    expect(flat).toContain(`Savedrouterpi(${sshAddress(hosts, REMI)})`);
    expect(flat).toContain(`thekey${hosts.lab.key.file};nopasswordiskept`);
    expect(flat).toContain(`Itshostkey${remi.ssh.hostKeyFingerprint}ispinned`);
    const profile = JSON.parse(readFileSync(join(own.home, "config.json"), "utf8")).routers.pi;
    expect(profile).toEqual({ host: remi.ssh.host, port: remi.ssh.port, user: "root", ssh: true, keyFile: hosts.lab.key.file, fingerprint: remi.ssh.hostKeyFingerprint });

    // Opened from Home: straight to what it runs, no password asked.
    await term.press(KEYS.enter, "Routers (2)");
    await term.press(KEYS.down, "› pi");
    const view = await term.press(KEYS.enter, /BIRD \d+\.\d+/, 30_000);
    expect(view).toContain("Router: pi");
    expect(view).not.toMatch(/password/i);
    // What the inventory had no room for: how WireGuard runs there and the firewall, scrolled to.
    const end = await term.press("\u001B[F", /^nftables: /m); // end
    expect(end).toMatch(/^WireGuard: (kernel|wireguard-go)/m);
    // The profile `home` (made by bgpals router add) had no host key: this run's first connection
    // pinned it (Home's look), and its router view says so with the key.
    await term.press(KEYS.escape, "Routers (2)");
    await term.press(KEYS.up, "› home");
    const first = await term.press(KEYS.enter, /BIRD \d+\.\d+/, 30_000);
    expect(first).toContain(`First connection: its host key is now pinned:\n  ${hosts.lab.hosts[ALICE]!.ssh.hostKeyFingerprint}\n`);
  });
});

describe("the monitor of a peering on Linux hosts", { timeout: 240_000 }, () => {
  it("shows both links up, the friend's prefix on the primary, why, and the filter; polls at a sane pace", async () => {
    const term = await openTui(80, 24);
    const p = hosts.peering;
    const shown = await openMonitor(term);
    // The profile had no host key yet: this run pinned it, and says so with the key.
    const fingerprint = hosts.lab.hosts[ALICE]!.ssh.hostKeyFingerprint;
    expect(eventLines(shown)).toContainEqual(expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d host key pinned: ${fingerprint.replace(/[+/]/g, "\\$&")}$`)));
    expect(JSON.parse(readFileSync(join(alice.home, "config.json"), "utf8")).routers.home.fingerprint).toBe(fingerprint);
    // BIRD's words, not RouterOS's.
    expect(eventLines(shown)).toContainEqual(expect.stringMatching(/connected \(Linux \(BIRD \d+\.\d+\.\d+\)\)$/));
    expect(shown).not.toContain("RouterOS");
    expect(shown).toMatch(/isp1\s+primary\s+● up\s+established \S+ · in 1\/100 · out 1 · lp 200/);
    expect(shown).toMatch(/isp2\s+backup\s+● up\s+established \S+ · in 1\/100 · out 1 · lp 100/);
    const primary = p.links.find((l) => l.name === p.policy.primary)!;
    const backup = p.links.find((l) => l.name !== p.policy.primary)!;
    expect(shown).toMatch(new RegExp(`${FRIEND_LAN.replace(/\./g, "\\.")}\\s+✓\\s+${primary.name}\\s+${primary.address[REMI]!.replace(/\./g, "\\.")}\\s+${p.policy.localPref.primary}\\s+${p.sides[REMI]!.asn}`));
    expect(shown).toMatch(new RegExp(`${FRIEND_LAN.replace(/\./g, "\\.")}\\s+${backup.name}\\s+${backup.address[REMI]!.replace(/\./g, "\\.")}\\s+${p.policy.localPref.backup}\\s`));
    // What the screen says is up is what the host says: a fresh handshake on each tunnel, both sessions Established.
    for (const link of p.links) {
      const handshake = Number((await hosts.onHost(ALICE, `wg show ${linuxNames.tunnelInterface(link, REMI)} latest-handshakes`)).trim().split(/\s+/)[1]);
      expect(handshake).toBeGreaterThan(0);
    }
    expect(await established(ALICE)).toBe(2);

    // w: BIRD's why for the selected prefix (the primary's route, first in the table).
    const why = await term.press("w", `Why ${FRIEND_LAN}?`, 20_000);
    expect(why.replace(/\s+/g, " ")).toContain(`${primary.name}: accepted: BIRD holds it from ${linuxNames.bgpProtocol(p, primary.name)} as its best route, local-pref ${p.policy.localPref.primary}`);
    await term.press(KEYS.escape, (s) => s.includes("Events") && !s.includes("Why"));

    // The polls' pace: exec channels opened on alice's host while the monitor watches, and keys
    // answered meanwhile (the filter, typed a key at a time while the looks run).
    const before = execsOn(ALICE);
    const started = Date.now();
    await term.press("/", /filter \/▏/);
    for (const [i, c] of [..."isp2$"].entries()) await term.press(c, `filter /${"isp2$".slice(0, i + 1)}▏`);
    const filtered = await term.waitFor(/: 1 match/);
    expect(filtered).toMatch(new RegExp(`${FRIEND_LAN.replace(/\./g, "\\.")}\\s+${backup.name}\\s`));
    expect(filtered).not.toMatch(new RegExp(`${FRIEND_LAN.replace(/\./g, "\\.")}\\s+✓`));
    await term.press(KEYS.escape, (s) => /2 routes, 1 active/.test(s) && !s.includes("filter /"));
    await waitFor(async () => execsOn(ALICE) >= before + 10, "ten more exec channels on alice's host", 60_000);
    const seconds = (Date.now() - started) / 1000;
    const execs = execsOn(ALICE) - before;
    // In a window of t seconds each look runs at most floor(t / period) + 1 times (once at its start).
    expect(execs, `${execs} execs in ${seconds} s`).toBeLessThanOrEqual(LOOKS * (Math.floor(seconds / POLL_SECONDS) + 1));
  });

  it("logs the primary's session going down when alice's WAN goes down, and coming back", async () => {
    const term = await openTui(80, 24);
    await openMonitor(term);
    const wan = hosts.lab.hosts[ALICE]!.wans[0]!;
    const link = hosts.peering.links.find((l) => l.wan[ALICE] === "isp1")!;
    const up = async () => {
      await hosts.lab.exec(ALICE, ["ip", "link", "set", wan.interface, "up"]);
      // The host's own default route through it went with the link: back as netlab made it (a DHCP client would). BIRD puts back bgpals's.
      await hosts.lab.exec(ALICE, ["ip", "route", "replace", "default", "via", wan.gateway, "dev", wan.interface, "metric", String(wan.metric)]);
    };
    onCleanup(up);
    // `bgpals status --watch --json` beside the screen: the same events, as JSON lines.
    const watcher = endsWithTest(spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), "status", "--watch", "--json", "--router", "home"], { env: { ...process.env, ...alice.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] }));
    let out = "";
    watcher.stdout!.on("data", (d) => (out += d));
    const events = () => out.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { event: string; link?: string; prefix?: string; to?: { link?: string } });
    await waitFor(async () => events().some((e) => e.event === "snapshot"), "the watcher's snapshot", 30_000);
    const down = await hosts.lab.exec(ALICE, ["ip", "link", "set", wan.interface, "down"]);
    expect(down.code, down.stderr).toBe(0);
    // BIRD's hold timer (9 s) ends the session; the tunnel may be said down first (6 s without a
    // packet). The WAN comes back only once the session is down: back on the tunnel's word alone, it
    // could come back before the hold timer ran out, and the session never go down at all.
    const sessionDown = new RegExp(`session ${link.name} down`);
    const gone = await term.waitFor((s) => eventLines(s).some((l) => sessionDown.test(l)), 60_000);
    expect(eventLines(gone).findIndex((l) => sessionDown.test(l))).not.toBe(-1);
    await up();
    const back = await term.waitFor((s) => {
      const lines = eventLines(s);
      const downAt = lines.findIndex((l) => sessionDown.test(l));
      return lines.slice(downAt + 1).some((l) => l.endsWith(`session ${link.name} established`));
    }, 120_000);
    expect(back).toMatch(new RegExp(`${link.name}\\s+primary\\s+● up\\s+established`));
    // The watcher told the same: the session (or tunnel) down and the friend's prefix over the
    // backup, then the session back and the prefix with it. The first two come within a look of
    // each other in either order: a look reads the routes before the sessions, but the routes'
    // feed looks by itself (routes only) when the watcher's looks are late (slow SSH under load).
    await waitFor(async () => events().some((e) => e.event === "session-up" && e.link === link.name), "the watcher's session-up", 30_000);
    const told = events();
    const said = JSON.stringify(told.map((e) => `${e.event} ${e.link ?? e.prefix ?? ""} ${e.to?.link ?? ""}`));
    const lost = told.findIndex((e) => (e.event === "session-down" || e.event === "tunnel-down") && e.link === link.name);
    expect(lost, said).not.toBe(-1);
    const away = told.findIndex((e) => e.event === "best-path-moved" && e.prefix === FRIEND_LAN && e.to?.link !== link.name);
    expect(away, said).not.toBe(-1);
    const moved = Math.max(lost, away);
    expect(told.slice(moved).some((e) => e.event === "session-up" && e.link === link.name), said).toBe(true);
    await waitFor(async () => events().slice(moved + 1).some((e) => e.event === "best-path-moved" && e.prefix === FRIEND_LAN && e.to?.link === link.name), "the friend's prefix back on the primary", 30_000);
  });

  it("fits 60×20: both links, the friend's routes and the event log", async () => {
    const term = await openTui(60, 20);
    const shown = await openMonitor(term);
    const lines = shown.split("\n");
    expect(lines.some((l) => /^\s+isp1\s+● up\s+established/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+isp2\s+● up\s+established/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes(FRIEND_LAN))).toHaveLength(2);
    expect(eventLines(shown).length).toBeGreaterThan(0);
    // The key hints, last, are all there.
    expect(lines.filter((l) => l.trim() !== "").at(-1)).toMatch(/q quit/);
  });
});

describe("bgpals status --json on a Linux host", { timeout: 90_000 }, () => {
  it("has the shape RouterOS's has: the same fields on tunnels, sessions and routes", async () => {
    const linux = await cliAsync(["status", "--json", "--router", "home"], alice.env);
    expect(linux.code, linux.stderr).toBe(0);
    // The same peering's status on the lab's RouterOS routers, both sessions up.
    const lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, clockFactor: 20, tls: false, ssh: false });
    onCleanup(() => lab.stop());
    await buildPeering(lab, example("s1"));
    const look = async (side: string) => {
      const r = lab.info().routers.find((x) => x.name === side)!;
      const env = { BGPALS_HOME: tempDir("bgpals-status-ros-"), BGPALS_PASSWORD: r.password };
      return until(
        async () => {
          lab.tick();
          const got = await cliAsync(["status", "--json", "--router", `${r.user}@${r.host}:${r.port}`], env);
          const status = JSON.parse(got.stdout) as RouterStatus;
          return status.sessions.length === 2 && status.sessions.every((x) => x.state === "established") && status.routes.length > 0 && status;
        },
        `${side}'s sessions established on the lab`,
        30_000,
        100,
      );
    };
    // Alice listens on both, as alice does on the Linux hosts; remi dials.
    const listener = await look("alice");
    const dialer = await look("remi");
    const fields = (status: RouterStatus) => ({
      status: Object.keys(status).sort(),
      tunnels: [...new Set(status.tunnels.flatMap((t) => Object.keys(t)))].sort(),
      sessions: [...new Set(status.sessions.flatMap((t) => Object.keys(t)))].sort(),
      routes: [...new Set(status.routes.flatMap((t) => Object.keys(t)))].sort(),
    });
    const shown = JSON.parse(linux.stdout) as RouterStatus;
    expect(shown.tunnels).toHaveLength(2);
    expect(shown.sessions).toHaveLength(2);
    // Every field RouterOS's listener gives, and none that RouterOS never gives (its dialer's side has the rest: where it sends, the keepalive).
    const linuxFields = fields(shown);
    const known = fields({ tunnels: [...listener.tunnels, ...dialer.tunnels], sessions: [...listener.sessions, ...dialer.sessions], routes: [...listener.routes, ...dialer.routes] });
    for (const kind of ["status", "tunnels", "sessions", "routes"] as const) {
      expect(linuxFields[kind], kind).toEqual(expect.arrayContaining(fields(listener)[kind]));
      expect(known[kind], kind).toEqual(expect.arrayContaining(linuxFields[kind]));
    }
  });
});
