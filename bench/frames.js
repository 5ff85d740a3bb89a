// What one frame of the monitor's route view costs Ink: the real RouteTable component drawn by
// Ink (React's production build, as the app runs) into a terminal that only counts writes. In a
// fresh process per run, as the monitor meets it: the spinner's frames while it waits for the router,
// then the first frame that shows routes (code paths not run before: their first time), then
// frames with the selection moving down a page of routes (warm).
//
//   npm run build && node bench/frames.js        (BGPALS_BENCH_RUNS=7 by default)
//
// Prints per terminal size the median over the runs of the first routes frame and of the warm
// frames (from the re-render to Ink's write; CPU time of the process, GC helpers included, and wall
// time), and their ratio: how much more the first frame costs than the ones after it. A figure to
// compare builds by (docs/benchmarks.md, "The first frame with routes").
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";

const RUNS = Math.max(1, Number(process.env.BGPALS_BENCH_RUNS ?? 7) || 7);
const SIZES = [
  [80, 24],
  [120, 40],
];
const WARM_FRAMES = 20;

async function child(columns, rows) {
  const React = (await import("react")).default;
  const { render } = await import("ink");
  const { RouteTable: Store } = await import("../dist/core/route-table.js");
  const { RouteTable } = await import("../dist/ui/components/RouteTable.js");
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const terminal = new PassThrough();
  Object.assign(terminal, { columns, rows, isTTY: true });
  let written = null;
  terminal.write = () => ((written ??= performance.now()), true);
  const table = new Store();
  const height = rows - 6; // the monitor's links, title and key hints take the rest
  let state = { selected: 0, top: 0, filter: "", applied: "", editingFilter: false, filterError: null };
  let revision = 0;
  const view = () => React.createElement(RouteTable, { table, revision, state, height, width: columns, streaming: true });
  // maxFps high: a frame is drawn when asked, so the time measured is the frame's and not Ink's wait.
  const ink = render(view(), { stdout: terminal, stdin: new PassThrough(), maxFps: 1000, patchConsole: false, exitOnCtrlC: false });
  await sleep(500); // the spinner's frames, as while the router has not answered
  table.upsert(
    Array.from({ length: 4096 }, (_, i) => ({
      id: `*${(i + 1).toString(16)}`,
      prefix: `10.${200 + (i >> 8)}.${i & 255}.0/24`,
      gateway: i % 2 ? "10.255.0.5" : "10.255.0.1",
      active: i % 2 === 0,
      localPref: i % 2 ? 100 : 200,
      asPath: i % 2 ? "64513,64513,64513,64520" : "64513,64520",
      link: i % 2 ? "isp2" : "isp1",
    })),
  );
  const frame = async () => {
    revision++;
    written = null;
    const cpu = process.cpuUsage();
    const started = performance.now();
    ink.rerender(view());
    while (written === null) await sleep(1);
    const used = process.cpuUsage(cpu);
    return { cpuMs: (used.user + used.system) / 1000, wallMs: written - started };
  };
  const first = await frame();
  const warm = [];
  for (let i = 1; i <= WARM_FRAMES; i++) {
    await sleep(40);
    state = { ...state, selected: i };
    warm.push(await frame());
  }
  ink.unmount();
  process.stdout.write(JSON.stringify({ first, warm }) + "\n");
  process.exit(0);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

function main() {
  spawnSync("uptime", { stdio: "inherit" });
  const runs = new Map(SIZES.map(([c, r]) => [`${c}x${r}`, []]));
  // Sizes alternate run by run, so the machine's load weighs on both alike.
  for (let run = 0; run < RUNS; run++) {
    for (const [columns, rows] of SIZES) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "child", String(columns), String(rows)], {
        encoding: "utf8",
        env: { ...process.env, NODE_ENV: "production" },
      });
      if (r.status !== 0) throw new Error(`the frame run failed: ${r.stderr}`);
      runs.get(`${columns}x${rows}`).push(JSON.parse(r.stdout.trim().split("\n").at(-1)));
    }
  }
  for (const [size, results] of runs) {
    const firstCpu = median(results.map((x) => x.first.cpuMs));
    const firstWall = median(results.map((x) => x.first.wallMs));
    const warmCpu = median(results.map((x) => median(x.warm.map((f) => f.cpuMs))));
    const warmWall = median(results.map((x) => median(x.warm.map((f) => f.wallMs))));
    console.log(
      `route view ${size}: first frame with routes ${firstCpu.toFixed(1)} ms CPU (${firstWall.toFixed(1)} ms wall), ` +
        `warm frames ${warmCpu.toFixed(1)} ms CPU (${warmWall.toFixed(1)} ms wall), first / warm ${(firstCpu / warmCpu).toFixed(1)}x (medians of ${RUNS} runs)`,
    );
  }
}

if (process.argv[2] === "child") await child(Number(process.argv[3]), Number(process.argv[4]));
else main();
