// The lab's /certificate and /file menus through the real client: add, sign (self-signed CA and a
// certificate signed by it), fingerprints, export as PEM, import on another router (RouterOS 6
// and 7), schema checks on 7, and users whose group has no write policy.
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { RouterClient } from "../../src/platforms/routeros/api/client.js";
import { importCa, makeCertificates } from "../../src/platforms/routeros/certificates.js";
import { RouterError } from "../../src/platforms/routeros/api/errors.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "carol", "remi"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

async function open(name: string, user?: { name: string; password: string }): Promise<RouterClient> {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return RouterClient.connect({ host: r.host, port: r.port, user: user?.name ?? r.user, password: user?.password ?? r.password, timeoutMs: 20_000 });
}

describe("lab /certificate", () => {
  it("signs a CA and a server certificate on RouterOS 7, with real X.509 and SHA-256 fingerprints", async () => {
    const alice = await open("alice");
    await alice.add("/certificate", { name: "t-ca", "common-name": "t-ca", "key-usage": "key-cert-sign,crl-sign", "days-valid": "3650" });
    await alice.add("/certificate", { name: "t-server", "common-name": "t-server", "key-usage": "digital-signature,key-encipherment,tls-server" });
    const unsigned = (await alice.print("/certificate", { query: { name: "t-ca" } }))[0]!;
    expect(unsigned.fingerprint).toBeUndefined();
    expect(unsigned).toMatchObject({ "key-size": "2048", "digest-algorithm": "sha256", trusted: "false" });

    // A certificate cannot be signed by a CA that is not signed yet.
    await expect(alice.run("/certificate/sign", { numbers: "t-server", ca: "t-ca" })).rejects.toThrow(/CA certificate not found/);
    await alice.run("/certificate/sign", { numbers: "t-ca" }, { timeoutMs: 20_000 });
    await alice.run("/certificate/sign", { numbers: "t-server", ca: "t-ca" }, { timeoutMs: 20_000 });
    const [ca, server] = [(await alice.print("/certificate", { query: { name: "t-ca" } }))[0]!, (await alice.print("/certificate", { query: { name: "t-server" } }))[0]!];
    expect(ca).toMatchObject({ trusted: "true", "private-key": "true", authority: "true", fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(server).toMatchObject({ ca: "t-ca", issued: "true", "private-key": "true", authority: "false", trusted: "false" });
    expect(server.fingerprint).not.toBe(ca.fingerprint);
    await expect(alice.run("/certificate/sign", { numbers: "t-ca" })).rejects.toThrow(/already signed/);

    // Exported PEM: the fingerprint printed is the SHA-256 of its DER.
    await alice.run("/certificate/export-certificate", { numbers: "t-ca", type: "pem" });
    const [file] = await alice.print("/file", { query: { name: "cert_export_t-ca.crt" } });
    const x = new X509Certificate(file!.contents!);
    expect(x.fingerprint256.replace(/:/g, "").toLowerCase()).toBe(ca.fingerprint);
    expect(x.ca).toBe(true);
    expect(file!.contents).not.toMatch(/PRIVATE KEY/);

    // RouterOS 7 checks arguments against its command tree: certificates carry no comment.
    await expect(alice.add("/certificate", { name: "t-x", "common-name": "x", comment: "bgpals:x:ca" })).rejects.toThrow(/unknown parameter comment/);
    await expect(alice.run("/certificate/sign", { numbers: "t-ca", bogus: "1" })).rejects.toThrow(/unknown parameter bogus/);
    for (const c of await alice.print("/certificate")) await alice.remove("/certificate", c[".id"]!);
    await alice.remove("/file", file![".id"]!);
    await alice.close();
  });

  it("moves a CA certificate from RouterOS 7 to RouterOS 6 (print file=, set contents=, import) and to 7.19 (file add)", async () => {
    const before = { carol: lab.router("carol").exportConfig(), remi: lab.router("remi").exportConfig() };
    const alice = await open("alice");
    const ca = await makeCertificates(alice, { ca: "m-ca", leaf: "m-server" }, "server");
    expect(ca.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const carol = await open("carol");
    // RouterOS 6 has no /file add.
    await expect(carol.add("/file", { name: "x.crt", contents: "x" })).rejects.toThrow(/no such command/);
    await importCa(carol, "m-friend-ca", ca, { fileAdd: false });
    const onCarol = (await carol.print("/certificate", { query: { name: "m-friend-ca" } }))[0]!;
    expect(onCarol).toMatchObject({ fingerprint: ca.fingerprint, trusted: "true", "private-key": "false", "common-name": "m-ca" });
    expect(await carol.print("/file")).toEqual([]);
    // A tampered PEM is refused before anything is written.
    const other = { ...ca, fingerprint: "0".repeat(64) };
    await expect(importCa(carol, "m-other", other, { fileAdd: false })).rejects.toThrow(/does not match its fingerprint/);

    const remi = await open("remi");
    await importCa(remi, "m-friend-ca", ca, { fileAdd: true });
    expect((await remi.print("/certificate", { query: { name: "m-friend-ca" } }))[0]).toMatchObject({ fingerprint: ca.fingerprint, trusted: "true" });
    expect(await remi.print("/file")).toEqual([]);

    for (const [client, name] of [[carol, "carol"], [remi, "remi"]] as const) {
      for (const c of await client.print("/certificate")) await client.remove("/certificate", c[".id"]!);
      expect(lab.router(name).exportConfig()).toBe(before[name]);
    }
    for (const c of await alice.print("/certificate")) await alice.remove("/certificate", c[".id"]!);
    await Promise.all([alice.close(), carol.close(), remi.close()]);
  });

  it("imports nothing from a file that holds no certificate, and says so", async () => {
    const remi = await open("remi");
    const id = await remi.add("/file", { name: "junk.crt", contents: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" });
    const [result] = await remi.run("/certificate/import", { "file-name": "junk.crt", passphrase: "" });
    expect(result).toMatchObject({ "certificates-imported": "0", "decryption-failures": "1" });
    await remi.remove("/file", id);
    await remi.close();
  });
});

describe("lab users and groups", () => {
  it("a user in a group without the write policy reads but cannot write; without api it cannot log in", async () => {
    for (const name of ["alice", "carol"]) {
      const admin = await open(name);
      await admin.add("/user/group", { name: "ro", policy: "read,api,!write,!policy,!sensitive" });
      await admin.add("/user", { name: "friend-ro", group: "ro", password: "s3cret-pass" });
      await admin.add("/user/group", { name: "noapi", policy: "read,winbox" });
      await admin.add("/user", { name: "friend-noapi", group: "noapi", password: "other-pass" });
      // The password is never printed.
      expect((await admin.print("/user", { query: { name: "friend-ro" } }))[0]!.password).toBeUndefined();

      const ro = await open(name, { name: "friend-ro", password: "s3cret-pass" });
      expect((await ro.print("/interface")).length).toBeGreaterThan(0);
      await expect(ro.add("/ip/address", { address: "10.9.9.1/24", interface: "ether2" })).rejects.toThrow(/not enough permissions/);
      await expect(ro.run("/certificate/sign", { numbers: "x" })).rejects.toThrow(/not enough permissions/);
      await ro.close();
      await expect(open(name, { name: "friend-ro", password: "wrong" })).rejects.toThrow(RouterError);
      await expect(open(name, { name: "friend-noapi", password: "other-pass" })).rejects.toThrow(RouterError);

      // A group in use cannot go before its user.
      const group = (await admin.print("/user/group", { query: { name: "ro" } }))[0]!;
      await expect(admin.remove("/user/group", group[".id"]!)).rejects.toThrow(/in use/);
      for (const u of ["friend-ro", "friend-noapi"]) await admin.remove("/user", (await admin.print("/user", { query: { name: u } }))[0]![".id"]!);
      for (const g of ["ro", "noapi"]) await admin.remove("/user/group", (await admin.print("/user/group", { query: { name: g } }))[0]![".id"]!);
      await admin.close();
    }
  });
});
