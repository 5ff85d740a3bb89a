// 1,000 mutated peering files: each is refused with a message or renders; nothing throws.
import { routerOsFeatures } from "../../src/platforms/routeros/dialects.js";
import { describe, expect, it } from "vitest";
import { checkPeering } from "../../src/core/checks.js";
import { parsePeeringText } from "../../src/core/peering.js";
import { render, RenderError } from "../../src/platforms/routeros/render/render.js";
import { exampleJson } from "../helpers.js";

function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

const ODD_VALUES: unknown[] = [null, 0, -1, 65535, 4294967295, 1e308, "", " ", "0.0.0.0/0", "300.1.1.1", "192.168.0.0/33", "x".repeat(300), [], {}, true, "ovpn", "udp", "6.49", "7.1", "alice", "remi", "isp1"];

function mutate(json: any, rand: () => number): string {
  const paths: Array<[any, string | number]> = [];
  const walk = (node: any) => {
    if (node === null || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      paths.push([node, Array.isArray(node) ? Number(key) : key]);
      walk(node[key]);
    }
  };
  walk(json);
  const steps = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < steps; i++) {
    const [parent, key] = paths[Math.floor(rand() * paths.length)]!;
    const op = rand();
    if (op < 0.3) delete parent[key];
    else if (op < 0.8) parent[key] = ODD_VALUES[Math.floor(rand() * ODD_VALUES.length)];
    else parent[key] = structuredClone(paths[Math.floor(rand() * paths.length)]![0]);
  }
  const text = JSON.stringify(json);
  // Some files arrive truncated.
  return rand() < 0.1 ? text.slice(0, Math.floor(rand() * text.length)) : text;
}

describe("mutated peering files", () => {
  it("are refused with a message or render cleanly, 1,000 of them", () => {
    const rand = prng(20261121);
    const sources = ["s1", "s3", "s4", "s7"] as const;
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const text = mutate(exampleJson(sources[i % sources.length]!), rand);
      const parsed = parsePeeringText(text);
      if (!parsed.ok) {
        refused++;
        expect(parsed.problems.length).toBeGreaterThan(0);
        for (const p of parsed.problems) expect(p.message.length, text).toBeGreaterThan(0);
        continue;
      }
      for (const side of Object.keys(parsed.peering.sides)) {
        const refusals = checkPeering({ featuresOf: routerOsFeatures, peering: parsed.peering, side });
        if (refusals.length > 0) {
          refused++;
          continue;
        }
        try {
          expect(render(parsed.peering, side).commands.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof RenderError)) throw new Error(`render crashed on ${text}: ${(e as Error).stack}`);
        }
      }
    }
    // Most mutations break something; a test that refused nothing would prove nothing.
    expect(refused).toBeGreaterThan(500);
  });
});
