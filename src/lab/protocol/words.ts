// The RouterOS API wire format. A word is a length prefix and that many bytes; a sentence is words
// ended by an empty word. Words are byte strings: we hold them as latin1 strings (one char per byte)
// so any byte sequence a client sends comes back unchanged, as RouterOS itself stores bytes.

/** Lengths below each bound take 1, 2, 3 or 4 prefix bytes; longer ones take 0xF0 plus 4 bytes. */
const ONE_BYTE = 0x80;
const TWO_BYTES = 0x4000;
const THREE_BYTES = 0x200000;
const FOUR_BYTES = 0x10000000;
/** The largest length the 5-byte form can carry. */
export const MAX_WORD_LENGTH = 0xffffffff;

export function prefixLength(length: number): number {
  if (length < ONE_BYTE) return 1;
  if (length < TWO_BYTES) return 2;
  if (length < THREE_BYTES) return 3;
  if (length < FOUR_BYTES) return 4;
  return 5;
}

/** Writes the length prefix of a word at `offset`; returns the offset after it. */
export function writePrefix(buf: Uint8Array, offset: number, length: number): number {
  if (length < ONE_BYTE) {
    buf[offset] = length;
    return offset + 1;
  }
  if (length < TWO_BYTES) {
    buf[offset] = (length >>> 8) | 0x80;
    buf[offset + 1] = length & 0xff;
    return offset + 2;
  }
  if (length < THREE_BYTES) {
    buf[offset] = (length >>> 16) | 0xc0;
    buf[offset + 1] = (length >>> 8) & 0xff;
    buf[offset + 2] = length & 0xff;
    return offset + 3;
  }
  if (length < FOUR_BYTES) {
    buf[offset] = (length >>> 24) | 0xe0;
    buf[offset + 1] = (length >>> 16) & 0xff;
    buf[offset + 2] = (length >>> 8) & 0xff;
    buf[offset + 3] = length & 0xff;
    return offset + 4;
  }
  if (length > MAX_WORD_LENGTH) throw new RangeError(`word of ${length} bytes is too long for the API`);
  buf[offset] = 0xf0;
  buf[offset + 1] = (length >>> 24) & 0xff;
  buf[offset + 2] = (length >>> 16) & 0xff;
  buf[offset + 3] = (length >>> 8) & 0xff;
  buf[offset + 4] = length & 0xff;
  return offset + 5;
}

// Short strings are copied faster by a loop than by a call into the native writer.
const LOOP_COPY_MAX = 48;

/** Writes a byte string (latin1) at `offset`; returns the offset after it. */
function writeLatin1(buf: Buffer, offset: number, text: string): number {
  const n = text.length;
  if (n <= LOOP_COPY_MAX) {
    for (let i = 0; i < n; i++) buf[offset + i] = text.charCodeAt(i);
    return offset + n;
  }
  return offset + buf.write(text, offset, n, "latin1");
}

/**
 * `=name=` as bytes, and as the little-endian 32-bit words it starts with: a row's names are
 * written a word at a time, a third of the bytes of a route print and the larger part of the time
 * spent writing it byte by byte.
 */
class NamePrefix {
  readonly bytes: Buffer;
  readonly words: Int32Array;

  constructor(name: string) {
    this.bytes = Buffer.from(`=${name}=`, "latin1");
    this.words = new Int32Array(this.bytes.length >>> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = this.bytes.readInt32LE(i * 4);
  }

  get length(): number {
    return this.bytes.length;
  }

  write(buf: Buffer, view: DataView, offset: number): number {
    const words = this.words;
    for (let i = 0; i < words.length; i++) view.setInt32(offset + i * 4, words[i]!, true);
    const bytes = this.bytes;
    for (let i = words.length * 4; i < bytes.length; i++) buf[offset + i] = bytes[i]!;
    return offset + bytes.length;
  }
}

function sentenceSize(words: readonly string[]): number {
  let size = 1;
  for (const word of words) size += prefixLength(word.length) + word.length;
  return size;
}

/** One sentence as bytes (tests, clients and small replies). */
export function encodeSentence(words: readonly string[]): Buffer {
  const buf = Buffer.allocUnsafe(sentenceSize(words));
  let at = 0;
  for (const word of words) {
    at = writePrefix(buf, at, word.length);
    at = writeLatin1(buf, at, word);
  }
  buf[at] = 0;
  return buf;
}

/**
 * Appends sentences into large buffers so a reply of a million items costs a handful of
 * allocations and socket writes, not one Buffer per word.
 */
export class SentenceEncoder {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private sealed: Buffer[] = [];
  private sealedBytes = 0;
  /** `=name=` bytes per attribute-name list, so item rows do not re-encode their names. */
  private namePrefixes = new WeakMap<readonly string[], NamePrefix[]>();
  /** `buf` for writing 32-bit words anywhere in it. */
  private view: DataView;

