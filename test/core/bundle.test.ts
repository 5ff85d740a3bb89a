// Bundles: round trips, every refusal reason, identities, and what encode refuses to make.
import { describe, expect, it } from "vitest";
import { openSecrets, sealSecrets, signBytes } from "../../src/core/bundle-crypto.js";
import { parseBundle, writeHeader, writeSealed } from "../../src/core/bundle-layout.js";
import {
  BundleError,
  createIdentity,
  decodeBundle,
  encodeBundle,
  identityFromJson,
  identityToJson,
  publicIdentity,
  type DecodeResult,
  type Identity,
} from "../../src/core/bundle.js";

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FINGERPRINT = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

/** Deterministic bytes, so identities, nonces and ephemeral keys repeat from run to run. */
function seededRandom(seed: number): (size: number) => Uint8Array {
  let s = seed >>> 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
      out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return out;
  };
}

const alice = createIdentity("alice", seededRandom(1));
const remi = createIdentity("remi", seededRandom(2));
const bob = createIdentity("bob", seededRandom(3));

// Alice's half of S1 as an offer would carry it.
const S1_OFFER_BODY = {
  asn: 64514,
  routerId: "192.168.0.1",
  routeros: "7.24",
  networks: ["192.168.0.0/24"],
  tunnel: "wireguard",
  links: [
    { name: "isp1", endpoint: "vpn.alice.example", port: 13231, subnet: "172.16.10.0/30", address: "172.16.10.1", publicKey: "+idoHCxIdRIM5oB6P+imCZWfhQmJuGIMAQ8GLPPxNiw=" },
    { name: "isp2", endpoint: "vpn2.alice.example", port: 13232, subnet: "172.16.11.0/30", address: "172.16.11.1", publicKey: "eZpjsK82eSvQsQtgtW3fr1H70xDrw1EG4/kVj1YagWI=" },
  ],
  policy: { primary: "isp1", localPref: 200, backupPrepend: 3 },
};
const S1_ANSWER_BODY = { asn: 64513, routerId: "192.168.42.1", routeros: "7.19.6", networks: ["192.168.42.0/24"] };
const S1_SECRETS = { "isp1.presharedKey": "q8Jx0X1wF3bC2n9hYtVvQ1m3S6pK7rL0dE4aZ5uW2o8=", "isp2.presharedKey": "Yz3Kq7mP0sT2vW5xA8bC1dE4fG6hJ9kL0nM3oQ6rS9u=" };

const offer = encodeBundle({ identity: alice, kind: "offer", body: S1_OFFER_BODY, now: NOW, random: seededRandom(10) });
const answer = encodeBundle({
  identity: remi,
  kind: "answer",
  body: S1_ANSWER_BODY,
  secrets: S1_SECRETS,
  recipient: publicIdentity(alice),
  now: NOW + 10 * MINUTE,
  random: seededRandom(11),
});

function accepted(r: DecodeResult) {
  if (!r.ok) throw new Error(`expected the bundle to be accepted, got ${r.reason}: ${r.message}`);
  return r;
}

function refused(r: DecodeResult) {
  if (r.ok) throw new Error(`expected a refusal, the ${r.bundle.kind} from ${r.bundle.from.name} was accepted`);
  expect(r.message.length).toBeGreaterThan(20);
  return r;
}

