// The lab's filter reader against written configurations: the seed article's RouterOS 6 filters,
// and every filter in bgpals's golden renders, probed with routes whose fate the peering file and
// the product promise decide (not the rules themselves).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { judgeV6, judgeV7, readRule, type FilterRoute, type V6Rule, type V7Rule, type Verdict } from "../../src/lab/filter/index.js";
import { Lab } from "../../src/lab/lab.js";
import { example } from "../helpers.js";
import { buildPeering, connect, print } from "./lab-helpers.js";
import { readScript, readWords } from "./rsc.js";

const SEED = fileURLToPath(new URL("../../../shared/seeds/ovpn-bgp-among-friends.txt", import.meta.url));
const GOLDEN = new URL("../golden/", import.meta.url);
const PEERS = new URL("../../peers/", import.meta.url);
const PEERING_FILES: Record<string, string> = { s1: "s1-alice-remi", s3: "s3-alice-remi-ovpn", s4: "s4-alice-carol", s7: "s7-alice-remi-static" };

const bgp = (dst: string): FilterRoute => ({ dst, protocol: "bgp", asPath: [64513] });

describe("the seed article (ovpn-bgp-among-friends.txt): RouterOS 6 filters as it writes them", () => {
  const lines = readFileSync(SEED, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("/routing filter add "));
  const rules: V6Rule[] = lines.map((l) => readWords(l.slice("/routing filter add ".length)));

  it("has the three filter rules the article shows", () => {
    expect(lines).toEqual([
      '/routing filter add chain="out-aspath" set-bgp-prepend=3 action="accept"',
      '/routing filter add chain="remi-in-isp1" set-bgp-local-pref=200 jump-target="remi-in"',
      '/routing filter add chain="remi-in" prefix=192.168.42.0/23 prefix-length=23-32 action="accept"',
    ]);
  });

  it('"remi-in-isp1" has no action=jump: the default passthrough sets local-pref 200 and the chain end accepts, whatever the prefix', () => {
    // The article's /ip route print shows remi's 192.168.42.0/24 over isp1 with bgp-local-pref=200.
    expect(judgeV6(rules, "remi-in-isp1", bgp("192.168.42.0/24"))).toMatchObject({ accepted: true, route: { localPref: 200 }, by: "end of chain remi-in-isp1 (RouterOS 6 accepts)" });
    // jump-target alone does not jump: remi-in's prefix check never runs, so anything remi sends is taken.
    for (const dst of ["10.9.9.0/24", "0.0.0.0/0", "192.168.0.0/24"]) {
      expect(judgeV6(rules, "remi-in-isp1", bgp(dst)), dst).toMatchObject({ accepted: true, route: { localPref: 200 } });
    }
  });

  it('"remi-in" accepts remi\'s /23 without touching local-pref, and (no final discard) everything else too', () => {
    // Over isp2 the article's route shows no bgp-local-pref: the filter set none.
    const own = judgeV6(rules, "remi-in", bgp("192.168.42.0/24"));
    expect(own).toMatchObject({ accepted: true, by: expect.stringContaining("remi-in #0") });
    expect(own.route.localPref).toBeUndefined();
    expect(judgeV6(rules, "remi-in", bgp("192.168.43.128/25")).by).toContain("remi-in #0");
    expect(judgeV6(rules, "remi-in", bgp("10.9.9.0/24"))).toMatchObject({ accepted: true, by: "end of chain remi-in (RouterOS 6 accepts)" });
  });

  it('"out-aspath" prepends 3 and accepts', () => {
    expect(judgeV6(rules, "out-aspath", { dst: "192.168.0.0/24", protocol: "connected" })).toMatchObject({ accepted: true, route: { prepend: 3 } });
  });
});

