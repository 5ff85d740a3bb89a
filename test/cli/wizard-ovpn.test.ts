// S4 headless over OpenVPN: alice (RouterOS 7.24) offers and serves, carol (RouterOS 6.49.10)
// accepts as the client, alice completes. Certificates are made and moved on the routers, the PPP
// passwords cross sealed in the answer, both grant a read-only monitor account; then both remove
// the peering and their routers are exactly as before.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir, until } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { parseBundle } from "../../src/core/bundle-layout.js";
import { friendMonitorAccount } from "../../src/store/friends.js";
import { workspaceAt } from "../../src/store/workspace.js";
import { RouterClient } from "../../src/platforms/routeros/api/client.js";
import { cliAsync, type CliResult } from "./cli-async.js";

const ALICE_LINKS = ["--link", "isp1:ovpn:vlan832-orange-internet", "--link", "isp2:ovpn:sfp-wan-sfr", "--primary", "isp1"];
const CAROL_WANS = ["--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out1"];

let lab: Lab;
const before: Record<string, string> = {};
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 50, tls: false, ssh: false });
  for (const name of ["alice", "carol"]) before[name] = lab.router(name).exportConfig();
});
afterAll(async () => lab.stop());

const homes = { alice: tempDir("bgpals-alice-"), carol: tempDir("bgpals-carol-") };
const outputs: CliResult[] = [];
async function as(op: "alice" | "carol", args: string[]): Promise<CliResult> {
  const r = lab.info().routers.find((x) => x.name === op)!;
  const result = await cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: homes[op], BGPALS_PASSWORD: r.password });
  outputs.push(result);
  return result;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