  constructor(private readonly chunkSize = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(chunkSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes encoded and not yet taken. */
  get pendingBytes(): number {
    return this.sealedBytes + (this.end - this.start);
  }

  /** Hands out everything encoded so far, in order. */
  take(): Buffer[] {
    if (this.end > this.start) {
      this.sealed.push(this.buf.subarray(this.start, this.end));
      this.start = this.end;
    }
    const out = this.sealed;
    this.sealed = [];
    this.sealedBytes = 0;
    return out;
  }

  sentence(words: readonly string[]): void {
    let at = this.reserve(sentenceSize(words));
    const buf = this.buf;
    for (const word of words) {
      at = writePrefix(buf, at, word.length);
      at = writeLatin1(buf, at, word);
    }
    buf[at] = 0;
    this.end = at + 1;
  }

  /**
   * A reply sentence `head =name=value ... tail`: the shape of every `!re` item. Names and values
   * are parallel arrays (how the config store keeps rows); `pick` chooses and orders columns;
   * undefined values are left out.
   */
  attributes(
    head: string,
    names: readonly string[],
    values: readonly (string | undefined)[],
    pick: readonly number[] | null,
    tail: string | undefined,
  ): void {
    const prefixes = this.prefixesFor(names);
    const count = pick === null ? Math.min(names.length, values.length) : pick.length;
    let size = 1 + prefixLength(head.length) + head.length;
    if (tail !== undefined) size += prefixLength(tail.length) + tail.length;
    for (let i = 0; i < count; i++) {
      const column = pick === null ? i : pick[i]!;
      const value = values[column];
      if (value === undefined) continue;
      const length = prefixes[column]!.length + value.length;
      size += prefixLength(length) + length;
    }
    let at = this.reserve(size);
    const buf = this.buf;
    at = writePrefix(buf, at, head.length);
    at = writeLatin1(buf, at, head);
    for (let i = 0; i < count; i++) {
      const column = pick === null ? i : pick[i]!;
      const value = values[column];
      if (value === undefined) continue;
      const prefix = prefixes[column]!;
      at = writePrefix(buf, at, prefix.length + value.length);
      at = prefix.write(buf, this.view, at);
      at = writeLatin1(buf, at, value);
    }
    if (tail !== undefined) {
      at = writePrefix(buf, at, tail.length);
      at = writeLatin1(buf, at, tail);
    }
    buf[at] = 0;
    this.end = at + 1;
  }

  private prefixesFor(names: readonly string[]): NamePrefix[] {
    let prefixes = this.namePrefixes.get(names);
    if (prefixes === undefined) {
      prefixes = [];
      this.namePrefixes.set(names, prefixes);
    }
    // Name lists may grow (a menu gains a column); encode only the new ones.
    for (let i = prefixes.length; i < names.length; i++) prefixes.push(new NamePrefix(names[i]!));
    return prefixes;
  }

  /** Makes room for `size` bytes and returns where they start. */
  private reserve(size: number): number {
    if (this.end + size <= this.buf.length) return this.end;
    if (this.end > this.start) {
      const filled = this.buf.subarray(this.start, this.end);
      this.sealed.push(filled);
      this.sealedBytes += filled.length;
    }
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkSize, size));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.start = 0;
    this.end = 0;
    return 0;
  }
}

/** Bounds on what a peer may make us buffer: hostile bytes must not exhaust memory. */
export interface DecoderLimits {
  /** Longest word accepted, in bytes. */
  maxWordBytes: number;
  /** Most words in one sentence. */
  maxSentenceWords: number;
  /** Most bytes in one sentence, all words together. */
  maxSentenceBytes: number;
}

export const DEFAULT_DECODER_LIMITS: Readonly<DecoderLimits> = {
  maxWordBytes: 16 * 1024 * 1024,
  maxSentenceWords: 10_000,
  maxSentenceBytes: 32 * 1024 * 1024,
};

/** The byte stream broke the protocol or a limit; the connection cannot continue. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/**
 * Turns a TCP byte stream into sentences. Chunks may end anywhere (inside a length prefix or a
 * word) and may hold many sentences; empty sentences are skipped, as RouterOS does.
 */
export class SentenceDecoder {
  limits: DecoderLimits;
  /** Length prefix being read: bytes still expected, and the value so far. */
  private prefixNeed = 0;
  private prefixValue = 0;
  /** Word being read: its length, and the pieces of it received so far. */
  private wordLength = -1;
  private wordParts: Buffer[] = [];
  private wordHave = 0;
  private words: string[] = [];
  private sentenceBytes = 0;
  /** Set once the stream broke the protocol; nothing more is decoded after it. */
  error: ProtocolError | null = null;

