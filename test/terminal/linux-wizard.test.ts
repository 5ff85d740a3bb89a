// The screens' wizard with Linux hosts as both routers, as first-time users meet it at 80×24 (and 60×20): two
// netlab hosts (BIRD and WireGuard for real, not peered yet), each operator's config home holding
// only a profile naming their host as ssh://root@host:port. Alice offers on Home (n) over both her
// WANs, remi accepts (a) on his, alice completes (c); the bundles pass as people pass them (saved
// with s, the file's text pasted into the other screen). On the way: Linux's words, not RouterOS's;
// no monitor account offered (a Linux host cannot grant one yet, and the step says so); the plan
// review in the host's own terms and exported as text. What it proves at the end is read from the
// hosts: both BIRD sessions Established on each (birdc).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onCleanup } from "../helpers.js";
import type { Netlab } from "../netlab/netlab.js";
import { waitFor } from "../platforms/linux-bird/peered-hosts.js";
import { linuxProfileHome, startUnpeeredHosts, type LinuxOperator } from "./linux-operator.js";
import { KEYS, runInTerminal, type TerminalRun } from "./pty.js";

// Side names of this file and process only: they name the tunnels, whose wireguard-go sockets share /run/wireguard.
const ALICE = `ta${process.pid}`;
const REMI = `tr${process.pid}`;
const ALICE_LAN = "192.168.10.0/24";
const REMI_LAN = "192.168.42.0/24";
/** What only RouterOS has: none of it may be said to someone whose router is a Linux host. */
const ROUTEROS_WORDS = /RouterOS|IP Cloud|WinBox|\/ip |\.rsc|interfaces? (are|on)/;

let lab: Netlab;
const terms: TerminalRun[] = [];

beforeAll(async () => {
  lab = await startUnpeeredHosts([
    { name: ALICE, lan: "192.168.10.1/24" },
    { name: REMI, lan: "192.168.42.1/24" },
  ]);
}, 120_000);
afterAll(async () => {
  for (const t of terms) t.kill();
  await lab?.teardown();
});

async function open(op: LinuxOperator, cols = 80, rows = 24): Promise<TerminalRun> {
  const term = runInTerminal([], { env: op.env, cols, rows });
  terms.push(term);
  await term.waitFor("Routers (1)");
  return term;
}

/** Types into a text field, waiting until the field shows it. */
async function typeText(term: TerminalRun, text: string): Promise<void> {
  await term.type(text);
  await term.waitFor((s) => s.includes(text));
}

/** Replaces what a text field holds. */
async function retype(term: TerminalRun, label: string, text: string): Promise<void> {
  await term.press(KEYS.ctrlU, new RegExp(`${label}: *$`, "m"));
  await typeText(term, text);
}

/** The file a note on screen says something was saved to (whole: the note wraps, never cut), under the operator's out/. */
function savedFile(screen: string, said: string, op: LinuxOperator): string {
  const file = new RegExp(`${said} ?(/\\S+?\\.txt)`).exec(screen.replace(/\n/g, ""))?.[1];
  expect(file, screen).toBeDefined();
  expect(file!.startsWith(join(op.home, "out"))).toBe(true);
  return readFileSync(file!, "utf8");
}

/** Pastes a bundle into the focused field and submits it once the field shows its end. */
async function paste(term: TerminalRun, text: string, until: string): Promise<string> {
  await term.type(text);
  await term.waitFor((s) => s.includes(text.slice(-20)));
  return term.press(KEYS.enter, until, 20_000);
}

const established = async (side: string) => ((await lab.birdc(side, "show", "protocols")).match(/Established/g) ?? []).length;