describe("bundle round trip", () => {
  it("carries an offer with no recipient and no secrets", () => {
    const r = accepted(decodeBundle(offer.text, { now: NOW + MINUTE, identity: remi, expectedKind: "offer" }));
    expect(r.bundle).toEqual({
      kind: "offer",
      from: publicIdentity(alice),
      issuedAt: NOW,
      expiresAt: NOW + 24 * HOUR,
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
      body: S1_OFFER_BODY,
    });
    expect(r.fingerprint).toBe(offer.fingerprint);
    expect(offer.fingerprint).toMatch(FINGERPRINT);
  });

  it("keeps an S1 offer short enough for a chat line", () => {
    expect(offer.text).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);
    // Fixed cost: 167 bytes (header, keys, "alice", signature), then 4 characters per 3 bytes of body.
    // The ~400-byte body the product targets (no subnets, no policy: both follow from the addresses and defaults).
    const { policy: _policy, ...withoutPolicy } = S1_OFFER_BODY;
    const lean = { ...withoutPolicy, links: S1_OFFER_BODY.links.map(({ subnet: _subnet, ...link }) => link) };
    const leanOffer = encodeBundle({ identity: alice, kind: "offer", body: lean, now: NOW });
    const sizes = {
      leanBody: JSON.stringify(lean).length,
      leanOffer: leanOffer.text.length,
      fullBody: JSON.stringify(S1_OFFER_BODY).length,
      fullOffer: offer.text.length,
      answerWithTwoSecrets: answer.text.length,
    };
    // Measured: lean body 404 → offer 770; full body 518 → offer 922; answer with two sealed keys 647.
    console.log("S1 bundle sizes (characters / JSON bytes):", sizes);
    expect(sizes.leanBody).toBeGreaterThan(380);
    expect(sizes.leanOffer).toBeLessThan(900);
    expect(sizes.fullOffer).toBeLessThan(950);
  });

  it("carries an answer whose secrets only the offer's sender opens", () => {
    // Remi answers what he read from alice's offer.
    const seenOffer = accepted(decodeBundle(offer.text, { now: NOW + 5 * MINUTE, identity: remi })).bundle;
    expect(seenOffer.from.boxKey).toBe(alice.boxKey);

    const r = accepted(decodeBundle(answer.text, { now: NOW + 11 * MINUTE, identity: alice, expectedKind: "answer", expectedSender: { signKey: remi.signKey } }));
    expect(r.bundle.kind).toBe("answer");
    expect(r.bundle.from).toEqual(publicIdentity(remi));
    expect(r.bundle.to).toEqual({ name: "alice", boxKey: alice.boxKey });
    expect(r.bundle.body).toEqual(S1_ANSWER_BODY);
    expect(r.bundle.secrets).toEqual(S1_SECRETS);
    expect(r.fingerprint).toBe(answer.fingerprint);

    // The secrets do not travel in the clear.
    const bytes = Buffer.from(answer.text.slice("bgpals1:".length), "base64url");
    for (const secret of Object.values(S1_SECRETS)) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.includes(Buffer.from("presharedKey"))).toBe(false);
  });

  it("carries a prefer request addressed to the friend", () => {
    const prefer = encodeBundle({ identity: remi, kind: "prefer", body: { primary: "isp2" }, recipient: publicIdentity(alice), now: NOW, ttlMs: HOUR });
    const r = accepted(decodeBundle(prefer.text, { now: NOW, identity: alice, expectedKind: ["prefer"] }));
    expect(r.bundle).toMatchObject({ kind: "prefer", body: { primary: "isp2" }, expiresAt: NOW + HOUR, to: { name: "alice" } });
    expect(r.bundle.secrets).toBeUndefined();
  });

  it("gives the same fingerprint for the same bundle and a different one for another", () => {
    const again = encodeBundle({ identity: alice, kind: "offer", body: S1_OFFER_BODY, now: NOW, random: seededRandom(10) });
    expect(again).toEqual(offer);
    const other = encodeBundle({ identity: alice, kind: "offer", body: S1_OFFER_BODY, now: NOW, random: seededRandom(12) });
    expect(other.text).not.toBe(offer.text);
    expect(other.fingerprint).not.toBe(offer.fingerprint);
    expect(answer.fingerprint).not.toBe(offer.fingerprint);
    expect(new Set(Array.from({ length: 50 }, () => encodeBundle({ identity: alice, kind: "offer", body: {}, now: NOW }).fingerprint)).size).toBe(50);
  });

  it("tolerates what a chat does to a long line: wrapping, indentation, zero-width spaces", () => {
    const wrapped = `  ${offer.text.slice(0, 70)}\n    ${offer.text.slice(70, 300)}\u200b${offer.text.slice(300)}\r\n`;
    expect(accepted(decodeBundle(wrapped, { now: NOW })).fingerprint).toBe(offer.fingerprint);
  });
});

