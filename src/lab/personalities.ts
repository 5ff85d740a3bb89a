// The lab's simulated routers, each with a realistic existing configuration: what a home router
// looks like before bgpals touches it (bridge, DHCP, NAT, default routes with distances).
// Addresses on the WAN side come from the documentation ranges; nothing here is reachable for real.

export type MenuItems = Record<string, Array<Record<string, string>>>;

export interface Personality {
  name: string;
  version: string;
  /** RouterOS login the lab accepts. */
  user: string;
  password: string;
  menus: MenuItems;
  /** DNS names the lab resolves to this router's WAN addresses. */
  dns: Record<string, string>;
}

export const ether = (name: string, mac: string) => ({ name, type: "ether", mtu: "1500", "mac-address": mac, running: "true", disabled: "false" });

export function resource(version: string, board: string, arch: string): Record<string, string> {
  return {
    version: `${version} (stable)`,
    "board-name": board,
    "architecture-name": arch,
    platform: "MikroTik",
    uptime: "3w2d4h12m",
    "cpu-load": "3",
    "free-memory": "812646400",
    "total-memory": "1073741824",
    "cpu-count": "4",
  };
}

// RouterOS's default firewall (defconf), the one most home routers keep.
/** What a factory configuration holds past the interfaces, addresses and routes: firewall, NAT, DNS, IP Cloud off, the admin user. */
export function defconfRest(dnsServers = ""): Record<string, Array<Record<string, string>>> {
  return {
    "/ip/firewall/filter": defconfFirewall(),
    "/ip/firewall/nat": [{ chain: "srcnat", action: "masquerade", "out-interface-list": "WAN", comment: "defconf: masquerade" }],
    "/ip/firewall/mangle": [],
    "/ip/firewall/address-list": [],
    "/ip/dns": [{ servers: dnsServers, "allow-remote-requests": "yes" }],
    "/ip/cloud": [{ "ddns-enabled": "no", "update-time": "no" }],
    "/user": [{ name: "admin", group: "full" }],
  };
}

export function defconfFirewall(): Array<Record<string, string>> {
  return [
    { chain: "input", action: "accept", "connection-state": "established,related,untracked", comment: "defconf: accept established,related,untracked" },
    { chain: "input", action: "drop", "connection-state": "invalid", comment: "defconf: drop invalid" },
    { chain: "input", action: "accept", protocol: "icmp", comment: "defconf: accept ICMP" },
    { chain: "input", action: "drop", "in-interface-list": "!LAN", comment: "defconf: drop all not coming from LAN" },
    { chain: "forward", action: "accept", "connection-state": "established,related,untracked", comment: "defconf: accept established,related, untracked" },
    { chain: "forward", action: "drop", "connection-state": "invalid", comment: "defconf: drop invalid" },
    { chain: "forward", action: "drop", "connection-state": "new", "connection-nat-state": "!dstnat", "in-interface-list": "WAN", comment: "defconf: drop all from WAN not DSTNATed" },
  ];
}

export function lan(bridgePorts: string[], gateway: string, network: string, pool: string) {
  return {
    "/interface/bridge": [{ name: "bridge", "admin-mac": "48:A9:8A:00:00:01", "auto-mac": "no", comment: "defconf" }],
    "/interface/bridge/port": bridgePorts.map((p) => ({ bridge: "bridge", interface: p, comment: "defconf" })),
    "/ip/pool": [{ name: "default-dhcp", ranges: pool }],
    "/ip/dhcp-server": [{ name: "defconf", interface: "bridge", "address-pool": "default-dhcp", "lease-time": "30m" }],
    "/ip/dhcp-server/network": [{ address: network, gateway, "dns-server": gateway, comment: "defconf" }],
  };
}