describe("the seed's filter in the lab: a RouterOS 6 router judges with the lab's own reading", () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it("carol with the article's style of in-filter takes alice's leaked routes at local-pref 200", async () => {
    lab = await Lab.start({ routers: ["alice", "carol"], tickMs: 0 });
    const fingerprint = "9b2e4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b";
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true", "key-usage": "key-cert-sign,crl-sign" });
    lab.router("alice").store.add("/certificate", { name: "bgpals-alice-carol-server", ca: "bgpals-alice-carol-ca", fingerprint: "11".repeat(32) });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-ca", fingerprint, trusted: "true" });
    lab.router("carol").store.add("/certificate", { name: "bgpals-alice-carol-client", ca: "bgpals-alice-carol-ca", fingerprint: "22".repeat(32) });
    await buildPeering(lab, example("s4"), { pppPassword: { isp1: "first-secret", isp2: "second-secret" } });

    const carol = await connect(lab, "carol");
    await carol.write("/routing/filter/add", ["=chain=seed-in-isp1", "=set-bgp-local-pref=200", "=jump-target=seed-in"]);
    await carol.write("/routing/filter/add", ["=chain=seed-in", "=prefix=192.168.0.0/23", "=prefix-length=23-32", "=action=accept"]);
    const [peer] = await print(carol, "/routing/bgp/peer", ["?name=alice-isp1"]);
    await carol.write("/routing/bgp/peer/set", [`=.id=${peer![".id"]}`, "=in-filter=seed-in-isp1"]);
    const alice = await connect(lab, "alice");
    await alice.write("/lab/leak", ["=count=2"]);
    lab.tick();

    const leaked = await print(carol, "/ip/route", ["?dst-address=10.200.0.0/24", "?bgp=true"]);
    expect(leaked.map((r) => [r.gateway, r["bgp-local-pref"]])).toEqual([["172.16.20.1", "200"]]);
    // bgpals's own filter on the backup peer still discards the leak.
    expect((await print(carol, "/ip/route", ["?dst-address=10.200.1.0/24", "?bgp=true"])).map((r) => r.gateway)).toEqual(["172.16.20.1"]);
    await alice.close();
    await carol.close();
  });
});

// ---------------------------------------------------------------------------------------------
// bgpals's golden renders

interface Allowed {
  prefix: string;
  maxLength: number;
}

interface PeeringFile {
  sides: Record<string, { networks: string[]; allowed?: Allowed[] }>;
  links: Array<{ name: string }>;
  policy: { mode: string; primary: string; localPref?: { primary: number; backup: number }; backupPrepend?: number };
}

const lengthOf = (prefix: string) => Number(prefix.split("/")[1]);
/** The first subnet of `prefix` that is `length` long. */
const subnet = (prefix: string, length: number) => `${prefix.split("/")[0]}/${length}`;

interface Probe {
  route: FilterRoute;
  why: string;
  /** Expected local-pref (input) or prepend count (output); null: rejected. */
  expected: number | null;
}

/** What the peering file and the product promise for one link, side and direction. */
function probes(peering: PeeringFile, side: string, link: string, direction: "in" | "out"): Probe[] {
  const friend = Object.keys(peering.sides).find((s) => s !== side)!;
  const mine = peering.sides[side]!;
  const theirs = peering.sides[friend]!;
  const primary = link === peering.policy.primary;
  const out: Probe[] = [];
  if (direction === "in") {
    const localPref = primary ? peering.policy.localPref!.primary : peering.policy.localPref!.backup;
    // "allowed ... defaults to networks, exact length"
    const allowed = theirs.allowed ?? theirs.networks.map((prefix) => ({ prefix, maxLength: lengthOf(prefix) }));
    for (const a of allowed) {
      out.push({ route: bgp(a.prefix), why: `friend's allowed ${a.prefix}`, expected: localPref });
      out.push({ route: bgp(subnet(a.prefix, a.maxLength)), why: `friend's ${a.prefix} at its max length ${a.maxLength}`, expected: localPref });
      if (a.maxLength < 32) out.push({ route: bgp(subnet(a.prefix, a.maxLength + 1)), why: `friend's ${a.prefix} too long`, expected: null });
      out.push({ route: bgp(subnet(a.prefix, lengthOf(a.prefix) - 1)), why: `a supernet of ${a.prefix}`, expected: null });
    }
    for (const n of theirs.networks) out.push({ route: bgp(n), why: `friend's network ${n}`, expected: localPref });
    out.push({ route: bgp("0.0.0.0/0"), why: "the default route", expected: null });
    for (const n of [...mine.networks, ...(mine.allowed ?? []).map((a) => a.prefix)]) out.push({ route: bgp(n), why: `our own ${n}`, expected: null });
    out.push({ route: bgp("10.123.0.0/16"), why: "a foreign prefix", expected: null });
  } else {
    const prepend = primary ? 0 : peering.policy.backupPrepend!;
    const own = (dst: string): FilterRoute => ({ dst, protocol: "connected", bgpNetwork: true });
    for (const n of mine.networks) {
      out.push({ route: own(n), why: `our network ${n}`, expected: prepend });
      out.push({ route: own(subnet(n, lengthOf(n) + 1)), why: `a longer piece of our ${n}`, expected: null });
    }
    for (const n of theirs.networks) out.push({ route: own(n), why: `the friend's ${n}`, expected: null });
    out.push({ route: own("0.0.0.0/0"), why: "the default route", expected: null });
    out.push({ route: own("10.123.0.0/16"), why: "a foreign prefix", expected: null });
  }
  return out;
}

