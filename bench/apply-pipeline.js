// Applying S1 to a lab router with 50 ms of latency on every reply, pipelined over tags versus one
// command at a time, in the same run:
// - end to end: `bgpals apply --yes` from process start to exit (connect, discover, plan, apply),
//   the runs alternating (BGPALS_BENCH_RUNS each, default 3), the router cleared between them;
// - the apply step alone (Router.apply on a plan made beforehand), as this benchmark measured first.
//   npm run bench:apply        (BGPALS_BENCH_LATENCY_MS=50)
// Target: pipelined end to end takes at most a third of the sequential time.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { BIN, median, runCli } from "./cli-run.js";
import { appliedOn } from "./lab-host.js";

const LATENCY_MS = Number(process.env.BGPALS_BENCH_LATENCY_MS ?? 50);
const RUNS = Number(process.env.BGPALS_BENCH_RUNS ?? 3);

const { Lab } = await import("../dist/lab/lab.js");
const { routerOs } = await import("../dist/platforms/routeros/index.js");
const { parsePeeringText } = await import("../dist/core/peering.js");
const { readFileSync } = await import("node:fs");

// S1 as alice applies it to a router that has none of it yet (her WireGuard keys made by the router).
const example = fileURLToPath(new URL("../peers/s1-alice-remi.peering.json", import.meta.url));
const parsed = parsePeeringText(JSON.stringify(appliedOn(JSON.parse(readFileSync(example, "utf8")), "alice")));
if (!parsed.ok) throw new Error("S1 example does not parse");
const peering = parsed.peering;
const dns = { "vpn.alice.example": "203.0.113.10", "vpn2.alice.example": "198.51.100.20" };

const lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
const info = lab.info().routers[0];
const target = { host: info.host, port: info.port, user: info.user, password: info.password, timeoutMs: 30_000 };

/** Router.apply alone, on a plan made beforehand. */
async function applyStep(pipeline, remove = false) {
  const router = await routerOs.connect(target, "alice");
  const planned = await router.plan({ peering, side: "alice", remove });
  lab.setLatency("alice", remove ? 0 : LATENCY_MS);
  const started = performance.now();
  const result = await router.apply(planned.plan, { resolve: async (name) => dns[name], pipeline });
  const seconds = (performance.now() - started) / 1000;
  lab.setLatency("alice", 0);
  await router.close();
  if (!result.ok) throw new Error(result.message);
  return { seconds, changes: result.applied, roundTrips: result.roundTrips };
}

const clear = () => applyStep(true, true);

spawnSync("uptime", { stdio: "inherit" });
const home = mkdtempSync(join(tmpdir(), "bgpals-bench-apply-"));
// The config home (profiles, journal) goes with the bench, however it ends.
process.on("exit", () => rmSync(home, { recursive: true, force: true }));
const peeringFile = join(home, "s1-alice.peering.json");
writeFileSync(peeringFile, JSON.stringify(appliedOn(JSON.parse(readFileSync(example, "utf8")), "alice"), null, 2));
const env = { BGPALS_HOME: home, BGPALS_PASSWORD: info.password };
const add = spawnSync(process.execPath, [BIN, "router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user], { env: { ...process.env, ...env, CI: "true" }, encoding: "utf8" });
if (add.status !== 0) throw new Error(`router add: ${add.stderr}`);
const args = ["apply", "--router", "home", "--peering", peeringFile, "--side", "alice", "--yes", "--json", ...Object.entries(dns).flatMap(([name, address]) => ["--resolve", `${name}=${address}`])];

const e2e = { pipelined: [], sequential: [] };
let changes = 0;
for (let i = 0; i < RUNS; i++) {
  for (const mode of i % 2 === 0 ? ["pipelined", "sequential"] : ["sequential", "pipelined"]) {
    lab.setLatency("alice", LATENCY_MS);
    const r = await runCli(mode === "sequential" ? [...args, "--sequential"] : args, env);
    lab.setLatency("alice", 0);
    if (r.code !== 0) throw new Error(`apply (${mode}) exited ${r.code}: ${r.stderr}`);
    changes = JSON.parse(r.stdout.trim().split("\n").at(-1)).applied;
    e2e[mode].push(r.seconds);
    await clear();
  }
}
const pipelinedStep = await applyStep(true);
await clear();
const sequentialStep = await applyStep(false);
await clear();
await lab.stop();

const p = median(e2e.pipelined);
const s = median(e2e.sequential);
console.log(`apply S1 to alice (${changes} changes) with ${LATENCY_MS} ms latency per reply`);
console.log(`  end to end (bgpals apply, process start to exit, median of ${RUNS}): pipelined ${p.toFixed(2)} s, sequential ${s.toFixed(2)} s (runs: ${e2e.pipelined.map((x) => x.toFixed(2)).join(" ")} / ${e2e.sequential.map((x) => x.toFixed(2)).join(" ")})`);
console.log(`  the apply step alone: pipelined ${pipelinedStep.seconds.toFixed(2)} s in ${pipelinedStep.roundTrips} stages, sequential ${sequentialStep.seconds.toFixed(2)} s in ${sequentialStep.roundTrips} round trips (${((pipelinedStep.seconds / sequentialStep.seconds) * 100).toFixed(0)}%)`);
console.log(`apply end to end: pipelined takes ${((p / s) * 100).toFixed(0)}% of the sequential time (target <= 33%: ${p / s <= 1 / 3 ? "met" : "MISSED"})`);
process.exit(0);