  constructor(limits: Partial<DecoderLimits> = {}) {
    this.limits = { ...DEFAULT_DECODER_LIMITS, ...limits };
  }

  /** Bytes held for a sentence that is not complete yet. */
  get pendingBytes(): number {
    return this.sentenceBytes + this.wordHave;
  }

  /**
   * Feeds bytes; returns the sentences they complete. When the bytes break the protocol or a limit,
   * returns the sentences completed before that and sets `error`; the stream is dead from then on.
   */
  push(chunk: Uint8Array): string[][] {
    const done: string[][] = [];
    if (this.error !== null) return done;
    try {
      this.decode(chunk, done);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.error = error;
      this.wordParts = [];
      this.words = [];
    }
    return done;
  }

  private decode(chunk: Uint8Array, done: string[][]): void {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = data.length;
    let i = 0;
    while (i < n) {
      if (this.wordLength >= 0) {
        // Inside a word: take what this chunk holds of it.
        const want = this.wordLength - this.wordHave;
        const take = Math.min(want, n - i);
        if (take === want && this.wordHave === 0) {
          this.finishWord(data.toString("latin1", i, i + take));
        } else {
          this.wordParts.push(data.subarray(i, i + take));
          this.wordHave += take;
          if (this.wordHave === this.wordLength) {
            const whole = Buffer.concat(this.wordParts, this.wordLength);
            this.wordParts = [];
            this.wordHave = 0;
            this.finishWord(whole.toString("latin1"));
          }
        }
        i += take;
        continue;
      }
      const byte = data[i++]!;
      if (this.prefixNeed > 0) {
        this.prefixValue = this.prefixValue * 256 + byte;
        if (--this.prefixNeed === 0) this.startWord(this.prefixValue, done);
        continue;
      }
      if (byte < 0x80) this.startWord(byte, done);
      else if (byte < 0xc0) this.beginPrefix(byte & 0x3f, 1);
      else if (byte < 0xe0) this.beginPrefix(byte & 0x1f, 2);
      else if (byte < 0xf0) this.beginPrefix(byte & 0x0f, 3);
      else if (byte === 0xf0) this.beginPrefix(0, 4);
      else throw new ProtocolError(`reserved control byte 0x${byte.toString(16)}`);
    }
  }

  private beginPrefix(value: number, more: number): void {
    this.prefixValue = value;
    this.prefixNeed = more;
  }

  private startWord(length: number, done: string[][]): void {
    if (length === 0) {
      if (this.words.length > 0) done.push(this.words);
      this.words = [];
      this.sentenceBytes = 0;
      return;
    }
    const { maxWordBytes, maxSentenceWords, maxSentenceBytes } = this.limits;
    if (length > maxWordBytes) throw new ProtocolError(`word of ${length} bytes exceeds ${maxWordBytes}`);
    if (this.words.length >= maxSentenceWords) throw new ProtocolError(`sentence exceeds ${maxSentenceWords} words`);
    if (this.sentenceBytes + length > maxSentenceBytes) {
      throw new ProtocolError(`sentence exceeds ${maxSentenceBytes} bytes`);
    }
    this.wordLength = length;
  }

  private finishWord(word: string): void {
    this.words.push(word);
    this.sentenceBytes += word.length;
    this.wordLength = -1;
  }
}
