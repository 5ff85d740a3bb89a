// `bgpals inventory --router ssh://root@host:port --key FILE` on real Linux routers: what discovery
// finds over SSH (WANs, LANs, BIRD and its protocols, wireguard-go, listeners, nftables), the host
// key pinned on first use and a changed one refused before any key is offered, and clear words for
// a bad key.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endsWithTest, tempDir, until } from "../helpers.js";
import { cliAsync } from "../cli/cli-async.js";
import { STACK_TRACE } from "../cli/run.js";
import { startNetlab, type Netlab, type NetlabHost } from "./netlab.js";

const UPSTREAM_AS = 65000;
const ALICE_AS = 65010;
// wireguard-go's socket is in /run/wireguard, which every namespace shares: a name of this run only.
const TUNNEL = `wgt${randomBytes(3).toString("hex")}`;
const TUNNEL_PORT = 51820;
const TUNNEL_ADDRESS = "172.16.99.1/30";

let lab: Netlab;
let alice: NetlabHost;
let remi: NetlabHost;

beforeAll(async () => {
  lab = await startNetlab([
    {
      name: "alice",
      lan: "192.168.10.1/24",
      dropsInput: true,
      // A session to the ISP that never comes up: discovery reports it as it is.
      bird: `protocol bgp upstream { local as ${ALICE_AS}; neighbor 198.51.100.1 as ${UPSTREAM_AS}; ipv4 { import none; export none; }; }`,
    },
    { name: "remi", lan: "192.168.42.1/24", wans: 1 },
  ]);
  alice = lab.hosts.alice!;
  remi = lab.hosts.remi!;
  // A WireGuard tunnel already there, in userspace (this kernel has no WireGuard).
  const wg = await lab.exec("alice", ["env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1", "wireguard-go", TUNNEL]);
  expect(wg.code, wg.stderr).toBe(0);
  for (const argv of [
    ["wg", "set", TUNNEL, "listen-port", String(TUNNEL_PORT)],
    ["ip", "addr", "add", TUNNEL_ADDRESS, "dev", TUNNEL],
    ["ip", "link", "set", TUNNEL, "up"],
  ]) {
    const r = await lab.exec("alice", argv);
    expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
  }
}, 60_000);
afterAll(() => lab?.teardown());

