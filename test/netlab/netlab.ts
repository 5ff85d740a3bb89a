// A real network for tests: Linux routers in network namespaces, each with a LAN on `lo`, one or
// two WANs to an "internet" namespace that routes between them (two ISPs per host), its own sshd,
// its own BIRD 2 and its own /etc (bird/, wireguard/, nftables.conf through /etc/netns/<ns>/).
// The test process reaches each host's sshd over a management veth from the root namespace.
// Everything is torn down by pid (whatever runs in a namespace, as `ip netns pids` lists it), also
// when a test fails (the test's afterAll) or the worker exits (an exit hook).
// Recipes: ../shared/netlab.md.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runPrefix } from "./names.js";

const run = promisify(execFile);

export const SSH_PORT = 2222;
/** The subnet of each host's WANs, by host index (documentation space: public, not behind NAT). */
const WAN_BLOCKS = ["198.51.100", "203.0.113", "192.0.2"];
const WAN_METRICS = [100, 200];

export interface HostSpec {
  name: string;
  /** The LAN on `lo`, as address/length: "192.168.10.1/24". */
  lan: string;
  /** How many WANs (ISPs), default 2. */
  wans?: 1 | 2;
  /** An nftables input chain that drops by policy (sshd, ICMP and replies accepted). */
  dropsInput?: boolean;
  /** More of bird.conf, after the base (device, direct on lo, kernel). */
  bird?: string;
  /** Users besides root who may log in with the run's key (in the host's own /etc/passwd). */
  users?: string[];
}

export interface NetlabWan {
  interface: string;
  /** The host's address, without length. */
  address: string;
  prefixLength: number;
  /** The ISP's end (the inet namespace). */
  gateway: string;
  metric: number;
}

export interface NetlabHost {
  name: string;
  ns: string;
  /** The host's own /etc entries: /etc/netns/<ns>. */
  etc: string;
  /** This host's files on the test machine: keys, sshd config, BIRD socket and pid file. */
  dir: string;
  lan: string;
  wans: NetlabWan[];
  /** The management link's address in the host (where sshd listens) and its interface. */
  ssh: { host: string; port: number; interface: string; hostKeyFingerprint: string; log: string };
  bird: { socket: string; pidFile: string; config: string };
  routerId: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface Netlab {
  /** The run's temp dir (removed at teardown). */
  dir: string;
  /** The internet namespace. */
  inet: string;
  hosts: Record<string, NetlabHost>;
  /** The private key every host's root accepts (OpenSSH format, mode 0600) and its public line. */
  key: { file: string; publicKey: string };
  /** Runs a command inside a host's namespace on the test machine (not over SSH). */
  exec(host: string, argv: readonly string[]): Promise<ExecResult>;
  /** birdc on a host's control socket. */
  birdc(host: string, ...args: string[]): Promise<string>;
  /** A new host key for the host's sshd, restarted with it; the new fingerprint. */
  replaceHostKey(host: string): Promise<string>;
  /** Kills everything in the namespaces and removes them, their /etc and the temp dir. */
  teardown(): Promise<void>;
}

// Labs not torn down yet: the exit hook removes them if a test did not. The hook is there only
// while a lab is (a worker shared by several test files must not keep it).
const live = new Set<() => void>();
function onExit(): void {
  for (const teardown of [...live]) teardown();
}
function hookExit(): void {
  if (live.size > 0 && process.listeners("exit").every((l) => l !== onExit)) process.on("exit", onExit);
  if (live.size === 0) process.off("exit", onExit);
}

async function sh(argv: readonly string[]): Promise<ExecResult> {
  try {
    const { stdout, stderr } = await run(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number | string };
    if (typeof err.code !== "number") throw e;
    return { stdout: err.stdout ?? "", stderr: err.stderr ?? "", code: err.code };
  }
}

/** Runs a command that must succeed; its stdout. */
async function must(argv: readonly string[]): Promise<string> {
  const r = await sh(argv);
  if (r.code !== 0) throw new Error(`netlab: ${argv.join(" ")} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`netlab: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll interval
  }
}

function tcpOpen(host: string, port: number): Promise<true | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(null));
  });
}

