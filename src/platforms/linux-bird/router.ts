// A Linux host running BIRD 2 behind the seam, reached over SSH: discovery, what its peerings are
// doing (status.ts: status, why, the route feed, filtered routes), and writing (writing.ts: the
// lock, plan, apply, remove, recovery, the wizard's keys). What is not built on Linux yet says so
// instead of doing half of it.
import type { FeaturesOf } from "../../core/features.js";
import { randomBytes } from "node:crypto";
import type { CaCertificateBody } from "../../core/offer.js";
import type { Peering } from "../../core/peering.js";
import type { Plan } from "../../core/plan.js";
import type { ObservedRoute } from "../../core/prefer.js";
import { UserError } from "../../errors.js";
import type {
  ApplyOptions,
  ApplyResult,
  ConnectOptions,
  InterruptedRun,
  LockHolder,
  LockRequest,
  PlanRequest,
  Platform,
  PreparedPart,
  PrepareHooks,
  Router,
  RouterPlan,
  RouterStatus,
  RouterTarget,
  RouteFeedOptions,
  SessionStatus,
  StatusOptions,
  Watching,
  WhyAnswer,
  FilteredRoutes,
} from "../platform.js";
import { birdPaths, birdVersionOf, DEFAULT_BIRD_CONFIG, DEFAULT_BIRD_SOCKET, linuxInventory, parseBirdProtocols, parseSections, RUN_SECTION, TEMP_DIR, type BirdProtocol, type IpAddr, type IpLink, type IpRoute, type LinuxInventory } from "./discovery.js";
import { LINUX_SSH_PORT, LinuxShell, type LinuxSshTarget } from "./ssh.js";
import { LinuxWriter } from "./writing.js";
import { linuxNames } from "./names.js";
import type { KernelTableUse, LinuxHost } from "./render/render.js";
import { importHostCa, makeHostCertificates, removeHostCertificates } from "./certificates.js";
import { BirdPoll, birdBgpRoutes, birdFilteredRoutes, birdRouteFeed, birdStatus, birdWhy, type BirdHost } from "./status.js";

export interface LinuxConnectOptions extends ConnectOptions {
  /** The platform object the router reports as its own (linux-bird's index.ts). */
  readonly platform: Platform;
}

// A throwaway interface: only its creation is the question (kernel WireGuard or not).
const WIREGUARD_PROBE = "bgpals-wgprobe";

/** Each `protocol kernel` of the bgpals include files and its `kernel table`: file, protocol, table, a line each (tab separated). */
const KERNEL_TABLES = [
  'for f in /etc/bird/bgpals-*.conf; do [ -f "$f" ] || continue',
  '  awk -v f="$f" \'$1 == "protocol" && $2 == "kernel" { p = $3 } $1 == "kernel" && $2 == "table" { t = $3; sub(/;$/, "", t); print f "\\t" p "\\t" t }\' "$f"',
  "done",
  "exit 0",
].join("\n");

/** What a plan needs to know of the host, in one exec: pid 1's name, and whether the kernel makes a WireGuard interface (the probe goes at once). */
const HOST_TRAITS = [
  'read -r init < /proc/1/comm && echo "init $init"',
  `if ip link add ${WIREGUARD_PROBE} type wireguard >/dev/null 2>&1; then echo "wireguard kernel"; fi`,
  `ip link del ${WIREGUARD_PROBE} >/dev/null 2>&1`,
  "exit 0",
].join("\n");

// The running bird in this host's network namespace (there may be others on the machine), with
// builtins only (read, test -ef): a fork per process of a busy host would take seconds. A bird that
// only prints its version or checks a file (`bird --version`, `bird -p`: discovery runs the first,
// another bgpals or the user may run either at any time) is not the daemon: its command line has
// no socket, and taking it would send every birdc to the default one.
export const FIND_BIRD = [
  "find_bird() {",
  "  for d in /proc/[0-9]*; do",
  '    read -r comm < "$d/comm" 2>/dev/null || continue',
  '    [ "$comm" = bird ] && [ "$d/ns/net" -ef /proc/self/ns/net ] || continue',
  '    c=$(tr "\\0" "\\n" < "$d/cmdline" 2>/dev/null) && [ -n "$c" ] || continue',
  "    printf '%s\\n' \"$c\" | grep -qxE -e '--version|-p|-h|--help' && continue",
  '    echo "${d#/proc/}"; printf \'%s\\n\' "$c"; return 0',
  "  done",
  "}",
];

/**
 * Everything discovery asks, in one SSH exec (each exec costs a round trip and a login shell on the
 * host): each command's output, errors and exit status as a section after a marker line. `$1` is the
 * marker, random per run, so no output can fake one.
 */
