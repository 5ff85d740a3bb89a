// The lab: simulated routers on loopback, one lab clock, the dataplane ticking between them, and
// faults injected from code or through each router's own `/lab/...` API menu (docs/lab.md).
import { isV6, routerOs } from "./versions.js";
import { MAX_BULK_ROUTES } from "./model/bulk.js";
import { formatPrefix, isIPv4, parsePrefix } from "./ipv4.js";
import { Dataplane } from "./model/dataplane.js";
import { isTrue, type World } from "./model/types.js";
import { PERSONALITIES, type Personality } from "./personalities.js";
import type { ApiRequest, CommandHandler, Reply } from "./protocol/server.js";
import { FatalMessage, TrapError } from "./protocol/traps.js";
import { LabRouter } from "./router.js";
import { LabSshServer } from "./ssh-server.js";

export interface LabOptions {
  /** Personalities to start, default alice and remi. */
  routers?: readonly string[];
  host?: string;
  /** First API port; router i listens on portBase+2i (API) and portBase+2i+1 (API-SSL). 0: any free ports. */
  portBase?: number;
  /** Lab milliseconds per real millisecond: 10 makes a 30 s hold timer expire in 3 s. */
  clockFactor?: number;
  /** Real milliseconds between dataplane ticks; 0 ticks only when asked (tests, benchmarks). */
  tickMs?: number;
  /** Serve API-SSL too. */
  tls?: boolean;
  /** Serve SSH too (default true). */
  ssh?: boolean;
  /**
   * Run a RouterOS 7 personality as another RouterOS 7 version (`{ alice: "7.12.2" }`): that
   * version's command tree then decides what the router accepts.
   */
  versions?: Readonly<Record<string, string>>;
  /** Routers described by the caller (personality-file.ts), by name; they take the place of a built-in of that name. */
  personalities?: Readonly<Record<string, Personality>>;
}

export interface LabRouterInfo {
  name: string;
  version: string;
  host: string;
  port: number;
  tlsPort: number | null;
  /** SSH (for /export and file uploads), null when the lab runs without it. */
  sshPort: number | null;
  user: string;
  password: string;
}

/** How long a rebooting router stays away, in real milliseconds. */
const REBOOT_MS = 300;

/** Prefixes a router leaks by name at most: each is a route of its own in every receiver's tables. */
const MAX_LEAKED_PREFIXES = 1000;

export class Lab {
  readonly routers = new Map<string, LabRouter>();
  readonly ssh = new Map<string, LabSshServer>();
  readonly dataplane = new Dataplane();
  readonly wanDown = new Set<string>();
  /** Routes each router leaks (model/bulk.ts names them). */
  readonly leaks = new Map<string, number>();
  /** Prefixes each router leaks by name (`/lab/leak =prefixes=`). */
  readonly leakedPrefixes = new Map<string, string[]>();
  readonly clockFactor: number;
  private readonly dns = new Map<string, string>();
  private readonly realStart = Date.now();
  private skipped = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  private constructor(private readonly options: LabOptions) {
    this.clockFactor = options.clockFactor ?? 1;
  }

  static async start(options: LabOptions = {}): Promise<Lab> {
    const lab = new Lab(options);
    const names = options.routers ?? ["alice", "remi"];
    const host = options.host ?? "127.0.0.1";
    try {
      for (const [i, name] of names.entries()) {
        const given = options.personalities?.[name];
        const make = PERSONALITIES[name];
        if (given === undefined && make === undefined) throw new Error(`no lab router named ${name}; the lab has ${Object.keys(PERSONALITIES).join(", ")}`);
        const personality = given ?? withVersion(make!(), options.versions?.[name]);
        for (const [dnsName, address] of Object.entries(personality.dns)) lab.dns.set(dnsName, address);
        const base = options.portBase ?? 0;
        const router = new LabRouter(personality, {
          host,
          port: base === 0 ? 0 : base + 2 * i,
          tlsPort: options.tls === false ? null : base === 0 ? 0 : base + 2 * i + 1,
          labCommands: lab.faultCommands(name),
          resolve: (dnsName) => lab.dns.get(dnsName.toLowerCase()) ?? null,
        });
        lab.routers.set(name, router);
        lab.restartOnDisable(router);
        lab.followCloud(router);
        await router.server.start();
        if (options.ssh !== false) {
          const ssh = new LabSshServer({ users: [{ name: personality.user, password: personality.password }], exportText: () => router.exportScript() });
          lab.ssh.set(name, ssh);
          await ssh.start(base === 0 ? 0 : base + 2 * names.length + i, host);
        }
      }
    } catch (e) {
      await lab.stop();
      throw e;
    }
    lab.tick();
    const tickMs = options.tickMs ?? 100;
    if (tickMs > 0) {
      lab.timer = setInterval(() => lab.tick(), tickMs);
      lab.timer.unref();
    }
    return lab;
  }

