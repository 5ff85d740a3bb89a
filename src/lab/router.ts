// One simulated router: a config store seeded from its personality, an API server (TCP and TLS),
// RouterOS 7 writes checked against the real command tree of its version, and the dataplane's
// state projected back into the menus a monitor reads.
import { checkCommand, menuExists } from "./schema.js";
import { v6Arguments } from "./schema-v6.js";
import { certificateCommands, printIntoFile, type CertificateKeys } from "./certificates.js";
import { factoryItems, grantedPolicies, menuDescriptors } from "./menus.js";
import { BulkProjection } from "./bulk-projection.js";
import { Budget, MAX_BULK_ROUTES, TABLE_AS_PATHS, tablePrefix, type BulkGroup } from "./model/bulk.js";
import type { RouteState, RouterSnapshot } from "./model/dataplane.js";
import type { Item, RouterView } from "./model/types.js";
import type { Personality } from "./personalities.js";
import { ApiServer, type ApiRequest, type ApiUser, type CommandHandler, type Reply } from "./protocol/server.js";
import { TrapCategory } from "./protocol/traps.js";
import { createStoreHandler } from "./store/commands.js";
import { ConfigStore, V6_MESSAGES, V7_MESSAGES } from "./store/store.js";
import { printDuration } from "./duration.js";
import { menuLine, scriptValue } from "./script.js";
import { routerOs } from "./versions.js";
import { readDuration } from "./duration.js";
import { addressInPrefix, isIPv4, parseAddress, parsePrefix, readAddress, readPrefix } from "./ipv4.js";
import { isTrue } from "./model/types.js";
import { runScript } from "./scripting.js";

/** Attributes that are state, not configuration: left out of exports and "before/after" comparisons. */
export const STATE_ATTRIBUTES = new Set([
  "running", "active", "inactive", "last-handshake", "rx", "tx", "current-endpoint-address", "current-endpoint-port",
  "state", "uptime", "prefix-count", "established", "last-error", "limit-exceeded", "updates-received", "updates-sent", "remote-id",
  "run-count", "next-run", "last-started",
]);

const MASK = "********";
/** Commands a router remembers for its request log. */
const REQUEST_LOG = 10_000;

const WRITE_VERBS = new Set(["add", "set", "remove", "unset", "enable", "disable", "move", "sign", "import", "export-certificate"]);
// Commands beyond add/set whose arguments RouterOS 7 checks against its command tree.
const SCHEMA_CHECKED_VERBS = new Set(["add", "set", "sign", "import", "export-certificate"]);

const TUNNEL_MENUS: Record<string, string> = {
  "/interface/wireguard": "wg",
  "/interface/ovpn-client": "ovpn-out",
  "/interface/ovpn-server": "ovpn-in",
};

export interface LabRouterOptions {
  host: string;
  port: number;
  tlsPort: number | null;
  /** Commands of the lab's fault menu, answered by the lab that owns this router. */
  labCommands: Readonly<Record<string, CommandHandler>>;
  /** What the router's DNS answers for a name (the lab's names), or null. */
  resolve?: (name: string) => string | null;
}

export class LabRouter {
  readonly name: string;
  readonly version: string;
  readonly user: string;
  readonly password: string;
  readonly store: ConfigStore;
  readonly server: ApiServer;
  /** WireGuard private keys, kept out of the store: the API shows them masked. */
  readonly privateKeys = new Map<string, string>();
  /** Certificate keys and PEMs by certificate id: RouterOS never prints a private key. */
  readonly certificateKeys = new Map<string, CertificateKeys>();
  /** Passwords of users added through `/user`, by name (never printed). */
  readonly userPasswords = new Map<string, string>();
  /**
   * A fault on the k-th API write from now (1-based): `trap` refuses it, `drop` performs it and
   * then drops the connection before the client hears back.
   */
  writeFault: { at: number; kind: "trap" | "drop" } | null = null;
  /** The last REQUEST_LOG commands this router was sent, oldest first: what a client asked for, for tests. */
  readonly requests: ApiRequest[] = [];
  private writesSeen = 0;
  /** A callback after the k-th API write from now (see afterWrite). */
  private writeHook: { at: number; callback: (command: string) => void | Promise<void> } | null = null;
  private hookWritesSeen = 0;
  /** While a write hook runs, later writes wait here. */
  private writeGate: Promise<void> | null = null;
  /** Ids of items the dataplane created (dynamic addresses, routes, sessions), per menu. */
  private projected = new Map<string, Map<string, string>>();
  /** The routes of /ip/route that are not bulk (configured, connected, BGP from peers' networks): what the dataplane reads. */
  private readonly routes = new Set<string>();
  /** Bulk routes (a leak received, an upstream table) written a slice per tick. */
  private readonly bulk: BulkProjection;
  private bulkWriting = false;
  /** The upstream table `/lab/table` gave this router, if any. */
  private table: BulkGroup | null = null;
  /** The bulk groups of the last projection. */
  private bulkGroups: readonly BulkGroup[] = [];
  /** `:global` variables of this router's scripts. */
  readonly globals = new Map<string, string>();
  /** What scripts wrote with `:log` (and why a script stopped), oldest first. */
  readonly log: string[] = [];
  /** Lab time each enabled scheduler item runs next, by id. */
  private readonly nextRuns = new Map<string, number>();
  /**
   * What each WireGuard peer's endpoint name resolved to when it was set: WireGuard resolves a name
   * once and keeps the address (a name that did not resolve is tried again).
   */
  private readonly wireguardEndpoints = new Map<string, { name: string; address: string | null }>();
  private readonly resolveName: (name: string) => string | null;

