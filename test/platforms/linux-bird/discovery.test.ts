// What Linux tools print, as discovery reads it: the shapes a netlab host does not show (IPv6
// listeners, bird started with `-cfile`, a DHCP WAN, a dead default route), and ssh:// addresses.
import { describe, expect, it } from "vitest";
import { birdPaths, DEFAULT_BIRD_CONFIG, DEFAULT_BIRD_SOCKET, linuxInventory, parseBirdProtocols, parseListeners, parseSections, type DiscoveryOutputs } from "../../../src/platforms/linux-bird/discovery.js";
import { parseSshAddress } from "../../../src/store/profiles.js";
import { UsageError } from "../../../src/errors.js";

describe("Linux discovery parsing", () => {
  it("splits one script's output into each command's output, errors and exit status", () => {
    const m = "@@bgpals-0123";
    const text = [`${m} uname 0`, "pi 6.1.0 aarch64", "", `${m} uname stderr`, "", `${m} nft 127`, "", `${m} nft stderr`, "sh: nft: not found", "", `@@bgpals-fake nft 0`].join("\n");
    const sections = parseSections(text, m);
    expect(sections.get("uname")).toEqual({ stdout: "pi 6.1.0 aarch64\n\n", stderr: "\n", code: 0 });
    expect(sections.get("nft")?.code).toBe(127);
    expect(sections.get("nft")?.stderr).toContain("sh: nft: not found\n");
    // A line that only looks like a marker is output.
    expect(sections.get("nft")?.stderr).toContain("@@bgpals-fake nft 0");
  });

  it("reads listeners on IPv4, IPv6 and any address, each port once", () => {
    const udp = [
      'UNCONN 0      0            0.0.0.0:51820      0.0.0.0:*    users:(("wireguard-go",pid=10,fd=9))',
      'UNCONN 0      0               [::]:51820         [::]:*    users:(("wireguard-go",pid=10,fd=10))',
      "UNCONN 0      0                  *:1194             *:*",
    ].join("\n");
    expect(parseListeners(udp, "udp")).toEqual([
      { port: 51820, protocol: "udp", by: "wireguard-go" },
      { port: 1194, protocol: "udp", by: "unknown process" },
    ]);
  });

  it("finds bird's config and socket in its command line, in either spelling, else the defaults", () => {
    expect(birdPaths(["bird", "-c", "/srv/bird.conf", "-s", "/run/b.ctl"])).toEqual({ config: "/srv/bird.conf", socket: "/run/b.ctl" });
    expect(birdPaths(["/usr/sbin/bird", "-f", "-c/srv/b.conf", "-u", "bird"])).toEqual({ config: "/srv/b.conf", socket: DEFAULT_BIRD_SOCKET });
    expect(birdPaths(["bird"])).toEqual({ config: DEFAULT_BIRD_CONFIG, socket: DEFAULT_BIRD_SOCKET });
  });

  it("reads an established BGP protocol's neighbour and ASNs", () => {
    const text = [
      "BIRD 2.0.12 ready.",
      "Name       Proto      Table      State  Since         Info",
      "dn42_x     BGP        ---        up     12:00:00.000  Established   ",
      "  BGP state:          Established",
      "    Neighbor address: fe80::1%wg0",
      "    Neighbor AS:      4242420000",
      "    Local AS:         4242421234",
      "  Channel ipv4",
      "    State:          UP",
    ].join("\n");
    expect(parseBirdProtocols(text)).toEqual([
      { name: "dn42_x", proto: "BGP", table: "---", state: "up", since: "12:00:00.000", info: "Established", bgp: { state: "Established", neighborAddress: "fe80::1%wg0", neighborAs: 4242420000, localAs: 4242421234 } },
    ]);
  });

  it("marks a DHCP WAN dynamic, and a default route on a link that is down inactive", () => {
    const outputs: DiscoveryOutputs = {
      uname: "pi 6.1.0-rpi7 aarch64\n",
      links: [
        { ifname: "eth0", flags: ["BROADCAST", "UP", "LOWER_UP"], operstate: "UP", link_type: "ether" },
        { ifname: "eth1", flags: ["BROADCAST", "UP"], operstate: "DOWN", link_type: "ether" },
        { ifname: "br0", flags: ["UP", "LOWER_UP"], operstate: "UP", link_type: "ether", linkinfo: { info_kind: "bridge" } },
      ],
      addrs: [
        { ifname: "eth0", addr_info: [{ family: "inet", local: "203.0.113.7", prefixlen: 24, dynamic: true }] },
        { ifname: "eth1", addr_info: [{ family: "inet", local: "198.51.100.2", prefixlen: 30 }] },
        { ifname: "br0", addr_info: [{ family: "inet", local: "192.168.1.1", prefixlen: 24 }] },
      ],
      routes: [
        { dst: "default", gateway: "203.0.113.1", dev: "eth0", metric: 100, protocol: "dhcp" },
        { dst: "default", gateway: "198.51.100.1", dev: "eth1", metric: 50, flags: ["linkdown"] },
        { dst: "10.9.0.0/16", gateway: "192.168.1.254", dev: "br0", protocol: "static" },
      ],
      udp: "",
      tcp: "",
      birdVersion: null,
      bird: { pid: null, config: DEFAULT_BIRD_CONFIG, socket: DEFAULT_BIRD_SOCKET, protocols: [] },
      wireguard: { kernel: true, wireguardGo: false, tools: true },
      nftRuleset: null,
    };
    const inv = linuxInventory(outputs);
    expect(inv.wans.map((w) => ({ interface: w.interface, dynamic: w.dynamic, active: w.defaultRoutes[0]!.active }))).toEqual([
      { interface: "eth0", dynamic: "DHCP", active: true },
      { interface: "eth1", dynamic: undefined, active: false },
    ]);
    expect(inv.lans).toEqual([{ network: "192.168.1.0/24", interface: "br0", address: "192.168.1.1/24" }]);
    expect(inv.prefixesInUse).toContain("10.9.0.0/16");
    expect(inv.system).toBe("Linux 6.1.0-rpi7 (aarch64), BIRD not installed");
    expect(inv.dialect).toBeNull();
    expect(inv.notes).toContain("WireGuard: kernel");
    expect(inv.notes).toContain("nftables: not available");
  });
});

describe("ssh:// addresses", () => {
  it("reads user, host and port, an IPv6 host without its brackets", () => {
    expect(parseSshAddress("ssh://root@192.0.2.1")).toEqual({ user: "root", host: "192.0.2.1" });
    expect(parseSshAddress("ssh://pi@rpi.home:2222")).toEqual({ user: "pi", host: "rpi.home", port: 2222 });
    expect(parseSshAddress("ssh://root@[2001:db8::1]:22")).toEqual({ user: "root", host: "2001:db8::1", port: 22 });
    expect(parseSshAddress("admin@192.0.2.1")).toBeNull();
  });

  it("refuses an address without a user, a bad port or a path, as a usage error", () => {
    for (const bad of ["ssh://192.0.2.1", "ssh://root@192.0.2.1:70000", "ssh://root@host/path", "ssh://"]) expect(() => parseSshAddress(bad), bad).toThrow(UsageError);
  });
});
