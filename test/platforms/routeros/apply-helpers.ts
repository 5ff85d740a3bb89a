// Plans and applies peerings on lab routers through the real client, as the CLI does.
import type { Lab } from "../../../src/lab/lab.js";
import { PERSONALITIES } from "../../../src/lab/personalities.js";
import type { Peering } from "../../../src/core/peering.js";
import type { ApplyResult, LinkSecrets, RouterPlan, RouterTarget } from "../../../src/platforms/platform.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";
import type { RouterOsRouter } from "../../../src/platforms/routeros/router.js";
import { certificateNames } from "../../../src/platforms/routeros/names.js";
import { appliedOn } from "../../helpers.js";

const DNS = new Map(Object.values(PERSONALITIES).flatMap((p) => Object.entries(p().dns)));
export const labResolve = async (name: string) => {
  const address = DNS.get(name);
  if (address === undefined) throw new Error(`cannot resolve ${name}`);
  return address;
};

export function targetOf(lab: Lab, name: string): RouterTarget {
  const r = lab.info().routers.find((x) => x.name === name)!;
  return { host: r.host, port: r.port, user: r.user, password: r.password, timeoutMs: 3000 };
}

/**
 * Where `side` dials in to an OpenVPN server, or its server asks for client certificates, the
 * friend's CA is on the router (as accept and complete put it there from a bundle), pinned in the
 * returned peering where `side` is the client; made here, a CA of no lab router.
 */
export async function withFriendCa(lab: Lab, side: string, peering: Peering): Promise<Peering> {
  if (!peering.links.some((l) => l.kind === "ovpn" && (l.listener !== side || (l.requireClientCertificate ?? true)))) return peering;
  const router = await routerOs.connect(targetOf(lab, side), side);
  try {
    const name = certificateNames(peering.name).friendCa;
    const { client } = router as RouterOsRouter;
    let [held] = await client.print("/certificate", { query: { name } });
    if (held === undefined) {
      const made = await generate([{ name: "commonName", value: `${peering.name} friend CA` }], { keySize: 2048, algorithm: "sha256", extensions: [{ name: "basicConstraints", cA: true, critical: true }] });
      const fingerprint = new X509Certificate(made.cert).fingerprint256.replace(/:/g, "").toLowerCase();
      await router.importFriendCa(peering.name, { caCertificate: made.cert, caFingerprint: fingerprint });
      [held] = await client.print("/certificate", { query: { name } });
    }
    const out = structuredClone(peering);
    for (const link of out.links) if (link.kind === "ovpn" && link.listener !== side) link.caFingerprint = held!.fingerprint!;
    return out;
  } finally {
    await router.close();
  }
}

/** The example made ready for `side`'s lab router: appliedOn, then the friend's CA where it dials OpenVPN. */
export async function readyOn(lab: Lab, side: string, peering: Peering): Promise<Peering> {
  return withFriendCa(lab, side, appliedOn(peering, side));
}

export async function planAndApply(
  lab: Lab,
  name: string,
  peering: Peering,
  options: { remove?: boolean; secrets?: LinkSecrets; pipeline?: boolean } = {},
): Promise<{ planned: RouterPlan; result: ApplyResult }> {
  // The examples' keys and CAs belong to no router: the side applied gets the placeholder (see readyOn).
  if (!options.remove) peering = await readyOn(lab, name, peering);
  const router = await routerOs.connect(targetOf(lab, name), name);
  try {
    // Lock first, then read, plan and write, as the commands do.
    return await router.exclusive({ command: options.remove ? "remove" : "apply", peering: peering.name }, async () => {
      const planned = await router.plan({ peering, side: name, secrets: options.secrets, remove: options.remove });
      if (planned.refusals.length > 0) throw new Error(`refused: ${planned.refusals.map((r) => r.message).join("; ")}`);
      const result = await router.apply(planned.plan, { resolve: labResolve, pipeline: options.pipeline });
      return { planned, result };
    });
  } finally {
    await router.close().catch(() => undefined);
  }
}

/** Menus where a router acts on items in the order it lists them: compared in order. */
const ORDERED = new Set(["/routing/filter/rule", "/routing/filter", "/ip/firewall/filter", "/ip/firewall/mangle", "/ip/firewall/nat", "/ip/firewall/raw", "/interface/wireguard/peers"]);

/**
 * A lab router's configuration without state, for before/after comparisons: ordered menus as the
 * router lists them, the others as sets (RouterOS lists an item re-created by an undo last).
 */
export function exportOf(lab: Lab, name: string): string {
  const config = JSON.parse(lab.router(name).exportConfig()) as Record<string, unknown>;
  for (const [path, items] of Object.entries(config)) {
    if (Array.isArray(items) && !ORDERED.has(path)) config[path] = items.map((i) => JSON.stringify(i)).sort().map((s) => JSON.parse(s) as unknown);
  }
  return JSON.stringify(config, null, 1);
}