export function alice(): Personality {
  const ports = ["ether2", "ether3", "ether4", "ether5", "ether6", "ether7", "ether8"];
  return {
    name: "alice",
    version: "7.24",
    user: "admin",
    password: "alice-lab",
    dns: { "vpn.alice.example": "203.0.113.10", "vpn2.alice.example": "198.51.100.20" },
    menus: {
      "/system/identity": [{ name: "alice" }],
      "/system/resource": [resource("7.24", "RB5009UG+S+", "arm64")],
      "/system/routerboard": [{ routerboard: "true", model: "RB5009UG+S+", "serial-number": "HE70A1B2C3D", "current-firmware": "7.24" }],
      "/interface": [
        ether("ether1", "48:A9:8A:00:00:01"),
        ...ports.map((p, i) => ether(p, `48:A9:8A:00:00:0${i + 2}`)),
        { ...ether("sfp-wan-sfr", "48:A9:8A:00:00:10") },
        { name: "vlan832-orange-internet", type: "vlan", mtu: "1500", running: "true", disabled: "false" },
        { name: "bridge", type: "bridge", mtu: "1500", running: "true", disabled: "false" },
      ],
      "/interface/ethernet": [{ name: "ether1" }, ...ports.map((name) => ({ name })), { name: "sfp-wan-sfr", "default-name": "sfp-sfpplus1" }],
      "/interface/vlan": [{ name: "vlan832-orange-internet", interface: "ether1", "vlan-id": "832" }],
      ...lan(ports, "192.168.0.1", "192.168.0.0/24", "192.168.0.10-192.168.0.254"),
      "/interface/list": [{ name: "WAN", comment: "defconf" }, { name: "LAN", comment: "defconf" }, { name: "ALL-WAN" }],
      "/interface/list/member": [
        { list: "LAN", interface: "bridge", comment: "defconf" },
        { list: "WAN", interface: "vlan832-orange-internet" },
        { list: "WAN", interface: "sfp-wan-sfr" },
        { list: "ALL-WAN", interface: "vlan832-orange-internet" },
        { list: "ALL-WAN", interface: "sfp-wan-sfr" },
      ],
      "/ip/address": [
        { address: "192.168.0.1/24", network: "192.168.0.0", interface: "bridge", comment: "defconf" },
        { address: "203.0.113.10/24", network: "203.0.113.0", interface: "vlan832-orange-internet", comment: "orange" },
        { address: "198.51.100.20/24", network: "198.51.100.0", interface: "sfp-wan-sfr", comment: "sfr" },
      ],
      "/ip/route": [
        { "dst-address": "0.0.0.0/0", gateway: "203.0.113.1", distance: "1", "check-gateway": "ping", comment: "orange (isp1)" },
        { "dst-address": "0.0.0.0/0", gateway: "198.51.100.1", distance: "2", "check-gateway": "ping", comment: "sfr (isp2)" },
      ],
      ...defconfRest("9.9.9.9,1.1.1.1"),
    },
  };
}

