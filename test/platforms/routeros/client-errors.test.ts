// How failures are named and worded, for what node-routeros and the socket under it throw; and
// the fingerprint format of the API-SSL pin.
import { X509Certificate } from "node:crypto";
import { RosException } from "node-routeros";
import { describe, expect, test } from "vitest";
import { labCertificate } from "../../../src/lab/protocol/certificate.js";
import { endpointOf, RouterError, toRouterError } from "../../../src/platforms/routeros/api/errors.js";
import { checkPin, fingerprintOf, normalizeFingerprint } from "../../../src/platforms/routeros/api/tls-pin.js";

const TARGET = { host: "192.0.2.1", user: "admin", password: "s3cret-pass", timeoutMs: 10_000 };

function systemError(code: string, errno: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 192.0.2.1:8728`), { code, errno, syscall: "connect" });
}

describe("toRouterError", () => {
  test("node-routeros's refused connect (numeric errno, empty message) is `refused`", () => {
    const thrown = new RosException(-111 as unknown as string, systemError("ECONNREFUSED", -111));
    expect(thrown.message).toBe("");
    const error = toRouterError(thrown, TARGET);
    expect(error.kind).toBe("refused");
    expect(error.message).toBe(
      "cannot connect to 192.0.2.1:8728: connection refused — is the API service enabled (/ip service enable api) and the port right?",
    );
    expect(toRouterError(thrown, { ...TARGET, tls: true }).message).toContain("192.0.2.1:8729");
    expect(toRouterError(thrown, { ...TARGET, tls: true }).message).toContain("/ip service enable api-ssl");
  });

  test.each([
    ["EHOSTUNREACH", -113, "host unreachable"],
    ["ENETUNREACH", -101, "network unreachable"],
    ["ENOTFOUND", -3008, "host name not found"],
    ["EAI_AGAIN", -3001, "host name lookup failed for now, try again"],
  ])("%s is `unreachable`", (code, errno, reason) => {
    const error = toRouterError(systemError(code, errno), TARGET);
    expect(error.kind).toBe("unreachable");
    expect(error.message).toBe(`cannot reach 192.0.2.1:8728: ${reason} — check the address and the network path to the router`);
  });

  test("login refusals are `bad-credentials`, from node-routeros or RouterOS's own words", () => {
    for (const thrown of [new RosException("CANTLOGIN"), new Error("invalid user name or password (6)")]) {
      const error = toRouterError(thrown, TARGET);
      expect(error.kind).toBe("bad-credentials");
      expect(error.message).toBe("wrong user name or password for admin@192.0.2.1:8728 — check the credentials of this router profile");
    }
  });

  test("node-routeros's socket timeout is `timeout`", () => {
    const error = toRouterError(new RosException("SOCKTMOUT", { seconds: 10 }), TARGET);
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/^no answer from 192\.0\.2\.1:8728 within 10 s — /);
  });

  test("a trap message is `trap`; the password is blanked out of it", () => {
    const error = toRouterError(new Error("invalid value s3cret-pass for password"), TARGET, "/user/set");
    expect(error).toMatchObject({ kind: "trap", command: "/user/set", routerMessage: "invalid value *** for password" });
    expect(error.message).toBe("/user/set failed on 192.0.2.1:8728: invalid value *** for password");
  });

  test("a reset is `closed`; anything unknown is `protocol`", () => {
    expect(toRouterError(systemError("ECONNRESET", -104), TARGET).kind).toBe("closed");
    expect(toRouterError(new RosException("UNKNOWNREPLY", { reply: "!weird" }), TARGET).kind).toBe("protocol");
    expect(toRouterError("ALRDYCONNECTING", TARGET).kind).toBe("protocol");
    expect(toRouterError(undefined, TARGET).kind).toBe("protocol");
  });

  test("a RouterError passes through", () => {
    const error = new RouterError("closed", "gone", endpointOf(TARGET));
    expect(toRouterError(error, TARGET)).toBe(error);
  });
});

describe("fingerprints", () => {
  test("fingerprintOf prints SHA-256 as openssl does", async () => {
    const cert = new X509Certificate((await labCertificate()).cert);
    expect(fingerprintOf(cert)).toBe(cert.fingerprint256);
    expect(fingerprintOf(cert.raw)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test("a stored fingerprint may be written as RouterOS prints it", () => {
    expect(normalizeFingerprint("ab01 CD:ef")).toBe("AB:01:CD:EF");
  });

  test("checkPin: first use accepts, equal passes, different is refused with both shown", () => {
    const endpoint = endpointOf({ host: "gw.example", user: "admin", tls: true });
    const actual = "AA:".repeat(31) + "AA";
    expect(checkPin(null, actual, endpoint)).toBe(actual);
    expect(checkPin(undefined, null, endpoint)).toBeNull();
    expect(checkPin("aa".repeat(32), actual, endpoint)).toBe(actual);
    let thrown: unknown;
    try {
      checkPin("BB".repeat(32), actual, endpoint);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RouterError);
    expect((thrown as RouterError).kind).toBe("fingerprint-changed");
    expect((thrown as RouterError).message).toContain("BB:BB:");
    expect((thrown as RouterError).message).toContain(actual);
    expect(() => checkPin(actual, null, endpoint)).toThrow(/presented no certificate/);
  });
});
