import { describe, expect, it } from "vitest";
import { allocateLinkSubnets, linkSubnetsOf } from "../../src/core/addressing.js";
import { asnProblem, isPrivateAsn, suggestAsn } from "../../src/core/asn.js";
import { example } from "../helpers.js";

describe("tunnel subnet allocation", () => {
  it("takes the first free /30 of the pool, listener address first", () => {
    const r = allocateLinkSubnets({ pool: "172.16.0.0/16", inUse: [] }, 2);
    expect(r).toEqual({
      ok: true,
      links: [
        { subnet: "172.16.0.0/30", addresses: ["172.16.0.1", "172.16.0.2"] },
        { subnet: "172.16.0.4/30", addresses: ["172.16.0.5", "172.16.0.6"] },
      ],
    });
  });

  it("uses both addresses of a /31", () => {
    const r = allocateLinkSubnets({ pool: "10.255.0.0/24", prefixLength: 31, inUse: [] });
    expect(r).toEqual({ ok: true, links: [{ subnet: "10.255.0.0/31", addresses: ["10.255.0.0", "10.255.0.1"] }] });
  });

  it("avoids router addresses, routes and every peering's subnets, ignoring default routes", () => {
    const peers = [example("s1"), example("s4")];
    const inUse = ["0.0.0.0/0", "172.16.0.1/24", "172.16.1.0/25", "172.16.1.128/30", ...linkSubnetsOf(peers)];
    const r = allocateLinkSubnets({ pool: "172.16.0.0/16", inUse }, 1);
    expect(r).toEqual({ ok: true, links: [{ subnet: "172.16.1.132/30", addresses: ["172.16.1.133", "172.16.1.134"] }] });
  });

  it("finds the one free block of a crowded pool", () => {
    const inUse: string[] = [];
    for (let i = 0; i < 64; i++) if (i !== 41) inUse.push(`192.0.2.${i * 4}/30`);
    const r = allocateLinkSubnets({ pool: "192.0.2.0/24", inUse: inUse.reverse() });
    expect(r).toEqual({ ok: true, links: [{ subnet: "192.0.2.164/30", addresses: ["192.0.2.165", "192.0.2.166"] }] });
  });

  it("says so when the pool is full, or too small for the request", () => {
    const full = allocateLinkSubnets({ pool: "192.0.2.0/29", inUse: ["192.0.2.0/30"] }, 2);
    expect(full).toEqual({ ok: false, message: "tunnel pool 192.0.2.0/29 has no free /30 left for 1 more link: choose a larger or different pool" });
    expect(allocateLinkSubnets({ pool: "192.0.2.0/31", inUse: [] })).toMatchObject({ ok: false, message: expect.stringMatching(/smaller than one \/30/) });
    expect(allocateLinkSubnets({ pool: "192.0.2.1/24", inUse: [] })).toMatchObject({ ok: false, message: expect.stringMatching(/not an IPv4 prefix/) });
  });

  it("handles a large crowded pool quickly and without overlaps", () => {
    const inUse = Array.from({ length: 20000 }, (_, i) => `172.${16 + (i % 16)}.${(i * 7) % 256}.${(i * 4) % 256}/30`);
    const r = allocateLinkSubnets({ inUse }, 50);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const taken = new Set(inUse);
    for (const l of r.links) expect(taken.has(l.subnet)).toBe(false);
    expect(new Set(r.links.map((l) => l.subnet)).size).toBe(50);
  });
});

describe("private ASNs", () => {
  it("knows the private ranges", () => {
    expect([64511, 64512, 65534, 65535, 4199999999, 4200000000, 4294967294, 4294967295].map(isPrivateAsn)).toEqual([false, true, true, false, false, true, true, false]);
  });

  it("suggests the first free one, spilling into 32-bit ASNs when 16-bit ones are gone", () => {
    expect(suggestAsn([64512, 64513, 64515])).toBe(64514);
    const all16 = Array.from({ length: 65534 - 64512 + 1 }, (_, i) => 64512 + i);
    expect(suggestAsn(all16)).toBe(4200000000);
  });

  it("explains a public or already-used ASN", () => {
    const taken = new Map([[64513, "remi (peering alice-remi)"]]);
    expect(asnProblem(64513, taken)).toBe("AS64513 is already used by remi (peering alice-remi): every friend needs a distinct ASN");
    expect(asnProblem(3215, taken)).toMatch(/not a private ASN: pick one in 64512-65534/);
    expect(asnProblem(64600, taken)).toBeNull();
  });
});
