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
