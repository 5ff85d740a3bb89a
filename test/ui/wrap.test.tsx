// Text wrapped before Ink draws it: counted lines, indented under themselves, never a line
// starting with the space it broke at, a path longer than a line cut where it must.
import { Box, Text } from "ink";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { linesOf, Prose } from "../../src/ui/components/WizardFrame.js";
import { wrapHanging, wrapParts, wrapText } from "../../src/ui/widgets/wrap.js";
import { plain } from "./helpers.js";

describe("wrapText", () => {
  it("breaks at spaces, none kept at a line's start, each line within its width", () => {
    const text = "Fingerprint J49F-BTNA-G3PN-RXWN — it must match what xa26229 reads to you.";
    const lines = wrapText(text, 30);
    expect(lines.join(" ")).toBe(text);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(30);
      expect(line).not.toMatch(/^ /);
    }
  });

  it("cuts a word longer than a line where the line ends, and the lines after the first to their own width", () => {
    const path = "/tmp/bgpals-suite-8Y3fDZ/bgpals-xa26229-TXjIDK/peers/xr26229.json";
    const lines = wrapText(`Saved ${path}.`, 24, 20);
    expect(lines.join("")).toBe(`Saved ${path}.`);
    expect(lines[0]).toHaveLength(24);
    for (const line of lines.slice(1)) expect(line.length).toBeLessThanOrEqual(20);
  });

  it("keeps line breaks and short text as they are", () => {
    expect(wrapText("one\ntwo words", 60)).toEqual(["one", "two words"]);
    expect(wrapText("", 10)).toEqual([""]);
  });
});

describe("wrapParts", () => {
  const parts = ["with remi", "wireguard", "isp1=vlan832-orange-internet isp2=sfp-wan-sfr", "primary isp1", "AS64512"];

  it("breaks only between parts, each line within its width, nothing lost", () => {
    const lines = wrapParts(parts, 80);
    // At 80 columns "primary isp1" was cut after "primary" by the word wrap.
    expect(lines).toEqual(["with remi · wireguard · isp1=vlan832-orange-internet isp2=sfp-wan-sfr", "primary isp1 · AS64512"]);
    for (const width of [20, 40, 60, 80]) {
      const wrapped = wrapParts(parts, width);
      for (const line of wrapped) expect(line.length).toBeLessThanOrEqual(width);
      // The same characters in the same order (a word longer than the line is cut where it must).
      expect(wrapped.join("").replace(/ · | /g, "")).toBe(parts.join("").replace(/ /g, ""));
    }
  });

  it("gives a part longer than a line lines of its own, wrapped at its spaces", () => {
    expect(wrapParts(parts, 30)).toEqual(["with remi · wireguard", "isp1=vlan832-orange-internet", "isp2=sfp-wan-sfr", "primary isp1 · AS64512"]);
  });

  it("keeps a short line and no parts as they are", () => {
    expect(wrapParts(["with remi", "wireguard"], 60)).toEqual(["with remi · wireguard"]);
    expect(wrapParts([], 60)).toEqual([""]);
  });
});

describe("Prose", () => {
  // New peering's first guide: at 60 columns its words up to "after" fill the first line exactly.
  const guide = "Your friend's name: the peering and its file are named after it.";

  it("draws a paragraph without a line starting with the space it broke at, where Ink's own wrap does", () => {
    const own = plain(render(<Box width={60}><Text>{guide}</Text></Box>).lastFrame()).split("\n");
    // What the screen showed before: the space at the break begins the next line.
    expect(own).toEqual(["Your friend's name: the peering and its file are named after", " it."]);
    const lines = plain(render(<Box width={60}><Prose text={guide} columns={60} /></Box>).lastFrame()).split("\n");
    expect(lines).toEqual(["Your friend's name: the peering and its file are named after", "it."]);
    expect(linesOf(guide, 60)).toBe(lines.length);
  });

  it("counts the lines a paragraph takes as it is drawn, word wrap and all", () => {
    // 112 characters: two lines of 60 by count; three as words wrap (no two of them share a line).
    const text = ["a".repeat(40), "b".repeat(40), "c".repeat(30)].join(" ");
    const drawn = plain(render(<Box width={60}><Prose text={text} columns={60} /></Box>).lastFrame()).split("\n");
    expect(drawn).toHaveLength(3);
    expect(linesOf(text, 60)).toBe(3);
  });
});

describe("wrapHanging", () => {
  it("goes on under a change's name, and under an indented line's text, each line within its width", () => {
    const change = "  ~ in-isp1-allow-192.168.42.0/24: rule=if (dst in 192.168.42.0/24 && dst-len == 24) { set bgp-local-pref 100; accept; }";
    const lines = wrapHanging(change, 80);
    expect(lines[0]).toMatch(/^ {2}~ in-isp1/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {4}\S/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.map((line) => line.trim()).join(" ")).toBe(change.trim());
    // Not a change: under its own text.
    const note = `  isp1: ${"backup ".repeat(20).trim()}`;
    for (const line of wrapHanging(note, 40).slice(1)) expect(line).toMatch(/^ {2}\S/);
  });
});
