// Plans a peering on a connected router: discovery and every planned menu read together, the
// refusals checked (core/checks, with what the router holds), the render proven against the
// policy, then compared with what the router has.
import { normalizeFingerprint } from "../../core/certificates.js";
import { checkPeering, type Refusal, type RouterFacts } from "../../core/checks.js";
import { isIPv4 } from "../../core/ipv4.js";
import type { Peering } from "../../core/peering.js";
import type { RouterCommand } from "./types.js";
import { LINK_KINDS } from "../../core/links/index.js";
import { UserError } from "../../errors.js";
import type { PlanRequest, RouterPlan } from "../platform.js";
import type { RouterClient } from "./api/client.js";
import { planPeering, withKnownSecrets, withObserved, type Observed, type RouterOsChange, type RouterOsPlan } from "./apply/plan.js";
import { subjectAltName } from "./certificates.js";
import { dialectOf, routerOsFeatures } from "./dialects.js";
import { discover, readDiscoveryRoutes } from "./discovery.js";
import { withWanGateways } from "./gateways.js";
import { policyViolations } from "./filter/probes.js";
import { PLANNED_MENUS, POLICY_MENUS } from "./menus.js";
import { certificateNames, ONE_SERVER_RECORD, ownershipTag, parseOwnershipTag, serverCertificateOwner } from "./names.js";
import { portRefusals } from "./ports.js";
import { readObserved } from "./read.js";
import { render, RenderError, type Rendered } from "./render/render.js";

export interface RouterOsRouterPlan extends RouterPlan {
  plan: RouterOsPlan;
  rendered: Rendered | null;
}

/**
 * The friend's endpoint names, resolved now: the commands with addresses in their place, or why a
 * name does not resolve (refused before anything is written, not found half way through an apply).
 */
async function resolveEndpoints(peering: Peering, side: string, commands: readonly RouterCommand[], resolve: (name: string) => Promise<string>): Promise<{ commands: RouterCommand[] } | { refusals: Refusal[] }> {
  const wanted = [...new Set(commands.flatMap((c) => (c.resolve ?? []).map((k) => c.attrs[k]!).filter((v) => v !== undefined && !isIPv4(v))))];
  const answers = await Promise.all(wanted.map(async (name) => {
    try {
      const address = await resolve(name);
      return isIPv4(address) ? { name, address } : { name, problem: `it resolves to ${JSON.stringify(address)}, not an IPv4 address` };
    } catch (e) {
      return { name, problem: e instanceof Error && e.message !== "" ? e.message : "it does not resolve" };
    }
  }));
  const refusals: Refusal[] = [];
  for (const a of answers) {
    if (a.address !== undefined) continue;
    const friend = Object.keys(peering.sides).find((s) => s !== side) ?? "";
    const wan = Object.entries(peering.sides[friend]?.wans ?? {}).find(([, w]) => w.endpoint === a.name)?.[0] ?? "";
    refusals.push({
      code: "endpoint-unresolved",
      path: `sides.${friend}.wans.${wan}.endpoint`,
      message: `${friend}'s endpoint ${a.name} cannot be resolved (${a.problem}): check the name with ${friend}, or give its address with --resolve ${a.name}=<address>`,
    });
  }
  if (refusals.length > 0) return { refusals };
  const addresses = new Map(answers.map((a) => [a.name, a.address!]));
  return {
    commands: commands.map((c) => {
      if (c.resolve === undefined) return c;
      const attrs = { ...c.attrs };
      const said: string[] = [];
      for (const k of c.resolve) {
        const name = attrs[k];
        const address = name === undefined ? undefined : addresses.get(name);
        if (address === undefined) continue;
        attrs[k] = k === "dst-address" ? `${address}/32` : address;
        said.push(`${name} resolves to ${address} now`);
      }
      return { ...c, attrs, ...(c.why !== undefined && said.length > 0 ? { why: `${c.why} (${said.join(", ")})` } : {}) };
    }),
  };
}

