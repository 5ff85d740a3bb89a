// The monitor's own work on its main thread while a table streams in, without the router, the
// decoder or Ink: a million routes in batches of 4,096 into a RouteTable (a turn of the event loop
// each), best paths noted and told for the second half (as when a pause in the stream made the
// feed think the table was in, and every route after is news), and a frame every 33 ms that reads
// the view as the route view does, with a filter typed every tenth frame (the monitor's FILTER_SLICE
// and BEST_PATHS_PER_TURN). What bench:monitor's frame gaps and loop delays mix with the router's
// pace and the machine's load, this measures alone, in CPU time as well as wall time.
//
//   npm run build && node bench/monitor-core.js
//
// BGPALS_BENCH_CORE_DIRS: the dist/core directories of builds to run one after the other,
// alternating, each with its own settings (default this build's dist/core; another: `git archive`
// of a commit, node_modules linked, `npx tsc -p tsconfig.build.json --noCheck`); BGPALS_BENCH_CORE_RUNS rounds (3).
// Each run is a child process of its own, so one's heap does not weigh on the next.
// Prints, per run: the largest event-loop delay and garbage collection, the worst batch and frame in
// CPU time (the process's, GC helpers included) and in wall time, the heap after, the total CPU.
// Target: no batch or frame over 50 ms of CPU, the loop delayed under 50 ms on a quiet machine.
import { fork } from "node:child_process";
import { spawnSync } from "node:child_process";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROUTES = 1_000_000;
const BATCH = 4096;
const FRAME_MS = 33;

async function run(dir) {
  const { RouteTable } = await import(pathToFileURL(`${dir}/route-table.js`).href);
  const { BestPaths } = await import(pathToFileURL(`${dir}/best-paths.js`).href);
  // The build's own settings, from its dist/ (ui/frames.js, flows/watch.js beside core/).
  const { FILTER_SLICE } = await import(pathToFileURL(`${dir}/../ui/frames.js`).href);
  const { BEST_PATHS_PER_TURN } = await import(pathToFileURL(`${dir}/../flows/watch.js`).href);
  const table = new RouteTable({ filterSlice: Number(process.env.BGPALS_BENCH_FILTER_SLICE ?? FILTER_SLICE) });
  const best = new BestPaths(table);
  table.reserve(ROUTES);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration);
  }).observe({ entryTypes: ["gc"] });
  const cpuMs = (since) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  // Prefixes, gateways, links and an AS path filter; some match the interned fields, some only prefixes.
  const filters = ["1", "10.2", "", "64520", "^1[2-4]\\.", ""];
  const worst = { batchCpu: 0, batchWall: 0, frameCpu: 0, frameWall: 0 };
  let frame = 0;
  const frames = setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    if (++frame % 10 === 0) table.setFilter(filters[(frame / 10) % filters.length]);
    table.counts();
    table.window(0, 36);
    void table.filtering;
    worst.frameCpu = Math.max(worst.frameCpu, cpuMs(cpu));
    worst.frameWall = Math.max(worst.frameWall, performance.now() - wall);
  }, FRAME_MS);
  const started = performance.now();
  let batch = [];
  for (let i = 0; i < ROUTES; i++) {
    batch.push({
      id: `*${(i + 1).toString(16).toUpperCase()}`,
      prefix: `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`,
      gateway: i % 2 ? "10.255.0.1" : "10.255.0.5",
      active: i % 2 === 0,
      localPref: 200,
      asPath: "64513,64520",
      link: i % 2 ? "isp1" : "isp2",
    });
    if (batch.length < BATCH && i < ROUTES - 1) continue;
    const wall = performance.now();
    const cpu = process.cpuUsage();
    if (i >= ROUTES / 2) best.note(batch, []);
    table.upsert(batch);
    if (best.pending > 0) best.changes(BEST_PATHS_PER_TURN);
    worst.batchCpu = Math.max(worst.batchCpu, cpuMs(cpu));
    worst.batchWall = Math.max(worst.batchWall, performance.now() - wall);
    batch = [];
    await new Promise((resolve) => setImmediate(resolve));
  }
  clearInterval(frames);
  return { seconds: (performance.now() - started) / 1000, delayMs: delay.max / 1e6, gcMs, ...worst, heapMb: process.memoryUsage().heapUsed / 1e6, cpuS: cpuMs() / 1000 };
}

if (process.argv[2] === "--run") {
  process.send(await run(process.argv[3]));
  process.exit(0);
}

const dirs = (process.env.BGPALS_BENCH_CORE_DIRS ?? fileURLToPath(new URL("../dist/core", import.meta.url))).split(",");
const rounds = Number(process.env.BGPALS_BENCH_CORE_RUNS ?? 3);
spawnSync("uptime", { stdio: "inherit" });
for (let round = 0; round < rounds; round++) {
  for (const dir of dirs) {
    const child = fork(fileURLToPath(import.meta.url), ["--run", dir]);
    const r = await new Promise((resolve, reject) => (child.once("message", resolve), child.once("error", reject)));
    console.log(
      `${dir}: ${r.seconds.toFixed(1)} s, loop delayed at most ${r.delayMs.toFixed(0)} ms, longest GC ${r.gcMs.toFixed(0)} ms; ` +
        `worst batch ${r.batchCpu.toFixed(0)} ms CPU (${r.batchWall.toFixed(0)} ms wall), worst frame ${r.frameCpu.toFixed(0)} ms CPU (${r.frameWall.toFixed(0)} ms wall); ` +
        `heap after ${r.heapMb.toFixed(0)} MB, CPU ${r.cpuS.toFixed(2)} s; target (no batch or frame over 50 ms CPU) ${Math.max(r.batchCpu, r.frameCpu) < 50 ? "met" : "MISSED"}`,
    );
  }
}
spawnSync("uptime", { stdio: "inherit" });
