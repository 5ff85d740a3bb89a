// `bgpals prefer` on a RouterOS 6 side: carol (6.49.10) swaps the primary of S4 in place. The
// old backup's rule loses its set-bgp-prepend through `unset`, which plan review shows as !name.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Peering } from "../../src/core/peering.js";
import { Lab } from "../../src/lab/lab.js";
import { example, tempDir, until } from "../helpers.js";
import { buildPeering } from "../lab/lab-helpers.js";
import { cliAsync } from "./cli-async.js";

const ALICE_LAN = "192.168.0.0/24";
const CAROL_LAN = "192.168.88.0/24";
const ISP1_ALICE = "172.16.20.1";
const ISP2_ALICE = "172.16.21.1";

let lab: Lab;
let original = "";
const home = tempDir("bgpals-prefer-carol-");
const peeringFile = () => JSON.parse(readFileSync(join(home, "peers", "alice.json"), "utf8")) as Peering;
function asCarol(args: string[]) {
  const r = lab.info().routers.find((x) => x.name === "carol")!;
  return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: home, BGPALS_PASSWORD: r.password });
}
const active = (dst: string) => lab.dataplane.of("carol").routes.find((r) => r.dst === dst && r.protocol === "bgp" && r.active);
const outRule = (link: string) => lab.router("carol").store.at("/routing/filter").list().find((r) => r.comment === `bgpals:alice-carol:out-${link}-net-${CAROL_LAN}`)!;

beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 50, tls: false, ssh: false });
  // The OpenVPN certificates S4's preparation would have made (the CA fingerprint is the example's).
  const fingerprint = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true" });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
  const peering = await buildPeering(lab, example("s4"), { pppPassword: { isp1: "first-secret", isp2: "second-secret" } });
  mkdirSync(join(home, "peers"), { recursive: true });
  writeFileSync(join(home, "peers", "alice.json"), `${JSON.stringify(peering, null, 2)}\n`);
  lab.tick();
  await until(() => active(ALICE_LAN)?.gateway === ISP1_ALICE, "alice's prefix on carol via isp1");
  original = lab.router("carol").exportConfig();
}, 60_000);
afterAll(async () => lab.stop());

describe("bgpals prefer on RouterOS 6 (carol 6.49.10)", () => {
  it("without --yes shows the cleared prepend as !set-bgp-prepend, and writes nothing", async () => {
    const r = await asCarol(["prefer", "--friend", "alice", "--primary", "isp2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("primary link of alice-carol: isp1 → isp2");
    expect(r.stdout).toContain(`  ~ /routing/filter out-isp1-net-${CAROL_LAN}\n      set-bgp-prepend=3\n`);
    expect(r.stdout).toContain(`  ~ /routing/filter out-isp2-net-${CAROL_LAN}\n      !set-bgp-prepend  (was 3)\n`);
    expect(r.stdout).toContain("nothing written: pass --yes to apply");
    expect(lab.router("carol").exportConfig()).toBe(original);
  });

  it("--yes swaps in place: local-pref in, prepend out, the old backup's prepend gone, the path moved", async () => {
    const r = await asCarol(["prefer", "--friend", "alice", "--primary", "isp2", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/applied 4 changes; saved \S+alice\.json \(primary isp2\)/);
    expect(r.stdout).toMatch(/observed: every prefix of alice is where predicted/);
    expect(peeringFile().policy.primary).toBe("isp2");
    expect(outRule("isp1")["set-bgp-prepend"]).toBe("3");
    expect(outRule("isp2")).not.toHaveProperty("set-bgp-prepend");
    expect(active(ALICE_LAN)).toMatchObject({ gateway: ISP2_ALICE, bgp: { localPref: 200 } });
  });

  it("--primary isp1 --yes --json returns everything: carol's export equals the original", async () => {
    const r = await asCarol(["prefer", "--friend", "alice", "--primary", "isp1", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, written: true, applied: 4, otherChanges: 0, observed: { settled: true } });
    expect(out.plan.changes).toContainEqual(expect.objectContaining({ op: "set", path: "/routing/filter", role: `out-isp1-net-${CAROL_LAN}`, attrs: {}, unset: ["set-bgp-prepend"] }));
    expect(peeringFile().policy.primary).toBe("isp1");
    await until(() => active(ALICE_LAN)?.gateway === ISP1_ALICE, "alice's prefix back on isp1");
    expect(lab.router("carol").exportConfig()).toBe(original);
  });

  it("rolls back when the clearing write fails, keeping the peering file", async () => {
    const before = lab.router("carol").exportConfig();
    // The lock, then the four filter writes: the 5th is the unset on isp2's out rule.
    lab.router("carol").failWrite(5, "trap");
    const r = await asCarol(["prefer", "--friend", "alice", "--primary", "isp2", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed: set /routing/filter out-isp2-net-${CAROL_LAN}: `);
    expect(r.stderr).toMatch(/lab fault injected[\s\S]*the router is as it was before/);
    expect(lab.router("carol").exportConfig()).toBe(before);
    expect(peeringFile().policy.primary).toBe("isp1");
  });
});
