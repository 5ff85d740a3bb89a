// The wizard's own commands on every RouterOS 7 command tree bgpals ships: an OpenVPN offer,
// accept and complete (certificates made, exported, uploaded and imported; PPP secrets; read-only
// monitor accounts with their group) between two lab routers running each version. The lab
// refuses what a version's tree does not have, exactly as that router would.
import { tempDir, until } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { RouterClient } from "../../src/platforms/routeros/api/client.js";
import { cliAsync } from "./cli-async.js";

// 7.19.6 and 7.24 are the lab's own (alice, remi): the S1/S4 tests run on them already.
const VERSIONS = ["7.12.2", "7.15.3", "7.20.8", "7.22.3"];

describe.each(VERSIONS)("OpenVPN peering through the wizard on RouterOS %s", (version) => {
  let lab: Lab;
  const homes = { alice: tempDir("bgpals-alice-"), remi: tempDir("bgpals-remi-") };
  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], versions: { alice: version, remi: version }, tickMs: 50, tls: false, ssh: false });
  });
  afterAll(async () => lab.stop());

  const as = async (op: "alice" | "remi", args: string[]) => {
    const r = lab.info().routers.find((x) => x.name === op)!;
    const result = await cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`, "--json"], { BGPALS_HOME: homes[op], BGPALS_PASSWORD: r.password });
    expect(result.code, `${op} ${args[0]} on ${version}: ${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout);
  };

  it("offers, accepts and completes with every command accepted; tunnels up and sessions established", async () => {
    expect(lab.info().routers.map((r) => r.version)).toEqual([version, version]);
    const offer = await as("alice", ["offer", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:ovpn:vlan832-orange-internet", "--link", "isp2:ovpn:sfp-wan-sfr", "--primary", "isp1", "--monitor-account"]);
    const answer = await as("remi", ["accept", offer.bundle, "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--monitor-account", "--yes"]);
    await as("alice", ["complete", answer.bundle, "--yes"]);
    for (const name of ["alice", "remi"]) {
      const store = lab.router(name).store;
      expect(store.at("/certificate").list().length, name).toBeGreaterThanOrEqual(2);
      expect(store.at("/user").find({ name: "bgpals-alice-remi-ro" }).length, name).toBe(1);
    }
    // Waited for on the lab (cheap), then asked of the CLI: each look through it is a process.
    await until(() => lab.dataplane.of("alice").routes.some((r) => r.dst === "192.168.42.0/24" && r.protocol === "bgp" && r.active), `remi's prefix active on alice on ${version}`, 15_000);
    let status: any;
    await until(
      async () => {
        status = await as("alice", ["status"]);
        const up = status.tunnels.length === 2 && status.tunnels.every((t: any) => t.state === "up") && status.sessions.length === 2 && status.sessions.every((s: any) => s.state === "established");
        return up && status.routes.some((r: any) => r.dst === "192.168.42.0/24" && r.active && r.link === "isp1");
      },
      () => `tunnels up, sessions established and remi's prefix via isp1 on ${version}; the last status was ${JSON.stringify(status)}`,
      15_000,
      100,
    );
  }, 60_000);

  it("would refuse what the version's tree lacks, on the menus the wizard writes", async () => {
    const r = lab.info().routers.find((x) => x.name === "alice")!;
    const client = await RouterClient.connect({ host: r.host, port: r.port, user: r.user, password: r.password });
    try {
      for (const path of ["/certificate", "/user/group", "/user", "/ppp/secret", "/interface/ovpn-server"]) {
        await expect(client.add(path, { name: "x", "no-such-argument": "1" }), path).rejects.toMatchObject({ kind: "trap", routerMessage: expect.stringMatching(/no-such-argument/) });
      }
    } finally {
      await client.close();
    }
  });
});
