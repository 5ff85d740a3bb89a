// What a host has changes how its part is made: kernel WireGuard makes the tunnel with `ip link add
// ... type wireguard` (no wireguard-go), and systemd gets a unit that makes the run-time part again
// at boot. Neither runs on the netlab (no WireGuard module, no systemd): the render, the plan and the
// boot script are proven here, the script run against stand-in commands that log what they are given.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linuxBird } from "../../../src/platforms/linux-bird/index.js";
import type { HostState } from "../../../src/platforms/linux-bird/host-state.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { desiredOf, planApply, planRemove, sha256 } from "../../../src/platforms/linux-bird/plan.js";
import { renderLinux, type LinuxHost } from "../../../src/platforms/linux-bird/render/render.js";
import { linuxText } from "../../../src/platforms/linux-bird/render/text.js";
import { tempDir } from "../../helpers.js";
import { fileOf, linuxExample } from "./helpers.js";

const SOCKET = "/run/bird/bird.ctl";
const KERNEL_SYSTEMD: LinuxHost = { wireguardKernel: true, systemd: true };
const GO_NO_SYSTEMD: LinuxHost = { wireguardKernel: false, systemd: false };
const goldenDir = new URL("../../golden/", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";

const bare = (): HostState => ({ files: {}, present: {}, birdConf: "", birdIncludes: [], links: {}, wireguard: {}, nftChains: null, routes: [], rules: [], birdProtocols: [], birdDevice: true, openvpn: [], bootUnits: [] });

describe("kernel WireGuard", () => {
  const p = linuxExample("linux");

  it("golden: alice on a host with kernel WireGuard and systemd", () => {
    const text = linuxText(renderLinux(p, "alice", {}, undefined, KERNEL_SYSTEMD));
    const file = new URL("s1-alice-linux-2.x-kernel-systemd.txt", goldenDir);
    if (update || !existsSync(file)) {
      writeFileSync(file, text);
      if (!update) throw new Error(`golden ${file.pathname} was missing and has been written: review it and run again`);
    }
    expect(text).toBe(readFileSync(file, "utf8"));
  });

  it("makes each tunnel with ip link add ... type wireguard, and the rest as wireguard-go's render does", () => {
    for (const side of ["alice", "remi"]) {
      const go = renderLinux(p, side, {}, undefined, GO_NO_SYSTEMD).commands.map((c) => c.run);
      const kernel = renderLinux(p, side, {}, undefined, { wireguardKernel: true, systemd: false }).commands.map((c) => c.run);
      expect(kernel.join("\n")).not.toContain("wireguard-go");
      const friend = side === "alice" ? "remi" : "alice";
      for (const link of p.links) {
        const iface = linuxNames.tunnelInterface(link, friend);
        const made = `ip link show dev ${iface} >/dev/null 2>&1 || ip link add dev ${iface} type wireguard`;
        const at = kernel.indexOf(made);
        expect(at, `${side} ${iface}`).toBeGreaterThan(-1);
        expect(go[at], `${side} ${iface}`).toContain(`wireguard-go ${iface}`);
        // Made before it is configured, once the path to the friend is in place.
        expect(at).toBeLessThan(kernel.findIndex((r) => r.startsWith(`wg set ${iface} `)));
      }
      expect(kernel.filter((r, i) => r !== go[i]).length, side).toBe(p.links.length);
    }
  });

  it("plans the kernel's interface as the tunnel's, and makes one that differs again", async () => {
    const out = renderLinux(p, "alice", {}, undefined, { wireguardKernel: true, systemd: false });
    const desired = desiredOf(p, "alice", out);
    const made = (await planApply(desired, bare(), SOCKET)).changes.filter((c) => c.role === "wireguard");
    expect(made.map((c) => c.op)).toEqual(p.links.map(() => "add"));
    for (const [i, t] of desired.tunnels.entries()) {
      const commands = JSON.parse(made[i]!.attrs.commands!) as string[];
      expect(commands[0]).toBe(`ip link show dev ${t.iface} >/dev/null 2>&1 || ip link add dev ${t.iface} type wireguard`);
      expect(commands.slice(1).map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["wg set", "ip address", "ip link"]);
    }
    // A kernel interface that is there but listens elsewhere is read as any other (wg show + ip link): deleted and made again.
    const t = desired.tunnels[0]!;
    const state: HostState = { ...bare(), links: { [t.iface]: { mtu: t.mtu, up: true, addresses: [t.address] } }, wireguard: { [t.iface]: { listenPort: "1", fwmark: "off", peers: [] } } };
    const again = (await planApply(desired, state, SOCKET)).changes.filter((c) => c.path === `wireguard/${t.iface}`);
    expect(again.map((c) => `${c.op}: ${c.summary}`)).toEqual([`remove: delete ${t.iface}`, expect.stringMatching(new RegExp(`^add: make ${t.iface}: `))]);
    expect(again[0]!.reason).toContain(`listens on 1, not ${t.wg.listenPort}`);
    // A listener whose socket does not mark what it sends (an earlier bgpals's) is made again too.
    expect(t.wg.fwmark).toMatch(/^0x[0-9a-f]+$/);
    const unmarked = { ...state, wireguard: { [t.iface]: { listenPort: t.wg.listenPort!, fwmark: "off", peers: [] } } };
    const remade = (await planApply(desired, unmarked, SOCKET)).changes.filter((c) => c.path === `wireguard/${t.iface}`);
    expect(remade[0]!.reason).toContain(`marks what it sends off, not ${t.wg.fwmark}`);
    // Removal deletes it as it does wireguard-go's (ip link del; the process, if any, ends with it).
    const removal = (await planRemove(desired, state, SOCKET, linuxNames.birdInclude(p))).changes.filter((c) => c.role === "wireguard");
    expect(removal.map((c) => `${c.op} ${c.path}`)).toEqual([`remove wireguard/${t.iface}`]);
  });
});

describe("coming back at boot", () => {
  const p = linuxExample("linux");
  const unit = linuxNames.bootUnit(p.name);

  it("where systemd runs: a oneshot unit, after nftables.service, that runs the peering's script", () => {
    const out = renderLinux(p, "alice", {}, undefined, KERNEL_SYSTEMD);
    expect(out.boot).toEqual({ unit, unitFile: linuxNames.bootUnitFile(p.name), script: linuxNames.bootScript(p.name) });
    const text = fileOf(out, linuxNames.bootUnitFile(p.name));
    for (const line of ["Type=oneshot", "RemainAfterExit=yes", `ExecStart=/bin/sh ${linuxNames.bootScript(p.name)}`, "After=network-online.target nftables.service bird.service", "WantedBy=multi-user.target"]) expect(text.split("\n")).toContain(line);
    expect(out.files.find((f) => f.path === linuxNames.bootScript(p.name))!.mode).toBe("0755");
    expect(out.notes.join("\n")).toContain(`${unit} (enabled, not started`);
  });

  it.runIf(existsSync("/usr/bin/systemd-analyze"))("the unit passes systemd-analyze verify", () => {
    const dir = tempDir("bgpals-unit-");
    const path = join(dir, unit);
    writeFileSync(path, fileOf(renderLinux(p, "alice", {}, undefined, KERNEL_SYSTEMD), linuxNames.bootUnitFile(p.name)));
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", path], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.includes(unit))).toEqual([]);
  });

  it("the script runs the apply's commands in its order, but the keys and BIRD's, and stops at the first that fails", () => {
    for (const side of ["alice", "remi"]) {
      const out = renderLinux(p, side, {}, undefined, { wireguardKernel: false, systemd: true });
      const script = fileOf(out, linuxNames.bootScript(p.name));
      expect(spawnSync("sh", ["-n"], { input: script }).status, side).toBe(0);
      const expected = out.commands.map((c) => c.run).filter((r) => !r.includes("wg genkey") && !r.includes("birdc") && !r.includes("bird.conf"));
      const lines = script.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("fail()"));
      expect(lines.map((l) => l.replace(/ \|\| fail '.*'$/, ""))).toEqual(expected);

      // Run with stand-ins for every command: each logs its words; nft fails when told to.
      const dir = tempDir("bgpals-boot-");
      const log = join(dir, "log");
      const stub = (failing: boolean) =>
        ["ip", "wg", "nft", "wireguard-go", "getent", "awk", "mkdir", "openvpn"].forEach((name) => {
          const file = join(dir, name);
          writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> ${log}\n${name === "nft" && failing ? "exit 1" : name === "ip" ? 'case "$*" in "link show"*) exit 1;; esac' : ""}\n`);
          chmodSync(file, 0o755);
        });
      const run = () => spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env: { PATH: dir } });
      stub(false);
      const ok = run();
      expect(ok.status, ok.stderr).toBe(0);
      const ran = readFileSync(log, "utf8").split("\n").filter((l) => l !== "");
      const order = (prefix: string) => ran.findIndex((l) => l.startsWith(prefix));
      expect(order("nft -f")).toBeGreaterThan(-1);
      expect(order("ip rule add")).toBeGreaterThan(-1);
      expect(order("ip rule add")).toBeLessThan(order("wg set"));
      expect(order("nft -f")).toBeLessThan(order("wg set"));
      expect(ran.filter((l) => l.startsWith("wireguard-go ")).length).toBe(p.links.length);
      expect(ran.filter((l) => l.startsWith("wg set ")).length).toBe(p.links.length);

      writeFileSync(log, "");
      stub(true);
      const failed = run();
      expect(failed.status, side).not.toBe(0);
      expect(failed.stderr).toContain(`${unit}: load the rules`);
      expect(readFileSync(log, "utf8")).not.toContain("wg set");
    }
  });

  it("the plan writes the unit and its script and enables it last; a re-plan leaves it; removal disables it first and takes both files", async () => {
    const out = renderLinux(p, "alice", {}, undefined, KERNEL_SYSTEMD);
    const desired = desiredOf(p, "alice", out);
    const plan = (await planApply(desired, bare(), SOCKET)).changes;
    expect(plan.filter((c) => c.role === "file").map((c) => c.path)).toEqual(expect.arrayContaining([linuxNames.bootScript(p.name), linuxNames.bootUnitFile(p.name)]));
    expect(plan.at(-1)).toMatchObject({ op: "add", role: "systemd", path: `systemd/${unit}`, summary: `systemctl enable ${unit}`, attrs: { unit } });
    expect(plan.filter((c) => c.role === "systemd")).toHaveLength(1);

    // The host as apply leaves it: the files with their contents, the unit enabled.
    const files = Object.fromEntries(await Promise.all(desired.files.map(async (f) => [f.path, await sha256(f.content)] as const)));
    const held: HostState = { ...bare(), files, present: Object.fromEntries(desired.keys.map((k) => [k, true])), bootUnits: [unit] };
    const again = await planApply(desired, held, SOCKET);
    expect(again.changes.filter((c) => c.role === "systemd" || c.path.startsWith("/etc/systemd") || c.path.startsWith("/etc/bgpals"))).toEqual([]);

    const removal = (await planRemove(desired, held, SOCKET, linuxNames.birdInclude(p))).changes;
    expect(removal[0]).toMatchObject({ op: "remove", role: "systemd", path: `systemd/${unit}`, summary: `systemctl disable ${unit}` });
    expect(removal.filter((c) => c.role === "file" && c.op === "remove").map((c) => c.path)).toEqual(expect.arrayContaining([linuxNames.bootScript(p.name), linuxNames.bootUnitFile(p.name)]));
    // A unit not enabled is not disabled.
    expect((await planRemove(desired, { ...held, bootUnits: [] }, SOCKET, linuxNames.birdInclude(p))).changes.some((c) => c.role === "systemd")).toBe(false);
  });

  it("without systemd: no unit, and the render and the plan say a reboot takes the run-time part away", async () => {
    const out = renderLinux(p, "alice", {}, undefined, GO_NO_SYSTEMD);
    expect(out.boot).toBeNull();
    expect(out.files.some((f) => f.path.startsWith("/etc/systemd/") || f.path.startsWith("/etc/bgpals/"))).toBe(false);
    expect(out.notes.join("\n")).toMatch(/does not run systemd: .* do NOT survive a reboot/);
    const plan = (await planApply(desiredOf(p, "alice", out), bare(), SOCKET)).changes;
    expect(plan.some((c) => c.role === "systemd")).toBe(false);
    for (const c of plan.filter((c) => c.role === "wireguard")) expect(c.reason).toContain("a reboot takes it away");
  });

  it("offline, bgpals render assumes wireguard-go and says what kernel WireGuard and systemd change", () => {
    const out = linuxBird.render(p, "alice");
    expect(out.text).toContain("wireguard-go wg-remi-isp1");
    expect(out.notes.join("\n")).toContain("kernel has WireGuard gets ip link add <if> type wireguard instead of wireguard-go");
    expect(out.notes.join("\n")).toContain(`${linuxNames.bootUnitFile(p.name)} and enables it`);
    expect(out.text).toContain("# note: on a host running systemd");
    // The pure render, as the goldens have it, is unchanged: no boot part, no host note.
    expect(renderLinux(p, "alice").boot).toBeNull();
    expect(renderLinux(p, "alice").notes.join("\n")).not.toContain("reboot");
  });
});
