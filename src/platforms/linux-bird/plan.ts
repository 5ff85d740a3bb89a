// A plan for a Linux host: the render's files and commands, less what the host already holds.
// Each change is one step apply makes and knows how to undo: a file written (or removed) beside a
// backup, a private key made on the host, a WireGuard interface made whole, a route, a rule, the
// peering's nftables chains loaded, BIRD reconfigured. A re-plan after apply is empty; a removal
// plans taking away exactly what these steps made.
import type { Change, Plan } from "../../core/plan.js";
import { linkKind } from "../../core/links/index.js";
import { sidesOf, type Peering } from "../../core/peering.js";
import type { HostRoute, HostState } from "./host-state.js";
import { linuxNames } from "./names.js";
import { BIRD_CONF, BIRD_INCLUDE_LINE, type LinuxRendered } from "./render/render.js";

/** What a peering puts on a host, as the render says it, in the words a plan compares. */
export interface Desired {
  files: LinuxRendered["files"];
  keys: string[];
  tunnels: Array<{ iface: string; commands: string[]; wg: WgSettings; address: string; mtu: number }>;
  /**
   * Routes an earlier bgpals wrote at run time (a pin in main, a listener's reply route) where BIRD
   * now keeps each link's route in its table: taken away, with their undo.
   */
  legacyRoutes: HostRoute[];
  /** `selector` as ip rule takes it ("to 198.51.100.2/32", "fwmark 0x4247..."); `key` as HostState names it. */
  rules: Array<{ key: string; selector: string; table: string }>;
  /** The links' kernel tables, whose routes (BIRD's) are the peering's. */
  tables: string[];
  nft: { file: string; chains: string[] };
  birdProtocols: string[];
  /** OpenVPN links: the process each runs, and the files whose change restarts it. */
  openvpn: Array<{ iface: string; config: string; start: string; files: string[] }>;
  /** The certificate files the OpenVPN links need, made before apply (makeCertificates, importFriendCa). */
  certificates: { needed: string[]; all: string[] };
  /** The peering's systemd unit, and whether this host gets it (systemd runs there); its files are in `files`. */
  boot: { unit: string; enabled: boolean };
  /** The host runs no systemd: the run-time part does not survive a reboot (the plan says so). */
  lostAtReboot: boolean;
}

export interface WgSettings {
  listenPort: string | null;
  /** The listener's socket mark, as wg prints it ("0x4247..."); null for an initiator. */
  fwmark: string | null;
  publicKey: string;
  endpoint: string | null;
  keepalive: string | null;
  allowedIps: string[];
}

const wgSetting = (line: string, key: string): string | null => {
  const words = line.split(/\s+/);
  const i = words.indexOf(key);
  return i < 0 ? null : (words[i + 1] ?? null);
};

/** The rule a render's `ip rule del ...; ip rule add <selector> lookup <table>` line makes. */
function parseRule(line: string): Desired["rules"][number] {
  const [, selector, table] = /ip rule add (.+) lookup (\d+)$/.exec(line)!;
  const key = selector!.startsWith("fwmark ") ? selector!.slice("fwmark ".length) : selector!;
  return { key, selector: selector!, table: table! };
}

/** What an earlier bgpals wrote at run time for each link's path (a pin route, a reply route); a name it resolved is not known. */
function legacyRoutesOf(peering: Peering, side: string, out: LinuxRendered): HostRoute[] {
  const { friend } = sidesOf(peering, side);
  return peering.links.flatMap((link) => {
    const wan = peering.sides[side]!.wans[link.wan[side]!]!;
    const route = { dev: wan.interface, gateway: wan.gateway ?? null };
    if (link.listener === side) return [{ dst: "default", table: String(out.tables[link.name]!), ...route }];
    const endpoint = peering.sides[friend]!.wans[link.wan[friend]!]!.endpoint!;
    return /^[\d.]+$/.test(endpoint) ? [{ dst: endpoint, table: "main", ...route }] : [];
  });
}

