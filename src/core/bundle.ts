// Bundles: the one-line texts two friends paste to each other over chat (offer, answer, prefer).
// Pure: the caller passes the clock and may pass the randomness; nothing here reads or writes files.
// The byte layout is in bundle-layout.ts, the cryptography in bundle-crypto.ts.
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import {
  fingerprintOf,
  openSecrets,
  privateKeyFromSeed,
  rawPublicKey,
  sealSecrets,
  signBytes,
  verifyBytes,
} from "./bundle-crypto.js";
import {
  FORMAT_VERSION,
  KEY_BYTES,
  KNOWN_FLAGS,
  MAX_TIME,
  NONCE_BYTES,
  parseBundle,
  writeHeader,
  writeSealed,
  type HeaderFields,
  type ParsedBundle,
} from "./bundle-layout.js";

export const BUNDLE_PREFIX = `bgpals${FORMAT_VERSION}:`;
/** Checked on the pasted text before anything is decoded. */
export const MAX_BUNDLE_TEXT = 16 * 1024;
export const MAX_BODY_BYTES = 8 * 1024;
export const MAX_SECRETS_BYTES = 2 * 1024;
export const MAX_NAME_BYTES = 64;
export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
/** A receiver must remember nonces until expiry to refuse replays; a bound keeps that memory bounded. */
export const MAX_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** How far in the future a bundle may claim to be issued before we blame a clock. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export type BundleKind = "offer" | "answer" | "prefer";

export type BundleRefusal =
  | "not-a-bundle"
  | "unsupported-version"
  | "truncated"
  | "bad-signature"
  | "malformed"
  | "expired"
  | "not-yet-valid"
  | "replayed"
  | "wrong-kind"
  | "wrong-sender"
  | "not-for-me"
  | "cannot-decrypt"
  | "too-large";

/** Who someone is, as a bundle carries it: keys are raw 32-byte keys in base64url. */
export interface PublicIdentity {
  name: string;
  /** Ed25519: verifies their bundles. */
  signKey: string;
  /** X25519: what secrets for them are sealed to. */
  boxKey: string;
}

export type Recipient = Pick<PublicIdentity, "name" | "boxKey">;

/** One operator's keys. Private keys stay KeyObjects so printing an identity shows no key material. */
export interface Identity extends PublicIdentity {
  signPrivateKey: KeyObject;
  boxPrivateKey: KeyObject;
}

/** How an identity is stored (by the caller, in a 0600 file). */
export interface IdentityJson {
  format: "bgpals/identity@1";
  name: string;
  signKey: string;
  boxKey: string;
  /** PKCS8 DER, base64. */
  signPrivateKey: string;
  /** PKCS8 DER, base64. */
  boxPrivateKey: string;
}

