// Runs the built CLI as a user would, from process start to exit, and says how long it took and
// its peak RSS (the kernel's high-water mark, read from /proc while it runs).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../bin/bgpals.js", import.meta.url));

function hwmMb(pid) {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
  } catch {
    return 0;
  }
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * `bgpals ...args`; resolves with { seconds, rssMb, cpuSeconds, code, stdout, stderr }. cpuSeconds
 * is bgpals's own CPU (sampled while it runs, so the last few ms may be missing): what is left of
 * `seconds` is waiting, mostly for the router.
 */
export function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let rssMb = 0;
    let cpu = 0;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const sampler = setInterval(() => {
      rssMb = Math.max(rssMb, hwmMb(child.pid));
      cpu = cpuSeconds(child.pid) ?? cpu;
    }, 5);
    child.on("error", reject);
    // Timed at its exit; its output read whole at "close" (a process may exit before it is all read).
    let seconds = 0;
    child.on("exit", () => {
      clearInterval(sampler);
      seconds = (performance.now() - started) / 1000;
    });
    child.on("close", (code) => resolve({ seconds, rssMb, cpuSeconds: cpu, code, stdout, stderr }));
  });
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