/** What a run on this machine needs: root, and the tools .ci/run installs. */
export function netlabMissing(): string | null {
  if (process.getuid?.() !== 0) return "the netlab tests need root (network namespaces)";
  const tools = ["/usr/sbin/bird", "/usr/sbin/birdc", "/usr/sbin/sshd", "/usr/bin/wireguard-go", "/usr/bin/wg", "/usr/sbin/nft", "/usr/bin/ssh-keygen", "/usr/sbin/openvpn", "/usr/bin/openssl"];
  const missing = tools.filter((t) => !existsSync(t));
  return missing.length ? `the netlab tests need ${missing.join(", ")}: run the apt-get line of .ci/run` : null;
}

/** A /30 for a host's management link in the root namespace that no address there uses yet. */
async function freeManagementBlock(taken: Set<string>): Promise<string> {
  const used = JSON.parse(await must(["ip", "-j", "-4", "addr", "show"])) as Array<{ addr_info?: Array<{ local: string }> }>;
  const blockOf = (address: string) => address.replace(/\d+$/, (last) => String(Number(last) & ~3));
  const inUse = new Set(used.flatMap((l) => (l.addr_info ?? []).map((a) => blockOf(a.local))));
  for (;;) {
    const [x, y] = randomBytes(2);
    const block = `10.233.${x}.${(y! & 63) * 4}`;
    if (!inUse.has(block) && !taken.has(block)) {
      taken.add(block);
      return block;
    }
  }
}

const plus = (block: string, n: number) => {
  const parts = block.split(".").map(Number);
  parts[3]! += n;
  return parts.join(".");
};

function sshdConfig(dir: string, authorizedKeys: string): string {
  return [
    // Each key offered shows in the log (a test proves a changed host key stops the login before that).
    "LogLevel VERBOSE",
    `HostKey ${join(dir, "ssh_host_ed25519_key")}`,
    // Read as root by a command: sshd would read a file as the user logging in, who may not be root
    // and may not reach the run's private temp dir.
    "AuthorizedKeysFile none",
    `AuthorizedKeysCommand /bin/cat ${authorizedKeys}`,
    "AuthorizedKeysCommandUser root",
    `PidFile ${join(dir, "sshd.pid")}`,
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    "PermitRootLogin prohibit-password",
    "",
  ].join("\n");
}

function birdConfig(routerId: string, extra = ""): string {
  return [
    `router id ${routerId};`,
    "protocol device {}",
    'protocol direct { ipv4; interface "lo"; }',
    // Connected routes are the kernel's already.
    "protocol kernel { ipv4 { export filter { if source = RTS_DEVICE then reject; accept; }; }; }",
    extra,
    "",
  ].join("\n");
}

function nftablesConfig(spec: HostSpec): string {
  if (!spec.dropsInput) return "flush ruleset\n";
  return [
    "flush ruleset",
    "table inet filter {",
    "  chain input {",
    "    type filter hook input priority 0; policy drop;",
    "    ct state established,related accept",
    '    iif "lo" accept',
    "    ip protocol icmp accept",
    `    tcp dport ${SSH_PORT} accept`,
    "  }",
    "}",
    "",
  ].join("\n");
}

async function fingerprintOf(publicKeyFile: string): Promise<string> {
  // "256 SHA256:... comment (ED25519)"
  return (await must(["ssh-keygen", "-l", "-E", "sha256", "-f", publicKeyFile])).split(" ")[1]!;
}

