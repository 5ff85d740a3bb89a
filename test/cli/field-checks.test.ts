// Issue 15, headless: `bgpals offer` and `accept` refuse the values the wizards refuse on their
// fields (a default route, a network holding our WAN address, the friend's networks, WireGuard on
// RouterOS 6), before the first write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { tempDir } from "../helpers.js";
import { cliAsync } from "./cli-async.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi", "carol"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

const homes = { alice: tempDir("bgpals-alice-"), remi: tempDir("bgpals-remi-"), carol: tempDir("bgpals-carol-") };
function as(op: keyof typeof homes, args: string[]) {
  const r = lab.info().routers.find((x) => x.name === op)!;
  return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: homes[op], BGPALS_PASSWORD: r.password });
}
const offerArgs = (networks: string) => ["offer", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", networks, "--link", "isp1:wireguard:vlan832-orange-internet", "--primary", "isp1"];

describe("headless offer refuses before writing", () => {
  it.each([
    ["0.0.0.0/0", /0\.0\.0\.0\/0 is a default route/],
    ["192.168.0.0/24,0.0.0.0/0", /0\.0\.0\.0\/0 is a default route/],
    ["203.0.113.0/24", /203\.0\.113\.0\/24 holds your WAN address 203\.0\.113\.10 \(vlan832-orange-internet\)/],
  ])("--networks %s", async (networks, why) => {
    const before = lab.router("alice").exportConfig();
    const r = await as("alice", offerArgs(networks));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toContain("nothing written");
    expect(lab.router("alice").exportConfig()).toBe(before);
  });

  it("a WireGuard link on RouterOS 6 (refused already before issue 15)", async () => {
    const before = lab.router("carol").exportConfig();
    const r = await as("carol", ["offer", "--me", "carol", "--friend", "remi", "--asn", "64515", "--networks", "192.168.88.0/24", "--link", "isp1:wireguard:pppoe-out1", "--primary", "isp1"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/WireGuard/i);
    expect(lab.router("carol").exportConfig()).toBe(before);
  });
});

describe("headless accept refuses before writing", () => {
  it("a default route (new), and a network overlapping the offer's (refused already)", async () => {
    const offer = await as("alice", [...offerArgs("192.168.0.0/24"), "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle } = JSON.parse(offer.stdout);
    const before = lab.router("remi").exportConfig();
    const accept = (networks: string) => as("remi", ["accept", bundle, "--me", "remi", "--asn", "64513", "--networks", networks, "--wan", "isp1=pppoe-out1", "--yes"]);
    const wide = await accept("192.168.42.0/24,0.0.0.0/0");
    expect(wide.code, wide.stderr).toBe(1);
    expect(wide.stderr).toMatch(/0\.0\.0\.0\/0 is a default route/);
    expect(lab.router("remi").exportConfig()).toBe(before);
    const overlap = await accept("192.168.0.0/16");
    expect(overlap.code, overlap.stderr).toBe(1);
    expect(overlap.stderr).toMatch(/overlaps/);
    expect(overlap.stderr).toContain("nothing written");
    expect(lab.router("remi").exportConfig()).toBe(before);
  });
});
