// A second identity named like a friend we keep (issue 12, point 5): it must not take the friend's
// place silently — not peers/<name>.json, not the friend's pinned key. Refused with a message that
// says what to do, unless the user says --replace; a refused bundle writes nothing, not even an
// identity of our own.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, decodeBundle, encodeBundle, publicIdentity, type Identity } from "../../src/core/bundle.js";
import type { AnswerBody, OfferBody } from "../../src/core/offer.js";
import type { Peering } from "../../src/core/peering.js";
import { applyPrepared, finishAccept, finishComplete, makeOffer, openAnswer, openOffer, prepareAccept, prepareComplete, type Prepared } from "../../src/flows/wizard.js";
import { Lab } from "../../src/lab/lab.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { knownFriend, loadIdentity, rememberFriend, savePending } from "../../src/store/identity.js";
import { acceptedPublic, peeringFile, savePeering, workspaceAt, type Workspace } from "../../src/store/workspace.js";
import { cliAsync } from "../cli/cli-async.js";

const OFFER_LINKS = [
  { name: "isp1", kind: "wireguard" as const, iface: "vlan832-orange-internet" },
  { name: "isp2", kind: "wireguard" as const, iface: "sfp-wan-sfr" },
];
const CHOICES = { asn: 64513, networks: ["192.168.42.0/24"], wans: { isp1: "pppoe-out1", isp2: "pppoe-out2" } };

let lab: Lab;
const clients: Router[] = [];
const homes: string[] = [];
function workspace(name: string): Workspace {
  const home = mkdtempSync(join(tmpdir(), `bgpals-names-${name}-`));
  homes.push(home);
  return { ...workspaceAt(home), secrets: null };
}
async function connection(name: string): Promise<Router> {
  const r = lab.info().routers.find((x) => x.name === name)!;
  const router = await routerOs.connect({ host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 20_000 }, name);
  clients.push(router);
  return router;
}

const ws = { alice: workspace("alice"), remi: workspace("remi") };
let router: Record<"alice" | "remi", Router>;
let offerBody: OfferBody;
let answerBody: AnswerBody;
let peering: Peering;
let alice: Identity;
let remi: Identity;
// Someone else who calls themselves alice, and someone else who calls themselves remi.
const otherAlice = createIdentity("alice");
const otherRemi = createIdentity("remi");

/** Every file of a config home, with its contents. */
function filesOf(home: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ["", "peers", "friends", "pending"]) {
    const dir = join(home, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { withFileTypes: true })) if (f.isFile()) out[join(sub, f.name)] = readFileSync(join(dir, f.name), "utf8");
  }
  return out;
}
const state = () => ({ alice: filesOf(ws.alice.home), remi: filesOf(ws.remi.home), routers: { alice: lab.router("alice").exportConfig(), remi: lab.router("remi").exportConfig() } });

beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
  router = { alice: await connection("alice"), remi: await connection("remi") };
  const made = await makeOffer(router.alice, ws.alice, { me: "alice", friend: "remi", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1", links: OFFER_LINKS });
  offerBody = made.offer;
  const opened = openOffer(made.bundle.text, ws.remi, "remi");
  const accepted = await prepareAccept(router.remi, ws.remi, opened, CHOICES);
  await applyPrepared(router.remi, accepted);
  const answer = finishAccept(ws.remi, opened, accepted);
  answerBody = accepted.answer!;
  const openedAnswer = openAnswer(answer.answer.text, ws.alice, "alice");
  await applyPrepared(router.alice, await prepareComplete(router.alice, ws.alice, openedAnswer, "alice"));
  finishComplete(ws.alice, openedAnswer);
  peering = accepted.peering;
  alice = loadIdentity("alice", ws.alice.home);
  remi = loadIdentity("remi", ws.remi.home);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await lab.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

const offerFrom = (identity: Identity, body: OfferBody = offerBody) => encodeBundle({ identity, kind: "offer", body: body as unknown as Record<string, unknown>, now: Date.now() }).text;

describe("a second identity named like a friend", () => {
  it("an offer from someone else named alice is refused at remi's, and nothing is written", () => {
    const before = state();
    expect(() => openOffer(offerFrom(otherAlice), ws.remi, "remi")).toThrow(
      /offer refused, nothing written: a friend named alice is already known here with another identity key \(.*friends\/alice\.json\), and this bundle is signed by a different one: if alice really made a new identity, compare the fingerprint with them by voice, then run again with --replace/,
    );
    expect(() => openOffer(offerFrom(otherAlice), ws.remi, "remi")).toThrow(/you already have a peering with alice \(.*peers\/alice\.json, peering alice-remi\), which this would overwrite: to replace it, run again with --replace/);
    expect(state()).toEqual(before);
    expect(knownFriend("alice", ws.remi.home)?.signKey).toBe(alice.signKey);
  });

  it("the same alice coming back for a peering remi keeps is refused too: the file would be overwritten", () => {
    expect(() => openOffer(offerFrom(alice), ws.remi, "remi")).toThrow(/you already have a peering with alice/);
    expect(() => openOffer(offerFrom(alice), ws.remi, "remi")).not.toThrow(/another identity key/);
  });

  it("with --replace the offer opens, and only then may the files and the pinned key change", () => {
    const opened = openOffer(offerFrom(otherAlice), ws.remi, "remi", Date.now(), { replace: true });
    expect(opened.replace).toBe(true);
    expect(opened.newKey).toBe(true);
    // The store's own guards, for any other caller: another key, or another peering under that name.
    expect(() => rememberFriend(publicIdentity(otherAlice), ws.remi.home)).toThrow(/already known here with another identity key/);
    expect(() => savePeering(ws.remi, "alice", { ...peering, name: "alice-remi-2" })).toThrow(/peers\/alice\.json holds peering alice-remi, not alice-remi-2: nothing overwritten; run again with --replace/);
    // The same peering saved again (a primary swap) is no overwrite.
    expect(() => savePeering(ws.remi, "alice", peering)).not.toThrow();

    // finishAccept honours the --replace given at openOffer (the router's side is not under test here).
    const remiHome = mkdtempSync(join(tmpdir(), "bgpals-names-remi-copy-"));
    homes.push(remiHome);
    const copy: Workspace = { ...workspaceAt(remiHome), secrets: null };
    for (const [file, text] of Object.entries(filesOf(ws.remi.home))) {
      mkdirSync(join(remiHome, file, ".."), { recursive: true });
      writeFileSync(join(remiHome, file), text);
    }
    const reopened = openOffer(offerFrom(otherAlice), copy, "remi", Date.now(), { replace: true, acceptPublic: ["93.184.216.0/24"] });
    const prepared: Prepared = { peering: { ...peering, name: "alice-remi-2" }, side: "remi", plan: { changes: [], conflicts: [] }, version: "7.19.6", answer: answerBody };
    finishAccept(copy, reopened, prepared);
    expect(knownFriend("alice", copy.home)?.signKey).toBe(otherAlice.signKey);
    expect(JSON.parse(readFileSync(peeringFile(copy, "alice"), "utf8")).name).toBe("alice-remi-2");
    // What the user confirmed now is kept for that peering and friend, in their config (not in peers/).
    expect(acceptedPublic(copy, "alice-remi-2", "alice")).toEqual(["93.184.216.0/24"]);
    expect(acceptedPublic(copy, "alice-remi-2", "carol")).toEqual([]);
  });

  it("an answer from someone else named remi is refused at alice's unless --replace; the offer's --replace covers only the file", () => {
    // A new offer waiting for remi, as `bgpals offer --replace` leaves it.
    const offerText = offerFrom(alice);
    const nonce = (decodeBundle(offerText, { now: Date.now() }) as { ok: true; bundle: { nonce: string; expiresAt: number } }).bundle;
    const answerFrom = (identity: Identity) =>
      encodeBundle({ identity, kind: "answer", body: { ...answerBody, offer: nonce.nonce } as unknown as Record<string, unknown>, recipient: { name: "alice", boxKey: alice.boxKey }, now: Date.now() }).text;
    const before = state();
    savePending("remi", { nonce: nonce.nonce, expiresAt: nonce.expiresAt, offer: offerBody }, ws.alice.home);
    expect(() => openAnswer(answerFrom(otherRemi), ws.alice, "alice")).toThrow(/answer refused, nothing written: a friend named remi is already known here with another identity key/);
    expect(() => openAnswer(answerFrom(remi), ws.alice, "alice")).toThrow(/answer refused, nothing written: you already have a peering with remi/);
    expect(openAnswer(answerFrom(otherRemi), ws.alice, "alice", Date.now(), { replace: true })).toMatchObject({ replace: true, newKey: true });

    savePending("remi", { nonce: nonce.nonce, expiresAt: nonce.expiresAt, offer: offerBody, replaces: true }, ws.alice.home);
    expect(openAnswer(answerFrom(remi), ws.alice, "alice")).toMatchObject({ replace: true, newKey: false });
    expect(() => openAnswer(answerFrom(otherRemi), ws.alice, "alice")).toThrow(/another identity key/);
    rmSync(join(ws.alice.home, "pending", "remi.json"));
    expect(state()).toEqual(before);
  });

  it("a new offer to a friend whose peering we keep needs --replace, before the router is touched", async () => {
    const before = state();
    await expect(makeOffer(router.alice, ws.alice, { me: "alice", friend: "remi", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1", links: OFFER_LINKS })).rejects.toThrow(
      /nothing written: you already have a peering with remi \(.*peers\/remi\.json, peering alice-remi\), which this would overwrite: to replace it, run again with --replace/,
    );
    await expect(makeOffer(router.alice, ws.alice, { me: "alice", friend: "../remi", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1", links: OFFER_LINKS })).rejects.toThrow(/your friend's name "\.\.\/remi": use 1 to 31 ASCII letters/);
    expect(state()).toEqual(before);
  });

  it("says so through the CLI, with exit 1 and the flag to pass", async () => {
    const before = state();
    const run = (op: "alice" | "remi", args: string[], home: string) => {
      const r = lab.info().routers.find((x) => x.name === op)!;
      return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: home, BGPALS_PASSWORD: r.password });
    };
    const accept = await run("remi", ["accept", offerFrom(otherAlice), "--me", "remi", "--asn", "64513", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes"], ws.remi.home);
    expect(accept.code, accept.stderr).toBe(1);
    expect(accept.stderr).toMatch(/bgpals: offer refused, nothing written: a friend named alice is already known here with another identity key.*--replace/);
    const offer = await run("alice", ["offer", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet"], ws.alice.home);
    expect(offer.code, offer.stderr).toBe(1);
    expect(offer.stderr).toMatch(/bgpals: nothing written: you already have a peering with remi .*--replace/);
    for (const command of ["offer", "accept", "complete"]) expect((await cliAsync([command, "--help"], {})).stdout).toMatch(/--replace/);
    const { ["config.json"]: _alice, ...aliceFiles } = filesOf(ws.alice.home);
    const { ["config.json"]: _remi, ...remiFiles } = filesOf(ws.remi.home);
    expect({ alice: aliceFiles, remi: remiFiles }).toEqual({ alice: before.alice, remi: before.remi });
    expect(state().routers).toEqual(before.routers);
  }, 60_000);

  it("a refused offer writes no identity: the first accept keeps one only when the offer is taken", () => {
    const fresh = workspace("fresh");
    expect(() => openOffer(offerFrom(alice, { ...offerBody, side: { ...offerBody.side, networks: ["0.0.0.0/1", "128.0.0.0/1"] } }), fresh, "remi")).toThrow(/together cover every IPv4 address/);
    expect(filesOf(fresh.home)).toEqual({});
    const opened = openOffer(offerFrom(alice), fresh, "remi");
    expect(opened.identityIsNew).toBe(true);
    expect(filesOf(fresh.home)).toEqual({});
  });
});
