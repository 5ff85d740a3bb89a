// Read-only mode at the seam and below it: a router opened read-only refuses every write (the
// lock included) before anything is sent, and its API client refuses any command that is not a
// read, so that a write path the Router does not know of is refused all the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { ReadOnlyError } from "../../../src/errors.js";
import { RouterClient, readsOnly } from "../../../src/platforms/routeros/api/client.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { SshSession } from "../../../src/platforms/routeros/ssh.js";
import type { RouterOsRouter } from "../../../src/platforms/routeros/router.js";
import { readOnlyPlatform, type Router } from "../../../src/platforms/platform.js";
import { appliedOn, example } from "../../helpers.js";
import { labResolve, targetOf } from "./apply-helpers.js";

const READ_ONLY = { leave: "run without --read-only" };

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: true });
});
afterAll(async () => lab.stop());

const exported = () => lab.router("alice").exportConfig();

/** What a promise rejected with (a test fails when it resolved). */
async function refusal(work: Promise<unknown>): Promise<ReadOnlyError> {
  const outcome = await work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(ReadOnlyError);
  return outcome.error as ReadOnlyError;
}

describe("the API client, read-only", () => {
  it("reads, and refuses every write command before it is sent", async () => {
    const before = exported();
    const client = await RouterClient.connect({ ...targetOf(lab, "alice"), readOnly: READ_ONLY });
    try {
      const [identity] = await client.print("/system/identity");
      expect(identity?.name).toBe("alice");
      expect(await client.count("/interface")).toBeGreaterThan(0);
      const [address] = await client.print("/ip/address");
      const at = `${targetOf(lab, "alice").user}@${targetOf(lab, "alice").host}:${targetOf(lab, "alice").port}`;
      const added = await refusal(client.add("/ip/address", { address: "10.99.0.1/24", interface: "bridge" }));
      expect(added.message).toBe(`read-only: /ip/address/add would write to ${at}; run without --read-only`);
      await refusal(client.set("/ip/address", address![".id"]!, { comment: "changed" }));
      await refusal(client.unset("/ip/address", address![".id"]!, "comment"));
      await refusal(client.remove("/ip/address", address![".id"]!));
      await refusal(client.set("/system/identity", null, { name: "mallory" }));
      await refusal(client.run("/system/scheduler/add", { name: "bgpals-lock" }));
      // A print into a file writes one.
      await refusal(client.run("/file/print", { file: "leak" }));
      await refusal(client.run("/routing/bgp/session/clear", { numbers: "*1" }));
    } finally {
      await client.close();
    }
    expect(exported()).toBe(before);
  });

  it("takes a command for a read only by its verb, and never a print into a file", () => {
    expect(readsOnly(["/ip/route/print", "=.proplist=dst-address"])).toBe(true);
    expect(readsOnly(["/interface/listen"])).toBe(true);
    expect(readsOnly(["/cancel", "=tag=3"])).toBe(true);
    expect(readsOnly(["/ip/address/add", "=address=10.0.0.1/24"])).toBe(false);
    expect(readsOnly(["/certificate/sign", "=numbers=ca"])).toBe(false);
    expect(readsOnly(["/system/script/run", "=number=0"])).toBe(false);
    expect(readsOnly(["/file/print", "=file=x"])).toBe(false);
    // A menu named like a reading verb is not a reading verb.
    expect(readsOnly(["/tool/monitor/add"])).toBe(false);
  });
});

describe("a router opened read-only", () => {
  it("discovers, plans and reports status, and refuses the lock, apply, preparing, clearing and unlocking", async () => {
    const before = exported();
    const router = await readOnlyPlatform(routerOs, READ_ONLY).connect(targetOf(lab, "alice"), "alice", { resolve: labResolve });
    try {
      expect((await router.discover()).identity).toBe("alice");
      expect(await router.status()).toMatchObject({ tunnels: [], sessions: [] });
      expect(await router.lockHolder()).toBeNull();
      const peering = appliedOn(example("s1"), "alice");
      const planned = await router.plan({ peering, side: "alice" });
      expect(planned.plan.changes.length).toBeGreaterThan(0);

      const locked = await refusal(router.exclusive({ command: "apply", peering: peering.name }, async () => "ran"));
      expect(locked.message).toBe("read-only: apply would write to alice; run without --read-only");
      expect((await refusal(router.apply(planned.plan))).message).toMatch(/^read-only: apply would write to alice;/);
      await refusal(router.prepareLinks(peering, "alice"));
      await refusal(router.makeCertificates(peering.name, "server"));
      await refusal(router.grantMonitorAccount(peering.name, "remi", "secret"));
      await refusal(router.discardPrepared(peering.name));
      await refusal(router.unlock());
      await refusal(router.clearSession({ name: "remi-isp1", link: "isp1", peering: peering.name, remoteAs: 64513, remoteAddress: "172.16.20.2", state: "idle", uptime: null, prefixes: 0, advertised: 0, limitExceeded: true, lastError: "" }));

      // Below the seam: the connection the router holds refuses writes itself.
      const client = (router as unknown as RouterOsRouter).client;
      await refusal(client.add("/system/scheduler", { name: "bgpals-lock", disabled: "yes" }));

      // A new connection of the same router is read-only too.
      const again: Router = await router.reconnect();
      try {
        await refusal(again.exclusive({ command: "remove" }, async () => "ran"));
        await refusal((again as unknown as RouterOsRouter).client.add("/ip/address", { address: "10.99.0.1/24", interface: "bridge" }));
      } finally {
        await again.close();
      }
    } finally {
      await router.close();
    }
    expect(exported()).toBe(before);
  });
});

describe("SSH, read-only", () => {
  it("exports the configuration, and refuses any other command, an export into a file and an upload", async () => {
    const before = exported();
    const r = lab.info().routers.find((x) => x.name === "alice")!;
    const session = await SshSession.connect({ host: r.host, port: r.sshPort!, user: r.user, password: r.password, timeoutMs: 5000, readOnly: READ_ONLY });
    try {
      expect(await session.exportConfig()).toContain("/ip address");
      const at = `${r.user}@${r.host}:${r.sshPort}`;
      // Named without its arguments, which may hold a secret.
      expect((await refusal(session.exec("/user add name=friend password=hunter2 group=full"))).message).toBe(`read-only: /user add would write to ${at}; run without --read-only`);
      await refusal(session.exec("/export file=leak"));
      await refusal(session.upload("cert.pem", "-----BEGIN CERTIFICATE-----"));
    } finally {
      await session.close();
    }
    expect(exported()).toBe(before);
  });
});
