// Every wizard screen, drawn at 80×24 with ink-testing-library, against lab routers through the
// real protocol: the happy path and its error states.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup } from "ink-testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeOffer } from "../../src/flows/wizard.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { Lab } from "../../src/lab/lab.js";
import type { Services } from "../../src/ui/services.js";
import { labServices } from "./lab-services.js";
import { openScreens } from "./open-screens.js";

const SIZE = { columns: 80, rows: 24 };
const KEY = { enter: "\r", escape: "\u001B", down: "\u001B[B", up: "\u001B[A", space: " ", ctrlU: "\u0015", ctrlV: "\u0016", pageDown: "\u001B[6~", home: "\u001B[H", end: "\u001B[F" } as const;

// A fresh lab for each test: what one test leaves on a router never meets the next.
let lab: Lab;
beforeEach(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
});
afterEach(async () => {
  cleanup();
  await lab.stop();
});

const open = (services: Services) => openScreens(services, SIZE);

/** Every line within 80 columns and the frame within 23 rows. */
function fits(frame: string): void {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(SIZE.rows - 1);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(SIZE.columns);
}

async function connection(router: string) {
  const info = lab.info().routers.find((r) => r.name === router)!;
  const target = { host: info.host, port: info.port, user: info.user, password: info.password, tls: false, knownFingerprint: null };
  return routerOs.connect(target, router);
}

/** An offer from alice made through the flow, as her New peering screen would. */
async function offerFromAlice(alice: Services) {
  const router = await connection("alice");
  try {
    return await makeOffer(router, alice.workspace, {
      me: "alice",
      friend: "remi",
      asn: 64514,
      networks: ["192.168.0.0/24"],
      links: [
        { name: "isp1", kind: "wireguard", iface: "vlan832-orange-internet" },
        { name: "isp2", kind: "wireguard", iface: "sfp-wan-sfr" },
      ],
      primary: "isp1",
    });
  } finally {
    await router.close();
  }
}

/** S1 set up through the wizard's own flows, as the screens run them, on both lab routers. */
async function peerThroughFlows(alice: Services, remi: Services): Promise<void> {
  const made = await offerFromAlice(alice);
  const { openOffer, prepareAccept, applyPrepared, finishAccept, openAnswer, prepareComplete, finishComplete } = await import("../../src/flows/wizard.js");
  const r = await connection("remi");
  const opened = openOffer(made.bundle.text, remi.workspace, "remi");
  const prepared = await prepareAccept(r, remi.workspace, opened, { asn: 64513, networks: ["192.168.42.0/24"], wans: { isp1: "pppoe-out1", isp2: "pppoe-out2" } });
  await applyPrepared(r, prepared);
  const accepted = finishAccept(remi.workspace, opened, prepared);
  await r.close();
  const a = await connection("alice");
  const answer = openAnswer(accepted.answer.text, alice.workspace, "alice");
  await applyPrepared(a, await prepareComplete(a, alice.workspace, answer, "alice"));
  finishComplete(alice.workspace, answer);
  await a.close();
}

