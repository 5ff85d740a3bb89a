// The word and sentence codec of the RouterOS API: every length class, streaming decode, limits.
import { Transmitter } from "node-routeros";
import { describe, expect, test } from "vitest";
import {
  SentenceDecoder,
  SentenceEncoder,
  encodeSentence,
  prefixLength,
  writePrefix,
} from "../../src/lab/protocol/words.js";

// Boundaries of the length classes and the prefix bytes RouterOS expects for each.
const PREFIXES: [number, number[]][] = [
  [0, [0x00]],
  [0x7f, [0x7f]],
  [0x80, [0x80, 0x80]],
  [0x3fff, [0xbf, 0xff]],
  [0x4000, [0xc0, 0x40, 0x00]],
  [0x1fffff, [0xdf, 0xff, 0xff]],
  [0x200000, [0xe0, 0x20, 0x00, 0x00]],
  [0xfffffff, [0xef, 0xff, 0xff, 0xff]],
  [0x10000000, [0xf0, 0x10, 0x00, 0x00, 0x00]],
  [0xffffffff, [0xf0, 0xff, 0xff, 0xff, 0xff]],
];

const word = (length: number): string => "x".repeat(length);

function decodeAll(bytes: Buffer, decoder = new SentenceDecoder()): string[][] {
  const sentences = decoder.push(bytes);
  if (decoder.error) throw decoder.error;
  return sentences;
}

describe("length prefixes", () => {
  test.each(PREFIXES)("length %i is written as %j", (length, bytes) => {
    const buf = Buffer.alloc(5);
    const end = writePrefix(buf, 0, length);
    expect([...buf.subarray(0, end)]).toEqual(bytes);
    expect(prefixLength(length)).toBe(bytes.length);
  });

  test("lengths beyond 32 bits are refused", () => {
    expect(() => writePrefix(Buffer.alloc(5), 0, 0x100000000)).toThrow(RangeError);
  });

  // The 5-byte form needs a 256 MB word to be produced naturally; its decoding is checked with a
  // short word written in that form (legal, if not minimal) and with the limit it trips.
  test("the 0xF0 five-byte form decodes", () => {
    const bytes = Buffer.from([0x05, ...Buffer.from("/quit"), 0xf0, 0x00, 0x00, 0x00, 0x03, ...Buffer.from("abc"), 0x00]);
    expect(decodeAll(bytes)).toEqual([["/quit", "abc"]]);
  });

  test("a 0xF0 length over the word limit is refused before any byte of it is buffered", () => {
    const decoder = new SentenceDecoder();
    expect(decoder.push(Buffer.from([0xf0, 0x10, 0x00, 0x00, 0x00]))).toEqual([]);
    expect(decoder.error?.message).toMatch(/268435456/);
  });
});

describe("sentences", () => {
  // Words of every class that fits in a test's memory (up to the 4-byte class).
  const lengths = [1, 0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000];

  test.each(lengths)("a word of %i bytes round-trips and matches node-routeros's encoding", (length) => {
    const words = ["/ip/address/add", word(length)];
    const bytes = encodeSentence(words);
    expect(decodeAll(bytes)).toEqual([words]);
    const transmitter = new Transmitter(null as never) as unknown as { encodeString(s: string): Buffer };
    const reference = Buffer.concat([...words.map((w) => transmitter.encodeString(w)), Buffer.from([0])]);
    expect(bytes.equals(reference)).toBe(true);
  });

  test("bytes outside ASCII survive unchanged", () => {
    const raw = Buffer.from([0x03, 0x3d, 0xe9, 0xff, 0x00]);
    const [sentence] = decodeAll(raw);
    expect(encodeSentence(sentence!).equals(raw)).toBe(true);
  });

  test("one byte at a time gives the same sentences", () => {
    const stream = Buffer.concat([
      encodeSentence(["/login", "=name=admin", "=password=", ".tag=1"]),
      encodeSentence(["/ip/route/print", `=comment=${word(0x4001)}`]),
      encodeSentence(["/quit"]),
    ]);
    const decoder = new SentenceDecoder();
    const out: string[][] = [];
    for (const byte of stream) out.push(...decoder.push(Buffer.from([byte])));
    expect(out).toEqual(decodeAll(stream));
    expect(out.map((s) => s[0])).toEqual(["/login", "/ip/route/print", "/quit"]);
    expect(decoder.pendingBytes).toBe(0);
  });

  test("chunks may end inside a length prefix and hold many sentences", () => {
    const one = encodeSentence(["/system/identity/print", `=x=${word(300)}`]);
    const stream = Buffer.concat([one, one, one]);
    const prefixAt = one.indexOf(0x81); // the 2-byte prefix of the long word
    const decoder = new SentenceDecoder();
    const first = decoder.push(stream.subarray(0, prefixAt + 1));
    const rest = decoder.push(stream.subarray(prefixAt + 1));
    expect(first).toEqual([]);
    expect(rest).toHaveLength(3);
  });

  test("empty sentences are skipped", () => {
    expect(decodeAll(Buffer.from([0, 0, 0x01, 0x61, 0x00, 0]))).toEqual([["a"]]);
  });
});