export interface Bundle {
  kind: BundleKind;
  from: PublicIdentity;
  to?: Recipient;
  issuedAt: number;
  expiresAt: number;
  /** Hex; remember it (until expiresAt) once the bundle is accepted, and pass it back in `seen`. */
  nonce: string;
  body: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export type DecodeResult =
  | { ok: true; bundle: Bundle; fingerprint: string }
  | { ok: false; reason: BundleRefusal; message: string };

export interface EncodeOptions {
  identity: Identity;
  kind: BundleKind;
  /** Public, signed, not interpreted here. */
  body: Record<string, unknown>;
  /** Sealed to the recipient; needs `recipient`. */
  secrets?: Record<string, string>;
  /** Required for answer and prefer: the offer's sender. */
  recipient?: Recipient;
  now: number;
  ttlMs?: number;
  /** Source of the nonce and the ephemeral key; tests inject a fixed one. */
  random?: (size: number) => Uint8Array;
}

export interface DecodeOptions {
  now: number;
  /** Ours: needed to open sealed secrets and to refuse bundles addressed to someone else. */
  identity?: Identity;
  expectedKind?: BundleKind | BundleKind[];
  /** The friend we already know (from their offer): anyone else's bundle is refused. */
  expectedSender?: { signKey: string; name?: string };
  /** Nonces of bundles already accepted. */
  seen?: { has(nonceHex: string): boolean };
}

/** A bundle or identity bgpals refuses to make; the message says what to change. */
export class BundleError extends Error {
  override name = "BundleError";
}

const KIND_CODES: Record<BundleKind, number> = { offer: 1, answer: 2, prefer: 3 };
const KINDS = Object.keys(KIND_CODES) as BundleKind[];
const KIND_WORDS: Record<BundleKind, string> = { offer: "an offer", answer: "an answer", prefer: "a prefer request" };

// ---------------------------------------------------------------- identity

export function createIdentity(name: string, random: (size: number) => Uint8Array = randomBytes): Identity {
  const problem = nameProblem(name);
  if (problem) throw new BundleError(`cannot create an identity: the name ${problem}`);
  return identityFromKeys(name, privateKeyFromSeed("ed25519", take(random, 32)), privateKeyFromSeed("x25519", take(random, 32)));
}

export function publicIdentity(identity: Identity): PublicIdentity {
  return { name: identity.name, signKey: identity.signKey, boxKey: identity.boxKey };
}

export function identityToJson(identity: Identity): IdentityJson {
  return {
    format: "bgpals/identity@1",
    name: identity.name,
    signKey: identity.signKey,
    boxKey: identity.boxKey,
    signPrivateKey: identity.signPrivateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    boxPrivateKey: identity.boxPrivateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
  };
}

/** Throws a BundleError saying what is wrong with the stored identity. */
export function identityFromJson(json: unknown): Identity {
  const fail = (what: string): never => {
    throw new BundleError(`the identity file ${what}: restore it from a backup, or create a new identity and send your friends a new offer`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("is not a JSON object");
  const j = json as Record<string, unknown>;
  if (j.format !== "bgpals/identity@1") fail(`has format ${JSON.stringify(j.format)}, expected "bgpals/identity@1"`);
  const name = j.name;
  if (typeof name !== "string") return fail("has no name");
  const problem = nameProblem(name);
  if (problem) fail(`has a name that ${problem}`);
  const keyOf = (field: "signPrivateKey" | "boxPrivateKey", type: "ed25519" | "x25519"): KeyObject => {
    const value = j[field];
    if (typeof value !== "string") return fail(`has no ${field}`);
    try {
      const key = privateKeyFromDer(value);
      if (key.asymmetricKeyType === type) return key;
    } catch {
      // reported below
    }
    return fail(`has a ${field} that is not an ${type} PKCS8 key`);
  };
  const identity = identityFromKeys(name, keyOf("signPrivateKey", "ed25519"), keyOf("boxPrivateKey", "x25519"));
  // The public keys are stored for people to read; the private keys are the truth.
  if (j.signKey !== undefined && j.signKey !== identity.signKey) fail("has a signKey that does not match its signPrivateKey");
  if (j.boxKey !== undefined && j.boxKey !== identity.boxKey) fail("has a boxKey that does not match its boxPrivateKey");
  return identity;
}

function privateKeyFromDer(base64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64, "base64"), format: "der", type: "pkcs8" });
}

function identityFromKeys(name: string, signPrivateKey: KeyObject, boxPrivateKey: KeyObject): Identity {
  return {
    name,
    signKey: rawPublicKey(createPublicKey(signPrivateKey)).toString("base64url"),
    boxKey: rawPublicKey(createPublicKey(boxPrivateKey)).toString("base64url"),
    signPrivateKey,
    boxPrivateKey,
  };
}

// ---------------------------------------------------------------- encode