describe("Add router", () => {
  it("connects, shows what discovery found, and saves the profile", async () => {
    const services = labServices(lab, "alice", "alice");
    const info = lab.info().routers.find((r) => r.name === "alice")!;
    const ui = open(services);
    await ui.press("r", "router name:");
    await ui.type("hap");
    await ui.press(KEY.enter, "address:");
    await ui.type(`${info.host}:${info.port}`);
    await ui.press(KEY.enter, "API-SSL");
    await ui.press(KEY.down, "› API ");
    await ui.press(KEY.enter, "user: admin");
    await ui.press(KEY.enter, "password:");
    await ui.type(info.password, "•".repeat(info.password.length));
    // The password is never drawn.
    expect(ui.frame()).not.toContain(info.password);
    expect(ui.frame()).toContain("•".repeat(info.password.length));
    const found = await ui.press(KEY.enter, "WAN candidates:");
    expect(found).toContain("RouterOS 7.24");
    expect(found).toContain("vlan832-orange-internet");
    fits(found);
    await ui.press(KEY.enter, "Saved router hap");
    expect(services.saved.map((s) => s.profile)).toEqual([{ name: "hap", host: info.host, port: info.port, tls: false, user: "admin" }]);
  });

  it("says so when the password is wrong, and goes back to it", async () => {
    const services = labServices(lab, "alice", "alice");
    const info = lab.info().routers.find((r) => r.name === "alice")!;
    const ui = open(services);
    await ui.press("r", "router name:");
    await ui.type("hap");
    await ui.press(KEY.enter, "address:");
    await ui.type(`${info.host}:${info.port}`);
    await ui.press(KEY.enter, "API-SSL");
    await ui.press(KEY.down, "› API ");
    await ui.press(KEY.enter, "user: admin");
    await ui.press(KEY.enter, "password:");
    await ui.type("wrong-password", "•".repeat("wrong-password".length));
    // (Waiting for the mark: the password screen itself already says "password".)
    const error = await ui.press(KEY.enter, /✗/);
    expect(error).toMatch(/password|credentials/i);
    expect(error).not.toContain("wrong-password");
    await ui.press(KEY.escape, "password:");
    expect(services.saved).toEqual([]);
  });

  it("refuses a name already taken and an address that is not one", async () => {
    const services = labServices(lab, "alice", "alice");
    const ui = open(services);
    await ui.press("r", "router name:");
    await ui.type("home");
    await ui.press(KEY.enter, "home exists already");
    await ui.press(KEY.ctrlU, /router name: *$/m);
    await ui.type("hap");
    await ui.press(KEY.enter, "address:");
    await ui.type("not an address");
    await ui.press(KEY.enter, "a host name or IPv4 address");
    expect(services.saved).toEqual([]);
  });
});

describe("New peering", () => {
  it("walks from the router to the offer, which is signed and shows its fingerprint", async () => {
    const services = labServices(lab, "alice", null);
    const ui = open(services);
    await ui.press("n", "your name:");
    await ui.type("alice");
    await ui.press(KEY.enter, "friend's name:");
    await ui.type("alice");
    await ui.press(KEY.enter, "that is your own name");
    await ui.press(KEY.ctrlU, /friend's name: *$/m);
    await ui.type("remi");
    await ui.press(KEY.enter, "› WireGuard");
    await ui.press(KEY.enter, "[ ] vlan832");
    // Nothing marked: enter says what to do.
    await ui.press(KEY.enter, "mark at least 1 with space");
    await ui.press(KEY.space, "[x] vlan832");
    await ui.press(KEY.enter, "your ASN:");
    await ui.press(KEY.ctrlU, /your ASN: *$/m);
    await ui.type("100");
    await ui.press(KEY.enter, /private|64512/);
    await ui.press(KEY.ctrlU, /your ASN: *$/m);
    await ui.type("64514");
    await ui.press(KEY.enter, "networks to announce: 192.168.0.0/24");
    await ui.press(KEY.enter, "› No read-only account");
    const offer = await ui.press(KEY.enter, /Fingerprint [2-9A-Z]{4}-/, 15_000);
    fits(offer);
    expect(offer).toMatch(/^bgpals1:/m);
    // The interfaces exist on alice's router now, with router-made keys.
    expect(lab.router("alice").exportConfig()).toContain("wg-remi-isp1");
    await ui.press("s", "saved to");
    const saved = readFileSync(join(services.outputDir, "offer-for-remi.txt"), "utf8").trim();
    expect(saved).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);
    await ui.press("c", "copied");
    expect(services.clipboard.paste?.()).toBe(saved);
    await ui.press("g", /QR code needs a terminal of \d+×\d+/);
    await ui.press(KEY.escape, "Fingerprint");
    await ui.press("?", "Help: New peering");
    await ui.press(KEY.escape, "Fingerprint");
    await ui.press(KEY.enter, "waiting for remi's answer");
    await ui.press(KEY.enter, "Friends (0)");
    expect(existsSync(join(services.workspace.home, "pending", "remi.json"))).toBe(true);
  });
});

