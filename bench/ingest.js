// How fast the monitor's route view takes in a full table, and whether the screen keeps drawing.
//
//   npm run bench:ingest                 (BGPALS_BENCH_ROUTES=1000000 by default)
//
// The lab router runs in a child process (its own core and its own memory, as a real router is its
// own machine), so the peak RSS reported is the ingesting process's alone. That process:
//   (a) reads the whole /ip/route with streamPrint (every attribute, no .proplist: the same bytes
//       as (b)), feeds each batch into a RouteTable, while Ink draws RouteTable at 80x24 into a
//       null terminal (CI unset, so Ink draws every frame; the view redraws on the app's 33 ms
//       frame timer, useTableRevision). Measured: wall time, routes/s, peak RSS (sampled every 10 ms, and
//       the kernel's high-water mark), the longest gap between two frames written while routes
//       came in, and the longest event-loop stall.
//   (b) a second child process reads the same table with node-routeros's RouterOSAPI.write, timed.
// The last line sums it up; targets: >= 10x faster than (b), peak RSS < 1 GB, frame gap <= 100 ms.
import { fork } from "node:child_process";
import { EventEmitter } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { stripVTControlCharacters } from "node:util";

const ROUTES = Number(process.env.BGPALS_BENCH_ROUTES ?? 1_000_000);
const USER = "admin";
const PASSWORD = "bench";
const SIZE = { columns: 80, rows: 24 };
const FRAME_TIMER_MS = 33;

/** The lab router: a store holding `count` BGP routes with the attributes RouterOS 7 prints. */
async function router(count) {
  const { ApiServer } = await import("../dist/lab/protocol/server.js");
  const { ConfigStore, createStoreHandler } = await import("../dist/lab/store/index.js");
  const store = new ConfigStore();
  const started = performance.now();
  store.register({ path: "/ip/route" }).load(bgpRoutes(count));
  const loadMs = performance.now() - started;
  const server = await new ApiServer({
    handler: createStoreHandler(store),
    users: [{ name: USER, password: PASSWORD }],
    tlsPort: null,
  }).start();
  process.send({ port: server.port, loadMs });
}

function* bgpRoutes(count) {
  // Repeated values are shared strings, as a router's own tables would intern them.
  const peers = ["10.255.0.1", "10.255.0.5"].map((gateway, i) => ({
    gateway,
    immediate: `${gateway}%wg-remi-isp${i + 1}`,
    belongsTo: `bgp-IP-${gateway}`,
    localPref: i === 0 ? "200" : "100",
  }));
  const paths = ["64513", "64513,64520", "64513,64513,64513,64520", "64513,65001,65002"];
  for (let i = 0; i < count; i++) {
    const peer = peers[i & 1];
    yield {
      "dst-address": `${10 + ((i >>> 16) & 127)}.${(i >>> 8) & 255}.${i & 255}.0/24`,
      gateway: peer.gateway,
      "immediate-gw": peer.immediate,
      distance: "20",
      scope: "40",
      "target-scope": "10",
      "routing-table": "main",
      "belongs-to": peer.belongsTo,
      "bgp.as-path": paths[i & 3],
      "bgp.local-pref": peer.localPref,
      "bgp.origin": "igp",
      dynamic: "true",
      active: (i & 1) === 0 ? "true" : "false",
      inactive: (i & 1) === 0 ? "false" : "true",
    };
  }
}

/** (b): node-routeros reading the whole table, in a process of its own. */
async function nodeRouterosPrint(port) {
  await import("../dist/routeros/node-routeros-fix.js");
  const { RouterOSAPI } = await import("node-routeros");
  const api = new RouterOSAPI({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeout: 900 });
  api.on("error", (error) => console.error("  node-routeros error:", error.message));
  await api.connect();
  const started = performance.now();
  const items = await api.write("/ip/route/print");
  const seconds = (performance.now() - started) / 1000;
  await api.close();
  process.send({ seconds, routes: items.length });
}

/** Starts this file in a child process in `role`; resolves with its first message. */
function child(role, ...args) {
  const process_ = fork(new URL(import.meta.url), [role, ...args.map(String)], { stdio: "inherit" });
  const message = new Promise((resolve, reject) => {
    process_.once("message", resolve);
    process_.once("error", reject);
    process_.once("exit", (code) => reject(new Error(`${role} exited with ${code} before answering`)));
  });
  return { process: process_, message };
}

/** A terminal that keeps nothing: counts frames and when they were written. */
function nullTerminal() {
  const stdout = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns: SIZE.columns,
    rows: SIZE.rows,
    frames: 0,
    lastFrameAt: 0,
    /** Longest time between two frames while `watching`. */
    longestGap: 0,
    watching: false,
    lastText: "",
    write(chunk) {
      const now = performance.now();
      if (stdout.watching && stdout.lastFrameAt > 0) stdout.longestGap = Math.max(stdout.longestGap, now - stdout.lastFrameAt);
      stdout.lastFrameAt = now;
      stdout.frames++;
      const text = String(chunk);
      if (text.includes("routes,")) stdout.lastText = text;
      return true;
    },
  });
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    setEncoding() {},
    setRawMode() {},
    ref() {},
    unref() {},
    resume() {},
    pause() {},
    read: () => null,
  });
  return { stdout, stdin };
}

