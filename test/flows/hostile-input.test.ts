// 1,000 hostile bundles and peering files against real lab routers (issue 12, point 8): a friend, or
// a peering file someone hands us, tries to take traffic that is not theirs — a default route in
// pieces, public space, more than a /8, reserved space, an endpoint inside our LAN, a tunnel subnet
// or their own prefixes, text that reads like something else, a signer speaking for someone else, a
// confirmation smuggled into the bundle. The bundles are validly signed: the friend's own bgpals made
// them. Each must be refused with the message its mutation calls for, before any write: the lab
// routers' exports and the operators' config directories stay exactly as they were.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, encodeBundle, type Identity } from "../../src/core/bundle.js";
import type { AnswerBody, OfferBody } from "../../src/core/offer.js";
import { parsePeering, type Peering } from "../../src/core/peering.js";
import { UserError } from "../../src/errors.js";
import { applyPrepared, finishAccept, makeOffer, openAnswer, openOffer, prepareAccept, prepareComplete, preparePeering } from "../../src/flows/wizard.js";
import { Lab } from "../../src/lab/lab.js";
import type { StoreEvent } from "../../src/lab/store/events.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { loadIdentity } from "../../src/store/identity.js";
import { workspaceAt, type Workspace } from "../../src/store/workspace.js";
import { cliAsync } from "../cli/cli-async.js";

const CASES = 1000;
const SEED = 0x8bad_f00d;
const ROUTERS = ["alice", "remi"] as const;
const ALICE_LAN = "192.168.0.0/24";
const REMI_LAN = "192.168.42.0/24";
const CHOICES = { asn: 64513, networks: [REMI_LAN], wans: { isp1: "pppoe-out1", isp2: "pppoe-out2" } };
// A public /24 no lab router uses: what a friend who really holds public space would send.
const PUBLIC = "93.184.216.0/24";

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// --- what a hostile friend puts in -------------------------------------------------------------

const SPLIT_DEFAULTS: string[][] = [
  ["0.0.0.0/1", "128.0.0.0/1"],
  ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
  Array.from({ length: 8 }, (_, i) => `${i * 32}.0.0.0/3`),
  ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"],
  ["128.0.0.0/1", "64.0.0.0/2", "0.0.0.0/1", "192.0.0.0/3", "224.0.0.0/3"],
  Array.from({ length: 16 }, (_, i) => `${i * 16}.0.0.0/4`),
  Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`),
];
const RESERVED = ["127.0.0.0/8", "127.1.0.0/16", "169.254.0.0/16", "169.254.3.0/24", "224.0.0.0/8", "239.1.0.0/16", "240.0.0.0/8", "255.255.255.0/24", "0.0.0.0/8", "169.0.0.0/8"];
const RESERVED_HOSTS = ["127.0.0.1", "0.0.0.0", "169.254.1.1", "224.0.0.5", "239.255.255.250", "255.255.255.255", "240.0.0.1"];
const NUMERIC_ENDPOINTS = ["3232235525", "0xc0a80005", "127.1", "192.168.000.1", "010.0.0.1", "vpn.0x7f", "2130706433"];
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066", "\u2067", "\u200e", "\u200f", "\u0000", "\u001b", "\u007f", "\u0085", "\u2028", "\u00ad", "\u061c", "\u{e0041}"];

const int = (rand: () => number, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: () => number, list: readonly T[]): T => list[int(rand, list.length)]!;

/** A public prefix of /8 to /24 outside private, reserved and lab space. */
function publicPrefix(rand: () => number): string {
  const firsts = Array.from({ length: 223 }, (_, i) => i + 1).filter((o) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(o));
  const length = 8 + int(rand, 17);
  const n = ((pick(rand, firsts) << 24) | (int(rand, 1 << 24) & ~((1 << (32 - length)) - 1) & 0xffffff)) >>> 0;
  return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".")}/${length}`;
}

/** A prefix shorter than /8, other than 0.0.0.0/0. */
function widePrefix(rand: () => number): string {
  const length = 1 + int(rand, 7);
  const first = int(rand, 256) & ~((1 << (8 - length)) - 1) & 255;
  return `${first}.0.0.0/${length}`;
}

const host = (prefix: string, rand: () => number) => {
  const [a, b, c] = prefix.split(".");
  return `${a}.${b}.${c}.${2 + int(rand, 250)}`;
};

