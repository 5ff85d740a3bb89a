// Text captures of every screen at 80×24 for docs/screens.md (run after `npm run build`):
//   node scripts/capture-screens.js            writes them between the markers in docs/screens.md
//   node scripts/capture-screens.js --print    prints them instead
// It runs `bgpals demo` in a pseudo-terminal read by a headless xterm, as a person would see it,
// and walks a whole peering through the screens: alice offers, remi accepts, alice completes,
// then the monitor, the bundles kept, removal and an error.
import { spawn } from "@lydell/node-pty";
import xterm from "@xterm/headless";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const COLS = 80;
const ROWS = 24;
const BIN = fileURLToPath(new URL("../bin/bgpals.js", import.meta.url));
const DOC = fileURLToPath(new URL("../docs/screens.md", import.meta.url));
const START = "<!-- screens:start -->";
const END = "<!-- screens:end -->";

const KEYS = { enter: "\r", escape: "\u001B", down: "\u001B[B", space: " ", ctrlO: "\u000F", ctrlU: "\u0015", ctrlV: "\u0016", tab: "\t" };

const home = mkdtempSync(join(tmpdir(), "bgpals-capture-"));
const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
const pty = spawn(process.execPath, [BIN, "demo"], {
  name: "xterm-256color",
  cols: COLS,
  rows: ROWS,
  cwd: process.cwd(),
  // Ink draws every frame only when CI is not set; the config home is a temporary one (the demo
  // touches nothing outside its own temporary directory anyway).
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TERM: "xterm-256color", TMPDIR: tmpdir(), BGPALS_HOME: home, CI: "false" },
});
let pending = Promise.resolve();
pty.onData((data) => {
  pending = pending.then(() => new Promise((resolve) => term.write(data, resolve)));
});
let running = true;
const exited = new Promise((resolve) =>
  pty.onExit(({ exitCode }) => {
    running = false;
    resolve(exitCode);
  }),
);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function screen() {
  const buffer = term.buffer.active;
  const lines = [];
  for (let i = 0; i < term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? "");
  return lines.join("\n");
}

const matches = (want, s) => (typeof want === "string" ? s.includes(want) : want instanceof RegExp ? want.test(s) : want(s));

/** Waits until the screen shows `want`, then until it has been still for a moment (keys typed earlier may be lost). */
async function waitFor(want, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await pending;
    const s = screen();
    if (matches(want, s)) break;
    if (!running) throw new Error(`bgpals ended while waiting for ${String(want)}; the screen shows:\n${s}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(want)}; the screen shows:\n${s}`);
    await sleep(25);
  }
  return settled();
}

/** The screen once nothing changed on it for 300 ms (a spinner never settles: 3 s at most). */
async function settled() {
  let last = screen();
  let still = Date.now();
  const deadline = Date.now() + 3000;
  while (Date.now() - still < 300 && Date.now() < deadline) {
    await sleep(25);
    await pending;
    const s = screen();
    if (s !== last) {
      last = s;
      still = Date.now();
    }
  }
  return last;
}

async function press(keys, until, timeoutMs) {
  pty.write(keys);
  return waitFor(until, timeoutMs);
}

async function type(text) {
  pty.write(text);
  return waitFor((s) => s.includes(text.slice(-30)));
}

const captures = [];
/** Keeps the screen as it is now under `heading` (a screen's title first: the test checks every screen has one). */
function capture(heading, note) {
  captures.push({ heading, note, text: screen() });
}