export function encodeBundle(options: EncodeOptions): { text: string; fingerprint: string } {
  const { identity, kind, body, secrets, recipient, now } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const random = options.random ?? randomBytes;
  const fail = (message: string): never => {
    throw new BundleError(`cannot make ${KIND_WORDS[kind] ?? "a bundle"}: ${message}`);
  };

  if (!KINDS.includes(kind)) fail(`unknown kind ${JSON.stringify(kind)} (expected ${KINDS.join(", ")})`);
  if (secrets !== undefined && recipient === undefined) {
    fail("secrets can only be sealed to a recipient; pass the recipient (the sender of the offer you answer)");
  }
  if (kind !== "offer" && recipient === undefined) fail(`${KIND_WORDS[kind]} is addressed to the offer's sender; pass the recipient`);
  if (!Number.isSafeInteger(now) || now < 0) fail(`the clock reading ${now} is not a time in milliseconds`);
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    fail(`a lifetime of ${ttlMs} ms is not allowed (between 1 ms and ${humanDuration(MAX_TTL_MS)})`);
  }
  if (now + ttlMs > MAX_TIME) fail("the expiry time does not fit the format");
  const senderName = nameBytes(identity.name);
  if (typeof senderName === "string") return fail(`your name ${senderName}`);

  const bodyBytes = jsonObjectBytes(body, "the body");
  if (typeof bodyBytes === "string") return fail(bodyBytes);
  if (bodyBytes.length > MAX_BODY_BYTES) fail(`the body is ${bodyBytes.length} bytes of JSON, at most ${MAX_BODY_BYTES} fit`);

  let to: HeaderFields["recipient"];
  if (recipient) {
    const name = nameBytes(recipient.name);
    if (typeof name === "string") return fail(`the recipient's name ${name}`);
    const boxKey = keyBytes(recipient.boxKey);
    if (!boxKey) return fail(`the recipient's box key is not a 32-byte base64url key`);
    to = { boxKey, name };
  }

  let secretBytes: Buffer | undefined;
  if (secrets !== undefined) {
    const bytes = jsonObjectBytes(secrets, "the secrets");
    if (typeof bytes === "string") return fail(bytes);
    if (!isStringMap(secrets)) fail("every secret must be a string");
    if (bytes.length > MAX_SECRETS_BYTES) fail(`the secrets are ${bytes.length} bytes of JSON, at most ${MAX_SECRETS_BYTES} fit`);
    secretBytes = bytes;
  }

  const header: HeaderFields = {
    version: FORMAT_VERSION,
    kind: KIND_CODES[kind],
    issuedAt: now,
    expiresAt: now + ttlMs,
    nonce: take(random, NONCE_BYTES),
    signKey: Buffer.from(identity.signKey, "base64url"),
    boxKey: Buffer.from(identity.boxKey, "base64url"),
    name: senderName,
    body: bodyBytes,
    sealed: secretBytes !== undefined,
  };
  if (to) header.recipient = to;
  const headerBytes = writeHeader(header);
  let signedBytes = headerBytes;
  if (secretBytes !== undefined && to) {
    const sealed = sealSecrets(secretBytes, to.boxKey, headerBytes, take(random, KEY_BYTES));
    if (!sealed) return fail("the recipient's box key is not a usable X25519 key; ask them for a new offer");
    signedBytes = Buffer.concat([headerBytes, writeSealed(sealed)]);
  }
  const signature = signBytes(signedBytes, identity.signPrivateKey);
  const text = BUNDLE_PREFIX + Buffer.concat([signedBytes, signature]).toString("base64url");
  if (text.length > MAX_BUNDLE_TEXT) fail(`it would be ${text.length} characters, at most ${MAX_BUNDLE_TEXT} are accepted`);
  return { text, fingerprint: fingerprintOf(signedBytes) };
}

// ---------------------------------------------------------------- decode

// What chat apps add to a long line: wrapping, indentation, zero-width characters.
const PASTE_NOISE = /[\s\u200b-\u200d\u2060\ufeff]/g;
/** Marks a refusal that came from a bug rather than from the input; tests look for it. */
export const INTERNAL_ERROR = "bgpals could not read this bundle (internal error";

/** Never throws: every input gets a result, and every refusal says what to do. */
export function decodeBundle(text: string, options: DecodeOptions): DecodeResult {
  try {
    return decode(text, options);
  } catch (error) {
    return refuse("malformed", `${INTERNAL_ERROR}: ${error instanceof Error ? error.message : String(error)}); please report it`);
  }
}