const withInvisible = (text: string, rand: () => number) => {
  const at = int(rand, text.length + 1);
  return text.slice(0, at) + pick(rand, INVISIBLE) + text.slice(at);
};

type Kind =
  | "split-default"
  | "public"
  | "too-wide"
  | "reserved"
  | "endpoint-in-my-lan"
  | "endpoint-in-link-subnet"
  | "endpoint-in-their-prefixes"
  | "endpoint-reserved"
  | "my-endpoint-in-their-prefixes"
  | "invisible"
  | "numeric-endpoint"
  | "speaks-for-another"
  | "homoglyph-signer"
  | "smuggled-confirmation"
  | "name-taken";

// What each mutation must be refused with: the check that owns it, not just any refusal.
const EXPECTED: Record<Kind, RegExp> = {
  "split-default": /together cover every IPv4 address: a default route in pieces/,
  public: /which is not private space .*--accept-public/,
  "too-wide": /more than a \/8 .*never accepts more than a \/8 from a friend/,
  reserved: /space no router may route to a friend/,
  "endpoint-in-my-lan": /is inside our own 192\.168\.\d+\.0\/2[34] .*sent into our own network/,
  "endpoint-in-link-subnet": /is inside the tunnel subnet 172\.\d+\.\d+\.\d+\/30 .*routed into a tunnel/,
  "endpoint-in-their-prefixes": /which \w+ may send us .*leads through the tunnel itself/,
  "endpoint-reserved": /not a router on the internet/,
  "my-endpoint-in-their-prefixes": /our endpoint [\d.]+ \(WAN isp\d\) is inside .*reach us through the tunnel itself/,
  invisible: /contains U\+[0-9A-F]{4,5}, an invisible or control character/,
  "numeric-endpoint": /looks like an IPv4 address but is not one in dotted-quad form/,
  "speaks-for-another": /is signed by \w+ but speaks for \w+/,
  "homoglyph-signer": /which cannot name a friend here/,
  "smuggled-confirmation": /not private space|unknown field/,
  "name-taken": /already known here with another identity key/,
};

/** A side as a bundle or a peering file has it (the fields a mutation touches). */
interface SideJson {
  name?: string;
  networks: string[];
  allowed?: Array<{ prefix: string; maxLength: number }>;
  wans: Record<string, { interface: string; endpoint?: string }>;
  [key: string]: unknown;
}

/** Adds prefixes to what the friend may send: to allowed when the side has it, else to networks. */
function addPrefixes(side: SideJson, prefixes: string[]): void {
  if (side.allowed !== undefined) side.allowed.push(...prefixes.map((prefix) => ({ prefix, maxLength: Number(prefix.split("/")[1]) })));
  else side.networks.push(...prefixes);
}

function setEndpoint(side: SideJson, endpoint: string, rand: () => number): void {
  side.wans[pick(rand, Object.keys(side.wans))]!.endpoint = endpoint;
}

interface Target {
  friend: SideJson;
  /** My LAN and the link subnets, as the mutation sees them. */
  myLan: string;
  theirLan: string;
  linkSubnets: string[];
  /** My endpoint (an address), when my side has one. */
  myEndpoint?: string;
}

/** Applies a friend-side mutation; returns the prefixes the user confirms for it (none but one kind). */
function mutateFriend(kind: Kind, t: Target, rand: () => number): string[] {
  switch (kind) {
    case "split-default":
      addPrefixes(t.friend, pick(rand, SPLIT_DEFAULTS));
      return [];
    case "public":
      addPrefixes(t.friend, [publicPrefix(rand)]);
      return [];
    case "too-wide":
      addPrefixes(t.friend, [widePrefix(rand)]);
      // Confirming does not help: nothing wider than a /8 is ever taken.
      return rand() < 0.5 ? ["93.0.0.0/8"] : [];
    case "reserved":
      addPrefixes(t.friend, [pick(rand, RESERVED)]);
      return [];
    case "endpoint-in-my-lan":
      setEndpoint(t.friend, host(t.myLan, rand), rand);
      return [];
    case "endpoint-in-link-subnet": {
      const subnet = pick(rand, t.linkSubnets);
      const [a, b, c, d] = subnet.split("/")[0]!.split(".").map(Number);
      setEndpoint(t.friend, `${a}.${b}.${c}.${d! + int(rand, 4)}`, rand);
      return [];
    }
    case "endpoint-in-their-prefixes":
      setEndpoint(t.friend, host(t.theirLan, rand), rand);
      return [];
    case "endpoint-reserved":
      setEndpoint(t.friend, pick(rand, RESERVED_HOSTS), rand);
      return [];
    case "my-endpoint-in-their-prefixes": {
      // Even confirmed public space may not hold our own endpoint.
      const around = `${t.myEndpoint!.split(".").slice(0, 3).join(".")}.0/24`;
      addPrefixes(t.friend, [around]);
      return [around];
    }
    case "numeric-endpoint":
      setEndpoint(t.friend, pick(rand, NUMERIC_ENDPOINTS), rand);
      return [];
    case "smuggled-confirmation": {
      const p = publicPrefix(rand);
      addPrefixes(t.friend, [p]);
      t.friend[pick(rand, ["acceptPublic", "accept-public", "confirmed"])] = [p];
      return [];
    }
    default:
      throw new Error(`not a friend-side mutation: ${kind}`);
  }
}

