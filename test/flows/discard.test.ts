// An abandoned OpenVPN offer or accept leaves nothing behind: discardPrepared takes the
// certificates, the imported CA and the read-only account along with any WireGuard interfaces.
import { tempDir } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discardPrepared, makeOffer, openOffer, prepareAccept } from "../../src/flows/wizard.js";
import { workspaceAt } from "../../src/store/workspace.js";
import { Lab } from "../../src/lab/lab.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";

let lab: Lab;
const clients: Router[] = [];
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await lab.stop();
});

async function connection(name: string): Promise<Router> {
  const r = lab.info().routers.find((x) => x.name === name)!;
  const router = await routerOs.connect({ host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 20_000 }, name);
  clients.push(router);
  return router;
}

describe("discardPrepared", () => {
  it("removes what an OpenVPN offer and accept prepared, and the routers are as before", async () => {
    const before = { alice: lab.router("alice").exportConfig(), carol: lab.router("carol").exportConfig() };
    const alice = await connection("alice");
    const carol = await connection("carol");
    const wsAlice = { ...workspaceAt(tempDir("bgpals-discard-a-")), secrets: null };
    const wsCarol = { ...workspaceAt(tempDir("bgpals-discard-c-")), secrets: null };
    const made = await makeOffer(alice, wsAlice, { me: "alice", friend: "carol", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1", links: [{ name: "isp1", kind: "ovpn", iface: "vlan832-orange-internet" }] });
    const opened = openOffer(made.bundle.text, wsCarol, "carol");
    const prepared = await prepareAccept(carol, wsCarol, opened, { asn: 64515, networks: ["192.168.88.0/24"], wans: { isp1: "pppoe-out1" }, monitorAccount: true });
    expect(lab.router("alice").store.at("/certificate").list()).toHaveLength(2);
    expect(lab.router("carol").store.at("/certificate").list()).toHaveLength(3);
    expect(lab.router("carol").store.at("/user").find({ name: "bgpals-alice-carol-ro" })).toHaveLength(1);
    // The accept side's plan has not run: only the prepared objects are there.
    expect(prepared.plan.changes.length).toBeGreaterThan(0);
    expect(lab.router("carol").store.at("/interface/ovpn-client").list()).toEqual([]);

    await discardPrepared(carol, "alice-carol");
    await discardPrepared(alice, "alice-carol");
    expect(lab.router("alice").exportConfig()).toBe(before.alice);
    expect(lab.router("carol").exportConfig()).toBe(before.carol);
    expect(lab.router("carol").userPasswords.has("bgpals-alice-carol-ro")).toBe(false);
  });

  it("a refused accept (ASN clash with the offer) writes nothing at all", async () => {
    const before = lab.router("carol").exportConfig();
    const alice = await connection("alice");
    const carol = await connection("carol");
    const wsAlice = { ...workspaceAt(tempDir("bgpals-discard-a-")), secrets: null };
    const wsCarol = { ...workspaceAt(tempDir("bgpals-discard-c-")), secrets: null };
    const made = await makeOffer(alice, wsAlice, { me: "alice", friend: "carol", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1", links: [{ name: "isp1", kind: "ovpn", iface: "vlan832-orange-internet" }] });
    const opened = openOffer(made.bundle.text, wsCarol, "carol");
    await expect(prepareAccept(carol, wsCarol, opened, { asn: 64514, networks: ["192.168.88.0/24"], wans: { isp1: "pppoe-out1" } })).rejects.toThrow(/refused, nothing written/);
    expect(lab.router("carol").exportConfig()).toBe(before);
    await discardPrepared(alice, "alice-carol");
  });
});
