// The lab carries real tables: a leak of up to a million /24s and an upstream table that is not a
// bgpals peer's, each with valid consecutive prefixes, written into /ip/route a slice per tick.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { leakPrefix, MAX_BULK_ROUTES, tablePrefix } from "../../src/lab/model/bulk.js";
import { SCAN_SLICE_ITEMS } from "../../src/lab/store/commands.js";
import { example } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";

const DOTTED_24 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){2}\.0\/24$/;

/** A /24's address as a number, to check that prefixes follow each other. */
function networkOf(prefix: string): number {
  return prefix
    .split("/")[0]!
    .split(".")
    .reduce((n, octet) => n * 256 + Number(octet), 0);
}

describe("bulk prefixes", () => {
  it("a leak runs from 10.200.0.0/24 into 11.0.0.0/24 and on, a million valid consecutive /24s", () => {
    expect(leakPrefix(0)).toBe("10.200.0.0/24");
    expect(leakPrefix(14_335)).toBe("10.255.255.0/24");
    expect(leakPrefix(14_336)).toBe("11.0.0.0/24");
    let previous = networkOf(leakPrefix(0)) - 256;
    for (let i = 0; i < MAX_BULK_ROUTES; i++) {
      const prefix = leakPrefix(i);
      if (!DOTTED_24.test(prefix)) throw new Error(`leak route ${i} is ${prefix}`);
      const network = networkOf(prefix);
      if (network !== previous + 256) throw new Error(`leak route ${i} (${prefix}) does not follow the one before`);
      previous = network;
    }
  });

  it("a table runs from 1.0.0.0/24 on, a million valid consecutive /24s", () => {
    expect(tablePrefix(0)).toBe("1.0.0.0/24");
    expect(tablePrefix(256)).toBe("1.1.0.0/24");
    let previous = networkOf(tablePrefix(0)) - 256;
    for (let i = 0; i < MAX_BULK_ROUTES; i++) {
      const prefix = tablePrefix(i);
      if (!DOTTED_24.test(prefix)) throw new Error(`table route ${i} is ${prefix}`);
      const network = networkOf(prefix);
      if (network !== previous + 256) throw new Error(`table route ${i} (${prefix}) does not follow the one before`);
      previous = network;
    }
  });
});

