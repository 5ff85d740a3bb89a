// The headless flow (bgpals plan / apply) refuses a peering file whose keys or CA fingerprints are
// not the router's, naming both, and writes nothing; a fingerprint written sha256:<HEX> is taken.
// The real CLI against the lab.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import type { Peering } from "../../src/core/peering.js";
import { appliedOn, example, tempDir } from "../helpers.js";
import { planAndApply, withFriendCa } from "../platforms/routeros/apply-helpers.js";
import { cliAsync } from "./cli-async.js";
import { STACK_TRACE } from "./run.js";

let lab: Lab;
const home = tempDir("bgpals-keys-cli-");
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

const router = (name: string) => {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return { spec: `${r.user}@${r.host}:${r.port}`, password: r.password };
};
const PPP = { BGPALS_PPP_PASSWORD_ISP1: "first-secret", BGPALS_PPP_PASSWORD_ISP2: "second-secret" };
const RESOLVE = ["--resolve", "vpn.alice.example=203.0.113.10", "--resolve", "vpn2.alice.example=198.51.100.20"];

function file(name: string, peering: Peering | Record<string, unknown>): string {
  const path = join(home, `${name}.peering.json`);
  writeFileSync(path, JSON.stringify(peering, null, 2));
  return path;
}

const run = (command: "plan" | "apply", side: string, path: string) =>
  cliAsync([command, "--router", router(side).spec, "--peering", path, "--side", side, ...(command === "apply" ? ["--yes", ...RESOLVE] : [])], { BGPALS_HOME: home, BGPALS_PASSWORD: router(side).password, ...PPP });

describe("bgpals plan and apply check keys and certificates against the router", () => {
  it("a WireGuard key that is not the router's: both refuse, naming the link and both keys, nothing written", async () => {
    const s1 = example("s1");
    expect((await planAndApply(lab, "alice", appliedOn(s1, "alice"))).result.ok).toBe(true);
    const held = lab.router("alice").store.at("/interface/wireguard").find({ comment: "bgpals:alice-remi:tunnel-isp1" })[0]!["public-key"]!;
    const before = lab.router("alice").exportConfig();
    const path = file("s1-other-key", s1);
    for (const command of ["plan", "apply"] as const) {
      const r = await run(command, "alice", path);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/refused for this router .*nothing written/);
      expect(r.stderr).toContain(`links[0].publicKey.alice: link isp1: the file names ${s1.links[0]!.publicKey!.alice} as our WireGuard key, but the router's interface for isp1 has ${held}`);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    }
    expect(lab.router("alice").exportConfig()).toBe(before);
    expect((await planAndApply(lab, "alice", s1, { remove: true })).result.ok).toBe(true);
  });

  it("a CA fingerprint that is not the friend's CA on the router: refused; the same CA written sha256:<HEX> applies", async () => {
    const s3 = await withFriendCa(lab, "remi", appliedOn(example("s3"), "remi"));
    const held = s3.links[0]!.caFingerprint!;
    const before = lab.router("remi").exportConfig();
    const wrong = structuredClone(s3) as unknown as { links: Array<{ caFingerprint: string }> };
    for (const link of wrong.links) link.caFingerprint = `sha256:${"C0".repeat(32)}`;
    const path = file("s3-wrong-ca", wrong);
    for (const command of ["plan", "apply"] as const) {
      const r = await run(command, "remi", path);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`links[0].caFingerprint: link isp1: the file pins alice's CA ${"c0".repeat(32)}, but the CA of alice on this router is ${held}`);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    }
    expect(lab.router("remi").exportConfig()).toBe(before);

    const right = structuredClone(s3) as unknown as { links: Array<{ caFingerprint: string }> };
    for (const link of right.links) link.caFingerprint = `SHA256:${held.toUpperCase()}`;
    const applied = await run("apply", "remi", file("s3-right-ca", right));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied \d+ changes on /);
    expect(lab.router("remi").store.at("/certificate").find({ name: "bgpals-alice-remi-ovpn-client" })[0]).toMatchObject({ ca: "bgpals-alice-remi-ovpn-ca" });
    const removed = await cliAsync(["remove", "--router", router("remi").spec, "--peering", file("s3-right-ca", right), "--side", "remi", "--yes"], { BGPALS_HOME: home, BGPALS_PASSWORD: router("remi").password });
    expect(removed.code, removed.stderr).toBe(0);
  });
});