export function desiredOf(peering: Peering, side: string, out: LinuxRendered): Desired {
  const { friend } = sidesOf(peering, side);
  const commands = out.commands.map((c) => c.run);
  const tunnels = peering.links.filter((link) => link.kind !== "ovpn").map((link) => {
    const iface = linuxNames.tunnelInterface(link, friend);
    const mine = commands.filter((c) => !c.includes("wg genkey") && new RegExp(`(dev|set|wireguard-go) ${iface}( |$)`).test(c));
    const set = mine.find((c) => c.startsWith(`wg set ${iface} `))!;
    const address = /ip address replace (\S+)/.exec(mine.find((c) => c.startsWith("ip address replace"))!)![1]!;
    const mtu = Number(wgSetting(mine.find((c) => c.startsWith("ip link set"))!, "mtu"));
    return {
      iface,
      commands: mine,
      address,
      mtu,
      wg: {
        listenPort: wgSetting(set, "listen-port"),
        fwmark: wgSetting(set, "fwmark"),
        publicKey: wgSetting(set, "peer")!,
        endpoint: wgSetting(set, "endpoint"),
        keepalive: wgSetting(set, "persistent-keepalive"),
        allowedIps: wgSetting(set, "allowed-ips")!.split(",").sort(),
      },
    };
  });
  const ovpnLinks = peering.links.filter((link) => link.kind === "ovpn");
  const openvpn = ovpnLinks.map((link) => {
    const iface = linuxNames.tunnelInterface(link, friend);
    const start = commands.find((c) => c.includes(` --config ${linuxNames.openvpnConfig(iface)}`))!;
    const files = out.files.map((f) => f.path).filter((path) => path.startsWith(`/etc/openvpn/${iface}.`));
    return { iface, config: linuxNames.openvpnConfig(iface), start, files };
  });
  const certs = linuxNames.certificates(peering.name);
  const needed = new Set<string>();
  for (const link of ovpnLinks) {
    const listener = link.listener === side;
    needed.add(certs.friendCa);
    if (listener) [certs.server, certs.serverKey].forEach((f) => needed.add(f));
    else if (link.requireClientCertificate ?? true) [certs.client, certs.clientKey].forEach((f) => needed.add(f));
  }
  const nftLine = commands.find((c) => c.startsWith("nft -f "))!;
  const nftFile = out.files.find((f) => f.path === nftLine.slice("nft -f ".length))!;
  return {
    files: out.files,
    keys: commands.filter((c) => c.includes("wg genkey")).map((c) => /> (\S+)$/.exec(c)![1]!),
    tunnels,
    legacyRoutes: legacyRoutesOf(peering, side, out),
    rules: commands.filter((c) => c.startsWith("ip rule")).map(parseRule),
    tables: Object.values(out.tables).map(String).sort(),
    nft: { file: nftFile.path, chains: [...nftFile.content.matchAll(/^\tchain (\S+) \{$/gm)].map((m) => m[1]!).filter((c, i, all) => all.indexOf(c) === i).sort() },
    birdProtocols: [
      linuxNames.networksProtocol(peering),
      ...peering.links.flatMap((l) => [linuxNames.bgpProtocol, linuxNames.pathProtocol, linuxNames.noPathProtocol, linuxNames.pathKernelProtocol].map((of) => of(peering, l.name))),
    ].sort(),
    openvpn,
    // A peering with OpenVPN links owns all of its certificate files: a removal takes them too.
    certificates: { needed: [...needed].sort(), all: ovpnLinks.length === 0 ? [] : Object.values(certs) },
    boot: { unit: linuxNames.bootUnit(peering.name), enabled: out.boot !== null },
    lostAtReboot: out.host !== null && !out.host.systemd,
  };
}

/** Every path a plan reads by hash (the files it writes, bird.conf) and by existence only (keys). */
export const watchedFiles = (d: Desired) => ({ hashed: [...d.files.map((f) => f.path), BIRD_CONF], probed: [...d.keys, ...d.certificates.all], tables: d.tables });

/** The certificates an apply needs that the host lacks (they are made before: bgpals offer / accept). */
export const missingCertificates = (d: Desired, state: HostState): string[] => d.certificates.needed.filter((path) => !state.present[path]);

/** What the host has that differs from one tunnel as it should be ("" when none). */
function tunnelDifference(state: HostState, t: Desired["tunnels"][number]): string {
  const wg = state.wireguard[t.iface];
  if (wg === undefined) return `${t.iface} is missing`;
  const link = state.links[t.iface];
  if (link === undefined || !link.up) return `${t.iface} is down`;
  if (link.mtu !== t.mtu) return `${t.iface} has MTU ${link.mtu}, not ${t.mtu}`;
  if (!link.addresses.includes(t.address)) return `${t.iface} lacks ${t.address}`;
  if (t.wg.listenPort !== null && wg.listenPort !== t.wg.listenPort) return `${t.iface} listens on ${wg.listenPort}, not ${t.wg.listenPort}`;
  if (t.wg.fwmark !== null && Number(wg.fwmark) !== Number(t.wg.fwmark)) return `${t.iface} marks what it sends ${wg.fwmark || "off"}, not ${t.wg.fwmark}`;
  const peer = wg.peers[0];
  if (wg.peers.length !== 1 || peer === undefined || peer.publicKey !== t.wg.publicKey) return `${t.iface}'s peer is not the friend's key`;
  if (peer.allowedIps.join(",") !== t.wg.allowedIps.join(",")) return `${t.iface} allows ${peer.allowedIps.join(",")}`;
  // A name the render left for the host to resolve is compared by what it holds after apply only when it is an address.
  if (t.wg.endpoint !== null && /^[\d.]+:\d+$/.test(t.wg.endpoint) && peer.endpoint !== t.wg.endpoint) return `${t.iface} dials ${peer.endpoint ?? "nobody"}`;
  if (t.wg.keepalive !== null && peer.keepalive !== t.wg.keepalive) return `${t.iface} keeps alive every ${peer.keepalive || "never"}`;
  return "";
}

/** The priority of the rule that routes by the link's table, if the host has it. */
const ruleAt = (state: HostState, rule: Desired["rules"][number]): string | undefined => state.rules.find((r) => r.startsWith(`${rule.key}/${rule.table}@`))?.split("@")[1];

/** A legacy route the host holds as bgpals wrote it (not BIRD's, which looks the same in a link's table). */
const legacyThere = (state: HostState, route: HostRoute): HostRoute | undefined => {
  const have = state.routes.find((r) => r.dst === route.dst && r.table === route.table && r.bird === undefined);
  return have !== undefined && sameRoute(have, route) ? have : undefined;
};

/** A rule's change: the line that makes it (or takes it away) and what its undo needs. */
const ruleChange = (op: "add" | "remove", rule: Desired["rules"][number], priority?: string): Change => ({
  op,
  path: `rule/${rule.key}`,
  role: "rule",
  attrs: { selector: rule.selector, table: rule.table, ...(priority !== undefined ? { priority } : {}) },
  summary: `ip rule ${op === "add" ? "add" : "del"} ${rule.selector} lookup ${rule.table}`,
  reason: rule.selector.startsWith("fwmark ")
    ? `packets marked ${rule.key} (a listener's answers) are routed by table ${rule.table}, whose route BIRD keeps through the link's WAN`
    : `traffic ${rule.selector} (the friend's endpoint) is routed by table ${rule.table}, whose route BIRD keeps through the link's WAN`,
});

const sameRoute = (a: HostRoute, b: HostRoute) => a.dst === b.dst && a.table === b.table && a.dev === b.dev && (a.gateway ?? "") === (b.gateway ?? "");
const routeLine = (verb: "replace" | "del", r: HostRoute) => `ip route ${verb} ${r.dst === "default" || r.dst.includes("/") ? r.dst : `${r.dst}/32`}${r.gateway ? ` via ${r.gateway}` : ""} dev ${r.dev} table ${r.table}`;

export const sha256 = async (text: string): Promise<string> => (await import("node:crypto")).createHash("sha256").update(text).digest("hex");

const linesOf = (text: string): string[] => {
  const lines = text.split("\n");
  return lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
// A plan's text says what changes in a file, not all of it (JSON keeps the contents).
const SHOWN_LINES = 3;

/**
 * A file change for people: a new file by its size; a file whose old text the plan read (bird.conf)
 * by the lines that come and go, a few of them; any other by its size (only its hash was read).
 */
export function fileSummary(op: Change["op"], path: string, content: string | null, was: string | null | undefined, secret = false): string {
  if (op === "remove") return `remove ${path} (kept aside until the run holds)`;
  const lines = linesOf(content ?? "");
  const size = `${plural(lines.length, "line")}${secret ? ", secret" : ""}`;
  if (op === "add") return `write ${path} (new, ${size})`;
  if (was === undefined || was === null || secret) return `rewrite ${path} (${size}; what is there differs)`;
  // Lines in one and not the other, counted: what bgpals changes in a file is lines added or dropped.
  const counts = new Map<string, number>();
  for (const l of linesOf(was)) counts.set(l, (counts.get(l) ?? 0) + 1);
  const added: string[] = [];
  for (const l of lines) {
    const n = counts.get(l) ?? 0;
    if (n > 0) counts.set(l, n - 1);
    else added.push(`+${l}`);
  }
  const dropped = [...counts.entries()].flatMap(([l, n]) => Array.from({ length: n }, () => `-${l}`));
  const changed = [...dropped, ...added];
  const shown = changed.slice(0, SHOWN_LINES).join(" | ");
  return `edit ${path}: ${shown}${changed.length > SHOWN_LINES ? ` (and ${changed.length - SHOWN_LINES} more)` : ""}`;
}

/** A WireGuard interface as a plan shows it: its address, MTU and the friend's end. */
const tunnelSummary = (t: Desired["tunnels"][number]) =>
  `make ${t.iface}: ${t.address}, MTU ${t.mtu}, ${t.wg.listenPort !== null ? `listens on ${t.wg.listenPort}` : `dials ${t.wg.endpoint ?? "the friend"}`}, peer ${t.wg.publicKey}`;

/** bird.conf with the include line once (null: it already has it). */
function birdConfWithInclude(conf: string | null): string | null {
  const text = conf ?? "";
  if (text.split("\n").some((l) => l.trim() === BIRD_INCLUDE_LINE)) return null;
  return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${BIRD_INCLUDE_LINE}\n`;
}

async function someFileDiffers(d: Desired, state: HostState, paths: readonly string[]): Promise<boolean> {
  for (const file of d.files.filter((f) => paths.includes(f.path))) {
    if ((state.files[file.path] ?? null) !== (await sha256(file.content))) return true;
  }
  return false;
}

/**
 * What each kind of change is listed under in the plan people read (its path is bgpals's key for
 * it, "route/main/198.51.100.2", not a place on the host to read), in the render's words.
 */
const HEADINGS: Record<string, string> = {
  key: "keys and certificates",
  file: "files",
  route: "routes and rules",
  rule: "routes and rules",
  nft: "nftables",
  wireguard: linkKind("wireguard").title,
  openvpn: linkKind("ovpn").title,
  bird: "BIRD",
  systemd: "systemd (at boot)",
};
const headed = (changes: Change[]): Plan => ({ changes: changes.map((c) => ({ ...c, heading: HEADINGS[c.role] ?? c.role })), conflicts: [] });

/** The changes that make the host hold the peering's side. */
export async function planApply(d: Desired, state: HostState, birdSocket: string): Promise<Plan> {
  const changes: Change[] = [];
  let bird = false;
  // An openvpn whose files change is stopped before they do and started after: an undo starts the old one on the old files.
  const restarts = new Set<string>();
  for (const o of d.openvpn) {
    const running = state.openvpn.includes(o.config);
    const changed = await someFileDiffers(d, state, o.files);
    if (running && changed) {
      restarts.add(o.iface);
      changes.push({ op: "remove", path: `openvpn/${o.iface}`, role: "openvpn", attrs: { config: o.config, start: o.start }, summary: `stop openvpn (${o.iface}) while its files change`, reason: `${o.iface}'s files change: openvpn stops, and starts again on the new ones` });
    }
    if (!running || changed) restarts.add(o.iface);
  }
  for (const key of d.keys) {
    if (!state.present[key]) changes.push({ op: "add", path: key, role: "key", attrs: {}, summary: `make ${key} on the host (wg genkey)`, reason: "the tunnel's private key, made on the host (wg genkey, mode 0600); it never leaves it" });
  }
  for (const file of d.files) {
    const have = state.files[file.path] ?? null;
    if (have === (await sha256(file.content))) continue;
    const op = have === null ? "add" : "set";
    changes.push({ op, path: file.path, role: "file", attrs: { content: file.content, mode: file.mode }, summary: fileSummary(op, file.path, file.content, null, file.secret === true), reason: file.why, ...(file.secret ? { secret: ["content"] } : {}) });
    if (file.path.startsWith("/etc/bird/")) bird = true;
  }
  const conf = birdConfWithInclude(state.birdConf);
  if (conf !== null) {
    const op = state.birdConf === null ? "add" : "set";
    changes.push({ op, path: BIRD_CONF, role: "file", attrs: { content: conf, mode: "0644" }, summary: fileSummary(op, BIRD_CONF, conf, state.birdConf), reason: `bird.conf includes every bgpals peering's file, once (${BIRD_INCLUDE_LINE})` });
    bird = true;
  }
  for (const rule of d.rules) {
    if (ruleAt(state, rule) !== undefined) continue;
    changes.push(ruleChange("add", rule));
  }
  const chainsThere = d.nft.chains.filter((c) => state.nftChains?.includes(c));
  const nftFileChanged = changes.some((c) => c.path === d.nft.file);
  if (chainsThere.length !== d.nft.chains.length || nftFileChanged) {
    changes.push({ op: chainsThere.length === 0 ? "add" : "set", path: `nft/${d.nft.file}`, role: "nft", attrs: { file: d.nft.file, chains: JSON.stringify(d.nft.chains), existed: chainsThere.length > 0 ? "1" : "", table: state.nftChains === null ? "" : "1" }, summary: `nft -f ${d.nft.file} (chains ${d.nft.chains.join(", ")})`, reason: `the peering's chains in table inet bgpals (nft -f ${d.nft.file})` });
  }
  const protocols = state.birdProtocols ?? [];
  // BIRD before the tunnels: it keeps each link's route (a BGP session waits for its tunnel).
  if (bird || d.birdProtocols.some((p) => !protocols.includes(p))) {
    changes.push({ op: "set", path: "bird/configure", role: "bird", attrs: { socket: birdSocket }, summary: "birdc configure check, then birdc configure", reason: 'BIRD checks and takes the configuration (birdc configure check, then configure); anything but "Reconfigured" undoes' });
  }
  // What an earlier bgpals wrote at run time for the paths goes once BIRD keeps them.
  for (const route of d.legacyRoutes) {
    const have = legacyThere(state, route);
    if (have !== undefined) changes.push({ op: "remove", path: `route/${route.table}/${route.dst}`, role: "route", attrs: { line: routeLine("del", have), undo: routeLine("replace", have) }, summary: routeLine("del", have), reason: `written at run time by an earlier bgpals; BIRD keeps the link's route in the link's table now` });
  }
  // The tunnels last: each is given the friend's endpoint only once the path to it is in place and the
  // listener's answers are routed (render.ts says why).
  for (const t of d.tunnels) {
    const difference = tunnelDifference(state, t);
    if (difference === "") continue;
    // An interface that is there but differs is made again whole: its settings are all ours.
    if (state.wireguard[t.iface] !== undefined || state.links[t.iface] !== undefined) {
      changes.push({ op: "remove", path: `wireguard/${t.iface}`, role: "wireguard", attrs: {}, summary: `delete ${t.iface}`, reason: `${difference}: made again` });
    }
    changes.push({ op: "add", path: `wireguard/${t.iface}`, role: "wireguard", attrs: { commands: JSON.stringify(t.commands) }, summary: tunnelSummary(t), reason: `the WireGuard tunnel ${t.iface}${difference.endsWith("missing") ? "" : ` (${difference})`}${untilReboot(d)}` });
  }
  for (const o of d.openvpn) {
    if (!restarts.has(o.iface)) continue;
    changes.push({ op: "add", path: `openvpn/${o.iface}`, role: "openvpn", attrs: { config: o.config, start: o.start }, summary: `openvpn --daemon --config ${o.config} (${o.iface})`, reason: `the OpenVPN tunnel ${o.iface} (openvpn --daemon, pid file ${o.start.split(" --writepid ")[1]!.split(" ")[0]})${untilReboot(d)}` });
  }
  // Last: enabled, not started (what it makes is there now); at boot it makes it again.
  if (d.boot.enabled && !state.bootUnits.includes(d.boot.unit)) {
    changes.push({ op: "add", path: `systemd/${d.boot.unit}`, role: "systemd", attrs: { unit: d.boot.unit }, summary: `systemctl enable ${d.boot.unit}`, reason: "systemd makes the peering's routes, rules, nftables chains and tunnels again at boot" });
  }
  return headed(changes);
}

