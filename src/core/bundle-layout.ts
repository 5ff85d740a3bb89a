// The bytes of a bundle. A length-prefixed binary layout: shorter than JSON in a chat line, and the
// signature covers exactly the bytes that travel, so nothing is re-serialized to verify.
//
// Format version 1 (all integers unsigned big-endian):
//
//   size     field
//   1        format version (1)
//   1        kind: 1 offer, 2 answer, 3 prefer
//   1        flags: bit 0 recipient present, bit 1 sealed part present
//   6        issued-at, ms since the Unix epoch
//   6        expires-at, ms since the Unix epoch
//   16       nonce (random; a receiver refuses one it has seen)
//   32       sender Ed25519 public key (signs the bundle)
//   32       sender X25519 public key (what an answer seals secrets to)
//   1 + n    sender name, UTF-8
//   recipient, when flag bit 0:
//     32     recipient X25519 public key
//     1 + n  recipient name, UTF-8
//   2 + n    body: a JSON object, UTF-8          <- end of the header, the sealed part's associated data
//   sealed part, when flag bit 1:
//     32     ephemeral X25519 public key
//     2 + n  AES-256-GCM ciphertext of the secrets JSON, followed by its 16-byte tag
//   64       Ed25519 signature over every byte before it

export const FORMAT_VERSION = 1;
export const KEY_BYTES = 32;
export const NONCE_BYTES = 16;
export const SIGNATURE_BYTES = 64;

const FLAG_RECIPIENT = 0b01;
const FLAG_SEALED = 0b10;
export const KNOWN_FLAGS = FLAG_RECIPIENT | FLAG_SEALED;

/** Timestamps are 48-bit: enough for milliseconds until the year 10889. */
export const MAX_TIME = 2 ** 48 - 1;

export interface HeaderFields {
  version: number;
  kind: number;
  issuedAt: number;
  expiresAt: number;
  nonce: Uint8Array;
  signKey: Uint8Array;
  boxKey: Uint8Array;
  name: Uint8Array;
  recipient?: { boxKey: Uint8Array; name: Uint8Array };
  body: Uint8Array;
  /** Whether a sealed part follows the header (the flag is written into the header). */
  sealed: boolean;
}

export interface SealedPart {
  ephemeralKey: Uint8Array;
  /** Ciphertext followed by the GCM tag. */
  ciphertext: Uint8Array;
}

export interface ParsedBundle {
  header: HeaderFields;
  /** Raw flag byte, so unknown bits can be refused once the signature is known good. */
  flags: number;
  sealed?: SealedPart;
  headerBytes: Buffer;
  /** Every byte the signature covers: header and sealed part. */
  signedBytes: Buffer;
  signature: Buffer;
}

export type ParseResult = { ok: true; bundle: ParsedBundle } | { ok: false; problem: "ends-early" | "extra-bytes" };

export function writeHeader(h: HeaderFields): Buffer {
  const flags = (h.recipient ? FLAG_RECIPIENT : 0) | (h.sealed ? FLAG_SEALED : 0);
  const fixed = Buffer.alloc(15);
  fixed.writeUInt8(h.version, 0);
  fixed.writeUInt8(h.kind, 1);
  fixed.writeUInt8(flags, 2);
  fixed.writeUIntBE(h.issuedAt, 3, 6);
  fixed.writeUIntBE(h.expiresAt, 9, 6);
  const parts = [
    fixed,
    exact(h.nonce, NONCE_BYTES, "nonce"),
    exact(h.signKey, KEY_BYTES, "sign key"),
    exact(h.boxKey, KEY_BYTES, "box key"),
    prefixed(h.name, 1),
  ];
  if (h.recipient) parts.push(exact(h.recipient.boxKey, KEY_BYTES, "recipient key"), prefixed(h.recipient.name, 1));
  parts.push(prefixed(h.body, 2));
  return Buffer.concat(parts);
}

export function writeSealed(s: SealedPart): Buffer {
  return Buffer.concat([exact(s.ephemeralKey, KEY_BYTES, "ephemeral key"), prefixed(s.ciphertext, 2)]);
}

/** Reads the layout without judging its content: that waits until the signature is checked. */
export function parseBundle(bytes: Uint8Array): ParseResult {
  const r = new Reader(bytes);
  try {
    const version = r.u8();
    const kind = r.u8();
    const flags = r.u8();
    const issuedAt = r.u48();
    const expiresAt = r.u48();
    const nonce = r.take(NONCE_BYTES);
    const signKey = r.take(KEY_BYTES);
    const boxKey = r.take(KEY_BYTES);
    const name = r.take(r.u8());
    const recipient = flags & FLAG_RECIPIENT ? { boxKey: r.take(KEY_BYTES), name: r.take(r.u8()) } : undefined;
    const body = r.take(r.u16());
    const headerEnd = r.offset;
    const sealed = flags & FLAG_SEALED ? { ephemeralKey: r.take(KEY_BYTES), ciphertext: r.take(r.u16()) } : undefined;
    const signedEnd = r.offset;
    const signature = r.take(SIGNATURE_BYTES);
    if (r.offset !== bytes.length) return { ok: false, problem: "extra-bytes" };
    const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const header: HeaderFields = { version, kind, issuedAt, expiresAt, nonce, signKey, boxKey, name, body, sealed: sealed !== undefined };
    if (recipient) header.recipient = recipient;
    const bundle: ParsedBundle = {
      header,
      flags,
      headerBytes: all.subarray(0, headerEnd),
      signedBytes: all.subarray(0, signedEnd),
      signature,
    };
    if (sealed) bundle.sealed = sealed;
    return { ok: true, bundle };
  } catch (error) {
    if (error instanceof EndsEarly) return { ok: false, problem: "ends-early" };
    throw error;
  }
}

class EndsEarly extends Error {}

class Reader {
  offset = 0;
  private readonly buf: Buffer;
  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  take(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw new EndsEarly();
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(): number {
    return this.take(1).readUInt8(0);
  }
  u16(): number {
    return this.take(2).readUInt16BE(0);
  }
  u48(): number {
    return this.take(6).readUIntBE(0, 6);
  }
}

function exact(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) throw new RangeError(`${what} must be ${size} bytes, got ${bytes.length}`);
  return bytes;
}

function prefixed(bytes: Uint8Array, lengthBytes: 1 | 2): Buffer {
  const max = lengthBytes === 1 ? 0xff : 0xffff;
  if (bytes.length > max) throw new RangeError(`field of ${bytes.length} bytes does not fit a ${lengthBytes}-byte length`);
  const len = Buffer.alloc(lengthBytes);
  len.writeUIntBE(bytes.length, 0, lengthBytes);
  return Buffer.concat([len, bytes]);
}
