// Time to first frame: `bgpals --help` and `bgpals demo`, each against `node -e 0` in the same run.
//
//   npm run build && node bench/startup.js          (BGPALS_BENCH_RUNS=15 by default)
//
// The runs are interleaved (node -e 0, --help, demo, node -e 0, ...) so a noisy machine weighs on
// all of them alike. Timed from just before the spawn:
//   node -e 0          until the process exits
//   --help             until it exits (stdout piped)
//   demo first frame   until the screen of a pseudo-terminal first shows text (the demo's banner)
//   demo Home          until the lab is up and Home is shown ("Routers (1)")
// Targets: the demo's first frame under 1000 ms; --help within twice node -e 0. Only figures are
// reported: the exit code is 0 unless something crashed. BGPALS_HOME is always a temporary
// directory (each demo run its own), so nothing real is touched.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pty from "@lydell/node-pty";
import xterm from "@xterm/headless";

const RUNS = Math.max(1, Number(process.env.BGPALS_BENCH_RUNS ?? 15) || 15);
const BIN = fileURLToPath(new URL("../bin/bgpals.js", import.meta.url));
const TIMEOUT_MS = 30_000;
const COLS = 120;
const ROWS = 40;

function tempHome() {
  return mkdtempSync(join(tmpdir(), "bgpals-bench-startup-"));
}

function baseEnv(home) {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", BGPALS_HOME: home, LANG: process.env.LANG ?? "C.UTF-8" };
}

/** Milliseconds from spawn to exit; throws if the process fails. */
function timeToExit(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    // "exit", not "close": the time the process ends, not when this side has read every byte.
    child.on("exit", (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(" ")} exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

/**
 * `bgpals demo` in a pseudo-terminal, its output fed to a headless xterm. Each chunk is stamped
 * when it arrives; once the terminal has drawn it, the screen is checked, so the times are those of
 * the bytes reaching the terminal, not of this side parsing them.
 */
function demoRun() {
  return new Promise((resolve, reject) => {
    const home = tempHome();
    const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
    const started = performance.now();
    const child = pty.spawn(process.execPath, [BIN, "demo"], {
      name: "xterm-256color",
      cols: COLS,
      rows: ROWS,
      cwd: process.cwd(),
      // Ink draws every frame only when CI is not set.
      env: { ...baseEnv(home), TERM: "xterm-256color", CI: "false" },
    });
    let firstFrame = null;
    let home_ = null;
    let done = false;
    let output = "";
    const screen = () => {
      const buffer = term.buffer.active;
      const lines = [];
      for (let i = 0; i < term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? "");
      return lines.join("\n");
    };
    const finish = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // ctrl+c quits the demo (which then stops its lab and removes its temporary directory); q
      // a moment later if it did not; the kill only if it lingers.
      const again = setTimeout(() => {
        try {
          child.write("q");
        } catch {}
      }, 1_000);
      const killer = setTimeout(() => {
        try {
          child.kill();
        } catch {}
      }, 5_000);
      const exited = new Promise((r) => child.onExit(() => r()));
      try {
        child.write("\u0003");
      } catch {}
      exited.then(() => {
        clearTimeout(again);
        clearTimeout(killer);
        term.dispose();
        rmSync(home, { recursive: true, force: true });
        if (error) reject(error);
        else resolve({ firstFrame, home: home_ });
      });
    };
    const timer = setTimeout(() => finish(new Error(`the demo showed no Home within ${TIMEOUT_MS} ms; the screen shows:\n${screen()}`)), TIMEOUT_MS);
    child.onData((data) => {
      const at = performance.now() - started;
      output += data;
      term.write(data, () => {
        if (done) return;
        const s = screen();
        if (firstFrame === null && /\S/.test(s)) firstFrame = at;
        if (home_ === null && s.includes("Routers (1)")) {
          home_ = at;
          finish();
        }
      });
    });
    child.onExit(({ exitCode }) => {
      if (!done) finish(new Error(`the demo exited (${exitCode}) before Home was shown; it printed:\n${output}`));
    });
  });
}

function quantile(sorted, q) {
  // Nearest rank: p90 of 15 runs is the 14th.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), min: sorted[0], max: sorted.at(-1) };
}

async function main() {
  const times = { node: [], help: [], first: [], home: [] };
  const helpHome = tempHome();
  try {
    // One unmeasured round warms the file cache (and Node's compile cache, if the launcher enables it).
    await timeToExit(["-e", "0"], baseEnv(helpHome));
    await timeToExit([BIN, "--help"], baseEnv(helpHome));
    await demoRun();
    for (let i = 0; i < RUNS; i++) {
      times.node.push(await timeToExit(["-e", "0"], baseEnv(helpHome)));
      times.help.push(await timeToExit([BIN, "--help"], baseEnv(helpHome)));
      const demo = await demoRun();
      times.first.push(demo.firstFrame);
      times.home.push(demo.home);
      process.stderr.write(".");
    }
    process.stderr.write("\n");
  } finally {
    rmSync(helpHome, { recursive: true, force: true });
  }

  const s = { node: stats(times.node), help: stats(times.help), first: stats(times.first), home: stats(times.home) };
  console.log(`startup: ${RUNS} interleaved runs each (node ${process.version}), ms from spawn`);
  console.log(`  ${"".padEnd(30)} ${"median".padStart(7)} ${"p90".padStart(7)} ${"min".padStart(7)} ${"max".padStart(7)}`);
  const row = (label, x) => console.log(`  ${label.padEnd(30)} ${[x.median, x.p90, x.min, x.max].map((n) => n.toFixed(0).padStart(7)).join(" ")}`);
  row("node -e 0, to exit", s.node);
  row("bgpals --help, to exit", s.help);
  row("bgpals demo, first frame", s.first);
  row("bgpals demo, lab up and Home", s.home);
  const helpRatio = s.help.median / s.node.median;
  const firstRatio = s.first.median / s.node.median;
  console.log(`  ratio: --help takes ${helpRatio.toFixed(2)}x node -e 0 (target <= 2x: ${helpRatio <= 2 ? "met" : "NOT met"})`);
  console.log(`  ratio: the demo's first frame takes ${firstRatio.toFixed(1)}x node -e 0`);
  console.log(`  the demo's first frame in ${s.first.median.toFixed(0)} ms (p90 ${s.first.p90.toFixed(0)} ms) (target < 1000 ms: ${s.first.median < 1000 ? "met" : "NOT met"})`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
