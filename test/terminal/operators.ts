// Two operators at their own terminals: each with a config home holding a profile of their lab
// router, running the real `bgpals` in a pseudo-terminal. Bundles pass from one screen to the
// other the way people pass them: read off one screen, pasted into the other.
import { expect } from "vitest";
import { tempDir, until } from "../helpers.js";
import type { Lab } from "../../src/lab/lab.js";
import { cliAsync } from "../cli/cli-async.js";
import { KEYS, runInTerminal, type TerminalRun } from "./pty.js";

export const COLS = 120;
export const ROWS = 40;

export interface Operator {
  name: string;
  home: string;
  env: Record<string, string>;
  term: TerminalRun;
}

/** A config home with a profile named `home` for the operator's lab router, and the TUI open on it. */
export async function openOperator(lab: Lab, name: string, size: { cols: number; rows: number } = { cols: COLS, rows: ROWS }): Promise<Operator> {
  const info = lab.info().routers.find((r) => r.name === name);
  if (!info) throw new Error(`no lab router ${name}`);
  const home = tempDir(`bgpals-${name}-`);
  const env = { BGPALS_HOME: home, BGPALS_PASSWORD: info.password };
  const added = await cliAsync(["router", "add", "home", "--host", info.host, "--port", String(info.port), "--user", info.user], env);
  expect(added.code, added.stderr).toBe(0);
  const term = runInTerminal([], { env, ...size });
  await term.waitFor("Routers (1)");
  return { name, home, env, term };
}

/** The bundle shown on a screen: the lines between the fingerprint and the character count. */
export function bundleOnScreen(screen: string): { text: string; fingerprint: string } {
  const lines = screen.split("\n");
  const head = lines.findIndex((l) => l.startsWith("Fingerprint "));
  const tail = lines.findIndex((l, i) => i > head && /^\d+ characters, /.test(l));
  if (head < 0 || tail < 0) throw new Error(`no whole bundle on this screen (make the terminal larger?):\n${screen}`);
  const fingerprint = /Fingerprint (\S+):/.exec(lines[head]!)?.[1] ?? "";
  const text = lines
    .slice(head + 1, tail)
    .filter((l) => !/more lines?$/.test(l.trim()))
    .map((l) => l.trim())
    .join("");
  return { text, fingerprint };
}

/** Pastes a bundle into the focused field and submits it once the field shows its end. */
export async function pasteBundle(term: TerminalRun, text: string, until: string | RegExp): Promise<string> {
  await term.type(text);
  await term.waitFor((s) => s.includes(text.slice(-20)));
  return term.press(KEYS.enter, until, 20_000);
}

/** Types into a text field, waiting until the field shows it. */
export async function typeText(term: TerminalRun, text: string): Promise<void> {
  await term.type(text);
  await term.waitFor((s) => s.includes(text));
}

/** Waits until the operator's router shows every tunnel up and every session established (two links). */
export async function waitForPeeringUp(lab: Lab, op: Operator, timeoutMs = 20_000): Promise<{ routes: Array<{ dst: string; active: boolean; link: string }> }> {
  // Looked for on the lab first, which costs nothing: each look through the CLI is a process. The
  // CLI's status still judges, as before (a lab that never looks so leaves it to the loop below).
  await until(
    () => {
      lab.tick();
      const plane = lab.dataplane.of(op.name);
      return plane.sessions.filter((x) => x.state === "established").length >= 2 && plane.tunnels.every((t) => t.tunnel.up);
    },
    `${op.name}'s sessions established on the lab`,
    timeoutMs,
    100,
  ).catch(() => undefined);
  let last = "";
  return until(
    async () => {
      lab.tick();
      const r = await cliAsync(["status", "--router", "home", "--json"], op.env);
      expect(r.code, r.stderr).toBe(0);
      last = r.stdout;
      const s = JSON.parse(r.stdout) as { tunnels: Array<{ state: string }>; sessions: Array<{ state: string }>; routes: Array<{ dst: string; active: boolean; link: string }> };
      return s.tunnels.length === 2 && s.tunnels.every((t) => t.state === "up") && s.sessions.length === 2 && s.sessions.every((x) => x.state === "established") && s;
    },
    () => `${op.name}'s peering up; the last status was ${last}`,
    timeoutMs,
    100,
  );
}

