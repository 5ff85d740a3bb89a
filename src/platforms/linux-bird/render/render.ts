// One side of a peering → what a Linux host with BIRD 2 and WireGuard holds for it: files
// (WireGuard, the BIRD include, nftables) and the commands that bring them up. Pure: no host, no
// clock. Secrets come in through `secrets`, are marked, and are masked in every printed form.
import { durationMs } from "../../../core/duration.js";
import { isIPv4, parsePrefix } from "../../../core/ipv4.js";
import { linkKind } from "../../../core/links/index.js";
import { WIREGUARD_KEEPALIVE, WIREGUARD_MTU } from "../../../core/links/wireguard.js";
import { allowedOf, sidesOf, type Link, type Peering, type Side } from "../../../core/peering.js";
import { UserError } from "../../../errors.js";
import { linuxBirdFeatures } from "../features.js";
import { birdSymbol, linuxNames } from "../names.js";
import { isPrimary, peeringFilters, ruleText, type BirdFilter } from "./filters.js";
import { refuseSharedServerPorts, renderOvpnLink } from "./ovpn.js";
import type { FeaturesOf } from "../../../core/features.js";

/** A peering this side cannot be rendered for: expected, its message says why. */
export class LinuxRenderError extends UserError {}

export interface HostFile {
  path: string;
  /** Octal, as chmod takes it. */
  mode: string;
  content: string;
  why: string;
  /** The content is a secret: printed masked, written only by the host layer. */
  secret?: boolean;
}

export interface HostCommand {
  /** A shell command line, as `sh -c` runs it. */
  run: string;
  why: string;
}

export interface LinuxRendered {
  peering: string;
  side: string;
  /** BIRD's version as the peering gives it. */
  bird: string;
  /** The tunnel kinds, for people: "WireGuard", "OpenVPN". */
  tunnels: string[];
  files: HostFile[];
  /** In the order a host runs them. */
  commands: HostCommand[];
  /** Each link's kernel table (its path through its WAN, kept by BIRD), by link name. */
  tables: Record<string, number>;
  filters: BirdFilter[];
  notes: string[];
  /** What the render was told of the host (null: an offline render, which assumes wireguard-go and no systemd). */
  host: LinuxHost | null;
  /** Where systemd runs: the unit (enabled by the plan) that makes the run-time part again at boot. */
  boot: { unit: string; unitFile: string; script: string } | null;
}

/**
 * What a host has that changes how its part is made: the writer reads it (writing.ts), an offline
 * render has none and assumes the least (wireguard-go, nothing started at boot).
 */
export interface LinuxHost {
  /** The kernel makes WireGuard interfaces (`ip link add ... type wireguard`): no wireguard-go. */
  wireguardKernel: boolean;
  /** systemd is pid 1: a unit of the peering's brings its run-time part back at boot. */
  systemd: boolean;
  /** The kernel tables BIRD's path protocols of bgpals's peerings on the host write (their include files). */
  kernelTables?: readonly KernelTableUse[];
}

/** A `protocol kernel` of a bgpals include file in /etc/bird, and the kernel table it writes. */
export interface KernelTableUse {
  /** The include file (`/etc/bird/bgpals-<peering>.conf`). */
  file: string;
  protocol: string;
  table: number;
}

export interface LinuxSecrets {
  /** WireGuard preshared key per link name. */
  presharedKey?: Record<string, string>;
  /** OpenVPN PPP password per link name. */
  pppPassword?: Record<string, string>;
}

/** What wireguard-go needs in its environment to run on a host whose kernel has WireGuard too. */
export const WIREGUARD_GO_ENV = { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: "1" };

/** The line bird.conf needs once for every peering's include file. */
export const BIRD_INCLUDE_LINE = 'include "/etc/bird/bgpals-*.conf";';
export const BIRD_CONF = "/etc/bird/bird.conf";

interface Ctx {
  p: Peering;
  me: string;
  friend: string;
  mine: Side;
  theirs: Side;
  secrets: LinuxSecrets;
  host: LinuxHost | null;
  files: HostFile[];
  commands: HostCommand[];
  notes: string[];
}