  constructor(personality: Personality, options: LabRouterOptions) {
    this.name = personality.name;
    this.version = personality.version;
    this.resolveName = (name) => (isIPv4(name) ? name : (options.resolve?.(name.toLowerCase()) ?? null));
    this.user = personality.user;
    this.password = personality.password;
    const os = routerOs(this.version);
    if (os === null) throw new Error(`the lab does not model RouterOS ${this.version}`);
    this.store = new ConfigStore({ messages: os.v6 ? V6_MESSAGES : V7_MESSAGES });
    const factory = factoryItems(this.version);
    for (const descriptor of menuDescriptors(this.version, this.privateKeys, { certificates: this.certificateKeys, userPasswords: this.userPasswords })) {
      this.store.register(descriptor, [...(factory[descriptor.path] ?? []), ...(personality.menus[descriptor.path] ?? [])]);
    }
    for (const path of Object.keys(personality.menus)) {
      if (this.store.menu(path) === undefined) throw new Error(`personality ${this.name} seeds ${path}, a menu the lab does not model`);
    }
    this.trackTunnelInterfaces();
    this.bulk = new BulkProjection(() => this.store.at("/ip/route"), os.v6);
    this.trackRoutes();
    const routerCommands = certificateCommands({ store: this.store, version: this.version, keys: this.certificateKeys });
    const storeHandler = createStoreHandler(this.store, { commands: { ...routerCommands, ...options.labCommands } });
    const withFiles: CommandHandler = os.v6 ? (request, reply) => (printIntoFile(this.store, request, reply) ? undefined : storeHandler(request, reply)) : storeHandler;
    const builtIn: ApiUser[] = [
      { name: personality.user, password: personality.password, group: "full" },
      { name: "monitor", password: `${personality.password}-ro`, group: "read" },
    ];
    this.server = new ApiServer({
      handler: this.logged(this.faulty(os.v6 ? this.v6Checked(withFiles) : this.schemaChecked(this.showingSecrets(withFiles)))),
      users: () => [...builtIn, ...this.addedUsers(builtIn)],
      host: options.host,
      port: options.port,
      tlsPort: options.tlsPort,
      // RouterOS 7.18 and later answer an empty print with !empty.
      emptyReplies: os.emptyReplies,
    });
  }

  /**
   * Users added through `/user`, with what their group's policy lets them do over the API: no
   * `api` policy, no login; no `write` policy, read only.
   */
  private addedUsers(builtIn: readonly ApiUser[]): ApiUser[] {
    const out: ApiUser[] = [];
    for (const user of this.store.at("/user").list()) {
      const name = user.name ?? "";
      if (builtIn.some((b) => b.name === name) || user.disabled === "true") continue;
      const policy = grantedPolicies(this.store.at("/user/group").find({ name: user.group ?? "" })[0]?.policy);
      if (!policy.has("api")) continue;
      const group = !policy.has("write") ? "read" : policy.has("policy") ? "full" : "write";
      out.push({ name, password: this.userPasswords.get(name) ?? "", group });
    }
    return out;
  }

  /** What the dataplane reads: the current configuration, one list per menu. */
  view(): RouterView {
    const cache = new Map<string, Item[]>();
    return {
      name: this.name,
      version: this.version,
      endpointAddress: (peer) => this.wireguardEndpoint(peer),
      items: (path) => {
        let items = cache.get(path);
        if (items === undefined) {
          const menu = this.store.menu(path);
          items = menu === undefined ? [] : menu.singleton ? [menu.get()!] : path === "/ip/route" ? this.smallRoutes() : menu.list();
          cache.set(path, items);
        }
        return items;
      },
    };
  }

