// Keys and certificates are checked against the router, not assumed (issue 13, point 4): a side's
// WireGuard key is the placeholder or its router's own; an OpenVPN client's friend CA must be on the
// router and be the pinned one; a side's own certificates are made when the plan is applied, the
// server's naming its endpoints. Against the lab through the real client; a plan writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { PLACEHOLDER_KEY } from "../../../src/core/links/wireguard.js";
import type { Peering } from "../../../src/core/peering.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import type { RouterOsRouter } from "../../../src/platforms/routeros/router.js";
import { appliedOn, example, exampleJson, mustParse } from "../../helpers.js";
import { planAndApply, targetOf, withFriendCa } from "./apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

const SECRETS = { pppPassword: { isp1: "first-secret", isp2: "second-secret" } };

async function planOn(side: string, peering: Peering) {
  const router = (await routerOs.connect(targetOf(lab, side), side)) as RouterOsRouter;
  try {
    return await router.plan({ peering, side, secrets: SECRETS });
  } finally {
    await router.close();
  }
}

async function print(side: string, path: string, query: Record<string, string>) {
  const router = (await routerOs.connect(targetOf(lab, side), side)) as RouterOsRouter;
  try {
    return await router.client.print(path, { query });
  } finally {
    await router.close();
  }
}

describe("WireGuard keys", () => {
  it("a key that is not the router's is refused, naming the link and both keys; the router's own is accepted", async () => {
    const s1 = example("s1");
    expect((await planAndApply(lab, "alice", appliedOn(s1, "alice"))).result.ok).toBe(true);
    const [iface] = await print("alice", "/interface/wireguard", { comment: "bgpals:alice-remi:tunnel-isp1" });
    const held = iface!["public-key"]!;
    const written = s1.links[0]!.publicKey!.alice!;
    expect(written).not.toBe(held);

    const before = lab.router("alice").exportConfig();
    const planned = await planOn("alice", s1);
    const refusal = planned.refusals.find((r) => r.path === "links[0].publicKey.alice");
    expect(refusal).toMatchObject({ code: "key-mismatch" });
    expect(refusal!.message).toContain("link isp1");
    expect(refusal!.message).toContain(written);
    expect(refusal!.message).toContain(held);
    expect(planned.plan.changes).toEqual([]);
    expect(lab.router("alice").exportConfig()).toBe(before);

    const own = structuredClone(appliedOn(s1, "alice"));
    own.links[0]!.publicKey!.alice = held;
    const again = await planOn("alice", own);
    expect(again.refusals).toEqual([]);
    expect(again.plan.changes).toEqual([]);
    expect((await planAndApply(lab, "alice", s1, { remove: true })).result.ok).toBe(true);
  });

  it("a key named where no interface holds it is refused (a new interface would get another key)", async () => {
    const planned = await planOn("remi", example("s1"));
    expect(planned.refusals.map((r) => r.path)).toEqual(["links[0].publicKey.remi", "links[1].publicKey.remi"]);
    expect(planned.refusals[0]!.message).toMatch(/link isp1: the file names \S+ as our WireGuard key, but this router has no interface for isp1 to hold it/);
    expect(planned.refusals[0]!.message).toContain(PLACEHOLDER_KEY);
  });

  it("absent is the placeholder; the friend's key must be known", async () => {
    const json = exampleJson("s1");
    for (const link of json.links) delete link.publicKey.remi;
    const mine = await planOn("remi", mustParse(json));
    expect(mine.refusals).toEqual([]);
    expect(mine.plan.changes.length).toBeGreaterThan(0);
    const theirs = await planOn("alice", appliedOn(mustParse(json), "alice"));
    expect(theirs.refusals.map((r) => [r.code, r.path])).toEqual([
      ["key-unknown", "links[0].publicKey.remi"],
      ["key-unknown", "links[1].publicKey.remi"],
    ]);
  });
});

