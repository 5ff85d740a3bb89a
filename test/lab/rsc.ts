// Reads RouterOS script (.rsc) text into menus and `add` items, for tests that judge written
// configurations (bgpals's golden renders, the seeds' articles) with the lab's filter reader.

export interface ScriptItem {
  /** The menu in API form, e.g. "/routing/filter/rule". */
  menu: string;
  attrs: Record<string, string>;
}

/** `add` lines under their menu lines ("/routing filter rule" then "add chain=... rule=..."), or one-line "/menu add ...". */
export function readScript(text: string): ScriptItem[] {
  const items: ScriptItem[] = [];
  let menu = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const oneLine = /^(\/[a-z0-9 -]+?) add (.*)$/.exec(line);
    if (oneLine !== null) {
      items.push({ menu: apiPath(oneLine[1]!), attrs: readWords(oneLine[2]!) });
    } else if (line.startsWith("/")) {
      menu = apiPath(line);
    } else if (line.startsWith("add ")) {
      items.push({ menu, attrs: readWords(line.slice(4)) });
    }
  }
  return items;
}

function apiPath(menuLine: string): string {
  return `/${menuLine.slice(1).trim().split(/\s+/).join("/")}`;
}

/** `key=value` words; values may be "quoted" (with \ escapes) or [bracketed] script expressions. */
export function readWords(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === " ") i++;
    const eq = text.indexOf("=", i);
    if (eq < 0) break;
    const key = text.slice(i, eq);
    i = eq + 1;
    let value = "";
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\") {
          i++;
          value += text[i] === "n" ? "\n" : text[i];
        } else value += text[i];
      }
      i++;
    } else if (text[i] === "[") {
      let depth = 0;
      const start = i;
      for (; i < text.length; i++) {
        if (text[i] === "[") depth++;
        if (text[i] === "]" && --depth === 0) break;
      }
      i++;
      value = text.slice(start, i);
    } else {
      const end = text.indexOf(" ", i);
      value = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    out[key] = value;
  }
  return out;
}
