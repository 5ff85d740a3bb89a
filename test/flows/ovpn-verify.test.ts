// An OpenVPN peering between two RouterOS 7 routers, made by offer, accept and complete as a user
// runs them: remi's client verifies alice's server (verify-server-certificate=yes), and the
// certificate alice's router made at the offer names the endpoint remi dials, so the tunnels come
// up. Against the lab through the real client; the lab refuses a certificate that does not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { applyPrepared, finishAccept, makeOffer, openAnswer, openOffer, prepareAccept, prepareComplete } from "../../src/flows/wizard.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { workspaceAt, type Workspace } from "../../src/store/workspace.js";
import { tempDir, until } from "../helpers.js";

let lab: Lab;
const routers: Router[] = [];
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false, ssh: false });
});
afterAll(async () => {
  await Promise.all(routers.map((r) => r.close().catch(() => undefined)));
  await lab.stop();
});

async function connect(name: string): Promise<Router> {
  const r = lab.info().routers.find((x) => x.name === name)!;
  const router = await routerOs.connect({ host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 20_000 }, name);
  routers.push(router);
  return router;
}
const workspace = (name: string): Workspace => ({ ...workspaceAt(tempDir(`bgpals-ovpn-verify-${name}-`)), secrets: null });

describe("OpenVPN between RouterOS 7 routers, through offer, accept and complete", () => {
  it("remi verifies alice's server certificate, which names the addresses remi dials: both tunnels come up", async () => {
    const [alice, remi] = [await connect("alice"), await connect("remi")];
    const ws = { alice: workspace("alice"), remi: workspace("remi") };
    const made = await makeOffer(alice, ws.alice, {
      me: "alice", friend: "remi", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1",
      links: [{ name: "isp1", kind: "ovpn", iface: "vlan832-orange-internet", endpoint: "203.0.113.10" }, { name: "isp2", kind: "ovpn", iface: "sfp-wan-sfr", endpoint: "198.51.100.20" }],
    });
    const opened = openOffer(made.bundle.text, ws.remi, "remi");
    const accepted = await prepareAccept(remi, ws.remi, opened, { asn: 64513, networks: ["192.168.42.0/24"], wans: { isp1: "pppoe-out1", isp2: "pppoe-out2" } });
    await applyPrepared(remi, accepted);
    const answer = finishAccept(ws.remi, opened, accepted).answer.text;
    const completing = openAnswer(answer, ws.alice, "alice");
    await applyPrepared(alice, await prepareComplete(alice, ws.alice, completing, "alice"));

    const clients = lab.router("remi").store.at("/interface/ovpn-client").list();
    expect(clients.map((c) => [c["connect-to"], c["verify-server-certificate"]])).toEqual([
      ["203.0.113.10", "true"],
      ["198.51.100.20", "true"],
    ]);
    const server = lab.router("alice").store.at("/certificate").find({ name: "bgpals-alice-remi-server" })[0]!;
    expect(server["subject-alt-name"]).toBe("IP:203.0.113.10,IP:198.51.100.20");
    const tunnels = () => lab.dataplane.of("remi").tunnels.filter((t) => t.tunnel.kind === "ovpn");
    await until(() => tunnels().length === 2 && tunnels().every((t) => t.tunnel.up), () => `both OpenVPN tunnels up (${tunnels().map((t) => t.tunnel.reason).join("; ")})`);
  });
});
