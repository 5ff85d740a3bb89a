// 1,000 mutated bundles against real lab routers: a valid OpenVPN offer (alice, 7.24) and a valid
// answer with sealed secrets (carol, 6.49.10) are made on the lab, then damaged (bit flips,
// truncations, insertions, base64 garbage, swapped segments; fixed seed) and fed to the steps
// that would write: openOffer → prepareAccept on carol, openAnswer → prepareComplete on alice.
// Each is refused with a message (no bug), and no router changes. A few go through the real CLI;
// a few are re-signed by the sender with tampered contents (a friend's broken or hostile bgpals).
import { join } from "node:path";
import { tempDir } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBundle } from "../../src/core/bundle.js";
import { answerSecret, type AnswerBody, type OfferBody } from "../../src/core/offer.js";
import { UserError } from "../../src/errors.js";
import { loadIdentity } from "../../src/store/identity.js";
import { applyPrepared, finishAccept, makeOffer, openAnswer, openOffer, prepareAccept, prepareComplete } from "../../src/flows/wizard.js";
import { workspaceAt, type Workspace } from "../../src/store/workspace.js";
import { Lab } from "../../src/lab/lab.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { cliAsync } from "../cli/cli-async.js";

const MUTATIONS = 1000;
const SEED = 0x5eed_b6a1;
const PREFIX = "bgpals1:";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Never whitespace or zero-width characters: a paste's noise is forgiven by design.
const ODD = ["+", "/", "=", ".", ":", "é", "ß", "😀", "\u0000", "\u202e", "Ａ", "{", "\"", "bgpals1:"];
const ROUTERS = ["alice", "carol"] as const;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function mutate(text: string, rand: () => number): string {
  const int = (n: number) => Math.floor(rand() * n);
  const payload = text.slice(PREFIX.length);
  const randomText = (n: number) => Array.from({ length: n }, () => BASE64URL[int(64)]).join("");
  switch (int(6)) {
    case 0: {
      // One to three bit flips in the decoded bytes, re-encoded.
      const bytes = Buffer.from(payload, "base64url");
      for (let k = 1 + int(3); k > 0; k--) bytes[int(bytes.length)]! ^= 1 << int(8);
      return PREFIX + bytes.toString("base64url");
    }
    case 1:
      // Truncated: the end, the start, or both.
      return rand() < 0.7 ? text.slice(0, int(text.length)) : text.slice(int(text.length / 2), text.length - int(20));
    case 2: {
      const at = PREFIX.length + int(payload.length);
      const insert = rand() < 0.5 ? randomText(1 + int(8)) : ODD[int(ODD.length)]!;
      return text.slice(0, at) + insert + text.slice(at);
    }
    case 3: {
      // A stretch of base64 garbage over the original.
      const at = PREFIX.length + int(payload.length);
      const n = 1 + int(40);
      return text.slice(0, at) + randomText(n) + text.slice(at + n);
    }
    case 4: {
      // Two segments swapped.
      const a = PREFIX.length + int(payload.length - 40);
      const len = 4 + int(16);
      const b = a + len + int(text.length - a - 2 * len);
      if (b + len > text.length) return text.slice(0, -1);
      return text.slice(0, a) + text.slice(b, b + len) + text.slice(a + len, b) + text.slice(a, a + len) + text.slice(b + len);
    }
    default: {
      // The prefix or a run of characters damaged.
      return rand() < 0.3 ? `bgpals${2 + int(8)}:${payload}` : text.slice(0, PREFIX.length + int(payload.length)) + text.slice(PREFIX.length + int(payload.length));
    }
  }
}

let lab: Lab;
const clients: Router[] = [];
async function connection(name: string): Promise<Router> {
  const r = lab.info().routers.find((x) => x.name === name)!;
  const router = await routerOs.connect({ host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 20_000 }, name);
  clients.push(router);
  return router;
}

const ws = {
  alice: { ...workspaceAt(tempDir("bgpals-mut-alice-")), secrets: null },
  carol: { ...workspaceAt(tempDir("bgpals-mut-carol-")), secrets: null },
  // Another home of carol's, where the offer is still unused: offer mutations meet a fresh eye.
  carolFresh: { ...workspaceAt(tempDir("bgpals-mut-carol2-")), secrets: null },
} satisfies Record<string, Workspace>;
const CHOICES = { asn: 64515, networks: ["192.168.88.0/24"], wans: { isp1: "pppoe-out1", isp2: "pppoe-out1" }, monitorAccount: true, monitorApi: "198.18.0.77:8728" };

