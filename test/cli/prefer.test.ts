// `bgpals prefer` and `bgpals clear` as two operators run them, each with their own config home,
// on a peering made by the headless wizard (so each keeps the other's identity key).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { tempDir, until } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { cliAsync } from "./cli-async.js";
import { qrLines } from "../../src/ui/widgets/qr.js";

const REMI_LAN = "192.168.42.0/24";
const ALICE_LAN = "192.168.0.0/24";

let lab: Lab;
const homes = { alice: tempDir("bgpals-prefer-alice-"), remi: tempDir("bgpals-prefer-remi-") };
function as(op: "alice" | "remi", args: string[]) {
  const r = lab.info().routers.find((x) => x.name === op)!;
  return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: homes[op], BGPALS_PASSWORD: r.password });
}
const peeringFile = (op: "alice" | "remi") => JSON.parse(readFileSync(join(homes[op], "peers", op === "alice" ? "remi.json" : "alice.json"), "utf8"));

function bgpRoutes(router: string, dst: string) {
  return lab.dataplane.of(router).routes.filter((r) => r.dst === dst && r.protocol === "bgp");
}
const active = (router: string, dst: string) => bgpRoutes(router, dst).find((r) => r.active);

beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
  const offer = await as("alice", ["offer", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", ALICE_LAN, "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--primary", "isp1", "--json"]);
  if (offer.code !== 0) throw new Error(offer.stderr);
  const accept = await as("remi", ["accept", JSON.parse(offer.stdout).bundle, "--me", "remi", "--asn", "64513", "--networks", REMI_LAN, "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"]);
  if (accept.code !== 0) throw new Error(accept.stderr);
  const complete = await as("alice", ["complete", JSON.parse(accept.stdout).bundle, "--yes", "--json"]);
  if (complete.code !== 0) throw new Error(complete.stderr);
  await until(() => active("alice", REMI_LAN)?.gateway === peeringFile("alice").links[0].address.remi, "remi's prefix on isp1");
}, 60_000);
afterAll(async () => lab.stop());

