// A RouterOS router behind the seam (platforms/platform.ts): one API connection, and what bgpals
// reads, plans and writes through it. The decisions are in the modules this one wires together.
import type { CaCertificateBody } from "../../core/offer.js";
import type { Peering } from "../../core/peering.js";
import type { Plan } from "../../core/plan.js";
import type { ObservedRoute } from "../../core/prefer.js";
import { UserError } from "../../errors.js";
import type {
  ApplyOptions,
  ApplyResult,
  Inventory,
  Platform,
  PlanRequest,
  PreparedPart,
  PrepareHooks,
  RouteFeedOptions,
  Router,
  RouterPlan,
  RouterStatus,
  RouterTarget,
  SessionStatus,
  StatusOptions,
  Watching,
  WhyAnswer,
} from "../platform.js";
import { RouterClient, type Listening } from "./api/client.js";
import { feedRoutes } from "./api/route-feed.js";
import { applyPlan } from "./apply/apply.js";
import { planPeering, type RouterOsPlan } from "./apply/plan.js";
import { importCa, makeCertificates } from "./certificates.js";
import { dialectOf, unsupportedVersion, versionOfResource, type Dialect } from "./dialects.js";
import { discover } from "./discovery.js";
import { menusOf } from "./menus.js";
import { certificateNames, monitorAccountNames, ownershipTag, parseOwnershipTag } from "./names.js";
import { planOnRouter } from "./planning.js";
import { readObserved } from "./read.js";
import { render } from "./render/render.js";
import { friendRouteQuery, statusOf } from "./status.js";
import type { RouterCommand } from "./types.js";
import { whyFiltered } from "./why.js";

/** What a status shows of tunnels and sessions comes from these menus: a change in any of them is worth a look (routes come by feedFriendRoutes). */
const WATCHED = ["/routing/bgp/session", "/interface/wireguard/peers", "/interface"];

/** Everything preparing a peering may make before its plan: WireGuard interfaces (keys), certificates, the friend's read-only account. */
const PREPARED_PATHS = ["/interface/wireguard", "/certificate", "/user", "/user/group"];

// Policies real RouterOS 6 and 7 both know; everything but reading over the API is denied.
export const MONITOR_POLICY = "read,api,!local,!telnet,!ssh,!ftp,!reboot,!write,!policy,!test,!winbox,!password,!web,!sniff,!sensitive,!romon";

export class RouterOsRouter implements Router {
  #dialect: Dialect | null = null;

  constructor(
    readonly platform: Platform,
    readonly client: RouterClient,
    readonly target: RouterTarget,
    readonly label: string,
  ) {}

  get fingerprint(): string | null {
    return this.client.fingerprint;
  }

  get closed(): boolean {
    return this.client.closed;
  }

