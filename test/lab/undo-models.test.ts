// What the lab models because an exact undo depends on it: a WireGuard private key is shown to users
// whose group has the `sensitive` policy (and given back on add), user groups have no disabled flag,
// and a test can act right after the k-th write, before its answer goes out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { wireguardKeyPair } from "../../src/lab/menus.js";
import { RouterClient } from "../../src/platforms/routeros/api/client.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

function connect(user?: { name: string; password: string }): Promise<RouterClient> {
  const r = lab.info().routers[0]!;
  return RouterClient.connect({ host: r.host, port: r.port, user: user?.name ?? r.user, password: user?.password ?? r.password, timeoutMs: 5000 });
}

describe("WireGuard private keys and the sensitive policy", () => {
  it("shows the private key to a user with `sensitive`, masks it for one without, and takes a given key on add", async () => {
    const admin = await connect();
    await admin.add("/user/group", { name: "ro-sensitive", policy: "read,api,sensitive,!write" });
    await admin.add("/user/group", { name: "ro-blind", policy: "read,api,!write,!sensitive" });
    await admin.add("/user", { name: "seer", group: "ro-sensitive", password: "seer-password" });
    await admin.add("/user", { name: "blind", group: "ro-blind", password: "blind-password" });
    await admin.add("/interface/wireguard", { name: "wg-test", "listen-port": "13999" });

    const [made] = await admin.print("/interface/wireguard", { query: { name: "wg-test" } });
    expect(made!["private-key"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(wireguardKeyPair(made!["private-key"]).publicKey).toBe(made!["public-key"]);

    const seer = await connect({ name: "seer", password: "seer-password" });
    expect((await seer.print("/interface/wireguard", { query: { name: "wg-test" } }))[0]!["private-key"]).toBe(made!["private-key"]);
    const blind = await connect({ name: "blind", password: "blind-password" });
    const masked = (await blind.print("/interface/wireguard", { query: { name: "wg-test" } }))[0]!;
    expect(masked["private-key"]).toBe("********");
    expect(masked["public-key"]).toBe(made!["public-key"]);
    await Promise.all([seer.close(), blind.close()]);

    // Removed and added again with the key it had: the same key pair, so a friend's side still matches.
    await admin.remove("/interface/wireguard", made![".id"]!);
    await admin.add("/interface/wireguard", { name: "wg-test", "listen-port": "13999", "private-key": made!["private-key"]! });
    const [again] = await admin.print("/interface/wireguard", { query: { name: "wg-test" } });
    expect(again!["public-key"]).toBe(made!["public-key"]);
    expect(again!["private-key"]).toBe(made!["private-key"]);

    await admin.remove("/interface/wireguard", again![".id"]!);
    for (const user of ["seer", "blind"]) await admin.remove("/user", (await admin.print("/user", { query: { name: user } }))[0]![".id"]!);
    for (const group of ["ro-sensitive", "ro-blind"]) await admin.remove("/user/group", (await admin.print("/user/group", { query: { name: group } }))[0]![".id"]!);
    await admin.close();
  });
});

describe("user groups and PPP profiles", () => {
  it("a PPP profile has no disabled flag: printed and added back as printed, it is accepted", async () => {
    const admin = await connect();
    await admin.add("/ppp/profile", { name: "bgpals-x", "only-one": "yes", comment: "bgpals:x:ppp-profile" });
    const [profile] = await admin.print("/ppp/profile", { query: { name: "bgpals-x" } });
    expect(profile).not.toHaveProperty("disabled");
    await expect(admin.add("/ppp/profile", { name: "other", disabled: "no" })).rejects.toThrow(/unknown parameter disabled/);
    await admin.remove("/ppp/profile", profile![".id"]!);
    const { ".id": _id, ...printed } = profile!;
    await admin.remove("/ppp/profile", await admin.add("/ppp/profile", printed));
    await admin.close();
  });

  it("have no disabled flag, as RouterOS: a group printed and added back as printed is accepted", async () => {
    const admin = await connect();
    await admin.add("/user/group", { name: "bgpals-x-ro", policy: "read,api,!write", comment: "bgpals:x:monitor-group" });
    const [group] = await admin.print("/user/group", { query: { name: "bgpals-x-ro" } });
    expect(group).not.toHaveProperty("disabled");
    await expect(admin.add("/user/group", { name: "other", policy: "read", disabled: "no" })).rejects.toThrow(/unknown parameter disabled/);
    await expect(admin.run("/user/group/disable", { numbers: group![".id"]! })).rejects.toThrow(/no such command/);
    await admin.remove("/user/group", group![".id"]!);
    const { ".id": _id, ...printed } = group!;
    const id = await admin.add("/user/group", printed);
    await admin.remove("/user/group", id);
    await admin.close();
  });
});

describe("afterWrite", () => {
  it("runs after the k-th write is carried out, before its answer; later writes wait for it", async () => {
    const client = await connect();
    const seen: string[] = [];
    let answered = false;
    lab.router("alice").afterWrite(2, async (command) => {
      seen.push(command);
      // The write is done on the router, its answer not yet sent, the third write not yet carried out.
      expect(lab.router("alice").store.at("/ip/firewall/address-list").find({ list: "hook-test" }).map((i) => i.address)).toEqual(["10.0.0.1", "10.0.0.2"]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered).toBe(false);
    });
    const first = await client.add("/ip/firewall/address-list", { list: "hook-test", address: "10.0.0.1" });
    const writes = [
      client.add("/ip/firewall/address-list", { list: "hook-test", address: "10.0.0.2" }).then((id) => ((answered = true), id)),
      client.add("/ip/firewall/address-list", { list: "hook-test", address: "10.0.0.3" }),
    ];
    const ids = await Promise.all(writes);
    expect(seen).toEqual(["/ip/firewall/address-list/add"]);
    for (const id of [first, ...ids]) await client.remove("/ip/firewall/address-list", id);
    await client.close();
  });
});