const myWan = (ctx: Ctx, link: Link) => ctx.mine.wans[link.wan[ctx.me]!]!;
const friendWan = (ctx: Ctx, link: Link) => ctx.theirs.wans[link.wan[ctx.friend]!]!;
const isListener = (ctx: Ctx, link: Link) => link.listener === ctx.me;
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * `featuresOf`: the friend's platform's features (an OpenVPN link's cipher follows the friend's).
 * `host`: what the host has (kernel WireGuard, systemd); without it, wireguard-go and no boot unit.
 */
export function renderLinux(p: Peering, side: string, secrets: LinuxSecrets = {}, featuresOf?: FeaturesOf, host?: LinuxHost): LinuxRendered {
  const { me, friend } = sidesOf(p, side);
  const mine = p.sides[me]!;
  const theirs = p.sides[friend]!;
  if (mine.platform.os !== "linux") throw new LinuxRenderError(`${me} runs ${mine.platform.os}, not Linux: render it with its own platform`);
  const features = linuxBirdFeatures(mine.platform);
  if ("unsupported" in features) throw new LinuxRenderError(features.unsupported);
  for (const link of p.links) {
    const unsupported = linkKind(link.kind).unsupported(link, me, features);
    if (unsupported !== null) throw new LinuxRenderError(unsupported.message);
  }
  if (p.policy.mode !== "bgp") {
    throw new LinuxRenderError(`policy.mode ${p.policy.mode}: bgpals renders only BGP peerings for a Linux host so far; use "mode": "bgp" (BIRD fails over by itself)`);
  }
  refuseSymbolClashes(p, friend);
  refuseInterfaceNames(p, me);
  refuseSharedServerPorts(p, me);
  const ctx: Ctx = { p, me, friend, mine, theirs, secrets, host: host ?? null, files: [], commands: [], notes: [] };

  const tables = pathTables(ctx);
  const tunnelCommands = p.links.map((link) => (link.kind === "ovpn" ? renderOvpn(ctx, link, featuresOf) : renderWireguard(ctx, link, tables.get(link.name)!)));
  // The path first, then the tunnels: a tunnel given its endpoint before its path is in place sends
  // its first handshakes out of the default WAN, from that WAN's address, until WireGuard notices
  // the route changed (a strict ISP drops them; the friend learns the wrong endpoint meanwhile); an
  // OpenVPN client would dial out of the wrong WAN. The listener's answers are routed by their
  // link's table, and marked, before anyone reaches its port, too. BIRD keeps the paths' routes
  // (renderPaths), so BIRD takes its part before the tunnels; a BGP session waits for its tunnel.
  for (const link of p.links) renderPathRule(ctx, link, tables.get(link.name)!);
  renderNftables(ctx, tables);
  // The boot script replays the run-time part (BIRD reads its own files when its own unit starts it).
  const boot = renderBoot(ctx, tunnelCommands.flat());
  const filters = renderBird(ctx, tables);
  ctx.commands.push(...tunnelCommands.flat());
  const tunnels = [...new Set(p.links.map((l) => linkKind(l.kind).title))];
  return { peering: p.name, side: me, bird: mine.platform.bird, tunnels, files: ctx.files, commands: ctx.commands, tables: Object.fromEntries(tables), filters, notes: ctx.notes, host: ctx.host, boot };
}

/** What Linux takes as an interface name, kept to characters a shell and nftables read as plain text. */
const LINUX_INTERFACE = /^[A-Za-z0-9_.-]{1,15}$/;

/** Our WANs' interfaces go into commands and rules: anything but a plain Linux interface name is refused. */
function refuseInterfaceNames(p: Peering, me: string): void {
  for (const link of p.links) {
    const wan = link.wan[me]!;
    const name = p.sides[me]!.wans[wan]!.interface;
    if (!LINUX_INTERFACE.test(name) || name === "." || name === "..") {
      throw new LinuxRenderError(`sides.${me}.wans.${wan}.interface ${JSON.stringify(name)} is not a Linux interface name: 1 to 15 letters, digits, '.', '-' or '_' (as ip link shows it, e.g. eth0, enp1s0, ppp0, eth0.832)`);
    }
  }
}

/**
 * BIRD symbols turn `-` into `_`: two link names that differ only there would be one protocol; and
 * a link named like another's part ("path-isp1") would give two things of the include one name.
 */