/** Every string of a JSON value, by its parent and key, to damage one. */
function strings(node: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): typeof out {
  if (node === null || typeof node !== "object") return out;
  for (const [key, value] of Object.entries(node)) {
    const k = Array.isArray(node) ? Number(key) : key;
    if (typeof value === "string") out.push([node as Record<string, unknown>, k]);
    else strings(value, out);
  }
  return out;
}

function addInvisible(json: Record<string, unknown>, rand: () => number, skip: (value: string) => boolean = () => false): void {
  if (rand() < 0.2) {
    // A key: a side, a WAN or a field name that reads like another.
    const records = [json.sides, ...Object.values((json.sides ?? {}) as Record<string, SideJson>).map((s) => s.wans), json.side && (json.side as SideJson).wans, json.links].filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null && !Array.isArray(r));
    const record = pick(rand, records.length > 0 ? records : [json]);
    const key = pick(rand, Object.keys(record));
    record[withInvisible(key, rand)] = record[key];
    delete record[key];
    return;
  }
  const candidates = strings(json).filter(([parent, key]) => !skip(String((parent as Record<string, unknown>)[key])));
  const [parent, key] = pick(rand, candidates);
  (parent as Record<string | number, unknown>)[key] = withInvisible(String((parent as Record<string | number, unknown>)[key]), rand);
}

// --- the lab ------------------------------------------------------------------------------------

let lab: Lab;
const clients: Router[] = [];
const homes: string[] = [];
async function connection(name: string): Promise<Router> {
  const r = lab.info().routers.find((x) => x.name === name)!;
  const router = await routerOs.connect({ host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 20_000 }, name);
  clients.push(router);
  return router;
}
function workspace(name: string): Workspace {
  const home = mkdtempSync(join(tmpdir(), `bgpals-hostile-${name}-`));
  homes.push(home);
  return { ...workspaceAt(home), secrets: null };
}

const ws = { alice: workspace("alice"), remi: workspace("remi"), remiFresh: workspace("remi2") };
let router: Record<(typeof ROUTERS)[number], Router>;
let offerBody: OfferBody;
let answerBody: AnswerBody;
let offerText = "";
let answerText = "";
let peering: Peering;
let alice: Identity;
let remi: Identity;
const strangers = { aliceHomoglyph: createIdentity("\u0430lice"), remiHomoglyph: createIdentity("r\u0435mi"), otherAlice: createIdentity("alice") };

const exports = () => Object.fromEntries(ROUTERS.map((r) => [r, lab.router(r).exportConfig()]));
/** Every file under the operators' config directories, with a hash of its contents. */
function files(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[path] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  for (const w of Object.values(ws)) walk(w.home);
  return out;
}
let baseline: { routers: Record<string, string>; files: Record<string, string>; writes: string[] };
// Every change the lab routers' stores see after the baseline: a write undone at once (interfaces made
// to learn keys, then discarded) leaves the export as it was but shows here.
const writes: string[] = [];
const snapshot = () => ({ routers: exports(), files: files(), writes: [...writes] });

