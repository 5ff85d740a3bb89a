// Runs every benchmark in turn (after `npm run build`), each printing its own figures.
// BGPALS_BENCH_ROUTES sets table sizes (default 1,000,000); BGPALS_BENCH_RUNS the startup runs (15).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const benches = ["lab-print.js", "apply-pipeline.js", "plan.js", "ingest.js", "monitor.js", "monitor-core.js", "frames.js", "startup.js"];
let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(bench, import.meta.url))], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
