// Loaded into the program a benchmark measures (`node --import bench/loop-probe.js bin/bgpals.js`),
// never part of bgpals: it records how long the program's main thread was blocked, so a bench can
// tell "no frame because the thread was busy" (decoding, the table, a render, garbage collection)
// from "no frame because nothing arrived" (the router pausing), which a terminal's write times
// cannot.
//
// To the file named by BGPALS_BENCH_LOOP_FILE, one line per event, as `what epoch-ms ms ...`:
// - `delay`: per 25 ms of the clock, the event loop's largest delay in it (perf_hooks'
//   monitorEventLoopDelay, 10 ms resolution), when over 20 ms; `epoch-ms` when it was read, just
//   after the block (the reading's timer waited for it); then the program's time on a CPU (all its
//   threads), its main thread's time waiting for one, and its main thread's time on one, since the
//   last reading (Linux's schedstat): on a busy machine a block is partly waiting for a core, and
//   the program's own work in it was at most the time it ran (the main thread's share says how much
//   of that was V8's compiler and GC helper threads beside it);
// - `gc`: a garbage collection pause over 10 ms (a PerformanceObserver's entry), `epoch-ms` when it
//   began, and its kind (minor: a scavenge of the young generation; major: a full mark-compact).
// - `write`: each write the program made to its terminal (stdout), `epoch-ms` when it was made: the
//   frame as the program sent it, before the pseudo-terminal and the bench's own reading of it
//   (which, on two busy cores, may wait for a core of its own);
// - `read`: each chunk a TCP socket of the program's handed to its reader (the router's replies),
//   `epoch-ms` when it did, then its size in bytes in place of ms.
// Nothing is written without the variable; the timers are unref'd, so they keep nothing alive.
// SIGUSR2 stops it (the bench sends it before measuring idle CPU).
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { Socket } from "node:net";
import { monitorEventLoopDelay, performance, PerformanceObserver } from "node:perf_hooks";

const FILE = process.env.BGPALS_BENCH_LOOP_FILE;
// Often, so a reading after a block holds little but the block: its CPU time bounds the block's work.
const READ_EVERY_MS = 25;
const SHOWN_DELAY_MS = 20;
const SHOWN_GC_MS = 10;
const GC_KINDS = { 1: "minor", 2: "major", 4: "incremental", 8: "weakcb" };

if (FILE !== undefined && FILE !== "") {
  const epoch = (at) => Math.round(performance.timeOrigin + at);
  const lines = [];
  const flush = () => {
    if (lines.length === 0) return;
    appendFileSync(FILE, lines.join(""));
    lines.length = 0;
  };
  // Time on a CPU (all the program's threads: the main thread may wait for the garbage collector's
  // helpers) and the main thread's time waiting for one (ns), from the kernel's scheduler statistics.
  const sched = () => {
    try {
      let run = 0;
      let wait = 0;
      let main = 0;
      for (const task of readdirSync("/proc/self/task")) {
        const [ran, waited] = readFileSync(`/proc/self/task/${task}/schedstat`, "utf8").split(" ").map(Number);
        run += ran;
        if (task === String(process.pid)) [wait, main] = [waited, ran];
      }
      return { run, wait, main };
    } catch {
      return { run: NaN, wait: NaN, main: NaN };
    }
  };
  let last = sched();
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const reading = setInterval(() => {
    const ms = histogram.max / 1e6;
    histogram.reset();
    const now = sched();
    const [run, wait, main] = [(now.run - last.run) / 1e6, (now.wait - last.wait) / 1e6, (now.main - last.main) / 1e6];
    last = now;
    if (ms > SHOWN_DELAY_MS) lines.push(`delay ${epoch(performance.now())} ${ms.toFixed(1)} ${run.toFixed(1)} ${wait.toFixed(1)} ${main.toFixed(1)}\n`);
    flush();
  }, READ_EVERY_MS).unref();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.duration > SHOWN_GC_MS) lines.push(`gc ${epoch(entry.startTime)} ${entry.duration.toFixed(1)} ${GC_KINDS[entry.detail?.kind] ?? "other"}\n`);
  });
  observer.observe({ entryTypes: ["gc"] });
  const write = process.stdout.write;
  let writing = true;
  process.stdout.write = function (...args) {
    if (writing) lines.push(`write ${epoch(performance.now())} 0\n`);
    return write.apply(this, args);
  };
  // What the router sent, as it came off the socket (TCP only: not the terminal's keys): a gap between
  // frames with nothing read in it is the router not sending, not the monitor not drawing.
  const push = Socket.prototype.push;
  Socket.prototype.push = function (chunk, ...rest) {
    if (writing && chunk && this.remotePort !== undefined) lines.push(`read ${epoch(performance.now())} ${chunk.length}\n`);
    return push.call(this, chunk, ...rest);
  };
  // The bench is done with it (before measuring idle CPU, which its 10 ms timer would add to).
  // `on`, not `once`: Ink's signal-exit re-raises a signal that no one else listens to any more.
  process.on("SIGUSR2", () => {
    clearInterval(reading);
    writing = false;
    histogram.disable();
    observer.disconnect();
    flush();
  });
  process.on("exit", flush);
}