describe("New peering on a WAN behind CGNAT", () => {
  it("asks for the endpoint, saying why the WAN's own address will not do", async () => {
    const services = labServices(lab, "remi", null);
    const ui = open(services);
    // One router: no picker.
    await ui.press("n", "your name:");
    await ui.type("remi");
    await ui.press(KEY.enter, "friend's name:");
    await ui.type("alice");
    await ui.press(KEY.enter, "› WireGuard");
    await ui.press(KEY.enter, "[ ] pppoe-out2");
    await ui.press(KEY.down, /› \[ \] pppoe-out2/);
    await ui.press(KEY.space, "[x] pppoe-out2");
    const asked = await ui.press(KEY.enter, "address or DNS name of pppoe-out2");
    fits(asked);
    expect(asked.replace(/\s+/g, " ")).toContain("pppoe-out2's address 100.64.7.9 is in CGNAT (carrier-grade NAT) shared space (100.64.0.0/10)");
    await ui.type("vpn.remi.example");
    await ui.press(KEY.enter, "your ASN:");
  });
});

describe("Accept offer and Complete", () => {
  it("refuses a tampered offer with nothing written, then accepts the real one; complete ends the peering", async () => {
    const alice = labServices(lab, "alice", "alice");
    const remi = labServices(lab, "remi", "remi");
    const made = await offerFromAlice(alice);
    const before = lab.router("remi").exportConfig();

    const ui = open(remi);
    await ui.press("a", "offer:");
    const text = made.bundle.text;
    const tampered = text.slice(0, 100) + (text[100] === "A" ? "B" : "A") + text.slice(101);
    await ui.type(tampered);
    const refused = await ui.press(KEY.enter, "offer refused, nothing written");
    fits(refused);
    expect(lab.router("remi").exportConfig()).toBe(before);
    await ui.press(KEY.escape, "offer:");
    await ui.press(KEY.ctrlU, /offer: *$/m);
    await ui.type(text);
    const summary = await ui.press(KEY.enter, "Offer from alice");
    expect(summary).toContain(`Fingerprint ${made.bundle.fingerprint}`);
    fits(summary);
    await ui.press(KEY.enter, "Link isp1");
    // The other WAN is proposed for the second link.
    await ui.press(KEY.enter, /Link isp2[\s\S]*› pppoe-out2/);
    await ui.press(KEY.enter, "your ASN:");
    await ui.press(KEY.ctrlU, /your ASN: *$/m);
    await ui.type("64514");
    await ui.press(KEY.enter, "alice uses AS64514");
    await ui.press(KEY.ctrlU, /your ASN: *$/m);
    await ui.type("64513");
    await ui.press(KEY.enter, "networks to announce:");
    await ui.press(KEY.enter, "› No read-only account");
    const plan = await ui.press(KEY.enter, /\d+ changes on home/, 15_000);
    fits(plan);
    expect(plan).toMatch(/\+\d+ add/);
    await ui.press("e", "saved the plan as");
    const script = readFileSync(join(remi.outputDir, "alice-remi-remi.rsc"), "utf8");
    expect(script).toContain("/interface wireguard peers add");
    // Scrolling moves the window through the changes.
    const top = ui.frame();
    await ui.press(KEY.down, /↑ 1 more/);
    expect(ui.frame()).not.toBe(top);
    const answer = await ui.press("a", /\d+ characters, answer for alice/, 15_000);
    fits(answer);
    await ui.press("c", "copied");
    const answerText = remi.clipboard.paste?.()!;
    await ui.press(KEY.enter, "Your side of alice-remi is applied");
    await ui.press(KEY.enter, /alice\s+alice-remi/);

    // Alice completes with the answer: a replayed answer is refused afterwards.
    const aui = open(alice);
    await aui.press("c", "answer:");
    await aui.type(answerText);
    const answerSummary = await aui.press(KEY.enter, "Answer from remi");
    fits(answerSummary);
    await aui.press(KEY.enter, /\d+ changes on home/, 15_000);
    await aui.press("a", "Peering alice-remi with remi is complete", 15_000);
    await aui.press(KEY.enter, /remi\s+alice-remi/);
    await aui.press("c", "answer:");
    await aui.type(answerText);
    await aui.press(KEY.enter, /answer refused, nothing written|no offer to remi is waiting/);
  });

  it("undoes everything when the apply fails half way, and says so", async () => {
    const alice = labServices(lab, "alice", "alice");
    const remi = labServices(lab, "remi", "remi");
    const made = await offerFromAlice(alice);
    const before = lab.router("remi").exportConfig();
    const ui = open(remi);
    await ui.press("a", "offer:");
    await ui.type(made.bundle.text);
    await ui.press(KEY.enter, "Offer from alice");
    await ui.press(KEY.enter, "Link isp1");
    await ui.press(KEY.enter, "Link isp2");
    await ui.press(KEY.enter, "your ASN:");
    await ui.press(KEY.enter, "networks to announce:");
    await ui.press(KEY.enter, "› No read-only account");
    await ui.press(KEY.enter, /\d+ changes on home/, 15_000);
    lab.router("remi").failWrite(7, "trap");
    // The error panel comes once the apply undid itself and the prepared interfaces went.
    const failed = await ui.press("a", "esc/enter dismiss", 15_000);
    expect(failed).toMatch(/undone|undid|nothing/i);
    fits(failed);
    expect(lab.router("remi").exportConfig()).toBe(before);
    await ui.press(KEY.escape, "› No read-only account");
  });

  it("the offer's and the answer's fields offer ctrl+v only where the app holds what was copied (the demo)", async () => {
    const alice = labServices(lab, "alice", "alice");
    const made = await offerFromAlice(alice);
    const hints = (frame: string) => frame.split("\n").filter((line) => line.startsWith("enter next")).join("\n");
    // A clipboard that pastes (the demo's): the hint, and ctrl+v puts the copy in the field.
    alice.clipboard.copy(made.bundle.text);
    const demo = open(alice);
    expect(hints(await demo.press("c", "answer:"))).toMatch(/^enter next {2}ctrl\+v paste what was copied {2}ctrl\+u clear/);
    expect(await demo.press(KEY.ctrlV, /answer: …\S+/)).toContain(made.bundle.text.slice(-20));
    cleanup();
    // A real run's (no paste): neither field says ctrl+v, and it types nothing.
    const real: Services = { ...alice, clipboard: { copy: () => undefined } };
    for (const [key, field] of [
      ["c", "answer:"],
      ["a", "offer:"],
    ] as const) {
      const ui = open(real);
      const shown = await ui.press(key, field);
      expect(hints(shown)).toMatch(/^enter next {2}ctrl\+u clear/);
      expect(shown).not.toContain("ctrl+v");
      await ui.press(KEY.ctrlV, field);
      // Typed after it, "x" is all the field holds.
      await ui.press("x", new RegExp(`^${field} x *$`, "m"));
      cleanup();
    }
  });

  it("Complete says where to go when this computer never made an offer", async () => {
    const services = labServices(lab, "alice", null);
    const ui = open(services);
    const shown = await ui.press("c", "No identity here yet");
    expect(shown).toMatch(/complete runs where the offer was made \(n on Home makes\s+one\)/);
    // Nothing was made on the way: still no identity.
    expect(existsSync(join(services.workspace.home, "identity.json"))).toBe(false);
  });
});

