// RouterOS 6 (carol, 6.49.10) is as strict as RouterOS 7: an argument its menu does not have is
// refused with a !trap, and a print with a query and .proplist answers only the matching items.
// Through node-routeros against the lab, as any client sees it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { render } from "../../src/platforms/routeros/render/render.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { example } from "../helpers.js";
import { targetOf } from "../platforms/routeros/apply-helpers.js";
import { connect, print, sendCommands } from "./lab-helpers.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["carol"], tickMs: 0, ssh: false, tls: false });
});
afterAll(async () => {
  await lab.stop();
});

async function trapOf(words: [string, ...string[]]): Promise<string | null> {
  const api = await connect(lab, "carol");
  try {
    await api.write(words[0], words.slice(1));
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await api.close();
  }
}

describe("carol refuses unknown arguments", () => {
  test("on add: an attribute the menu does not have, and nothing is added", async () => {
    const before = (await print(await connect(lab, "carol"), "/ip/address")).length;
    expect(await trapOf(["/ip/address/add", "=address=10.99.0.1/24", "=interface=bridge", "=colour=blue"])).toBe("unknown parameter");
    const api = await connect(lab, "carol");
    expect((await print(api, "/ip/address")).length).toBe(before);
    await api.close();
  });

  test("on set, in a menu RouterOS 6 has but RouterOS 7 does not", async () => {
    expect(await trapOf(["/routing/bgp/instance/set", "=numbers=default", "=remote.as=65001"])).toBe("unknown parameter");
    expect(await trapOf(["/routing/bgp/instance/set", "=numbers=default", "=client-to-client-reflection=no"])).toBeNull();
  });

  test("RouterOS 7 arguments: OpenVPN protocol and verify-server-certificate, BGP connection words", async () => {
    const client = ["/interface/ovpn-client/add", "=name=ovpn-x", "=connect-to=192.0.2.1", "=user=u"] as const;
    expect(await trapOf([...client, "=protocol=tcp"])).toBe("unknown parameter");
    expect(await trapOf([...client, "=verify-server-certificate=yes"])).toBe("unknown parameter");
    expect(await trapOf(["/routing/bgp/peer/add", "=name=p", "=remote.address=10.0.0.1", "=remote-as=65001"])).toBe("unknown parameter");
    expect(await trapOf(["/interface/ovpn-server/server/set", "=protocol=tcp"])).toBe("unknown parameter");
  });

  test("what bgpals renders for RouterOS 6 is accepted word for word", async () => {
    // The OpenVPN client names its certificate, which must exist: made first, as accept does.
    const router = await routerOs.connect(targetOf(lab, "carol"), "carol");
    await router.makeCertificates("alice-carol", "client");
    await router.close();
    const api = await connect(lab, "carol");
    const commands = render(example("s4"), "carol").commands;
    await sendCommands(api, commands);
    const peers = await print(api, "/routing/bgp/peer");
    expect(peers.filter((p) => p.comment?.startsWith("bgpals:alice-carol:")).length).toBe(commands.filter((c) => c.path === "/routing/bgp/peer").length);
    await api.close();
  });

  test("what bgpals writes outside the render (lock, certificates) is accepted through the real client", async () => {
    const router = await routerOs.connect(targetOf(lab, "carol"), "carol");
    try {
      const ca = await router.makeCertificates("v6-strict", "client");
      expect(ca.caFingerprint).toMatch(/^[0-9a-f]{64}$/);
      const api = await connect(lab, "carol");
      expect((await print(api, "/certificate", ["?name=bgpals-v6-strict-client"]))[0]?.ca).toBe("bgpals-v6-strict-ca");
      await api.close();
    } finally {
      await router.close();
    }
  });
});

describe("carol answers a query with .proplist", () => {
  test("only the matching items, with only the asked attributes, whichever word comes first", async () => {
    const api = await connect(lab, "carol");
    const all = await print(api, "/interface");
    const ethers = all.filter((i) => i.type === "ether").map((i) => i.name);
    expect(ethers.length).toBeGreaterThan(1);
    for (const words of [["?type=ether", "=.proplist=name"], ["=.proplist=name", "?type=ether"]]) {
      const rows = await print(api, "/interface", words);
      expect(rows.map((r) => r.name)).toEqual(ethers);
      expect(rows.every((r) => Object.keys(r).join() === "name")).toBe(true);
    }
    // A query on an attribute left out of .proplist still decides which items come.
    const one = await print(api, "/interface", ["=.proplist=type", `?name=${ethers[0]}`]);
    expect(one).toEqual([{ type: "ether" }]);
    const none = await print(api, "/ip/route", ["?bgp=true", "?gateway=172.16.20.1", "=.proplist=dst-address,gateway"]);
    expect(none).toEqual([]);
    await api.close();
  });
});
