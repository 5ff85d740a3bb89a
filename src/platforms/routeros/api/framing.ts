// How much a router may send before bgpals stops listening, and a reader of the API framing that
// checks it without keeping the bytes. A RouterOS reply word is an attribute, a row a menu item:
// nothing a real router answers comes near these limits, while a broken or hostile peer could
// otherwise make the client buffer a 4 GB word, or one endless sentence, in memory.

/** The longest reply word bgpals reads (16 MiB). */
export const MAX_WORD_BYTES = 16 * 1024 * 1024;
/** The most bytes in one reply sentence (all its words). */
export const MAX_SENTENCE_BYTES = 32 * 1024 * 1024;
/** The most words in one reply sentence: a row with this many attributes is no menu item. */
export const MAX_SENTENCE_WORDS = 10_000;
/** The reply words RouterOS sends; anything else means the two ends no longer agree. */
export const REPLY_TYPES: ReadonlySet<string> = new Set(["!re", "!done", "!trap", "!fatal", "!empty"]);

/** The bytes broke the API framing or one of the limits; `message` says how. */
export class FramingError extends Error {}

export interface FramingChecks {
  /** Refuse a sentence whose first word is not one of these. */
  readonly replyTypes?: ReadonlySet<string>;
  /** Refuse a reply without `.tag=` (every reply to a tagged command has one; `!fatal` does not). */
  readonly tagged?: boolean;
}

/** Bytes of a word kept to name it: enough for any reply word, and to see `.tag=`. */
const HEAD_BYTES = 24;
const TAG = ".tag=";
const TAG_BYTES = [...Buffer.from(TAG, "latin1")];

/**
 * Follows word and sentence boundaries across chunks, keeping only a few bytes of each word, and
 * throws a FramingError as soon as a length prefix announces more than the limits allow, so the
 * word is refused before any of it is buffered.
 */
export class ReplyFraming {
  /** Length prefix being read: bytes still expected (0: none), and the value so far. */
  #prefixNeed = 0;
  #prefixValue = 0;
  /** Body bytes of the current word still to come; -1 between words. */
  #remaining = -1;
  readonly #head = Buffer.alloc(HEAD_BYTES);
  #headLength = 0;
  #wordLength = 0;
  #words = 0;
  #bytes = 0;
  #type = "";
  #tagged = false;

  constructor(private readonly checks: FramingChecks = {}) {}

  /** Inside a sentence (some of its bytes seen, its end not yet). */
  get midSentence(): boolean {
    return this.#words > 0 || this.#prefixNeed > 0 || this.#remaining >= 0;
  }

  /** Forgets the sentence in progress. */
  reset(): void {
    this.#prefixNeed = 0;
    this.#remaining = -1;
    this.#headLength = 0;
    this.#words = 0;
    this.#bytes = 0;
    this.#type = "";
    this.#tagged = false;
  }

  /**
   * Reads `data[from..]`. With `untilSentenceEnd`, stops after the first sentence that ends in it
   * and returns the offset right after that sentence, or -1 when none ends; otherwise reads all of
   * it and returns its length.
   */
  scan(data: Uint8Array, from = 0, untilSentenceEnd = false): number {
    let at = from;
    const end = data.length;
    while (at < end) {
      if (this.#remaining > 0) {
        // Inside a word: keep its first bytes, skip the rest.
        const take = Math.min(this.#remaining, end - at);
        // A byte loop: a subarray per word would be an allocation per word.
        const keep = Math.min(take, HEAD_BYTES - this.#headLength);
        for (let i = 0; i < keep; i++) this.#head[this.#headLength + i] = data[at + i]!;
        this.#headLength += keep;
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#wordEnded();
        continue;
      }
      const byte = data[at++]!;
      if (this.#prefixNeed > 0) {
        this.#prefixValue = this.#prefixValue * 256 + byte;
        if (--this.#prefixNeed === 0) this.#wordStarts(this.#prefixValue);
      } else if (byte < 0x80) {
        this.#wordStarts(byte);
      } else if (byte < 0xc0) {
        this.#prefix(byte & 0x3f, 1);
      } else if (byte < 0xe0) {
        this.#prefix(byte & 0x1f, 2);
      } else if (byte < 0xf0) {
        this.#prefix(byte & 0x0f, 3);
      } else if (byte === 0xf0) {
        this.#prefix(0, 4);
      } else {
        throw new FramingError(`a reserved control byte (0x${byte.toString(16)}) where a word length belongs`);
      }
      if (this.#remaining === 0) {
        // An empty word ends the sentence.
        this.#remaining = -1;
        const ended = this.#words > 0;
        this.#sentenceEnded();
        if (ended && untilSentenceEnd) return at;
      }
    }
    return untilSentenceEnd ? -1 : end;
  }

  #prefix(value: number, more: number): void {
    this.#prefixValue = value;
    this.#prefixNeed = more;
  }

  #wordStarts(length: number): void {
    if (length === 0) {
      this.#remaining = 0;
      return;
    }
    if (length > MAX_WORD_BYTES) throw new FramingError(`a reply word of ${length} bytes, over the limit of ${mib(MAX_WORD_BYTES)}`);
    this.#bytes += length;
    if (this.#bytes > MAX_SENTENCE_BYTES) throw new FramingError(`a reply sentence of more than ${mib(MAX_SENTENCE_BYTES)}`);
    if (++this.#words > MAX_SENTENCE_WORDS) throw new FramingError(`a reply sentence of more than ${MAX_SENTENCE_WORDS} words`);
    this.#wordLength = length;
    this.#headLength = 0;
    this.#remaining = length;
  }

  #wordEnded(): void {
    this.#remaining = -1;
    if (this.#words === 1) {
      const head = this.#head.toString("latin1", 0, this.#headLength);
      this.#type = this.#wordLength > HEAD_BYTES ? `${head}...` : head;
      const types = this.checks.replyTypes;
      if (types !== undefined && !types.has(this.#type)) throw new FramingError(`an unknown reply word ${JSON.stringify(this.#type)}`);
    } else if (this.#headLength >= TAG.length && TAG_BYTES.every((byte, i) => this.#head[i] === byte)) {
      this.#tagged = true;
    }
  }

  #sentenceEnded(): void {
    const untagged = this.#words > 0 && this.checks.tagged === true && !this.#tagged && this.#type !== "!fatal";
    const type = this.#type;
    this.reset();
    if (untagged) throw new FramingError(`a ${type} reply without a tag`);
  }
}

function mib(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}
