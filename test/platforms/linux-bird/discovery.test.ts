// What Linux tools print, as discovery reads it: the shapes a netlab host does not show (IPv6
// listeners, bird started with `-cfile`, a DHCP WAN, a dead default route), and ssh:// addresses.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NAMES } from "../../../src/platforms/linux-bird/host-state.js";
import { birdPaths, DEFAULT_BIRD_CONFIG, DEFAULT_BIRD_SOCKET, linuxInventory, parseBirdProtocols, parseListeners, parseSections, RUN_SECTION, TEMP_DIR, type DiscoveryOutputs, type IpAddr, type IpLink } from "../../../src/platforms/linux-bird/discovery.js";
import { inventoryLines } from "../../../src/flows/inventory-text.js";
import { parseSshAddress } from "../../../src/store/profiles.js";
import { UsageError } from "../../../src/errors.js";
import { onCleanup, tempDir, until } from "../../helpers.js";

describe("a host script's temp dir", () => {
  // As a look cut short is ended on a host (its processes signalled): the shell skips its EXIT trap
  // on a signal it does not trap, and the dir (with the `e` of the command's errors) stayed in /tmp.
  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    it(`goes when the script is ended by ${signal}, as when it ends`, async () => {
      const tmp = tempDir("bgpals-tmp-");
      const script = spawn("sh", ["-c", [TEMP_DIR, RUN_SECTION, "run wait sleep 30"].join("\n"), "sh"], { env: { ...process.env, TMPDIR: tmp }, detached: true, stdio: "ignore" });
      const ended = new Promise((resolve) => script.on("exit", resolve));
      onCleanup(() => {
        try {
          process.kill(-script.pid!, "SIGKILL");
        } catch {
          // ended
        }
      });
      await until(() => readdirSync(tmp).some((dir) => existsSync(join(tmp, dir, "e"))), "the script's temp dir with its e", 5000);
      process.kill(-script.pid!, signal);
      await ended;
      expect(readdirSync(tmp)).toEqual([]);
    });
  }
});