describe("headless S4 over OpenVPN (alice 7.24 serves, carol 6.49.10 dials)", () => {
  let offer = "";
  let answer = "";

  it("offer: alice's router makes the CA and the server certificate first; the CA goes into the offer", async () => {
    const r = await as("alice", ["offer", "--me", "alice", "--friend", "carol", "--asn", "64514", "--networks", "192.168.0.0/24", ...ALICE_LINKS, "--monitor-account", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    offer = JSON.parse(r.stdout).bundle;
    const certs = lab.router("alice").store.at("/certificate").list();
    expect(certs.map((c) => [c.name, c.trusted, c["private-key"]])).toEqual([
      ["bgpals-alice-carol-ca", "true", "true"],
      ["bgpals-alice-carol-server", "false", "true"],
    ]);
    // The public body, read through the bundle layout (the signature after it may hold any byte).
    const parsed = parseBundle(Buffer.from(offer.slice("bgpals1:".length), "base64url"));
    if (!parsed.ok) throw new Error(`offer does not parse: ${parsed.problem}`);
    const body = JSON.parse(Buffer.from(parsed.bundle.header.body).toString("utf8"));
    expect(body.ovpn.caFingerprint).toBe(certs[0]!.fingerprint);
    expect(body.links.map((l: any) => [l.kind, l.port, l.user, l.caFingerprint])).toEqual([
      ["ovpn", 1194, "carol-isp1", certs[0]!.fingerprint],
      ["ovpn", 1194, "carol-isp2", certs[0]!.fingerprint],
    ]);
    expect(body.monitor).toEqual({ user: "bgpals-alice-carol-ro", api: `${body.links[0].addresses[0]}:8728` });
    // Nothing but the certificates is on alice's router yet.
    expect(lab.router("alice").store.at("/ppp/secret").list()).toEqual([]);
  });

  it("accept: carol imports alice's CA, makes her client certificate and read-only account, applies, answers", async () => {
    const r = await as("carol", ["accept", offer, "--me", "carol", "--asn", "64515", "--networks", "192.168.88.0/24", ...CAROL_WANS, "--monitor-account", "--monitor-api", "198.18.0.77:8728", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    answer = JSON.parse(r.stdout).bundle;
    const carol = lab.router("carol").store;
    expect(carol.at("/certificate").list().map((c) => c.name).sort()).toEqual(["bgpals-alice-carol-ca", "bgpals-alice-carol-client", "bgpals-alice-carol-friend-ca"]);
    const friendCa = carol.at("/certificate").find({ name: "bgpals-alice-carol-friend-ca" })[0]!;
    expect(friendCa).toMatchObject({ trusted: "true", "private-key": "false", fingerprint: lab.router("alice").store.at("/certificate").find({ name: "bgpals-alice-carol-ca" })[0]!.fingerprint });
    expect(carol.at("/file").list()).toEqual([]);
    expect(carol.at("/user").find({ name: "bgpals-alice-carol-ro" })[0]).toMatchObject({ group: "bgpals-alice-carol-ro", comment: "bgpals:alice-carol:monitor-user" });
    const clients = carol.at("/interface/ovpn-client").list();
    expect(clients.map((c) => [c.name, c.user, c.certificate])).toEqual([
      ["ovpn-alice-isp1", "carol-isp1", "bgpals-alice-carol-client"],
      ["ovpn-alice-isp2", "carol-isp2", "bgpals-alice-carol-client"],
    ]);
    expect(clients[0]!.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(clients[0]!.password).not.toBe(clients[1]!.password);
  });

  it("complete: alice trusts carol's CA, creates the PPP secrets and carol's account; tunnels up, BGP established, carol's prefix active", async () => {
    const r = await as("alice", ["complete", answer, "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ peering: "alice-carol", friend: "carol" });
    const alice = lab.router("alice").store;
    const carolClients = lab.router("carol").store.at("/interface/ovpn-client").list();
    expect(alice.at("/ppp/secret").list().map((s) => [s.name, s.password === carolClients.find((c) => c.user === s.name)!.password, s.disabled])).toEqual([
      ["carol-isp1", true, "false"],
      ["carol-isp2", true, "false"],
    ]);
    expect(alice.at("/certificate").find({ name: "bgpals-alice-carol-friend-ca" })[0]).toMatchObject({ trusted: "true", "private-key": "false" });

    // Waited for on the lab (cheap), then asked of the CLI: each look through it is a process.
    await until(() => lab.dataplane.of("alice").routes.some((r) => r.dst === "192.168.88.0/24" && r.protocol === "bgp" && r.active), "carol's prefix active on alice");
    const status = await until(async () => {
      const s = await as("alice", ["status", "--json"]);
      const parsed = JSON.parse(s.stdout);
      const active = parsed.routes.find((x: any) => x.dst === "192.168.88.0/24" && x.active);
      return parsed.tunnels.every((t: any) => t.state === "up") && parsed.sessions.every((x: any) => x.state === "established") && active ? parsed : undefined;
    }, "tunnels up, sessions established and carol's prefix active on alice");
    expect(status.tunnels.map((t: any) => [t.link, t.state])).toEqual([["isp1", "up"], ["isp2", "up"]]);
    const aliceCopy = readFileSync(join(homes.alice, "peers", "carol.json"), "utf8");
    const carolIsp1 = JSON.parse(aliceCopy).links.find((l: any) => l.name === "isp1").address.carol;
    expect(status.routes.find((x: any) => x.dst === "192.168.88.0/24" && x.active)).toMatchObject({ link: "isp1", localPref: 200, gateway: carolIsp1 });

    // The tunnels depend on the certificates: alice distrusting carol's CA takes them down, and back.
    const friendCa = alice.at("/certificate").find({ name: "bgpals-alice-carol-friend-ca" })[0]!;
    alice.set("/certificate", friendCa[".id"]!, { trusted: "false" });
    lab.tick();
    expect(lab.dataplane.of("carol").tunnels.filter((t) => !t.tunnel.up).map((t) => t.tunnel.reason)).toEqual([
      expect.stringMatching(/alice does not trust the CA that signed carol's client certificate/),
      expect.stringMatching(/alice does not trust the CA that signed carol's client certificate/),
    ]);
    alice.set("/certificate", friendCa[".id"]!, { trusted: "true" });
    lab.tick();
    expect(lab.dataplane.of("carol").tunnels.every((t) => t.tunnel.up)).toBe(true);

    // Both hold the same peering file, without secrets.
    expect(aliceCopy).toBe(readFileSync(join(homes.carol, "peers", "alice.json"), "utf8"));
    expect(JSON.parse(aliceCopy).links[0]).toMatchObject({ kind: "ovpn", listener: "alice", user: "carol-isp1", requireClientCertificate: true });
  });

  it("never shows a PPP or monitor password: not in any output, peers file or pending file", async () => {
    const passwords = lab.router("carol").store.at("/interface/ovpn-client").list().map((c) => c.password!);
    passwords.push(...lab.router("alice").userPasswords.values(), ...lab.router("carol").userPasswords.values());
    const secrets = passwords.filter((p) => /^[A-Za-z0-9_-]{24}$/.test(p));
    expect(secrets.length).toBe(4);
    const texts = [...outputs.flatMap((o) => [o.stdout, o.stderr])];
    // The kept bundles too: the answer carries the PPP and account passwords, sealed to alice.
    expect(filesUnder(homes.carol).filter((f) => f.includes(join("outbox", "answer-")))).toHaveLength(1);
    expect(filesUnder(homes.alice).filter((f) => f.includes(join("inbox", "answer-")))).toHaveLength(1);
    for (const home of Object.values(homes)) {
      for (const file of filesUnder(home).filter((f) => !f.includes(`${join("monitor", "")}`))) texts.push(readFileSync(file, "utf8"));
    }
    for (const secret of secrets) for (const text of texts) expect(text.includes(secret)).toBe(false);
  });

  it("each side's monitor logs in to the friend's router read-only with the account it was granted", async () => {
    for (const [me, friend] of [["alice", "carol"], ["carol", "alice"]] as const) {
      const ws = workspaceAt(homes[me]);
      const account = friendMonitorAccount(ws, friend);
      expect(account, `${me}'s account on ${friend}`).not.toBeNull();
      expect(account!.user).toBe("bgpals-alice-carol-ro");
      const file = join(homes[me], "monitor", `${friend}.json`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(existsSync(join(homes[me], "peers", "monitor"))).toBe(false);
      // The lab listens on loopback: connect to the friend's lab port with the granted account.
      const r = lab.info().routers.find((x) => x.name === friend)!;
      const client = await RouterClient.connect({ host: r.host, port: r.port, user: account!.user, password: account!.password, timeoutMs: 5000 });
      expect((await client.print("/interface")).length).toBeGreaterThan(0);
      await expect(client.add("/ip/firewall/address-list", { list: "x", address: "10.0.0.1" })).rejects.toThrow(/not enough permissions/);
      await client.close();
    }
    expect(friendMonitorAccount(workspaceAt(homes.carol), "alice")).toMatchObject({ host: expect.stringMatching(/^172\.16\./), port: 8728 });
    expect(friendMonitorAccount(workspaceAt(homes.alice), "carol")).toMatchObject({ host: "198.18.0.77", port: 8728 });
  });

  it("remove on both sides takes the certificates and accounts too and restores each router exactly", async () => {
    for (const [me, friend] of [["alice", "carol"], ["carol", "alice"]] as const) {
      const r = await as(me, ["remove", "--peering", join(homes[me], "peers", `${friend}.json`), "--side", me, "--yes", "--json"]);
      expect(r.code, r.stderr).toBe(0);
    }
    lab.tick();
    for (const name of ["alice", "carol"]) expect(lab.router(name).exportConfig()).toBe(before[name]);
    expect(lab.router("alice").certificateKeys.size).toBe(0);
    expect(lab.router("carol").userPasswords.has("bgpals-alice-carol-ro")).toBe(false);
  });
});
