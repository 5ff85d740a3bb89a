// A lab router described in a JSON file (`bgpals lab --router name=version:file.json`): a home
// router of any RouterOS version the lab models, with the WANs a user has (Ethernet with DHCP or a
// static address, PPPoE, LTE; CGNAT or private addresses are just addresses) and objects that are
// already there (an OpenVPN server, an interface listening on a port). docs/lab.md describes it.
import { z } from "zod";
import { menuDescriptors } from "./menus.js";
import { defconfRest, ether, lan, resource, type Personality } from "./personalities.js";
import { routerOs } from "./versions.js";

/** A personality file the lab cannot use; the message says where and why. */
export class PersonalityFileError extends Error {}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const ADDRESS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const validAddress = (text: string) => ADDRESS.test(text) && text.split(".").every((o) => Number(o) <= 255);
const validCidr = (text: string) => CIDR.test(text) && validAddress(text.split("/")[0]!) && Number(text.split("/")[1]) <= 32;

const address = z.string().refine(validAddress, "not an IPv4 address (e.g. 203.0.113.1)");
const cidr = z.string().refine(validCidr, "not an address with its prefix length (e.g. 203.0.113.10/24)");
const interfaceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/, "not an interface name (letters, digits, . _ -)");
const distance = z.number().int().min(1).max(255);

const ethernetWan = z.strictObject({
  type: z.enum(["dhcp", "static"]),
  interface: interfaceName,
  /** The address on the interface, with its prefix length (a DHCP lease's, or the static one). */
  address: cidr,
  /** The next hop of the default route. */
  gateway: address,
  distance: distance.default(1),
  /** A static WAN's default route checks its gateway by ping (failover). */
  checkGateway: z.enum(["ping", "arp"]).optional(),
  /** A DNS name the lab resolves to this WAN's address (where friends reach it). */
  dnsName: z.string().min(1).optional(),
});

const pointToPointWan = z.strictObject({
  type: z.enum(["pppoe", "lte"]),
  interface: interfaceName,
  /** The address the ISP hands out (a /32; 100.64.0.0/10 for CGNAT). */
  address,
  /** PPPoE: the Ethernet port it runs over (default ether1). */
  over: interfaceName.optional(),
  /** PPPoE: the ISP's end, shown as the address's network (default: the address's .1). */
  peer: address.optional(),
  distance: distance.default(1),
  dnsName: z.string().min(1).optional(),
});

const wan = z.discriminatedUnion("type", [ethernetWan, pointToPointWan], { error: (issue) => (issue.code === "invalid_union" ? 'a WAN\'s "type" is dhcp, static, pppoe or lte' : undefined) });
type Wan = z.output<typeof wan>;
type EthernetWan = z.output<typeof ethernetWan>;
type PointToPointWan = z.output<typeof pointToPointWan>;
const isEthernet = (w: Wan): w is EthernetWan => w.type === "dhcp" || w.type === "static";

const value = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const fileSchema = z.strictObject({
  /** Login password of `admin` (default `<name>-lab`). */
  password: z.string().min(1).optional(),
  /** What /system/resource calls the board (default "RB5009UG+S+"). */
  board: z.string().min(1).optional(),
  /** The LAN bridge's address (default 192.168.88.1/24, RouterOS's factory LAN). */
  lan: cidr.optional(),
  /** The LAN ports, bridged (default ether2 to ether5, without those a WAN uses). */
  lanPorts: z.array(interfaceName).optional(),
  wans: z.array(wan).min(1, "give at least one WAN").optional(),
  /** MikroTik's IP Cloud DDNS: the name it publishes, for the address of `wan` (default the first). */
  ipCloud: z.strictObject({ dnsName: z.string().min(1), wan: interfaceName.optional() }).optional(),
  /** Items already on the router, by API menu path ("/interface/ovpn-server/server": [{...}]). */
  objects: z.record(z.string(), z.array(z.record(z.string(), value))).optional(),
});

export type PersonalityFile = z.input<typeof fileSchema>;

const TUNNEL_TYPES: Record<string, string> = { "/interface/wireguard": "wg", "/interface/ovpn-client": "ovpn-out", "/interface/ovpn-server": "ovpn-in" };

/** Without a file: one Ethernet WAN with a static address from the documentation ranges. */
const DEFAULT_WANS: Wan[] = [{ type: "static", interface: "ether1", address: "198.51.100.2/24", gateway: "198.51.100.1", distance: 1 }];