let offerText = "";
let answerText = "";
let offerBody: OfferBody;
let answerBody: AnswerBody;
let router: Record<(typeof ROUTERS)[number], Router>;
const exports = () => Object.fromEntries(ROUTERS.map((r) => [r, lab.router(r).exportConfig()]));
let baseline: Record<string, string>;

beforeAll(async () => {
  lab = await Lab.start({ routers: [...ROUTERS], tickMs: 0, tls: false, ssh: false });
  router = { alice: await connection("alice"), carol: await connection("carol") };
  const made = await makeOffer(router.alice, ws.alice, {
    me: "alice", friend: "carol", asn: 64514, networks: ["192.168.0.0/24"], primary: "isp1", monitorAccount: true,
    links: [{ name: "isp1", kind: "ovpn", iface: "vlan832-orange-internet" }, { name: "isp2", kind: "ovpn", iface: "sfp-wan-sfr" }],
  });
  offerText = made.bundle.text;
  offerBody = made.offer;
  const opened = openOffer(offerText, ws.carol, "carol");
  const prepared = await prepareAccept(router.carol, ws.carol, opened, CHOICES);
  await applyPrepared(router.carol, prepared);
  const accepted = finishAccept(ws.carol, opened, prepared);
  answerText = accepted.answer.text;
  answerBody = prepared.answer!;
  baseline = exports();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await lab.stop();
});

/** Runs a text through the steps that write; returns the refusal, or fails the test if anything got through. */
async function refusal(kind: "offer" | "answer", text: string): Promise<string> {
  try {
    if (kind === "offer") {
      const opened = openOffer(text, ws.carolFresh, "carol");
      await prepareAccept(router.carol, ws.carolFresh, opened, CHOICES);
    } else {
      const opened = openAnswer(text, ws.alice, "alice");
      await prepareComplete(router.alice, ws.alice, opened, "alice");
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`a damaged ${kind} ended in a bug, not a refusal: ${(e as Error).stack}`);
    expect(e.message.trim().length).toBeGreaterThan(0);
    expect(e.message).not.toMatch(/internal error/);
    return e.message;
  }
  throw new Error(`a damaged ${kind} was accepted: ${JSON.stringify(text.slice(0, 100))}`);
}

