// A lab in a child process of its own (its own core and memory, as real routers are their own
// machines), driven by messages from a benchmark: start (alice and remi, S1 set up by bgpals's own
// plan and apply, alice taking remi's leaks up to a million), then leak, table, latency, stop.
//
//   const lab = await startLab();                // { routers: [...], peering }
//   await lab.send({ do: "leak", router: "remi", count: 100000 });   // resolves once settled
//
// `startLab({ loopFile })` loads bench/loop-probe.js into the lab too (its event loop's blocks and
// garbage collections, to that file), so a bench can tell a router pausing from the program it
// measures being busy; BGPALS_BENCH_LAB_NODE_FLAGS is given to the lab's node (e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof" or "--trace-gc": the profile is written when the lab stops).
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PROBE = fileURLToPath(new URL("./loop-probe.js", import.meta.url));
const LAB_NODE_FLAGS = (process.env.BGPALS_BENCH_LAB_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "");
const S1 = fileURLToPath(new URL("../peers/s1-alice-remi.peering.json", import.meta.url));

/**
 * The /8s a million leaked /24s from 10.200.0.0/24 fall in (10/8 to 26/8). bgpals takes at most a
 * /8 per prefix from a friend, and public space only when the user confirms it: the benchmarks
 * confirm 11/8 to 26/8 (ACCEPT_PUBLIC), as a user would with --accept-public.
 */
const LEAK_SPACE = Array.from({ length: 17 }, (_, i) => `${10 + i}.0.0.0/8`);
export const ACCEPT_PUBLIC = LEAK_SPACE.slice(1);

/** S1 where alice takes whatever remi sends in 10/8 to 26/8 up to /24, up to a million prefixes a session. */
export function benchPeering() {
  const peering = JSON.parse(readFileSync(S1, "utf8"));
  peering.sides.remi.allowed = [...(peering.sides.remi.allowed ?? []), ...LEAK_SPACE.map((prefix) => ({ prefix, maxLength: 24 }))];
  peering.policy.maxPrefixes = 1_000_000;
  delete peering.$schema;
  return peering;
}

/** A WireGuard key that names none: the router makes the key (as core/links/wireguard's PLACEHOLDER_KEY). */
const PLACEHOLDER_KEY = `${"A".repeat(43)}=`;

/**
 * `peering` as `side` applies it to a router that has none of its interfaces yet: that side's
 * WireGuard keys are the placeholder (its router makes them). bgpals refuses a file that names a key
 * for an interface the router does not hold.
 */
export function appliedOn(peering, side) {
  const out = structuredClone(peering);
  for (const link of out.links) if (link.kind === "wireguard") link.publicKey = { ...link.publicKey, [side]: PLACEHOLDER_KEY };
  return out;
}

/** Starts the lab child; `send` runs a command there and resolves with its answer. */
export async function startLab({ loopFile, ...options } = {}) {
  const child = fork(fileURLToPath(import.meta.url), ["--host"], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    execArgv: [...LAB_NODE_FLAGS, ...(loopFile === undefined ? [] : ["--import", PROBE])],
    env: { ...process.env, BGPALS_BENCH_LOOP_FILE: loopFile ?? "" },
  });
  let next = 0;
  const waiting = new Map();
  child.on("message", (m) => {
    const w = waiting.get(m.id);
    if (w === undefined) return;
    waiting.delete(m.id);
    if (m.error) w.reject(new Error(m.error));
    else w.resolve(m.result);
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the lab exited with ${code}`));
  });
  const send = (command) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, ...command });
    });
  const info = await send({ do: "start", ...options });
  return { ...info, send, stop: async () => (await send({ do: "stop" }).catch(() => undefined), child.kill()), pid: child.pid };
}

async function host() {
  const { Lab } = await import("../dist/lab/lab.js");
  const { PERSONALITIES } = await import("../dist/lab/personalities.js");
  const { routerOs } = await import("../dist/platforms/routeros/index.js");
  const { parsePeering } = await import("../dist/core/peering.js");
  const dns = new Map(Object.values(PERSONALITIES).flatMap((p) => Object.entries(p().dns)));
  let lab = null;
  const commands = {
    async start({ peer = true, tickMs = 100 }) {
      lab = await Lab.start({ routers: ["alice", "remi"], tickMs, tls: false, ssh: false });
      const parsed = parsePeering(benchPeering());
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      const connect = (side) => {
        const info = lab.info().routers.find((r) => r.name === side);
        return routerOs.connect({ host: info.host, port: info.port, user: info.user, password: info.password }, side);
      };
      if (peer) {
        // As the wizard does: the routers make their WireGuard keys first, the peering carries them.
        for (const side of ["alice", "remi"]) {
          const router = await connect(side);
          try {
            const keys = await router.prepareLinks(parsed.peering, side);
            for (const link of parsed.peering.links) if (keys[link.name] !== undefined) link.publicKey[side] = keys[link.name];
          } finally {
            await router.close();
          }
        }
        for (const side of ["alice", "remi"]) {
          const router = await connect(side);
          try {
            const planned = await router.plan({ peering: parsed.peering, side, acceptPublic: ACCEPT_PUBLIC });
            if (planned.refusals.length > 0) throw new Error(planned.refusals.map((r) => r.message).join("; "));
            const result = await router.apply(planned.plan, { resolve: async (name) => dns.get(name) ?? name });
            if (!result.ok) throw new Error(result.message);
          } finally {
            await router.close();
          }
        }
        // Both sessions up, remi's prefix on alice.
        for (let i = 0; ; i++) {
          const routes = lab.router("alice").store.at("/ip/route").find({ "dst-address": "192.168.42.0/24", bgp: "true" });
          if (routes.length === 2) break;
          if (i > 600) throw new Error("the peering did not come up in the lab");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      return { routers: lab.info().routers, peering: parsed.peering };
    },
    async leak({ router, count }) {
      const started = performance.now();
      lab.leak(router, count);
      await lab.settle(900_000);
      return { seconds: (performance.now() - started) / 1000 };
    },
    async table({ router, count }) {
      const started = performance.now();
      lab.table(router, count);
      await lab.settle(900_000);
      return { seconds: (performance.now() - started) / 1000 };
    },
    latency({ router, ms }) {
      lab.setLatency(router, ms);
    },
    routes({ router }) {
      return lab.router(router).store.at("/ip/route").size;
    },
    async stop() {
      await lab?.stop();
    },
  };
  // Killed by the bench: exit as a program does, so a --cpu-prof profile gets written.
  process.on("SIGTERM", () => process.exit(0));
  process.on("message", async (m) => {
    try {
      const result = await commands[m.do](m);
      process.send({ id: m.id, result: result ?? null });
    } catch (e) {
      process.send({ id: m.id, error: e instanceof Error ? e.stack : String(e) });
    }
  });
}

if (process.argv[2] === "--host") await host();