async function ingest(port) {
  // Ink decides at import time whether it runs in CI (and then draws only the last frame).
  delete process.env.CI;
  const React = await import("react");
  const { render } = await import("ink");
  const { RouteTable: RouteStore } = await import("../dist/core/route-table.js");
  const { streamPrint, routeUpdatesOf } = await import("../dist/routeros/route-stream.js");
  const { RouteTable } = await import("../dist/ui/components/RouteTable.js");
  const { useRouteTableState } = await import("../dist/ui/hooks/use-route-table-state.js");
  const { useTableRevision } = await import("../dist/ui/hooks/use-table-revision.js");

  const table = new RouteStore();
  function View({ streaming }) {
    const revision = useTableRevision(table, FRAME_TIMER_MS);
    const { state } = useRouteTableState(table, { selected: 5, top: 0, filter: "", editingFilter: false });
    return React.createElement(RouteTable, { table, revision, state, height: SIZE.rows - 2, width: SIZE.columns, streaming });
  }
  const terminal = nullTerminal();
  const app = render(React.createElement(View, { streaming: true }), {
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    stderr: terminal.stdout,
    patchConsole: false,
    exitOnCtrlC: false,
  });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  const stalls = monitorEventLoopDelay({ resolution: 5 });
  let batches = 0;
  terminal.stdout.watching = true;
  stalls.enable();
  const started = performance.now();
  const summary = await streamPrint({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeoutMs: 60_000 }, "/ip/route", {
    onBatch: (batch) => {
      batches++;
      table.upsert(routeUpdatesOf(batch).routes);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  stalls.disable();
  terminal.stdout.watching = false;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  clearInterval(sampler);
  // The last frame, "streaming" gone, with every route counted.
  app.rerender(React.createElement(View, { streaming: false }));
  await new Promise((resolve) => setTimeout(resolve, FRAME_TIMER_MS * 3));
  const lastFrame = terminal.stdout.lastText;
  app.unmount();
  const maxRssKernel = process.resourceUsage().maxRSS * 1024;
  return {
    seconds,
    routes: summary.rows,
    stored: table.size,
    bytes: summary.bytes,
    batches,
    frames: terminal.stdout.frames,
    longestGapMs: terminal.stdout.longestGap,
    longestStallMs: stalls.max / 1e6,
    peakRss: Math.max(peakRss, maxRssKernel),
    lastFrame,
  };
}

async function main() {
  console.log(`ingest: ${ROUTES.toLocaleString("en")} routes in /ip/route, route view at ${SIZE.columns}x${SIZE.rows}`);
  const lab = child("--router", ROUTES);
  const { port, loadMs } = await lab.message;
  console.log(`  router (child process) ready on port ${port} (loading the table took ${(loadMs / 1000).toFixed(1)} s)`);
  try {
    const a = await ingest(port);
    console.log(
      `  (a) streamPrint -> RouteTable, Ink drawing:  ${a.seconds.toFixed(2)} s  ${(a.bytes / 1e6).toFixed(0)} MB  ` +
        `${a.batches} batches  ${a.frames} frames  longest frame gap ${a.longestGapMs.toFixed(0)} ms  ` +
        `longest event-loop stall ${a.longestStallMs.toFixed(0)} ms  peak RSS ${(a.peakRss / 1e6).toFixed(0)} MB`,
    );
    const shown = stripVTControlCharacters(a.lastFrame).split("\n").find((line) => line.includes("routes,"));
    console.log(`  last frame says: ${shown?.trim() ?? "(no counts line)"}`);

    const reader = child("--node-routeros", port);
    const b = await reader.message;
    reader.process.kill();
    console.log(`  (b) node-routeros write('/ip/route/print'):    ${b.seconds.toFixed(2)} s  ${Math.round(b.routes / b.seconds).toLocaleString("en")} routes/s`);

    const mismatch = a.routes !== ROUTES || a.stored !== ROUTES || b.routes !== ROUTES;
    if (mismatch) console.log(`  MISMATCH: expected ${ROUTES} routes, streamed ${a.routes}, stored ${a.stored}, node-routeros ${b.routes}`);
    const ratio = b.seconds / a.seconds;
    const peakMb = a.peakRss / 1e6;
    console.log(
      `  targets: >= 10x faster ${ratio >= 10 ? "met" : "MISSED"}, peak RSS < 1 GB ${peakMb < 1000 ? "met" : "MISSED"}, ` +
        `frame gap <= 100 ms ${a.longestGapMs <= 100 ? "met" : "MISSED"}`,
    );
    console.log(
      `ingest ${a.routes} routes: ${a.seconds.toFixed(2)} s, ${Math.round(a.routes / a.seconds)} routes/s, ` +
        `peak RSS ${peakMb.toFixed(0)} MB, longest frame gap ${a.longestGapMs.toFixed(0)} ms, ` +
        `${ratio.toFixed(1)}x faster than node-routeros print`,
    );
    process.exitCode = mismatch ? 1 : 0;
  } finally {
    lab.process.kill();
  }
}

const [role, arg] = process.argv.slice(2);
if (role === "--router") await router(Number(arg));
else if (role === "--node-routeros") await nodeRouterosPrint(Number(arg));
else await main();