describe("Linux discovery parsing", () => {
  it("splits one script's output into each command's output, errors and exit status", () => {
    // The scripts' own run(), in the shell a host runs them with.
    const m = `@@bgpals-${randomBytes(8).toString("hex")}`;
    const script = [
      'm=$1',
      TEMP_DIR,
      RUN_SECTION,
      "run uname printf 'pi 6.1.0 aarch64\\n'",
      "run nft sh -c 'echo \"sh: nft: not found\" >&2; exit 127'",
      // A line that only looks like a marker, and output without a newline at its end.
      "run fake printf '@@bgpals-fake nft 0\\nlast'",
      "run both sh -c 'echo out; echo err >&2'",
    ].join("\n");
    const text = execFileSync("sh", ["-c", script, "sh", m], { encoding: "utf8" });
    const sections = parseSections(text, m);
    expect(sections.get("uname")).toEqual({ stdout: "pi 6.1.0 aarch64\n\n", stderr: "", code: 0 });
    expect(sections.get("nft")).toEqual({ stdout: "\n", stderr: "sh: nft: not found\n\n", code: 127 });
    expect(sections.get("fake")).toEqual({ stdout: "@@bgpals-fake nft 0\nlast\n", stderr: "", code: 0 });
    expect(sections.get("both")).toEqual({ stdout: "out\n\n", stderr: "err\n\n", code: 0 });
    // A script cut short: the command's output so far, and no exit status.
    expect(parseSections(`${m} routes\n10.0.0.0/24 via 10.1.1.1\n`, m).get("routes")).toEqual({ stdout: "10.0.0.0/24 via 10.1.1.1\n", stderr: "", code: null });
    // A marker line of no known shape (a name with a space) ends the section it falls into: what
    // follows it is no command's output.
    const odd = parseSections([`${m} links`, "eth0", `${m} include:/etc/bird/bgpals-a b.conf`, "protocol bgp x {", `${m} links exit 0`].join("\n"), m);
    expect([...odd.keys()]).toEqual(["links"]);
    expect(odd.get("links")).toEqual({ stdout: "eth0\n", stderr: "", code: 0 });
  });

  it("lists a directory's names that match a pattern by the shell's glob: dangling symlinks too, a missing directory as none", () => {
    const dir = tempDir("bgpals-names-");
    writeFileSync(join(dir, "bgpals-a.service"), "");
    writeFileSync(join(dir, "other.service"), "");
    writeFileSync(join(dir, "bgpals-b.conf"), "");
    symlinkSync(join(dir, "gone"), join(dir, "bgpals-c.service"));
    const names = (d: string) => spawnSync("sh", ["-c", `${NAMES}\nnames "$1" 'bgpals-*.service'`, "sh", d], { encoding: "utf8" });
    const found = names(dir);
    expect(found.status).toBe(0);
    expect(found.stdout.split("\n").filter(Boolean).sort()).toEqual(["bgpals-a.service", "bgpals-c.service"]);
    const missing = names(join(dir, "not-there"));
    expect([missing.status, missing.stdout, missing.stderr]).toEqual([0, "", ""]);
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

describe("Linux discovery's LANs", () => {
  // A home server as `ip -j -d link` and `ip -j -4 addr` print it: a WAN, the home LAN on a bridge,
  // a management /30, Docker and libvirt, a container's veth, WireGuard and OpenVPN tunnels, a
  // public /29 on a spare port, link-local on another, and a LAN on lo (as the netlab has it).
  const link = (ifname: string, kind?: string, link_type = "ether"): IpLink => ({ ifname, flags: ["UP", "LOWER_UP"], operstate: "UP", link_type, ...(kind === undefined ? {} : { linkinfo: { info_kind: kind } }) });
  const addr = (ifname: string, ...cidrs: string[]): IpAddr => ({ ifname, addr_info: cidrs.map((c) => ({ family: "inet", local: c.split("/")[0]!, prefixlen: Number(c.split("/")[1]) })) });
  const outputs: DiscoveryOutputs = {
    uname: "nas 6.1.0 x86_64\n",
    links: [link("lo", undefined, "loopback"), link("eth0"), link("br0", "bridge"), link("mgmt0"), link("docker0", "bridge"), link("br-3f2a9c1d7e4b", "bridge"), link("veth1a2b3c", "veth"), link("virbr0", "bridge"), link("wg0", "wireguard", "none"), link("tun0", "tun", "none"), link("eth2"), link("eth3")],
    addrs: [
      addr("lo", "127.0.0.1/8", "192.168.42.1/24"),
      addr("eth0", "203.0.113.7/24"),
      addr("br0", "192.168.1.1/24"),
      addr("mgmt0", "10.255.0.1/30"),
      addr("docker0", "172.17.0.1/16"),
      addr("br-3f2a9c1d7e4b", "172.18.0.1/16"),
      addr("veth1a2b3c", "10.200.0.1/24"),
      addr("virbr0", "192.168.122.1/24"),
      addr("wg0", "10.66.0.1/24"),
      addr("tun0", "10.8.0.1/24"),
      addr("eth2", "198.51.100.9/29"),
      addr("eth3", "169.254.10.1/16"),
    ],
    routes: [{ dst: "default", gateway: "203.0.113.1", dev: "eth0", metric: 100 }],
    udp: "",
    tcp: "",
    birdVersion: "2.0.12",
    bird: { pid: null, config: DEFAULT_BIRD_CONFIG, socket: DEFAULT_BIRD_SOCKET, protocols: [] },
    wireguard: { kernel: true, wireguardGo: false, tools: true },
    nftRuleset: null,
  };

  it("suggests the private networks on real interfaces and on lo, nothing else", () => {
    expect(linuxInventory(outputs).lans).toEqual([
      { network: "192.168.42.0/24", interface: "lo", address: "192.168.42.1/24" },
      { network: "192.168.1.0/24", interface: "br0", address: "192.168.1.1/24" },
    ]);
  });

  it("says why each other network was left out; loopback, link-local and the WAN go unsaid", () => {
    const inv = linuxInventory(outputs);
    expect(inv.lansLeftOut).toEqual([
      { network: "10.255.0.0/30", interface: "mgmt0", why: "a point-to-point link (/30)" },
      { network: "172.17.0.0/16", interface: "docker0", why: "Docker's network" },
      { network: "172.18.0.0/16", interface: "br-3f2a9c1d7e4b", why: "Docker's network" },
      { network: "10.200.0.0/24", interface: "veth1a2b3c", why: "a container's link (veth)" },
      { network: "192.168.122.0/24", interface: "virbr0", why: "libvirt's virtual machines' network" },
      { network: "10.66.0.0/24", interface: "wg0", why: "a tunnel (wireguard)" },
      { network: "10.8.0.0/24", interface: "tun0", why: "a tunnel (tun)" },
      { network: "198.51.100.8/29", interface: "eth2", why: "not private (RFC 1918) space: type it to announce it" },
    ]);
    // And what `bgpals inventory` prints says so under the LANs.
    const lines = inventoryLines(inv);
    const at = lines.indexOf("LANs:");
    expect(lines.slice(at + 1, at + 4)).toEqual(["  192.168.42.0/24 on lo", "  192.168.1.0/24 on br0", "  not suggested: 10.255.0.0/30 on mgmt0: a point-to-point link (/30)"]);
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
