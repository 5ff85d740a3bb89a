// Text that is not what it seems: characters that do not show, or change how the text around them
// shows (zero-width spaces, bidi overrides, control characters). A friend's name, a WAN interface or
// an endpoint carrying one reads like another on screen; bgpals refuses them instead of guessing.

// Format (Cf: zero-width, bidi marks and overrides, tags, BOM), control (Cc), line and paragraph
// separators. Newlines are spared: a PEM certificate has them (its own pattern checks it).
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;

/** The first invisible or control character of a text, as "U+200B", or null. */
export function invisibleCharacter(text: string): string | null {
  const m = INVISIBLE.exec(text);
  return m === null ? null : `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

export interface InvisibleFound {
  /** Path of the string (or of the key) holding it, as in core/peering's jsonPath. */
  path: (string | number)[];
  /** "U+200B" */
  character: string;
  /** A key, rather than a value, holds it. */
  inKey: boolean;
}

/** Every string and key of a JSON value holding an invisible or control character. */
export function findInvisible(value: unknown, path: (string | number)[] = [], out: InvisibleFound[] = []): InvisibleFound[] {
  if (typeof value === "string") {
    const character = invisibleCharacter(value);
    if (character !== null) out.push({ path, character, inKey: false });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findInvisible(v, [...path, i], out));
  } else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const character = invisibleCharacter(key);
      if (character !== null) out.push({ path: [...path, key], character, inKey: true });
      findInvisible(v, [...path, key], out);
    }
  }
  return out;
}

/** What to say about one: where, which character, what to do. */
export function invisibleMessage(found: InvisibleFound): string {
  return `${found.inKey ? "this name" : "this text"} contains ${found.character}, an invisible or control character that makes it read like something else: retype it with plain characters`;
}
