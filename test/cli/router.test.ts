// Headless router commands against the lab, through the real CLI.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { EXAMPLES, exampleFileFor, tempDir } from "../helpers.js";
import { cliAsync } from "./cli-async.js";
import { STACK_TRACE } from "./run.js";

let lab: Lab;
const home = tempDir("bgpals-router-cli-");
// S1 as remi applies it: remi's keys are the placeholder (remi's router makes them).
const S1_ON_REMI = exampleFileFor("s1", "remi");
/** The routers before the peering's preparation made its certificates: what remove restores. */
const factory: Record<string, string> = {};

beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi", "carol"], tickMs: 50, tls: true });
  for (const name of ["alice", "carol"]) factory[name] = lab.router(name).exportConfig();
  // The certificates offer and accept leave: each side's CA signs its own certificate and each
  // trusts the other's CA; carol pins alice's, the one the example names.
  const aliceCa = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
  const carolCa = "33".repeat(32);
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint: aliceCa, trusted: "true" });
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
  lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-friend-ca", fingerprint: carolCa, trusted: "true" });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint: carolCa, trusted: "true" });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
  lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-friend-ca", fingerprint: aliceCa, trusted: "true" });
});
afterAll(async () => lab.stop());

function spec(name: string, user?: string): string {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return `${user ?? r.user}@${r.host}:${r.port}`;
}
const passwordOf = (name: string) => lab.info().routers.find((x) => x.name === name)!.password;

// Async: the lab runs in this process and must keep answering while the CLI runs.
const cli = (args: string[], env: Record<string, string> = {}) => cliAsync(args, { BGPALS_HOME: home, ...env });

const PPP = { BGPALS_PPP_PASSWORD_ISP1: "first-secret", BGPALS_PPP_PASSWORD_ISP2: "second-secret" };
const RESOLVE = ["--resolve", "vpn.alice.example=203.0.113.10", "--resolve", "vpn2.alice.example=198.51.100.20", "--resolve", "c0ffee123456.sn.mynetname.net=198.18.0.77"];

describe("inventory", () => {
  it("finds what each personality holds", async () => {
    const want = {
      alice: { version: "7.24", dialect: "v7.20", wans: ["vlan832-orange-internet", "sfp-wan-sfr"], lan: "192.168.0.0/24", ddns: false },
      remi: { version: "7.19.6", dialect: "v7", wans: ["pppoe-out1", "pppoe-out2"], lan: "192.168.42.0/24", ddns: false },
      carol: { version: "6.49.10", dialect: "v6", wans: ["pppoe-out1"], lan: "192.168.88.0/24", ddns: true },
    };
    for (const [name, w] of Object.entries(want)) {
      const r = await cli(["inventory", "--router", spec(name), "--json"], { BGPALS_PASSWORD: passwordOf(name) });
      expect(r.code, r.stderr).toBe(0);
      const inv = JSON.parse(r.stdout);
      expect(inv).toMatchObject({ identity: name, version: w.version, dialect: w.dialect });
      expect(inv.wans.map((x: any) => x.interface).sort()).toEqual([...w.wans].sort());
      expect(inv.lans.map((l: any) => l.network)).toContain(w.lan);
      expect(inv.cloud.ddnsEnabled).toBe(w.ddns);
      expect(inv.firewall.dropsFromWan).toBe(true);
      const withDistances = inv.wans.flatMap((x: any) => x.defaultRoutes.map((d: any) => d.distance)).sort();
      expect(withDistances).toEqual(w.wans.map((_, i) => i + 1));
    }
    const text = await cli(["inventory", "--router", spec("carol")], { BGPALS_PASSWORD: passwordOf("carol") });
    expect(text.stdout).toMatch(/IP Cloud: c0ffee123456\.sn\.mynetname\.net \(198\.18\.0\.77\)/);
  });
});

