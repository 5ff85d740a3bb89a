// Two runs at once, as two people (or two terminals) would start them: 8 rounds of apply against
// apply and 8 of apply against remove, the second started 0.3 to 1.2 s after the first, with 40 ms
// of router latency. Every time the router ends exactly as before the peering or exactly as after
// one clean apply, and the run that finished last and exited 0 said what the router holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { render } from "../../src/platforms/routeros/render/render.js";
import { example } from "../helpers.js";
import { exportOf } from "../platforms/routeros/apply-helpers.js";
import { applyInProcess, cliArgs, home, journals, passwordOf, spawnCli } from "./cli-lab.js";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
  dir = home();
  process.env.BGPALS_HOME = dir;
  process.env.BGPALS_PASSWORD = passwordOf(lab, "alice");
});
afterAll(async () => lab.stop());

const ROUNDS = 8;
/** What one clean apply of S1 on alice writes, and a removal takes away: every command of its render. */
const CHANGES = render(example("s1"), "alice", "7.24").commands.length;
const offsetMs = (round: number) => 300 + Math.round((900 * round) / (ROUNDS - 1));

/** The configuration with the keys the router made left out: each apply makes WireGuard keys of its own. */
function shape(): string {
  const config = JSON.parse(exportOf(lab, "alice")) as Record<string, Array<Record<string, string>>>;
  for (const item of config["/interface/wireguard"] ?? []) delete item["public-key"];
  return JSON.stringify(config);
}

interface Ran {
  command: "apply" | "remove";
  code: number | null;
  stdout: string;
  stderr: string;
  endedAt: number;
}

async function race(first: "apply", second: "apply" | "remove", offset: number, wait: boolean): Promise<Ran[]> {
  const env = { BGPALS_HOME: dir, BGPALS_PASSWORD: passwordOf(lab, "alice") };
  const a = spawnCli(cliArgs(lab, first), env);
  await new Promise((resolve) => setTimeout(resolve, offset));
  const b = spawnCli(cliArgs(lab, second, wait ? ["--wait-lock", "60"] : []), env);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  return [
    { command: first, ...ra },
    { command: second, ...rb },
  ];
}

/** What an exit-0 run claims the router holds afterwards: the peering, or nothing of it. */
function claim(run: Ran): "after" | "before" {
  if (run.command === "apply") {
    expect(run.stdout).toMatch(new RegExp(`^(applied ${CHANGES} changes on .* \\(read back: the router holds the peering\\)|nothing to change: .* already matches \\(read back\\))\n$`));
    return "after";
  }
  expect(run.stdout).toMatch(new RegExp(`^(removed ${CHANGES} changes on .* \\(read back: nothing of the peering is left\\)|nothing to change: .* already holds nothing of the peering \\(read back\\))\n$`));
  return "before";
}

describe("two runs at once (40 ms latency)", () => {
  it(`${ROUNDS} rounds of apply against apply, and of apply against remove: the router ends as before or as after one clean apply`, async () => {
    const before = shape();
    expect((await applyInProcess(lab, false)).code).toBe(0);
    const after = shape();
    expect((await applyInProcess(lab, true)).code).toBe(0);
    expect(shape()).toBe(before);
    lab.setLatency("alice", 40);
    try {
      for (const second of ["apply", "remove"] as const) {
        for (let round = 0; round < ROUNDS; round++) {
          // Half the rounds the second run waits for the lock; the others it refuses at once.
          const wait = round % 2 === 1;
          const runs = await race("apply", second, offsetMs(round), wait);
          const label = `${second} round ${round} (+${offsetMs(round)} ms${wait ? ", waiting" : ""}): ${runs.map((r) => `${r.command} → ${r.code}: ${r.stdout}${r.stderr}`).join(" | ")}`;
          const final = shape();
          expect([before, after], label).toContain(final);
          for (const run of runs) {
            // A run that did not exit 0 said why, and wrote nothing that stayed.
            if (run.code !== 0) expect(run.stderr, label).toMatch(/is held by another bgpals run: .*; nothing written|nothing written/);
            else claim(run);
          }
          // The run that ended last with exit 0 held the lock last: what it says is what the router holds.
          const last = runs.filter((r) => r.code === 0).sort((x, y) => x.endedAt - y.endedAt).at(-1);
          expect(last, label).toBeDefined();
          expect(final === after ? "after" : "before", label).toBe(claim(last!));
          expect(journals(dir), label).toEqual([]);
          expect(lab.router("alice").store.at("/system/scheduler").find({ name: "bgpals-apply-lock" }), label).toEqual([]);
          if (final === after) expect((await applyInProcess(lab, true)).code).toBe(0);
          expect(shape()).toBe(before);
        }
      }
    } finally {
      lab.setLatency("alice", 0);
    }
  }, 600_000);
});
