// The framing checks on what a router sends, alone: sentence ends found wherever chunks are cut,
// and each limit refused at the length prefix that breaks it, before the word's bytes.
import { describe, expect, test } from "vitest";
import { encodeSentence, writePrefix } from "../../../src/lab/protocol/words.js";
import { FramingError, MAX_SENTENCE_WORDS, MAX_WORD_BYTES, REPLY_TYPES, ReplyFraming } from "../../../src/platforms/routeros/api/framing.js";

const REPLIES = Buffer.concat([
  encodeSentence(["!re", "=.id=*1", `=comment=${"x".repeat(0x4000)}`, ".tag=a"]),
  encodeSentence(["!empty", ".tag=b"]),
  encodeSentence(["!done", ".tag=a"]),
  encodeSentence(["!trap", "=message=no such item", ".tag=c"]),
  encodeSentence(["!fatal", "session terminated on request"]),
]);

/** The length prefix of a word of `length` bytes, as bytes. */
function prefix(length: number): Buffer {
  const bytes = Buffer.alloc(5);
  return bytes.subarray(0, writePrefix(bytes, 0, length));
}

function refusal(framing: ReplyFraming, ...chunks: Buffer[]): string {
  try {
    for (const chunk of chunks) framing.scan(chunk);
  } catch (e) {
    expect(e).toBeInstanceOf(FramingError);
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("ReplyFraming", () => {
  test("finds every sentence end, whole or a byte at a time", () => {
    const ends = (chunkBytes: number): number[] => {
      const framing = new ReplyFraming({ replyTypes: REPLY_TYPES, tagged: true });
      const found: number[] = [];
      for (let at = 0; at < REPLIES.length; at += chunkBytes) {
        const chunk = REPLIES.subarray(at, at + chunkBytes);
        for (let from = 0; ; ) {
          const end = framing.scan(chunk, from, true);
          if (end < 0) break;
          found.push(at + end);
          from = end;
        }
        expect(framing.midSentence).toBe(found.at(-1) !== at + chunk.length && at + chunk.length < REPLIES.length);
      }
      return found;
    };
    const whole = ends(REPLIES.length);
    expect(whole).toHaveLength(5);
    expect(whole.at(-1)).toBe(REPLIES.length);
    for (const size of [1, 2, 3, 7, 1000]) expect(ends(size)).toEqual(whole);
  });

  test("a word of the limit passes; one byte more is refused at its length, before its bytes", () => {
    const head = encodeSentence(["!re"]).subarray(0, 4);
    const atLimit = new ReplyFraming({ replyTypes: REPLY_TYPES });
    atLimit.scan(Buffer.concat([head, prefix(MAX_WORD_BYTES)]));
    expect(atLimit.midSentence).toBe(true);
    expect(refusal(new ReplyFraming(), head, prefix(MAX_WORD_BYTES + 1))).toBe(`a reply word of ${MAX_WORD_BYTES + 1} bytes, over the limit of 16 MiB`);
    // The 5-byte form, cut inside the prefix.
    const huge = prefix(0xffffffff);
    expect(huge).toHaveLength(5);
    expect(refusal(new ReplyFraming(), head, huge.subarray(0, 2), huge.subarray(2))).toBe("a reply word of 4294967295 bytes, over the limit of 16 MiB");
  });

  test("too many words, too many bytes, reserved bytes", () => {
    const words = Buffer.concat(Array.from({ length: MAX_SENTENCE_WORDS + 1 }, () => encodeSentence(["=a=b"]).subarray(0, 5)));
    expect(refusal(new ReplyFraming(), encodeSentence(["!re"]).subarray(0, 4), words)).toBe(`a reply sentence of more than ${MAX_SENTENCE_WORDS} words`);
    const big = Buffer.concat([prefix(MAX_WORD_BYTES), Buffer.alloc(MAX_WORD_BYTES, 0x61)]);
    expect(refusal(new ReplyFraming(), encodeSentence(["!re"]).subarray(0, 4), big, big)).toBe("a reply sentence of more than 32 MiB");
    expect(refusal(new ReplyFraming(), Buffer.from([0xf8]))).toBe("a reserved control byte (0xf8) where a word length belongs");
  });

  test("unknown reply words and untagged replies, where asked", () => {
    const checked = () => new ReplyFraming({ replyTypes: REPLY_TYPES, tagged: true });
    expect(refusal(checked(), encodeSentence(["!weird", ".tag=a"]))).toBe('an unknown reply word "!weird"');
    expect(refusal(checked(), encodeSentence([`!${"w".repeat(40)}`]))).toBe(`an unknown reply word "!${"w".repeat(23)}..."`);
    expect(refusal(checked(), encodeSentence(["!re", "=name=x"]))).toBe("a !re reply without a tag");
    // `!fatal` carries no tag; without the checks anything goes.
    checked().scan(encodeSentence(["!fatal", "bye"]));
    new ReplyFraming().scan(Buffer.concat([encodeSentence(["!weird"]), encodeSentence(["!re", "=name=x"])]));
  });
});
