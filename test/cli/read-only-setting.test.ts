// `"readOnly"` in the config file, and how BGPALS_READ_ONLY stands beside it (cli/read-only.ts).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readOnlyMode } from "../../src/cli/read-only.js";
import { UserError } from "../../src/errors.js";
import { readOnlySetting } from "../../src/store/profiles.js";
import { tempDir } from "../helpers.js";

let home: string;
const saved = process.env.BGPALS_HOME;
beforeEach(() => {
  home = tempDir("bgpals-setting-");
  process.env.BGPALS_HOME = home;
});
afterEach(() => {
  if (saved === undefined) delete process.env.BGPALS_HOME;
  else process.env.BGPALS_HOME = saved;
});

const configure = (settings: unknown) => writeFileSync(join(home, "config.json"), typeof settings === "string" ? settings : JSON.stringify(settings));

describe("the readOnly setting", () => {
  it("is off without a config file, and reading it makes none", () => {
    expect(readOnlySetting()).toBe(false);
    expect(existsSync(join(home, "config.json"))).toBe(false);
    expect(readOnlyMode({})).toBeUndefined();
  });

  it("turns read-only on, unless BGPALS_READ_ONLY=0 says otherwise for this run", () => {
    configure({ routers: {}, readOnly: true });
    expect(readOnlySetting()).toBe(true);
    expect(readOnlyMode({})?.leave).toContain(`"readOnly": true in ${join(home, "config.json")}`);
    expect(readOnlyMode({ BGPALS_READ_ONLY: "0" })).toBeUndefined();
    configure({ readOnly: false });
    expect(readOnlyMode({ BGPALS_READ_ONLY: "1" })?.leave).toBe("run without --read-only (BGPALS_READ_ONLY is set)");
    expect(readOnlyMode({ BGPALS_READ_ONLY: "false" })).toBeUndefined();
  });

  it("refuses a value that is not true or false, rather than guess", () => {
    configure({ readOnly: "yes" });
    expect(() => readOnlySetting()).toThrow(UserError);
    expect(() => readOnlySetting()).toThrow(`${join(home, "config.json")}: readOnly must be true or false, not "yes"`);
    configure("{ not json");
    expect(() => readOnlySetting()).toThrow(/not valid JSON/);
  });
});
