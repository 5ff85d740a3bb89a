// --json keeps stdout for one JSON document: every command that takes --json, run on the lab,
// prints exactly one (JSON.parse takes stdout whole), on success and on failure alike, with no
// colour codes; progress, notes and error messages go to stderr.
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { buildProgram } from "../../src/cli/main.js";
import { exampleFileFor, tempDir } from "../helpers.js";
import { cliAsync, type CliResult } from "./cli-async.js";

type Operator = "alice" | "remi";

/** Every command (as typed: "router add") that takes --json. */
function jsonCommands(command: Command, path: string[] = []): string[] {
  return command.commands.flatMap((sub) => {
    const here = [...path, sub.name()];
    const own = sub.options.some((o) => o.long === "--json") ? [here.join(" ")] : [];
    return [...own, ...jsonCommands(sub, here)];
  });
}

const ESC = "\u001B";

/** stdout as one JSON document, or the test fails saying what else was there. */
function documentOf(r: CliResult): any {
  expect(r.stdout, "colour or terminal codes on stdout").not.toContain(ESC);
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** A failure: exit 1 or 2, the error document on stdout, its message on stderr too. */
function failureOf(r: CliResult, kind: string): { message: string; kind: string; router?: string } {
  const document = documentOf(r);
  expect(r.code, r.stderr).toBe(kind === "usage" ? 2 : 1);
  expect(document).toMatchObject({ ok: false, error: { kind, message: expect.any(String) } });
  expect(r.stderr).toContain(document.error.message.split("\n")[0]);
  return document.error;
}

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

const homes = { alice: tempDir("bgpals-json-alice-"), remi: tempDir("bgpals-json-remi-") };
const routerOf = (op: Operator) => lab.info().routers.find((x) => x.name === op)!;
const spec = (op: Operator) => `${routerOf(op).user}@${routerOf(op).host}:${routerOf(op).port}`;
const as = (op: Operator, args: string[], env: Record<string, string> = {}) => cliAsync(args, { BGPALS_HOME: homes[op], BGPALS_PASSWORD: routerOf(op).password, ...env });
const on = (op: Operator) => ["--router", spec(op)];

describe("--json", () => {
  it("prints one JSON document for every command that takes it, on success", async () => {
    const covered = new Set<string>();
    const run = async (op: Operator, args: string[], env?: Record<string, string>) => {
      const words = args.filter((a) => !a.startsWith("-"));
      covered.add(words[0] === "router" ? words.slice(0, 2).join(" ") : words[0]!);
      const r = await as(op, [...args, "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      return documentOf(r);
    };

    const alice = routerOf("alice");
    expect(await run("alice", ["router", "add", "home", "--host", alice.host, "--port", String(alice.port), "--user", alice.user])).toMatchObject({ name: "home", host: alice.host });
    expect((await run("alice", ["router", "list"])).routers.map((r: { name: string }) => r.name)).toEqual(["home"]);
    expect(await run("alice", ["inventory", "--router", "home"], { BGPALS_PASSWORD_HOME: alice.password })).toMatchObject({ identity: "alice" });

    const offer = await run("alice", ["offer", ...on("alice"), "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr"]);
    const accept = await run("remi", ["accept", offer.bundle, ...on("remi"), "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes"]);
    expect(await run("alice", ["complete", accept.bundle, ...on("alice"), "--yes"])).toMatchObject({ peering: "alice-remi", friend: "remi" });
    lab.tick();

    const peering = ["--peering", join(homes.alice, "peers", "remi.json"), "--side", "alice"];
    expect(await run("alice", ["plan", ...on("alice"), ...peering])).toMatchObject({ changes: [], conflicts: [] });
    expect(await run("alice", ["apply", ...on("alice"), ...peering, "--yes"])).toMatchObject({ ok: true, applied: 0, verified: true });
    expect((await run("alice", ["status", ...on("alice")])).sessions).toHaveLength(2);
    expect(await run("alice", ["why", "192.168.42.0/24", ...on("alice")])).toHaveLength(2);
    expect(await run("alice", ["unlock", ...on("alice")])).toEqual({ locked: false });
    expect(await run("alice", ["prefer", ...on("alice"), "--friend", "remi", "--primary", "isp2"])).toMatchObject({ ok: true, written: false });
    expect(await run("alice", ["clear", ...on("alice"), "--friend", "remi"])).toMatchObject({ ok: true, cleared: [] });
    expect(await run("remi", ["remove", ...on("remi"), "--peering", join(homes.remi, "peers", "alice.json"), "--side", "remi", "--yes"])).toMatchObject({ ok: true, verified: true });

    // Nothing that takes --json was left out of this test.
    expect([...covered].sort()).toEqual(jsonCommands(buildProgram(() => {})).sort());
  }, 120_000);

  it("prints one error document on failure: usage, the router's, read-only, a refused bundle", async () => {
    // Every command: a flag it does not know.
    for (const command of jsonCommands(buildProgram(() => {}))) {
      const error = failureOf(await as("alice", [...command.split(" "), "--json", "--no-such-flag"]), "usage");
      expect(error.message).toBe("unknown option '--no-such-flag'");
    }
    // A value out of range, found while the command line is read.
    expect(failureOf(await as("alice", ["status", ...on("alice"), "--timeout", "0", "--json"]), "usage").message).toMatch(/^--timeout "0": must be a number of seconds/);
    const wrong = failureOf(await as("alice", ["status", ...on("alice"), "--json"], { BGPALS_PASSWORD: "not-the-password" }), "router");
    expect(wrong.router).toBe("bad-credentials");
    const readOnly = failureOf(await as("alice", ["--read-only", "apply", ...on("alice"), "--peering", exampleFileFor("s1", "alice"), "--side", "alice", "--yes", "--json"]), "read-only");
    expect(readOnly.message).toBe(`read-only: apply would write to ${spec("alice")}; run without --read-only`);
    const refused = failureOf(await as("remi", ["accept", "bgpals1:not-a-bundle", ...on("remi"), "--me", "remi", "--asn", "64513", "--yes", "--json"]), "failed");
    expect(refused.message).toMatch(/refused/);
  }, 120_000);
});
