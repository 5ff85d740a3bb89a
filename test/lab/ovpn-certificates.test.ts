// What the lab's OpenVPN does with certificates, as RouterOS does: a server or client naming a
// certificate that does not exist is refused on add and set; a RouterOS 7 client that verifies the
// server refuses a certificate whose CN and subject-alt-name do not name the host it dialled.
// Through the real client (bgpals's RouterClient, node-routeros underneath) against the lab.
import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { RouterClient } from "../../src/platforms/routeros/api/client.js";
import { importCa } from "../../src/platforms/routeros/certificates.js";
import { dialectOf } from "../../src/platforms/routeros/dialects.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

async function open(name: string): Promise<RouterClient> {
  const r = lab!.info().routers.find((x) => x.name === name)!;
  return RouterClient.connect({ host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 20_000 });
}

const slow = { timeoutMs: 20_000 };

describe("certificates an OpenVPN server or client names", () => {
  for (const router of ["alice", "carol"] as const) {
    it(`must exist on ${router} (add and set refused, nothing written; none is fine)`, async () => {
      lab = await Lab.start({ routers: [router], tickMs: 0, tls: false, ssh: false });
      const api = await open(router);
      const before = lab.router(router).exportConfig();
      const refused = /input does not match any value of certificate/;
      await expect(api.add("/interface/ovpn-client", { name: "ovpn-x", "connect-to": "192.0.2.1", user: "u", certificate: "no-such-cert" })).rejects.toThrow(refused);
      const server: Record<string, string> = router === "alice" ? { name: "srv", port: "1194" } : {};
      if (router === "alice") await expect(api.add("/interface/ovpn-server/server", { ...server, certificate: "no-such-cert" })).rejects.toThrow(refused);
      else await expect(api.set("/interface/ovpn-server/server", null, { certificate: "no-such-cert" })).rejects.toThrow(refused);
      expect(lab.router(router).exportConfig()).toBe(before);

      await api.add("/interface/ovpn-client", { name: "ovpn-x", "connect-to": "192.0.2.1", user: "u", certificate: "none" });
      await api.add("/certificate", { name: "c", "common-name": "c" });
      await api.run("/certificate/sign", { numbers: "c" }, slow);
      const [client] = await api.print("/interface/ovpn-client", { query: { name: "ovpn-x" } });
      await api.set("/interface/ovpn-client", client![".id"]!, { certificate: "c" });
      expect((await api.print("/interface/ovpn-client", { query: { name: "ovpn-x" } }))[0]?.certificate).toBe("c");
      await api.close();
    });
  }
});

describe("verify-server-certificate (RouterOS 7) checks the name dialled", () => {
  /** An OpenVPN server on alice whose certificate is signed by her CA, and remi's client to it, trusting that CA. */
  async function tunnel(serverCertificate: Record<string, string>): Promise<{ up: boolean; reason?: string; sans: string[] }> {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
    const [alice, remi] = [await open("alice"), await open("remi")];
    await alice.add("/certificate", { name: "ca", "common-name": "ca", "key-usage": "key-cert-sign,crl-sign" });
    await alice.run("/certificate/sign", { numbers: "ca" }, slow);
    await alice.add("/certificate", { name: "server", "key-usage": "digital-signature,key-encipherment,tls-server", ...serverCertificate });
    await alice.run("/certificate/sign", { numbers: "server", ca: "ca" }, slow);
    await alice.run("/certificate/export-certificate", { numbers: "server", type: "pem", "file-name": "server" });
    const pem = (await alice.print("/file", { query: { name: "server.crt" } }))[0]!.contents!;
    await alice.run("/certificate/export-certificate", { numbers: "ca", type: "pem", "file-name": "ca" });
    const caPem = (await alice.print("/file", { query: { name: "ca.crt" } }))[0]!.contents!;
    const caFingerprint = (await alice.print("/certificate", { query: { name: "ca" } }))[0]!.fingerprint!;
    await importCa(remi, "alice-ca", { pem: caPem, fingerprint: caFingerprint }, dialectOf("7.19.6")!);

    await alice.add("/ppp/secret", { name: "remi", password: "pw", service: "ovpn", "local-address": "172.16.30.1", "remote-address": "172.16.30.2" });
    await alice.add("/interface/ovpn-server/server", { name: "srv", port: "1194", certificate: "server", "require-client-certificate": "no", disabled: "no" });
    await alice.add("/ip/firewall/filter", { chain: "input", action: "accept", protocol: "tcp", "dst-port": "1194", "place-before": (await alice.print("/ip/firewall/filter"))[0]![".id"]! });
    await remi.add("/interface/ovpn-client", { name: "ovpn-alice", "connect-to": "vpn.alice.example", port: "1194", user: "remi", password: "pw", "verify-server-certificate": "yes" });
    await Promise.all([alice.close(), remi.close()]);
    lab.tick();
    const state = lab.dataplane.of("remi").tunnels.find((t) => t.tunnel.initiator.interface === "ovpn-alice")!.tunnel;
    const sans = new X509Certificate(pem).subjectAltName?.split(", ") ?? [];
    return { up: state.up, reason: state.reason, sans };
  }

  it("refuses a certificate that names another host, saying which name it wanted", async () => {
    const t = await tunnel({ "common-name": "bgpals-alice-remi-server" });
    expect(t.up).toBe(false);
    expect(t.reason).toMatch(/server certificate server does not name vpn\.alice\.example \(CN bgpals-alice-remi-server, subject-alt-name \(none\)\)/);
  });

  it("accepts the name in the subject-alt-name (a real X.509 extension), whatever the CN", async () => {
    const t = await tunnel({ "common-name": "bgpals-alice-remi-server", "subject-alt-name": "DNS:vpn.alice.example,IP:203.0.113.10" });
    expect(t.sans).toEqual(["DNS:vpn.alice.example", "IP Address:203.0.113.10"]);
    expect(t).toMatchObject({ up: true });
  });

  it("accepts the name as the CN", async () => {
    expect(await tunnel({ "common-name": "vpn.alice.example" })).toMatchObject({ up: true });
  });
});