const goldenFiles = readdirSync(GOLDEN).filter((f) => f.endsWith(".rsc"));

describe("bgpals's golden renders, read and judged by the lab", () => {
  it("finds the renders", () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(14);
  });

  for (const file of goldenFiles) {
    const [, scenario, side, version] = /^(s\d+)-([a-z]+)-([\d.]+)\.rsc$/.exec(file)!;
    const v6 = version!.startsWith("6.");
    const peering = JSON.parse(readFileSync(new URL(`${PEERING_FILES[scenario!]}.peering.json`, PEERS), "utf8")) as PeeringFile;
    const items = readScript(readFileSync(new URL(file, GOLDEN), "utf8"));
    const rules = items.filter((i) => i.menu === (v6 ? "/routing/filter" : "/routing/filter/rule")).map((i) => i.attrs);
    const sessions = items.filter((i) => i.menu === (v6 ? "/routing/bgp/peer" : "/routing/bgp/connection"));
    const judge = (chain: string, route: FilterRoute): Verdict => (v6 ? judgeV6(rules, chain, route) : judgeV7(rules as V7Rule[], chain, route));

    it(`${file}: every filter rule reads`, () => {
      if (peering.policy.mode === "static") expect(rules).toEqual([]);
      else expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        if (v6) expect(Object.keys(rule).filter((k) => !["chain", "action", "comment", "prefix", "prefix-length", "set-bgp-local-pref", "set-bgp-prepend"].includes(k)), rule.comment).toEqual([]);
        else expect(() => readRule(rule.rule ?? ""), rule.rule).not.toThrow();
      }
    });

    if (peering.policy.mode !== "bgp") continue;

    it(`${file}: each session's filters keep the peering's promises`, () => {
      expect(sessions.map((s) => s.attrs.comment?.replace(/^.*:bgp-/, "")).sort()).toEqual(peering.links.map((l) => l.name).sort());
      for (const session of sessions) {
        const link = session.attrs.comment!.replace(/^.*:bgp-/, "");
        const input = v6 ? session.attrs["in-filter"] : session.attrs["input.filter"];
        const output = v6 ? session.attrs["out-filter"] : session.attrs["output.filter-chain"];
        for (const [direction, chain] of [["in", input], ["out", output]] as const) {
          expect(chain, `${link} ${direction}`).toBeTruthy();
          for (const probe of probes(peering, side!, link, direction)) {
            const verdict = judge(chain!, probe.route);
            const got = !verdict.accepted ? null : direction === "in" ? (verdict.route.localPref ?? "accepted without local-pref") : (verdict.route.prepend ?? 0);
            expect({ got, notes: verdict.notes }, `${link} ${chain}: ${probe.why} (${probe.route.dst}), decided by ${verdict.by}`).toEqual({ got: probe.expected, notes: [] });
          }
        }
      }
    });
  }
});