describe("plan, apply, status, remove (S4: alice 7.24 with carol 6.49 over OpenVPN)", () => {
  it("plans, applies on both sides, shows the tunnels and sessions up, re-plans empty, removes", async () => {
    const sides = [["alice", "alice"], ["carol", "carol"]] as const;
    const before = Object.fromEntries(sides.map(([r]) => [r, lab.router(r).exportConfig()]));
    const plan = await cli(["plan", "--router", spec("carol"), "--peering", EXAMPLES.s4, "--side", "carol", "--json", ...RESOLVE], { BGPALS_PASSWORD: passwordOf("carol"), ...PPP });
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expect(planned.conflicts).toEqual([]);
    expect(planned.changes[0]).toMatchObject({ op: "add", path: "/interface/ovpn-client", attrs: { name: "ovpn-alice-isp1", password: "********" }, reason: "OpenVPN client to alice over isp1" });
    expect(plan.stdout).not.toContain("first-secret");

    for (const [router, side] of sides) {
      const r = await cli(["apply", "--router", spec(router), "--peering", EXAMPLES.s4, "--side", side, "--yes", ...RESOLVE], { BGPALS_PASSWORD: passwordOf(router), ...PPP });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^applied \d+ changes on /);
      expect(r.stderr + r.stdout).not.toMatch(/first-secret|second-secret/);
    }
    lab.tick();
    const status = await cli(["status", "--router", spec("alice"), "--json"], { BGPALS_PASSWORD: passwordOf("alice") });
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.tunnels.map((t: any) => [t.name, t.link, t.state])).toEqual([
      ["ovpn-carol-isp1", "isp1", "up"],
      ["ovpn-carol-isp2", "isp2", "up"],
    ]);
    expect(s.sessions.map((x: any) => [x.name, x.link, x.remoteAs, x.state, x.prefixes])).toEqual([
      ["carol-isp1", "isp1", 64515, "established", 1],
      ["carol-isp2", "isp2", 64515, "established", 1],
    ]);
    expect(s.routes.filter((r: any) => r.dst === "192.168.88.0/24").map((r: any) => [r.gateway, r.active, r.localPref, r.link])).toEqual(
      expect.arrayContaining([
        ["172.16.20.2", true, 200, "isp1"],
        ["172.16.21.2", false, 100, "isp2"],
      ]),
    );

    const again = await cli(["plan", "--router", spec("alice"), "--peering", EXAMPLES.s4, "--side", "alice", "--json"], { BGPALS_PASSWORD: passwordOf("alice"), ...PPP });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).changes).toEqual([]);
    const text = await cli(["plan", "--router", spec("alice"), "--peering", EXAMPLES.s4, "--side", "alice"], { BGPALS_PASSWORD: passwordOf("alice"), ...PPP });
    expect(text.stdout).toMatch(/nothing to change/);

    for (const [router, side] of sides) {
      const r = await cli(["remove", "--router", spec(router), "--peering", EXAMPLES.s4, "--side", side, "--yes"], { BGPALS_PASSWORD: passwordOf(router) });
      expect(r.code, r.stderr).toBe(0);
      // The certificates are the peering's too (owned by their names): they go with it.
      expect(before[router]).toContain("bgpals-alice-carol-ca");
      expect(lab.router(router).exportConfig()).toBe(factory[router]);
    }
  }, 120_000);
});