export async function planOnRouter(client: RouterClient, request: PlanRequest): Promise<RouterOsRouterPlan> {
  const { peering, side } = request;
  if (!request.remove && request.scope !== "policy") {
    // RouterOS never gives a password back: planning without it would disable the friend's PPP
    // account (or leave our client without one) and call that the plan.
    const missing = peering.links.filter((l) => LINK_KINDS[l.kind].password && request.secrets?.pppPassword?.[l.name] === undefined).map((l) => l.name);
    if (missing.length > 0) {
      throw new UserError(`${peering.name}: no PPP password for link${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the router never shows it, so bgpals will not plan without it (it would disable the account, or leave the client without one): give it (BGPALS_PPP_PASSWORD_<LINK>, e.g. BGPALS_PPP_PASSWORD_${missing[0]!.toUpperCase().replace(/[^A-Z0-9]/g, "_")})`);
    }
  }
  // The routes that are not BGP's are read once, for discovery and for the plan: bgpals's own are
  // static, and a router may carry a million BGP routes from elsewhere that neither needs.
  const routes = readDiscoveryRoutes(client);
  routes.catch(() => undefined);
  const [inventory, menus, routeItems] = await Promise.all([discover(client, { routes }), readObserved(client, PLANNED_MENUS.filter((p) => p !== "/ip/route")), routes]);
  const read = Object.fromEntries(PLANNED_MENUS.map((p) => [p, p === "/ip/route" ? routeItems.filter((r) => r.dynamic !== "true") : menus[p]!]));
  const observed = withKnownSecrets(read, peering.name, request.secrets);
  const version = inventory.version;
  if (request.remove) {
    return { version, rendered: null, refusals: [], plan: planPeering(peering.name, [], observed), otherChanges: 0 };
  }
  // Our own objects are not in the way of our own peering; other peerings' objects are.
  const otherTunnels = inventory.tunnelPrefixes.filter((t) => parseOwnershipTag(t.comment)?.peering !== peering.name && t.comment?.startsWith("bgpals:")).map((t) => t.prefix);
  const refusals = checkPeering({
    peering,
    side,
    featuresOf: request.featuresOf ?? routerOsFeatures,
    version,
    others: request.others,
    router: { interfaces: inventory.interfaces.map((i) => i.name), prefixesInUse: [...inventory.prefixesInUse, ...otherTunnels], ...(request.scope === "policy" ? {} : keysAndCertificates(peering, observed, request, version)) },
    acceptPublic: request.acceptPublic,
  });
  // Routes through an Ethernet WAN name the ISP's router, learned from this router.
  const gateways = withWanGateways(peering, side, inventory);
  refusals.push(...gateways.refusals);
  let rendered: Rendered | null = null;
  if (refusals.length === 0) {
    try {
      rendered = render(gateways.peering, side, version, request.secrets);
      for (const v of policyViolations(peering, rendered)) refusals.push({ code: "filter-set", path: "policy", message: v });
      refusals.push(...portRefusals(peering, rendered.commands, inventory.portsInUse));
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      refusals.push({ code: "version-gate", path: `sides.${side}.platform.version`, message: e.message });
    }
  }
  // A primary swap (scope "policy") writes filters and sessions only, never a route or peer that
  // names the friend's endpoint: its names need not resolve on this computer (the planner compares
  // a resolved attribute by name only anyway).
  if (rendered !== null && refusals.length === 0 && request.resolve !== undefined && request.scope !== "policy") {
    const resolved = await resolveEndpoints(peering, side, rendered.commands, request.resolve);
    if ("refusals" in resolved) refusals.push(...resolved.refusals);
    else rendered = { ...rendered, commands: resolved.commands };
  }
  const full = rendered === null || refusals.length > 0 ? withObserved({ changes: [], conflicts: [] }, observed, peering.name) : planPeering(peering.name, rendered.commands, observed);
  if (refusals.length === 0 && request.scope !== "policy") full.changes.unshift(...certificatesToMake(peering, side, observed, version));
  if (request.scope !== "policy") return { version, rendered, refusals, plan: full, otherChanges: 0 };
  // A primary swap touches filters and sessions only; other drift is left to `bgpals apply`.
  const changes = full.changes.filter((c) => POLICY_MENUS.includes(c.path) && c.op === "set");
  const scope = (c: { path: string; op: string }) => POLICY_MENUS.includes(c.path) && c.op === "set";
  const origin = rendered === null ? undefined : { desired: rendered.commands, paths: PLANNED_MENUS, scope };
  return { version, rendered, refusals, plan: withObserved({ changes, conflicts: full.conflicts }, observed, peering.name, origin), otherChanges: full.changes.length - changes.length };
}

