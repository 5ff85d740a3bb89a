// An offer from a router with one OpenVPN server (RouterOS 6.49, carol): a user's enabled server is
// refused before anything is written; a server bgpals shares already is joined on its port, and the
// friend is given the CA of the certificate it shows (issue 13, point 1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discardPrepared, makeOffer } from "../../src/flows/wizard.js";
import { workspaceAt } from "../../src/store/workspace.js";
import { Lab } from "../../src/lab/lab.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { onCleanup, tempDir } from "../helpers.js";

const SERVER = "/interface/ovpn-server/server";
let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["carol"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

async function carol(): Promise<Router> {
  const info = lab.info().routers.find((r) => r.name === "carol")!;
  const router = await routerOs.connect({ host: info.host, port: info.port, user: info.user, password: info.password, timeoutMs: 3000 }, "carol");
  onCleanup(() => router.close());
  return router;
}

/** The server as a test leaves it, set back when the test ends. */
function serverSetTo(attrs: Record<string, string>): void {
  const before = lab.router("carol").store.get(SERVER)!;
  lab.router("carol").store.set(SERVER, null, attrs);
  onCleanup(() => lab.router("carol").store.set(SERVER, null, before));
}

const offerTo = (friend: string) => ({ me: "carol", friend, asn: 64515, networks: ["192.168.88.0/24"], primary: "isp1", links: [{ name: "isp1", kind: "ovpn" as const, iface: "pppoe-out1" }] });

describe("an OpenVPN offer from a router with one server", () => {
  it("a user's enabled server: refused, saying why, before anything is written", async () => {
    serverSetTo({ enabled: "true", port: "443" });
    const before = lab.router("carol").exportConfig();
    const ws = { ...workspaceAt(tempDir("bgpals-one-server-")), secrets: null };
    await expect(makeOffer(await carol(), ws, offerTo("alice"))).rejects.toThrow(
      /^nothing written: carol has one OpenVPN server \(RouterOS before 7\.17\), already enabled on tcp\/443 and not set up by bgpals; bgpals never changes it.*Disable it/,
    );
    expect(lab.router("carol").exportConfig()).toBe(before);
  });

  it("a server bgpals shares already: the offer joins it on its port and hands out the CA of its certificate", async () => {
    const router = await carol();
    const first = await router.makeCertificates("alice-carol", "server");
    onCleanup(() => discardPrepared(router, "alice-carol"));
    serverSetTo({ enabled: "true", port: "1195", certificate: "bgpals-alice-carol-server" });
    const record = lab.router("carol").store.add("/system/scheduler", { name: "bgpals-ovpn-server", disabled: "true", comment: "bgpals:alice-carol:ovpn-server", "on-event": "/interface ovpn-server server set enabled=no" });
    onCleanup(() => lab.router("carol").store.remove("/system/scheduler", record));

    const ws = { ...workspaceAt(tempDir("bgpals-one-server-")), secrets: null };
    const made = await makeOffer(router, ws, offerTo("remi"));
    onCleanup(() => discardPrepared(router, made.offer.peering));
    expect(made.offer.links.map((l) => l.port)).toEqual([1195]);
    expect(made.offer.ovpn?.caFingerprint).toBe(first.caFingerprint);
    // The friend trusts that CA: no second CA nor server certificate is made for the server.
    expect(lab.router("carol").store.at("/certificate").list().map((c) => c.name).sort()).toEqual(["bgpals-alice-carol-ca", "bgpals-alice-carol-server"]);
  });
});