describe("Remove peering", () => {
  it("reviews exactly the peering's objects, removes them, and forgets the friend", async () => {
    const alice = labServices(lab, "alice", "alice");
    const remi = labServices(lab, "remi", "remi");
    const beforeAlice = lab.router("alice").exportConfig();
    await peerThroughFlows(alice, remi);

    const ui = open(alice);
    await ui.shows("Friends (1)");
    await ui.press(KEY.down, "› remi");
    const plan = await ui.press("x", /\d+ changes on home/, 15_000);
    expect(plan).toMatch(/-\d+ remove/);
    // Each removal says which object it is, not only the router's id.
    expect(plan).toMatch(/^\s+- \S+ \(\*[0-9A-F]+\)$/m);
    expect(plan).not.toMatch(/^\s+- \*[0-9A-F]+$/m);
    expect(plan).not.toMatch(/\+[1-9]\d* add/);
    fits(plan);
    await ui.press("a", "Removed alice-remi", 15_000);
    await ui.press(KEY.enter, "Friends (0)");
    expect(lab.router("alice").exportConfig()).toBe(beforeAlice);
    expect(existsSync(join(alice.workspace.peersDir, "remi.json"))).toBe(false);
  });

  it("asks for a friend to be selected first", async () => {
    const before = lab.router("alice").exportConfig();
    const ui = open(labServices(lab, "alice", "alice"));
    const shown = await ui.press("x", "Select a friend first");
    expect(shown).toContain("then press x to remove that peering");
    expect(lab.router("alice").exportConfig()).toBe(before);
  });
});

