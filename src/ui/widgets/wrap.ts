// Text wrapped into a screen's lines before Ink draws it, where the lines must be counted (what
// fits, what scrolls) or indented under themselves: at spaces, a word longer than a line cut where
// it must (a path), and no line starting with the space it broke at.

/** `text` in lines of at most `width` columns; the lines after the first at most `restWidth`. */
export function wrapText(text: string, width: number, restWidth = width): string[] {
  const lines: string[] = [];
  const room = () => Math.max(1, lines.length === 0 ? width : restWidth);
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const joined = line === "" ? word : `${line} ${word}`;
      if (joined.length <= room()) {
        line = joined;
        continue;
      }
      if (line !== "" && word.length <= restWidth) {
        lines.push(line);
        line = word;
        continue;
      }
      // Longer than any line: on from where the line is, cut at its end.
      let rest = joined;
      while (rest.length > room()) {
        lines.push(rest.slice(0, room()));
        rest = rest.slice(lines[lines.length - 1]!.length);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Parts of a line ("with remi · wireguard · primary isp1") in lines of at most `width` columns,
 * broken only between parts, so no part is cut in two ("primary" / "isp1"); a part longer than a
 * line has lines of its own.
 */
export function wrapParts(parts: readonly string[], width: number, separator = " · "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    const joined = line === "" ? part : `${line}${separator}${part}`;
    if (joined.length <= width) {
      line = joined;
      continue;
    }
    if (line !== "") lines.push(line);
    line = "";
    if (part.length <= width) {
      line = part;
      continue;
    }
    const cut = wrapText(part, width);
    lines.push(...cut.slice(0, -1));
    line = cut[cut.length - 1]!;
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * One line of a list in lines of at most `width` columns, each continuation under the line's own
 * text: indented as the line is, and a change's (`  ~ name: ...`, `+`, `-`) two more, under its name.
 */
export function wrapHanging(line: string, width: number): string[] {
  const lead = /^ */.exec(line)![0].length;
  const hang = lead + (/^ *[~+-] /.test(line) ? 2 : 0);
  return wrapText(line.slice(lead), Math.max(1, width - lead), Math.max(1, width - hang)).map((text, i) => `${" ".repeat(i === 0 ? lead : hang)}${text}`);
}
