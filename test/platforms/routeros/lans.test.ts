// The networks discovery offers to share are the router's own: a peering already applied adds
// tunnel addresses (tagged bgpals:, on WireGuard/OpenVPN interfaces), which a second peering's
// wizard must not suggest as a LAN.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../../src/lab/lab.js";
import { routerOs } from "../../../src/platforms/routeros/index.js";
import { example } from "../../helpers.js";
import { planAndApply, targetOf } from "./apply-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

async function lansOf(name: string) {
  const router = await routerOs.connect(targetOf(lab, name), name);
  try {
    return (await router.discover()).lans;
  } finally {
    await router.close();
  }
}

describe("LANs discovery suggests", () => {
  it("leave out the tunnel addresses of a peering already applied", async () => {
    const before = await lansOf("alice");
    expect(before.length).toBeGreaterThan(0);
    const peering = example("s1");
    await planAndApply(lab, "alice", peering);
    const tunnelAddresses = peering.links.map((l) => l.address.alice!);
    const exported = lab.router("alice").exportConfig();
    // The peering did put its addresses on the router: the check below would pass vacuously otherwise.
    for (const a of tunnelAddresses) expect(exported).toContain(a.split("/")[0]);
    const after = await lansOf("alice");
    expect(after).toEqual(before);
    for (const lan of after) for (const a of tunnelAddresses) expect(lan.address).not.toBe(a);
  });
});
