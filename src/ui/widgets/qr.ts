// A QR code as terminal text: two modules per character cell with half blocks (dark modules are
// the drawn part) and a quiet zone. Draw it black on white so it scans on any theme.
import qrcode from "qrcode-generator";

const QUIET = 2;

export function qrLines(text: string): string[] {
  const qr = qrcode(0, "L");
  qr.addData(text, "Byte");
  qr.make();
  const n = qr.getModuleCount();
  const dark = (r: number, c: number) => r >= 0 && c >= 0 && r < n && c < n && qr.isDark(r, c);
  const lines: string[] = [];
  for (let r = -QUIET; r < n + QUIET; r += 2) {
    let line = "";
    for (let c = -QUIET; c < n + QUIET; c++) {
      const top = dark(r, c);
      const bottom = dark(r + 1, c);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines;
}
