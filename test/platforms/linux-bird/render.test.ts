import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { linuxBird } from "../../../src/platforms/linux-bird/index.js";
import type { HostState } from "../../../src/platforms/linux-bird/host-state.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { desiredOf, planApply, planRemove } from "../../../src/platforms/linux-bird/plan.js";
import { runFilter } from "../../../src/platforms/linux-bird/render/filters.js";
import { policyViolations, runProbes } from "../../../src/platforms/linux-bird/render/probes.js";
import { LinuxRenderError, renderLinux } from "../../../src/platforms/linux-bird/render/render.js";
import { linuxText, MASK } from "../../../src/platforms/linux-bird/render/text.js";
import { mustParse } from "../../helpers.js";
import { birdParse, fileOf, linuxExample, linuxExampleJson, nftCheck, nftLoad } from "./helpers.js";

const goldenDir = new URL("../../golden/", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";

// Every Linux side of the examples: [example, side, golden file].
const LINUX_SIDES = [
  ["linux", "alice", "s1-alice-linux-2.x.txt"],
  ["linux", "remi", "s1-remi-linux-2.0.12.txt"],
  ["mixed", "remi", null],
] as const;

describe("golden Linux renders", () => {
  for (const [scenario, side, golden] of LINUX_SIDES) {
    if (golden === null) continue;
    it(`${scenario} ${side}`, () => {
      const text = linuxText(renderLinux(linuxExample(scenario), side));
      const file = new URL(golden, goldenDir);
      if (update || !existsSync(file)) {
        writeFileSync(file, text);
        if (!update) throw new Error(`golden ${file.pathname} was missing and has been written: review it and run again`);
      }
      expect(text).toBe(readFileSync(file, "utf8"));
    });
  }
});

describe("the BIRD filters mean what RouterOS's do", () => {
  const p = linuxExample("linux");
  const out = renderLinux(p, "alice");
  const filter = (direction: "in" | "out", link: string) => out.filters.find((f) => f.direction === direction && f.link === link)!;

  it("keep every promise of the policy, on both sides of every example", () => {
    for (const [scenario, side] of LINUX_SIDES) {
      const peering = linuxExample(scenario);
      const results = runProbes(peering, renderLinux(peering, side));
      expect(results.length).toBeGreaterThan(20);
      expect(results.filter((r) => !r.ok).map((r) => `${r.link} ${r.direction} ${r.dst}`)).toEqual([]);
    }
  });

  it("take the friend's allowed prefixes with local-pref 200 on the primary link and 100 on the backup", () => {
    expect(runFilter(filter("in", "isp1"), "192.168.42.0/24")).toMatchObject({ action: "accept", changes: { localPref: 200 } });
    expect(runFilter(filter("in", "isp2"), "192.168.42.0/24")).toMatchObject({ action: "accept", changes: { localPref: 100 } });
    // remi may announce 192.168.42.0/23 up to /32.
    expect(runFilter(filter("in", "isp1"), "192.168.43.128/25").action).toBe("accept");
  });

  it("refuse a default route, our own space, a tunnel subnet, public space and a prefix wider than allowed", () => {
    for (const dst of ["0.0.0.0/0", "192.168.0.0/24", "192.168.1.0/25", "172.16.11.0/30", "8.8.8.0/24", "192.168.0.0/16", "10.1.0.0/16"]) {
      expect(runFilter(filter("in", "isp1"), dst).action, dst).toBe("reject");
    }
  });

  it("refuse a prefix longer than the friend's maxLength", () => {
    const json = linuxExampleJson("linux");
    json.sides.remi.allowed = [{ prefix: "192.168.42.0/23", maxLength: 24 }];
    const narrow = renderLinux(mustParse(json), "alice").filters.find((f) => f.direction === "in" && f.link === "isp1")!;
    expect(runFilter(narrow, "192.168.42.0/24").action).toBe("accept");
    expect(runFilter(narrow, "192.168.42.0/25").action).toBe("reject");
  });

  it("announce only our networks, with our AS prepended on the backup link only", () => {
    expect(runFilter(filter("out", "isp1"), "192.168.0.0/24")).toMatchObject({ action: "accept", changes: {} });
    expect(runFilter(filter("out", "isp2"), "192.168.0.0/24")).toMatchObject({ action: "accept", changes: { prepend: 3 } });
    for (const dst of ["192.168.42.0/24", "0.0.0.0/0", "192.168.0.0/25", "192.168.0.0/23"]) expect(runFilter(filter("out", "isp2"), dst).action, dst).toBe("reject");
    const include = fileOf(out, linuxNames.birdInclude(p));
    // BIRD adds our AS once itself: three more make it appear four times, as RouterOS's prepend 3 does.
    expect(include).toContain("bgp_path.prepend(64514); bgp_path.prepend(64514); bgp_path.prepend(64514); accept;");
  });

  it("would notice filters that break a promise", () => {
    const broken = structuredClone(out);
    const input = broken.filters.find((f) => f.direction === "in" && f.link === "isp2")!;
    input.rules.find((r) => r.match?.kind === "default")!.action = "accept";
    input.rules.forEach((r) => r.set?.localPref !== undefined && (r.set.localPref = 200));
    const violations = policyViolations(p, broken);
    expect(violations).toEqual(expect.arrayContaining([expect.stringMatching(/isp2: the default route \(0\.0\.0\.0\/0\) should be reject/), expect.stringMatching(/isp2: .*should be accept local-pref 100, the rendered rules give accept local-pref 200/)]));
  });
});

describe("what BIRD and nftables make of the render", () => {
  it("BIRD 2 parses every side's include file", () => {
    for (const [scenario, side] of LINUX_SIDES) {
      const p = linuxExample(scenario);
      const r = birdParse(fileOf(renderLinux(p, side), linuxNames.birdInclude(p)));
      expect(r.output).toBe("");
      expect(r.code, `${scenario} ${side}`).toBe(0);
    }
  });

  it("BIRD parses names shortened to fit, exact-length allowances and several networks", () => {
    const json = linuxExampleJson("linux");
    const long = (side: string) => `${side}${"x".repeat(31 - side.length)}`;
    // A name may start with a digit, which nft and BIRD would read as a number.
    json.name = `1${"p".repeat(30)}`;
    json.sides = { [long("alice")]: json.sides.alice, [long("remi")]: json.sides.remi };
    json.sides[long("alice")].networks = ["192.168.0.0/24", "192.168.1.0/24"];
    json.sides[long("remi")].allowed = [{ prefix: "192.168.42.0/24", maxLength: 24 }, { prefix: "192.168.43.0/24", maxLength: 28 }];
    json.links = json.links.map((l: any) => ({
      ...l,
      name: `${l.name}${"y".repeat(27)}`,
      wan: { [long("alice")]: l.wan.alice, [long("remi")]: l.wan.remi },
      address: { [long("alice")]: l.address.alice, [long("remi")]: l.address.remi },
      publicKey: { [long("alice")]: l.publicKey.alice, [long("remi")]: l.publicKey.remi },
      listener: long("alice"),
    }));
    json.policy.primary = json.links[0].name;
    const p = mustParse(json);
    const out = renderLinux(p, long("alice"));
    const include = fileOf(out, linuxNames.birdInclude(p));
    expect(include).toContain("192.168.42.0/24 ]");
    expect(include).toContain("192.168.43.0/24{24,28}");
    expect(birdParse(include)).toEqual({ code: 0, output: "" });
    expect(nftCheck(fileOf(out, linuxNames.nftablesFile(p)))).toEqual({ code: 0, output: "" });
    for (const name of out.files.filter((f) => f.path.startsWith("/etc/wireguard/")).map((f) => f.path.split("/").pop()!.replace(/\.conf$/, ""))) expect(name.length).toBeLessThanOrEqual(15);
  });

  it("BIRD and nft would notice a broken file", () => {
    expect(birdParse("protocol bgp x { local as; }").code).not.toBe(0);
    expect(nftCheck("table inet bgpals { chain x { iifname \"a\" tcp dport 179 acept } }").code).not.toBe(0);
  });

  it("nftables takes every side's rules, and loading them twice keeps one copy", () => {
    for (const [scenario, side] of LINUX_SIDES) {
      const p = linuxExample(scenario);
      const rules = fileOf(renderLinux(p, side), linuxNames.nftablesFile(p));
      expect(nftCheck(rules), `${scenario} ${side}`).toEqual({ code: 0, output: "" });
      const once = nftLoad(rules, 1);
      const twice = nftLoad(rules, 2);
      expect(twice.code, twice.output).toBe(0);
      expect(twice.output).toBe(once.output);
      expect(twice.output.match(/tcp dport 179 accept/g)).toHaveLength(p.links.length);
    }
  });
});

describe("the host's files and commands", () => {
  const p = linuxExample("linux");

  it("never carries a private key: the host makes it, mode 0600, and WireGuard reads it from its file", () => {
    const out = renderLinux(p, "alice");
    const conf = fileOf(out, "/etc/wireguard/wg-remi-isp1.conf");
    expect(conf).not.toMatch(/PrivateKey/);
    expect(conf).toContain("PostUp = wg set %i private-key /etc/wireguard/wg-remi-isp1.key");
    expect(conf).toContain("Table = off");
    const runs = out.commands.map((c) => c.run);
    expect(runs).toContain("umask 077 && test -s /etc/wireguard/wg-remi-isp1.key || wg genkey > /etc/wireguard/wg-remi-isp1.key");
    expect(runs).toContain("ip link show dev wg-remi-isp1 >/dev/null 2>&1 || WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go wg-remi-isp1");
    // The listener's socket marks what it sends with the link's table (its answers leave by isp1's WAN).
    expect(runs).toContain(`wg set wg-remi-isp1 private-key /etc/wireguard/wg-remi-isp1.key listen-port 13231 fwmark 0x${out.tables.isp1!.toString(16)} peer 44+hckrGtphb/z+G/A7ITfaINceKm0pISbEtqeVf5G8= allowed-ips 172.16.10.2/32,192.168.42.0/23`);
    expect(conf).toContain(`FwMark = 0x${out.tables.isp1!.toString(16)}`);
    expect(runs).toContain("ip address replace 172.16.10.1/30 dev wg-remi-isp1");
    expect(runs).toContain("ip link set dev wg-remi-isp1 mtu 1420 up");
  });

  it("pins the initiator's tunnels to their WANs by a table each that BIRD keeps, through the gateway when there is one", () => {
    const out = renderLinux(p, "remi");
    const runs = out.commands.map((c) => c.run);
    const include = fileOf(out, linuxNames.birdInclude(p));
    const wanOf = (link: string) => p.sides.remi!.wans[p.links.find((l) => l.name === link)!.wan.remi!]!.interface;
    expect(new Set(Object.values(out.tables)).size).toBe(p.links.length);
    const gateway = p.links.find((l) => wanOf(l.name) === "enp2s0")!.name;
    const ppp = p.links.find((l) => wanOf(l.name) === "ppp0")!.name;
    expect(runs).toContain(`ip rule del to 198.51.100.20/32 lookup ${out.tables[gateway]} 2>/dev/null; ip rule add to 198.51.100.20/32 lookup ${out.tables[gateway]}`);
    const named = `"$(getent ahostsv4 'vpn.alice.example' | awk 'NR==1 {print $1}')/32"`;
    expect(runs).toContain(`ip rule del to ${named} lookup ${out.tables[ppp]} 2>/dev/null; ip rule add to ${named} lookup ${out.tables[ppp]}`);
    // The kernel deletes a route through a WAN that goes down, and never puts it back: none is written at run time.
    expect(runs.some((r) => r.startsWith("ip route"))).toBe(false);
    expect(runs.some((r) => r.includes("fwmark"))).toBe(false);
    for (const [link, via] of [[gateway, "via 100.64.20.1"], [ppp, 'via "ppp0"']] as const) {
      const table = linuxNames.pathBirdTable(p, link);
      const block = (name: typeof linuxNames.pathProtocol) => new RegExp(`protocol \\w+ ${name(p, link)} \\{\n([^}]*\\}[^}]*)\n\\}`).exec(include)?.[1] ?? "";
      expect(include).toContain(`ipv4 table ${table};`);
      expect(block(linuxNames.pathProtocol), link).toBe(`\tipv4 { table ${table}; };\n\troute 0.0.0.0/0 ${via};`);
      expect(block(linuxNames.noPathProtocol), link).toBe(`\tipv4 { table ${table}; preference 1; };\n\troute 0.0.0.0/0 unreachable;`);
      expect(block(linuxNames.pathKernelProtocol), link).toContain(`\tkernel table ${out.tables[link]};`);
    }
    expect(runs).toContain("wg set wg-alice-isp1 private-key /etc/wireguard/wg-alice-isp1.key peer +idoHCxIdRIM5oB6P+imCZWfhQmJuGIMAQ8GLPPxNiw= endpoint vpn.alice.example:13231 persistent-keepalive 25 allowed-ips 172.16.10.1/32,192.168.0.0/23");
  });

  it("sends the listener's answers out of the WAN each tunnel came in on", () => {
    const out = renderLinux(p, "alice");
    const rules = fileOf(out, linuxNames.nftablesFile(p));
    const mark = /iifname "enp2s0" udp dport 13232 ct mark set (0x[0-9a-f]+)/.exec(rules)?.[1];
    expect(mark).toBeDefined();
    const table = Number(mark);
    expect(out.tables.isp2).toBe(table);
    const runs = out.commands.map((c) => c.run);
    expect(runs.some((r) => r.startsWith("ip route"))).toBe(false);
    expect(runs).toContain(`ip rule del fwmark ${mark} lookup ${table} 2>/dev/null; ip rule add fwmark ${mark} lookup ${table}`);
    // BIRD keeps the table's route through the WAN the tunnel came in on.
    const include = fileOf(out, linuxNames.birdInclude(p));
    expect(include).toContain(`protocol static ${linuxNames.pathProtocol(p, "isp2")} {\n\tipv4 { table ${linuxNames.pathBirdTable(p, "isp2")}; };\n\troute 0.0.0.0/0 via 198.51.100.1;\n}`);
    expect(include).toContain(`protocol kernel ${linuxNames.pathKernelProtocol(p, "isp2")} {\n\tipv4 { table ${linuxNames.pathBirdTable(p, "isp2")}; import none; export all; };\n\tkernel table ${table};`);
    // By the tunnel's port: an answer from another source address (a new connection) is sent the same way.
    expect(rules).toContain(`udp sport 13232 meta mark set ${mark}`);
    expect(rules).toContain('iifname "wg-remi-isp2" tcp dport 179 accept');
    expect(rules).toContain('oifname "wg-remi-isp2" tcp flags syn tcp option maxseg size set rt mtu');
    const other = /iifname "enp1s0" udp dport 13231 ct mark set (0x[0-9a-f]+)/.exec(rules)?.[1];
    expect(other).not.toBe(mark);
  });

  it("gives each link a kernel table no other peering on the host writes, and keeps the one it has", () => {
    const p = linuxExample("linux");
    const host = { systemd: false, wireguardKernel: false };
    const own = linuxNames.birdInclude(p);
    const alone = renderLinux(p, "alice", {}, undefined, host).tables;
    const isp1 = alone.isp1!;
    // Another peering's include writes isp1's table (their names hashed alike): isp1 takes another,
    // everywhere its number goes (BIRD's kernel protocol, the rule, a listener's mark).
    const other = { file: "/etc/bird/bgpals-alice-bob.conf", protocol: "bgpals_alice_bob_kernel_isp1", table: isp1 };
    const moved = renderLinux(p, "alice", {}, undefined, { ...host, kernelTables: [other] });
    expect(moved.tables.isp1).not.toBe(isp1);
    expect(Object.values(moved.tables)).not.toContain(isp1);
    const birdConf = fileOf(moved, own);
    expect(birdConf).toContain(`kernel table ${moved.tables.isp1};`);
    expect(birdConf).not.toContain(`kernel table ${isp1};`);
    expect(moved.commands.map((c) => c.run).join("\n")).not.toMatch(new RegExp(`lookup ${isp1}\\b`));
    // Applied so, the host's include says so: that peering's table stays taken, and ours stays ours,
    // also once the other peering is gone (a re-plan is empty whichever came first).
    const ours = p.links.map((l) => ({ file: own, protocol: linuxNames.pathKernelProtocol(p, l.name), table: moved.tables[l.name]! }));
    expect(renderLinux(p, "alice", {}, undefined, { ...host, kernelTables: [other, ...ours] }).tables).toEqual(moved.tables);
    expect(renderLinux(p, "alice", {}, undefined, { ...host, kernelTables: ours }).tables).toEqual(moved.tables);
    // Our own table another peering has since taken: ours moves.
    const taken = { ...other, table: moved.tables.isp2! };
    expect(renderLinux(p, "alice", {}, undefined, { ...host, kernelTables: [taken, ...ours] }).tables.isp2).not.toBe(moved.tables.isp2);
  });

  it("gives every tunnel its friend's endpoint only once the path to the friend is in place", () => {
    // A handshake sent before the pin route leaves by the default WAN, from that WAN's address.
    for (const [scenario, side] of LINUX_SIDES) {
      const peering = linuxExample(scenario);
      const runs = renderLinux(peering, side).commands.map((c) => c.run);
      const friend = Object.keys(peering.sides).find((s) => s !== side)!;
      const nft = runs.findIndex((r) => r.startsWith("nft -f "));
      expect(nft, `${scenario} ${side}: nft -f`).not.toBe(-1);
      for (const link of peering.links) {
        const iface = linuxNames.tunnelInterface(link, friend);
        const tunnel = runs.findIndex((r) => r.startsWith(`wg set ${iface} `));
        expect(tunnel, `${scenario} ${side} ${link.name}: wg set`).not.toBe(-1);
        const table = renderLinux(peering, side).tables[link.name]!;
        // The rule that routes by the link's table, and BIRD taking the table's route.
        const path = runs.map((r, i) => ({ r, i })).filter(({ r }) => (r.startsWith("ip rule ") && r.endsWith(` lookup ${table}`)) || r === "birdc configure");
        expect(path.length, `${scenario} ${side} ${link.name}: the rule to table ${table} and BIRD`).toBe(2);
        for (const { r, i } of path) expect(i, `${scenario} ${side}: "${r}" before "wg set ${iface}"`).toBeLessThan(tunnel);
        expect(nft, `${scenario} ${side}: nft -f before "wg set ${iface}"`).toBeLessThan(tunnel);
      }
    }
  });

  it("plans, and so applies, the path before the tunnels, and removes in the reverse order", async () => {
    for (const [scenario, side] of LINUX_SIDES) {
      const peering = linuxExample(scenario);
      const desired = desiredOf(peering, side, renderLinux(peering, side));
      const bare: HostState = { files: {}, present: {}, birdConf: "", birdIncludes: [], links: {}, wireguard: {}, nftChains: null, routes: [], rules: [], birdProtocols: [], birdDevice: true, openvpn: [], bootUnits: [] };
      const roles = (await planApply(desired, bare, "/run/bird/bird.ctl")).changes.map((c) => c.role);
      expect(roles.filter((r) => r === "rule").length, `${scenario} ${side}`).toBe(peering.links.length);
      expect(roles.lastIndexOf("rule"), `${scenario} ${side}`).toBeLessThan(roles.indexOf("wireguard"));
      expect(roles.lastIndexOf("nft"), `${scenario} ${side}`).toBeLessThan(roles.indexOf("wireguard"));
      expect(roles.indexOf("bird"), `${scenario} ${side}`).toBeLessThan(roles.indexOf("wireguard"));
      expect(roles, `${scenario} ${side}: BIRD keeps the links' routes`).not.toContain("route");
      // The host as apply leaves it, roughly: everything there, so removal plans every step.
      const held: HostState = {
        ...bare,
        files: Object.fromEntries(desired.files.map((f) => [f.path, "x"])),
        present: Object.fromEntries(desired.keys.map((k) => [k, true])),
        birdIncludes: [linuxNames.birdInclude(peering).split("/").pop()!],
        wireguard: Object.fromEntries(desired.tunnels.map((t) => [t.iface, { listenPort: "", fwmark: "off", peers: [] }])),
        nftChains: desired.nft.chains,
        // As an earlier bgpals left it: the paths' routes written at run time, which go too.
        routes: desired.legacyRoutes,
        rules: desired.rules.map((r, i) => `${r.key}/${r.table}@${32000 + i}`),
      };
      const removal = (await planRemove(desired, held, "/run/bird/bird.ctl", linuxNames.birdInclude(peering))).changes.map((c) => c.role);
      expect(removal.filter((r) => r === "route").length, `${scenario} ${side}`).toBe(desired.legacyRoutes.length);
      expect(removal.filter((r) => r === "rule").length, `${scenario} ${side}`).toBe(peering.links.length);
      expect(removal.lastIndexOf("wireguard"), `${scenario} ${side}`).toBeLessThan(removal.indexOf("rule"));
      // An upgraded host: apply takes the old routes away, once BIRD keeps the paths.
      const upgrade = (await planApply(desired, { ...held, rules: [] }, "/run/bird/bird.ctl")).changes.map((c) => c.role);
      expect(upgrade.filter((r) => r === "route").length, `${scenario} ${side}`).toBe(desired.legacyRoutes.length);
      if (desired.legacyRoutes.length > 0) expect(upgrade.indexOf("bird"), `${scenario} ${side}`).toBeLessThan(upgrade.indexOf("route"));
      // BIRD's routes in the links' tables look the same: they are BIRD's to keep.
      const birds = desired.legacyRoutes.map((r) => ({ ...r, bird: true as const }));
      expect((await planApply(desired, { ...held, routes: birds }, "/run/bird/bird.ctl")).changes.map((c) => c.role)).not.toContain("route");
      expect(removal.lastIndexOf("wireguard"), `${scenario} ${side}`).toBeLessThan(removal.indexOf("nft"));
    }
  });

  it("prints each file under its path, then the commands; JSON holds the same", () => {
    const out = linuxBird.render(p, "alice");
    const headers = [...out.text.matchAll(/^# --- (.+) ---$/gm)].map((m) => m[1]);
    expect(headers).toEqual(["/etc/wireguard/wg-remi-isp1.conf", "/etc/wireguard/wg-remi-isp2.conf", "/etc/nftables.d/bgpals-alice-remi.nft", "/etc/bird/bgpals-alice-remi.conf", "commands"]);
    const json = out.json as { files: Array<{ path: string; mode: string; content: string }>; commands: Array<{ run: string }> };
    expect(json.files.map((f) => f.path)).toEqual(headers.slice(0, -1));
    expect(json.files.map((f) => f.mode)).toEqual(["0600", "0600", "0644", "0644"]);
    for (const f of json.files) expect(out.text).toContain(f.content.trimEnd());
    for (const c of json.commands) expect(out.text).toContain(`\n${c.run}\n`);
    const at = (start: string) => json.commands.findIndex((c) => c.run.startsWith(start));
    expect(at("birdc configure")).toBeGreaterThan(-1);
    expect(at("birdc configure")).toBeLessThan(at("wg set"));
  });

  it("keeps a preshared key out of every printed form and says where it goes", () => {
    const psk = "c2VjcmV0LXByZXNoYXJlZC1rZXktZm9yLXRoZS10ZXN0cz0=";
    const out = linuxBird.render(p, "alice", { secrets: { presharedKey: { isp1: psk } } });
    expect(out.text).not.toContain(psk);
    expect(JSON.stringify(out.json)).not.toContain(psk);
    expect(out.text).toContain(`PresharedKey = ${MASK}`);
    expect(out.text).toContain("# --- /etc/wireguard/wg-remi-isp1.psk ---");
    expect(out.text).toContain("preshared-key /etc/wireguard/wg-remi-isp1.psk");
    // The host layer writes the real one.
    expect(fileOf(renderLinux(p, "alice", { presharedKey: { isp1: psk } }), "/etc/wireguard/wg-remi-isp1.psk")).toBe(`${psk}\n`);
  });
});

describe("what a Linux side refuses", () => {
  it("nothing for an OpenVPN link beside a WireGuard one: each gets its own kind of tunnel", () => {
    const json = linuxExampleJson("linux");
    Object.assign(json.links[1], { kind: "ovpn", protocol: "tcp", user: "remi", caFingerprint: "0".repeat(64) });
    delete json.links[1].publicKey;
    delete json.links[1].keepalive;
    const out = renderLinux(mustParse(json), "alice");
    expect(out.files.map((f) => f.path)).toEqual(expect.arrayContaining(["/etc/wireguard/wg-remi-isp1.conf", "/etc/openvpn/ovpn-remi-isp2.conf", "/etc/openvpn/ovpn-remi-isp2.sh"]));
    expect(out.files.map((f) => f.path)).not.toContain("/etc/wireguard/wg-remi-isp2.conf");
    expect(out.tunnels).toEqual(["WireGuard", "OpenVPN"]);
  });

  it("a WAN interface that is not a plain Linux interface name, before it reaches a command", () => {
    for (const name of ["eth0; reboot", "vlan832-orange-internet", "eth 0", 'eth"0', "$(id)"]) {
      const json = linuxExampleJson("linux");
      json.sides.alice.wans.isp2.interface = name;
      expect(() => renderLinux(mustParse(json), "alice"), name).toThrow(/sides\.alice\.wans\.isp2\.interface .* is not a Linux interface name/);
    }
    const json = linuxExampleJson("linux");
    json.sides.alice.wans.isp2.interface = "eth0.832";
    const p832 = mustParse(json);
    const out = renderLinux(p832, "alice");
    expect(fileOf(out, linuxNames.nftablesFile(p832))).toContain('iifname "eth0.832" udp dport');
    expect(birdParse(fileOf(out, linuxNames.birdInclude(p832)))).toEqual({ code: 0, output: "" });
  });

  it("two link names BIRD would read as one", () => {
    const json = linuxExampleJson("linux");
    json.links[0].name = "isp-1";
    json.links[1].name = "isp_1";
    json.policy.primary = "isp-1";
    expect(() => renderLinux(mustParse(json), "alice")).toThrow(/links isp-1 and isp_1 would have the same BIRD name \(isp_1\): rename one of them/);
  });

  it("static mode, a RouterOS side and BIRD 3", () => {
    const json = linuxExampleJson("linux");
    json.policy.mode = "static";
    expect(() => renderLinux(mustParse(json), "alice")).toThrow(/use "mode": "bgp"/);
    expect(() => renderLinux(linuxExample("mixed"), "alice")).toThrow(/alice runs routeros, not Linux/);
    const three = linuxExampleJson("linux");
    three.sides.alice.platform.bird = "3.0.1";
    expect(() => renderLinux(mustParse(three), "alice")).toThrow(/BIRD 3\.0\.1 is not supported/);
    expect(() => linuxBird.render(linuxExample("linux"), "alice", { version: "7.24" })).toThrow(/alice is a Linux host/);
  });
});