/** Kills whatever runs in the namespace (TERM, then KILL) and deletes it; synchronous for the exit hook. */
function removeNamespaceSync(ns: string): void {
  const pids = (): number[] => {
    try {
      return execFileSync("ip", ["netns", "pids", ns], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split("\n")
        .filter((l) => /^\d+$/.test(l.trim()))
        .map(Number);
    } catch {
      return [];
    }
  };
  // wireguard-go keeps its socket in /run/wireguard, which namespaces share: removed after it.
  const sockets = pids().flatMap((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      // wireguard-go [-f] <interface>
      const name = argv.slice(1).filter((a) => a !== "" && !a.startsWith("-")).at(-1);
      return argv[0]?.endsWith("wireguard-go") && name !== undefined ? [`/run/wireguard/${name}.sock`] : [];
    } catch {
      return [];
    }
  });
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    for (const pid of pids()) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    }
    const deadline = Date.now() + 2000;
    while (pids().length > 0 && Date.now() < deadline) execFileSync("sleep", ["0.05"]);
    if (pids().length === 0) break;
  }
  for (const socket of sockets) rmSync(socket, { force: true });
  try {
    execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  } catch {
    // not there (never made, or already gone)
  }
  rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
}

const NFTABLES_D = "/etc/nftables.d";
const MADE_BY_TESTS = join(NFTABLES_D, ".bgpals-made-by-tests");
const HELD = ".bgpals-held-";

/**
 * `ip netns exec` mounts /etc/netns/<ns>/<entry> over /etc/<entry> only where that exists (else it
 * warns and runs the command on the machine's own /etc), and Debian has no /etc/nftables.d. It is made
 * while any netlab needs it and removed after the last one, if a test made it. Each holder keeps a
 * file of its own in it, so one test file ending never removes it under another still running, in
 * this worker, another or a parallel vitest. The release function is idempotent and synchronous.
 */
