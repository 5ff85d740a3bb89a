// `npm test`: the type check and the build (scripts/check-and-build.js), then two vitests side by
// side: the tests on real hosts in network namespaces (the "network" project, vitest.config.ts),
// which mostly wait on BIRD's and WireGuard's timers, in workers of their own; and the rest, which
// keep the cores busy. In one vitest they would run one group after the other (vitest runs projects
// with different maxWorkers so), or share its workers and leave one idle for minutes on BIRD.
//
// The rest prints as it runs; the network run's output is kept and printed whole after it, so
// neither is cut into the other. Each vitest checks its own run for leaks (test/global-setup.ts: its
// own temp dir, marker and namespace prefix), so neither takes the other's for one. The exit status
// is 1 if the check, the build or either run failed; the last lines then name what failed in each
// run, with its error, so a CI that keeps only the end still says. Arguments go to both vitests (a
// file filter matching nothing in one of them is no failure).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const args = process.argv.slice(2);
const filtered = args.length > 0 ? ["--passWithNoTests"] : [];
// What each vitest runs now, for a run past its deadline to say where it hangs (test/running-reporter.ts).
const reporters = ["--reporter=default", "--reporter=./test/running-reporter.ts"];
const scratch = mkdtempSync(join(tmpdir(), "bgpals-npm-test-"));

/**
 * How long each vitest may take, in seconds (BGPALS_TEST_DEADLINE_S for both): well past what a
 * slow machine takes (the rest about 5 minutes on 2 cores, the network run under 3), so that a run
 * that hangs fails, saying what still ran, instead of holding CI until its own limit.
 */
const deadlineS = (fallback) => Number(process.env.BGPALS_TEST_DEADLINE_S) || fallback;

/** Processes below `pid`, each a line: pid, state, kernel wait, command (from /proc). */
function processesBelow(pid) {
  const all = [];
  for (const d of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      let wchan = "";
      try {
        wchan = readFileSync(`/proc/${d}/wchan`, "utf8");
      } catch {
        // not readable here
      }
      const command = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 200);
      all.push({ pid: Number(d), ppid: Number(ppid), state, wchan, command });
    } catch {
      // gone meanwhile
    }
  }
  const lines = [];
  const walk = (parent, depth) => {
    for (const p of all.filter((x) => x.ppid === parent)) {
      lines.push(`${"  ".repeat(depth)}${p.pid} ${p.state} ${p.wchan || "-"} ${p.command}`);
      walk(p.pid, depth + 1);
    }
  };
  walk(pid, 1);
  return lines;
}

/**
 * What failed in a run, as the reporter and the leak check wrote it (test/running-reporter.ts), and
 * the deadline's note: lines to print last, where a CI that keeps only the end of the output sees them.
 */
function failures(file, note) {
  let written = "";
  try {
    written = readFileSync(file, "utf8");
  } catch {
    // nothing written: nothing failed that the reporter saw
  }
  const lines = [];
  for (const line of written.split("\n").filter(Boolean)) {
    try {
      const { what, errors } = JSON.parse(line);
      lines.push(`  ${what}`, ...errors.flatMap((e) => e.split("\n").map((l) => `      ${l}`)));
    } catch {
      // A line cut short by a run killed while writing it: the others still say what they say.
      lines.push(`  ${line.slice(0, 200)}`);
    }
  }
  if (note) lines.push(...note.trim().split("\n").map((l) => `  ${l}`));
  return lines;
}

/** What the reporter last wrote: each file, hook and test still running, and for how long. */
function stillRunning(file) {
  try {
    const now = Date.now();
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .map(({ what, since }) => `  ${what} (for ${Math.round((now - since) / 1000)} s)`);
  } catch {
    return ["  (nothing recorded)"];
  }
}

const children = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    // Each vitest has a process group of its own (for the deadline's kill): pass the signal on.
    for (const child of children) kill(child, signal);
    rmSync(scratch, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

function kill(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

/**
 * Runs node with `argv` in a process group of its own; its exit code, and its output when `keep`
 * (else it goes to this terminal). Past `deadline` seconds, the group is killed and the output
 * ends with what still ran and the processes left.
 */
function node(name, argv, keep, deadline) {
  return new Promise((resolve) => {
    const running = join(scratch, `${name}.running`);
    const failed = join(scratch, `${name}.failed`);
    const child = spawn(process.execPath, argv, { cwd: root, detached: true, env: { ...process.env, BGPALS_TEST_RUNNING: running, BGPALS_TEST_FAILED: failed }, stdio: keep ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"] });
    children.add(child);
    let output = "";
    let note = "";
    if (keep) {
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
    }
    const timer = setTimeout(() => {
      note = [
        `\nbgpals: the ${name} tests did not end within ${deadline} s; killed. Still running:`,
        ...stillRunning(running),
        "Their processes (pid, state, kernel wait, command):",
        ...processesBelow(child.pid),
        "",
      ].join("\n");
      // SIGTERM first, to the workers and the commands they run too, then SIGKILL to what is left.
      // No global teardown runs then: network namespaces a netlab test made may be left (ip netns list).
      kill(child, "SIGTERM");
      setTimeout(() => kill(child, "SIGKILL"), 20_000).unref();
    }, deadline * 1000);
    let settled = false;
    const settle = (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: note ? 1 : code, output: output + note, failed: failures(failed, note) });
    };
    child.on("error", (e) => {
      output += `${e.message}\n`;
      settle(1);
    });
    // Its output is read whole at "close"; a process it left that holds the output open must not
    // hold this run: a few seconds after the exit, what was read is what it printed.
    child.on("exit", (code, signal) => {
      const status = code ?? (signal ? 1 : 0);
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle(status);
      }, 5000).unref();
      child.on("close", () => settle(status));
    });
  });
}

const built = await node("build", [fileURLToPath(new URL("check-and-build.js", import.meta.url))], false, 1200);
if (built.code !== 0) {
  process.exitCode = 1;
} else {
  const network = node("network", [vitest, "run", "--project", "network", ...reporters, ...filtered, ...args], true, deadlineS(1200));
  const rest = await node("rest", [vitest, "run", "--project", "isolated", "--project", "shared", ...reporters, ...filtered, ...args], false, deadlineS(2400));
  if (rest.output) process.stdout.write(rest.output);
  process.stdout.write("\nThe tests on real hosts in network namespaces (run beside the above):\n");
  const hosts = await network;
  process.stdout.write(hosts.output.endsWith("\n") ? hosts.output : `${hosts.output}\n`);
  // Vitest's own account is above; this says again, last, what failed.
  for (const [run, name] of [[rest, "the tests (their output is above the network run's)"], [hosts, "the tests on real hosts"]]) {
    if (run.code === 0) continue;
    const what = run.failed.length > 0 ? run.failed : ["  (no test failed: vitest's output above says what did)"];
    process.stderr.write([`bgpals: ${name} failed:`, ...what, ""].join("\n"));
  }
  process.exitCode = rest.code === 0 && hosts.code === 0 ? 0 : 1;
}
rmSync(scratch, { recursive: true, force: true });