  /** The address a WireGuard peer sends to: its endpoint-address, a name resolved once. */
  private wireguardEndpoint(peer: Item): string | null {
    const name = peer["endpoint-address"] ?? "";
    if (isIPv4(name)) return name;
    const id = peer[".id"] ?? "";
    const known = this.wireguardEndpoints.get(id);
    if (known !== undefined && known.name === name && known.address !== null) return known.address;
    const address = this.resolveName(name);
    this.wireguardEndpoints.set(id, { name, address });
    return address;
  }

  /**
   * Runs the scheduler: every enabled item with an interval runs its on-event (a script's name, or
   * a script itself) one interval after it was added, then every interval, on the lab clock.
   */
  runSchedulers(now: number): void {
    const scheduler = this.store.at("/system/scheduler");
    const seen = new Set<string>();
    for (const item of scheduler.list()) {
      const id = item[".id"]!;
      seen.add(id);
      const interval = readDuration(item.interval) ?? 0;
      if (isTrue(item.disabled) || interval <= 0) {
        this.nextRuns.delete(id);
        continue;
      }
      const next = this.nextRuns.get(id);
      if (next === undefined) {
        this.nextRuns.set(id, now + interval);
        continue;
      }
      if (now < next) continue;
      this.nextRuns.set(id, next + (Math.floor((now - next) / interval) + 1) * interval);
      this.runEvent(item.name ?? id, item["on-event"] ?? "");
      if (scheduler.get(id) !== undefined) scheduler.set([id], { "run-count": String(Number(item["run-count"] ?? "0") + 1) }, "system");
    }
    for (const id of this.nextRuns.keys()) if (!seen.has(id)) this.nextRuns.delete(id);
  }

