// Shared by tests: the example peering files and a clone helper for mutations.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parsePeering, type Peering } from "../src/core/peering.js";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const sharedDir = fileURLToPath(new URL("../../shared", import.meta.url));

export const EXAMPLES = {
  s1: "peers/s1-alice-remi.peering.json",
  s3: "peers/s3-alice-remi-ovpn.peering.json",
  s4: "peers/s4-alice-carol.peering.json",
  s7: "peers/s7-alice-remi-static.peering.json",
} as const;

export function exampleJson(name: keyof typeof EXAMPLES): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../${EXAMPLES[name]}`, import.meta.url), "utf8"));
}

export function example(name: keyof typeof EXAMPLES): Peering {
  return mustParse(exampleJson(name));
}

export function mustParse(json: unknown): Peering {
  const r = parsePeering(json);
  if (!r.ok) throw new Error(`example does not parse: ${JSON.stringify(r.problems)}`);
  return r.peering;
}