const address = (h: NetlabHost) => `ssh://root@${h.ssh.host}:${h.ssh.port}`;
const inventory = (h: NetlabHost, home: string, ...more: string[]) => cliAsync(["inventory", "--router", address(h), "--key", lab.key.file, ...more], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
/** Keys sshd was offered so far (LogLevel VERBOSE logs each). */
const keysOffered = (h: NetlabHost) => (readFileSync(h.ssh.log, "utf8").match(/publickey/g) ?? []).length;

// Each test runs the CLI a few times, each run logging in over SSH: slow on a busy machine.
describe("bgpals inventory of a Linux host over SSH", { timeout: 90_000 }, () => {
  it("lists the WANs, LANs, BIRD, wireguard-go, listeners and the firewall, and pins the host key on first use", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const first = await inventory(alice, home);
    expect(first.code, first.stderr).toBe(0);
    const bird = (await lab.exec("alice", ["bird", "--version"])).stderr.trim().replace("BIRD version ", "");
    const kernel = (await lab.exec("alice", ["uname", "-r"])).stdout.trim();
    expect(first.stdout).toContain(`Linux ${kernel}`);
    expect(first.stdout).toContain(`BIRD ${bird}`);
    for (const wan of alice.wans) expect(first.stdout).toMatch(new RegExp(`^  ${wan.interface}  ${wan.address}/${wan.prefixLength}  \\(default route\\)  default via ${wan.gateway} distance ${wan.metric}$`, "m"));
    expect(first.stdout).toMatch(/^  192\.168\.10\.0\/24 on lo$/m);
    expect(first.stdout).not.toContain("127.0.0.0");
    // The tunnel's subnet and the management link are not LANs: said so, with why.
    expect(first.stdout).not.toMatch(new RegExp(`^  \\S+ on (${TUNNEL}|${alice.ssh.interface})$`, "m"));
    expect(first.stdout).toMatch(new RegExp(`^  not suggested: \\S+ on ${TUNNEL}: a tunnel \\((wireguard|tun)\\)$`, "m"));
    expect(first.stdout).toMatch(new RegExp(`^  not suggested: \\S+/30 on ${alice.ssh.interface}: a container's link \\(veth\\)$`, "m"));
    expect(first.stdout).toContain(`udp/${TUNNEL_PORT} (wireguard-go)`);
    expect(first.stdout).toContain(`tcp/${alice.ssh.port} (sshd)`);
    expect(first.stdout).toContain("tcp/179 (bird)");
    expect(first.stdout).toContain("WireGuard: wireguard-go (no kernel module)");
    expect(first.stdout).toContain(`BGP: AS ${ALICE_AS}, 1 session(s)`);
    expect(first.stdout).toContain("drops input from WAN");
    expect(first.stdout).toMatch(/nftables: inet filter input policy drop, 4 rules/);
    expect(first.stdout).toContain(`control socket ${alice.bird.socket}`);
    expect(first.stderr).toContain(`its SSH host key ${alice.ssh.hostKeyFingerprint} is now pinned`);
    expect(readFileSync(join(home, "known_hosts"), "utf8")).toContain(`[${alice.ssh.host}]:${alice.ssh.port} ${alice.ssh.hostKeyFingerprint}`);

    const again = await inventory(alice, home);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("pinned");
  });

  it("gives the same as JSON, with what only Linux has", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const r = await inventory(alice, home, "--json");
    expect(r.code, r.stderr).toBe(0);
    const inv = JSON.parse(r.stdout);
    expect(inv.wans.map((w: { interface: string }) => w.interface)).toEqual(alice.wans.map((w) => w.interface));
    // The kernel uses the default route with the lowest metric: the first ISP.
    expect(inv.wans.map((w: { defaultRoutes: Array<{ active: boolean }> }) => w.defaultRoutes[0]!.active)).toEqual([true, false]);
    expect(inv.wans[0].nextHop).toBe(alice.wans[0]!.gateway);
    expect(inv.wans[0].pointToPoint).toBe(false);
    expect(inv.lans).toContainEqual({ network: "192.168.10.0/24", interface: "lo", address: alice.lan });
    expect(inv.lans.map((l: { interface: string }) => l.interface)).not.toContain(TUNNEL);
    expect(inv.tunnelPrefixes).toContainEqual({ prefix: TUNNEL_ADDRESS, interface: TUNNEL });
    expect(inv.prefixesInUse).toEqual(expect.arrayContaining([alice.lan, ...alice.wans.map((w) => `${w.address}/${w.prefixLength}`)]));
    expect(inv.prefixesInUse).not.toContain(TUNNEL_ADDRESS);
    expect(inv.linux.wireguard).toEqual({ kernel: false, wireguardGo: true, tools: true });
    expect(inv.linux.bird.socket).toBe(alice.bird.socket);
    expect(inv.linux.bird.config).toBe(alice.bird.config);
    expect(inv.linux.bird.protocols.find((p: { name: string }) => p.name === "upstream")).toMatchObject({ proto: "BGP", bgp: { neighborAddress: alice.wans[0]!.gateway, neighborAs: UPSTREAM_AS, localAs: ALICE_AS } });
    expect(inv.bgp).toEqual({ asns: [ALICE_AS], sessions: [{ name: "upstream", remoteAddress: alice.wans[0]!.gateway, remoteAs: String(UPSTREAM_AS), established: false }] });
    expect(inv.firewall).toEqual({ inputRules: 4, dropsFromWan: true });
    expect(inv.portsInUse).toContainEqual({ port: TUNNEL_PORT, protocol: "udp", by: "wireguard-go" });
    expect(inv.interfaces).toContainEqual(expect.objectContaining({ name: TUNNEL, disabled: false }));

    // The other host: one ISP, no firewall, no BGP yet.
    const other = JSON.parse((await inventory(remi, home, "--json")).stdout);
    expect(other.wans.map((w: { interface: string; address: string }) => `${w.interface} ${w.address}`)).toEqual(remi.wans.map((w) => `${w.interface} ${w.address}/${w.prefixLength}`));
    expect(other.firewall).toEqual({ inputRules: 0, dropsFromWan: false });
    expect(other.bgp).toEqual({ asns: [], sessions: [] });
    expect(other.linux.bird.protocols.map((p: { name: string }) => p.name)).toEqual(["device1", "direct1", "kernel1"]);
  });

  it("refuses a host whose key changed, before offering any key", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const pinned = remi.ssh.hostKeyFingerprint;
    expect((await inventory(remi, home)).code).toBe(0);
    const replaced = await lab.replaceHostKey("remi");
    expect(replaced).not.toBe(pinned);
    const offered = keysOffered(remi);
    const r = await inventory(remi, home);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the SSH host key of ${remi.ssh.host}:${remi.ssh.port} changed: stored ${pinned}, presented ${replaced}`);
    expect(r.stderr).toContain(join(home, "known_hosts"));
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).toBe("");
    expect(keysOffered(remi)).toBe(offered);
    // The pin stays what it was.
    expect(readFileSync(join(home, "known_hosts"), "utf8")).toContain(pinned);
  });

  it("says what is wrong with the key file", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const dir = tempDir("bgpals-netlab-keys-");
    const run = (...args: string[]) => cliAsync(["inventory", "--router", address(alice), ...args], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });

    const missing = await run("--key", join(dir, "nope"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the SSH key file ${join(dir, "nope")}: no such file`);

    const pub = await run("--key", `${lab.key.file}.pub`);
    expect(pub.code).toBe(1);
    expect(pub.stderr).toContain(`${lab.key.file}.pub is a public key: give the private key file (${lab.key.file})`);

    const stranger = join(dir, "id_stranger");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    const refused = await run("--key", stranger);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot log in to root@${alice.ssh.host}:${alice.ssh.port} over SSH: root did not accept the key ${stranger}`);

    const locked = join(dir, "id_locked");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "a passphrase", "-f", locked]);
    const encrypted = await run("--key", locked);
    expect(encrypted.code).toBe(1);
    expect(encrypted.stderr).toContain(`the SSH key file ${locked} is protected by a passphrase: add it to ssh-agent (ssh-add ${locked})`);

    const none = await run();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no key: give a key file (--key FILE), or start ssh-agent");

    for (const r of [missing, pub, refused, encrypted, none]) expect(r.stderr).not.toMatch(STACK_TRACE);
    // A login that failed pins nothing.
    expect(existsSync(join(home, "known_hosts"))).toBe(false);
  });

  it("logs in with ssh-agent's keys, and --key wins over them", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const dir = tempDir("bgpals-netlab-agent-");
    const socket = join(dir, "agent.sock");
    const agent = endsWithTest(spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" }));
    await until(() => existsSync(socket), "ssh-agent's socket");
    const withAgent = { BGPALS_HOME: home, SSH_AUTH_SOCK: socket };
    const stranger = join(dir, "id_stranger");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    execFileSync("ssh-add", ["-q", stranger], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });

    // The agent holds only a key the host does not know; the key file wins.
    const refused = await cliAsync(["inventory", "--router", address(remi)], withAgent);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("root accepted none of ssh-agent's keys: add the right one (ssh-add), or give a key file (--key FILE)");
    const keyFile = await cliAsync(["inventory", "--router", address(remi), "--key", lab.key.file], withAgent);
    expect(keyFile.code, keyFile.stderr).toBe(0);

    execFileSync("ssh-add", ["-q", lab.key.file], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });
    const agentKey = await cliAsync(["inventory", "--router", address(remi), "--json"], withAgent);
    expect(agentKey.code, agentKey.stderr).toBe(0);
    expect(JSON.parse(agentKey.stdout).lans).toContainEqual(expect.objectContaining({ network: "192.168.42.0/24", interface: "lo" }));
    expect(agent.exitCode).toBeNull();
  });

  it("reaches a Linux host through a router profile, the pin kept in the profile", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const added = await cliAsync(["router", "add", "pi", "--host", address(alice), "--key", lab.key.file], { BGPALS_HOME: home });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`added router pi: ${address(alice)} (a Linux host, over SSH)`);
    const r = await cliAsync(["inventory", "--router", "pi", "--json"], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).lans).toContainEqual(expect.objectContaining({ network: "192.168.10.0/24" }));
    const list = await cliAsync(["router", "list", "--json"], { BGPALS_HOME: home });
    expect(JSON.parse(list.stdout).routers).toEqual([{ name: "pi", host: alice.ssh.host, port: alice.ssh.port, user: "root", ssh: true, keyFile: lab.key.file, fingerprint: alice.ssh.hostKeyFingerprint }]);
  });

  it("reads the bgpals lock of a Linux host (none held)", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const r = await cliAsync(["unlock", "--router", address(alice), "--key", lab.key.file], { BGPALS_HOME: home, SSH_AUTH_SOCK: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${address(alice)} holds no bgpals lock`);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});

describe("ssh:// on the command line", () => {
  it("refuses an ssh:// address without a user, --key for RouterOS and --tls for SSH, before connecting", async () => {
    const home = tempDir("bgpals-netlab-home-");
    const noUser = await cliAsync(["inventory", "--router", "ssh://192.0.2.1:2222"], { BGPALS_HOME: home });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain("ssh://192.0.2.1:2222: say who logs in: ssh://root@192.0.2.1:2222");
    const keyForApi = await cliAsync(["inventory", "--router", "admin@192.0.2.1", "--key", "/nonexistent"], { BGPALS_HOME: home, BGPALS_PASSWORD: "x" });
    expect(keyForApi.code).toBe(2);
    expect(keyForApi.stderr).toContain("--key is for Linux hosts over SSH");
    const tls = await cliAsync(["inventory", "--router", "ssh://root@192.0.2.1", "--tls"], { BGPALS_HOME: home });
    expect(tls.code).toBe(2);
    expect(tls.stderr).toContain("--tls is for the RouterOS API");
  });
});
