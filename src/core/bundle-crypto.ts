// The cryptography of bundles, on node:crypto only: Ed25519 signatures, secrets sealed to an X25519
// key (ephemeral X25519 + HKDF-SHA256 + AES-256-GCM), and the fingerprint people read aloud.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";

export type KeyKind = "ed25519" | "x25519";

// DER wrappers around a raw 32-byte key, so raw keys (what travels) and seeds (what tests inject)
// become KeyObjects without a JWK detour. The last 32 bytes of each are the key itself.
const DER = {
  ed25519: { spki: "302a300506032b6570032100", pkcs8: "302e020100300506032b657004220420" },
  x25519: { spki: "302a300506032b656e032100", pkcs8: "302e020100300506032b656e04220420" },
} as const;

const SEAL_INFO = Buffer.from("bgpals1 sealed secrets");
const GCM_TAG_BYTES = 16;

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32);
}

export function publicKeyFromRaw(kind: KeyKind, raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([Buffer.from(DER[kind].spki, "hex"), raw]), format: "der", type: "spki" });
}

/** A private key from 32 bytes of seed (Ed25519) or scalar (X25519). */
export function privateKeyFromSeed(kind: KeyKind, seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError(`a ${kind} seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([Buffer.from(DER[kind].pkcs8, "hex"), seed]), format: "der", type: "pkcs8" });
}

export function signBytes(data: Uint8Array, signPrivateKey: KeyObject): Buffer {
  return sign(null, data, signPrivateKey);
}

/** False for a bad signature and for a sign key that is not a usable Ed25519 point. */
export function verifyBytes(data: Uint8Array, signature: Uint8Array, signKey: Uint8Array): boolean {
  try {
    return verify(null, data, publicKeyFromRaw("ed25519", signKey), signature);
  } catch {
    return false;
  }
}

/**
 * Seals `plaintext` to the recipient's X25519 key. The header bytes are the associated data, so the
 * sealed part cannot be moved under another header (another sender, recipient, nonce or time).
 * Null when the recipient key is not usable (a low-order point gives no shared secret).
 */
export function sealSecrets(
  plaintext: Uint8Array,
  recipientBoxKey: Uint8Array,
  header: Uint8Array,
  ephemeralSeed: Uint8Array,
): { ephemeralKey: Buffer; ciphertext: Buffer } | null {
  const ephemeral = privateKeyFromSeed("x25519", ephemeralSeed);
  const ephemeralKey = rawPublicKey(createPublicKey(ephemeral));
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: ephemeral, publicKey: publicKeyFromRaw("x25519", recipientBoxKey) });
  } catch {
    return null;
  }
  const { key, iv } = sealKey(shared, ephemeralKey, recipientBoxKey);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(header);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { ephemeralKey, ciphertext };
}

/** The plaintext, or null when the sealed part does not open with this key and header. */
export function openSecrets(
  sealed: { ephemeralKey: Uint8Array; ciphertext: Uint8Array },
  boxPrivateKey: KeyObject,
  header: Uint8Array,
): Buffer | null {
  if (sealed.ciphertext.length < GCM_TAG_BYTES) return null;
  try {
    const shared = diffieHellman({ privateKey: boxPrivateKey, publicKey: publicKeyFromRaw("x25519", sealed.ephemeralKey) });
    const { key, iv } = sealKey(shared, sealed.ephemeralKey, rawPublicKey(createPublicKey(boxPrivateKey)));
    const tagAt = sealed.ciphertext.length - GCM_TAG_BYTES;
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(header);
    decipher.setAuthTag(sealed.ciphertext.subarray(tagAt));
    return Buffer.concat([decipher.update(sealed.ciphertext.subarray(0, tagAt)), decipher.final()]);
  } catch {
    return null;
  }
}

// Each ephemeral key seals exactly once, so the IV can come from HKDF too: 12 bytes saved per bundle.
function sealKey(shared: Buffer, ephemeralKey: Uint8Array, recipientBoxKey: Uint8Array): { key: Buffer; iv: Buffer } {
  const okm = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeralKey, recipientBoxKey]), SEAL_INFO, 44));
  return { key: okm.subarray(0, 32), iv: okm.subarray(32, 44) };
}

// No 0/O, 1/I/L: read aloud over a phone without confusion. 31 symbols, so base 31, not bit groups.
const FINGERPRINT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** 16 symbols (about 79 bits) of SHA-256 over the signed bytes, as `XXXX-XXXX-XXXX-XXXX`. */
export function fingerprintOf(signedBytes: Uint8Array): string {
  let n = BigInt(`0x${createHash("sha256").update(signedBytes).digest("hex").slice(0, 32)}`);
  const base = BigInt(FINGERPRINT_ALPHABET.length);
  let out = "";
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += "-";
    out += FINGERPRINT_ALPHABET[Number(n % base)];
    n /= base;
  }
  return out;
}
