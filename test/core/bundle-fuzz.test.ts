// Damaged bundles: every single-character change, every truncation, 1,000 seeded mutations.
// Each is refused with a message; none is accepted, none throws.
import { describe, expect, it } from "vitest";
import { createIdentity, decodeBundle, encodeBundle, INTERNAL_ERROR, publicIdentity, type BundleRefusal, type DecodeResult } from "../../src/core/bundle.js";

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const PREFIX = "bgpals1:";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Damage a paste can do to a single character; none of these is whitespace the decoder forgives.
const ODD_CHARS = ["+", "/", "=", ".", ":", "é", "ß", "😀", "\u0000", "\u202e", "Ａ", "\ud800", "ı", "K"];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const alice = createIdentity("alice");
const remi = createIdentity("remi");
const offer = encodeBundle({
  identity: alice,
  kind: "offer",
  body: { asn: 64514, routerId: "192.168.0.1", networks: ["192.168.0.0/24"], links: [{ name: "isp1", endpoint: "vpn.alice.example", port: 13231 }] },
  now: NOW,
});
const answer = encodeBundle({
  identity: remi,
  kind: "answer",
  body: { asn: 64513, networks: ["192.168.42.0/24"] },
  secrets: { "isp1.presharedKey": "q8Jx0X1wF3bC2n9hYtVvQ1m3S6pK7rL0dE4aZ5uW2o8=" },
  recipient: publicIdentity(alice),
  now: NOW,
});
// Alice decoding remi's answer: the setting in which both originals are accepted.
const options = { now: NOW + 60_000, identity: alice };

function refusedCleanly(text: string, label: string): BundleRefusal {
  let r: DecodeResult;
  try {
    r = decodeBundle(text, options);
  } catch (error) {
    throw new Error(`${label}: decodeBundle threw ${String(error)}`);
  }
  if (r.ok) throw new Error(`${label}: a damaged bundle was accepted: ${JSON.stringify(text.slice(0, 120))}`);
  expect(r.message.trim().length, label).toBeGreaterThan(0);
  expect(r.message, label).not.toContain(INTERNAL_ERROR);
  return r.reason;
}

describe("damaged bundles", () => {
  it("accepts both originals", () => {
    expect(decodeBundle(answer.text, options).ok).toBe(true);
    expect(decodeBundle(offer.text, { now: NOW, identity: remi }).ok).toBe(true);
  });

  it("refuses every single-character change of a sealed answer", () => {
    const rand = prng(7);
    const reasons = new Map<string, number>();
    for (let i = 0; i < answer.text.length; i++) {
      const original = answer.text[i] ?? "";
      const pool = i < PREFIX.length ? `${BASE64URL}:` : BASE64URL;
      const next = pool[(pool.indexOf(original) + 1) % pool.length] ?? "A";
      const random = pool[Math.floor(rand() * pool.length)] ?? "A";
      const odd = ODD_CHARS[Math.floor(rand() * ODD_CHARS.length)] ?? "+";
      for (const replacement of new Set([next, random, odd])) {
        if (replacement === original) continue;
        const reason = refusedCleanly(answer.text.slice(0, i) + replacement + answer.text.slice(i + 1), `position ${i} → ${JSON.stringify(replacement)}`);
        // A change is caught by the layout or the signature, before anything the content says.
        expect(["bad-signature", "truncated", "not-a-bundle", "unsupported-version"], `position ${i}`).toContain(reason);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    // Every payload position is covered by the signature, including the last character's spare bits.
    expect(reasons.get("bad-signature") ?? 0).toBeGreaterThan(answer.text.length - PREFIX.length - 20);
  });

  it("refuses every truncation as incomplete", () => {
    for (let n = 0; n < answer.text.length; n++) {
      const reason = refusedCleanly(answer.text.slice(0, n), `first ${n} characters`);
      expect(reason, `first ${n} characters`).toBe(n < PREFIX.length ? "not-a-bundle" : "truncated");
    }
  });

  it("refuses 1,000 randomly mutated bundles", () => {
    const rand = prng(20250601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    const int = (below: number) => Math.floor(rand() * below);
    const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const anyChar = () => (rand() < 0.7 ? pick([...BASE64URL]) : pick(ODD_CHARS));

    const mutations: Array<(text: string) => string> = [
      // flip one character
      (t) => {
        const i = int(t.length);
        return t.slice(0, i) + anyChar() + t.slice(i + 1);
      },
      // insert
      (t) => {
        const i = int(t.length + 1);
        return t.slice(0, i) + anyChar() + t.slice(i);
      },
      // delete a run
      (t) => {
        const i = int(t.length);
        return t.slice(0, i) + t.slice(i + 1 + int(4));
      },
      // swap two characters
      (t) => {
        const i = int(t.length);
        const j = int(t.length);
        const [a, b] = [Math.min(i, j), Math.max(i, j)];
        return t.slice(0, a) + (t[b] ?? "") + t.slice(a + 1, b) + (t[a] ?? "") + t.slice(b + 1);
      },
      // flip bits in the decoded bytes and re-encode canonically: reaches the layout and the signature
      (t) => {
        const bytes = Buffer.from(t.slice(PREFIX.length), "base64url");
        if (bytes.length > 0) {
          const i = int(bytes.length);
          bytes[i] = (bytes[i] ?? 0) ^ (1 << int(8));
        }
        return PREFIX + bytes.toString("base64url");
      },
      // base64 of random bytes, half of them starting with the right version byte
      () => {
        const bytes = randomBytes(int(900));
        if (bytes.length > 0 && rand() < 0.5) bytes[0] = 1;
        return PREFIX + bytes.toString("base64url");
      },
      // random unicode
      () => Array.from({ length: int(200) }, () => String.fromCodePoint(int(0x10ffff + 1))).join(""),
      // a slice of one bundle glued to the other
      (t) => {
        const other = t.startsWith(offer.text.slice(0, 40)) ? answer.text : offer.text;
        return t.slice(0, int(t.length)) + other.slice(int(other.length));
      },
    ];

    const reasons = new Set<string>();
    let tried = 0;
    while (tried < 1000) {
      const source = rand() < 0.5 ? offer.text : answer.text;
      let text = source;
      for (let steps = 1 + int(3); steps > 0; steps--) text = pick(mutations)(text);
      if (text === offer.text || text === answer.text) continue; // a swap of equal characters, say
      reasons.add(refusedCleanly(text, `mutation ${tried}`));
      tried++;
    }
    for (const reason of ["not-a-bundle", "truncated", "bad-signature"]) expect(reasons).toContain(reason);
  });
});
