// Reading router profiles and pins leaves the config directory as it was: a command that is refused
// (no such profile, no password) or only reads must not create config.json; pinning writes it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addProfile, listProfiles, removeProfile, resolveRouter, settingsFile } from "../../src/store/profiles.js";
import { tempDir } from "../helpers.js";

const refuse = async (name: string): Promise<string> => {
  throw new Error(`asked for ${name}'s password`);
};

describe("router profiles on disk", () => {
  let saved: string | undefined;
  let home: string;
  beforeEach(() => {
    saved = process.env.BGPALS_HOME;
    home = join(tempDir("bgpals-profiles-"), "home");
    process.env.BGPALS_HOME = home;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.BGPALS_HOME;
    else process.env.BGPALS_HOME = saved;
  });

  it("are read without creating the config file, by a refused command too", async () => {
    expect(listProfiles()).toEqual({});
    await expect(resolveRouter("nosuch", refuse)).rejects.toThrow(/no such router profile/);
    await expect(resolveRouter("bob@127.0.0.1:1", refuse)).rejects.toThrow(/asked for bob@127.0.0.1:1's password/);
    const ssh = await resolveRouter("ssh://root@192.0.2.1", refuse);
    expect(ssh.target.transport).toBe("ssh");
    expect(removeProfile("nosuch")).toBe(false);
    expect(existsSync(home)).toBe(false);
  });

  it("pin a router reached without a profile only once its key is known, and keep other pins", async () => {
    const first = await resolveRouter("bob@127.0.0.1:8728", async () => "pw");
    expect(existsSync(settingsFile())).toBe(false);
    first.remember("AA:BB");
    const second = await resolveRouter("carol@127.0.0.2", async () => "pw");
    second.remember("CC:DD");
    const file = JSON.parse(readFileSync(settingsFile(), "utf8"));
    expect(file.fingerprints).toEqual({ "127.0.0.1:8728": "AA:BB", "127.0.0.2:8728": "CC:DD" });
    expect((await resolveRouter("bob@127.0.0.1:8728", async () => "pw")).target.knownFingerprint).toBe("AA:BB");
  });

  it("are written by add and remove, and a bad routers entry is a clear error", async () => {
    addProfile("home", { host: "192.0.2.1", user: "admin" });
    expect(Object.keys(listProfiles())).toEqual(["home"]);
    expect(removeProfile("home")).toBe(true);
    expect(listProfiles()).toEqual({});
    writeFileSync(settingsFile(), JSON.stringify({ routers: [1, 2] }));
    await expect(resolveRouter("home", refuse)).rejects.toThrow(/routers must be an object/);
  });
});