/**
 * The personality `name` runs as, at `version`, from the text of a personality file (`null`: the
 * defaults). Throws PersonalityFileError saying what is wrong, where.
 */
export function personalityFromFile(name: string, version: string, text: string | null, where = "personality file"): Personality {
  const os = routerOs(version);
  if (os === null) throw new PersonalityFileError(`${name}=${version}: the lab runs RouterOS 6 and 7 (e.g. 6.49.10, 7.12.2, 7.24), not ${version}`);
  let json: unknown = {};
  if (text !== null) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new PersonalityFileError(`${where}: not valid JSON: ${(e as Error).message}`);
    }
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length === 0 ? "(top level)" : i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "")}: ${i.message}`);
    throw new PersonalityFileError([`${where}: not a lab personality (docs/lab.md):`, ...lines].join("\n"));
  }
  const spec = parsed.data;
  const wans = spec.wans ?? DEFAULT_WANS;
  const problem = wanProblem(wans);
  if (problem !== null) throw new PersonalityFileError(`${where}: ${problem}`);

  const modelled = new Set(menuDescriptors(version, new Map()).map((d) => d.path));
  for (const path of Object.keys(spec.objects ?? {})) {
    if (!modelled.has(path)) throw new PersonalityFileError(`${where}: objects["${path}"]: the lab does not model that menu on RouterOS ${version}; it has ${[...modelled].sort().join(", ")}`);
  }

  const wanPorts = new Set(wans.flatMap((w) => (w.type === "pppoe" ? [w.over ?? "ether1"] : w.type === "lte" ? [] : [w.interface])));
  const ports = spec.lanPorts ?? ["ether2", "ether3", "ether4", "ether5"].filter((p) => !wanPorts.has(p));
  const ethers = [...new Set([...wanPorts, ...ports, ...wans.filter((w) => w.type === "dhcp" || w.type === "static").map((w) => w.interface)])].sort();
  const lanCidr = spec.lan ?? "192.168.88.1/24";
  const [lanAddress, lanLength] = lanCidr.split("/") as [string, string];
  const lanNetwork = networkOf(lanAddress, Number(lanLength));
  const mac = (i: number) => `02:00:00:00:00:${(i + 1).toString(16).padStart(2, "0").toUpperCase()}`;

  const menus: Personality["menus"] = {
    "/system/identity": [{ name }],
    "/system/resource": [resource(version, spec.board ?? "RB5009UG+S+", "arm64")],
    "/system/routerboard": [{ routerboard: "true", model: spec.board ?? "RB5009UG+S+", "serial-number": "LAB0000000", "current-firmware": version }],
    "/interface": [
      ...ethers.map((e, i) => ether(e, mac(i))),
      ...wans.filter((w) => w.type === "pppoe").map((w) => ({ name: w.interface, type: "pppoe-out", mtu: "1480", running: "true", disabled: "false" })),
      ...wans.filter((w) => w.type === "lte").map((w) => ({ name: w.interface, type: "lte", mtu: "1500", running: "true", disabled: "false" })),
      { name: "bridge", type: "bridge", mtu: "1500", running: "true", disabled: "false" },
    ],
    "/interface/ethernet": ethers.map((e) => ({ name: e })),
    "/interface/pppoe-client": wans.flatMap((w) =>
      w.type === "pppoe" ? [{ name: w.interface, interface: w.over ?? "ether1", user: `${name}@isp`, "add-default-route": "yes", "default-route-distance": String(w.distance), "use-peer-dns": "yes" }] : [],
    ),
    ...lan(ports, lanAddress, `${lanNetwork}/${lanLength}`, `${lanNetwork.replace(/\.\d+$/, "")}.10-${lanNetwork.replace(/\.\d+$/, "")}.254`),
    "/interface/list": [{ name: "WAN", comment: "defconf" }, { name: "LAN", comment: "defconf" }],
    "/interface/list/member": [{ list: "LAN", interface: "bridge", comment: "defconf" }, ...wans.map((w) => ({ list: "WAN", interface: w.interface, comment: "defconf" }))],
    "/ip/address": [
      { address: lanCidr, network: lanNetwork, interface: "bridge", comment: "defconf" },
      ...wans.map((w) => wanAddress(w)),
    ],
    "/ip/route": wans.map((w) => wanRoute(w)),
    ...defconfRest(),
  };
  const dhcp = wans.filter(isEthernet).filter((w) => w.type === "dhcp");
  // A bound DHCP client shows its lease; the address and default route above are what it installed.
  if (dhcp.length > 0) {
    if (!modelled.has("/ip/dhcp-client")) throw new PersonalityFileError(`${where}: this lab has no /ip/dhcp-client menu for a DHCP WAN; use "type": "static"`);
    menus["/ip/dhcp-client"] = dhcp.map((w) => ({ interface: w.interface, "add-default-route": "yes", "default-route-distance": String(w.distance), "use-peer-dns": "yes", status: "bound", address: w.address, gateway: w.gateway, "dhcp-server": w.gateway, "expires-after": "23h59m" }));
  }
  // RouterOS 6 ships a default BGP instance.
  if (os.v6) menus["/routing/bgp/instance"] = [{ name: "default", as: "65530", "router-id": "0.0.0.0", "redistribute-connected": "no", "redistribute-static": "no", "client-to-client-reflection": "yes" }];

  const dns: Record<string, string> = {};
  for (const w of wans) if (w.dnsName !== undefined) dns[w.dnsName] = w.address.split("/")[0]!;
  if (spec.ipCloud !== undefined) {
    const on = wans.find((w) => w.interface === (spec.ipCloud!.wan ?? wans[0]!.interface));
    if (on === undefined) throw new PersonalityFileError(`${where}: ipCloud.wan: no WAN named ${spec.ipCloud.wan}`);
    const publicAddress = on.address.split("/")[0]!;
    menus["/ip/cloud"] = [{ "ddns-enabled": "yes", "dns-name": spec.ipCloud.dnsName, "public-address": publicAddress, status: "updated" }];
    dns[spec.ipCloud.dnsName] = publicAddress;
  }
  for (const [path, items] of Object.entries(spec.objects ?? {})) {
    menus[path] = [...(menus[path] ?? []), ...items];
    // Tunnel interfaces are interfaces too, as the built-in routers list theirs.
    const type = TUNNEL_TYPES[path];
    if (type !== undefined) menus["/interface"]!.push(...items.map((i) => ({ name: i.name ?? "", type, mtu: i.mtu ?? "1420", running: "false", disabled: i.disabled === "yes" || i.disabled === "true" ? "true" : "false" })));
  }
  return { name, version, user: "admin", password: spec.password ?? `${name}-lab`, dns, menus };
}

function wanProblem(wans: readonly Wan[]): string | null {
  const names = wans.map((w) => w.interface);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return `wans: ${twice} is named twice`;
  for (const [i, w] of wans.entries()) {
    if ((w.type === "dhcp" || w.type === "static") && !w.interface.startsWith("ether") && !w.interface.startsWith("sfp")) return `wans[${i}].interface: an Ethernet WAN is an ether or sfp port, not ${w.interface}`;
    if ((w.type === "dhcp" || w.type === "static") && !sameNetwork(w.address, w.gateway)) return `wans[${i}].gateway: ${w.gateway} is not in ${w.address}: the next hop must be on the WAN's own network`;
  }
  return null;
}