  /** Lab time in ms: real time scaled by the clock factor, plus any `advance`. */
  now(): number {
    return (Date.now() - this.realStart) * this.clockFactor + this.skipped;
  }

  /** Jumps the lab clock forward (tests), then ticks. */
  advance(ms: number): void {
    this.skipped += ms;
    this.tick();
  }

  router(name: string): LabRouter {
    const r = this.routers.get(name);
    if (r === undefined) throw new Error(`no lab router ${name}`);
    return r;
  }

  info(): { routers: LabRouterInfo[] } {
    return {
      routers: [...this.routers.values()].map((r) => ({
        name: r.name,
        version: r.version,
        host: this.options.host ?? "127.0.0.1",
        port: r.server.port,
        tlsPort: r.server.tlsPort,
        sshPort: this.ssh.get(r.name)?.port ?? null,
        user: r.user,
        password: r.password,
      })),
    };
  }

  /** One step of the dataplane: tunnels, sessions and routes recomputed and written into the menus. */
  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const routers = [...this.routers.values()].filter((r) => r.server.available);
      const now = this.now();
      for (const r of routers) {
        this.refreshCloud(r);
        r.runSchedulers(now);
      }
      const world: World = { routers: routers.map((r) => r.view()), dns: this.dns, wanDown: this.wanDown, leaks: this.leaks, leakedPrefixes: this.leakedPrefixes, now: this.now() };
      this.dataplane.tick(world);
      for (const r of routers) r.project(this.dataplane.of(r.name), world.now);
    } finally {
      this.ticking = false;
    }
  }

  // --- DNS and IP Cloud -------------------------------------------------------------------

  /** What a name resolves to for every lab router; null forgets it. */
  setDns(name: string, address: string | null): void {
    if (address === null || address === "") this.dns.delete(name.toLowerCase());
    else this.dns.set(name.toLowerCase(), address);
    this.tick();
  }

  resolve(name: string): string | null {
    return this.dns.get(name.toLowerCase()) ?? null;
  }

  /**
   * IP Cloud: with ddns-enabled, the router shows its DNS name (`<serial>.sn.mynetname.net`) and the
   * public address the cloud sees, that of the WAN carrying the main default route; the name
   * resolves to it. Without, neither is shown.
   */
  private refreshCloud(router: LabRouter): void {
    const cloud = router.store.menu("/ip/cloud");
    const item = cloud?.get();
    if (cloud === undefined || item === undefined) return;
    if (!isTrue(item["ddns-enabled"])) {
      const shown = ["dns-name", "public-address", "status"].filter((k) => item[k] !== undefined);
      if (item["dns-name"] !== undefined) this.dns.delete(item["dns-name"].toLowerCase());
      if (shown.length > 0) cloud.unset(null, shown, "system");
      return;
    }
    const serial = router.store.menu("/system/routerboard")?.get()?.["serial-number"] ?? router.name;
    const name = item["dns-name"] ?? `${serial.toLowerCase()}.sn.mynetname.net`;
    const address = router.defaultRouteAddress((iface) => this.wanDown.has(`${router.name}/${iface}`));
    // Without a way to the cloud, the router keeps showing the last address it had.
    const wanted: Record<string, string> = address === null ? { "dns-name": name, status: "Error: no Internet connection" } : { "dns-name": name, "public-address": address, status: "updated" };
    if (Object.entries(wanted).some(([k, v]) => item[k] !== v)) cloud.set(null, wanted, "system");
    if (address !== null) this.dns.set(name.toLowerCase(), address);
  }

  // A client's `/ip/cloud/set` shows (or hides) the name at once, as the router answers it.
  private followCloud(router: LabRouter): void {
    router.store.subscribe((event) => {
      if (event.kind === "set" && event.before["ddns-enabled"] !== event.after["ddns-enabled"]) this.refreshCloud(router);
    }, "/ip/cloud");
  }

  // --- Faults -----------------------------------------------------------------------------

  setWan(router: string, iface: string, up: boolean): void {
    const r = this.router(router);
    if (r.store.at("/interface").find({ name: iface }).length === 0) throw new TrapError(`no such interface ${iface}`, 1);
    for (const name of r.setWanState(iface, up)) {
      if (up) this.wanDown.delete(`${router}/${name}`);
      else this.wanDown.add(`${router}/${name}`);
    }
    this.tick();
  }

  dropConnections(router: string): number {
    return this.router(router).server.dropConnections(FatalMessage.dropped);
  }

  setLatency(router: string, ms: number): void {
    this.router(router).server.latencyMs = ms;
  }

  /** Reboot: connections dropped, sessions and tunnels reset, configuration kept. */
  async reboot(router: string): Promise<void> {
    const r = this.router(router);
    r.server.dropConnections("rebooting");
    r.server.available = false;
    this.dataplane.reset(router);
    r.forgetProjection();
    await new Promise((resolve) => setTimeout(resolve, REBOOT_MS));
    r.server.available = true;
    this.tick();
  }

  /**
   * The router announces `count` extra /24s on every session, past its own filters: 10.200.0.0/24,
   * 10.200.1.0/24 ... on into 11.0.0.0/24 (model/bulk.ts), up to a million. Returns the count.
   */
  leak(router: string, count: number): number {
    this.router(router);
    if (!Number.isInteger(count) || count < 0 || count > MAX_BULK_ROUTES) throw new Error(`=count= must be 0 to ${MAX_BULK_ROUTES}`);
    if (count > 0) this.leaks.set(router, count);
    else this.leaks.delete(router);
    this.tick();
    return count;
  }

  /**
   * The router announces these prefixes on every session, past its own output filters (a default
   * route, the receiver's own network, one too specific); empty stops. Returns how many.
   */
  leakPrefixes(router: string, prefixes: readonly string[]): number {
    this.router(router);
    const normal: string[] = [];
    for (const prefix of prefixes) {
      const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(prefix);
      if (match === null || !isIPv4(match[1]!) || Number(match[2]) > 32) throw new Error(`=prefixes= takes IPv4 prefixes like 10.0.0.0/24, separated by commas: ${prefix}`);
      normal.push(formatPrefix(parsePrefix(prefix)));
    }
    if (normal.length > MAX_LEAKED_PREFIXES) throw new Error(`=prefixes= takes at most ${MAX_LEAKED_PREFIXES} prefixes`);
    if (normal.length > 0) this.leakedPrefixes.set(router, normal);
    else this.leakedPrefixes.delete(router);
    this.tick();
    return normal.length;
  }

  /**
   * The router gets `count` routes from an upstream that is not a bgpals peer: 1.0.0.0/24 on,
   * through its first default route's gateway, `bgp=true`, up to a million; 0 takes them away.
   */
  table(router: string, count: number): number {
    this.router(router).setTable(count);
    this.tick();
    return count;
  }

  /** Whether every router holds its bulk routes (leaks, tables) as wanted; ticks until it does or `timeoutMs` passes. */
  async settle(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.tick();
      if ([...this.routers.values()].every((r) => r.bulkStatus().settled)) return;
      if (Date.now() > deadline) throw new Error("the lab's bulk routes did not settle in time");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.routers.values()].map((r) => r.server.stop()));
    await Promise.all([...this.ssh.values()].map((s) => s.stop()));
  }

  /**
   * RouterOS 6 has no session clear: a peer a max-prefix trip holds down (without
   * max-prefix-restart-time) comes back when it is disabled and enabled again.
   */
  private restartOnDisable(router: LabRouter): void {
    if (!isV6(router.version)) return;
    router.store.subscribe((event) => {
      if (event.kind === "set" && isTrue(event.after.disabled) && !isTrue(event.before.disabled)) this.dataplane.clearSession(router.name, event.after.name ?? "");
    }, "/routing/bgp/peer");
  }

  /** `/lab/...` commands on a router's own API, and `/routing/bgp/session/clear`. */
  private faultCommands(name: string): Record<string, CommandHandler> {
    const run = (fn: (req: ApiRequest) => string | void | Promise<string | void>): CommandHandler => async (req: ApiRequest, reply: Reply) => {
      if (req.user.group === "read") return reply.fail("not enough permissions (9)");
      try {
        const ret = await fn(req);
        reply.done(ret === undefined ? undefined : ret);
      } catch (e) {
        reply.fail(e instanceof Error ? e.message : String(e), 1);
      }
    };
    const need = (req: ApiRequest, attr: string) => {
      const v = req.attributes.get(attr);
      if (v === undefined || v === "") throw new Error(`missing =${attr}=`);
      return v;
    };
    return {
      "/lab/wan-down": run((req) => this.setWan(name, need(req, "interface"), false)),
      "/lab/wan-up": run((req) => this.setWan(name, need(req, "interface"), true)),
      "/lab/drop-connections": run(() => {
        // Answer first, then drop: the caller learns the command ran.
        setTimeout(() => this.dropConnections(name), 20);
      }),
      "/lab/latency": run((req) => {
        const ms = Number(need(req, "ms"));
        if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new Error("=ms= must be 0 to 60000");
        this.setLatency(name, ms);
      }),
      "/lab/reboot": run(() => {
        setTimeout(() => void this.reboot(name), 20);
      }),
      "/system/reboot": run(() => {
        setTimeout(() => void this.reboot(name), 20);
      }),
      // `=count=` /24s by the hundred thousand, or `=prefixes=` named one by one (a comma list; empty stops).
      "/lab/leak": run((req) => {
        const prefixes = req.attributes.get("prefixes");
        if (prefixes !== undefined) return String(this.leakPrefixes(name, prefixes.split(",").map((p) => p.trim()).filter((p) => p !== "")));
        return String(this.leak(name, Number(need(req, "count"))));
      }),
      "/lab/table": run((req) => String(this.table(name, Number(need(req, "count"))))),
      // Whether the leaks and tables are all in /ip/route yet: `=ret=` the bulk routes held, `=settled=`.
      "/lab/bulk": run(() => {
        const { rows, settled } = this.router(name).bulkStatus();
        return `${rows} ${settled ? "settled" : "moving"}`;
      }),
      "/lab/tick": run(() => this.tick()),
      // What a DNS name resolves to for every lab router (`=address=` empty forgets it).
      "/lab/dns": run((req) => {
        const address = req.attributes.get("address") ?? "";
        if (address !== "" && !isIPv4(address)) throw new Error("=address= must be an IPv4 address, or empty to forget the name");
        this.setDns(need(req, "name"), address);
      }),
      // The configuration without state (JSON), for comparing a router before and after.
      "/lab/export": run(() => this.router(name).exportConfig()),
      "/routing/bgp/session/clear": run((req) => {
        // By .id or numbers (an id or the session's name), as the router accepts.
        const ref = req.attributes.get(".id") ?? need(req, "numbers");
        const item = this.router(name).store.at("/routing/bgp/session").get(ref) ?? this.router(name).store.at("/routing/bgp/session").find({ name: ref })[0];
        if (item === undefined) throw new Error("no such item");
        this.dataplane.clearSession(name, (item.name ?? "").replace(/-1$/, ""));
        this.tick();
      }),
    };
  }
}

function withVersion(personality: Personality, version: string | undefined): Personality {
  if (version === undefined || version === personality.version) return personality;
  if (isV6(personality.version) || routerOs(version) === null || isV6(version)) {
    throw new Error(`${personality.name} runs RouterOS ${personality.version}; the lab moves a RouterOS 7 router only to another RouterOS 7 version, not ${version}`);
  }
  const resource = personality.menus["/system/resource"]?.map((item) => ({ ...item, version: `${version} (stable)` }));
  return { ...personality, version, menus: { ...personality.menus, ...(resource ? { "/system/resource": resource } : {}) } };
}
