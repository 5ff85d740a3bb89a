// What discovery found on a router, as lines for a person: `bgpals inventory` and the screens.
import { behindNat } from "../core/ipv4.js";
import type { Inventory, WanCandidate } from "../platforms/platform.js";

/** What a friend could make of this WAN's address: behind NAT, or dynamic. */
function reachNote(w: WanCandidate): string {
  const address = w.address?.split("/")[0];
  const nat = address === undefined ? null : behindNat(address);
  if (nat !== null) return `  behind NAT (${nat.prefix}): an offer needs --endpoint`;
  return w.dynamic !== undefined ? `  dynamic (${w.dynamic})` : "";
}

export function inventoryLines(inv: Inventory): string[] {
  return [
    inv.system === undefined ? `${inv.identity}: RouterOS ${inv.version} (${inv.dialect ?? "unsupported"}), ${inv.board} ${inv.architecture}` : `${inv.identity}: ${inv.system}`,
    `WAN candidates:`,
    ...inv.wans.map((w) => `  ${w.interface}  ${w.address ?? ""}  (${w.reasons.join(", ")})${w.defaultRoutes.map((r) => `  default via ${r.gateway} distance ${r.distance}${r.checkGateway ? ` check-gateway=${r.checkGateway}` : ""}`).join("")}${reachNote(w)}`),
    `LANs:`,
    ...inv.lans.map((l) => `  ${l.network} on ${l.interface}`),
    ...(inv.lansLeftOut ?? []).map((l) => `  not suggested: ${l.network} on ${l.interface}: ${l.why}`),
    `BGP: ${inv.bgp.asns.length ? `AS ${inv.bgp.asns.join(", ")}` : "none"}${inv.bgp.sessions.length ? `, ${inv.bgp.sessions.length} session(s)` : ""}`,
    // IP Cloud is RouterOS's own: other platforms have none to report.
    ...(inv.system === undefined || inv.cloud.ddnsEnabled ? [`IP Cloud: ${inv.cloud.ddnsEnabled ? `${inv.cloud.dnsName ?? "?"} (${inv.cloud.publicAddress ?? "no address yet"})` : "DDNS off"}`] : []),
    `Firewall: ${inv.firewall.inputRules} input rules${inv.firewall.dropsFromWan ? ", drops input from WAN" : ", does NOT drop input from WAN"}`,
    `Ports in use: ${inv.portsInUse.map((p) => `${p.protocol}/${p.port} (${p.by}${portOwner(p)})`).join(", ") || "none"}`,
    ...(inv.notes ?? []),
  ];
}

/** Whose a listener is: a bgpals peering's, the one OpenVPN server shared by peerings, or the user's. */
function portOwner(p: Inventory["portsInUse"][number]): string {
  if (p.oneServer !== undefined) return p.oneServer.peerings.length > 0 ? `, shared by bgpals peerings ${p.oneServer.peerings.join(", ")}` : ", not bgpals's";
  return p.peering !== undefined ? `, bgpals peering ${p.peering}` : "";
}