export function holdEtcNftablesD(): () => void {
  try {
    mkdirSync(NFTABLES_D);
    writeFileSync(MADE_BY_TESTS, "");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const mine = join(NFTABLES_D, `${HELD}${process.pid}-${randomBytes(4).toString("hex")}`);
  writeFileSync(mine, "");
  let released = false;
  return () => {
    if (released) return;
    released = true;
    rmSync(mine, { force: true });
    try {
      if (!existsSync(MADE_BY_TESTS) || readdirSync(NFTABLES_D).some((name) => name.startsWith(HELD))) return;
      rmSync(MADE_BY_TESTS);
      rmdirSync(NFTABLES_D);
    } catch {
      // Another holder came in meanwhile (or a file of someone else's is there): it stays, theirs to remove.
      if (existsSync(NFTABLES_D) && !existsSync(MADE_BY_TESTS)) writeFileSync(MADE_BY_TESTS, "");
    }
  };
}

/**
 * A name for a lab's namespaces (`<id>i`, `<id>a`, ...) and its management links in the machine's
 * own namespace (`<id>am`: 15 characters, the most an interface name takes) that no namespace or
 * link holds now. Two random bytes met once in a run (a dozen labs: "RTNETLINK answers: File
 * exists"), and a namespace the kernel has not freed yet keeps its link after `ip netns del`.
 */
function freshId(): string {
  const taken = (id: string) => readdirSync("/sys/class/net").some((name) => name.startsWith(id)) || (existsSync("/run/netns") && readdirSync("/run/netns").some((name) => name.startsWith(id)));
  for (;;) {
    const id = `${runPrefix()}${randomBytes(3).toString("hex")}`;
    if (!taken(id)) return id;
  }
}

/** Builds the hosts (two ISPs each by default) and the internet between them. */
export async function startNetlab(specs: readonly HostSpec[]): Promise<Netlab> {
  const missing = netlabMissing();
  if (missing !== null) throw new Error(missing);
  if (specs.length > WAN_BLOCKS.length) throw new Error(`netlab: at most ${WAN_BLOCKS.length} hosts`);
  const id = freshId();
  const dir = mkdtempSync(join(tmpdir(), "bgpals-netlab-"));
  const inet = `${id}i`;
  const namespaces: string[] = [];
  const hosts: Record<string, NetlabHost> = {};
  const releaseNftablesD = holdEtcNftablesD();
  let torn = false;
  const teardownSync = () => {
    if (torn) return;
    torn = true;
    live.delete(teardownSync);
    hookExit();
    for (const ns of namespaces.reverse()) removeNamespaceSync(ns);
    rmSync(dir, { recursive: true, force: true });
    releaseNftablesD();
  };
  live.add(teardownSync);
  hookExit();

  const exec = (host: string, argv: readonly string[]) => {
    const h = hosts[host];
    if (h === undefined) throw new Error(`netlab: no host ${host}`);
    return sh(["ip", "netns", "exec", h.ns, ...argv]);
  };
  const startSshd = async (h: NetlabHost) => {
    mkdirSync("/run/sshd", { recursive: true });
    await must(["ip", "netns", "exec", h.ns, "/usr/sbin/sshd", "-f", join(h.dir, "sshd_config"), "-p", String(SSH_PORT), "-o", `ListenAddress=${h.ssh.host}`, "-E", h.ssh.log]);
    await until(`sshd of ${h.name}`, () => tcpOpen(h.ssh.host, SSH_PORT));
  };

  try {
    mkdirSync(join(dir, "client"), { mode: 0o700 });
    const keyFile = join(dir, "client", "id_ed25519");
    await must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bgpals-netlab", "-f", keyFile]);
    const publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();

    await must(["ip", "netns", "add", inet]);
    namespaces.push(inet);
    await must(["ip", "-n", inet, "link", "set", "lo", "up"]);
    await must(["ip", "netns", "exec", inet, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);

    const taken = new Set<string>();
    for (const [index, spec] of specs.entries()) {
      const ns = `${id}${String.fromCharCode(97 + index)}`;
      await must(["ip", "netns", "add", ns]);
      namespaces.push(ns);
      // bgpals's lock on a Linux host is /run/bgpals/lock-<its network namespace's inode>, and /run
      // is the test machine's: a run killed while it held one (a deadline) leaves it, and the kernel
      // gives the inode to a later namespace. A host made now holds no lock.
      rmSync(`/run/bgpals/lock-${statSync(`/run/netns/${ns}`).ino}`, { force: true });
      const hostDir = join(dir, spec.name);
      mkdirSync(hostDir, { mode: 0o700 });
      const etc = `/etc/netns/${ns}`;
      await must(["ip", "-n", ns, "link", "set", "lo", "up"]);
      await must(["ip", "-n", ns, "addr", "add", spec.lan, "dev", "lo"]);

      const wans: NetlabWan[] = [];
      for (let w = 0; w < (spec.wans ?? 2); w++) {
        const base = `${WAN_BLOCKS[index]}.${w * 4}`;
        const wan: NetlabWan = { interface: `wan${w + 1}`, address: plus(base, 2), prefixLength: 30, gateway: plus(base, 1), metric: WAN_METRICS[w]! };
        const isp = `${String.fromCharCode(97 + index)}${w + 1}`;
        await must(["ip", "link", "add", wan.interface, "netns", ns, "type", "veth", "peer", "name", isp, "netns", inet]);
        await must(["ip", "-n", ns, "addr", "add", `${wan.address}/30`, "dev", wan.interface]);
        await must(["ip", "-n", inet, "addr", "add", `${wan.gateway}/30`, "dev", isp]);
        await must(["ip", "-n", ns, "link", "set", wan.interface, "up"]);
        await must(["ip", "-n", inet, "link", "set", isp, "up"]);
        await must(["ip", "-n", ns, "route", "add", "default", "via", wan.gateway, "dev", wan.interface, "metric", String(wan.metric)]);
        wans.push(wan);
      }

      // The management link: the test machine's way in (the host's sshd listens there).
      const block = await freeManagementBlock(taken);
      const outside = `${ns}m`;
      await must(["ip", "link", "add", outside, "type", "veth", "peer", "name", "mgmt0", "netns", ns]);
      await must(["ip", "addr", "add", `${plus(block, 1)}/30`, "dev", outside]);
      await must(["ip", "link", "set", outside, "up"]);
      await must(["ip", "-n", ns, "addr", "add", `${plus(block, 2)}/30`, "dev", "mgmt0"]);
      await must(["ip", "-n", ns, "link", "set", "mgmt0", "up"]);

      // The host's own /etc: seen as /etc/bird, /etc/wireguard and /etc/nftables.conf inside it.
      mkdirSync(join(etc, "bird"), { recursive: true });
      mkdirSync(join(etc, "wireguard"), { mode: 0o700 });
      // bgpals's nftables files, the host's own (mounted over /etc/nftables.d, held above).
      mkdirSync(join(etc, "nftables.d"));
      // OpenVPN's configs and certificates, the host's own (the openvpn package makes /etc/openvpn).
      if (existsSync("/etc/openvpn")) mkdirSync(join(etc, "openvpn"));
      const routerId = wans[0]?.address ?? plus(block, 2);
      writeFileSync(join(etc, "bird", "bird.conf"), birdConfig(routerId, spec.bird));
      writeFileSync(join(etc, "nftables.conf"), nftablesConfig(spec));
      // The host's own /etc/passwd: root's home is the host's dir, as on a fresh host with no dotfiles.
      // With the test machine's /root, bash (run by sshd for every command bgpals sends) sourced its
      // .bashrc each time, which here starts pyenv: 100 to 300 ms of CPU per SSH exec.
      const passwd = readFileSync("/etc/passwd", "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => line.replace(/^(root:[^:]*:0:[^:]*:[^:]*:)[^:]*:/, `$1${hostDir}:`));
      const more = (spec.users ?? []).map((user, i) => `${user}:x:${2000 + i}:${2000 + i}:netlab user:/:/bin/sh`);
      writeFileSync(join(etc, "passwd"), `${[...passwd, ...more].join("\n")}\n`);
      await must(["ip", "netns", "exec", ns, "nft", "-f", "/etc/nftables.conf"]);

      // sshd with its own host key; root accepts the run's key.
      await must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(hostDir, "ssh_host_ed25519_key")]);
      const authorizedKeys = join(hostDir, "authorized_keys");
      writeFileSync(authorizedKeys, `${publicKey}\n`, { mode: 0o600 });
      writeFileSync(join(hostDir, "sshd_config"), sshdConfig(hostDir, authorizedKeys));
      const host: NetlabHost = {
        name: spec.name,
        ns,
        etc,
        dir: hostDir,
        lan: spec.lan,
        wans,
        ssh: { host: plus(block, 2), port: SSH_PORT, interface: "mgmt0", hostKeyFingerprint: await fingerprintOf(join(hostDir, "ssh_host_ed25519_key.pub")), log: join(hostDir, "sshd.log") },
        bird: { socket: join(hostDir, "bird.ctl"), pidFile: join(hostDir, "bird.pid"), config: "/etc/bird/bird.conf" },
        routerId,
      };
      hosts[spec.name] = host;
      await startSshd(host);
      await must(["ip", "netns", "exec", ns, "bird", "-c", host.bird.config, "-s", host.bird.socket, "-P", host.bird.pidFile]);
      await until(`BIRD of ${spec.name}`, async () => ((await exec(spec.name, ["birdc", "-s", host.bird.socket, "show", "status"])).stdout.includes("Daemon is up") ? true : null));
    }
  } catch (e) {
    teardownSync();
    throw e;
  }

  return {
    dir,
    inet,
    hosts,
    key: { file: join(dir, "client", "id_ed25519"), publicKey: readFileSync(join(dir, "client", "id_ed25519.pub"), "utf8").trim() },
    exec,
    async birdc(host, ...args) {
      const h = hosts[host]!;
      return must(["ip", "netns", "exec", h.ns, "birdc", "-s", h.bird.socket, ...args]);
    },
    async replaceHostKey(host) {
      const h = hosts[host]!;
      const pid = Number(readFileSync(join(h.dir, "sshd.pid"), "utf8").trim());
      process.kill(pid, "SIGTERM");
      await until(`sshd of ${host} to stop`, async () => ((await tcpOpen(h.ssh.host, SSH_PORT)) === null ? true : null));
      const key = join(h.dir, "ssh_host_ed25519_key");
      rmSync(key, { force: true });
      rmSync(`${key}.pub`, { force: true });
      await must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key]);
      h.ssh.hostKeyFingerprint = await fingerprintOf(`${key}.pub`);
      await startSshd(h);
      return h.ssh.hostKeyFingerprint;
    },
    async teardown() {
      teardownSync();
    },
  };
}
