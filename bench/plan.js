// `bgpals inventory` and `bgpals plan` on a router that carries a full table from an upstream that
// is not a bgpals peer, against the same router without it: the CLI from process start to exit.
//
//   npm run bench:plan         (BGPALS_BENCH_ROUTES=1000000 upstream routes, BGPALS_BENCH_RUNS=5)
//
// Two labs in child processes (bench/lab-host.js): on one, alice holds the table (`/lab/table`),
// on the other she does not; the runs alternate between them, so a busy machine weighs on both.
// Targets: with the table, under twice the time without it; peak RSS under 300 MB.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, median, runCli } from "./cli-run.js";
import { ACCEPT_PUBLIC, appliedOn, benchPeering, startLab } from "./lab-host.js";

const ROUTES = Number(process.env.BGPALS_BENCH_ROUTES ?? 1_000_000);
const RUNS = Number(process.env.BGPALS_BENCH_RUNS ?? 5);

spawnSync("uptime", { stdio: "inherit" });
const empty = await startLab({ peer: false, tickMs: 0 });
const full = await startLab({ peer: false, tickMs: 0 });
try {
  const loaded = await full.send({ do: "table", router: "alice", count: ROUTES });
  console.log(`plan: alice with ${ROUTES.toLocaleString("en")} upstream routes (the lab took ${loaded.seconds.toFixed(0)} s to carry them; /ip/route holds ${(await full.send({ do: "routes", router: "alice" })).toLocaleString("en")} items) against alice without`);
  const home = mkdtempSync(join(tmpdir(), "bgpals-bench-plan-"));
  // The config home goes with the bench, however it ends.
  process.on("exit", () => rmSync(home, { recursive: true, force: true }));
  const peeringFile = join(home, "s1.json");
  writeFileSync(peeringFile, JSON.stringify(appliedOn(benchPeering(), "alice"), null, 2));
  const env = { BGPALS_HOME: home };
  for (const [name, lab] of [["empty", empty], ["full", full]]) {
    const alice = lab.routers.find((r) => r.name === "alice");
    env[`BGPALS_PASSWORD_${name.toUpperCase()}`] = alice.password;
    const add = spawnSync(process.execPath, [BIN, "router", "add", name, "--host", alice.host, "--port", String(alice.port), "--user", alice.user], { env: { ...process.env, ...env, BGPALS_PASSWORD: alice.password, CI: "true" }, encoding: "utf8" });
    if (add.status !== 0) throw new Error(`router add: ${add.stderr}`);
  }
  const commands = {
    inventory: (router) => ["inventory", "--router", router, "--json"],
    plan: (router) => ["plan", "--router", router, "--peering", peeringFile, "--side", "alice", "--json", ...ACCEPT_PUBLIC.flatMap((p) => ["--accept-public", p])],
  };
  const lines = [];
  for (const [what, args] of Object.entries(commands)) {
    const runs = { empty: [], full: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const router of i % 2 === 0 ? ["empty", "full"] : ["full", "empty"]) {
        const r = await runCli(args(router), env);
        if (r.code !== 0) throw new Error(`${what} on ${router} exited ${r.code}: ${r.stderr}`);
        runs[router].push(r);
      }
    }
    const seconds = (router) => median(runs[router].map((r) => r.seconds));
    const rss = (router) => Math.max(...runs[router].map((r) => r.rssMb));
    const cpu = (router) => median(runs[router].map((r) => r.cpuSeconds));
    const ratio = seconds("full") / seconds("empty");
    const line =
      `${what}: ${seconds("full").toFixed(2)} s with ${ROUTES.toLocaleString("en")} upstream routes, ${seconds("empty").toFixed(2)} s without (median of ${RUNS}), ${ratio.toFixed(2)}x; ` +
      `bgpals's own CPU ${cpu("full").toFixed(2)} s vs ${cpu("empty").toFixed(2)} s (the rest is waiting for the router); peak RSS ${rss("full").toFixed(0)} MB vs ${rss("empty").toFixed(0)} MB; targets: < 2x ${ratio < 2 ? "met" : "MISSED"}, < 300 MB ${rss("full") < 300 ? "met" : "MISSED"}`;
    console.log(`  ${line}`);
    lines.push(line);
  }
  console.log("");
  for (const line of lines) console.log(`plan bench, ${line}`);
} finally {
  await empty.stop();
  await full.stop();
}
process.exit(0);