describe("Router", () => {
  it("shows what discovery finds", async () => {
    const ui = open(labServices(lab, "remi", "remi"));
    const shown = await ui.press(KEY.enter, "WAN candidates:");
    expect(shown).toContain("RouterOS 7.19.6");
    expect(shown).toContain("pppoe-out1");
    fits(shown);
  });
});

describe("Monitor", () => {
  it("shows links, sessions and the friend's prefix live; p predicts, applies and shows the move", async () => {
    const alice = labServices(lab, "alice", "alice");
    const remi = labServices(lab, "remi", "remi");
    await peerThroughFlows(alice, remi);
    const ticker = setInterval(() => lab.tick(), 50);
    try {
      const ui = open(alice);
      await ui.shows("Friends (1)");
      await ui.press(KEY.down, "› remi");
      const live = await ui.press(KEY.enter, /isp1\s+primary\s+● up\s+established/, 15_000);
      fits(live);
      expect(live).toMatch(/isp2\s+backup\s+● up\s+established/);
      await ui.shows(/192\.168\.42\.0\/24\s+✓\s+isp1\s+172\.16\.0\.2/, 15_000);
      await ui.shows(/2 routes, 1 active/, 15_000);
      // The route view's keys: end and home, and a filter typed in one burst (all of it arrives).
      await ui.press(KEY.end, /› 192\.168\.42\.0\/24\s+isp2/);
      await ui.press(KEY.home, /› 192\.168\.42\.0\/24\s+✓\s+isp1/);
      await ui.press(KEY.pageDown, /› 192\.168\.42\.0\/24\s+isp2/);
      await ui.press("/isp2", /filter \/isp2▏: 1 match/);
      await ui.press(KEY.escape, /^2 routes, 1 active$/m);
      // p: the prediction first, nothing written until enter.
      const before = lab.router("alice").exportConfig();
      const predicted = await ui.press("p", "swap primary?", 15_000);
      expect(predicted).toMatch(/isp1 → isp2/);
      // The exact changes too, one line each, within the screen.
      expect(predicted).toMatch(/changes on home: \d+/);
      expect(predicted).toMatch(/^ {2}~ in-isp1\S*: rule=/m);
      // A change longer than a line goes on under its name, never from the edge or a stray space.
      expect(predicted).toMatch(/^ {4}\S/m);
      expect(predicted).not.toMatch(/^ (?! )/m);
      fits(predicted);
      expect(lab.router("alice").exportConfig()).toBe(before);
      // The prefer request for remi covers the monitor once the swap is done (copied too); esc goes back.
      const request = await ui.press(KEY.enter, /\d+ characters, prefer request for remi/, 45_000);
      expect(request.split("\n").map((l) => l.trim()).join("")).toContain(remi.clipboard.paste?.() ?? alice.clipboard.paste?.() ?? "no copy");
      await ui.press(KEY.escape, /isp2 is primary/);
      expect(ui.frame()).toMatch(/observed: 192\.168\.42\.0\/24 now via isp2/);
      expect(remi.clipboard.paste?.() ?? alice.clipboard.paste?.()).toMatch(/^bgpals1:/);
      const saved = JSON.parse(readFileSync(join(alice.workspace.peersDir, "remi.json"), "utf8"));
      expect(saved.policy.primary).toBe("isp2");
      // w: why the selected prefix was accepted.
      const why = await ui.press("w", "Why 192.168.42.0/24?", 15_000);
      expect(why).toMatch(/accept/i);
      await ui.press(KEY.escape, /isp2\s+primary/);
    } finally {
      clearInterval(ticker);
    }
  }, 90_000);
});