function decode(text: unknown, options: DecodeOptions): DecodeResult {
  if (typeof text !== "string") return refuse("not-a-bundle", "this is not a bgpals bundle: paste the line that starts with bgpals1:");
  if (text.length > MAX_BUNDLE_TEXT) {
    return refuse("too-large", `this text is ${text.length} characters, far longer than a bundle (at most ${MAX_BUNDLE_TEXT}): copy only the line that starts with ${BUNDLE_PREFIX}`);
  }
  const line = text.replace(PASTE_NOISE, "");
  if (line === "") return refuse("not-a-bundle", `nothing was pasted: paste the line your friend sent, starting with ${BUNDLE_PREFIX}`);
  const version = /^bgpals(\d+):/.exec(line);
  if (!version) {
    return refuse("not-a-bundle", `this is not a bgpals bundle (it does not start with ${BUNDLE_PREFIX}): copy the whole line your friend sent`);
  }
  if (version[0] !== BUNDLE_PREFIX) {
    return refuse("unsupported-version", `this bundle is format ${version[0].slice(0, -1)}, this bgpals reads ${BUNDLE_PREFIX.slice(0, -1)}: use the same bgpals version on both sides (update the older one)`);
  }
  const payload = line.slice(BUNDLE_PREFIX.length);
  const stray = /[^A-Za-z0-9_-]/u.exec(payload);
  if (stray) {
    return refuse("not-a-bundle", `this bundle contains ${JSON.stringify(stray[0])}, which is never part of a bundle: copy the line again exactly as sent`);
  }
  // No base64 text of this length exists: a character is missing.
  if (payload.length % 4 === 1) return refuse("truncated", incomplete());
  const bytes = Buffer.from(payload, "base64url");
  if (bytes.length > 0 && bytes[0] !== FORMAT_VERSION) return refuse("bad-signature", changed("its sender"));
  const parsed = parseBundle(bytes);
  if (!parsed.ok) {
    return refuse("truncated", parsed.problem === "ends-early" ? incomplete() : "this bundle has extra bytes at the end: copy the line again exactly as sent, nothing before or after it");
  }
  const p = parsed.bundle;
  const claimed = displayName(p.header.name);
  // Decoders ignore the spare bits of the last character; refusing non-canonical text makes every character count.
  const canonical = bytes.toString("base64url") === payload;
  if (!canonical || !verifyBytes(p.signedBytes, p.signature, p.header.signKey)) return refuse("bad-signature", changed(claimed));
  return check(p, claimed, options);
}

/** Everything after a good signature: the content, then whether it is for us, now. */
function check(p: ParsedBundle, sender: string, options: DecodeOptions): DecodeResult {
  const h = p.header;
  const malformed = (what: string) =>
    refuse("malformed", `this bundle is signed by ${sender} but ${what}: ${sender}'s bgpals may be a different version; use the same version on both sides and ask for a new one`);

  if (p.flags & ~KNOWN_FLAGS) return malformed("uses options this bgpals does not know");
  const kind = KINDS.find((k) => KIND_CODES[k] === h.kind);
  if (!kind) return malformed(`has an unknown kind (${h.kind})`);
  const name = utf8(h.name);
  if (name === null || nameProblem(name)) return malformed("its sender name is not valid");
  let to: Recipient | undefined;
  if (h.recipient) {
    const toName = utf8(h.recipient.name);
    if (toName === null || nameProblem(toName)) return malformed("its recipient name is not valid");
    to = { name: toName, boxKey: Buffer.from(h.recipient.boxKey).toString("base64url") };
  }
  if (kind !== "offer" && !to) return malformed(`it is ${KIND_WORDS[kind]} with no recipient`);
  if (p.sealed && !to) return malformed("it has sealed secrets with no recipient");
  if (h.expiresAt <= h.issuedAt) return malformed("it expires before it was issued");
  const body = parseJsonObject(h.body);
  if (!body) return malformed("its body is not a JSON object");

  const from: PublicIdentity = {
    name,
    signKey: Buffer.from(h.signKey).toString("base64url"),
    boxKey: Buffer.from(h.boxKey).toString("base64url"),
  };
  const what = KIND_WORDS[kind];
  const bare = what.replace(/^an? /, "");

  const expected = options.expectedKind === undefined ? undefined : ([] as BundleKind[]).concat(options.expectedKind);
  if (expected && !expected.includes(kind)) {
    return refuse("wrong-kind", `this is ${what} from ${name}, but ${orList(expected.map((k) => KIND_WORDS[k]))} is expected here: paste the bundle for this step`);
  }
  if (options.identity && from.signKey === options.identity.signKey) {
    return refuse("wrong-sender", `this is your own ${bare}, made for your friend: paste here the bundle your friend sends you`);
  }
  if (options.expectedSender && from.signKey !== options.expectedSender.signKey) {
    const known = options.expectedSender.name ?? "your friend";
    return refuse("wrong-sender", `this ${bare} says it is from ${name}, but it is not signed with the key you have for ${known}: if ${known} made a new identity, confirm the fingerprint with them by voice, then start again from a new offer`);
  }
  if (h.issuedAt > options.now + CLOCK_SKEW_MS) {
    return refuse("not-yet-valid", `this ${bare} says it was made ${humanDuration(h.issuedAt - options.now)} from now: the clock on this computer or on ${name}'s is wrong; fix it and ask ${name} for a new one`);
  }
  if (options.now >= h.expiresAt) {
    return refuse("expired", `this ${bare} expired ${humanDuration(options.now - h.expiresAt)} ago: ask ${name} for a new one`);
  }
  const nonce = Buffer.from(h.nonce).toString("hex");
  if (options.seen?.has(nonce)) {
    return refuse("replayed", `this ${bare} was already used: bundles work once; ask ${name} for a new one if something has to change`);
  }
  if (to && options.identity && to.boxKey !== options.identity.boxKey) {
    return refuse("not-for-me", `this ${bare} from ${name} is addressed to ${to.name === options.identity.name ? "another key of yours" : to.name}, not to you: ask ${name} to answer your own offer`);
  }

  const bundle: Bundle = { kind, from, issuedAt: h.issuedAt, expiresAt: h.expiresAt, nonce, body };
  if (to) bundle.to = to;
  if (p.sealed) {
    if (!options.identity) return refuse("cannot-decrypt", `this ${bare} carries sealed secrets: open it with your identity`);
    const plain = openSecrets(p.sealed, options.identity.boxPrivateKey, p.headerBytes);
    if (!plain) return refuse("cannot-decrypt", `the sealed secrets in this ${bare} do not open with your key: ask ${name} to send it again`);
    const secrets = parseJsonObject(plain);
    if (!secrets || !isStringMap(secrets)) return malformed("its sealed secrets are not a JSON object of strings");
    bundle.secrets = secrets;
  }
  return { ok: true, bundle, fingerprint: fingerprintOf(p.signedBytes) };
}