async function walk() {
  await waitFor((s) => s.includes("alice (RouterOS 7.24)'s terminal") && /Routers \(1\)/.test(s) && /● ok/.test(s), 60_000);
  capture("Home: the first start, your router looked at", "A new Home: one router, no friends yet. The badges say `… checking` until the first look answers.");
  await press("?", "Help: Home");
  capture("Help: the keys of the screen you came from");
  await press(KEYS.escape, "bgpals · Home");

  // A router, as discovery finds it.
  await press(KEYS.enter, /bgpals · Router/);
  await waitFor(/WAN|LAN/);
  capture("Router: what discovery finds");
  await press(KEYS.escape, "bgpals · Home");

  // Add router, each step that looks different; remi's lab router is the one added (its address is on remi's Home).
  await press(KEYS.ctrlO, "remi (RouterOS 7.19.6)'s terminal");
  const remiAddress = /admin@(127\.0\.0\.1:\d+)/.exec(await waitFor(/admin@127\.0\.0\.1:\d+/))[1];
  await press(KEYS.ctrlO, "alice (RouterOS 7.24)'s terminal");
  await press("r", "router name:");
  await type("remi-box");
  capture("Add router: a text field (the name)");
  await press(KEYS.enter, "address:");
  await type(remiAddress);
  await press(KEYS.enter, "API-SSL");
  await press(KEYS.down, /› API\s/);
  capture("Add router: a choice (API-SSL or API)");
  await press(KEYS.enter, "user:");
  await press(KEYS.enter, "password:");
  capture("Add router: the password (never shown)");
  pty.write("remi-lab");
  await sleep(200);
  await press(KEYS.enter, /Save remi-box/);
  capture("Add router: what bgpals found, save or not");
  await press(KEYS.down, /› Cancel/);
  await press(KEYS.enter, "bgpals · Home");

  // New peering (operator A): each step, a field's refusal, the offer.
  await press("n", "friend's name:");
  await type("remi");
  capture("New peering: the friend's name", "The router step is skipped with one router, and the name step once you have an identity.");
  await press(KEYS.enter, "› WireGuard");
  capture("New peering: the tunnel kind");
  await press(KEYS.enter, "[ ] vlan832-orange-internet");
  await press(KEYS.space, "[x] vlan832-orange-internet");
  await press(KEYS.down, "› [ ] sfp-wan-sfr");
  await press(KEYS.space, "[x] sfp-wan-sfr");
  capture("New peering: the WANs, one tunnel each");
  await press(KEYS.enter, "› isp1");
  capture("New peering: the primary link");
  await press(KEYS.enter, "your ASN:");
  capture("New peering: the ASN, suggested and checked");
  await press(KEYS.enter, "networks to announce:");
  await press(KEYS.ctrlU, /networks to announce: *$/m);
  await type("0.0.0.0/0");
  await press(KEYS.enter, /0\.0\.0\.0\/0.*\n\s+\S/);
  capture("New peering: a field's refusal, on the field, with what would do");
  await press(KEYS.ctrlU, /networks to announce: *$/m);
  await type("192.168.0.0/24");
  await press(KEYS.enter, "› No read-only account");
  capture("New peering: a read-only account for the friend's monitor");
  await press(KEYS.enter, /Fingerprint \S+: read it to remi/, 60_000);
  capture("New peering: the offer to send, and its fingerprint");
  await press("g", (s) => s.includes("QR code needs") || s.includes("█"));
  capture("New peering: the offer's QR code (g), where the terminal is large enough");
  await press(KEYS.escape, /Fingerprint \S+: read it to remi/);
  await press("c", "copied");

  // Accept offer (operator B) on remi's terminal: paste, review, WANs, plan review, the answer.
  await press(KEYS.ctrlO, "remi (RouterOS 7.19.6)'s terminal");
  await press("a", /your name:|offer:/);
  if (screen().includes("your name:")) {
    await type("remi");
    capture("Accept offer: your name, the first time");
    await press(KEYS.enter, "offer:");
  }
  capture("Accept offer: paste the offer");
  await press(KEYS.ctrlV, /offer: \S/);
  await press(KEYS.enter, "Offer from alice", 30_000);
  capture("Accept offer: who sent it, and the fingerprint to compare");
  await press(KEYS.enter, "Link isp1");
  capture("Accept offer: a WAN for each link");
  await press(KEYS.enter, (s) => s.includes("Link isp2") && s.includes("› pppoe-out2"));
  await press(KEYS.enter, "your ASN:");
  await press(KEYS.ctrlU, /your ASN: *$/m);
  await type("64513");
  await press(KEYS.enter, "networks to announce:");
  capture("Accept offer: the networks you announce");
  await press(KEYS.enter, "› No read-only account");
  await press(KEYS.enter, /\d+ changes on home|\d+ changes on remi/, 60_000);
  capture("Accept offer: plan review, the exact changes", "`+` add, `~` set, `-` remove, grouped by menu with the reason of each; `e` saves them as an .rsc script.");
  await press("a", /Fingerprint \S+: read it to alice/, 60_000);
  capture("Accept offer: applied, the answer to send back");
  await press("c", "copied");
  await press(KEYS.enter, "is applied");
  capture("Accept offer: done");
  await press(KEYS.enter, "Friends (1)");

  // Complete (operator A) on alice's terminal.
  await press(KEYS.ctrlO, "alice (RouterOS 7.24)'s terminal");
  await press(KEYS.enter, /waiting for remi's answer|bgpals · Home/);
  if (!screen().includes("bgpals · Home")) await press(KEYS.enter, "bgpals · Home");
  await press("c", "answer:");
  capture("Complete peering: paste the answer");
  await press(KEYS.ctrlV, /answer: \S/);
  await press(KEYS.enter, "Answer from remi", 30_000);
  capture("Complete peering: who answered, and the fingerprint");
  await press(KEYS.enter, /\d+ changes on/, 60_000);
  capture("Complete peering: plan review");
  await press("a", "is complete", 60_000);
  capture("Complete peering: done");
  await press(KEYS.enter, "Friends (1)");

  // The monitor: links, routes, why, the swap and the prefer request.
  await press(KEYS.down, /^› remi\s/m);
  await press(KEYS.enter, (s) => /isp1\s+primary\s*● up\s+established/.test(s) && /isp2\s+backup\s*● up\s+established/.test(s) && /2 routes, 1 active/.test(s), 90_000);
  capture("Monitor: links, the friend's prefixes, events");
  await press("w", "Why 192.168.42.0/24?", 30_000);
  capture("Monitor: why a prefix is there (w)");
  await press(KEYS.escape, "2 routes, 1 active");
  await press("p", "swap primary?", 30_000);
  capture("Monitor: swap the primary ISP (p), predicted first");
  await press(KEYS.enter, "prefer request", 90_000);
  capture("Monitor: the prefer request for the friend, after the swap");
  await press(KEYS.escape, /r shows it/);
  capture("Monitor: after the swap, the move observed");
  await press(KEYS.escape, "bgpals · Home");

  // A bundle kept in the outbox, opened from Home.
  await press(KEYS.down, /^› remi\s+offer/m);
  await press(KEYS.enter, "bgpals · Bundle");
  capture("Bundle: an offer you sent, opened from Home");
  await press(KEYS.escape, "bgpals · Home");

  // Remove peering: the plan of exactly its tagged objects (not applied here).
  await press("k", /^› remi\s+alice-remi/m);
  await press("x", /\d+ changes on|Remove peering/, 60_000);
  await waitFor(/\d+ changes on/, 60_000);
  capture("Remove peering: the plan, exactly the peering's tagged objects");
  while (!screen().includes("bgpals · Home")) await press(KEYS.escape, (s) => s.includes("bgpals · Home") || true);

  // An error where it happens: x with a router selected.
  await press("k", /^› alice\s/m);
  await press("x", "Select a friend first");
  capture("Home: an error, with what to do");
  await press(KEYS.escape, (s) => !s.includes("Select a friend first"));
}

async function main() {
  try {
    await walk();
  } finally {
    if (running) pty.kill("SIGHUP");
    await Promise.race([exited, sleep(3000)]);
    if (running) pty.kill("SIGKILL");
    term.dispose();
    rmSync(home, { recursive: true, force: true });
  }
  const section = captures.map((c) => `### ${c.heading}\n\n${c.note ? `${c.note}\n\n` : ""}\`\`\`text\n${c.text.replace(/\s+$/, "")}\n\`\`\`\n`).join("\n");
  if (process.argv.includes("--print")) {
    process.stdout.write(section);
    return;
  }
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} has no ${START} … ${END} markers`);
  writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n\n${section}\n${doc.slice(end)}`);
  process.stdout.write(`wrote ${captures.length} captures into ${DOC}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
