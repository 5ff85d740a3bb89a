// Which theme the screens draw with: --theme, then the config file, then NO_COLOR (no-color.org).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError, UserError } from "../../src/errors.js";
import { chooseTheme, THEME_NAMES, THEMES } from "../../src/ui/theme.js";
import { repoRoot } from "../helpers.js";

const FILE = "/home/a/.config/bgpals/config.json";

describe("chooseTheme", () => {
  it("is mono when NO_COLOR is set to anything but the empty string, default otherwise", () => {
    expect(chooseTheme({ env: { NO_COLOR: "1" } }).name).toBe("mono");
    expect(chooseTheme({ env: { NO_COLOR: "0" } }).name).toBe("mono");
    expect(chooseTheme({ env: { NO_COLOR: "" } }).name).toBe("default");
    expect(chooseTheme({ env: {} }).name).toBe("default");
  });

  it("lets the flag beat the config file, and the config file beat NO_COLOR", () => {
    expect(chooseTheme({ flag: "default", configured: { value: "mono", file: FILE }, env: { NO_COLOR: "1" } }).name).toBe("default");
    expect(chooseTheme({ configured: { value: "default", file: FILE }, env: { NO_COLOR: "1" } }).name).toBe("default");
    expect(chooseTheme({ configured: { value: undefined, file: FILE }, env: { NO_COLOR: "1" } }).name).toBe("mono");
  });

  it("refuses an unknown theme, naming the valid ones and where it was set", () => {
    expect(() => chooseTheme({ flag: "pink" })).toThrow(UsageError);
    expect(() => chooseTheme({ flag: "pink" })).toThrow("--theme pink: no such theme; use default or mono");
    expect(() => chooseTheme({ configured: { value: 3, file: FILE } })).toThrow(UserError);
    expect(() => chooseTheme({ configured: { value: "Mono", file: FILE } })).toThrow(`theme "Mono" in ${FILE}: no such theme; use default or mono`);
  });

  it("mono names no colour at all, default one for every tone", () => {
    for (const name of THEME_NAMES) expect(THEMES[name].name).toBe(name);
    const { name: _, qr, ...tones } = THEMES.mono;
    expect(Object.values(tones).every((c) => c === undefined) && qr.color === undefined && qr.background === undefined).toBe(true);
    const { name: __, qr: defaultQr, ...defaultTones } = THEMES.default;
    expect(Object.values(defaultTones).every((c) => typeof c === "string") && typeof defaultQr.color === "string").toBe(true);
  });
});

describe("the screens' colours", () => {
  it("are named in src/ui/theme.ts only: no view names a colour itself", () => {
    const ui = join(repoRoot, "src/ui");
    const files = readdirSync(ui, { recursive: true, encoding: "utf8" }).filter((f) => /\.tsx?$/.test(f) && f !== "theme.ts");
    expect(files.length).toBeGreaterThan(10);
    const named = files.flatMap((f) =>
      readFileSync(join(ui, f), "utf8")
        .split("\n")
        // A colour attribute given as a string, or a colour's name in quotes.
        .filter((line) => /[cC]olor="|["'](green|red|yellow|magenta|cyan|blue|black|white|gray|grey)["']/.test(line))
        .map((line) => `${f}: ${line.trim()}`),
    );
    expect(named).toEqual([]);
  });
});