function refuseSymbolClashes(p: Peering, friend: string): void {
  const symbols = new Map<string, string>();
  const interfaces = new Map<string, string>();
  const included = new Map<string, string>([[linuxNames.networksProtocol(p), "our networks"]]);
  for (const link of p.links) {
    const symbol = birdSymbol(link.name);
    const other = symbols.get(symbol);
    if (other !== undefined) throw new LinuxRenderError(`links ${other} and ${link.name} would have the same BIRD name (${symbol}): rename one of them`);
    symbols.set(symbol, link.name);
    const names = [linuxNames.bgpProtocol, linuxNames.inputFilter, linuxNames.outputFilter, linuxNames.pathBirdTable, linuxNames.pathProtocol, linuxNames.noPathProtocol, linuxNames.pathKernelProtocol];
    for (const name of names.map((of) => of(p, link.name))) {
      const owner = included.get(name);
      if (owner !== undefined) throw new LinuxRenderError(`link ${link.name} and ${owner} would share the BIRD name ${name}: rename link ${link.name}`);
      included.set(name, `link ${link.name}`);
    }
    const iface = linuxNames.tunnelInterface(link, friend);
    const sharing = interfaces.get(iface);
    if (sharing !== undefined) throw new LinuxRenderError(`links ${sharing} and ${link.name} would share the interface name ${iface}: rename one of them`);
    interfaces.set(iface, link.name);
  }
}

// --- WireGuard ------------------------------------------------------------------------------

/**
 * The tunnel's files (into ctx), and the commands that bring it up, for renderLinux to place after
 * the path's. `table`: the link's path table (pathTables); a listener's socket carries its number as a mark.
 */
function renderWireguard(ctx: Ctx, link: Link, table: number): HostCommand[] {
  const iface = linuxNames.tunnelInterface(link, ctx.friend);
  const keyFile = linuxNames.wireguardKey(iface);
  const mtu = link.mtu ?? WIREGUARD_MTU;
  const prefixLength = parsePrefix(link.subnet).length;
  const address = `${link.address[ctx.me]!}/${prefixLength}`;
  // WireGuard drops packets from sources outside allowed-ips: the friend's tunnel address and
  // everything BGP may bring from them, no more (as on RouterOS).
  const allowedIps = [`${link.address[ctx.friend]!}/32`, ...allowedOf(ctx.theirs).map((a) => a.prefix)].join(",");
  const listener = isListener(ctx, link);
  const endpoint = listener ? null : `${friendWan(ctx, link).endpoint!}:${link.port}`;
  const keepalive = listener ? null : String(Math.ceil((durationMs(link.keepalive ?? WIREGUARD_KEEPALIVE) ?? 25_000) / 1000));
  const psk = ctx.secrets.presharedKey?.[link.name];
  const pskFile = `/etc/wireguard/${iface}.psk`;
  const commands: HostCommand[] = [];

  const conf = [
    `# bgpals: WireGuard tunnel to ${ctx.friend} over ${link.name} (peering ${ctx.p.name})`,
    "# wg-quick style; the private key is made on this host and stays in its own file.",
    "[Interface]",
    // The initiator needs no fixed port: a random one never clashes with another peering's tunnel.
    ...(listener ? [`ListenPort = ${link.port}`, `FwMark = ${hex(table)}`] : []),
    `Address = ${address}`,
    `MTU = ${mtu}`,
    "# BIRD installs the routes through this tunnel; wg-quick must add none (AllowedIPs are not routes here).",
    "Table = off",
    `PostUp = wg set %i private-key ${keyFile}`,
    "",
    "[Peer]",
    `PublicKey = ${link.publicKey![ctx.friend]!}`,
    ...(psk !== undefined ? [`PresharedKey = ${psk}`] : []),
    `AllowedIPs = ${allowedIps}`,
    ...(endpoint !== null ? [`Endpoint = ${endpoint}`, `PersistentKeepalive = ${keepalive}`] : []),
    "",
  ].join("\n");
  ctx.files.push({ path: linuxNames.wireguardConfig(iface), mode: "0600", content: conf, why: `WireGuard tunnel to ${ctx.friend} over ${link.name}`, ...(psk !== undefined ? { secret: true } : {}) });
  if (psk !== undefined) {
    ctx.files.push({ path: pskFile, mode: "0600", content: `${psk}\n`, why: `the preshared key of the ${link.name} tunnel`, secret: true });
  } else {
    ctx.notes.push(`${iface} has no preshared key in this render: WireGuard's public keys alone authenticate the tunnel`);
  }

  commands.push({
    run: `umask 077 && test -s ${keyFile} || wg genkey > ${keyFile}`,
    why: `${iface}'s private key, made on this host (mode 0600); it never leaves it, only its public key does (wg pubkey < ${keyFile})`,
  });
  commands.push(
    ctx.host?.wireguardKernel
      ? { run: `ip link show dev ${iface} >/dev/null 2>&1 || ip link add dev ${iface} type wireguard`, why: `${iface} in the kernel (its WireGuard)` }
      : {
          run: `ip link show dev ${iface} >/dev/null 2>&1 || ${Object.entries(WIREGUARD_GO_ENV).map(([k, v]) => `${k}=${v}`).join(" ")} wireguard-go ${iface}`,
          why: `${iface} in userspace (wireguard-go), where the kernel has no WireGuard; with it: ip link add ${iface} type wireguard`,
        },
  );
  const peer = [`peer ${link.publicKey![ctx.friend]!}`];
  if (psk !== undefined) peer.push(`preshared-key ${pskFile}`);
  if (endpoint !== null) peer.push(`endpoint ${endpoint}`, `persistent-keepalive ${keepalive}`);
  peer.push(`allowed-ips ${allowedIps}`);
  // A listener's socket marks what it sends with the link's table, so even a packet sent from no
  // particular address (wireguard-go forgets the one it answered from when that address goes, or
  // never had one) is routed, and given its source address, by that table: out of the link's WAN.
  commands.push({
    run: `wg set ${iface} private-key ${keyFile}${listener ? ` listen-port ${link.port} fwmark ${hex(table)}` : ""} ${peer.join(" ")}`,
    why: listener
      ? `${ctx.friend}'s end of ${link.name}; ${ctx.friend} dials us, and what we send is marked ${hex(table)}, routed by table ${table}`
      : `${ctx.friend}'s end of ${link.name}; we dial ${friendWan(ctx, link).endpoint} and keep the path open`,
  });
  commands.push({ run: `ip address replace ${address} dev ${iface}`, why: `tunnel address on ${link.name}; a subnet, not a /32, so the BGP next hop is connected` });
  commands.push({ run: `ip link set dev ${iface} mtu ${mtu} up`, why: `${iface} up with the tunnel MTU` });
  return commands;
}

