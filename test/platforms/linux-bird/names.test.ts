import { describe, expect, it } from "vitest";
import { birdSymbol, BIRD_SYMBOL_MAX, fitName, IFNAME_MAX, tunnelInterface } from "../../../src/platforms/linux-bird/names.js";

// What Linux takes as an interface name (dev_valid_name): 1-15 bytes, no '/', ':' or white space, not "." or "..".
const validIfname = (name: string) => name.length >= 1 && name.length <= IFNAME_MAX && !/[/:\s]/.test(name) && name !== "." && name !== "..";
const validBirdSymbol = (name: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= BIRD_SYMBOL_MAX;

describe("Linux interface names", () => {
  it("keeps wg-<friend>-<link> when it fits", () => {
    expect(tunnelInterface("remi", "isp1")).toBe("wg-remi-isp1");
    expect(tunnelInterface("bob", "lte")).toBe("wg-bob-lte");
    expect(tunnelInterface("abcde", "fghij")).toBe("wg-abcde-fghij");
  });

  it("shortens longer names to 15 characters, the same way every time, keeping the head", () => {
    const name = tunnelInterface("alexandra", "orange-fibre");
    expect(name.length).toBeLessThanOrEqual(IFNAME_MAX);
    expect(name).toBe(tunnelInterface("alexandra", "orange-fibre"));
    expect(name.startsWith("wg-alexa")).toBe(true);
    expect(validIfname(name)).toBe(true);
  });

  it("gives different names to different friends and links, even when their heads are the same", () => {
    const friends = ["alexandra", "alexandre", "alexander", "a", "ab", "remi", "remi-2", "remi_2", "x".repeat(31)];
    const links = ["isp1", "isp2", "isp10", "orange-fibre-backup", "orange-fibre-primary", "l", "y".repeat(31)];
    const seen = new Map<string, string>();
    for (const friend of friends) {
      for (const link of links) {
        const name = tunnelInterface(friend, link);
        expect(validIfname(name), `${friend}/${link} → ${name}`).toBe(true);
        expect(/^[A-Za-z0-9_-]+$/.test(name), name).toBe(true);
        const before = seen.get(name);
        expect(before, `${friend}/${link} and ${before} both → ${name}`).toBeUndefined();
        seen.set(name, `${friend}/${link}`);
      }
    }
    expect(seen.size).toBe(friends.length * links.length);
  });

  it("never ends the shortened head on a separator", () => {
    expect(fitName("wg-abcdefg-hij-klmnop", 15)).toMatch(/^wg-abcd[a-z]*-[0-9a-f]{5}$/);
    expect(fitName("wg-abcdef--------xyz", 15)).not.toMatch(/--/);
  });
});

describe("BIRD symbols", () => {
  it("are BIRD's plain symbols, shortened under BIRD's limit and distinct", () => {
    expect(birdSymbol("bgpals", "alice-remi", "isp1")).toBe("bgpals_alice_remi_isp1");
    const long = birdSymbol("bgpals", "p".repeat(31), "in", "l".repeat(31));
    expect(validBirdSymbol(long)).toBe(true);
    expect(long).not.toBe(birdSymbol("bgpals", "p".repeat(31), "out", "l".repeat(31)));
    expect(long).toBe(birdSymbol("bgpals", "p".repeat(31), "in", "l".repeat(31)));
  });
});
