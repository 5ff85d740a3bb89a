// How fast the monitor's route view takes in a full table, and whether the screen keeps drawing.
//
//   npm run bench:ingest                 (BGPALS_BENCH_SIZES=10000,100000,1000000 by default;
//                                         BGPALS_BENCH_ROUTES=N runs one size)
//
// Like for like: each bgpals reader is compared with node-routeros reading the same attributes
// (the same `.proplist`, or none on both sides), at each size, with each reader's peak RSS.
//
// The lab router runs in a child process (its own core and its own memory, as a real router is its
// own machine) and serves two prints that are thrown away before any reader (its JIT warm, the
// garbage of loading the table collected). Each reader below runs in a fresh child process of its
// own, one after the other, so each starts cold and the peak RSS reported is that reader's alone:
//   (a)  the monitor's real path: streamPrint with `.proplist` = routeProplist({ dottedRouteAttributes: true }) (only the
//        attributes the view shows, so the router sends about half the bytes), each batch through
//        routeUpdatesOf into a RouteTable, while Ink draws RouteTable at 80x24 into a null terminal
//        (CI unset, so Ink draws every frame; the app's frame timer and Ink settings, src/ui/frames.ts).
//   (a') the same without `.proplist`: every attribute, the very bytes (b) reads.
//   (b)  node-routeros's RouterOSAPI.write('/ip/route/print'), no `.proplist`: the plain print, (a')'s match.
//   (b') node-routeros with the same `.proplist` as (a): (a)'s match.
// Measured for (a) and (a'): wall time, routes/s, peak RSS (sampled every 10 ms, and the kernel's
// high-water mark), the longest gap between two frames written while routes came in (counted from
// the frame drawn before the print started), and the longest event-loop stall; for (b) wall time.
// (a) is compared with (b') and (a') with (b); the last line per size sums up (a) against (b').
// Targets: >= 10x faster than node-routeros like for like, peak RSS < 1 GB, frame gap <= 100 ms.
import { fork } from "node:child_process";
import { EventEmitter } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { stripVTControlCharacters } from "node:util";

const SIZES = (process.env.BGPALS_BENCH_ROUTES ?? process.env.BGPALS_BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
let ROUTES = SIZES[0];
const USER = "admin";
const PASSWORD = "bench";
const SIZE = { columns: 80, rows: 24 };

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

/** (b) or (b'): node-routeros reading the table (every attribute, or `proplist`), in a process of its own. */
async function nodeRouterosPrint(port, proplist) {
  await import("../dist/platforms/routeros/api/node-routeros-fix.js");
  const { RouterOSAPI } = await import("node-routeros");
  const api = new RouterOSAPI({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeout: 900 });
  api.on("error", (error) => console.error("  node-routeros error:", error.message));
  await api.connect();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const started = performance.now();
  const items = await api.write("/ip/route/print", proplist ? [`=.proplist=${proplist.join(",")}`] : []);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await api.close();
  process.send({ seconds, routes: items.length, peakRss: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) });
}

