// The prefer request after p in the monitor: shown as text (whole, scrolled where it does not fit)
// that the friend's `bgpals prefer` takes as it was read off the screen, and as a QR code (g) where
// the terminal is large enough; at 80×24 and 60×20 it fits with its keys at the bottom, and r shows
// it again after esc.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { qrLines } from "../../src/ui/widgets/qr.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal, type TerminalRun } from "./pty.js";

let lab: Lab;
const homes = { alice: "", remi: "" };
const envOf = (op: "alice" | "remi") => ({ BGPALS_HOME: homes[op], BGPALS_PASSWORD: lab.info().routers.find((r) => r.name === op)!.password });
async function cli(op: "alice" | "remi", args: string[]): Promise<string> {
  const r = await cliAsync(args, envOf(op));
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

// The peering is made headless (each side keeps the other's key: prefer requests can be signed).
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, clockFactor: 20, tls: false, ssh: false });
  for (const op of ["alice", "remi"] as const) {
    homes[op] = tempDir(`bgpals-${op}-`);
    const info = lab.info().routers.find((r) => r.name === op)!;
    await cli(op, ["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user]);
  }
  const offer = JSON.parse(await cli("alice", ["offer", "--router", "home", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--json"])).bundle;
  const answer = JSON.parse(await cli("remi", ["accept", offer, "--router", "home", "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"])).bundle;
  await cli("alice", ["complete", answer, "--router", "home", "--yes", "--json"]);
}, 60_000);
afterAll(async () => lab.stop());

const HINTS = /enter next\s+c copy\s+s save to file\s+g QR code/;

/** Alice's monitor, p, enter: up to the prefer request on screen. */
async function swapUntilRequest(term: TerminalRun): Promise<string> {
  await term.waitFor(/remi\s+alice-remi\s+● up/, 20_000);
  await term.press(KEYS.down, /^› remi\s+alice-remi/m);
  lab.tick();
  await term.press(KEYS.enter, (s) => /isp1\s.*● up\s+established/.test(s) && /isp2\s.*● up\s+established/.test(s) && /2 routes, 1 active/.test(s), 20_000);
  await term.press("p", "swap primary?", 15_000);
  return term.press(KEYS.enter, "Monitor: remi · prefer request", 60_000);
}

/** The request read off the screen, scrolling down with ↓ where it does not fit. */
async function requestOnScreen(term: TerminalRun): Promise<{ text: string; fingerprint: string }> {
  let screen = term.screen();
  const fingerprint = /Fingerprint (\S+):/.exec(screen)?.[1] ?? "";
  const read: string[] = [];
  for (;;) {
    const lines = screen.split("\n");
    const head = lines.findIndex((l) => l.startsWith("Fingerprint "));
    const tail = lines.findIndex((l, i) => i > head && (/^↓ \d+ more lines/.test(l) || /^\d+ characters, /.test(l)));
    expect(head, screen).not.toBe(-1);
    expect(tail, screen).toBeGreaterThan(head);
    // The bundle's lines (the heading may wrap onto a second line: it has spaces, they have none).
    const shown = lines.slice(head + 1, tail).map((l) => l.trim()).filter((l) => /^[A-Za-z0-9_:-]+$/.test(l));
    // What scrolled in: the last line is new, the others were read already.
    if (read.length === 0) read.push(...shown);
    else read.push(shown[shown.length - 1]!);
    if (/^\d+ characters, prefer request for remi/.test(lines[tail]!)) break;
    const before = screen;
    screen = await term.press(KEYS.down, (s) => s !== before);
  }
  return { text: read.join(""), fingerprint };
}

describe.each([
  [80, 24],
  [60, 20],
] as const)("at %i×%i", (cols, rows) => {
  it("the prefer request is shown as text the friend's bgpals prefer takes, with its keys; r shows it again", async () => {
    const term = runInTerminal([], { env: envOf("alice"), cols, rows });
    const shown = await swapUntilRequest(term);
    const lines = shown.split("\n");
    // The keys at the bottom (one row is left empty below), nothing drawn over them.
    expect(shown.replace(/\n/g, " ")).toMatch(HINTS);
    expect(lines.at(-2)).toMatch(/q quit/);
    const request = await requestOnScreen(term);
    expect(request.text).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);

    // g: the QR code where it fits, else the size it needs; esc back to the text, esc to the monitor.
    const qr = await term.press("g", (s) => /QR code needs a terminal of \d+×\d+/.test(s.replace(/\n/g, " ")) || s.includes("█"));
    const code = qrLines(request.text);
    if (code.length + 4 > rows || code[0]!.length > cols) expect(qr.replace(/\n/g, " ")).toContain(`needs a terminal of ${code[0]!.length}×${code.length + 4}`);
    await term.press(KEYS.escape, /\d+ characters, prefer request for remi|↓ \d+ more lines/);
    await term.press(KEYS.escape, /prefer request for remi signed \(r shows it/);
    await term.press("r", "Monitor: remi · prefer request");

    // Remi applies the request exactly as it was read off alice's screen.
    const applied = JSON.parse(await cli("remi", ["prefer", request.text, "--router", "home", "--yes", "--wait", "0", "--json"])) as { ok: boolean; written: boolean; request: string };
    expect(applied).toMatchObject({ ok: true, written: true, request: request.fingerprint });
    term.kill();
  }, 120_000);
});

describe("at 100×50", () => {
  it("g draws the prefer request as the QR code of its text", async () => {
    const term = runInTerminal([], { env: envOf("alice"), cols: 100, rows: 50 });
    await swapUntilRequest(term);
    const request = await requestOnScreen(term);
    const code = qrLines(request.text).map((l) => l.trimEnd());
    // Aligned on the first row with a dark module (the quiet zone's rows are blank).
    const ink = (rows: string[]) => rows.findIndex((l) => /[█▀▄]/.test(l));
    const drawn = (screen: string) => {
      const lines = screen.split("\n").map((l) => l.trimEnd());
      const top = ink(lines) - ink(code);
      return lines.slice(top, top + code.length);
    };
    // A screen read while the terminal is still taking the frame holds part of it: wait for the last row.
    const last = code.filter((l) => l !== "").at(-1)!;
    const screen = await term.press("g", (s) => s.split("\n").some((l) => l.trimEnd() === last));
    expect(drawn(screen)).toEqual(code);
    term.kill();
    await cli("remi", ["prefer", request.text, "--router", "home", "--yes", "--wait", "0", "--json"]);
  }, 120_000);
});
