// The endpoint an offer publishes (issue 13, point 3): only one the friend can reach and keep
// reaching. A WAN address behind NAT (RFC 1918, CGNAT) or dynamic (PPPoE, DHCP) without a DNS name
// is refused before anything is written, saying why and what to pass; IP Cloud's name, which
// follows one public address, names one link at most.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeOffer, type OfferLinkChoice } from "../../src/flows/wizard.js";
import { Lab } from "../../src/lab/lab.js";
import type { Router } from "../../src/platforms/platform.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { workspaceAt, type Workspace } from "../../src/store/workspace.js";
import { connect, print } from "../lab/lab-helpers.js";
import { exportOf, targetOf } from "../platforms/routeros/apply-helpers.js";
import { cliAsync } from "../cli/cli-async.js";

let lab: Lab | undefined;
const routers: Router[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const r of routers.splice(0)) await r.close().catch(() => undefined);
  await lab?.stop();
  lab = undefined;
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function start(): Promise<{ remi: Router; ws: Workspace }> {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
  const remi = await routerOs.connect(targetOf(lab, "remi"), "remi");
  routers.push(remi);
  const home = mkdtempSync(join(tmpdir(), "bgpals-endpoints-"));
  homes.push(home);
  return { remi, ws: { ...workspaceAt(home), secrets: null } };
}

const offer = (router: Router, ws: Workspace, links: OfferLinkChoice[]) =>
  makeOffer(router, ws, { me: "remi", friend: "alice", asn: 64513, networks: ["192.168.42.0/24"], primary: links[0]!.name, links });

describe("the endpoint an offer publishes", () => {
  it("a CGNAT WAN address is refused without an explicit endpoint, saying why and what to pass; nothing written", async () => {
    const { remi, ws } = await start();
    const before = exportOf(lab!, "remi");
    await expect(offer(remi, ws, [{ name: "isp2", kind: "wireguard", iface: "pppoe-out2" }])).rejects.toThrow(
      /^link isp2: pppoe-out2's address 100\.64\.7\.9 is in CGNAT \(carrier-grade NAT\) shared space \(100\.64\.0\.0\/10\): your friend's router can never reach it .*: nothing written; pass --endpoint isp2=<address or DNS name>$/,
    );
    expect(exportOf(lab!, "remi")).toBe(before);

    // With the endpoint the user knows (a port forwarded at the ISP, a relay), the offer is made with it.
    const made = await offer(remi, ws, [{ name: "isp2", kind: "wireguard", iface: "pppoe-out2", endpoint: "vpn.remi.example" }]);
    expect(made.offer.side.wans.isp2).toEqual({ interface: "pppoe-out2", endpoint: "vpn.remi.example" });
  });

  it("bgpals offer says so too, with exit 1 and the flag to pass", async () => {
    const { ws } = await start();
    const r = lab!.info().routers.find((x) => x.name === "remi")!;
    const before = exportOf(lab!, "remi");
    const offered = await cliAsync(["offer", "--router", `${r.user}@${r.host}:${r.port}`, "--me", "remi", "--friend", "alice", "--asn", "64513", "--networks", "192.168.42.0/24", "--link", "isp2:wireguard:pppoe-out2"], { BGPALS_HOME: ws.home, BGPALS_PASSWORD: r.password });
    expect(offered.code, offered.stderr).toBe(1);
    expect(offered.stderr).toMatch(/^bgpals: link isp2: pppoe-out2's address 100\.64\.7\.9 is in CGNAT .* pass --endpoint isp2=<address or DNS name>\n$/);
    expect(exportOf(lab!, "remi")).toBe(before);
  });

  it("an RFC 1918 WAN address is refused without an explicit endpoint", async () => {
    const { remi, ws } = await start();
    const api = await connect(lab!, "remi");
    await api.write("/ip/address/add", ["=address=192.168.1.20/24", "=interface=ether5"]);
    await api.write("/interface/list/member/add", ["=list=WAN", "=interface=ether5"]);
    await api.close();
    await expect(offer(remi, ws, [{ name: "isp1", kind: "wireguard", iface: "ether5" }])).rejects.toThrow(/^link isp1: ether5's address 192\.168\.1\.20 is in private \(RFC 1918\) space \(192\.168\.0\.0\/16\): .*pass --endpoint isp1=/);
  });

  it("a dynamic (PPPoE) address needs a DNS name; IP Cloud's name is offered for the WAN the cloud sees, and for one link only", async () => {
    const { remi, ws } = await start();
    await expect(offer(remi, ws, [{ name: "isp1", kind: "wireguard", iface: "pppoe-out1" }])).rejects.toThrow(
      /^link isp1: pppoe-out1's address 192\.0\.2\.33 is dynamic \(PPPoE\): .*IP Cloud's DDNS \(\/ip cloud set ddns-enabled=yes\) can name the one WAN that carries your default route\): nothing written; pass --endpoint isp1=/,
    );

    const api = await connect(lab!, "remi");
    await api.write("/ip/cloud/set", ["=ddns-enabled=yes"]);
    const [cloud] = await print(api, "/ip/cloud");
    await api.close();
    const name = cloud!["dns-name"]!;
    expect(cloud).toMatchObject({ "public-address": "192.0.2.33" });

    // IP Cloud names one link; a second link may not take the same name.
    const links: OfferLinkChoice[] = [
      { name: "isp1", kind: "wireguard", iface: "pppoe-out1" },
      { name: "isp2", kind: "wireguard", iface: "pppoe-out2", endpoint: name },
    ];
    await expect(offer(remi, ws, links)).rejects.toThrow(new RegExp(`^link isp2: IP Cloud's name ${name.replace(/\./g, "\\.")} already names link isp1; it follows one public address .*pass --endpoint isp2=`));
    // Nor two links on the WAN the cloud sees.
    await expect(offer(remi, ws, [{ name: "isp1", kind: "wireguard", iface: "pppoe-out1" }, { name: "isp2", kind: "wireguard", iface: "pppoe-out1" }])).rejects.toThrow(/^link isp2: .*already names another link/);

    const made = await offer(remi, ws, [{ name: "isp1", kind: "wireguard", iface: "pppoe-out1" }]);
    expect(made.offer.side.wans.isp1).toEqual({ interface: "pppoe-out1", endpoint: name });
  });
});