describe("bundle refusals", () => {
  it("refuses an expired bundle and says how long ago", () => {
    const r = refused(decodeBundle(offer.text, { now: NOW + 27 * HOUR }));
    expect(r).toMatchObject({ reason: "expired", message: "this offer expired 3 hours ago: ask alice for a new one" });
    expect(refused(decodeBundle(offer.text, { now: NOW + 24 * HOUR })).reason).toBe("expired");
    expect(decodeBundle(offer.text, { now: NOW + 24 * HOUR - 1 }).ok).toBe(true);
  });

  it("refuses a bundle issued more than 5 minutes in the future", () => {
    const r = refused(decodeBundle(offer.text, { now: NOW - 2 * HOUR }));
    expect(r.reason).toBe("not-yet-valid");
    expect(r.message).toMatch(/2 hours from now.*clock/);
    expect(decodeBundle(offer.text, { now: NOW - 4 * MINUTE }).ok).toBe(true);
    expect(refused(decodeBundle(offer.text, { now: NOW - 5 * MINUTE - 1 })).reason).toBe("not-yet-valid");
  });

  it("refuses a bundle whose nonce was seen", () => {
    const first = accepted(decodeBundle(answer.text, { now: NOW + 11 * MINUTE, identity: alice }));
    const seen = new Set([first.bundle.nonce]);
    const r = refused(decodeBundle(answer.text, { now: NOW + 12 * MINUTE, identity: alice, seen }));
    expect(r.reason).toBe("replayed");
    expect(r.message).toMatch(/^this answer was already used: bundles work once/);
    expect(decodeBundle(offer.text, { now: NOW, seen }).ok).toBe(true);
  });

  it("refuses a bundle of the wrong kind", () => {
    const r = refused(decodeBundle(offer.text, { now: NOW, identity: remi, expectedKind: "answer" }));
    expect(r).toMatchObject({ reason: "wrong-kind", message: expect.stringMatching(/this is an offer from alice, but an answer is expected/) });
    expect(refused(decodeBundle(answer.text, { now: NOW + 11 * MINUTE, identity: alice, expectedKind: ["offer", "prefer"] })).message).toMatch(/an offer or a prefer request/);
  });

  it("refuses a bundle from someone other than the expected friend, and our own", () => {
    const fromBob = encodeBundle({ identity: bob, kind: "answer", body: {}, recipient: publicIdentity(alice), now: NOW });
    const r = refused(decodeBundle(fromBob.text, { now: NOW, identity: alice, expectedSender: { signKey: remi.signKey, name: "remi" } }));
    expect(r.reason).toBe("wrong-sender");
    expect(r.message).toMatch(/from bob, but it is not signed with the key you have for remi/);
    // A bundle that claims remi's name but is signed by bob.
    const impostor = encodeBundle({ identity: { ...bob, name: "remi" }, kind: "answer", body: {}, recipient: publicIdentity(alice), now: NOW });
    expect(refused(decodeBundle(impostor.text, { now: NOW, identity: alice, expectedSender: { signKey: remi.signKey } })).reason).toBe("wrong-sender");
    // Alice pasting her own offer into her own accept step.
    expect(refused(decodeBundle(offer.text, { now: NOW, identity: alice })).message).toMatch(/your own offer/);
  });

  it("does not let a third party open the secrets", () => {
    const r = refused(decodeBundle(answer.text, { now: NOW + 11 * MINUTE, identity: bob }));
    expect(r).toMatchObject({ reason: "not-for-me", message: expect.stringMatching(/addressed to alice, not to you/) });
    // Even reaching past the recipient check, bob's key does not open alice's sealed part.
    const parsed = parseBundle(Buffer.from(answer.text.slice(8), "base64url"));
    if (!parsed.ok || !parsed.bundle.sealed) throw new Error("answer should parse with a sealed part");
    expect(openSecrets(parsed.bundle.sealed, bob.boxPrivateKey, parsed.bundle.headerBytes)).toBeNull();
    expect(openSecrets(parsed.bundle.sealed, alice.boxPrivateKey, parsed.bundle.headerBytes)).not.toBeNull();
    // Without an identity the secrets stay closed.
    expect(refused(decodeBundle(answer.text, { now: NOW + 11 * MINUTE })).reason).toBe("cannot-decrypt");
  });

  it("refuses a sealed part re-encrypted by an attacker who lacks the sender's key", () => {
    const parsed = parseBundle(Buffer.from(answer.text.slice(8), "base64url"));
    if (!parsed.ok) throw new Error("answer should parse");
    const { headerBytes, signature } = parsed.bundle;
    // A well-formed sealed part to alice with the attacker's own secrets, under the original header and
    // signature; same length as the original, so only the content differs.
    const attackerSecrets = { ...S1_SECRETS, "isp1.presharedKey": "A".repeat(44) };
    const forged = sealSecrets(Buffer.from(JSON.stringify(attackerSecrets)), Buffer.from(alice.boxKey, "base64url"), headerBytes, seededRandom(99)(32));
    if (!forged) throw new Error("sealing to alice should work");
    const text = `bgpals1:${Buffer.concat([headerBytes, writeSealed(forged), signature]).toString("base64url")}`;
    expect(text.length).toBe(answer.text.length);
    const r = refused(decodeBundle(text, { now: NOW + 11 * MINUTE, identity: alice }));
    expect(r).toMatchObject({ reason: "bad-signature", message: "this bundle was changed after remi signed it (or copied incompletely): ask remi to send it again" });
  });

  it("refuses remi's sealed part moved under another signer's header", () => {
    const parsed = parseBundle(Buffer.from(answer.text.slice(8), "base64url"));
    if (!parsed.ok || !parsed.bundle.sealed) throw new Error("answer should parse with a sealed part");
    // Bob re-signs remi's answer as his own: the header changed, so the sealed part no longer opens.
    const header = writeHeader({ ...parsed.bundle.header, signKey: Buffer.from(bob.signKey, "base64url"), boxKey: Buffer.from(bob.boxKey, "base64url"), name: Buffer.from("bob") });
    const signed = Buffer.concat([header, writeSealed(parsed.bundle.sealed)]);
    const text = `bgpals1:${Buffer.concat([signed, signBytes(signed, bob.signPrivateKey)]).toString("base64url")}`;
    expect(refused(decodeBundle(text, { now: NOW + 11 * MINUTE, identity: alice })).reason).toBe("cannot-decrypt");
    expect(refused(decodeBundle(text, { now: NOW + 11 * MINUTE, identity: alice, expectedSender: { signKey: remi.signKey } })).reason).toBe("wrong-sender");
  });

  it("refuses a well-signed bundle whose content is not valid", () => {
    const signedBy = (id: Identity, body: Buffer, kind = 1) => {
      const header = writeHeader({
        version: 1,
        kind,
        issuedAt: NOW,
        expiresAt: NOW + HOUR,
        nonce: Buffer.alloc(16, 7),
        signKey: Buffer.from(id.signKey, "base64url"),
        boxKey: Buffer.from(id.boxKey, "base64url"),
        name: Buffer.from(id.name),
        body,
        sealed: false,
      });
      return `bgpals1:${Buffer.concat([header, signBytes(header, id.signPrivateKey)]).toString("base64url")}`;
    };
    expect(decodeBundle(signedBy(alice, Buffer.from("{}")), { now: NOW }).ok).toBe(true);
    for (const body of ["[1,2]", "{", "null", "\"x\""]) {
      expect(refused(decodeBundle(signedBy(alice, Buffer.from(body)), { now: NOW })), body).toMatchObject({ reason: "malformed", message: expect.stringMatching(/signed by alice but its body is not a JSON object/) });
    }
    expect(refused(decodeBundle(signedBy(alice, Buffer.from("{}"), 9), { now: NOW })).message).toMatch(/unknown kind/);
    expect(refused(decodeBundle(signedBy(alice, Buffer.from("{}"), 2), { now: NOW })).message).toMatch(/answer with no recipient/);
  });

  it("refuses a change to the spare bits of the last character, which decoders ignore", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let checked = 0;
    for (const pad of ["", "x", "xx"]) {
      const { text } = encodeBundle({ identity: alice, kind: "offer", body: { pad }, now: NOW });
      const last = text[text.length - 1] ?? "";
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? "";
      const tampered = text.slice(0, -1) + sibling;
      // Only lengths that leave spare bits make the same bytes from different text.
      if (!Buffer.from(tampered.slice(8), "base64url").equals(Buffer.from(text.slice(8), "base64url"))) continue;
      expect(refused(decodeBundle(tampered, { now: NOW })).reason).toBe("bad-signature");
      checked++;
    }
    expect(checked).toBe(2);
  });

  it("refuses text that is not a bundle, another version, or too large, with a reason for each", () => {
    const cases: Array<[string, string]> = [
      ["", "not-a-bundle"],
      ["hello remi", "not-a-bundle"],
      ['{"format": "bgpals/peering@1"}', "not-a-bundle"],
      [offer.text.toUpperCase(), "not-a-bundle"],
      [offer.text.replace("bgpals1:", "bgpals2:"), "unsupported-version"],
      [`${offer.text.slice(0, 100)}+${offer.text.slice(101)}`, "not-a-bundle"],
      [`${offer.text}=`, "not-a-bundle"],
      ["bgpals1:", "truncated"],
      [`${offer.text}AAAA`, "truncated"],
      [offer.text.repeat(30), "too-large"],
      ["x".repeat(5_000_000), "too-large"],
    ];
    for (const [text, reason] of cases) expect(refused(decodeBundle(text, { now: NOW })).reason, text.slice(0, 40)).toBe(reason);
    expect(refused(decodeBundle(42 as unknown as string, { now: NOW })).reason).toBe("not-a-bundle");
    expect(refused(decodeBundle("bgpals9:abc", { now: NOW })).message).toMatch(/format bgpals9.*reads bgpals1/);
  });
});