describe("bgpals prefer", () => {
  let bundle = "";

  it("without --yes prints the prediction, the changes and the return-path note, and writes nothing", async () => {
    const before = lab.router("alice").exportConfig();
    const r = await as("alice", ["prefer", "--friend", "remi", "--primary", "isp2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("primary link of alice-remi: isp1 → isp2");
    expect(r.stdout).toContain(`${REMI_LAN} moves: isp1 (local-pref 200) → isp2 (local-pref 200)`);
    expect(r.stdout).toContain("changes on ");
    expect(r.stdout).toContain(`  ~ /routing/filter/rule in-isp2-allow-${REMI_LAN}\n      rule="if (dst in ${REMI_LAN} && dst-len == 24) { set bgp-local-pref 200; accept; }"`);
    expect(r.stdout).toContain(`  ~ /routing/filter/rule out-isp1-net-${ALICE_LAN}\n      rule="if (dst in ${ALICE_LAN} && dst-len == 24) { set bgp-path-prepend 3; accept; }"`);
    expect(r.stdout).toMatch(/The way back \(remi → alice\) is remi's choice/);
    expect(r.stdout).toContain("nothing written: pass --yes to apply");
    expect(lab.router("alice").exportConfig()).toBe(before);
    expect(peeringFile("alice").policy.primary).toBe("isp1");
  });

  it("with --yes applies, shows the move with its time, saves the peering and prints a prefer bundle", async () => {
    const started = Date.now();
    const r = await as("alice", ["prefer", "--friend", "remi", "--primary", "isp2", "--yes", "--json"]);
    const took = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, written: true, peering: "alice-remi", side: "alice", friend: "remi", applied: 4, otherChanges: 0 });
    expect(out.prediction.prefixes).toEqual([expect.objectContaining({ prefix: REMI_LAN, moves: true, from: expect.objectContaining({ link: "isp1" }), to: expect.objectContaining({ link: "isp2", localPref: 200 }) })]);
    expect(out.observed).toMatchObject({ settled: true, prefixes: [{ prefix: REMI_LAN, link: "isp2", localPref: 200, asPredicted: true }] });
    // Measured from the apply to the move seen: within the command's own run.
    expect(out.observed.elapsedMs).toBeLessThan(took);
    expect(out.bundle).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);
    expect(out.fingerprint).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
    expect(peeringFile("alice").policy.primary).toBe("isp2");
    expect(active("alice", REMI_LAN)).toMatchObject({ gateway: peeringFile("alice").links[1].address.remi, bgp: { localPref: 200 } });
    // remi sees alice's prepend on isp1 now, yet keeps coming back over isp1 (its own local-pref).
    const isp1 = peeringFile("alice").links[0].address.alice;
    expect(bgpRoutes("remi", ALICE_LAN).find((x) => x.gateway === isp1)?.bgp?.asPath).toEqual([64514, 64514, 64514, 64514]);
    expect(active("remi", ALICE_LAN)?.gateway).toBe(isp1);
    bundle = out.bundle;
  });

  it("prints the move as text too, and the bundle as a QR code with --qr", async () => {
    const r = await as("alice", ["prefer", "--friend", "remi", "--primary", "isp2", "--yes", "--qr"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("isp2 is already the primary link of alice-remi");
    expect(r.stdout).toMatch(/\d+\.\d s {2}192\.168\.42\.0\/24 via isp2 \(\S+\), local-pref 200/);
    expect(r.stdout).toMatch(/observed: every prefix of remi is where predicted, \d+\.\d s after the apply/);
    expect(r.stdout).toMatch(/send this prefer bundle to remi[\s\S]*\nbgpals1:\S+\nfingerprint /);
    // The QR code of the very text printed (black on white, unless NO_COLOR: its codes are left out here).
    const lines = r.stdout.split("\n");
    const text = lines.find((l) => l.startsWith("bgpals1:"))!;
    const after = lines.slice(lines.findIndex((l) => l.startsWith("fingerprint ")) + 1).filter((l) => l !== "");
    expect(after.map((l) => stripVTControlCharacters(l))).toEqual(qrLines(text).filter((l) => l !== ""));
  });

  it("refuses a tampered prefer bundle on remi, writing nothing", async () => {
    const before = lab.router("remi").exportConfig();
    const tampered = bundle.slice(0, 40) + (bundle[40] === "A" ? "B" : "A") + bundle.slice(41);
    const r = await as("remi", ["prefer", tampered, "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prefer request refused, nothing written: this bundle was changed/);
    expect(lab.router("remi").exportConfig()).toBe(before);
    expect(peeringFile("remi").policy.primary).toBe("isp1");
  });

  it("previews alice's bundle on remi without --yes, writing nothing and keeping the bundle usable", async () => {
    const before = lab.router("remi").exportConfig();
    const r = await as("remi", ["prefer", bundle]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^prefer request from alice \(fingerprint [2-9A-Z-]+\): make isp2 the primary link of alice-remi$/m);
    expect(r.stdout).toContain(`${ALICE_LAN} moves: isp1 (local-pref 200) → isp2 (local-pref 200)`);
    expect(r.stdout).toContain("alice asked for this: once applied, both sides prefer isp2");
    expect(r.stdout).toContain("nothing written: pass --yes to apply");
    expect(lab.router("remi").exportConfig()).toBe(before);
  });

  it("applies alice's bundle on remi: both sides agree, and the way back moves to isp2", async () => {
    const r = await as("remi", ["prefer", bundle, "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, written: true, side: "remi", friend: "alice", applied: 4, bundle: null, observed: { settled: true } });
    expect(peeringFile("remi")).toEqual(peeringFile("alice"));
    const isp2 = peeringFile("remi").links[1].address.alice;
    expect(active("remi", ALICE_LAN)).toMatchObject({ gateway: isp2, bgp: { localPref: 200 } });
  });

  it("refuses the same bundle twice, writing nothing", async () => {
    const before = lab.router("remi").exportConfig();
    const r = await as("remi", ["prefer", bundle, "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already used/);
    expect(lab.router("remi").exportConfig()).toBe(before);
  });

  it("rolls back when a write fails mid-apply, and keeps the peering file", async () => {
    const before = lab.router("alice").exportConfig();
    lab.router("alice").failWrite(2, "trap");
    const r = await as("alice", ["prefer", "--friend", "remi", "--primary", "isp1", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lab fault injected/);
    expect(r.stderr).toMatch(/the router is as it was before/);
    expect(lab.router("alice").exportConfig()).toBe(before);
    expect(peeringFile("alice").policy.primary).toBe("isp2");
  });

  it.each([
    [["prefer", "--primary", "isp2"], 2, /--friend <name> is required/],
    [["prefer", "--friend", "remi"], 2, /--primary <link> is required/],
    [["prefer", "--friend", "remi", "--primary", "isp2", "--wait", "soon"], 2, /--wait "soon": must be a number of seconds from 0 to 600/],
    [["prefer", "bgpals1:AAAA", "--friend", "remi", "--yes"], 2, /drop --friend and --primary/],
    [["prefer", "--friend", "bob", "--primary", "isp2", "--yes"], 1, /no peering with bob here/],
    [["prefer", "--friend", "../remi", "--primary", "isp2"], 2, /a friend's name is/],
    [["prefer", "--friend", "remi", "--primary", "isp9", "--yes"], 1, /no link named isp9; its links are isp1, isp2/],
    [["prefer", "not-a-bundle", "--yes"], 1, /prefer request refused, nothing written: this is not a bgpals bundle/],
    [["clear"], 2, /--friend <name> is required/],
    [["clear", "--friend", "remi", "--link", "isp9"], 1, /no link named isp9/],
  ])("%j exits %i with a message", async (args, code, message) => {
    const before = lab.router("alice").exportConfig();
    const r = await as("alice", args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(lab.router("alice").exportConfig()).toBe(before);
  });

  it("has help for prefer and clear", async () => {
    const prefer = await cliAsync(["prefer", "--help"], { BGPALS_HOME: homes.alice });
    expect(prefer.code).toBe(0);
    expect(prefer.stdout).toMatch(/--primary <link>/);
    expect(prefer.stdout).toMatch(/the way back is your\s+friend's choice/);
    const clear = await cliAsync(["clear", "--help"], { BGPALS_HOME: homes.alice });
    expect(clear.code).toBe(0);
    expect(clear.stdout).toMatch(/limit-exceeded/);
  });
});

describe("bgpals clear", () => {
  it("says there is nothing to clear, then clears a trip once the leak stops", async () => {
    const idle = await as("alice", ["clear", "--friend", "remi"]);
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stdout).toMatch(/nothing to clear/);

    lab.leak("remi", 150);
    await until(() => lab.dataplane.of("alice").sessions.every((s) => s.limitExceeded), "alice's sessions tripped");
    const again = await as("alice", ["clear", "--friend", "remi", "--link", "isp2", "--wait", "0.5"]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/remi-isp2 \(isp2\): tripped again .*remi still sends more prefixes than policy.maxPrefixes \(100\)/);

    lab.leak("remi", 0);
    const r = await as("alice", ["clear", "--friend", "remi", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, cleared: [expect.objectContaining({ session: "remi-isp1", outcome: "established" }), expect.objectContaining({ session: "remi-isp2", outcome: "established" })] });
    await until(() => active("alice", REMI_LAN)?.gateway === peeringFile("alice").links[1].address.remi, "remi's prefix back on isp2");
  });
});