/** The screens S1 passes through that its tests check. */
export interface S1Screens {
  offer: { text: string; fingerprint: string };
  answer: { text: string; fingerprint: string };
  /** Remi's screen after pasting the offer. */
  offerSummary: string;
  /** Remi's plan review. */
  plan: string;
  /** Alice's screen after pasting the answer. */
  answerSummary: string;
  /** Alice's Home at the end. */
  home: string;
}

/** Alice's offer of S1 (to `friend`, default remi) from her Home, up to the offer on screen. */
export async function offerS1(a: TerminalRun, friend = "remi"): Promise<{ text: string; fingerprint: string }> {
  await a.press("n", "your name:");
  await typeText(a, "alice");
  await a.press(KEYS.enter, "friend's name:");
  await typeText(a, friend);
  await a.press(KEYS.enter, "› WireGuard");
  await a.press(KEYS.enter, "[ ] vlan832-orange-internet");
  await a.press(KEYS.space, "[x] vlan832-orange-internet");
  await a.press(KEYS.down, "› [ ] sfp-wan-sfr");
  await a.press(KEYS.space, "[x] sfp-wan-sfr");
  await a.press(KEYS.enter, "› isp1");
  await a.press(KEYS.enter, "your ASN:");
  await a.press(KEYS.ctrlU, /your ASN: *$/m);
  await typeText(a, "64514");
  await a.press(KEYS.enter, "networks to announce: 192.168.0.0/24");
  await a.press(KEYS.enter, "› No read-only account");
  return bundleOnScreen(await a.press(KEYS.enter, new RegExp(`\\d+ characters, offer for ${friend}`), 20_000));
}

/**
 * S1 through the screens: alice offers over both her ISPs (isp1 primary), remi accepts on his two
 * PPPoE links announcing `remiNetworks` (default: what the wizard suggests), alice completes.
 * Both end on Home with the friend listed.
 */
export async function peerS1(alice: Operator, remi: Operator, options: { remiNetworks?: string } = {}): Promise<S1Screens> {
  const a = alice.term;
  const r = remi.term;
  const offer = await offerS1(a);

  await r.press("a", "your name:");
  await typeText(r, "remi");
  // A real run has no ctrl+v of its own (the demo's): the friend's bundle comes from a chat.
  expect(await r.press(KEYS.enter, "offer:")).not.toMatch(/ctrl\+v/);
  const offerSummary = await pasteBundle(r, offer.text, "Offer from alice");
  await r.press(KEYS.enter, "Link isp1");
  // The other WAN is proposed for the second link.
  await r.press(KEYS.enter, (s) => s.includes("Link isp2") && s.includes("› pppoe-out2"));
  await r.press(KEYS.enter, "your ASN:");
  await r.press(KEYS.ctrlU, /your ASN: *$/m);
  await typeText(r, "64513");
  await r.press(KEYS.enter, "networks to announce:");
  if (options.remiNetworks !== undefined) {
    await r.press(KEYS.ctrlU, /networks to announce: *$/m);
    await typeText(r, options.remiNetworks);
  }
  await r.press(KEYS.enter, "› No read-only account");
  const plan = await r.press(KEYS.enter, /\d+ changes on home/, 20_000);
  const answer = bundleOnScreen(await r.press("a", /\d+ characters, answer for alice/, 20_000));
  await r.press(KEYS.enter, "Your side of alice-remi is applied");

  await a.press(KEYS.enter, "waiting for remi's answer");
  await a.press(KEYS.enter, "Friends (0)");
  await a.press("c", "answer:");
  const answerSummary = await pasteBundle(a, answer.text, "Answer from remi");
  await a.press(KEYS.enter, /\d+ changes on home/, 20_000);
  await a.press("a", "Peering alice-remi with remi is complete", 20_000);
  const home = await a.press(KEYS.enter, "Friends (1)");
  await r.press(KEYS.enter, "Friends (1)");
  return { offer, answer, offerSummary, plan, answerSummary, home };
}