  private runEvent(scheduled: string, onEvent: string): void {
    const script = this.store.menu("/system/script")?.find({ name: onEvent })[0];
    try {
      runScript({ store: this.store, resolve: this.resolveName, globals: this.globals, log: (topic, message) => this.log.push(`${topic}: ${message}`) }, script?.source ?? onEvent);
    } catch (e) {
      this.log.push(`error: scheduler ${scheduled}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.log.length > 1000) this.log.splice(0, this.log.length - 1000);
  }

  /**
   * The address of the WAN that carries the main table's best default route: where IP Cloud sees
   * this router come from. Null when no default route has a WAN that is up.
   */
  defaultRouteAddress(down: (iface: string) => boolean): string | null {
    const addresses = this.store.at("/ip/address").list().filter((a) => !isTrue(a.disabled));
    const interfaces = new Set(this.store.at("/interface").list().map((i) => i.name ?? ""));
    const routes = this.smallRoutes()
      .filter((r) => r["dst-address"] === "0.0.0.0/0" && !isTrue(r.disabled) && !isTrue(r.blackhole) && r.type !== "blackhole" && (r["routing-table"] ?? "main") === "main")
      .sort((a, b) => Number(a.distance ?? 1) - Number(b.distance ?? 1));
    for (const route of routes) {
      const [gateway = "", scoped] = (route.gateway ?? "").split("%");
      let iface = scoped ?? (interfaces.has(gateway) ? gateway : undefined);
      const hop = readAddress(gateway);
      if (iface === undefined && hop !== null) {
        iface = addresses.find((a) => {
          const prefix = readPrefix(a.address ?? "");
          return prefix !== null && prefix.length < 32 && addressInPrefix(hop, prefix);
        })?.interface;
      }
      if (iface === undefined || down(iface)) continue;
      const own = addresses.find((a) => a.interface === iface);
      if (own?.address !== undefined) return own.address.split("/")[0]!;
    }
    return null;
  }

  /** The routes that are not bulk, in the order they came. */
  private smallRoutes(): Item[] {
    const menu = this.store.at("/ip/route");
    const items: Item[] = [];
    for (const id of this.routes) {
      const item = menu.get(id);
      if (item !== undefined) items.push(item);
    }
    return items;
  }

  // Which routes are bulk is known when they are written: every other route is followed here.
  private trackRoutes(): void {
    for (const item of this.store.at("/ip/route").list()) this.routes.add(item[".id"]!);
    this.store.subscribe((event) => {
      if (this.bulkWriting || event.id === null) return;
      if (event.kind === "add") this.routes.add(event.id);
      else if (event.kind === "remove") this.routes.delete(event.id);
    }, "/ip/route");
  }

  /**
   * A WAN cut or mended (`/lab/wan-down`, `/lab/wan-up`), as the router shows it: the interface
   * and any PPPoE client or VLAN riding it stop running, and what the ISP handed out on them (the PPPoE or
   * DHCP address, the dynamic default route, the DHCP lease) goes until the link is back.
   * Returns every interface that went down or came up with it.
   */
  setWanState(name: string, up: boolean): string[] {
    // What rides the interface goes with it: a PPPoE client on it, a VLAN of it.
    const riding = (menu: string) => this.store.at(menu).find({ interface: name }).map((i) => i.name ?? "");
    const affected = [name, ...riding("/interface/pppoe-client"), ...riding("/interface/vlan")];
    const interfaces = this.store.at("/interface");
    for (const n of affected) {
      for (const iface of interfaces.find({ name: n })) if (iface.running !== String(up)) interfaces.set([iface[".id"]!], { running: String(up) }, "system");
      if (up) this.restoreLease(n);
      else this.dropLease(n);
    }
    return affected;
  }

  /** What each cut WAN lost, to put back when it comes up. */
  private readonly leases = new Map<string, { addresses: Item[]; routes: Item[]; dhcp: Array<{ id: string; attrs: Item }> }>();

  private dropLease(name: string): void {
    if (this.leases.has(name)) return;
    const projected = (path: string, id: string | undefined) => this.projected.get(path)?.has(id ?? "") === true;
    const addresses = this.store.at("/ip/address").list().filter((a) => a.interface === name && a.dynamic === "true" && !projected("/ip/address", a[".id"]));
    // The far ends those addresses reach: a PPP peer, or the network a DHCP lease is on.
    const nets = addresses.map((a) => {
      const [ip, len] = (a.address ?? "").split("/");
      return len === "32" && a.network !== undefined && a.network !== ip ? parsePrefix(`${a.network}/32`) : parsePrefix(a.address ?? "0.0.0.0/32");
    });
    const routes = this.smallRoutes().filter((r) => {
      if (r.dynamic !== "true" || projected("/ip/route", r[".id"])) return false;
      const [hop, iface] = (r.gateway ?? "").split("%");
      if (r.gateway === name || iface === name) return true;
      return /^\d+\.\d+\.\d+\.\d+$/.test(hop ?? "") && nets.some((n) => addressInPrefix(parseAddress(hop!), n));
    });
    const dhcpMenu = this.store.at("/ip/dhcp-client");
    const dhcp = dhcpMenu.find({ interface: name }).map((d) => ({ id: d[".id"]!, attrs: d }));
    for (const d of dhcp) {
      const gone = ["address", "gateway", "expires-after"].filter((k) => d.attrs[k] !== undefined);
      if (gone.length > 0) dhcpMenu.unset([d.id], gone, "system");
      dhcpMenu.set([d.id], { status: "searching..." }, "system");
    }
    if (addresses.length > 0) this.store.at("/ip/address").remove(addresses.map((a) => a[".id"]!), "system");
    if (routes.length > 0) this.store.at("/ip/route").remove(routes.map((r) => r[".id"]!), "system");
    this.leases.set(name, { addresses, routes, dhcp });
  }

  private restoreLease(name: string): void {
    const lease = this.leases.get(name);
    if (lease === undefined) return;
    this.leases.delete(name);
    const strip = (item: Item) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== ".id"));
    for (const a of lease.addresses) this.store.at("/ip/address").add(strip(a), "system");
    for (const r of lease.routes) this.store.at("/ip/route").add(strip(r), "system");
    const dhcpMenu = this.store.at("/ip/dhcp-client");
    for (const d of lease.dhcp) if (dhcpMenu.get(d.id) !== undefined) dhcpMenu.set([d.id], strip(d.attrs), "system");
  }

  /**
   * `/lab/table`: `count` routes from an upstream that is not a bgpals peer (1.0.0.0/24 on),
   * through the gateway of the router's first default route; 0 takes them away.
   */
  setTable(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > MAX_BULK_ROUTES) throw new Error(`=count= must be 0 to ${MAX_BULK_ROUTES}`);
    if (count === 0) {
      this.table = null;
      return;
    }
    const defaults = this.smallRoutes().filter((r) => r["dst-address"] === "0.0.0.0/0" && r.gateway !== undefined);
    defaults.sort((a, b) => Number(a.distance ?? 1) - Number(b.distance ?? 1));
    const gateway = defaults[0]?.gateway;
    if (gateway === undefined) throw new Error("this router has no default route for an upstream table to come through");
    this.table = {
      key: "table",
      count,
      ready: count,
      localPref: null,
      fixedLocalPref: 100,
      version: `${count} ${gateway}`,
      prefixOf: tablePrefix,
      gateway,
      asPathOf: (i) => TABLE_AS_PATHS[i % TABLE_AS_PATHS.length]!,
      session: "",
      routerId: "",
      interface: "",
      competes: false,
      held: false,
    };
  }

  /** Bulk routes held now, and whether they are all in /ip/route as the dataplane wants them. */
  bulkStatus(): { rows: number; settled: boolean } {
    return { rows: this.bulk.rows, settled: this.bulk.settled(this.bulkGroups) };
  }

  /** Configuration without state, as a deterministic JSON text: equal before apply and after remove. */
  exportConfig(): string {
    const out: Record<string, unknown> = {};
    for (const path of [...this.store.paths].sort()) {
      const menu = this.store.at(path);
      const projected = this.projected.get(path);
      const clean = (item: Record<string, string>) =>
        Object.fromEntries(Object.entries(item).filter(([k]) => !STATE_ATTRIBUTES.has(k) && k !== ".id").sort(([a], [b]) => a.localeCompare(b)));
      const items = menu.singleton ? [] : path === "/ip/route" ? this.smallRoutes() : menu.list();
      if (menu.singleton) out[path] = clean(menu.get()!);
      else out[path] = items.filter((i) => !projected?.has(i[".id"] ?? "")).map(clean);
    }
    return JSON.stringify(out, null, 1);
  }

  // A new WireGuard or OpenVPN interface also appears in /interface, as on a router.
  private trackTunnelInterfaces(): void {
    this.store.subscribe((event) => {
      const type = TUNNEL_MENUS[event.path];
      if (type === undefined) return;
      const interfaces = this.store.at("/interface");
      if (event.kind === "add") {
        interfaces.add({ name: event.after.name ?? "", type, running: "false", mtu: event.after.mtu ?? event.after["max-mtu"] ?? "1420", disabled: event.after.disabled ?? "false" }, "system");
      } else if (event.kind === "remove") {
        const found = interfaces.find({ name: event.before.name ?? "" })[0];
        if (found) interfaces.remove([found[".id"]!], "system");
      } else {
        const found = interfaces.find({ name: event.before.name ?? "" })[0];
        if (found) interfaces.set([found[".id"]!], { name: event.after.name ?? "", disabled: event.after.disabled ?? "false" }, "system");
      }
    });
  }

  /**
   * Whether a user may see secrets: RouterOS prints a WireGuard interface's private key only to users
   * whose group has the `sensitive` policy (the factory groups read, write and full do).
   */
  sensitiveUser(name: string): boolean {
    const builtIn = name === this.user ? "full" : name === "monitor" ? "read" : undefined;
    const group = builtIn ?? this.store.at("/user").find({ name })[0]?.group ?? "";
    return grantedPolicies(this.store.at("/user/group").find({ name: group })[0]?.policy).has("sensitive");
  }

  // The store keeps a WireGuard private key masked (it is kept beside the store); a user with the
  // `sensitive` policy is shown the real one, as on a router.
  private showingSecrets(inner: CommandHandler): CommandHandler {
    return (request, reply) => {
      if (!/^\/interface\/wireguard\/(print|getall|get)$/.test(request.command) || !this.sensitiveUser(request.user.name)) return inner(request, reply);
      const reveal = <T extends Record<string, string | undefined>>(item: T): T => {
        const key = item["private-key"] === MASK ? this.privateKeys.get(item.name ?? "") : undefined;
        return key === undefined ? item : { ...item, "private-key": key };
      };
      const shown: Reply = {
        get tag() {
          return reply.tag;
        },
        get signal() {
          return reply.signal;
        },
        get finished() {
          return reply.finished;
        },
        row: (names, values, pick) => {
          const at = names.indexOf("private-key");
          const name = values[names.indexOf("name")];
          const key = at >= 0 && values[at] === MASK && name !== undefined ? this.privateKeys.get(name) : undefined;
          if (key === undefined) return reply.row(names, values, pick);
          const copy = [...values];
          copy[at] = key;
          reply.row(names, copy, pick);
        },
        item: (attributes) => reply.item(reveal(attributes)),
        empty: () => reply.empty(),
        trap: (message, category) => reply.trap(message, category),
        done: (ret) => reply.done(ret),
        fail: (message, category) => reply.fail(message, category),
        backpressure: () => reply.backpressure(),
      };
      return inner(request, shown);
    };
  }

  /**
   * Calls `callback` right after the k-th API write from now (1-based) has been carried out, before
   * its answer goes out; later writes wait until the callback settles. A test kills or interrupts a
   * client at that exact moment.
   */
  afterWrite(at: number, callback: (command: string) => void | Promise<void>): void {
    this.writeHook = { at, callback };
    this.hookWritesSeen = 0;
  }

  private logged(inner: CommandHandler): CommandHandler {
    return (request, reply) => {
      this.requests.push(request);
      if (this.requests.length > REQUEST_LOG) this.requests.splice(0, this.requests.length - REQUEST_LOG);
      return inner(request, reply);
    };
  }

  /** Arms a write fault, counting writes from now. */
  failWrite(at: number, kind: "trap" | "drop"): void {
    this.writeFault = { at, kind };
    this.writesSeen = 0;
  }

  private faulty(inner: CommandHandler): CommandHandler {
    const hooked = this.hooked(inner);
    return async (request, reply) => {
      const verb = request.command.slice(request.command.lastIndexOf("/") + 1);
      if (!WRITE_VERBS.has(verb) || request.command.startsWith("/lab/")) return inner(request, reply);
      if (this.writeGate !== null) await this.writeGate;
      if (this.writeHook !== null) return hooked(request, reply);
      const fault = this.writeFault;
      if (fault === null) return inner(request, reply);
      this.writesSeen++;
      if (this.writesSeen !== fault.at) return inner(request, reply);
      this.writeFault = null;
      if (fault.kind === "trap") return reply.fail("failure: lab fault injected on this write", TrapCategory.generalFailure);
      // The write happens; the answer never arrives.
      const silent: typeof reply = { tag: reply.tag, signal: reply.signal, finished: false, row() {}, item() {}, empty() {}, trap() {}, done() {}, fail() {}, backpressure: () => null };
      try {
        await inner(request, silent);
      } catch {
        // a refused write is still followed by the drop
      }
      this.server.dropConnections("lab fault: connection dropped after a write");
    };
  }

  // The k-th write is carried out with its answer held back; the hook runs; then the answer goes
  // out (to whoever is still listening) and the writes that waited go on.
  private hooked(inner: CommandHandler): CommandHandler {
    return async (request, reply) => {
      const hook = this.writeHook!;
      if (++this.hookWritesSeen !== hook.at) return inner(request, reply);
      this.writeHook = null;
      let open!: () => void;
      this.writeGate = new Promise((resolve) => (open = resolve));
      const held: Array<() => void> = [];
      const holding: Reply = {
        get tag() {
          return reply.tag;
        },
        get signal() {
          return reply.signal;
        },
        get finished() {
          return reply.finished;
        },
        row: (names, values, pick) => held.push(() => reply.row(names, [...values], pick)),
        item: (attributes) => held.push(() => reply.item({ ...attributes })),
        empty: () => held.push(() => reply.empty()),
        trap: (message, category) => held.push(() => reply.trap(message, category)),
        done: (ret) => held.push(() => reply.done(ret)),
        fail: (message, category) => held.push(() => reply.fail(message, category)),
        backpressure: () => null,
      };
      try {
        await inner(request, holding);
        await hook.callback(request.command);
      } finally {
        for (const send of held) send();
        this.writeGate = null;
        open();
      }
    };
  }

  // RouterOS 7 refuses what its command tree does not have; so does the lab, with the same words.
  private schemaChecked(inner: CommandHandler): CommandHandler {
    return (request, reply) => {
      const split = request.command.lastIndexOf("/");
      const path = request.command.slice(0, split);
      const verb = request.command.slice(split + 1);
      if (SCHEMA_CHECKED_VERBS.has(verb) && this.store.menu(path) !== undefined && menuExists(this.version, path)) {
        const attrs: Record<string, string> = {};
        for (const [k, v] of request.attributes) if (k !== ".id" && k !== "numbers") attrs[k] = v;
        const problem = checkCommand(this.version, { path, verb, attrs })[0];
        if (problem !== undefined) {
          reply.fail(problem.message, problem.kind === "unknown-argument" ? TrapCategory.argumentValue : TrapCategory.missingItemOrCommand);
          return;
        }
      }
      return inner(request, reply);
    };
  }

  // RouterOS 6 has no command tree to read, but refuses unknown arguments all the same (schema-v6.ts).
  private v6Checked(inner: CommandHandler): CommandHandler {
    return (request, reply) => {
      const split = request.command.lastIndexOf("/");
      const path = request.command.slice(0, split);
      const verb = request.command.slice(split + 1);
      const allowed = (verb === "add" || verb === "set") && this.store.menu(path)?.verbs.includes(verb) === true ? v6Arguments(path, verb) : null;
      if (allowed !== null) {
        for (const name of request.attributes.keys()) {
          if (name === ".id" || name === "numbers" || allowed.includes(name)) continue;
          reply.fail(this.store.messages.unknownParameter(name), TrapCategory.argumentValue);
          return;
        }
      }
      return inner(request, reply);
    };
  }

  /** The configuration as a RouterOS export script (what `/export` over SSH prints). */
  exportScript(): string {
    const lines = [`# RouterOS ${this.version} (lab router ${this.name})`];
    for (const path of [...this.store.paths].sort()) {
      const menu = this.store.at(path);
      const projected = this.projected.get(path);
      const items = menu.singleton ? [menu.get()!] : (path === "/ip/route" ? this.smallRoutes() : menu.list()).filter((i) => !projected?.has(i[".id"] ?? "") && i.dynamic !== "true");
      const words = (item: Record<string, string>) =>
        Object.entries(item)
          .filter(([k, v]) => !STATE_ATTRIBUTES.has(k) && k !== ".id" && k !== "dynamic" && !(k === "disabled" && v === "false") && v !== "")
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${scriptValue(v)}`);
      const body = items.map((i) => words(i)).filter((w) => w.length > 0);
      if (body.length === 0) continue;
      lines.push(menuLine(path), ...body.map((w) => `${menu.singleton ? "set" : "add"} ${w.join(" ")}`));
    }
    return `${lines.join("\n")}\n`;
  }

  /** Writes the dataplane's state into the menus, changing only what changed. */
  project(state: RouterSnapshot, now: number): void {
    const v6 = routerOs(this.version)?.v6 === true;
    const interfaces = this.store.at("/interface");
    for (const iface of interfaces.list()) {
      const type = iface.type ?? "";
      if (!["wg", "ovpn-out", "ovpn-in"].includes(type)) continue;
      const running = state.running.has(iface.name ?? "") ? "true" : "false";
      if (iface.running !== running) interfaces.set([iface[".id"]!], { running }, "system");
    }
    if (!v6) this.projectWireGuard(state, now);
    this.sync("/ip/address", state.pppAddresses.map((a) => ({ key: `${a.interface} ${a.address}`, attrs: { address: a.address, network: a.network, interface: a.interface, dynamic: "true" } })));
    this.sync(
      "/ppp/active",
      state.tunnels
        .filter((t) => t.tunnel.up && t.tunnel.kind === "ovpn" && t.tunnel.listener?.router === this.name)
        .map((t) => ({ key: t.tunnel.key, attrs: { name: t.tunnel.listener!.interface.replace(/^<ovpn-|>$/g, ""), service: "ovpn", "caller-id": t.tunnel.initiator.router, address: t.tunnel.ppp?.remote ?? "" } })),
    );
    const routeAttrs = (r: RouteState) => ({
      "dst-address": r.dst,
      gateway: r.gateway,
      distance: String(r.distance),
      dynamic: "true",
      active: String(r.active),
      ...(r.protocol === "connected" ? { connect: "true" } : { bgp: "true" }),
      ...(r.bgp === undefined
        ? {}
        : v6
          ? { "bgp-as-path": r.bgp.asPath.join(","), "bgp-local-pref": String(r.bgp.localPref), "received-from": r.bgp.session }
          : { "bgp.as-path": r.bgp.asPath.join(","), "bgp.local-pref": String(r.bgp.localPref), "belongs-to": `bgp-IP-${r.gateway}`, "received-from": r.bgp.session }),
    });
    // RouterOS 6 keeps a rejected route in /ip/route, inactive; RouterOS 7 only in /routing/route.
    this.sync(
      "/ip/route",
      state.routes.filter((r) => r.protocol !== "static" && (v6 || !r.filtered)).map((r) => ({ key: `${r.protocol} ${r.dst} ${r.gateway}`, attrs: routeAttrs(r) })),
    );
    // /routing/route lists every route the routing protocols hold, filtered ones with `filtered=true`.
    // The lab lists the dataplane's own (connected, and BGP from the peers' networks and named
    // leaks), not the bulk leaks and tables (what a filter rejects of a `=count=` leak is not kept).
    if (!v6)
      this.sync(
        "/routing/route",
        state.routes
          .filter((r) => r.protocol !== "static")
          .map((r) => ({ key: `${r.protocol} ${r.dst} ${r.gateway}`, attrs: { ...routeAttrs(r), filtered: String(r.filtered === true), afi: "ip4" } })),
      );
    // Static routes keep their own item; only their flags move.
    const routes = this.store.at("/ip/route");
    const activeStatic = new Set(state.routes.filter((r) => r.protocol === "static" && r.active).map((r) => r.itemId));
    const reachable = new Set(state.routes.filter((r) => r.protocol === "static").map((r) => r.itemId));
    for (const r of this.smallRoutes()) {
      if (r.dynamic === "true" && this.projected.get("/ip/route")?.has(r[".id"]!)) continue;
      if (r.dynamic === "true" && r.gateway !== undefined && !/^\d/.test(r.gateway)) continue;
      const active = String(activeStatic.has(r[".id"]));
      const inactive = String(!reachable.has(r[".id"]) && r.dynamic !== "true");
      if (r.dynamic !== "true" && (r.active !== active || r.inactive !== inactive)) routes.set([r[".id"]!], { active, inactive }, "system");
    }
    this.projectBulk(state);
    if (v6) this.projectV6Peers(state, now);
    else
      this.sync(
        "/routing/bgp/session",
        state.sessions.map((s) => ({
          key: s.name,
          attrs: {
            name: `${s.name}-1`,
            "remote.address": s.remoteAddress,
            "remote.as": String(s.remoteAs),
            "local.address": s.localAddress,
            "local.as": String(s.localAs),
            "local.role": "ebgp",
            established: String(s.state === "established"),
            state: s.state,
            uptime: s.since === null ? "" : printDuration(now - s.since),
            "prefix-count": String(s.accepted),
            "remote.messages": String(s.received),
            "limit-exceeded": String(s.limitExceeded),
            "last-error": s.lastError,
          },
        })),
      );
  }

  /** The leaks received and the upstream table, a slice per tick. */
  private projectBulk(state: RouterSnapshot): void {
    this.bulkGroups = this.table === null ? state.bulk : [this.table, ...state.bulk];
    this.bulkWriting = true;
    try {
      this.bulk.step(this.bulkGroups, new Budget());
    } finally {
      this.bulkWriting = false;
    }
  }

  private projectWireGuard(state: RouterSnapshot, now: number): void {
    const peers = this.store.at("/interface/wireguard/peers");
    for (const peer of peers.list()) {
      const t = state.tunnels.find((x) => (x.tunnel.initiator.router === this.name && x.tunnel.initiator.itemId === peer[".id"]) || (x.tunnel.listener?.router === this.name && x.tunnel.listener.itemId === peer[".id"]));
      const p = state.peers.get(peer[".id"] ?? "");
      const attrs: Record<string, string> = {
        "last-handshake": p?.lastHandshake != null ? printDuration(now - p.lastHandshake) : "",
        rx: String(p?.rx ?? 0),
        tx: String(p?.tx ?? 0),
      };
      if (t?.tunnel.up && t.tunnel.listener?.router === this.name) attrs["current-endpoint-address"] = t.tunnel.initiator.router;
      const changed = Object.entries(attrs).some(([k, v]) => (peer[k] ?? "") !== v);
      if (changed) peers.set([peer[".id"]!], attrs, "system");
    }
  }

  private projectV6Peers(state: RouterSnapshot, now: number): void {
    const peers = this.store.at("/routing/bgp/peer");
    for (const peer of peers.list()) {
      const s = state.sessions.find((x) => x.itemId === peer[".id"]);
      const attrs = {
        state: s?.state ?? "idle",
        established: String(s?.state === "established"),
        uptime: s?.since == null ? "" : printDuration(now - s.since),
        "prefix-count": String(s?.accepted ?? 0),
        "last-error": s?.lastError ?? "",
        "limit-exceeded": String(s?.limitExceeded ?? false),
      };
      if (Object.entries(attrs).some(([k, v]) => (peer[k] ?? "") !== v)) peers.set([peer[".id"]!], attrs, "system");
    }
  }

  /** Keeps the dataplane's own items of a menu equal to `wanted` (keyed), touching only differences. */
  private sync(path: string, wanted: Array<{ key: string; attrs: Record<string, string> }>): void {
    const menu = this.store.at(path);
    const mine = this.projected.get(path) ?? new Map<string, string>();
    this.projected.set(path, mine);
    const byKey = new Map<string, string>(); // key → id
    for (const [id, key] of mine) byKey.set(key, id);
    const keep = new Set<string>();
    for (const { key, attrs } of wanted) {
      const id = byKey.get(key);
      const current = id === undefined ? undefined : menu.get(id);
      if (id === undefined || current === undefined) {
        const newId = menu.add(attrs, "system");
        mine.set(newId, key);
        keep.add(newId);
      } else {
        keep.add(id);
        if (Object.entries(attrs).some(([k, v]) => current[k] !== v)) menu.set([id], attrs, "system");
      }
    }
    for (const id of [...mine.keys()]) {
      if (keep.has(id)) continue;
      mine.delete(id);
      if (menu.get(id) !== undefined) menu.remove([id], "system");
    }
  }

  /** After a reboot the dataplane's items are gone; they come back as the routers talk again. */
  forgetProjection(): void {
    for (const [path, ids] of this.projected) {
      const menu = this.store.at(path);
      for (const id of ids.keys()) if (menu.get(id) !== undefined) menu.remove([id], "system");
    }
    this.projected.clear();
  }
}