describe("identity", () => {
  it("survives a JSON round trip and still signs as itself", () => {
    const json = JSON.parse(JSON.stringify(identityToJson(alice)));
    expect(json).toMatchObject({ format: "bgpals/identity@1", name: "alice", signKey: alice.signKey, boxKey: alice.boxKey });
    expect(Buffer.from(json.signKey, "base64url")).toHaveLength(32);
    const restored = identityFromJson(json);
    expect(publicIdentity(restored)).toEqual(publicIdentity(alice));
    const b = encodeBundle({ identity: restored, kind: "offer", body: {}, now: NOW });
    expect(decodeBundle(b.text, { now: NOW, expectedSender: { signKey: alice.signKey } }).ok).toBe(true);
    // And it opens what was sealed to the original.
    expect(accepted(decodeBundle(answer.text, { now: NOW + 11 * MINUTE, identity: restored })).bundle.secrets).toEqual(S1_SECRETS);
  });

  it("is deterministic from injected randomness and distinct otherwise", () => {
    expect(publicIdentity(createIdentity("alice", seededRandom(1)))).toEqual(publicIdentity(alice));
    expect(createIdentity("alice").signKey).not.toBe(createIdentity("alice").signKey);
  });

  it("refuses a damaged identity file with a message", () => {
    const good = identityToJson(alice);
    const bad: unknown[] = [
      null,
      [],
      "alice",
      { ...good, format: "bgpals/identity@2" },
      { ...good, name: "" },
      { ...good, signPrivateKey: "AAAA" },
      { ...good, signPrivateKey: good.boxPrivateKey },
      { ...good, boxKey: remi.boxKey },
    ];
    for (const json of bad) expect(() => identityFromJson(json), JSON.stringify(json)).toThrow(BundleError);
    expect(() => identityFromJson({ ...good, signKey: bob.signKey })).toThrow(/signKey that does not match/);
  });

  it("does not print private keys", () => {
    expect(JSON.stringify(alice)).not.toContain(identityToJson(alice).signPrivateKey);
    expect(String(Object.values(alice))).not.toContain(identityToJson(alice).boxPrivateKey);
  });
});