const DISCOVER = [
  'm=$1',
  TEMP_DIR,
  RUN_SECTION,
  ...FIND_BIRD,
  "run uname uname -n -r -m",
  "run links ip -j -d link show",
  "run addrs ip -j -4 addr show",
  "run routes ip -j -4 route show table main",
  "run udp ss -H -l -n -u -p",
  "run tcp ss -H -l -n -t -p",
  "run bird-version bird --version",
  "run bird-process find_bird",
  "run nft nft -j list ruleset",
  // Only whether the kernel makes one matters: the probe goes at once (also one an earlier run left).
  `run wireguard ip link add ${WIREGUARD_PROBE} type wireguard`,
  `ip link del ${WIREGUARD_PROBE} >/dev/null 2>&1`,
  'run tools sh -c "command -v wireguard-go; command -v wg"',
  "exit 0",
].join("\n");

function sshTargetOf(target: RouterTarget): LinuxSshTarget {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    ...(target.keyFile === undefined ? {} : { keyFile: target.keyFile }),
    knownHostKey: target.knownFingerprint ?? null,
    ...(target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }),
  };
}

/** Opens an SSH connection to a Linux host; the host key is pinned on first use (see `fingerprint`). */
export async function connectLinuxBird(target: RouterTarget, label: string | undefined, options: LinuxConnectOptions): Promise<Router> {
  const shell = await LinuxShell.connect(sshTargetOf(target));
  // Every later connection (a reconnect) must meet the host key this one met.
  const pinned: RouterTarget = { ...target, knownFingerprint: target.knownFingerprint || shell.hostKeyFingerprint };
  return new LinuxBirdRouter(options.platform, shell, pinned, label ?? `ssh://${target.user}@${target.host}:${target.port ?? LINUX_SSH_PORT}`, options);
}

export class LinuxBirdRouter implements Router {
  readonly fingerprint: string;

  constructor(
    readonly platform: Platform,
    readonly shell: LinuxShell,
    private readonly target: RouterTarget,
    readonly label: string,
    private readonly options: LinuxConnectOptions,
  ) {
    this.fingerprint = shell.hostKeyFingerprint;
  }

  get closed(): boolean {
    return this.shell.closed;
  }

  get featuresOf(): FeaturesOf {
    return this.options.featuresOf ?? this.platform.featuresOf;
  }

  reconnect(): Promise<Router> {
    return connectLinuxBird(this.target, this.label, this.options);
  }

  close(): Promise<void> {
    return this.shell.close();
  }

  /** BIRD's version ("2.0.12"). */
  async version(): Promise<string> {
    const version = await this.#birdVersion();
    if (version === null) throw new UserError(`${this.label}: BIRD is not installed (bird --version found nothing): install bird2 there (apt install bird2)`);
    return version;
  }

  async discover(): Promise<LinuxInventory> {
    const marker = `@@bgpals-${randomBytes(8).toString("hex")}`;
    const sections = parseSections(await this.shell.must(["sh", "-c", DISCOVER, "sh", marker]), marker);
    const out = (name: string): string => sections.get(name)?.stdout ?? "";
    const ok = (name: string): string | null => (sections.get(name)?.code === 0 ? out(name) : null);
    const needed = (name: string, command: string): string => {
      const section = sections.get(name);
      if (section?.code === 0) return section.stdout;
      throw new UserError(`${this.label}: ${command} failed: ${section?.stderr.trim() || `exit status ${section?.code ?? "unknown"}`}; bgpals needs iproute2 (ip) on a Linux host`);
    };
    const json = <T>(text: string): T => JSON.parse(text.trim() || "[]") as T;
    const version = sections.get("bird-version");
    const birdVersion = version?.code === 0 ? birdVersionOf(`${version.stdout}\n${version.stderr}`) : null;
    const tools = out("tools").split("\n").map((path) => path.trim().split("/").pop());
    const wireguard = sections.get("wireguard");
    return linuxInventory({
      uname: needed("uname", "uname"),
      links: json<IpLink[]>(needed("links", "ip -j -d link show")),
      addrs: json<IpAddr[]>(needed("addrs", "ip -j -4 addr show")),
      routes: json<IpRoute[]>(needed("routes", "ip -j -4 route show")),
      udp: ok("udp") ?? "",
      tcp: ok("tcp") ?? "",
      birdVersion,
      bird: await this.#bird(out("bird-process")),
      // "File exists": a probe left by an earlier run, so the kernel made it then.
      wireguard: { kernel: wireguard?.code === 0 || /File exists/.test(wireguard?.stderr ?? ""), wireguardGo: tools.includes("wireguard-go"), tools: tools.includes("wg") },
      nftRuleset: ok("nft"),
    });
  }