function wanAddress(w: Wan): Record<string, string> {
  if (isEthernet(w)) {
    const [a, length] = w.address.split("/") as [string, string];
    // A lease's address is dynamic; a static one is the user's own.
    return { address: w.address, network: networkOf(a, Number(length)), interface: w.interface, ...(w.type === "dhcp" ? { dynamic: "true" } : { comment: "static WAN" }) };
  }
  // Point to point: the ISP's end shows as the network.
  const p = w as PointToPointWan;
  return { address: `${w.address}/32`, network: p.peer ?? p.address.replace(/\.\d+$/, ".1"), interface: p.interface, dynamic: "true" };
}

function wanRoute(w: Wan): Record<string, string> {
  if (w.type === "static") return { "dst-address": "0.0.0.0/0", gateway: w.gateway, distance: String(w.distance), ...(w.checkGateway ? { "check-gateway": w.checkGateway } : {}), comment: `${w.interface} default` };
  if (w.type === "dhcp") return { "dst-address": "0.0.0.0/0", gateway: w.gateway, distance: String(w.distance), dynamic: "true" };
  return { "dst-address": "0.0.0.0/0", gateway: w.interface, distance: String(w.distance), dynamic: "true" };
}

function toNumber(a: string): number {
  return a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function networkOf(a: string, length: number): string {
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  const n = (toNumber(a) & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

function sameNetwork(cidrText: string, gateway: string): boolean {
  const [a, length] = cidrText.split("/") as [string, string];
  return networkOf(a, Number(length)) === networkOf(gateway, Number(length));
}