describe("/lab/table and /lab/leak on running routers", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
    // S1 where alice takes anything remi sends in 10.0.0.0/7 up to /24, and up to a million prefixes.
    const peering = example("s1");
    peering.sides.remi!.allowed = [...(peering.sides.remi!.allowed ?? []), { prefix: "10.0.0.0/7", maxLength: 24 }];
    peering.policy.maxPrefixes = 1_000_000;
    await buildPeering(lab, peering);
    lab.tick();
  }, 60_000);
  afterAll(async () => lab.stop());

  it("/lab/table gives an upstream table through the first WAN's gateway, and =count=0 takes it away", async () => {
    const alice = await connect(lab, "alice", 60);
    try {
      expect(await alice.write("/lab/table", ["=count=3000"])).toEqual([{ ret: "3000" }]);
      await lab.settle();
      const upstream = await print(alice, "/ip/route", ["?received-from=upstream", "=.proplist=dst-address,gateway,bgp,active,bgp.as-path"]);
      expect(upstream).toHaveLength(3000);
      expect(upstream.every((r) => DOTTED_24.test(r["dst-address"]!) && r.gateway === "203.0.113.1" && r.bgp === "true" && r.active === "true" && r["bgp.as-path"] !== "")).toBe(true);
      expect(new Set(upstream.map((r) => r["dst-address"])).size).toBe(3000);
      expect(upstream[2999]!["dst-address"]).toBe(tablePrefix(2999));

      await alice.write("/lab/table", ["=count=0"]);
      await lab.settle();
      expect(await alice.write("/ip/route/print", ["=count-only=", "?received-from=upstream"])).toEqual([{ ret: "0" }]);
      // What is left is what was there before: the peering's routes still flow.
      expect((await print(alice, "/ip/route", ["?dst-address=192.168.42.0/24", "?active=true"])).length).toBe(1);
    } finally {
      await alice.close();
    }
  });

  it("a leak arrives on both sessions: best path on the primary, the backup's inactive, gone when it stops", async () => {
    const remi = await connect(lab, "remi", 60);
    const alice = await connect(lab, "alice", 60);
    try {
      await remi.write("/lab/leak", ["=count=20000"]);
      await lab.settle();
      const count = async (query: string[]) => Number((await alice.write("/ip/route/print", ["=count-only=", ...query]))[0]!.ret);
      expect(await count(["?bgp=true", "?dst-address=10.200.0.0/24"])).toBe(2);
      expect(await count(["?bgp=true", "?bgp.local-pref=200", "?active=true"])).toBe(20_001);
      expect(await count(["?bgp=true", "?bgp.local-pref=100", "?active=false"])).toBe(20_001);
      const last = await print(alice, "/ip/route", [`?dst-address=${leakPrefix(19_999)}`, "?active=true"]);
      expect(last.map((r) => [r.gateway, r["bgp.as-path"], r["received-from"]])).toEqual([["172.16.10.2", "64513", "remi-isp1"]]);
      // The sessions count what they took in.
      const sessions = await print(alice, "/routing/bgp/session", ["=.proplist=name,prefix-count"]);
      expect(sessions.map((s) => s["prefix-count"])).toEqual(["20001", "20001"]);

      await remi.write("/lab/leak", ["=count=0"]);
      await lab.settle();
      expect(await count(["?bgp=true"])).toBe(2);
    } finally {
      await remi.close();
      await alice.close();
    }
  }, 60_000);

  it("a print or count over a big table lets the router answer other commands meanwhile", async () => {
    // Silent for as long as the table takes to come in and be counted on a busy machine: node-routeros
    // drops a connection idle for its timeout, and its writes then never answer.
    const alice = await connect(lab, "alice", 60);
    try {
      const table = 3 * SCAN_SLICE_ITEMS;
      await alice.write("/lab/table", [`=count=${table}`]);
      await lab.settle();
      // Sent together on one connection: the identity is answered while the count still looks.
      const answered: string[] = [];
      const counting = alice.write("/ip/route/print", ["=count-only=", "?received-from=upstream"]).then((r) => (answered.push("count"), r));
      const naming = alice.write("/system/identity/print").then((r) => (answered.push("identity"), r));
      const scanning = alice.write("/ip/route/print", ["?dst-address=1.0.0.0/24", "=.proplist=dst-address"]).then((r) => (answered.push("print"), r));
      const [counted, identity, found] = await Promise.all([counting, naming, scanning]);
      expect(counted).toEqual([{ ret: String(table) }]);
      expect(identity).toEqual([{ name: "alice" }]);
      expect(found).toEqual([{ "dst-address": "1.0.0.0/24" }]);
      expect(answered[0]).toBe("identity");
      // A count is remembered only while nothing changed: a route added and removed is counted.
      const count = async () => Number((await alice.write("/ip/route/print", ["=count-only=", "?dst-address=1.0.0.0/24"]))[0]!.ret);
      expect(await count()).toBe(1);
      const [added] = await alice.write("/ip/route/add", ["=dst-address=1.0.0.0/24", "=gateway=203.0.113.1", "=distance=200"]);
      expect(await count()).toBe(2);
      // Looked up by prefix (the menu's index), answered as a look at every route would be.
      const prefixes = async (query: string[]) => (await print(alice, "/ip/route", [...query, "=.proplist=dst-address,distance"])).map((r) => `${r["dst-address"]} ${r.distance}`);
      expect(await prefixes(["?dst-address=1.0.1.0/24", "?dst-address=1.0.0.0/24", "?#|"])).toEqual(["1.0.0.0/24 20", "1.0.1.0/24 20", "1.0.0.0/24 200"]);
      await alice.write("/ip/route/set", [`=.id=${added!.ret}`, "=dst-address=9.9.9.0/24"]);
      expect(await prefixes(["?dst-address=1.0.0.0/24", "?distance=200", "?#&"])).toEqual([]);
      expect(await prefixes(["?dst-address=9.9.9.0/24"])).toEqual(["9.9.9.0/24 200"]);
      const all = Number((await alice.write("/ip/route/print", ["=count-only="]))[0]!.ret);
      expect(Number((await alice.write("/ip/route/print", ["=count-only=", "?dst-address=9.9.9.0/24", "?#!"]))[0]!.ret)).toBe(all - 1);
      // Routes that are not BGP's (discovery's query): looked up by the bgp index, with the routes
      // that lack the attribute, and answered as a look at every route ("not bgp=true") is.
      const notBgp = ["?-bgp", "?bgp=false", "?#|"];
      const looked = async () => (await print(alice, "/ip/route", ["?bgp=true", "?#!", "=.proplist=dst-address,distance"])).map((r) => `${r["dst-address"]} ${r.distance}`);
      expect(await prefixes(notBgp)).toEqual(await looked());
      expect(await prefixes(notBgp)).toContain("9.9.9.0/24 200");
      await alice.write("/ip/route/set", [`=.id=${added!.ret}`, "=distance=201"]);
      expect(await prefixes(notBgp)).toEqual(await looked());
      await alice.write("/ip/route/remove", [`=.id=${added!.ret}`]);
      expect(await count()).toBe(1);
      expect(await prefixes(["?dst-address=9.9.9.0/24"])).toEqual([]);
      expect(await prefixes(notBgp)).toEqual(await looked());
      expect(await prefixes(notBgp)).not.toContain("9.9.9.0/24 201");
      await alice.write("/lab/table", ["=count=0"]);
      await lab.settle();
    } finally {
      await alice.close();
    }
  }, 60_000);

  it("refuses a count past a million", async () => {
    const remi = await connect(lab, "remi");
    try {
      await expect(remi.write("/lab/leak", ["=count=1000001"])).rejects.toThrow(/0 to 1000000/);
      await expect(remi.write("/lab/table", ["=count=-1"])).rejects.toThrow(/0 to 1000000/);
    } finally {
      await remi.close();
    }
  });
});