/** Said of what a host without systemd loses at a reboot. */
const untilReboot = (d: Desired) => (d.lostAtReboot ? "; made at run time: the host runs no systemd, so a reboot takes it away (bgpals apply makes it again)" : "");

/** The changes that take away exactly what the peering's apply made. */
export async function planRemove(d: Desired, state: HostState, birdSocket: string, peeringInclude: string): Promise<Plan> {
  const changes: Change[] = [];
  const has = (path: string) => (state.files[path] ?? null) !== null;
  const includeName = peeringInclude.split("/").pop()!;
  let bird = false;
  // First: nothing of the peering is started at boot any more, whatever happens next.
  if (state.bootUnits.includes(d.boot.unit)) {
    changes.push({ op: "remove", path: `systemd/${d.boot.unit}`, role: "systemd", attrs: { unit: d.boot.unit }, summary: `systemctl disable ${d.boot.unit}`, reason: "systemd no longer makes the peering again at boot" });
  }
  if (has(peeringInclude)) {
    changes.push({ op: "remove", path: peeringInclude, role: "file", attrs: {}, summary: fileSummary("remove", peeringInclude, null, null), reason: "BIRD's part of the peering" });
    bird = true;
  }
  // The include line goes with the last bgpals peering's file; others still need it.
  const others = state.birdIncludes.filter((name) => name !== includeName);
  if (others.length === 0 && state.birdConf !== null && state.birdConf.split("\n").some((l) => l.trim() === BIRD_INCLUDE_LINE)) {
    const content = state.birdConf.split("\n").filter((l) => l.trim() !== BIRD_INCLUDE_LINE).join("\n");
    changes.push({ op: "set", path: BIRD_CONF, role: "file", attrs: { content, mode: "0644" }, summary: fileSummary("set", BIRD_CONF, content, state.birdConf), reason: "no bgpals peering is left: bird.conf's include line goes" });
    bird = true;
  }
  const protocols = state.birdProtocols ?? [];
  if (bird || d.birdProtocols.some((p) => protocols.includes(p))) {
    changes.push({ op: "set", path: "bird/configure", role: "bird", attrs: { socket: birdSocket }, summary: "birdc configure", reason: "BIRD drops the peering's protocols (birdc configure)" });
  }
  // Apply's order reversed: the tunnels go before the path that pinned them.
  for (const t of d.tunnels) {
    if (state.wireguard[t.iface] !== undefined || state.links[t.iface] !== undefined) {
      changes.push({ op: "remove", path: `wireguard/${t.iface}`, role: "wireguard", attrs: { commands: JSON.stringify(t.commands) }, summary: `delete ${t.iface}`, reason: `the WireGuard tunnel ${t.iface}` });
    }
  }
  const chainsThere = d.nft.chains.filter((c) => state.nftChains?.includes(c));
  if (chainsThere.length > 0) {
    // The table goes too when nothing else is in it.
    const lastInTable = (state.nftChains ?? []).every((c) => d.nft.chains.includes(c));
    changes.push({ op: "remove", path: `nft/${d.nft.file}`, role: "nft", attrs: { file: d.nft.file, chains: JSON.stringify(chainsThere), table: lastInTable ? "drop" : "" }, summary: `nft delete chain inet bgpals ${chainsThere.join(", ")}${lastInTable ? "; then the table" : ""}`, reason: "the peering's chains in table inet bgpals" });
  }
  for (const rule of d.rules) {
    const priority = ruleAt(state, rule);
    if (priority !== undefined) changes.push(ruleChange("remove", rule, priority));
  }
  // BIRD takes the links' routes away with the include; a route an earlier bgpals wrote goes here.
  for (const route of d.legacyRoutes) {
    const have = legacyThere(state, route);
    if (have !== undefined) changes.push({ op: "remove", path: `route/${route.table}/${route.dst}`, role: "route", attrs: { line: routeLine("del", have), undo: routeLine("replace", have) }, summary: routeLine("del", have), reason: `the route to ${route.dst} (table ${route.table}), written by an earlier bgpals` });
  }
  for (const o of d.openvpn) {
    if (state.openvpn.includes(o.config)) changes.push({ op: "remove", path: `openvpn/${o.iface}`, role: "openvpn", attrs: { config: o.config, start: o.start }, summary: `stop openvpn (${o.iface})`, reason: `the OpenVPN tunnel ${o.iface} (openvpn stops; its tun device goes with it)` });
  }
  for (const file of d.files) {
    if (file.path !== peeringInclude && has(file.path)) changes.push({ op: "remove", path: file.path, role: "file", attrs: {}, summary: fileSummary("remove", file.path, null, null), reason: file.why });
  }
  for (const key of d.keys) {
    if (state.present[key]) changes.push({ op: "remove", path: key, role: "key", attrs: {}, summary: `remove ${key} (kept aside until the run holds)`, reason: "the tunnel's private key" });
  }
  for (const path of d.certificates.all) {
    if (state.present[path]) changes.push({ op: "remove", path, role: "key", attrs: {}, summary: `remove ${path} (kept aside until the run holds)`, reason: path.endsWith(".key") ? "an OpenVPN private key made on the host" : "an OpenVPN certificate of the peering" });
  }
  return headed(changes);
}