describe("clear errors, exit code 1, nothing written", () => {
  const noTrace = (r: { stderr: string }) => expect(r.stderr).not.toMatch(STACK_TRACE);

  it("bad credentials", async () => {
    const before = lab.router("remi").exportConfig();
    const r = await cli(["apply", "--router", spec("remi"), "--peering", S1_ON_REMI, "--side", "remi", "--yes"], { BGPALS_PASSWORD: "wrong-password" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong user name or password for admin@127\.0\.0\.1/);
    expect(r.stderr).not.toContain("wrong-password");
    noTrace(r);
    expect(lab.router("remi").exportConfig()).toBe(before);
  });

  it("connection refused", async () => {
    const r = await cli(["status", "--router", "admin@127.0.0.1:1"], { BGPALS_PASSWORD: "x" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1: connection refused/);
    noTrace(r);
  });

  it("a router that does not answer in time", async () => {
    // Far longer than the timeout and than a CLI start on a loaded machine: only the timeout can end it in time.
    lab.setLatency("remi", 30_000);
    const before = lab.router("remi").exportConfig();
    const started = Date.now();
    const r = await cli(["apply", "--router", spec("remi"), "--peering", S1_ON_REMI, "--side", "remi", "--yes", "--timeout", "1"], { BGPALS_PASSWORD: passwordOf("remi") });
    lab.setLatency("remi", 0);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no answer from 127\.0\.0\.1:\d+ within 1 s/);
    expect(Date.now() - started).toBeLessThan(20_000);
    noTrace(r);
    expect(lab.router("remi").exportConfig()).toBe(before);
  });

  it("a changed TLS certificate", async () => {
    const tlsPort = lab.info().routers.find((x) => x.name === "alice")!.tlsPort;
    const add = await cli(["router", "add", "alice-tls", "--host", "127.0.0.1", "--port", String(tlsPort), "--tls"]);
    expect(add.code).toBe(0);
    const first = await cli(["status", "--router", "alice-tls", "--json"], { BGPALS_PASSWORD_ALICE_TLS: passwordOf("alice") });
    expect(first.code, first.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(home, "config.json"), "utf8"));
    expect(config.routers["alice-tls"].fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(JSON.stringify(config)).not.toContain(passwordOf("alice"));
    expect(statSync(join(home, "config.json")).mode & 0o777).toBe(0o600);
    config.routers["alice-tls"].fingerprint = "AA:".repeat(31) + "AA";
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(home, "config.json"), JSON.stringify(config));
    const changed = await cli(["status", "--router", "alice-tls"], { BGPALS_PASSWORD_ALICE_TLS: passwordOf("alice") });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/fingerprint/i);
    noTrace(changed);
  });

  it("an untagged object in the way", async () => {
    const remi = lab.router("remi");
    remi.store.add("/interface/wireguard", { name: "wg-alice-isp1", "listen-port": "51820" }, );
    const before = remi.exportConfig();
    const r = await cli(["apply", "--router", spec("remi"), "--peering", S1_ON_REMI, "--side", "remi", "--yes", ...RESOLVE], { BGPALS_PASSWORD: passwordOf("remi") });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing written:[\s\S]*already has wg-alice-isp1 .* without bgpals's tag/);
    expect(remi.exportConfig()).toBe(before);
    const plan = await cli(["plan", "--router", spec("remi"), "--peering", S1_ON_REMI, "--side", "remi", "--json", ...RESOLVE], { BGPALS_PASSWORD: passwordOf("remi") });
    expect(plan.code).toBe(1);
    expect(JSON.parse(plan.stdout).conflicts[0]).toMatchObject({ path: "/interface/wireguard", name: "wg-alice-isp1" });
  });

  it("usage: no --yes, no password without a terminal", async () => {
    const noYes = await cli(["apply", "--router", spec("remi"), "--peering", S1_ON_REMI, "--side", "remi"], { BGPALS_PASSWORD: passwordOf("remi") });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/pass --yes/);
    const noPassword = await cli(["status", "--router", spec("remi")], { BGPALS_PASSWORD: "" });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/no password for .*: set BGPALS_PASSWORD/);
  });
});

describe("router profiles", () => {
  it("adds, lists and removes", async () => {
    expect((await cli(["router", "add", "home", "--host", "192.0.2.1", "--user", "bgpals"])).code).toBe(0);
    const list = JSON.parse((await cli(["router", "list", "--json"])).stdout);
    expect(list.routers).toEqual(expect.arrayContaining([{ name: "home", host: "192.0.2.1", user: "bgpals", tls: false }]));
    // The password goes to the OS keyring where one works; the suite keeps away from it
    // (BGPALS_KEYRING=off, vitest.config.ts), and then nothing is saved anywhere.
    const save = await cli(["router", "add", "vault", "--host", "192.0.2.9", "--save-password"], { BGPALS_PASSWORD: "s3cr3t-pw" });
    expect(save.code).toBe(1);
    expect(save.stderr).toMatch(/BGPALS_KEYRING=off keeps bgpals away from the OS keyring, nothing saved: set BGPALS_PASSWORD_VAULT/);
    expect(readFileSync(join(home, "config.json"), "utf8")).not.toMatch(/vault/);
    const bad = await cli(["router", "add", "vault", "--host", "192.0.2.9", "--save-password"], { BGPALS_PASSWORD: "s3cr3t-pw", BGPALS_KEYRING: "maybe" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BGPALS_KEYRING=maybe: use off .* or on/);
    expect(readFileSync(join(home, "config.json"), "utf8")).not.toMatch(/vault/);
    expect((await cli(["router", "remove", "home"])).code).toBe(0);
    const gone = await cli(["router", "remove", "home"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no router profile named home/);
  });
});