describe("the wizard on the screens between two Linux hosts", () => {
  it("offer, accept and complete at 80×24 in Linux's words: both BIRD sessions Established on both hosts", async () => {
    const alice = await linuxProfileHome(lab, ALICE);
    const remi = await linuxProfileHome(lab, REMI);
    const a = await open(alice);
    const r = await open(remi);
    const seen: string[] = [];
    const saw = (screen: string) => (seen.push(screen), screen);

    // Alice's offer: n on Home; her host is her only router, taken without asking.
    await a.press("n", "your name:", 30_000);
    await typeText(a, ALICE);
    await a.press(KEYS.enter, "friend's name:");
    await typeText(a, REMI);
    const kind = saw(await a.press(KEYS.enter, "› WireGuard", 30_000));
    expect(kind).toMatch(/WireGuard\s+your friend on Linux or RouterOS 7/);
    // The host's two WANs (its default routes), each with its address.
    const wans = saw(await a.press(KEYS.enter, "[ ] wan1"));
    for (const wan of lab.hosts[ALICE]!.wans) expect(wans).toMatch(new RegExp(`\\[ \\] ${wan.interface}\\s+${wan.address.replace(/\./g, "\\.")}/${wan.prefixLength}\\s+default route`));
    await a.press(KEYS.space, "[x] wan1");
    await a.press(KEYS.down, "› [ ] wan2");
    await a.press(KEYS.space, "[x] wan2");
    // Public addresses, static: no endpoint to ask for; straight to the primary.
    saw(await a.press(KEYS.enter, /› isp1\s+over wan1/));
    await a.press(KEYS.enter, "your ASN:");
    await retype(a, "your ASN", "64514");
    await a.press(KEYS.enter, "networks to announce:");
    await retype(a, "networks to announce", ALICE_LAN);
    // No monitor account to grant on a Linux host: the step says why, and offers only "no".
    const monitor = saw(await a.press(KEYS.enter, "› No read-only account"));
    expect(monitor.replace(/\s+/g, " ")).toContain("Granting your friend's monitor a read-only account is not built for Linux hosts yet");
    expect(monitor).not.toMatch(new RegExp(`Grant ${REMI}`));
    saw(await a.press(KEYS.enter, /Fingerprint \S+: read it to/, 30_000));
    const offerSaved = saw(await a.press("s", /saved to\s+\/\S+\.txt/));
    const offer = savedFile(offerSaved, "saved to", alice).trim();
    expect(offer).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);
    const offerFingerprint = /Fingerprint (\S+):/.exec(offerSaved)![1]!;
    saw(await a.press(KEYS.enter, "is waiting for"));
    expect(a.screen()).toContain(`Only the tunnels' keys are on home yet; nothing else was changed.`);
    // Only the keys: a private key per link on alice's host, no tunnel, BIRD untouched.
    expect(await established(ALICE)).toBe(0);

    // Remi accepts: a on Home, the offer pasted.
    await r.press("a", "your name:");
    await typeText(r, REMI);
    await r.press(KEYS.enter, "offer:");
    const summary = saw(await paste(r, offer, `Offer from ${ALICE}`));
    expect(summary).toContain(`Fingerprint ${offerFingerprint}`);
    expect(summary).toMatch(new RegExp(`Offer from ${ALICE} \\(AS64514, Linux \\(BIRD \\d+\\.\\d+\\.\\d+\\)\\)`));
    for (const [i, wan] of lab.hosts[ALICE]!.wans.entries()) expect(summary).toContain(`isp${i + 1}: wireguard to ${wan.address}:`);
    saw(await r.press(KEYS.enter, "Link isp1", 30_000));
    // The other WAN is proposed for the second link.
    saw(await r.press(KEYS.enter, (s) => s.includes("Link isp2") && s.includes("› wan2")));
    await r.press(KEYS.enter, "your ASN:");
    await retype(r, "your ASN", "64513");
    await r.press(KEYS.enter, "networks to announce:");
    await retype(r, "networks to announce", REMI_LAN);
    const remiMonitor = saw(await r.press(KEYS.enter, "› No read-only account"));
    expect(remiMonitor).not.toMatch(new RegExp(`Grant ${ALICE}`));
    // The plan in the host's own terms: files written, routes, the tunnels, BIRD taking it; no menu headings made of bgpals's keys.
    const plan = saw(await r.press(KEYS.enter, /\d+ changes on home/, 60_000));
    expect(plan.replace(/\s+/g, " ")).toContain("esc goes back and removes the keys made for it");
    expect(plan).toMatch(/^ {2}\+ write \/etc\/wireguard\/wg-\S+-isp1\.conf \(new, \d+ lines\)$/m);
    expect(plan).not.toMatch(/^(route|rule|nft|wireguard|bird)\//m);
    // e: the plan as a text file (a Linux host has no script of its own), what the review shows.
    const exported = saw(await r.press("e", /saved the plan as\s+\/\S+\.txt/));
    const planText = savedFile(exported, "saved the plan as", remi);
    for (const wan of lab.hosts[ALICE]!.wans) expect(planText).toMatch(new RegExp(`\\+ ip rule add to ${wan.address.replace(/\./g, "\\.")}/32 lookup \\d+`));
    expect(planText).toMatch(/~ birdc configure check, then birdc configure/);
    expect(planText).not.toMatch(/^(route|rule|nft|wireguard|bird)\//m);
    const answerShown = saw(await r.press("a", /Fingerprint \S+: read it to/, 90_000));
    const answerFingerprint = /Fingerprint (\S+):/.exec(answerShown)![1]!;
    const answer = savedFile(saw(await r.press("s", /saved to\s+\/\S+\.txt/)), "saved to", remi).trim();
    const accepted = saw(await r.press(KEYS.enter, /is applied/));
    // The apply's log in the changes' own words.
    expect(accepted).toMatch(/✓ \+ write \/etc\/bird\/bgpals-\S+\.conf/);
    expect(accepted).not.toMatch(/✓ . (route|rule|nft|wireguard|bird)\//);

    // Alice completes: c on Home, the answer pasted.
    await a.press(KEYS.enter, "Bundles sent (1)");
    await a.press("c", "answer:");
    const answerSummary = saw(await paste(a, answer, `Answer from ${REMI}`));
    expect(answerSummary).toContain(`Fingerprint ${answerFingerprint}`);
    expect(answerSummary).toMatch(new RegExp(`Answer from ${REMI} \\(AS64513, Linux \\(BIRD \\d+\\.\\d+\\.\\d+\\)\\)`));
    saw(await a.press(KEYS.enter, /\d+ changes on home/, 60_000));
    const completed = saw(await a.press("a", /is complete/, 90_000));
    expect(completed).toMatch(/✓ \+ write \/etc\/wireguard\/wg-\S+-isp1\.conf/);

    // Nothing a Linux operator saw speaks RouterOS (the kind step's "RouterOS 7" and the offer's
    // friend platform apart, which are about the friend's router).
    for (const screen of seen) expect(screen.replace(/Linux or RouterOS\s+7|RouterOS\s+6/g, "")).not.toMatch(ROUTEROS_WORDS);

    // Both operators hold the same peering file; both hosts' BIRDs have both sessions Established.
    expect(JSON.parse(readFileSync(join(alice.home, "peers", `${REMI}.json`), "utf8"))).toEqual(JSON.parse(readFileSync(join(remi.home, "peers", `${ALICE}.json`), "utf8")));
    await waitFor(async () => (await established(ALICE)) === 2 && (await established(REMI)) === 2, "both sessions Established on both hosts", 90_000);
  }, 400_000);

  it("fits 60×20 from the offer to the complete: nothing cut, overlapping or pushed off, the left-out networks said", async () => {
    // Two hosts of their own, peered here at 60×20 (the first test's are peered already).
    const [me, friend] = [`sa${process.pid}`, `sr${process.pid}`];
    const small = await startUnpeeredHosts([
      { name: me, lan: "192.168.10.1/24" },
      { name: friend, lan: "192.168.42.1/24" },
    ]);
    onCleanup(() => small.teardown());
    const alice = await linuxProfileHome(small, me);
    const remi = await linuxProfileHome(small, friend);
    const a = await open(alice, 60, 20);
    const r = await open(remi, 60, 20);
    const seen: string[] = [];
    const saw = (screen: string) => (seen.push(screen), screen);
    const flat = (screen: string) => screen.replace(/\n/g, "");
    const saved = (screen: string) => /saved to\s*\/\S+\.txt/.test(flat(screen));

    await a.press("n", "your name:", 30_000);
    await typeText(a, me);
    await a.press(KEYS.enter, "friend's name:");
    await typeText(a, friend);
    saw(await a.press(KEYS.enter, "› WireGuard", 30_000));
    saw(await a.press(KEYS.enter, "[ ] wan1"));
    await a.press(KEYS.space, "[x] wan1");
    await a.press(KEYS.down, "› [ ] wan2");
    await a.press(KEYS.space, "[x] wan2");
    saw(await a.press(KEYS.enter, /› isp1\s+over wan1/));
    saw(await a.press(KEYS.enter, "your ASN:"));
    await retype(a, "your ASN", "64514");
    // The LAN on lo suggested; the host's management link (a veth, a /30) not, saying why under it.
    const networks = saw(await a.press(KEYS.enter, "networks to announce:"));
    const mgmt = small.hosts[me]!.ssh.interface;
    expect(networks).toMatch(new RegExp(`networks to announce: ${ALICE_LAN.replace(/\./g, "\\.")}$`, "m"));
    const shown = networks.split("\n");
    const notes = shown.slice(shown.findIndex((l) => l.startsWith("networks to announce:")) + 1, shown.findIndex((l) => l.startsWith("with ")));
    expect(notes.join(" ").replace(/\s+/g, " ")).toMatch(new RegExp(`^ not suggested: \\S+/30 on ${mgmt}: a container's link \\(veth\\)$`));
    for (const line of notes) expect(line, networks).toMatch(/^ {2}\S/);
    saw(await a.press(KEYS.enter, "› No read-only account"));
    saw(await a.press(KEYS.enter, /Fingerprint \S+: read it to/, 30_000));
    const offer = savedFile(saw(await a.press("s", saved)), "saved to", alice).trim();
    saw(await a.press(KEYS.enter, "is waiting for"));

    await r.press("a", "your name:");
    await typeText(r, friend);
    await r.press(KEYS.enter, "offer:");
    // The offer's links: each wraps under itself, never from the screen's edge.
    const summary = saw(await paste(r, offer, `Offer from ${me}`));
    const links = summary.split("\n").slice(summary.split("\n").findIndex((l) => l.startsWith("Announces")) + 1, summary.split("\n").findIndex((l) => l.includes("The fingerprint matches")) - 1);
    expect(links.join("\n")).toMatch(/isp1: wireguard to [^]*isp2: wireguard to/);
    for (const line of links) expect(line, summary).toMatch(/^ {2}\S/);
    saw(await r.press(KEYS.enter, "Link isp1", 30_000));
    saw(await r.press(KEYS.enter, (x) => x.includes("Link isp2") && x.includes("› wan2")));
    await r.press(KEYS.enter, "your ASN:");
    await retype(r, "your ASN", "64513");
    saw(await r.press(KEYS.enter, "networks to announce:"));
    saw(await r.press(KEYS.enter, "› No read-only account"));
    // The plan review: each change whole, wrapped under itself, never cut at the edge (a file's
    // size, a route's device); the changes under what they change.
    const plan = saw(await r.press(KEYS.enter, /\d+ changes on home/, 60_000));
    expect(plan).toMatch(/^files$/m);
    expect(plan.replace(/\n {4}(?=\S)/g, " ")).toMatch(/^ {2}\+ write \/etc\/wireguard\/wg-\S+-isp1\.conf \(new, \d+ lines\)$/m);
    // Page by page (page down) to its end: BIRD's step (before the tunnels: it keeps each link's
    // path), the tunnels last; no line cut at the edge (…), a tunnel's change whole with the
    // friend's key (longer than a line at 60 columns).
    const pages = [plan];
    while (/↓ \d+ more/.test(pages.at(-1)!) && pages.length < 20) pages.push(saw(await r.press("\u001B[6~", (x) => x !== pages.at(-1))));
    const all = pages.join("\n");
    expect(all).toMatch(/^BIRD$/m);
    expect(all).toMatch(/^ {2}~ birdc configure check, then birdc configure$/m);
    expect(pages.at(-1)!.replace(/\n {4}(?=\S)/g, " ")).toMatch(/^ {2}\+ make wg-\S+-isp2: /m);
    for (const page of pages) for (const line of page.split("\n")) expect(line, page).not.toMatch(/…$/);
    // Whole on one page (a change may also straddle two pages: that one is not the check).
    const tunnelWhole = /^ {2}\+ make wg-\S+-isp\d: \S+\/30, MTU \d+, dials \S+, peer [A-Za-z0-9+/]{43}=$/m;
    expect(pages.some((page) => tunnelWhole.test(page.replace(/\n {4}(?=\S)/g, " "))), pages.join("\n---\n")).toBe(true);
    saw(await r.press("a", /Fingerprint \S+: read it to/, 90_000));
    const answer = savedFile(saw(await r.press("s", saved)), "saved to", remi).trim();
    // Done: the first line whole (its end wraps, not lost), and the steps that do not fit counted.
    const accepted = saw(await r.press(KEYS.enter, /is applied/));
    const applied = Number(/is applied \((\d+) changes\)/.exec(accepted)![1]);
    const stepLines = accepted.split("\n").filter((l) => /^ {2}✓ /.test(l)).length;
    const before = Number(/… (\d+) steps? before these/.exec(accepted)?.[1] ?? 0);
    expect(stepLines + before, accepted).toBe(applied);

    await a.press(KEYS.enter, "Bundles sent (1)");
    await a.press("c", "answer:");
    saw(await paste(a, answer, `Answer from ${friend}`));
    saw(await a.press(KEYS.enter, /\d+ changes on home/, 60_000));
    const completed = saw(await a.press("a", /is complete/, 90_000));
    expect(completed.replace(/\n/g, " ")).toMatch(/is complete: (\d+) changes applied\./);
    const done = Number(/is complete: (\d+) changes/.exec(completed)![1]);
    expect(completed.split("\n").filter((l) => /^ {2}✓ /.test(l)).length + Number(/… (\d+) steps? before these/.exec(completed)?.[1] ?? 0), completed).toBe(done);

    // Every screen: within 20 rows and 60 columns, its key hints last (nothing pushed off).
    for (const screen of seen) {
      const lines = screen.split("\n");
      expect(lines.length, screen).toBeLessThanOrEqual(20);
      for (const line of lines) expect(line.length, screen).toBeLessThanOrEqual(60);
      expect(lines.filter((l) => l.trim() !== "").at(-1), screen).toMatch(/quit$/);
    }
    await waitFor(async () => (await small.birdc(me, "show", "protocols")).match(/Established/g)?.length === 2, "both sessions Established", 90_000);
  }, 300_000);

  it("asks for the endpoint of a WAN whose address is dynamic, in Linux's words, and writes nothing before the offer", async () => {
    // wan1's address as DHCP leaves it (a lifetime): dynamic, as the host's `ip -j addr` says.
    const wan = lab.hosts[REMI]!.wans[0]!;
    const lifetime = (lft: string) => lab.exec(REMI, ["ip", "addr", "change", `${wan.address}/${wan.prefixLength}`, "dev", wan.interface, "valid_lft", lft, "preferred_lft", lft]);
    expect((await lifetime("3600")).code).toBe(0);
    try {
      const ghost = `tg${process.pid}`;
      const term = await open(await linuxProfileHome(lab, REMI));
      await term.press("n", "your name:", 30_000);
      await typeText(term, REMI);
      await term.press(KEYS.enter, "friend's name:");
      await typeText(term, ghost);
      await term.press(KEYS.enter, "› WireGuard", 30_000);
      const wans = await term.press(KEYS.enter, `[ ] ${wan.interface}`);
      expect(wans).toContain(`${wan.interface}  ${wan.address}/${wan.prefixLength}`);
      await term.press(KEYS.space, `[x] ${wan.interface}`);
      const asked = await term.press(KEYS.enter, `address or DNS name of ${wan.interface} (isp1):`);
      const why = asked.replace(/\s+/g, " ");
      expect(why).toContain(`${wan.interface}'s address ${wan.address} is dynamic (DHCP)`);
      expect(why).toContain("a dynamic DNS client on the host");
      expect(asked).not.toMatch(ROUTEROS_WORDS);
      await typeText(term, "remi.example.net");
      // One WAN: no primary to choose, on to the ASN; nothing made on the host before the offer.
      await term.press(KEYS.enter, "your ASN:");
      expect(readdirSync(join(lab.hosts[REMI]!.etc, "wireguard")).filter((f) => f.includes(ghost))).toEqual([]);
    } finally {
      await lifetime("forever");
    }
  }, 120_000);
});

