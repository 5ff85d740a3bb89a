// Issue 15: every field of the offer and accept wizards is checked when it is typed (on enter),
// against what both routers' facts say at that point, and says there what would be valid; nothing
// reaches the lab router before all fields pass.
import { cleanup } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { makeOffer } from "../../src/flows/wizard.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { Lab } from "../../src/lab/lab.js";
import type { Services } from "../../src/ui/services.js";
import { labServices } from "./lab-services.js";
import { openScreens } from "./open-screens.js";

const SIZE = { columns: 80, rows: 24 };
const KEY = { enter: "\r", escape: "\u001B", down: "\u001B[B", space: " ", ctrlU: "\u0015" } as const;

let lab: Lab | undefined;
afterEach(async () => {
  cleanup();
  await lab?.stop();
  lab = undefined;
});

async function startLab(routers: string[]): Promise<Lab> {
  lab = await Lab.start({ routers, tickMs: 0, tls: false, ssh: false });
  return lab;
}

function open(services: Services) {
  const { app, frame, shows, press, type } = openScreens(services, SIZE);
  /** Clears the networks field, types `networks`, presses enter and waits for `want`. */
  const networks = async (text: string, want: string | RegExp) => {
    await press(KEY.ctrlU, /networks to announce: *$/m);
    await type(text);
    return press(KEY.enter, want);
  };
  return { app, frame, shows, press, type, networks };
}

/** The frame without its line breaks: a long problem wraps anywhere. */
const flat = (frame: string) => frame.replace(/\s+/g, " ");

describe("New peering: the networks field", () => {
  it("refuses 0.0.0.0/0 (alone and beside a LAN) and a network holding the WAN address, on the field, writing nothing", async () => {
    const l = await startLab(["alice", "remi"]);
    const before = l.router("alice").exportConfig();
    const ui = open(labServices(l, "alice", "alice"));
    await ui.press("n", "friend's name:");
    await ui.type("remi");
    await ui.press(KEY.enter, "› WireGuard");
    await ui.press(KEY.enter, "[ ] vlan832");
    await ui.press(KEY.space, "[x] vlan832");
    await ui.press(KEY.enter, "your ASN:");
    await ui.press(KEY.enter, "networks to announce: 192.168.0.0/24");

    let shown = flat(await ui.networks("0.0.0.0/0", /default\s+route/));
    expect(shown).toContain("0.0.0.0/0 is a default route");
    expect(shown).toContain("announce your LANs only");
    expect(ui.frame()).toContain("networks to announce:");

    shown = flat(await ui.networks("192.168.0.0/24, 0.0.0.0/0", /default\s+route/));
    expect(shown).toContain("0.0.0.0/0 is a default route");

    shown = flat(await ui.networks("203.0.113.0/24", /WAN\s+address/));
    expect(shown).toContain("203.0.113.0/24 holds your WAN address 203.0.113.10 (vlan832-orange-internet)");
    expect(shown).toContain("not your WAN");

    expect(l.router("alice").exportConfig()).toBe(before);
    // A valid value goes on.
    await ui.networks("192.168.0.0/24", "› No read-only account");
    expect(l.router("alice").exportConfig()).toBe(before);
  });
});

describe("New peering: the link kind", () => {
  it("does not offer WireGuard to a RouterOS 6 router, saying why", async () => {
    const l = await startLab(["carol", "remi"]);
    const before = l.router("carol").exportConfig();
    const ui = open(labServices(l, "carol", "carol"));
    await ui.press("n", "friend's name:");
    await ui.type("remi");
    const drawn = await ui.press(KEY.enter, "› OpenVPN");
    // The reason takes rows of its own: the step still fits 80×24.
    expect(drawn.split("\n").length).toBeLessThanOrEqual(SIZE.rows - 1);
    const kind = flat(drawn);
    expect(kind).toMatch(/WireGuard is not offered: .*RouterOS/);
    expect(kind).not.toContain("› WireGuard");
    await ui.press(KEY.enter, "[ ] pppoe-out1");
    expect(l.router("carol").exportConfig()).toBe(before);
  });
});

describe("Accept offer: the networks field", () => {
  it("refuses my networks overlapping the offer's as soon as I type them, writing nothing", async () => {
    const l = await startLab(["alice", "remi"]);
    const alice = labServices(l, "alice", "alice");
    const remi = labServices(l, "remi", "remi");
    const info = l.info().routers.find((r) => r.name === "alice")!;
    const router = await routerOs.connect({ host: info.host, port: info.port, user: info.user, password: info.password, tls: false, knownFingerprint: null }, "alice");
    const made = await makeOffer(router, alice.workspace, { me: "alice", friend: "remi", asn: 64514, networks: ["192.168.0.0/24"], links: [{ name: "isp1", kind: "wireguard", iface: "vlan832-orange-internet" }], primary: "isp1" }).finally(() => router.close());
    const before = l.router("remi").exportConfig();

    const ui = open(remi);
    await ui.press("a", "offer:");
    await ui.type(made.bundle.text);
    await ui.press(KEY.enter, "Offer from alice");
    await ui.press(KEY.enter, "Link isp1");
    await ui.press(KEY.enter, "your ASN:");
    await ui.press(KEY.ctrlU, /your ASN: *$/m);
    await ui.type("64513");
    await ui.press(KEY.enter, "networks to announce:");

    const shown = flat(await ui.networks("192.168.0.0/16", /overlaps/));
    expect(shown).toContain("192.168.0.0/16 overlaps alice's 192.168.0.0/24");
    expect(shown).toContain("announce a network outside 192.168.0.0/24");
    const wide = flat(await ui.networks("0.0.0.0/0", /default\s+route/));
    expect(wide).toContain("0.0.0.0/0 is a default route");
    expect(l.router("remi").exportConfig()).toBe(before);
    await ui.networks("192.168.42.0/24", "› No read-only account");
    expect(l.router("remi").exportConfig()).toBe(before);
  });
});

describe("Accept offer: a link kind the router does not run", () => {
  it("refuses a WireGuard link on a RouterOS 6 router at that link's step, saying what would do, writing nothing", async () => {
    const l = await startLab(["alice", "carol"]);
    const alice = labServices(l, "alice", "alice");
    const carol = labServices(l, "carol", "carol");
    const info = l.info().routers.find((r) => r.name === "alice")!;
    const router = await routerOs.connect({ host: info.host, port: info.port, user: info.user, password: info.password, tls: false, knownFingerprint: null }, "alice");
    const made = await makeOffer(router, alice.workspace, { me: "alice", friend: "carol", asn: 64514, networks: ["192.168.0.0/24"], links: [{ name: "isp1", kind: "wireguard", iface: "vlan832-orange-internet" }], primary: "isp1" }).finally(() => router.close());
    const before = l.router("carol").exportConfig();

    const ui = open(carol);
    await ui.press("a", "offer:");
    await ui.type(made.bundle.text);
    await ui.press(KEY.enter, "Offer from alice");
    const refused = flat(await ui.press(KEY.enter, /cannot\s+run\s+here/));
    expect(refused).toMatch(/✗ Link isp1 cannot run here: .*link isp1 uses WireGuard but carol runs RouterOS 6\.49\.10, which has no WireGuard/);
    expect(refused).toContain("OpenVPN works with RouterOS 6");
    expect(refused).not.toContain("which of your WANs");
    // Enter does not go on (esc goes back).
    await ui.press(KEY.enter, /cannot\s+run\s+here/);
    expect(ui.frame()).not.toContain("your ASN");
    expect(l.router("carol").exportConfig()).toBe(before);
  });
});
