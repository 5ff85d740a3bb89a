// Every colour the screens use, by what it means, in one place: views read the theme from the
// context (useTheme) instead of naming colours. "mono" uses none: NO_COLOR (https://no-color.org),
// `theme` in the config file or `--theme mono`. Nothing is told by colour alone (a badge has its
// symbol and word, the selected row its `›` and bold, a plan change its sign), so mono loses nothing.
import { createContext, createElement, useContext, type ReactNode } from "react";
import { UsageError, UserError } from "../errors.js";

export const THEME_NAMES = ["default", "mono"] as const;
export type ThemeName = (typeof THEME_NAMES)[number];

/** An Ink colour name; undefined is the terminal's own foreground (or background). */
type Colour = string | undefined;

export interface Theme {
  name: ThemeName;
  /** Up, ok, added, done. */
  good: Colour;
  /** Down, an error, removed, a field's problem. */
  bad: Colour;
  /** Half up, changed, undone, held. */
  changed: Colour;
  /** Waiting on the friend; a plan's moves. */
  pending: Colour;
  /** A QR code: dark modules drawn in `color` on `background`. */
  qr: { color: Colour; background: Colour };
}

// No gray (it fades on light themes); yellow only where the word says it too.
const DEFAULT: Theme = { name: "default", good: "green", bad: "red", changed: "magenta", pending: "yellow", qr: { color: "black", background: "white" } };

// The terminal's own colours: a QR code reads dark on light on a light terminal; phone scanners
// read the light-on-dark one of a dark terminal too.
const MONO: Theme = { name: "mono", good: undefined, bad: undefined, changed: undefined, pending: undefined, qr: { color: undefined, background: undefined } };

export const THEMES: Record<ThemeName, Theme> = { default: DEFAULT, mono: MONO };

const isThemeName = (name: string): name is ThemeName => (THEME_NAMES as readonly string[]).includes(name);
const valid = () => THEME_NAMES.join(" or ");

export interface ThemeSources {
  /** `--theme`, when given. */
  flag?: string;
  /** The config file's `theme`, when set, and where that file is (for the message). */
  configured?: { value: unknown; file: string };
  env?: Record<string, string | undefined>;
}

/**
 * The theme to draw with. As no-color.org asks, a flag or the config file beats NO_COLOR; NO_COLOR
 * set to anything but the empty string means mono. An unknown name is refused, naming the valid ones.
 */
export function chooseTheme({ flag, configured, env = {} }: ThemeSources): Theme {
  if (flag !== undefined) {
    if (!isThemeName(flag)) throw new UsageError(`--theme ${flag}: no such theme; use ${valid()}`);
    return THEMES[flag];
  }
  if (configured !== undefined && configured.value !== undefined) {
    const value = configured.value;
    if (typeof value !== "string" || !isThemeName(value)) {
      throw new UserError(`theme ${JSON.stringify(value)} in ${configured.file}: no such theme; use ${valid()} (or remove the setting)`);
    }
    return THEMES[value];
  }
  const noColor = env.NO_COLOR;
  return noColor !== undefined && noColor !== "" ? MONO : DEFAULT;
}

/** The colour of a tone, or none (the terminal's own) for no tone. */
export function tone(theme: Theme, name: "good" | "bad" | "changed" | "pending" | undefined): Colour {
  return name === undefined ? undefined : theme[name];
}

const ThemeContext = createContext<Theme>(DEFAULT);

export function ThemeProvider({ theme, children }: { theme: Theme | undefined; children: ReactNode }) {
  return createElement(ThemeContext.Provider, { value: theme ?? DEFAULT }, children);
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