beforeAll(async () => {
  lab = await Lab.start({ routers: [...ROUTERS], tickMs: 0, tls: false, ssh: false });
  router = { alice: await connection("alice"), remi: await connection("remi") };
  // Alice listens on her WAN addresses (203.0.113.10, 198.51.100.20): endpoints a mutation can move.
  const made = await makeOffer(router.alice, ws.alice, {
    me: "alice", friend: "remi", asn: 64514, networks: [ALICE_LAN], primary: "isp1",
    links: [{ name: "isp1", kind: "wireguard", iface: "vlan832-orange-internet" }, { name: "isp2", kind: "wireguard", iface: "sfp-wan-sfr" }],
  });
  offerText = made.bundle.text;
  offerBody = made.offer;
  const opened = openOffer(offerText, ws.remi, "remi");
  const prepared = await prepareAccept(router.remi, ws.remi, opened, CHOICES);
  await applyPrepared(router.remi, prepared);
  answerText = finishAccept(ws.remi, opened, prepared).answer.text;
  answerBody = prepared.answer!;
  peering = prepared.peering;
  alice = loadIdentity("alice", ws.alice.home);
  remi = loadIdentity("remi", ws.remi.home);
  baseline = snapshot();
  // The router's lock (taken before a run reads, released when it refuses) is not configuration.
  const isLock = (e: StoreEvent) => e.path === "/system/scheduler" && (e.kind === "remove" ? e.before : e.after).name === "bgpals-apply-lock";
  for (const name of ROUTERS) lab.router(name).store.subscribe((e) => !isLock(e) && writes.push(`${name}: ${e.kind} ${e.path}`));
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await lab.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

// --- the steps that would write ----------------------------------------------------------------

type Case =
  | { via: "offer"; text: string; acceptPublic: string[]; ws: Workspace }
  | { via: "answer"; text: string; acceptPublic: string[] }
  | { via: "file"; text: string; side: "alice" | "remi"; acceptPublic: string[] };

/** Runs a case through every step up to the first write; returns the refusal, or fails if it got through. */
async function refusal(c: Case): Promise<string> {
  try {
    if (c.via === "offer") {
      const opened = openOffer(c.text, c.ws, "remi", Date.now(), { acceptPublic: c.acceptPublic });
      await prepareAccept(router.remi, c.ws, opened, CHOICES);
    } else if (c.via === "answer") {
      const opened = openAnswer(c.text, ws.alice, "alice", Date.now(), { acceptPublic: c.acceptPublic });
      await prepareComplete(router.alice, ws.alice, opened, "alice");
    } else {
      let json: unknown;
      try {
        json = JSON.parse(c.text);
      } catch (e) {
        throw new UserError(`not JSON: ${(e as Error).message}`);
      }
      const parsed = parsePeering(json);
      if (!parsed.ok) throw new UserError(parsed.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
      const mine = c.side === "alice" ? ws.alice : ws.remi;
      await preparePeering(router[c.side], mine, parsed.peering, c.side, { acceptPublic: c.acceptPublic });
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`a hostile ${c.via} ended in a bug, not a refusal: ${(e as Error).stack}`);
    expect(e.message.trim().length).toBeGreaterThan(0);
    return e.message;
  }
  throw new Error(`a hostile ${c.via} was accepted: ${c.text.slice(0, 300)}`);
}

const OFFER_KINDS: Kind[] = ["split-default", "public", "too-wide", "reserved", "endpoint-in-my-lan", "endpoint-in-link-subnet", "endpoint-in-their-prefixes", "endpoint-reserved", "invisible", "numeric-endpoint", "speaks-for-another", "homoglyph-signer", "smuggled-confirmation", "name-taken"];
const ANSWER_KINDS: Kind[] = ["split-default", "public", "too-wide", "reserved", "endpoint-in-my-lan", "endpoint-in-link-subnet", "endpoint-in-their-prefixes", "endpoint-reserved", "my-endpoint-in-their-prefixes", "invisible", "numeric-endpoint", "speaks-for-another", "homoglyph-signer", "smuggled-confirmation"];
const FILE_KINDS: Kind[] = ["split-default", "public", "too-wide", "reserved", "endpoint-in-my-lan", "endpoint-in-link-subnet", "endpoint-in-their-prefixes", "endpoint-reserved", "my-endpoint-in-their-prefixes", "invisible", "numeric-endpoint", "smuggled-confirmation"];

function offerCase(kind: Kind, rand: () => number): Case {
  const body = structuredClone(offerBody) as unknown as Record<string, any>;
  let signer = alice;
  let acceptPublic: string[] = [];
  let where = ws.remiFresh;
  const target: Target = { friend: body.side, myLan: REMI_LAN, theirLan: ALICE_LAN, linkSubnets: offerBody.links.map((l) => l.subnet) };
  if (kind === "invisible") addInvisible(body, rand, (v) => v.includes("CERTIFICATE"));
  else if (kind === "speaks-for-another") body.side.name = pick(rand, ["carol", "mallory", "remi"]);
  else if (kind === "homoglyph-signer") {
    signer = strangers.aliceHomoglyph;
    body.side.name = rand() < 0.5 ? "alice" : "xn--lice-5cd";
  } else if (kind === "name-taken") {
    // Someone else named alice, to remi who keeps alice's key and peering.
    signer = strangers.otherAlice;
    where = ws.remi;
  } else acceptPublic = mutateFriend(kind, target, rand);
  return { via: "offer", text: encodeBundle({ identity: signer, kind: "offer", body, now: Date.now() }).text, acceptPublic, ws: where };
}

function answerCase(kind: Kind, rand: () => number): Case {
  const body = structuredClone(answerBody) as unknown as Record<string, any>;
  let signer = remi;
  let acceptPublic: string[] = [];
  const target: Target = { friend: body.side, myLan: ALICE_LAN, theirLan: REMI_LAN, linkSubnets: offerBody.links.map((l) => l.subnet), myEndpoint: offerBody.side.wans.isp1!.endpoint };
  if (kind === "invisible") addInvisible(body, rand, (v) => v === body.offer);
  else if (kind === "speaks-for-another") body.side.name = pick(rand, ["carol", "mallory", "alice"]);
  else if (kind === "homoglyph-signer") signer = strangers.remiHomoglyph;
  else acceptPublic = mutateFriend(kind, target, rand);
  return { via: "answer", text: encodeBundle({ identity: signer, kind: "answer", body, recipient: { name: "alice", boxKey: alice.boxKey }, now: Date.now() }).text, acceptPublic };
}

function fileCase(kind: Kind, rand: () => number): Case {
  const json = structuredClone(peering) as unknown as Record<string, any>;
  // Either operator plans the file: the friend is the other one.
  // (Only alice has endpoints of her own: hers is the side that can find one inside remi's prefixes.)
  const side = kind === "my-endpoint-in-their-prefixes" || rand() < 0.5 ? "alice" : "remi";
  const friend = side === "alice" ? "remi" : "alice";
  const target: Target = {
    friend: json.sides[friend],
    myLan: side === "alice" ? ALICE_LAN : REMI_LAN,
    theirLan: side === "alice" ? REMI_LAN : ALICE_LAN,
    linkSubnets: peering.links.map((l) => l.subnet),
    myEndpoint: peering.sides.alice!.wans.isp1!.endpoint,
  };
  let acceptPublic: string[] = [];
  if (kind === "invisible") addInvisible(json, rand);
  else acceptPublic = mutateFriend(kind, target, rand);
  return { via: "file", text: JSON.stringify(json), side, acceptPublic };
}

describe("hostile bundles and peering files against lab routers", () => {
  it("the originals open and plan with no refusal, from both sides", async () => {
    expect(openOffer(offerText, ws.remiFresh, "remi").offer.side.name).toBe("alice");
    const opened = openAnswer(answerText, ws.alice, "alice");
    expect((await prepareComplete(router.alice, ws.alice, opened, "alice")).plan.changes.length).toBeGreaterThan(0);
    await preparePeering(router.remi, ws.remi, peering, "remi");
    // The same peering with a public prefix the user confirmed: the confirmation is what makes it pass.
    const json = structuredClone(peering) as unknown as Record<string, any>;
    json.sides.remi.allowed = [...(json.sides.remi.allowed ?? [{ prefix: REMI_LAN, maxLength: 24 }]), { prefix: PUBLIC, maxLength: 24 }];
    const withPublic = parsePeering(json);
    expect(withPublic.ok).toBe(true);
    if (!withPublic.ok) return;
    await expect(preparePeering(router.alice, ws.alice, withPublic.peering, "alice")).rejects.toThrow(/not private space/);
    await preparePeering(router.alice, ws.alice, withPublic.peering, "alice", { acceptPublic: [PUBLIC] });
    expect(snapshot()).toEqual(baseline);
  });

  it(`refuses ${CASES} hostile offers, answers and peering files, each for its own reason; nothing is written`, async () => {
    const rand = prng(SEED);
    const seen = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const via = pick(rand, ["offer", "answer", "file"] as const);
      const kind = pick(rand, via === "offer" ? OFFER_KINDS : via === "answer" ? ANSWER_KINDS : FILE_KINDS);
      const c = via === "offer" ? offerCase(kind, rand) : via === "answer" ? answerCase(kind, rand) : fileCase(kind, rand);
      const message = await refusal(c);
      expect(message, `${via} ${kind}: ${c.text.slice(0, 200)}`).toMatch(EXPECTED[kind]);
      expect(message).not.toMatch(/internal error|^\s+at /m);
      seen.set(`${via} ${kind}`, (seen.get(`${via} ${kind}`) ?? 0) + 1);
      if (i % 100 === 99) expect(snapshot(), `after ${i + 1} cases`).toEqual(baseline);
    }
    expect(snapshot()).toEqual(baseline);
    // Every mutation of every channel was tried.
    expect(seen.size).toBe(OFFER_KINDS.length + ANSWER_KINDS.length + FILE_KINDS.length);
  }, 300_000);

  it("refuses them through the real CLI too: exit 1, the reason, no stack trace, nothing written", async () => {
    const run = (op: "alice" | "remi", args: string[], home: string) => {
      const r = lab.info().routers.find((x) => x.name === op)!;
      return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: home, BGPALS_PASSWORD: r.password });
    };
    const rand = prng(SEED ^ 0x5a5a);
    const accept = (text: string, extra: string[] = []) => run("remi", ["accept", text, "--me", "remi", "--asn", "64513", "--networks", REMI_LAN, "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", ...extra], ws.remiFresh.home);
    for (const kind of ["split-default", "endpoint-in-my-lan", "invisible"] as const) {
      const r = await accept(offerCase(kind, rand).text);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(EXPECTED[kind]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    // A confirmation of a split default's pieces is refused as usage: more than a /8 is never confirmed.
    const usage = await accept(offerCase("split-default", rand).text, ["--accept-public", "0.0.0.0/1"]);
    expect(usage.code, usage.stderr).toBe(2);
    expect(usage.stderr).toMatch(/--accept-public 0\.0\.0\.0\/1: .*more than a \/8/);

    const complete = await run("alice", ["complete", answerCase("endpoint-in-link-subnet", rand).text, "--yes"], ws.alice.home);
    expect(complete.code, complete.stderr).toBe(1);
    expect(complete.stderr).toMatch(EXPECTED["endpoint-in-link-subnet"]);

    // A peering file: refused by apply, confirmed only by the flag of the user who plans it.
    const dir = mkdtempSync(join(tmpdir(), "bgpals-hostile-files-"));
    homes.push(dir);
    const json = structuredClone(peering) as unknown as Record<string, any>;
    json.sides.remi.allowed = [{ prefix: "192.168.42.0/23", maxLength: 28 }, { prefix: PUBLIC, maxLength: 24 }];
    const file = join(dir, "remi.json");
    writeFileSync(file, JSON.stringify(json));
    const planArgs = ["--peering", file, "--side", "alice", "--peers", join(dir, "peers")];
    const refused = await run("alice", ["apply", ...planArgs, "--yes"], ws.alice.home);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/sides\.remi\.allowed\[1\]\.prefix: remi may send 93\.184\.216\.0\/24, which is not private space .*--accept-public 93\.184\.216\.0\/24/);
    // (In another home: a plan that reaches the router keeps its connection settings there.)
    const confirmed = await run("alice", ["plan", ...planArgs, "--accept-public", PUBLIC, "--json"], dir);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(JSON.parse(confirmed.stdout).changes.length).toBeGreaterThan(0);
    // The file cannot confirm itself.
    json.sides.remi.acceptPublic = [PUBLIC];
    writeFileSync(file, JSON.stringify(json));
    const smuggled = await run("alice", ["plan", ...planArgs], ws.alice.home);
    expect(smuggled.code, smuggled.stderr).toBe(1);
    expect(smuggled.stderr).toMatch(/sides\.remi: unknown field acceptPublic/);
    // Connecting to a router (an accept refused on what the router holds) creates the empty
    // router-profile settings; nothing of the bundle's is in there.
    const after = snapshot();
    for (const [file] of Object.entries(after.files).filter(([f]) => f.endsWith("/config.json") && baseline.files[f] === undefined)) {
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ routers: {}, fingerprints: {} });
      delete after.files[file];
    }
    expect(after).toEqual(baseline);
  }, 120_000);
});
