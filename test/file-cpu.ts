// BGPALS_TEST_CPU=<file>: each test file's CPU seconds, a line per file appended to it (the suite's
// figures in docs/benchmarks.md are measured so). Its worker's and every child's it waited for
// (Linux counts a child's CPU, and its children's, into its parent's once it is reaped), from before
// the file's imports to after its own hooks: what the file costs the machine, whatever else runs beside it.
// Daemons a test starts (sshd, BIRD in a netlab namespace) are not its children and are not counted.
import { appendFileSync, readFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";

const log = process.env.BGPALS_TEST_CPU;

/** user + system of this process and its reaped children, in seconds (/proc/self/stat, 100 ticks a second). */
function cpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // After "pid (comm) ": state is field 3; utime, stime, cutime, cstime are fields 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

if (log !== undefined && log !== "") {
  // Setup files run again before each test file (shared workers too): from here, the file's imports count.
  const start = cpuSeconds();
  let file = "";
  beforeAll(({}, suite) => {
    file = suite.file.filepath;
  });
  afterAll(() => {
    appendFileSync(log, `${(cpuSeconds() - start).toFixed(2)} ${file}\n`);
  });
}
