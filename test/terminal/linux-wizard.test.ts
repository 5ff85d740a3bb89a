// The screens' wizard with Linux hosts as both routers, as first-time users meet it at 80×24: two
// netlab hosts (BIRD and WireGuard for real, not peered yet), each operator's config home holding
// only a profile naming their host as ssh://root@host:port. Alice offers on Home (n) over both her
// WANs, remi accepts (a) on his, alice completes (c): the bundles pass as people pass them (saved to
// a file with s and pasted into the other screen). What it proves is read from the hosts (birdc).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Netlab } from "../netlab/netlab.js";
import { waitFor } from "../platforms/linux-bird/peered-hosts.js";
import { linuxProfileHome, startUnpeeredHosts, type LinuxOperator } from "./linux-operator.js";
import { KEYS, runInTerminal, type TerminalRun } from "./pty.js";

// Side names of this file and process only: they name the tunnels, whose wireguard-go sockets share /run/wireguard.
const ALICE = `ta${process.pid}`;
const REMI = `tr${process.pid}`;

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

async function open(op: LinuxOperator): Promise<TerminalRun> {
  const term = runInTerminal([], { env: op.env, cols: 80, rows: 24 });
  terms.push(term);
  await term.waitFor("Routers (1)");
  return term;
}

/** Types into a text field, waiting until the field shows it. */
async function typeText(term: TerminalRun, text: string): Promise<void> {
  await term.type(text);
  await term.waitFor((s) => s.includes(text));
}

/** s on a bundle: the file it was saved to (the note names it), read back. */
async function saveBundle(term: TerminalRun, op: LinuxOperator): Promise<string> {
  const shown = await term.press("s", /saved to\s+\/\S+\.txt/);
  const file = /saved to ?(\/\S+?\.txt)/.exec(shown.replace(/\n/g, ""))?.[1];
  expect(file?.startsWith(join(op.home, "out"))).toBe(true);
  return readFileSync(file!, "utf8").trim();
}

const established = async (side: string) => ((await lab.birdc(side, "show", "protocols")).match(/Established/g) ?? []).length;

describe("the wizard on the screens between two Linux hosts", () => {
  it("offer, accept and complete at 80×24: both BIRD sessions Established on both hosts", async () => {
    const alice = await linuxProfileHome(lab, ALICE);
    const remi = await linuxProfileHome(lab, REMI);
    const a = await open(alice);
    const r = await open(remi);
    const log = (what: string, s: string) => console.log(`----- ${what}\n${s}`);

    log("n", await a.press("n", "your name:", 30_000));
    await typeText(a, ALICE);
    await a.press(KEYS.enter, "friend's name:");
    await typeText(a, REMI);
    log("kind", await a.press(KEYS.enter, "› WireGuard", 30_000));
    log("wans", await a.press(KEYS.enter, "[ ] wan1"));
    await a.press(KEYS.space, "[x] wan1");
    await a.press(KEYS.down, "› [ ] wan2");
    await a.press(KEYS.space, "[x] wan2");
    log("primary", await a.press(KEYS.enter, /› isp1\s+over wan1/));
    log("asn", await a.press(KEYS.enter, "your ASN:"));
    await a.press(KEYS.ctrlU, /your ASN: *$/m);
    await typeText(a, "64514");
    log("networks", await a.press(KEYS.enter, "networks to announce:"));
    await a.press(KEYS.ctrlU, /networks to announce: *$/m);
    await typeText(a, "192.168.10.0/24");
    log("monitor", await a.press(KEYS.enter, /read-only/));
    const offerShown = await a.press(KEYS.enter, /Fingerprint /, 30_000);
    log("offer", offerShown);
    const offer = await saveBundle(a, alice);

    await r.press("a", "your name:");
    await typeText(r, REMI);
    await r.press(KEYS.enter, "offer:");
    await r.type(offer);
    await r.waitFor((s) => s.includes(offer.slice(-20)));
    log("summary", await r.press(KEYS.enter, `Offer from ${ALICE}`, 20_000));
    log("wan1", await r.press(KEYS.enter, "Link isp1", 30_000));
    log("wan2", await r.press(KEYS.enter, "Link isp2"));
    log("asn", await r.press(KEYS.enter, "your ASN:"));
    await r.press(KEYS.ctrlU, /your ASN: *$/m);
    await typeText(r, "64513");
    log("networks", await r.press(KEYS.enter, "networks to announce:"));
    await r.press(KEYS.ctrlU, /networks to announce: *$/m);
    await typeText(r, "192.168.42.0/24");
    log("monitor", await r.press(KEYS.enter, /read-only/));
    const plan = await r.press(KEYS.enter, /changes on /, 60_000);
    log("plan", plan);
    log("answer", await r.press("a", /Fingerprint /, 90_000));
    const answer = await saveBundle(r, remi);
    log("done", await r.press(KEYS.enter, /is applied/));

    log("offer done", await a.press(KEYS.enter, "is waiting for"));
    log("home", await a.press(KEYS.enter, (s) => !s.includes("New peering")));
    await a.press("c", "answer:");
    await a.type(answer);
    await a.waitFor((s) => s.includes(answer.slice(-20)));
    log("summary", await a.press(KEYS.enter, `Answer from ${REMI}`, 20_000));
    log("plan", await a.press(KEYS.enter, /changes on /, 60_000));
    log("done", await a.press("a", /is complete/, 90_000));
    await waitFor(async () => (await established(ALICE)) === 2 && (await established(REMI)) === 2, "both sessions Established on both hosts", 90_000);
  }, 400_000);
});
