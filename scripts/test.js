// `npm test`: the type check and the build (scripts/check-and-build.js), then two vitests side by
// side: the tests on real hosts in network namespaces (the "network" project, vitest.config.ts),
// which mostly wait on BIRD's and WireGuard's timers, in workers of their own; and the rest, which
// keep the cores busy. In one vitest they would run one group after the other (vitest runs projects
// with different maxWorkers so), or share its workers and leave one idle for minutes on BIRD.
//
// The rest prints as it runs; the network run's output is kept and printed whole after it, so
// neither is cut into the other. Each vitest checks its own run for leaks (test/global-setup.ts: its
// own temp dir, marker and namespace prefix), so neither takes the other's for one. The exit status
// is 1 if the check, the build or either run failed. Arguments go to both vitests (a file filter
// matching nothing in one of them is no failure).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const args = process.argv.slice(2);
const filtered = args.length > 0 ? ["--passWithNoTests"] : [];

/** Runs node with `argv`; its exit code, and its output when `keep` (else it goes to this terminal). */
function node(argv, keep) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: keep ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    if (keep) {
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
    }
    child.on("error", (e) => resolve({ code: 1, output: `${output}${e.message}\n` }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const built = await node([fileURLToPath(new URL("check-and-build.js", import.meta.url))], false);
if (built.code !== 0) {
  process.exitCode = 1;
} else {
  const network = node([vitest, "run", "--project", "network", ...filtered, ...args], true);
  const rest = await node([vitest, "run", "--project", "isolated", "--project", "shared", ...filtered, ...args], false);
  process.stdout.write("\nThe tests on real hosts in network namespaces (run beside the above):\n");
  const { code, output } = await network;
  process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
  if (rest.code !== 0) process.stderr.write("bgpals: the tests failed (above the network run's output)\n");
  if (code !== 0) process.stderr.write("bgpals: the tests on real hosts failed\n");
  process.exitCode = rest.code === 0 && code === 0 ? 0 : 1;
}
