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

// Every scenario, side and dialect family a golden render is kept for.
export const GOLDEN_MATRIX: Array<[keyof typeof EXAMPLES, string, string]> = [
  ["s1", "alice", "7.24"],
  ["s1", "alice", "7.12.2"],
  ["s1", "remi", "7.19.6"],
  ["s1", "remi", "7.20.8"],
  ["s3", "alice", "7.24"],
  ["s3", "alice", "7.15.3"],
  ["s3", "alice", "6.49.10"],
  ["s3", "remi", "7.19.6"],
  ["s3", "remi", "6.49.10"],
  ["s4", "alice", "7.24"],
  ["s4", "alice", "7.19.6"],
  ["s4", "carol", "6.49.10"],
  ["s7", "alice", "7.24"],
  ["s7", "remi", "7.19.6"],
];