// ---------------------------------------------------------------- helpers

function refuse(reason: BundleRefusal, message: string): DecodeResult {
  return { ok: false, reason, message };
}

function changed(sender: string): string {
  return `this bundle was changed after ${sender} signed it (or copied incompletely): ask ${sender} to send it again`;
}

function incomplete(): string {
  return "this bundle is incomplete (it ends too early): copy the whole line again, from bgpals1: to its last character";
}

/** A name safe to show in a message before its signature is checked, or a neutral word. */
function displayName(bytes: Uint8Array): string {
  const name = utf8(bytes);
  return name !== null && !nameProblem(name) ? name : "its sender";
}

function nameProblem(name: string): string | null {
  if (name.length === 0) return "is empty";
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  if (name.trim() !== name) return "starts or ends with a space";
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) return "contains control or invisible characters";
  return null;
}

function nameBytes(name: string): Buffer | string {
  return nameProblem(name) ?? Buffer.from(name, "utf8");
}

function keyBytes(base64url: string): Buffer | null {
  const bytes = Buffer.from(base64url, "base64url");
  return bytes.length === KEY_BYTES && bytes.toString("base64url") === base64url ? bytes : null;
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function jsonObjectBytes(value: unknown, what: string): Buffer | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${what} must be a JSON object`;
  try {
    return Buffer.from(JSON.stringify(value), "utf8");
  } catch (error) {
    return `${what} cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`;
  }
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  const text = utf8(bytes);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isStringMap(value: Record<string, unknown>): value is Record<string, string> {
  return Object.values(value).every((v) => typeof v === "string");
}

function take(random: (size: number) => Uint8Array, size: number): Buffer {
  const bytes = random(size);
  if (bytes.length !== size) throw new BundleError(`the random source gave ${bytes.length} bytes, ${size} were asked`);
  return Buffer.from(bytes);
}

function orList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "another bundle") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

export function humanDuration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 90) return plural(s, "second");
  const m = Math.round(s / 60);
  if (m < 90) return plural(m, "minute");
  const h = Math.round(m / 60);
  if (h < 48) return plural(h, "hour");
  return plural(Math.round(h / 24), "day");
}
