// What the lab's routers keep one of, through the real protocol (issue 13): RouterOS 6's global
// `/routing bgp network`, the one OpenVPN server before 7.17, several servers from 7.17 with one per
// port, and a WireGuard port two interfaces listen on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouterOSAPI } from "node-routeros";
import { Lab } from "../../src/lab/lab.js";
import { onCleanup } from "../helpers.js";
import { connect, print } from "./lab-helpers.js";

let lab: Lab;
beforeAll(async () => {
  // carol runs 6.49; a second 7.x router before 7.17 (7.16.2) shows the one server is not only RouterOS 6's.
  lab = await Lab.start({ routers: ["alice", "remi", "carol"], versions: { remi: "7.16.2" }, tickMs: 0, tls: false, ssh: false });
});
afterAll(async () => lab.stop());

async function api(router: string): Promise<RouterOSAPI> {
  const a = await connect(lab, router);
  onCleanup(() => a.close());
  return a;
}

const words = (attrs: Record<string, string>) => Object.entries(attrs).map(([k, v]) => `=${k}=${v}`);

describe("RouterOS 6: /routing bgp network is global", () => {
  it("a second entry for the same network is refused: already have such entry", async () => {
    const carol = await api("carol");
    const [id] = (await carol.write("/routing/bgp/network/add", words({ network: "192.168.88.0/24", synchronize: "yes", comment: "first" }))) as Array<{ ret: string }>;
    onCleanup(() => lab.router("carol").store.remove("/routing/bgp/network", id!.ret));
    await expect(carol.write("/routing/bgp/network/add", words({ network: "192.168.88.0/24", synchronize: "yes", comment: "second" }))).rejects.toThrow("failure: already have such entry");
    expect((await print(carol, "/routing/bgp/network")).map((n) => n.comment)).toEqual(["first"]);
  });
});

describe("one OpenVPN server before 7.17", () => {
  for (const router of ["carol", "remi"]) {
    it(`${router}: one settings object, set in place; a second server cannot be added`, async () => {
      const a = await api(router);
      const before = lab.router(router).store.get("/interface/ovpn-server/server")!;
      onCleanup(() => lab.router(router).store.set("/interface/ovpn-server/server", null, before));
      await a.write("/interface/ovpn-server/server/set", words({ enabled: "yes", port: "443" }));
      const servers = await print(a, "/interface/ovpn-server/server");
      expect(servers).toEqual([expect.objectContaining({ enabled: "true", port: "443" })]);
      expect(servers[0]![".id"]).toBeUndefined();
      await expect(a.write("/interface/ovpn-server/server/add", words({ name: "second", port: "1195" }))).rejects.toThrow("no such command");
      expect(await print(a, "/interface/ovpn-server/server")).toHaveLength(1);
    });
  }
});

describe("several OpenVPN servers from 7.17, one per port", () => {
  it("a server on a port another enabled server uses is refused; another port, a disabled one, or the other protocol are not", async () => {
    const alice = await api("alice");
    const add = async (attrs: Record<string, string>) => {
      const [done] = (await alice.write("/interface/ovpn-server/server/add", words(attrs))) as Array<{ ret: string }>;
      onCleanup(() => lab.router("alice").store.remove("/interface/ovpn-server/server", done!.ret));
      return done!.ret;
    };
    await add({ name: "first", port: "1194", protocol: "tcp" });
    await expect(add({ name: "second", port: "1194", protocol: "tcp" })).rejects.toThrow("failure: tcp/1194 is already used by another OpenVPN server");
    await add({ name: "udp", port: "1194", protocol: "udp" });
    await add({ name: "other-port", port: "1195", protocol: "tcp" });
    const idle = await add({ name: "idle", port: "1194", protocol: "tcp", disabled: "yes" });
    await expect(alice.write("/interface/ovpn-server/server/enable", [`=.id=${idle}`])).rejects.toThrow("failure: tcp/1194 is already used by another OpenVPN server");
    await expect(alice.write("/interface/ovpn-server/server/set", [`=.id=${idle}`, "=disabled=no"])).rejects.toThrow("already used by another OpenVPN server");
    expect((await print(alice, "/interface/ovpn-server/server")).map((s) => [s.name, s.disabled])).toEqual([
      ["first", "false"],
      ["udp", "false"],
      ["other-port", "false"],
      ["idle", "true"],
    ]);
  });
});

describe("one WireGuard port, two interfaces", () => {
  it("the second interface on a port is taken but its tunnel never comes up, saying why", async () => {
    const alice = await api("alice");
    const add = async (path: string, attrs: Record<string, string>) => {
      const [done] = (await alice.write(`${path}/add`, words(attrs))) as Array<{ ret: string }>;
      onCleanup(() => lab.router("alice").store.remove(path, done!.ret));
    };
    await add("/interface/wireguard", { name: "wg-first", "listen-port": "13299" });
    await add("/interface/wireguard", { name: "wg-second", "listen-port": "13299" });
    const [remote] = (await print(alice, "/interface/wireguard", ["?name=wg-first"])) as Array<Record<string, string>>;
    await add("/interface/wireguard/peers", { interface: "wg-second", "public-key": remote!["public-key"]!, "endpoint-address": "203.0.113.10", "endpoint-port": "13299", "allowed-address": "10.99.0.1/32" });
    lab.tick();
    const tunnel = lab.dataplane.of("alice").tunnels.find((t) => t.tunnel.initiator.interface === "wg-second");
    expect(tunnel?.tunnel).toMatchObject({ up: false, reason: "wg-second listens on udp/13299, which wg-first uses already" });
  });
});