describe("OpenVPN certificates", () => {
  it("the client: the friend's CA must be on the router and be the pinned one, written bare or as sha256:<HEX>", async () => {
    const s3 = appliedOn(example("s3"), "remi");
    const missing = await planOn("remi", s3);
    expect(missing.refusals.map((r) => [r.code, r.path])).toEqual([
      ["certificate-missing", "links[0].caFingerprint"],
      ["certificate-missing", "links[1].caFingerprint"],
    ]);
    expect(missing.refusals[0]!.message).toMatch(/^link isp1: alice's OpenVPN CA is not on this router.*it only arrives in alice's bundle/);

    const pinned = await withFriendCa(lab, "remi", s3);
    const held = pinned.links[0]!.caFingerprint!;
    const wrong = "ab".repeat(32);
    const json = exampleJson("s3");
    for (const link of json.links) link.caFingerprint = wrong;
    const refused = await planOn("remi", mustParse(json));
    expect(refused.refusals.map((r) => r.code)).toEqual(["ca-mismatch", "ca-mismatch"]);
    expect(refused.refusals[0]!.message).toContain(wrong);
    expect(refused.refusals[0]!.message).toContain(held);

    for (const link of json.links) link.caFingerprint = `sha256:${held.toUpperCase()}`;
    const accepted = await planOn("remi", mustParse(json));
    expect(accepted.refusals).toEqual([]);
    // The client certificate the server asks for is made when the plan is applied.
    expect(accepted.plan.changes[0]).toMatchObject({ op: "add", path: "/certificate", role: "certificate-client", attrs: { name: "bgpals-alice-remi-ovpn-client" } });
    const { result } = await planAndApply(lab, "remi", mustParse(json), { secrets: SECRETS });
    expect(result.ok).toBe(true);
    const [client] = await print("remi", "/certificate", { name: "bgpals-alice-remi-ovpn-client" });
    expect(client).toMatchObject({ ca: "bgpals-alice-remi-ovpn-ca", "private-key": "true" });
    expect((await planOn("remi", mustParse(json))).plan.changes).toEqual([]);
    expect((await planAndApply(lab, "remi", s3, { remove: true })).result.ok).toBe(true);
  });

  it("the server: its certificate is made at apply, naming the endpoints clients dial; then the file must pin its CA", async () => {
    const s3 = await withFriendCa(lab, "alice", appliedOn(example("s3"), "alice"));
    const planned = await planOn("alice", s3);
    expect(planned.refusals).toEqual([]);
    expect(planned.plan.changes[0]).toMatchObject({ path: "/certificate", role: "certificate-server", attrs: { "subject-alt-name": "DNS:vpn.alice.example,DNS:vpn2.alice.example" } });
    expect((await planAndApply(lab, "alice", s3, { secrets: SECRETS })).result.ok).toBe(true);
    const [server] = await print("alice", "/certificate", { name: "bgpals-alice-remi-ovpn-server" });
    expect(server).toMatchObject({ ca: "bgpals-alice-remi-ovpn-ca", "common-name": "vpn.alice.example", "subject-alt-name": "DNS:vpn.alice.example,DNS:vpn2.alice.example" });
    const [ca] = await print("alice", "/certificate", { name: "bgpals-alice-remi-ovpn-ca" });

    const pinsOther = example("s3");
    const refused = await planOn("alice", pinsOther);
    expect(refused.refusals.map((r) => r.code)).toEqual(["ca-mismatch", "ca-mismatch"]);
    expect(refused.refusals[0]!.message).toContain(ca!.fingerprint!);
    expect(refused.refusals[0]!.message).toContain(pinsOther.links[0]!.caFingerprint!);
    const pinsOwn = structuredClone(pinsOther);
    for (const link of pinsOwn.links) link.caFingerprint = ca!.fingerprint!;
    expect((await planOn("alice", pinsOwn)).refusals).toEqual([]);
    expect((await planAndApply(lab, "alice", s3, { remove: true })).result.ok).toBe(true);
  });
});
