// Linux variants of the example peerings, and BIRD and nftables run on what the render writes.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Peering } from "../../../src/core/peering.js";
import { featuresOfAnySide } from "../../../src/platforms/index.js";
import { linuxBird } from "../../../src/platforms/linux-bird/index.js";
import type { LinuxRendered } from "../../../src/platforms/linux-bird/render/render.js";
import type { Router } from "../../../src/platforms/platform.js";
import { mustParse, repoRoot, tempDir } from "../../helpers.js";
import type { Netlab, NetlabWan } from "../../netlab/netlab.js";

export const LINUX_EXAMPLES = {
  /** S1 with both sides on Linux: alice listens on two WANs, remi dials from a PPP and an Ethernet WAN. */
  linux: "peers/s1-alice-remi-linux.peering.json",
  /** S1 with alice on RouterOS 7.24 and remi on Linux. */
  mixed: "peers/s1-alice-remi-mixed.peering.json",
} as const;

export function linuxExampleJson(name: keyof typeof LINUX_EXAMPLES): Record<string, any> {
  return JSON.parse(readFileSync(join(repoRoot, LINUX_EXAMPLES[name]), "utf8"));
}

export function linuxExample(name: keyof typeof LINUX_EXAMPLES): Peering {
  return mustParse(linuxExampleJson(name));
}

/** bgpals's Linux platform on a netlab host, over SSH as root with the run's key (OpenVPN links' features known). */
export function connectNetlabHost(lab: Netlab, side: string): Promise<Router> {
  const h = lab.hosts[side]!;
  return linuxBird.connect({ transport: "ssh", host: h.ssh.host, port: h.ssh.port, user: "root", password: "", keyFile: lab.key.file }, undefined, { featuresOf: featuresOfAnySide });
}

/** `work` with the host's router, closed after it, whatever it does. */
export async function withNetlabHost<T>(lab: Netlab, side: string, work: (router: Router) => Promise<T>): Promise<T> {
  const router = await connectNetlabHost(lab, side);
  try {
    return await work(router);
  } finally {
    await router.close();
  }
}

export interface OvpnPeeringSpec {
  name: string;
  server: string;
  client: string;
  /** The link's name, and the name of each side's WAN it rides. */
  link: string;
  serverWan: NetlabWan;
  clientWan: NetlabWan;
  port: number;
  protocol: "tcp" | "udp";
  /** The tunnel's /30 as its first three octets ("172.16.30"): the server .1, the client .2. */
  subnet: string;
  caFingerprint: string;
}

/** One OpenVPN link between two netlab Linux hosts (the server 192.168.10.0/24, AS64514; the client 192.168.42.0/24, AS64513), BGP over it. */
export function ovpnPeering(o: OvpnPeeringSpec): Peering {
  return mustParse({
    format: "bgpals/peering@1",
    name: o.name,
    sides: {
      [o.server]: {
        asn: 64514,
        routerId: "192.168.10.1",
        platform: { os: "linux", bird: "2.0.12" },
        networks: ["192.168.10.0/24"],
        wans: { [o.link]: { interface: o.serverWan.interface, endpoint: o.serverWan.address, gateway: o.serverWan.gateway } },
      },
      [o.client]: {
        asn: 64513,
        routerId: "192.168.42.1",
        platform: { os: "linux", bird: "2.0.12" },
        networks: ["192.168.42.0/24"],
        wans: { [o.link]: { interface: o.clientWan.interface, gateway: o.clientWan.gateway } },
      },
    },
    links: [
      {
        name: o.link,
        kind: "ovpn",
        wan: { [o.server]: o.link, [o.client]: o.link },
        listener: o.server,
        port: o.port,
        protocol: o.protocol,
        subnet: `${o.subnet}.0/30`,
        address: { [o.server]: `${o.subnet}.1`, [o.client]: `${o.subnet}.2` },
        caFingerprint: o.caFingerprint,
        user: `${o.client}-${o.link}`,
        requireClientCertificate: true,
      },
    ],
    policy: { mode: "bgp", primary: o.link, timers: { hold: "9s", keepalive: "3s" } },
  });
}

export function fileOf(out: LinuxRendered, path: string): string {
  const file = out.files.find((f) => f.path === path);
  if (file === undefined) throw new Error(`the render has no ${path}; it has ${out.files.map((f) => f.path).join(", ")}`);
  return file.content;
}

/** A bird.conf like a host's (a LAN on lo, the kernel table), including the rendered file; BIRD parses it and exits. */
export function birdParse(include: string, extra = ""): { code: number | null; output: string } {
  const dir = tempDir("bgpals-bird-");
  writeFileSync(join(dir, "bgpals-test.conf"), include);
  writeFileSync(
    join(dir, "bird.conf"),
    [
      "router id 192.0.2.1;",
      "protocol device {}",
      'protocol direct { ipv4; interface "lo"; }',
      "protocol kernel { ipv4 { export all; }; }",
      extra,
      `include "${dir}/bgpals-*.conf";`,
      "",
    ].join("\n"),
  );
  const r = spawnSync("/usr/sbin/bird", ["-p", "-c", join(dir, "bird.conf")], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** nft checks the file without applying it, in a network namespace of its own. */
export function nftCheck(ruleset: string): { code: number | null; output: string } {
  const dir = tempDir("bgpals-nft-");
  writeFileSync(join(dir, "rules.nft"), ruleset);
  const r = spawnSync("unshare", ["-n", "nft", "-c", "-f", join(dir, "rules.nft")], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Loads the ruleset `times` times into a network namespace of its own and lists what it holds. */
export function nftLoad(ruleset: string, times: number): { code: number | null; output: string } {
  const dir = tempDir("bgpals-nft-");
  const file = join(dir, "rules.nft");
  writeFileSync(file, ruleset);
  const script = [...Array(times).fill(`nft -f ${file}`), "nft list ruleset"].join(" && ");
  const r = spawnSync("unshare", ["-n", "sh", "-c", script], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * A line of `ip -4 route show table all` a snapshot of the host compares: not BIRD's routes in the
 * main table, which come and go with its sessions; BIRD's in another table (a link's path, from the
 * peering's include) are the peering's, and go when it does.
 */
export const bgpalsRoute = (line: string): boolean => !/proto bird/.test(line) || / table /.test(line);
