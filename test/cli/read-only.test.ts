// --read-only through the real CLI on the lab: every command that would write to a router is
// refused with one message and exit 1, and the routers' configuration stays byte for byte what it
// was; what only reads (inventory, plan, status, why, export, a prefer preview) still works.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "./cli-async.js";

type Operator = "alice" | "remi";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: true });
});
afterAll(async () => lab.stop());

const homes = { alice: tempDir("bgpals-ro-alice-"), remi: tempDir("bgpals-ro-remi-") };
const routerOf = (op: Operator) => lab.info().routers.find((x) => x.name === op)!;
const spec = (op: Operator) => `${routerOf(op).user}@${routerOf(op).host}:${routerOf(op).port}`;
const exported = (op: Operator) => lab.router(op).exportConfig();

/** The CLI as `op`, on their router; `home` in place of their own config home. */
function as(op: Operator, args: string[], env: Record<string, string> = {}, home = homes[op]) {
  return cliAsync([...args, "--router", spec(op)], { BGPALS_HOME: home, BGPALS_PASSWORD: routerOf(op).password, ...env });
}

const OFFER = ["offer", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--primary", "isp1"];
const ACCEPT = ["--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes"];

/** A refusal: exit 1, nothing on stdout, the one message on stderr naming what and where. */
function expectRefused(r: { code: number | null; stdout: string; stderr: string }, what: string, op: Operator, leave = "run without --read-only") {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(`bgpals: read-only: ${what} would write to ${spec(op)}; ${leave}`);
}

describe("bgpals --read-only", () => {
  it("refuses offer, accept and complete, then apply, remove, prefer and clear, leaving both routers as they were", async () => {
    // The wizard, each step refused read-only before it is run for real.
    const factory = exported("alice");
    expectRefused(await as("alice", ["--read-only", ...OFFER]), "offer", "alice");
    expect(exported("alice")).toBe(factory);
    const offer = await as("alice", [...OFFER, "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout);

    const remiBefore = exported("remi");
    // A home of its own: a refused accept must not be what makes the real one "already used".
    expectRefused(await as("remi", ["accept", bundle, ...ACCEPT, "--read-only"], {}, tempDir("bgpals-ro-other-")), "accept", "remi");
    expect(exported("remi")).toBe(remiBefore);
    const accept = await as("remi", ["accept", bundle, ...ACCEPT, "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    const answer = JSON.parse(accept.stdout).bundle;

    const aliceOffered = exported("alice");
    expectRefused(await as("alice", ["complete", answer, "--yes"], { BGPALS_READ_ONLY: "1" }), "complete", "alice", "run without --read-only (BGPALS_READ_ONLY is set)");
    expect(exported("alice")).toBe(aliceOffered);
    const complete = await as("alice", ["complete", answer, "--yes", "--json"]);
    expect(complete.code, complete.stderr).toBe(0);
    lab.tick();

    // The peering is up: everything that would change it is refused.
    const before = { alice: exported("alice"), remi: exported("remi") };
    const peering = join(homes.alice, "peers", "remi.json");
    expectRefused(await as("alice", ["--read-only", "apply", "--peering", peering, "--side", "alice", "--yes"]), "apply", "alice");
    expectRefused(await as("alice", ["remove", "--peering", peering, "--side", "alice", "--yes"], { BGPALS_READ_ONLY: "yes" }), "remove", "alice", "run without --read-only (BGPALS_READ_ONLY is set)");
    expectRefused(await as("alice", ["--read-only", "prefer", "--friend", "remi", "--primary", "isp2", "--yes"]), "prefer", "alice");
    expectRefused(await as("alice", ["--read-only", "clear", "--friend", "remi", "--yes"]), "clear", "alice");
    // The config file's setting, with a way out that says where it is.
    const configured = tempDir("bgpals-ro-config-");
    writeFileSync(join(configured, "config.json"), `${JSON.stringify({ readOnly: true })}\n`);
    const fromConfig = await as("remi", ["remove", "--peering", join(homes.remi, "peers", "alice.json"), "--side", "remi", "--yes"], {}, configured);
    expectRefused(fromConfig, "remove", "remi", `run without --read-only ("readOnly": true in ${join(configured, "config.json")}; BGPALS_READ_ONLY=0 overrides it for one run)`);
    expect(exported("alice")).toBe(before.alice);
    expect(exported("remi")).toBe(before.remi);

    // What only reads works read-only.
    const status = await as("alice", ["--read-only", "status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).sessions.map((s: { state: string }) => s.state)).toEqual(["established", "established"]);
    const inventory = await as("alice", ["--read-only", "inventory", "--json"]);
    expect(inventory.code, inventory.stderr).toBe(0);
    expect(JSON.parse(inventory.stdout)).toMatchObject({ identity: "alice", version: "7.24" });
    const plan = await as("alice", ["--read-only", "plan", "--peering", peering, "--side", "alice", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ changes: [], conflicts: [] });
    const why = await as("alice", ["--read-only", "why", "192.168.42.0/24", "--json"]);
    expect(why.code, why.stderr).toBe(0);
    expect(JSON.parse(why.stdout).map((a: { verdict: { action: string } }) => a.verdict.action)).toEqual(["accept", "accept"]);
    // A prefer preview is planned without the lock, which would be a write.
    const preview = await as("alice", ["--read-only", "prefer", "--friend", "remi", "--primary", "isp2"]);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain("nothing written: pass --yes to apply");
    expect(preview.stderr).toContain(`read-only: planned without ${spec("alice")}'s lock`);
    const exportedOverSsh = await as("alice", ["--read-only", "export", "--ssh-port", String(routerOf("alice").sshPort)]);
    expect(exportedOverSsh.code, exportedOverSsh.stderr).toBe(0);
    expect(exportedOverSsh.stdout).toContain("bgpals:alice-remi:");
    const unlock = await as("alice", ["--read-only", "unlock", "--json"]);
    expect(JSON.parse(unlock.stdout)).toEqual({ locked: false });

    expect(exported("alice")).toBe(before.alice);
    expect(exported("remi")).toBe(before.remi);
  }, 120_000);
});