/** An OpenVPN link's files and notes; its commands are returned, to run once the path is in place. */
function renderOvpn(ctx: Ctx, link: Link, featuresOf: FeaturesOf | undefined): HostCommand[] {
  const parts = renderOvpnLink({ p: ctx.p, me: ctx.me, friend: ctx.friend, mine: ctx.mine, theirs: ctx.theirs, link, password: ctx.secrets.pppPassword?.[link.name], featuresOf });
  ctx.files.push(...parts.files);
  ctx.notes.push(...parts.notes);
  return parts.commands;
}

// --- Each link's path through its own WAN --------------------------------------------------

/**
 * A kernel table per link, distinct within the peering and from the other peerings' on the host
 * (a number from the names can meet another peering's: both then wrote one table and marked with one
 * number, and removing either took the other's rule);
 * on a listener link its number marks the answers too. A link keeps the table it has on the host
 * (its include file says) while no other peering has it, so a re-plan is stable whichever peering
 * came first. Listener links first, as when only they had one: a host applied before keeps its numbers.
 */
function pathTables(ctx: Ctx): Map<string, number> {
  const tables = new Map<string, number>();
  const own = linuxNames.birdInclude(ctx.p);
  const uses = ctx.host?.kernelTables ?? [];
  const used = new Set(uses.filter((u) => u.file !== own).map((u) => u.table));
  const current = new Map(uses.filter((u) => u.file === own).map((u) => [u.protocol, u.table]));
  for (const link of [...ctx.p.links.filter((l) => isListener(ctx, l)), ...ctx.p.links.filter((l) => !isListener(ctx, l))]) {
    const had = current.get(linuxNames.pathKernelProtocol(ctx.p, link.name));
    let table = had !== undefined && !used.has(had) ? had : linuxNames.pathTable(ctx.p, link.name);
    while (used.has(table)) table++;
    used.add(table);
    tables.set(link.name, table);
  }
  return tables;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * What goes by a link's table (renderPaths keeps its one route): the initiator's traffic to the
 * listener's endpoint, so "isp2" really rides ISP2 (as on RouterOS); the listener's answers to the
 * friend, marked as the friend's connection arrives on the link's WAN (renderNftables), because its
 * default route may leave by another WAN and that ISP drops answers from an address it never gave out.
 * Rules are kept by the kernel when a WAN goes down (routes through it are not: BIRD's come back).
 */
function renderPathRule(ctx: Ctx, link: Link, table: number): void {
  const wan = myWan(ctx, link);
  if (wan.gateway === undefined) ctx.notes.push(`the route keeping ${link.name} on ${wan.interface} has no gateway: right on a point-to-point or directly connected WAN; otherwise give sides.${ctx.me}.wans.${link.wan[ctx.me]}.gateway`);
  if (isListener(ctx, link)) {
    ctx.commands.push({ run: `ip rule del fwmark ${hex(table)} lookup ${table} 2>/dev/null; ip rule add fwmark ${hex(table)} lookup ${table}`, why: `answers to ${ctx.friend} on ${link.name} (marked ${hex(table)}) are routed by table ${table}: out of ${wan.interface}, where ${ctx.friend} reaches us, whatever the default route` });
    return;
  }
  const endpoint = friendWan(ctx, link).endpoint!;
  const dst = isIPv4(endpoint) ? `${endpoint}/32` : `"$(getent ahostsv4 ${quote(endpoint)} | awk 'NR==1 {print $1}')/32"`;
  ctx.commands.push({
    run: `ip rule del to ${dst} lookup ${table} 2>/dev/null; ip rule add to ${dst} lookup ${table}`,
    why: `traffic to ${ctx.friend}'s ${link.name} endpoint (${endpoint}) is routed by table ${table}: out of ${wan.interface}, and nowhere else while it is down`,
  });
  if (!isIPv4(endpoint)) ctx.notes.push(`${endpoint} is resolved once, when the rule routing ${link.name} by its table is written; if ${ctx.friend}'s address changes, apply again`);
}

/**
 * Each link's kernel table holds one default route, kept by BIRD: through the link's WAN while BIRD
 * sees it up, and unreachable (a lower preference) while it is down, so the tunnel never slips out
 * of another ISP. The kernel deletes a route through an interface that goes down (a PPPoE session
 * made again, a DHCP address renewed) and never puts it back; BIRD does, as soon as the WAN returns.
 */
function renderPaths(ctx: Ctx, tables: Map<string, number>): string[] {
  const lines: string[] = [];
  for (const link of ctx.p.links) {
    const wan = myWan(ctx, link);
    const table = linuxNames.pathBirdTable(ctx.p, link.name);
    // BIRD finds the gateway on the interface whose subnet holds it, the WAN's (`%<if>` would take
    // only a BIRD symbol, not eth0.832); while that interface is down, the gateway is nobody's.
    const via = wan.gateway !== undefined ? `via ${wan.gateway}` : `via "${wan.interface}"`;
    const what = isListener(ctx, link) ? `answers to ${ctx.friend} on ${link.name} leave` : `the ${link.name} tunnel to ${ctx.friend}'s endpoint leaves`;
    lines.push(
      `# ${link.name}'s path: ${what} through ${wan.interface}, by kernel table ${tables.get(link.name)!} (ip rule)`,
      `ipv4 table ${table};`,
      `protocol static ${linuxNames.pathProtocol(ctx.p, link.name)} {`,
      `\tipv4 { table ${table}; };`,
      `\troute 0.0.0.0/0 ${via};`,
      "}",
      `# While ${wan.interface} is down: nowhere, rather than out of another ISP.`,
      `protocol static ${linuxNames.noPathProtocol(ctx.p, link.name)} {`,
      `\tipv4 { table ${table}; preference 1; };`,
      "\troute 0.0.0.0/0 unreachable;",
      "}",
      `protocol kernel ${linuxNames.pathKernelProtocol(ctx.p, link.name)} {`,
      `\tipv4 { table ${table}; import none; export all; };`,
      `\tkernel table ${tables.get(link.name)!};`,
      "\tlearn off;",
      "}",
      "",
    );
  }
  return lines;
}

// --- nftables -------------------------------------------------------------------------------

function renderNftables(ctx: Ctx, marks: Map<string, number>): void {
  // A listener link's mark is its table's number (pathTables).
  const table = `inet ${linuxNames.nftTable}`;
  // nft reads a name that starts with a digit as a number: the prefix keeps every peering name a name.
  const chain = (role: string) => `bgpals-${ctx.p.name}-${role}`;
  const input: string[] = [];
  const forward: string[] = [];
  const prerouting: string[] = [];
  const output: string[] = [];
  const comment = (text: string) => `comment ${JSON.stringify(text.slice(0, 120))}`;
  for (const link of ctx.p.links) {
    const iface = linuxNames.tunnelInterface(link, ctx.friend);
    const wan = myWan(ctx, link).interface;
    const transport = linkKind(link.kind).transport(link);
    if (isListener(ctx, link)) {
      input.push(`iifname ${JSON.stringify(wan)} ${transport} dport ${link.port} accept ${comment(`${ctx.friend} reaches the ${link.name} tunnel on ${wan} only`)}`);
      const mark = marks.get(link.name)!;
      prerouting.push(`iifname ${JSON.stringify(wan)} ${transport} dport ${link.port} ct mark set ${hex(mark)} ${comment(`${ctx.friend}'s ${link.name} connection, marked as it arrives on ${wan}`)}`);
      // By the tunnel's own port, not only the connection's mark: when the WAN goes down,
      // wireguard-go answers from another source address (a new connection, unmarked), which the
      // main table would send out of the other ISP, and the friend would follow it there.
      output.push(`${transport} sport ${link.port} meta mark set ${hex(mark)} ${comment(`what the ${link.name} tunnel sends leaves through ${wan}, or nowhere while it is down`)}`);
    }
    input.push(`iifname ${JSON.stringify(iface)} tcp dport 179 accept ${comment(`BGP from ${ctx.friend}, on the ${link.name} tunnel only`)}`);
    forward.push(`oifname ${JSON.stringify(iface)} tcp flags syn tcp option maxseg size set rt mtu ${comment(`clamp TCP MSS to the ${link.name} tunnel's MTU`)}`);
  }
  const chains: Array<{ name: string; hook: string; rules: string[] }> = [
    { name: chain("input"), hook: "type filter hook input priority filter - 5; policy accept;", rules: input },
    { name: chain("forward"), hook: "type filter hook forward priority mangle; policy accept;", rules: forward },
  ];
  if (prerouting.length > 0) {
    chains.push({ name: chain("prerouting"), hook: "type filter hook prerouting priority mangle; policy accept;", rules: prerouting });
    // A route chain looks the route up again once the mark is set.
    chains.push({ name: chain("output"), hook: "type route hook output priority mangle; policy accept;", rules: output });
  }
  // Declaring the chains and flushing them first makes the file safe to load again: the chains
  // end up holding exactly these rules, and other peerings' chains in the table are left alone.
  const lines = [
    `# bgpals: peering ${ctx.p.name}, side ${ctx.me}: the tunnel port, BGP and MSS clamping (its own chains in table ${table})`,
    `table ${table} {`,
    ...chains.map((c) => `\tchain ${c.name} {\n\t\t${c.hook}\n\t}`),
    "}",
    ...chains.map((c) => `flush chain ${table} ${c.name}`),
    `table ${table} {`,
    ...chains.map((c) => [`\tchain ${c.name} {`, ...c.rules.map((r) => `\t\t${r}`), "\t}"].join("\n")),
    "}",
    "",
  ];
  const path = linuxNames.nftablesFile(ctx.p);
  ctx.files.push({ path, mode: "0644", content: lines.join("\n"), why: `firewall rules of the peering with ${ctx.friend}` });
  ctx.commands.push({ run: `nft -f ${path}`, why: `load the rules (table ${table}, chains ${chains.map((c) => c.name).join(", ")})` });
  ctx.notes.push(`nftables rules live in their own table: an input chain elsewhere that drops by policy still drops the tunnel port and BGP; accept them there too`);
}

// --- At boot --------------------------------------------------------------------------------

/** A key is never made anew at boot: a new one would not be the key the friend has (the tunnel's `wg set` fails without it, and says so). */
const madeOnceOnly = (run: string) => run.includes("wg genkey");

/**
 * Where systemd runs, a oneshot unit replays the run-time part (rules, nftables, tunnels, openvpn)
 * at boot from a script, in the apply's order; the files stay by themselves. Without
 * systemd the render says what a reboot takes away.
 */
function renderBoot(ctx: Ctx, tunnels: HostCommand[]): LinuxRendered["boot"] {
  if (ctx.host === null) return null;
  if (!ctx.host.systemd) {
    ctx.notes.push(`this host does not run systemd: the tunnels, the rules that route to ${ctx.friend} by each link's table, the nftables chains and any openvpn are made at run time and do NOT survive a reboot (the files do, and BIRD's own start reads its part, the links' routes with it); run bgpals apply again after one`);
    return null;
  }
  const unit = linuxNames.bootUnit(ctx.p.name);
  const unitFile = linuxNames.bootUnitFile(ctx.p.name);
  const script = linuxNames.bootScript(ctx.p.name);
  const lines = [
    "#!/bin/sh",
    `# bgpals: peering ${ctx.p.name}, side ${ctx.me}: what bgpals apply makes at run time, made again at boot by ${unit}.`,
    "# The apply's commands in its order (the rules to the friend before the tunnels); the private keys are never",
    "# made here, and BIRD reads its own files (bird.conf, the peering's include: each link's route) when its unit starts it.",
    `fail() { echo "${unit}: $1" >&2; exit 1; }`,
    ...[...ctx.commands, ...tunnels].filter((c) => !madeOnceOnly(c.run)).flatMap((c) => [`# ${c.why.replace(/\n/g, " ")}`, `${c.run} || fail ${quote(c.why.split(/[;(]/)[0]!.trim())}`]),
    "",
  ];
  ctx.files.push({ path: script, mode: "0755", content: lines.join("\n"), why: `what ${unit} runs at boot: the peering's rules, nftables chains and tunnels` });
  const unitText = [
    `# bgpals: peering ${ctx.p.name}, side ${ctx.me}: brings back at boot what bgpals apply made at run time (${script})`,
    "[Unit]",
    `Description=bgpals peering ${ctx.p.name} with ${ctx.friend}: rules, nftables chains, tunnels`,
    "Wants=network-online.target",
    // After nftables.service: its ruleset (flush ruleset) would take our chains away. After bird.service:
    // BIRD writes each link's route, which the tunnels need before they dial.
    "After=network-online.target nftables.service bird.service",
    "",
    "[Service]",
    "Type=oneshot",
    // The tunnels' processes (wireguard-go, openvpn) live on in the unit once the script ends.
    "RemainAfterExit=yes",
    `ExecStart=/bin/sh ${script}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
  ctx.files.push({ path: unitFile, mode: "0644", content: unitText, why: `systemd makes the peering's run-time part again at boot (enabled: systemctl enable ${unit})` });
  ctx.notes.push(`this host runs systemd: ${unit} (enabled, not started: what it makes is there already) makes the rules, nftables chains and tunnels again at boot from ${script}; the files stay by themselves, and BIRD's own unit reads its part (each link's route)`);
  return { unit, unitFile, script };
}

/** What an offline render (`bgpals render`) cannot know of the host, said once. */
export function offlineHostNotes(out: LinuxRendered): string[] {
  if (out.host !== null) return [];
  const notes: string[] = [];
  if (out.tunnels.includes(linkKind("wireguard").title)) notes.push("a host whose kernel has WireGuard gets ip link add <if> type wireguard instead of wireguard-go (bgpals plan and apply find out which)");
  notes.push(`on a host running systemd, bgpals apply also writes ${linuxNames.bootScript(out.peering)} and ${linuxNames.bootUnitFile(out.peering)} and enables it, so the rules, nftables chains and tunnels come back at boot (BIRD makes each link's route); without systemd they are made at run time and do NOT survive a reboot`);
  return notes;
}

// --- BIRD -----------------------------------------------------------------------------------

function seconds(text: string): number {
  return Math.max(1, Math.ceil((durationMs(text) ?? 0) / 1000));
}

function renderBird(ctx: Ctx, tables: Map<string, number>): BirdFilter[] {
  const { p } = ctx;
  const filters = peeringFilters({ p, me: ctx.me, friend: ctx.friend, inputName: (l) => linuxNames.inputFilter(p, l), outputName: (l) => linuxNames.outputFilter(p, l) });
  const lines: string[] = [
    `# bgpals: peering ${p.name}, side ${ctx.me} (AS${ctx.mine.asn}) with ${ctx.friend} (AS${ctx.theirs.asn})`,
    `# bgpals writes this file and nothing else of BIRD's configuration; bird.conf includes it (${BIRD_INCLUDE_LINE})`,
    "",
    `# Our networks come into BIRD while they are on an interface (as RouterOS announces a network only while it is routed).`,
    `protocol direct ${linuxNames.networksProtocol(p)} {`,
    `\tipv4 { import where net ~ [ ${ctx.mine.networks.join(", ")} ]; export none; };`,
    `\tinterface "*";`,
    "}",
    "",
    ...renderPaths(ctx, tables),
  ];
  for (const filter of filters) {
    lines.push(`filter ${filter.name} {`);
    for (const rule of filter.rules) lines.push(`\t# ${rule.why}`, `\t${ruleText(rule, ctx.mine.asn)}`);
    lines.push("}", "");
  }
  const hold = seconds(p.policy.timers.hold);
  const keepalive = Math.min(seconds(p.policy.timers.keepalive), Math.max(1, Math.floor(hold / 3)));
  for (const link of p.links) {
    const role = isPrimary(p, link) ? "primary" : "backup";
    lines.push(
      `# eBGP with ${ctx.friend} (AS${ctx.theirs.asn}) over ${link.name}, ${role}`,
      `protocol bgp ${linuxNames.bgpProtocol(p, link.name)} {`,
      `\tdescription "bgpals ${p.name} ${link.name} (${role})";`,
      `\tlocal ${link.address[ctx.me]!} as ${ctx.mine.asn};`,
      `\tneighbor ${link.address[ctx.friend]!} as ${ctx.theirs.asn};`,
      `\thold time ${hold};`,
      `\tkeepalive time ${keepalive};`,
      // A session that failed (a link dark past the hold time) is tried again after 5 s, not BIRD's
      // 60 (then up to 300), and a connect that got no answer after 5 s, not 120: when the link
      // returns, its session and the primary's routes are back within seconds, as on RouterOS.
      // Repeated failures still back off, to a minute.
      "\terror wait time 5, 60;",
      "\tconnect retry time 5;",
      "\tgraceful restart on;",
      "\tipv4 {",
      `\t\timport filter ${linuxNames.inputFilter(p, link.name)};`,
      `\t\texport filter ${linuxNames.outputFilter(p, link.name)};`,
      // Filtered routes stay visible (birdc show route filtered, bgpals why); the receive limit bounds them.
      "\t\timport keep filtered on;",
      // The cap counts every route received, filtered or not, as RouterOS's limit-process-routes does;
      // a friend past it is cut off until someone looks (birdc enable), as RouterOS holds the session down.
      `\t\treceive limit ${p.policy.maxPrefixes} action disable;`,
      `\t\timport limit ${p.policy.maxPrefixes} action disable;`,
      "\t\tnext hop self;",
      "\t};",
      "}",
      "",
    );
  }
  const path = linuxNames.birdInclude(p);
  ctx.files.push({ path, mode: "0644", content: lines.join("\n"), why: `BIRD's part of the peering with ${ctx.friend}` });
  ctx.commands.push({ run: `grep -qxF ${quote(BIRD_INCLUDE_LINE)} ${BIRD_CONF} || echo ${quote(BIRD_INCLUDE_LINE)} >> ${BIRD_CONF}`, why: "bird.conf includes every bgpals peering's file, once (BIRD refuses a protocol defined twice)" });
  ctx.commands.push({ run: "birdc configure check", why: "BIRD reads the new configuration without taking it" });
  ctx.commands.push({ run: "birdc configure", why: 'BIRD takes it; anything but "Reconfigured" means undo' });
  ctx.notes.push(`the friend's routes reach the kernel through bird.conf's own protocol kernel, which must export BGP routes (export all, or export where source = RTS_BGP)`);
  ctx.notes.push(`BIRD sees interfaces come and go through bird.conf's protocol device, which it must have (Debian's has one; BIRD allows one): each link's route follows its WAN`);
  ctx.notes.push(`BIRD's router id is bird.conf's: it should read router id ${ctx.mine.routerId}; (this side's routerId)`);
  return filters;
}