describe("encodeBundle refuses", () => {
  const base = { identity: remi, now: NOW, body: {} };
  it("secrets without a recipient", () => {
    expect(() => encodeBundle({ ...base, kind: "offer", secrets: { psk: "x" } })).toThrow(BundleError);
    expect(() => encodeBundle({ ...base, kind: "offer", secrets: { psk: "x" } })).toThrow(/secrets can only be sealed to a recipient/);
  });

  it("an answer or prefer request with no recipient", () => {
    expect(() => encodeBundle({ ...base, kind: "answer" })).toThrow(/pass the recipient/);
    expect(() => encodeBundle({ ...base, kind: "prefer" })).toThrow(/pass the recipient/);
  });

  it("bodies, secrets, names, keys and lifetimes that do not fit", () => {
    const to = publicIdentity(alice);
    expect(() => encodeBundle({ ...base, kind: "offer", body: { blob: "x".repeat(9000) } })).toThrow(/at most 8192/);
    expect(() => encodeBundle({ ...base, kind: "offer", body: [] as unknown as Record<string, unknown> })).toThrow(/JSON object/);
    expect(() => encodeBundle({ ...base, kind: "offer", body: { n: 1n } })).toThrow(/cannot be written as JSON/);
    expect(() => encodeBundle({ ...base, kind: "answer", recipient: to, secrets: { n: 1 } as unknown as Record<string, string> })).toThrow(/must be a string/);
    expect(() => encodeBundle({ ...base, kind: "answer", recipient: to, secrets: { k: "x".repeat(3000) } })).toThrow(/at most 2048/);
    expect(() => encodeBundle({ ...base, kind: "answer", recipient: { name: "alice", boxKey: "short" } })).toThrow(/box key/);
    expect(() => encodeBundle({ ...base, kind: "answer", recipient: { name: "al\nice", boxKey: alice.boxKey } })).toThrow(/recipient's name/);
    expect(() => encodeBundle({ ...base, kind: "offer", ttlMs: 0 })).toThrow(/lifetime/);
    expect(() => encodeBundle({ ...base, kind: "offer", ttlMs: 365 * 24 * HOUR })).toThrow(/lifetime/);
    expect(() => encodeBundle({ ...base, kind: "offer", now: Number.NaN })).toThrow(/clock/);
    expect(() => createIdentity(" alice")).toThrow(BundleError);
    expect(() => createIdentity("x".repeat(65))).toThrow(/64 bytes/);
  });
});