export function remi(): Personality {
  const ports = ["ether3", "ether4", "ether5"];
  return {
    name: "remi",
    version: "7.19.6",
    user: "admin",
    password: "remi-lab",
    dns: {},
    menus: {
      "/system/identity": [{ name: "remi" }],
      "/system/resource": [resource("7.19.6", "hAP ax^3", "arm64")],
      "/system/routerboard": [{ routerboard: "true", model: "C53UiG+5HPaxD2HPaxD", "serial-number": "HG20D4E5F6A", "current-firmware": "7.19.6" }],
      "/interface": [
        ether("ether1", "78:9A:18:00:00:01"),
        ether("ether2", "78:9A:18:00:00:02"),
        ...ports.map((p, i) => ether(p, `78:9A:18:00:00:0${i + 3}`)),
        { name: "pppoe-out1", type: "pppoe-out", mtu: "1480", running: "true", disabled: "false" },
        { name: "pppoe-out2", type: "pppoe-out", mtu: "1492", running: "true", disabled: "false" },
        { name: "bridge", type: "bridge", mtu: "1500", running: "true", disabled: "false" },
      ],
      "/interface/ethernet": [{ name: "ether1" }, { name: "ether2" }, ...ports.map((name) => ({ name }))],
      "/interface/pppoe-client": [
        { name: "pppoe-out1", interface: "ether1", user: "remi@fibre-isp", "add-default-route": "yes", "default-route-distance": "1", "use-peer-dns": "yes" },
        { name: "pppoe-out2", interface: "ether2", user: "remi@dsl-isp", "add-default-route": "yes", "default-route-distance": "2", "use-peer-dns": "no" },
      ],
      ...lan(ports, "192.168.42.1", "192.168.42.0/24", "192.168.42.100-192.168.42.200"),
      "/interface/list": [{ name: "WAN", comment: "defconf" }, { name: "LAN", comment: "defconf" }],
      "/interface/list/member": [
        { list: "LAN", interface: "bridge", comment: "defconf" },
        { list: "WAN", interface: "pppoe-out1" },
        { list: "WAN", interface: "pppoe-out2" },
      ],
      "/ip/address": [
        { address: "192.168.42.1/24", network: "192.168.42.0", interface: "bridge", comment: "defconf" },
        // PPPoE addresses are dynamic: the ISP hands them out, the router shows them with the peer as network.
        { address: "192.0.2.33/32", network: "192.0.2.1", interface: "pppoe-out1", dynamic: "true" },
        { address: "100.64.7.9/32", network: "100.64.0.1", interface: "pppoe-out2", dynamic: "true" },
      ],
      "/ip/route": [
        { "dst-address": "0.0.0.0/0", gateway: "pppoe-out1", distance: "1", dynamic: "true" },
        { "dst-address": "0.0.0.0/0", gateway: "pppoe-out2", distance: "2", dynamic: "true" },
      ],
      ...defconfRest(),
    },
  };
}

export function carol(): Personality {
  const ports = ["ether2", "ether3", "ether4", "ether5"];
  const ddns = "c0ffee123456.sn.mynetname.net";
  return {
    name: "carol",
    version: "6.49.10",
    user: "admin",
    password: "carol-lab",
    dns: { [ddns]: "198.18.0.77" },
    menus: {
      "/system/identity": [{ name: "carol" }],
      "/system/resource": [resource("6.49.10", "hAP ac^2", "arm")],
      "/system/routerboard": [{ routerboard: "true", model: "RBD52G-5HacD2HnD", "serial-number": "B12C3D4E5F6", "current-firmware": "6.49.10" }],
      "/interface": [
        ether("ether1", "CC:2D:E0:00:00:01"),
        ...ports.map((p, i) => ether(p, `CC:2D:E0:00:00:0${i + 2}`)),
        { name: "pppoe-out1", type: "pppoe-out", mtu: "1480", running: "true", disabled: "false" },
        { name: "bridge", type: "bridge", mtu: "1500", running: "true", disabled: "false" },
      ],
      "/interface/ethernet": [{ name: "ether1" }, ...ports.map((name) => ({ name }))],
      "/interface/pppoe-client": [{ name: "pppoe-out1", interface: "ether1", user: "carol@dsl", "add-default-route": "yes", "default-route-distance": "1", "use-peer-dns": "yes" }],
      ...lan(ports, "192.168.88.1", "192.168.88.0/24", "192.168.88.10-192.168.88.254"),
      "/interface/list": [{ name: "WAN", comment: "defconf" }, { name: "LAN", comment: "defconf" }],
      "/interface/list/member": [
        { list: "LAN", interface: "bridge", comment: "defconf" },
        { list: "WAN", interface: "pppoe-out1", comment: "defconf" },
      ],
      "/ip/address": [
        { address: "192.168.88.1/24", network: "192.168.88.0", interface: "bridge", comment: "defconf" },
        { address: "198.18.0.77/32", network: "198.18.0.1", interface: "pppoe-out1", dynamic: "true" },
      ],
      "/ip/route": [{ "dst-address": "0.0.0.0/0", gateway: "pppoe-out1", distance: "1", dynamic: "true" }],
      "/ip/firewall/filter": defconfFirewall(),
      "/ip/firewall/nat": [{ chain: "srcnat", action: "masquerade", "out-interface-list": "WAN", comment: "defconf: masquerade" }],
      "/ip/firewall/mangle": [],
      "/ip/firewall/address-list": [],
      "/ip/dns": [{ servers: "", "allow-remote-requests": "yes" }],
      // A dynamic public IP published through MikroTik's IP Cloud DDNS (scenario S6).
      "/ip/cloud": [{ "ddns-enabled": "yes", "dns-name": ddns, "public-address": "198.18.0.77", status: "updated" }],
      // RouterOS 6 ships a default BGP instance.
      "/routing/bgp/instance": [{ name: "default", as: "65530", "router-id": "0.0.0.0", "redistribute-connected": "no", "redistribute-static": "no", "client-to-client-reflection": "yes" }],
      "/user": [{ name: "admin", group: "full" }],
    },
  };
}