describe("hostile streams", () => {
  test("reserved control bytes break the stream", () => {
    const decoder = new SentenceDecoder();
    decoder.push(Buffer.from([0xf8]));
    expect(decoder.error?.message).toMatch(/control byte/);
  });

  test("sentences before the breakage are still returned, nothing after it", () => {
    const decoder = new SentenceDecoder();
    const good = encodeSentence(["/quit"]);
    expect(decoder.push(Buffer.concat([good, Buffer.from([0xff]), good]))).toEqual([["/quit"]]);
    expect(decoder.push(good)).toEqual([]);
  });

  test("word, word-count and sentence-size limits", () => {
    const words = new SentenceDecoder({ maxSentenceWords: 3 });
    words.push(encodeSentence(["a", "b", "c", "d"]));
    expect(words.error?.message).toMatch(/3 words/);

    const long = new SentenceDecoder({ maxWordBytes: 10 });
    long.push(encodeSentence([word(11)]));
    expect(long.error?.message).toMatch(/11 bytes/);

    const big = new SentenceDecoder({ maxWordBytes: 10, maxSentenceBytes: 25 });
    big.push(encodeSentence([word(10), word(10), word(10)]));
    expect(big.error?.message).toMatch(/25 bytes/);
  });

  test("a claimed 16 MB word buffers only what actually arrived", () => {
    const decoder = new SentenceDecoder();
    decoder.push(Buffer.from([0xe0, 0xff, 0xff, 0xff - 1, 0x61, 0x62]));
    expect(decoder.error).toBeNull();
    expect(decoder.pendingBytes).toBe(2);
  });
});

describe("encoder", () => {
  test("rows of parallel names and values, picked and tagged", () => {
    const encoder = new SentenceEncoder(64);
    const names = [".id", "dst-address", "gateway", "comment"];
    encoder.attributes("!re", names, ["*1", "10.0.0.0/8", "192.168.1.1", undefined], null, ".tag=7");
    encoder.attributes("!re", names, ["*2", "0.0.0.0/0", "ether1", "x"], [3, 0], undefined);
    encoder.sentence(["!done", ".tag=7"]);
    const bytes = Buffer.concat(encoder.take());
    expect(decodeAll(bytes)).toEqual([
      ["!re", "=.id=*1", "=dst-address=10.0.0.0/8", "=gateway=192.168.1.1", ".tag=7"],
      ["!re", "=comment=x", "=.id=*2"],
      ["!done", ".tag=7"],
    ]);
    expect(encoder.pendingBytes).toBe(0);
  });

  test("names of every length, written a word at a time at any offset, come out whole", () => {
    // Name prefixes `=name=` of 3 to 18 bytes: none to four whole 32-bit words and 0 to 3 left over.
    const names = Array.from({ length: 16 }, (_, i) => "abcdefghijklmnop".slice(0, i + 1));
    const expected: string[][] = [];
    const encoder = new SentenceEncoder(100);
    for (let row = 0; row < 40; row++) {
      // Rows shift by a byte or so each time: the words land at every alignment.
      const values = names.map((_, i) => (i === row % 16 ? undefined : "v".repeat((row + i) % 7)));
      encoder.attributes("!re", names, values, null, row % 2 ? ".tag=t" : undefined);
      const words = ["!re", ...names.flatMap((name, i) => (values[i] === undefined ? [] : [`=${name}=${values[i]}`]))];
      expected.push(row % 2 ? [...words, ".tag=t"] : words);
    }
    expect(decodeAll(Buffer.concat(encoder.take()))).toEqual(expected);
  });

  test("sentences larger than a chunk and names added later", () => {
    const encoder = new SentenceEncoder(16);
    const names = ["a"];
    encoder.attributes("!re", names, [word(100)], null, undefined);
    names.push("b");
    encoder.attributes("!re", names, ["1", "2"], null, undefined);
    expect(encoder.pendingBytes).toBeGreaterThan(100);
    expect(decodeAll(Buffer.concat(encoder.take()))).toEqual([
      ["!re", `=a=${word(100)}`],
      ["!re", "=a=1", "=b=2"],
    ]);
  });
});