  async #birdVersion(): Promise<string | null> {
    const result = await this.shell.run(["bird", "--version"]);
    return result.code === 0 ? birdVersionOf(`${result.stdout}\n${result.stderr}`) : null;
  }

  /** The running bird (pid, then its command line, one word a line): its config and control socket, and its protocols. */
  async #bird(process: string): Promise<{ pid: number | null; config: string; socket: string; protocols: BirdProtocol[] }> {
    const found = process.split("\n");
    if (found[0] === undefined || !/^\d+$/.test(found[0])) return { pid: null, config: DEFAULT_BIRD_CONFIG, socket: DEFAULT_BIRD_SOCKET, protocols: [] };
    const paths = birdPaths(found.slice(1).filter((word) => word !== ""));
    const shown = await this.shell.run(["birdc", "-s", paths.socket, "show", "protocols", "all"]);
    if (shown.code !== 0) {
      throw new UserError(`${this.label}: BIRD runs (pid ${found[0]}) but birdc cannot reach it on ${paths.socket}: ${shown.stderr.trim() || shown.stdout.trim() || `exit ${shown.code}`}`);
    }
    return { pid: Number(found[0]), ...paths, protocols: parseBirdProtocols(shown.stdout) };
  }

  // --- What the host is doing (status.ts) ---------------------------------------------------------

  #birdControlled: Promise<BirdHost> | null = null;

  /** The shell and the running BIRD's control socket, found once per connection. */
  #birdControl(): Promise<BirdHost> {
    this.#birdControlled ??= (async () => {
      const found = (await this.shell.must(["sh", "-c", [...FIND_BIRD, "find_bird; exit 0"].join("\n")])).split("\n");
      if (found[0] === undefined || !/^\d+$/.test(found[0])) {
        throw new UserError(`${this.label}: BIRD is not running (no bird process in this host's network namespace): start it (systemctl start bird)`);
      }
      return { shell: this.shell, socket: birdPaths(found.slice(1).filter((word) => word !== "")).socket, label: this.label };
    })();
    // A failed look is not kept: BIRD may be started meanwhile.
    this.#birdControlled.catch(() => (this.#birdControlled = null));
    return this.#birdControlled;
  }

  // The monitor's readers share its looks (status.ts BirdPoll): one per BIRD found.
  #polled: { host: BirdHost; poll: BirdPoll } | null = null;
  async #poll(): Promise<BirdPoll> {
    const host = await this.#birdControl();
    if (this.#polled?.host !== host) this.#polled = { host, poll: new BirdPoll(host) };
    return this.#polled.poll;
  }

  async status(options?: StatusOptions): Promise<RouterStatus> {
    return birdStatus(await this.#poll(), options);
  }
  /** BIRD has no change stream bgpals can follow over SSH: the monitor polls. */
  async watchChanges(_changed: () => void): Promise<Watching | null> {
    return null;
  }
  async bgpRoutes(): Promise<ObservedRoute[]> {
    return birdBgpRoutes(await this.#birdControl());
  }
  async feedFriendRoutes(options: RouteFeedOptions): Promise<void> {
    return birdRouteFeed(await this.#poll(), options);
  }
  async why(prefix: string, options: { session?: string; asPath?: number[] } = {}): Promise<WhyAnswer[]> {
    return birdWhy(await this.#birdControl(), prefix, options);
  }
  /** BIRD keeps the routes bgpals's filters rejected (`import keep filtered on`): read, with why. */
  async filteredRoutes(addresses: readonly string[], limit: number): Promise<FilteredRoutes> {
    return birdFilteredRoutes(await this.#poll(), addresses, limit);
  }

  // --- Not built yet -----------------------------------------------------------------------------

  #notYet(what: string): UserError {
    return new UserError(`${this.label} is a Linux host: ${what}; nothing written`);
  }


  // --- Writing (writing.ts) -----------------------------------------------------------------------

  #writing: LinuxWriter | null = null;
  get #writer(): LinuxWriter {
    return (this.#writing ??= new LinuxWriter({
    shell: this.shell,
    label: this.label,
    journalKey: `${this.target.host}:${this.target.port ?? LINUX_SSH_PORT}`,
    options: this.options,
    version: () => this.version(),
    birdSocket: async () => (await this.#birdControl()).socket,
    traits: () => (this.#traits ??= this.#readTraits()),
    kernelTables: () => this.#kernelTables(),
  }));
  }

  /** Read at each plan: another peering's apply changes them. */
  async #kernelTables(): Promise<KernelTableUse[]> {
    const out = await this.shell.must(["sh", "-c", KERNEL_TABLES]);
    return out
      .split("\n")
      .map((line) => line.split("\t"))
      .filter((fields) => fields.length === 3 && /^\d+$/.test(fields[2]!))
      .map(([file, protocol, table]) => ({ file: file!, protocol: protocol!, table: Number(table) }));
  }

  // Neither changes while a connection lasts; read once.
  #traits: Promise<LinuxHost> | null = null;
  async #readTraits(): Promise<LinuxHost> {
    const out = await this.shell.must(["sh", "-c", HOST_TRAITS]);
    return { systemd: /^init systemd$/m.test(out), wireguardKernel: /^wireguard kernel$/m.test(out) };
  }

  exclusive<T>(request: LockRequest, work: () => Promise<T>): Promise<T> {
    return this.#writer.exclusive(request, work);
  }
  lockHolder(): Promise<LockHolder | null> {
    return this.#writer.lockHolder();
  }
  unlock(): Promise<LockHolder | null> {
    return this.#writer.unlock();
  }
  interruptedRun(): InterruptedRun | null {
    return this.#writer.interruptedRun();
  }
  plan(request: PlanRequest): Promise<RouterPlan> {
    return this.#writer.plan(request);
  }
  apply(plan: Plan, options?: ApplyOptions): Promise<ApplyResult> {
    return this.#writer.apply(plan, options);
  }
  prepareLinks(draft: Peering, side: string, _hooks?: PrepareHooks): Promise<Record<string, string>> {
    return this.#writer.prepareLinks(draft, side);
  }
  /** What preparing made for a peering and no applied tunnel uses: the wizard's keys (writing.ts) and the OpenVPN certificates. */
  async discardPrepared(peering: string, what: PreparedPart = "all"): Promise<void> {
    // No monitor account is made on a Linux host (refused before anything is written): none to remove.
    if (what === "monitor-account") return;
    await this.exclusive({ command: "discard", peering }, async () => {
      await this.#writer.discardPrepared(peering, what);
      // A peering of that name applied here (its BIRD include is there) uses its certificates: they stay.
      const applied = await this.shell.run(["test", "-e", linuxNames.birdInclude({ name: peering })]);
      if (applied.code !== 0) await removeHostCertificates(this.shell, peering, what);
    });
  }
  /** The peering's CA and the server's or client's certificate, made on the host (certificates.ts). */
  makeCertificates(peering: string, role: "server" | "client", serverNames: readonly string[] = []): Promise<CaCertificateBody> {
    return this.exclusive({ command: "prepare", peering }, () => makeHostCertificates(this.shell, peering, role, serverNames, (paths) => this.#writer.madeByRun(paths)));
  }
  importFriendCa(peering: string, ca: CaCertificateBody): Promise<void> {
    return this.exclusive({ command: "prepare", peering }, () => importHostCa(this.shell, peering, ca, (paths) => this.#writer.madeByRun(paths)));
  }
  async grantMonitorAccount(): Promise<void> {
    throw this.#notYet(this.platform.monitorAccountUnsupported ?? "the friend's read-only monitor account on Linux is not built yet");
  }

  /**
   * A session back up: `birdc enable` when it is down (a receive or import limit disabled it),
   * else `birdc restart`; on the running BIRD's control socket.
   */
  async clearSession(session: SessionStatus): Promise<void> {
    // A protocol name goes to birdc as a word: BIRD's symbols only.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(session.name)) throw new UserError(`${this.label}: ${JSON.stringify(session.name)} is not a BIRD protocol name`);
    const bird = await this.#birdControl();
    await this.exclusive({ command: "clear", peering: session.peering }, async () => {
      const shown = await this.shell.run(["birdc", "-s", bird.socket, "show", "protocols", session.name]);
      if (shown.code !== 0) throw new UserError(`${this.label}: birdc show protocols ${session.name} failed: ${shown.stderr.trim() || shown.stdout.trim() || `exit ${shown.code}`}`);
      const protocol = parseBirdProtocols(shown.stdout).find((p) => p.name === session.name);
      if (protocol === undefined) throw new UserError(`${this.label}: BIRD has no protocol ${session.name} (birdc show protocols): nothing to clear`);
      const verb = protocol.state === "down" ? "enable" : "restart";
      const done = await this.shell.run(["birdc", "-s", bird.socket, verb, session.name]);
      const said = `${done.stdout}${done.stderr}`.trim();
      if (done.code !== 0 || !said.includes(`${session.name}: ${verb === "enable" ? "enabled" : "restarted"}`)) throw new UserError(`${this.label}: birdc ${verb} ${session.name} did not say it was done: ${said || `exit ${done.code}`}`);
    });
  }
}