/**
 * An Ethernet WAN whose address and default route come from the ISP's DHCP server (cable, most
 * fibre boxes in bridge mode), and a PPPoE backup: a route naming ether1 as its gateway reaches
 * nothing beyond that segment; it needs the next hop the lease gave.
 */
export function dana(): Personality {
  const ports = ["ether3", "ether4", "ether5"];
  return {
    name: "dana",
    version: "7.22.3",
    user: "admin",
    password: "dana-lab",
    dns: {},
    menus: {
      "/system/identity": [{ name: "dana" }],
      "/system/resource": [resource("7.22.3", "hEX S", "mmips")],
      "/system/routerboard": [{ routerboard: "true", model: "RB760iGS", "serial-number": "HF30B7C8D9E", "current-firmware": "7.22.3" }],
      "/interface": [
        ether("ether1", "D4:01:C3:00:00:01"),
        ether("ether2", "D4:01:C3:00:00:02"),
        ...ports.map((p, i) => ether(p, `D4:01:C3:00:00:0${i + 3}`)),
        { name: "pppoe-out1", type: "pppoe-out", mtu: "1480", running: "true", disabled: "false" },
        { name: "bridge", type: "bridge", mtu: "1500", running: "true", disabled: "false" },
      ],
      "/interface/ethernet": [{ name: "ether1" }, { name: "ether2" }, ...ports.map((name) => ({ name }))],
      "/interface/pppoe-client": [{ name: "pppoe-out1", interface: "ether2", user: "dana@dsl", "add-default-route": "yes", "default-route-distance": "2", "use-peer-dns": "no" }],
      ...lan(ports, "192.168.77.1", "192.168.77.0/24", "192.168.77.10-192.168.77.254"),
      "/interface/list": [{ name: "WAN", comment: "defconf" }, { name: "LAN", comment: "defconf" }],
      "/interface/list/member": [
        { list: "LAN", interface: "bridge", comment: "defconf" },
        { list: "WAN", interface: "ether1", comment: "defconf" },
        { list: "WAN", interface: "pppoe-out1" },
      ],
      // The lease: what a bound DHCP client shows, and the address and default route it installs.
      "/ip/dhcp-client": [{ interface: "ether1", "add-default-route": "yes", "default-route-distance": "1", "use-peer-dns": "yes", status: "bound", address: "198.19.4.20/24", gateway: "198.19.4.1", "dhcp-server": "198.19.4.1", "expires-after": "23h41m" }],
      "/ip/address": [
        { address: "192.168.77.1/24", network: "192.168.77.0", interface: "bridge", comment: "defconf" },
        { address: "198.19.4.20/24", network: "198.19.4.0", interface: "ether1", dynamic: "true" },
        { address: "192.0.2.66/32", network: "192.0.2.1", interface: "pppoe-out1", dynamic: "true" },
      ],
      "/ip/route": [
        { "dst-address": "0.0.0.0/0", gateway: "198.19.4.1", distance: "1", dynamic: "true" },
        { "dst-address": "0.0.0.0/0", gateway: "pppoe-out1", distance: "2", dynamic: "true" },
      ],
      ...defconfRest(),
    },
  };
}

export const PERSONALITIES: Record<string, () => Personality> = { alice, remi, carol, dana };
