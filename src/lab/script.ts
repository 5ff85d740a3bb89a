// The lab's `/export`: menus and values written the way RouterOS prints a configuration script.

/** "/interface/wireguard/peers" → "/interface wireguard peers": an export names a menu by words. */
export function menuLine(path: string): string {
  return `/${path.split("/").filter((word) => word !== "").join(" ")}`;
}

/** A value RouterOS can read without quotes: one word of letters, digits and a few separators. */
const PLAIN = /^[\w.:/,@+*-]+$/;

/**
 * A value as an export prints it: bare when it is one plain word, otherwise in double quotes
 * with the escapes of the RouterOS scripting language (\" \\ \$ \? \n \r \t, and \XX for any
 * other byte outside printable ASCII).
 */
export function scriptValue(value: string): string {
  if (PLAIN.test(value)) return value;
  const escapes: Readonly<Record<string, string>> = { '"': '\\"', "\\": "\\\\", $: "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  let body = "";
  for (const ch of value) {
    const escaped = escapes[ch];
    if (escaped !== undefined) body += escaped;
    else if (ch >= " " && ch <= "~") body += ch;
    else for (const byte of Buffer.from(ch, "utf8")) body += `\\${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `"${body}"`;
}