/** Starts this file in a child process in `role`; resolves with its first message. */
function child(role, ...args) {
  const process_ = fork(new URL(import.meta.url), [role, ...args.map(String)], { stdio: ["inherit", "inherit", "pipe", "ipc"] });
  // Ink shows the cursor again when its process ends: that is not worth passing on.
  process_.stderr.on("data", (text) => process.stderr.write(String(text).replaceAll("\x1b[?25h", "")));
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

/** (a) or (a'): streamPrint into a RouteTable while Ink draws it; sends the figures to the parent. */
async function ingest(port, withProplist) {
  // Ink decides at import time whether it runs in CI (and then draws only the last frame); React
  // which build it runs: the production one, as the launcher (bin/bgpals.js) sets.
  delete process.env.CI;
  process.env.NODE_ENV ??= "production";
  const React = await import("react");
  const { render } = await import("ink");
  const { FRAME_MS: FRAME_TIMER_MS, INK_MAX_FPS } = await import("../dist/ui/frames.js");
  const { RouteTable: RouteStore } = await import("../dist/core/route-table.js");
  const { streamPrint, routeUpdatesOf, routeProplist } = await import("../dist/platforms/routeros/api/route-stream.js");
  const { RouteTable } = await import("../dist/ui/components/RouteTable.js");
  const { useRouteTableState } = await import("../dist/ui/hooks/use-route-table-state.js");
  const { useTableRevision } = await import("../dist/ui/hooks/use-table-revision.js");

  const table = new RouteStore();
  function View({ streaming }) {
    const revision = useTableRevision(table, FRAME_TIMER_MS);
    const { state } = useRouteTableState(table, { selected: 5, top: 0, filter: "", applied: "", filterError: null, editingFilter: false });
    return React.createElement(RouteTable, { table, revision, state, height: SIZE.rows - 2, width: SIZE.columns, streaming });
  }
  const terminal = nullTerminal();
  const app = render(React.createElement(View, { streaming: true }), {
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    stderr: terminal.stdout,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: INK_MAX_FPS,
  });

  let peakRss = process.memoryUsage.rss();
  // memoryUsage.rss() only: memoryUsage() walks the heap, ~1 ms a call, which is the bench's cost, not the view's.
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const stalls = monitorEventLoopDelay({ resolution: 5 });
  let batches = 0;
  terminal.stdout.watching = true;
  stalls.enable();
  const started = performance.now();
  const summary = await streamPrint({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeoutMs: 60_000 }, "/ip/route", {
    ...(withProplist ? { proplist: routeProplist({ dottedRouteAttributes: true }) } : {}),
    onBatch: (batch) => {
      batches++;
      table.upsert(routeUpdatesOf(batch).routes);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  stalls.disable();
  terminal.stdout.watching = false;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  clearInterval(sampler);
  // The last frame, "streaming" gone, with every route counted.
  app.rerender(React.createElement(View, { streaming: false }));
  await new Promise((resolve) => setTimeout(resolve, FRAME_TIMER_MS * 3));
  const lastFrame = terminal.stdout.lastText;
  app.unmount();
  const maxRssKernel = process.resourceUsage().maxRSS * 1024;
  process.send({
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
  });
}

async function main() {
  const summary = [];
  for (const size of SIZES) {
    ROUTES = size;
    summary.push(await runSize());
  }
  console.log("");
  for (const line of summary) console.log(line);
}

/** All four readers at one size; returns the summary line. */
async function runSize() {
  console.log(`\ningest: ${ROUTES.toLocaleString("en")} routes in /ip/route, route view at ${SIZE.columns}x${SIZE.rows}`);
  const lab = child("--router", ROUTES);
  const { port, loadMs } = await lab.message;
  console.log(`  router (child process) ready on port ${port} (loading the table took ${(loadMs / 1000).toFixed(1)} s)`);
  try {
    // A lab router's first prints meet its JIT cold and the garbage of the table it just loaded;
    // a real router has neither, and whichever reader came first paid for it. Two prints (with and
    // without .proplist) read here and thrown away first.
    const { streamPrint, routeProplist } = await import("../dist/platforms/routeros/api/route-stream.js");
    const target = { host: "127.0.0.1", port, user: USER, password: PASSWORD, timeoutMs: 60_000 };
    const proplist = routeProplist({ dottedRouteAttributes: true });
    for (const words of [proplist, undefined]) await streamPrint(target, "/ip/route", { proplist: words, onBatch: () => {} });

    const a = await answer(child("--ingest", port, "proplist"));
    const bSame = await answer(child("--node-routeros", port, "proplist"));
    const aAll = await answer(child("--ingest", port, "all"));
    const b = await answer(child("--node-routeros", port, "all"));

    const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
    const line = (label, r, base) =>
      `  ${label} ${r.seconds.toFixed(2)} s  ${Math.round(r.routes / r.seconds).toLocaleString("en")} routes/s  ${mb(r.bytes)}  ` +
      `${r.batches} batches  ${r.frames} frames  longest frame gap ${r.longestGapMs.toFixed(0)} ms  ` +
      `longest event-loop stall ${r.longestStallMs.toFixed(0)} ms  peak RSS ${mb(r.peakRss)}  ` +
      `${(base.seconds / r.seconds).toFixed(1)}x faster than node-routeros on the same attributes`;
    console.log(line(`(a)  monitor: streamPrint, .proplist (${proplist.length} attributes), into RouteTable, Ink drawing:`, a, bSame));
    console.log(`  (b') node-routeros write('/ip/route/print', .proplist the same):  ${bSame.seconds.toFixed(2)} s  ${Math.round(bSame.routes / bSame.seconds).toLocaleString("en")} routes/s  peak RSS ${mb(bSame.peakRss)}`);
    console.log(line(`(a') the same without .proplist (every attribute):                         `, aAll, b));
    console.log(`  (b)  node-routeros write('/ip/route/print'), no .proplist:  ${b.seconds.toFixed(2)} s  ${Math.round(b.routes / b.seconds).toLocaleString("en")} routes/s  peak RSS ${mb(b.peakRss)}`);
    for (const [label, r] of [["(a)", a], ["(a')", aAll]]) {
      const shown = stripVTControlCharacters(r.lastFrame).split("\n").find((text) => text.includes("routes,"));
      console.log(`  ${label} last frame says: ${shown?.trim() ?? "(no counts line)"}`);
    }

    const mismatch = [a, aAll].some((r) => r.routes !== ROUTES || r.stored !== ROUTES) || b.routes !== ROUTES || bSame.routes !== ROUTES;
    if (mismatch) {
      console.log(`  MISMATCH: expected ${ROUTES} routes; (a) streamed ${a.routes}, stored ${a.stored}; (a') streamed ${aAll.routes}, stored ${aAll.stored}; (b) ${b.routes}; (b') ${bSame.routes}`);
      process.exitCode = 1;
    }
    const targets = (r, base) => {
      const ratio = base.seconds / r.seconds;
      return (
        `>= 10x faster ${ratio >= 10 ? "met" : "MISSED"}, peak RSS < 1 GB ${r.peakRss < 1e9 ? "met" : "MISSED"}, ` +
        `frame gap <= 100 ms ${r.longestGapMs <= 100 ? "met" : "MISSED"}`
      );
    };
    console.log(`  targets for (a) against (b'):  ${targets(a, bSame)}`);
    console.log(`  (a') against (b):              ${targets(aAll, b)}`);
    return (
      `ingest ${a.routes} routes, like for like: .proplist ${(bSame.seconds / a.seconds).toFixed(1)}x faster than node-routeros ` +
      `(${a.seconds.toFixed(2)} s vs ${bSame.seconds.toFixed(2)} s; peak RSS ${mb(a.peakRss)} vs ${mb(bSame.peakRss)}), ` +
      `every attribute ${(b.seconds / aAll.seconds).toFixed(1)}x (${aAll.seconds.toFixed(2)} s vs ${b.seconds.toFixed(2)} s; peak RSS ${mb(aAll.peakRss)} vs ${mb(b.peakRss)}), ` +
      `longest frame gap ${a.longestGapMs.toFixed(0)} ms`
    );
  } finally {
    lab.process.kill();
  }
}

/** The figures a reader's child process sends; it is ended then. */
async function answer({ process: reader, message }) {
  const figures = await message;
  reader.kill();
  return figures;
}

const [role, arg, what] = process.argv.slice(2);
if (role === "--router") await router(Number(arg));
else if (role === "--ingest") await ingest(Number(arg), what === "proplist");
else if (role === "--node-routeros") {
  const { routeProplist } = await import("../dist/platforms/routeros/api/route-stream.js");
  await nodeRouterosPrint(Number(arg), what === "proplist" ? routeProplist({ dottedRouteAttributes: true }) : undefined);
}
else await main();
