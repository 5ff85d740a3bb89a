// Applying S1 to a lab router with 50 ms of latency on every reply: pipelined over tags versus
// one command at a time, in the same run.   npm run build && node bench/apply-pipeline.js
const LATENCY_MS = Number(process.env.BGPALS_BENCH_LATENCY_MS ?? 50);

const { Lab } = await import("../dist/lab/lab.js");
const { routerOs } = await import("../dist/platforms/routeros/index.js");
const { parsePeeringText } = await import("../dist/core/peering.js");
const { readFileSync } = await import("node:fs");

const parsed = parsePeeringText(readFileSync(new URL("../peers/s1-alice-remi.peering.json", import.meta.url), "utf8"));
if (!parsed.ok) throw new Error("S1 example does not parse");
const peering = parsed.peering;
const dns = { "vpn.alice.example": "203.0.113.10", "vpn2.alice.example": "198.51.100.20" };

const lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false });
const info = lab.info().routers[0];
const target = { host: info.host, port: info.port, user: info.user, password: info.password, timeoutMs: 30_000 };

async function run(pipeline, remove = false) {
  const router = await routerOs.connect(target, "alice");
  const planned = await router.plan({ peering, side: "alice", remove });
  lab.setLatency("alice", LATENCY_MS);
  const started = performance.now();
  const result = await router.apply(planned.plan, {
    resolve: async (name) => dns[name],
    pipeline,
  });
  const seconds = (performance.now() - started) / 1000;
  lab.setLatency("alice", 0);
  await router.close();
  if (!result.ok) throw new Error(result.message);
  return { seconds, changes: result.applied, roundTrips: result.roundTrips };
}

const pipelined = await run(true);
await run(true, true);
const sequential = await run(false);
await run(true, true);
await lab.stop();

console.log(`apply S1 to alice (${pipelined.changes} changes) with ${LATENCY_MS} ms latency per reply`);
console.log(`  pipelined    ${pipelined.seconds.toFixed(2)} s  ${pipelined.roundTrips} stages`);
console.log(`  sequential   ${sequential.seconds.toFixed(2)} s  ${sequential.roundTrips} round trips`);
const ratio = pipelined.seconds / sequential.seconds;
console.log(`  ratio: pipelined takes ${(ratio * 100).toFixed(0)}% of the sequential time (target <= 33%)`);