/** What the router holds of the peering's keys and certificates, for the checks (core/checks.ts). */
function keysAndCertificates(peering: Peering, observed: Observed, request: PlanRequest, version: string): Pick<RouterFacts, "wireguardKeys" | "certificates"> {
  const wireguardKeys: Record<string, string | null> = {};
  for (const link of peering.links.filter((l) => LINK_KINDS[l.kind].keysOnRouter)) {
    const iface = (observed["/interface/wireguard"] ?? []).find((i) => i.comment === ownershipTag(peering.name, `tunnel-${link.name}`));
    wireguardKeys[link.name] = iface?.["public-key"] ?? null;
  }
  const names = certificateNames(peering.name);
  const fingerprint = (name: string) => (observed["/certificate"] ?? []).find((c) => c.name === name)?.fingerprint?.toLowerCase() ?? null;
  const arriving = request.friendCa === undefined ? null : normalizeFingerprint(request.friendCa.caFingerprint);
  // Joining the one server a peering holds before 7.17, ours is that peering's CA (the friend was given it).
  const has = (name: string) => fingerprint(name) !== null;
  const owner = joinsSharedServer(peering.name, observed, version, has);
  const ownCa = owner === null ? names.ca : certificateNames(owner).ca;
  return { wireguardKeys, certificates: { ownCa: fingerprint(ownCa), friendCa: arriving ?? fingerprint(names.friendCa) } };
}

/**
 * This side's own OpenVPN certificates the router lacks: the server's where it listens, the
 * client's where it dials in with one. Made at apply, before the rest (router.ts).
 */
function certificatesToMake(peering: Peering, side: string, observed: Observed, version: string): RouterOsChange[] {
  const ovpn = peering.links.filter((l) => LINK_KINDS[l.kind].certificates);
  const names = certificateNames(peering.name);
  const has = (name: string) => (observed["/certificate"] ?? []).some((c) => c.name === name && c.fingerprint !== undefined);
  const out: RouterOsChange[] = [];
  const listening = ovpn.filter((l) => l.listener === side);
  if (listening.length > 0 && !has(names.server) && joinsSharedServer(peering.name, observed, version, has) === null) {
    const serverNames = [...new Set(listening.map((l) => peering.sides[side]!.wans[l.wan[side]!]?.endpoint).filter((e): e is string => e !== undefined))];
    out.push(certificateChange(names, "server", serverNames, has(names.ca)));
  }
  if (ovpn.some((l) => l.listener !== side && (l.requireClientCertificate ?? true)) && !has(names.client)) out.push(certificateChange(names, "client", [], has(names.ca) || out.length > 0));
  return out;
}

/**
 * Before 7.17 there is one OpenVPN server: a peering joining it while another peering holds it
 * shows that peering's certificate and never makes its own (router.ts #serverCertificateNames).
 * That peering's name, or null.
 */
function joinsSharedServer(peering: string, observed: Observed, version: string, has: (name: string) => boolean): string | null {
  if (dialectOf(version)?.ovpnServerInstances !== false) return null;
  const [server] = observed[ONE_SERVER_RECORD.server] ?? [];
  const record = (observed[ONE_SERVER_RECORD.path] ?? []).find((r) => r.name === ONE_SERVER_RECORD.name);
  const holders = parseOwnershipTag(record?.comment)?.peerings ?? [];
  const owner = serverCertificateOwner(server?.certificate);
  return owner !== null && owner !== peering && holders.length > 0 && has(certificateNames(owner).server) ? owner : null;
}

function certificateChange(names: ReturnType<typeof certificateNames>, role: "server" | "client", serverNames: string[], caThere: boolean): RouterOsChange {
  const leaf = role === "server" ? names.server : names.client;
  const what = role === "server" ? `our OpenVPN server's certificate${serverNames.length > 0 ? ` for ${serverNames.join(", ")}` : ""}` : "our OpenVPN client's certificate";
  return {
    op: "add",
    path: "/certificate",
    attrs: { name: leaf, ...(role === "server" && serverNames.length > 0 ? { "subject-alt-name": subjectAltName(serverNames) } : {}) },
    role: `certificate-${role}`,
    reason: `${what}, signed by ${caThere ? "" : "a new CA "}${names.ca}; made on the router, its key stays there`,
    makeCertificate: { role, serverNames },
  };
}
