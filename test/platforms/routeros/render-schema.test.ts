// Every command bgpals renders must exist on the router it targets.
import { describe, expect, it } from "vitest";
import { render } from "../../../src/platforms/routeros/render/render.js";
import { checkCommand } from "../../../src/lab/schema.js";
import { example, EXAMPLES } from "../../helpers.js";

const V7_VERSIONS = ["7.12.2", "7.19.6", "7.20.8", "7.24"];

// RouterOS 6 has no published command tree: these menus and attributes are the ones the seed
// ovpn-bgp-among-friends.txt uses (routing bgp instance/peer/network, routing filter, ppp profile
// and secret, ovpn-server) and MikroTik's v6 manual documents for them.
const V6_MENUS: Record<string, { verbs: string[]; attrs: string[] }> = {
  "/interface/ovpn-client": { verbs: ["add"], attrs: ["name", "connect-to", "port", "user", "password", "mode", "profile", "certificate", "auth", "cipher", "add-default-route", "max-mtu", "mac-address", "comment", "disabled"] },
  "/interface/ovpn-server/server": { verbs: ["set"], attrs: ["enabled", "port", "mode", "netmask", "mac-address", "max-mtu", "keepalive-timeout", "default-profile", "certificate", "require-client-certificate", "auth", "cipher"] },
  "/interface/ovpn-server": { verbs: ["add"], attrs: ["name", "user", "comment", "disabled"] },
  "/ppp/profile": { verbs: ["add"], attrs: ["name", "local-address", "remote-address", "use-ipv6", "use-mpls", "use-compression", "use-encryption", "use-upnp", "only-one", "change-tcp-mss", "address-list", "on-up", "on-down", "comment"] },
  "/ppp/secret": { verbs: ["add"], attrs: ["name", "service", "caller-id", "password", "profile", "local-address", "remote-address", "routes", "limit-bytes-in", "limit-bytes-out", "comment", "disabled"] },
  "/ip/address": { verbs: ["add"], attrs: ["address", "network", "interface", "comment", "disabled"] },
  "/ip/route": { verbs: ["add"], attrs: ["dst-address", "gateway", "distance", "check-gateway", "type", "scope", "target-scope", "routing-mark", "comment", "disabled"] },
  "/ip/firewall/mangle": { verbs: ["add"], attrs: ["chain", "action", "protocol", "dst-port", "in-interface", "connection-mark", "new-connection-mark", "new-routing-mark", "passthrough", "comment", "disabled"] },
  "/ip/firewall/filter": { verbs: ["add"], attrs: ["chain", "action", "protocol", "dst-port", "in-interface", "comment", "disabled"] },
  "/routing/bgp/instance": { verbs: ["add"], attrs: ["name", "as", "router-id", "redistribute-connected", "redistribute-static", "redistribute-rip", "redistribute-ospf", "redistribute-other-bgp", "out-filter", "client-to-client-reflection", "ignore-as-path-len", "routing-table", "comment"] },
  "/routing/bgp/peer": { verbs: ["add"], attrs: ["name", "instance", "remote-address", "remote-as", "in-filter", "out-filter", "max-prefix-limit", "hold-time", "keepalive-time", "address-families", "multihop", "ttl", "update-source", "comment", "disabled"] },
  "/routing/bgp/network": { verbs: ["add"], attrs: ["network", "synchronize", "comment", "disabled"] },
  "/routing/filter": { verbs: ["add"], attrs: ["chain", "prefix", "prefix-length", "protocol", "bgp-as-path", "action", "jump-target", "set-bgp-local-pref", "set-bgp-prepend", "comment", "disabled"] },
  // The endpoint script and its scheduler (manual: System > Scripting, System > Scheduler).
  "/system/script": { verbs: ["add"], attrs: ["name", "source", "policy", "comment"] },
  "/system/scheduler": { verbs: ["add"], attrs: ["name", "start-date", "start-time", "interval", "on-event", "policy", "comment", "disabled"] },
};

const scenarios = Object.keys(EXAMPLES) as Array<keyof typeof EXAMPLES>;

describe("renders against the RouterOS 7 command trees", () => {
  for (const version of V7_VERSIONS) {
    it(`every command of every render exists on ${version}: path, verb and every attribute`, () => {
      let checked = 0;
      for (const scenario of scenarios) {
        const p = example(scenario);
        for (const side of Object.keys(p.sides)) {
          for (const cmd of render(p, side, version).commands) {
            const attrs = cmd.placement === "top" ? { ...cmd.attrs, "place-before": "*1" } : cmd.attrs;
            expect(checkCommand(version, { ...cmd, attrs }), `${scenario} ${side}: ${cmd.verb} ${cmd.path}`).toEqual([]);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it("would catch a render the version refuses", () => {
    const connection = render(example("s1"), "alice", "7.24").commands.find((c) => c.path === "/routing/bgp/connection")!;
    expect(checkCommand("7.19.6", connection).map((p) => p.attr)).toEqual(["instance"]);
  });
});

describe("what the monitor reads exists on every RouterOS 7 tree", () => {
  // statusOf (each look), the route feed (count, then a following print) and announcedNetworks.
  const READS: Array<{ path: string; args?: Record<string, string> }> = [
    { path: "/system/resource" },
    { path: "/interface" },
    { path: "/interface/wireguard/peers" },
    { path: "/interface/ovpn-client" },
    { path: "/interface/ovpn-server" },
    { path: "/routing/bgp/connection" },
    { path: "/routing/bgp/session" },
    { path: "/ip/firewall/address-list" },
    { path: "/ip/route", args: { "count-only": "" } },
    { path: "/ip/route", args: { follow: "" } },
  ];
  for (const version of V7_VERSIONS) {
    it(`prints and their arguments on ${version}`, () => {
      for (const read of READS) expect(checkCommand(version, { path: read.path, verb: "print", attrs: read.args ?? {} }), `${read.path} ${JSON.stringify(read.args ?? {})}`).toEqual([]);
      // And a print the tree lacks would be caught.
      expect(checkCommand(version, { path: "/ip/route", verb: "print", attrs: { "no-such-argument": "" } })).not.toEqual([]);
    });
  }
});

describe("renders against the RouterOS 6 menus", () => {
  it("use only v6 menus, verbs and attribute names", () => {
    let checked = 0;
    for (const scenario of ["s3", "s4"] as const) {
      const p = example(scenario);
      for (const side of Object.keys(p.sides)) {
        for (const cmd of render(p, side, "6.49.10").commands) {
          const menu = V6_MENUS[cmd.path];
          expect(menu, `${cmd.path} is not a RouterOS 6 menu bgpals may use`).toBeDefined();
          expect(menu!.verbs).toContain(cmd.verb);
          for (const attr of Object.keys(cmd.attrs)) expect(menu!.attrs, `${cmd.path} ${attr}`).toContain(attr);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