  reconnect(): Promise<Router> {
    return this.platform.connect(this.target, this.label);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The router's dialect, read once per connection. */
  async dialect(): Promise<Dialect> {
    if (this.#dialect !== null) return this.#dialect;
    const [resource] = await this.client.print("/system/resource", { proplist: ["version"] });
    const version = versionOfResource(resource);
    const dialect = dialectOf(version);
    if (dialect === null) throw new UserError(`${this.label}: ${unsupportedVersion(version)}`);
    this.#dialect = dialect;
    return dialect;
  }

  async version(): Promise<string> {
    return (await this.dialect()).version;
  }

  discover(): Promise<Inventory> {
    return discover(this.client);
  }

  async status(options: StatusOptions = {}): Promise<RouterStatus> {
    return statusOf(this.client, await this.dialect(), options);
  }

  async watchChanges(changed: () => void): Promise<Watching | null> {
    if (!(await this.dialect()).follows) return null;
    const listens: Listening[] = WATCHED.map((path) => this.client.listen(path, changed, { onError: changed }));
    return { stop: async () => void (await Promise.all(listens.map((l) => l.stop().catch(() => undefined)))) };
  }

  async bgpRoutes(): Promise<ObservedRoute[]> {
    const menus = menusOf(await this.dialect());
    const { attr } = menus;
    // The friends' routes only (their sessions' next hops): a full table from elsewhere is not read.
    const sessions = await this.client.print(menus.bgpSessions, { proplist: ["comment", attr.remoteAddress] });
    const friends = sessions.filter((s) => parseOwnershipTag(s.comment) !== null).map((s) => s[attr.remoteAddress] ?? "").filter((a) => a !== "");
    if (friends.length === 0) return [];
    const items = await this.client.print("/ip/route", { query: friendRouteQuery(friends), proplist: ["dst-address", "gateway", "active", attr.localPref, attr.asPath] });
    return items.map((r) => {
      const pref = r[attr.localPref];
      return {
        dst: r["dst-address"] ?? "",
        gateway: r.gateway ?? "",
        active: r.active === "true" || r.active === "yes",
        localPref: pref === undefined || pref === "" ? null : Number(pref),
        asPath: r[attr.asPath] ?? "",
      };
    });
  }

  async feedFriendRoutes(options: RouteFeedOptions): Promise<void> {
    const dialect = await this.dialect();
    return feedRoutes({ ...options, target: this.target, dialect, query: friendRouteQuery(options.addresses) });
  }

  async why(prefix: string, options: { session?: string; asPath?: number[] } = {}): Promise<WhyAnswer[]> {
    return whyFiltered(this.client, await this.dialect(), prefix, options);
  }

  plan(request: PlanRequest): Promise<RouterPlan> {
    return planOnRouter(this.client, request);
  }

  apply(plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
    const planned = plan as RouterOsPlan;
    if (planned.observed === undefined) throw new Error("apply: this plan was not made by a RouterOS router's plan()");
    return applyPlan(this.client, planned, { ...options, peering: planned.peering, reconnect: () => RouterClient.connect(this.target) });
  }

  /** Creates the WireGuard interfaces of a peering first: the router generates their keys. */
  async prepareLinks(draft: Peering, side: string, hooks: PrepareHooks = {}): Promise<Record<string, string>> {
    const dialect = await this.dialect();
    const interfaces = render(draft, side, dialect.version).commands.filter((c) => c.path === "/interface/wireguard");
    if (interfaces.length === 0) return {};
    const observed = { "/interface/wireguard": await this.client.print("/interface/wireguard") };
    await this.#write(draft.name, interfaces, observed, hooks);
    const printed = await this.client.print("/interface/wireguard");
    const keys: Record<string, string> = {};
    for (const cmd of interfaces) {
      const key = printed.find((i) => i.name === cmd.attrs.name)?.["public-key"];
      if (key === undefined) throw new UserError(`the router did not show a public key for ${cmd.attrs.name}`);
      keys[cmd.role.replace(/^tunnel-/, "")] = key;
    }
    return keys;
  }

  async makeCertificates(peering: string, role: "server" | "client"): Promise<CaCertificateBody> {
    const n = certificateNames(peering);
    const ca = await makeCertificates(this.client, { ca: n.ca, leaf: role === "server" ? n.server : n.client }, role);
    return { caCertificate: ca.pem, caFingerprint: ca.fingerprint };
  }

  async importFriendCa(peering: string, ca: CaCertificateBody): Promise<void> {
    await importCa(this.client, certificateNames(peering).friendCa, { pem: ca.caCertificate, fingerprint: ca.caFingerprint }, await this.dialect());
  }

  /** A user group that may only read over the API, and a user in it, both tagged as the peering's. */
  async grantMonitorAccount(peering: string, friend: string, password: string, hooks: PrepareHooks = {}): Promise<void> {
    const { user, group } = monitorAccountNames(peering);
    const commands: RouterCommand[] = [
      { path: "/user/group", verb: "add", role: "monitor-group", attrs: { name: group, policy: MONITOR_POLICY, comment: ownershipTag(peering, "monitor-group") }, why: `read-only API access for ${friend}'s monitor` },
      { path: "/user", verb: "add", role: "monitor-user", attrs: { name: user, group, password, comment: ownershipTag(peering, "monitor-user") }, secret: ["password"], why: `${friend}'s monitor logs in as ${user}` },
    ];
    const [groups, users] = await Promise.all([this.client.print("/user/group"), this.client.print("/user")]);
    const observed = { "/user/group": groups, "/user": users };
    // An account left by an earlier attempt gets the new password (a password cannot be read back to compare).
    const existing = users.find((u) => u.comment === ownershipTag(peering, "monitor-user"));
    const plan = planPeering(peering, commands, observed);
    for (const change of plan.changes) if (change.op === "set" && change.path === "/user") change.attrs.password = password;
    if (existing !== undefined && !plan.changes.some((c) => c.path === "/user")) await this.client.set("/user", existing[".id"]!, { password });
    await this.#apply(plan, hooks);
  }

  async discardPrepared(peering: string, what: PreparedPart = "all"): Promise<void> {
    // Menus the version lacks (WireGuard on RouterOS 6) read as empty.
    const paths = what === "all" ? PREPARED_PATHS : what === "friend-ca" ? ["/certificate"] : ["/user", "/user/group"];
    const observed = await readObserved(this.client, paths);
    const plan = planPeering(peering, [], observed);
    // Only the friend's CA: the peering's own certificates were made at the offer and stay.
    if (what === "friend-ca") plan.changes = plan.changes.filter((c) => c.role === "certificate-friend-ca");
    if (plan.changes.length === 0) return;
    const result = await applyPlan(this.client, plan, { peering, reconnect: () => RouterClient.connect(this.target) });
    if (!result.ok) throw new UserError(`could not remove the prepared objects of ${peering}: ${result.message}`);
  }

  async clearSession(session: SessionStatus): Promise<void> {
    const dialect = await this.dialect();
    if (dialect.bgpSessionClear) {
      const [instance] = await this.client.print("/routing/bgp/session", { query: { name: `${session.name}-1` } });
      const [byName] = instance === undefined ? await this.client.print("/routing/bgp/session", { query: { name: session.name } }) : [instance];
      if (byName !== undefined) await this.client.run("/routing/bgp/session/clear", { numbers: byName[".id"]! });
      return;
    }
    // No clear: disable, then enable. The enable is retried on a new connection, a peer must not stay off.
    const [peer] = await this.client.print("/routing/bgp/peer", { query: { name: session.name } });
    if (peer === undefined || parseOwnershipTag(peer.comment) === null) return;
    const id = peer[".id"]!;
    try {
      await this.client.run("/routing/bgp/peer/disable", { numbers: id });
    } finally {
      const client = this.client.closed ? await RouterClient.connect(this.target) : this.client;
      try {
        await client.run("/routing/bgp/peer/enable", { numbers: id });
      } finally {
        if (client !== this.client) await client.close().catch(() => undefined);
      }
    }
  }

  async #write(peering: string, commands: RouterCommand[], observed: Record<string, Record<string, string>[]>, hooks: PrepareHooks): Promise<void> {
    await this.#apply(planPeering(peering, commands, observed), hooks);
  }

  async #apply(plan: RouterOsPlan, hooks: PrepareHooks): Promise<void> {
    if (plan.conflicts.length > 0) throw new UserError(["nothing written:", ...plan.conflicts.map((c) => `  ${c.message}`)].join("\n"));
    const result = await applyPlan(this.client, plan, { peering: plan.peering, reconnect: () => RouterClient.connect(this.target), onEvent: hooks.onApply });
    if (!result.ok) throw new UserError(result.message);
  }
}