describe("mutated bundles against lab routers", () => {
  it("the originals open (and would prepare) in the same settings", () => {
    expect(openOffer(offerText, ws.carolFresh, "carol").offer.links.map((l) => l.kind)).toEqual(["ovpn", "ovpn"]);
    const opened = openAnswer(answerText, ws.alice, "alice");
    expect(Object.keys(opened.secrets!.pppPassword)).toEqual(["isp1", "isp2"]);
    expect(JSON.stringify(opened)).not.toContain(opened.secrets!.pppPassword.isp1!);
  });

  it(`refuses ${MUTATIONS} mutations of the offer and the answer with a message; no router changes`, async () => {
    const rand = prng(SEED);
    const reasons = new Map<string, number>();
    let done = 0;
    while (done < MUTATIONS) {
      const kind = done % 2 === 0 ? "offer" : "answer";
      const original = kind === "offer" ? offerText : answerText;
      const mutant = mutate(original, rand);
      if (mutant === original) continue;
      const message = await refusal(kind, mutant);
      const first = message.split(":").slice(0, 2).join(":");
      reasons.set(first, (reasons.get(first) ?? 0) + 1);
      done++;
      if (done % 100 === 0) expect(exports(), `after ${done} mutations`).toEqual(baseline);
    }
    expect(exports()).toEqual(baseline);
    // Refusals of several kinds, so the mutations reach more than one check.
    expect(reasons.size).toBeGreaterThan(3);
  }, 120_000);

  it("refuses bundles signed by the friend whose contents are wrong, before any write", async () => {
    const alice = loadIdentity("alice", ws.alice.home);
    const carol = loadIdentity("carol", ws.carol.home);
    const now = Date.now();
    const offerWith = (body: OfferBody) => encodeBundle({ identity: alice, kind: "offer", body: body as unknown as Record<string, unknown>, now }).text;
    const otherPem = answerBody.ovpn!.caCertificate;
    const badOffers: [OfferBody, RegExp][] = [
      [{ ...offerBody, ovpn: { ...offerBody.ovpn!, caCertificate: otherPem } }, /CA certificate does not match/],
      [{ ...offerBody, ovpn: undefined }, /no CA certificate/],
      [{ ...offerBody, links: offerBody.links.map((l) => ({ ...l, caFingerprint: "f".repeat(64) })) }, /pin another CA/],
      [{ ...offerBody, monitor: { user: "x", api: "no port" } }, /not host:port/],
      [{ ...offerBody, ovpn: { caCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", caFingerprint: offerBody.ovpn!.caFingerprint } }, /does not match/],
    ];
    for (const [body, why] of badOffers) expect(await refusal("offer", offerWith(body))).toMatch(why);

    const { pppPassword } = openAnswer(answerText, ws.alice, "alice").secrets!;
    const recipient = { name: "alice", boxKey: alice.boxKey };
    const answerWith = (body: AnswerBody, secrets?: Record<string, string>) => encodeBundle({ identity: carol, kind: "answer", body: body as unknown as Record<string, unknown>, secrets, recipient, now }).text;
    const full = { [answerSecret.pppPassword("isp1")]: pppPassword.isp1!, [answerSecret.pppPassword("isp2")]: pppPassword.isp2!, [answerSecret.monitorGranted]: "m".repeat(24), [answerSecret.monitorOffered]: "o".repeat(24) };
    const withoutIsp2 = Object.fromEntries(Object.entries(full).filter(([k]) => k !== answerSecret.pppPassword("isp2")));
    const badAnswers: [AnswerBody, Record<string, string> | undefined, RegExp][] = [
      [answerBody, undefined, /no usable PPP password for link isp1/],
      [answerBody, withoutIsp2, /no usable PPP password for link isp2/],
      [answerBody, { ...full, [answerSecret.pppPassword("isp1")]: "short" }, /no usable PPP password/],
      [answerBody, { ...full, [answerSecret.monitorGranted]: "bad password with spaces" }, /monitor account/],
      [{ ...answerBody, ovpn: { ...answerBody.ovpn!, caCertificate: offerBody.ovpn!.caCertificate } }, full, /CA certificate does not match/],
      [{ ...answerBody, ovpn: undefined }, full, /no CA for the OpenVPN client certificates/],
      [{ ...answerBody, links: { isp1: answerBody.links.isp1! } }, full, /nothing readable about link isp2/],
    ];
    for (const [body, secrets, why] of badAnswers) expect(await refusal("answer", answerWith(body, secrets))).toMatch(why);
    expect(exports()).toEqual(baseline);
  });

  it("refuses a handful of mutants through the real CLI too, exit code 1, no stack trace", async () => {
    const rand = prng(SEED ^ 0xffff);
    const run = (op: "alice" | "carol", args: string[], home: string) => {
      const r = lab.info().routers.find((x) => x.name === op)!;
      return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: home, BGPALS_PASSWORD: r.password });
    };
    for (let i = 0; i < 3; i++) {
      let offer = mutate(offerText, rand);
      while (offer === offerText) offer = mutate(offerText, rand);
      const accept = await run("carol", ["accept", offer, "--me", "carol", "--asn", "64515", "--networks", "192.168.88.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out1", "--yes"], ws.carolFresh.home);
      expect(accept.code, accept.stderr).toBe(1);
      expect(accept.stderr).toMatch(/refused, nothing written|refused/);
      expect(accept.stderr).not.toMatch(/^\s+at /m);

      let answer = mutate(answerText, rand);
      while (answer === answerText) answer = mutate(answerText, rand);
      const complete = await run("alice", ["complete", answer, "--me", "alice", "--yes"], ws.alice.home);
      expect(complete.code, complete.stderr).toBe(1);
      expect(complete.stderr).toMatch(/refused/);
      expect(complete.stderr).not.toMatch(/^\s+at /m);
    }
    expect(exports()).toEqual(baseline);
  }, 60_000);
});
