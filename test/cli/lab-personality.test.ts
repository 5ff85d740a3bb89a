// `bgpals lab --router name=version[:personality.json]`: lab routers of any supported version with
// the WANs and objects a user chooses, through the real CLI and then the real client (node-routeros)
// and bgpals's own inventory; bad files are usage errors (exit 2) that say what is wrong.
import "../../src/platforms/routeros/api/node-routeros-fix.js";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RouterOSAPI } from "node-routeros";
import { describe, expect, it } from "vitest";
import { endsWithTest, repoRoot, tempDir } from "../helpers.js";
import { cliAsync } from "./cli-async.js";
import { emptyHome, runCli, STACK_TRACE } from "./run.js";

// A router with every kind of WAN the lab knows, an OpenVPN server a user already runs and an
// interface already listening on WireGuard's first port.
const DAVE = {
  password: "dave-secret",
  lan: "192.168.66.1/24",
  wans: [
    { type: "dhcp", interface: "ether1", address: "198.19.8.20/24", gateway: "198.19.8.1", distance: 1, dnsName: "vpn.dave.example" },
    { type: "static", interface: "sfp1", address: "203.0.113.70/24", gateway: "203.0.113.1", distance: 2, checkGateway: "ping" },
    { type: "pppoe", interface: "pppoe-out1", over: "ether2", address: "100.64.12.34", distance: 3 },
    { type: "lte", interface: "lte1", address: "10.170.3.4", distance: 4 },
  ],
  objects: {
    "/interface/ovpn-server/server": [{ name: "home", port: 443, certificate: "none", disabled: "no" }],
    "/interface/wireguard": [{ name: "wg-home", "listen-port": 13231 }],
  },
};

// docs/lab.md's second example: RouterOS 6 on one PPPoE line published by IP Cloud, its user's OpenVPN server on.
const ERIN = {
  wans: [{ type: "pppoe", interface: "pppoe-out1", address: "198.18.7.9" }],
  ipCloud: { dnsName: "e1e2e3e4e5e6.sn.mynetname.net" },
  objects: { "/interface/ovpn-server/server": [{ enabled: "yes", port: 1194, certificate: "none", "require-client-certificate": "no" }] },
};

function personality(name: string, content: unknown): string {
  const file = join(tempDir("bgpals-personality-"), `${name}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

async function firstLine(args: string[]) {
  const child = endsWithTest(spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), "lab", ...args], { env: { ...process.env, BGPALS_HOME: emptyHome(), CI: "true" }, stdio: ["ignore", "pipe", "pipe"] }));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (d) => {
      buffer += d;
      const newline = buffer.indexOf("\n");
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.on("exit", (code) => reject(new Error(`lab exited with ${code}: ${stderr}`)));
  });
  return { child, info: JSON.parse(line) as { routers: Array<{ name: string; version: string; host: string; port: number; user: string; password: string }> } };
}

async function api(r: { host: string; port: number; user: string; password: string }): Promise<RouterOSAPI> {
  const client = new RouterOSAPI({ host: r.host, port: r.port, user: r.user, password: r.password, timeout: 5 });
  client.on("error", () => {});
  await client.connect();
  return client;
}

describe("bgpals lab --router", () => {
  it("starts routers from personality files, built-ins at other versions, and defaults", async () => {
    const { child, info } = await firstLine(["--router", `dave=7.21.1:${personality("dave", DAVE)}`, "--router", "alice=7.12.2", "--router", "old=6.48.6", "--router", `erin=6.48.6:${personality("erin", ERIN)}`]);
    expect(info.routers.map((r) => [r.name, r.version, r.user])).toEqual([
      ["dave", "7.21.1", "admin"],
      ["alice", "7.12.2", "admin"],
      ["old", "6.48.6", "admin"],
      ["erin", "6.48.6", "admin"],
    ]);
    const dave = info.routers[0]!;
    expect(dave.password).toBe("dave-secret");
    const client = await api(dave);
    expect(((await client.write("/system/resource/print")) as any[])[0].version).toMatch(/^7\.21\.1/);
    const interfaces = ((await client.write("/interface/print")) as any[]).map((i) => [i.name, i.type]);
    expect(interfaces).toEqual(expect.arrayContaining([["ether1", "ether"], ["sfp1", "ether"], ["pppoe-out1", "pppoe-out"], ["lte1", "lte"], ["wg-home", "wg"]]));
    expect(await client.write("/ip/dhcp-client/print", ["=.proplist=interface,status,address,gateway"])).toEqual([{ interface: "ether1", status: "bound", address: "198.19.8.20/24", gateway: "198.19.8.1" }]);
    expect(await client.write("/interface/ovpn-server/server/print", ["=.proplist=name,port,disabled"])).toEqual([{ name: "home", port: "443", disabled: "false" }]);
    await client.close();

    // What bgpals itself finds there: every WAN, the CGNAT address, the port in use.
    const inventory = await cliAsync(["inventory", "--router", `${dave.user}@${dave.host}:${dave.port}`, "--json"], { BGPALS_HOME: emptyHome(), BGPALS_PASSWORD: dave.password });
    expect(inventory.code, inventory.stderr).toBe(0);
    const inv = JSON.parse(inventory.stdout);
    expect(inv.wans.map((w: any) => w.interface).sort()).toEqual(["ether1", "lte1", "pppoe-out1", "sfp1"]);
    expect(inv.wans.find((w: any) => w.interface === "pppoe-out1").address).toMatch(/^100\.64\.12\.34/);
    expect(inv.lans.map((l: any) => l.network)).toContain("192.168.66.0/24");
    expect(inv.portsInUse).toEqual(expect.arrayContaining([expect.objectContaining({ port: 13231, protocol: "udp" })]));

    const old = await api(info.routers[2]!);
    expect(await old.write("/routing/bgp/instance/print", ["=.proplist=name,as"])).toEqual([{ name: "default", as: "65530" }]);
    expect(((await old.write("/ip/address/print", ["?interface=ether1"])) as any[])[0].address).toBe("198.51.100.2/24");
    await old.close();
    const erin = await api(info.routers[3]!);
    expect(await erin.write("/ip/cloud/print", ["=.proplist=ddns-enabled,dns-name,public-address"])).toEqual([{ "ddns-enabled": "true", "dns-name": "e1e2e3e4e5e6.sn.mynetname.net", "public-address": "198.18.7.9" }]);
    expect(await erin.write("/interface/ovpn-server/server/print", ["=.proplist=enabled,port"])).toEqual([{ enabled: "true", port: "1194" }]);
    await erin.close();

    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
  });

  // A test per case: each starts the CLI, and ten one after another overran one test's time on a loaded CI.
  const cases: Array<[string, string[], RegExp]> = [
    ["a file that is not JSON", ["--router", `dave=7.21.1:${personality("broken", "{ wans: [")}`], /broken\.json: not valid JSON/],
    ["a WAN type it does not know", ["--router", `dave=7.21.1:${personality("typo", { wans: [{ type: "cable", interface: "ether1", address: "198.19.8.20/24", gateway: "198.19.8.1" }] })}`], /typo\.json: not a lab personality \(docs\/lab\.md\):\nbgpals: {3}wans\[0\]\.type: a WAN's "type" is dhcp, static, pppoe or lte/],
    ["a gateway outside its WAN", ["--router", `dave=7.21.1:${personality("gw", { wans: [{ type: "static", interface: "ether1", address: "198.19.8.20/24", gateway: "10.0.0.1" }] })}`], /wans\[0\]\.gateway: 10\.0\.0\.1 is not in 198\.19\.8\.20\/24/],
    ["a key it does not know", ["--router", `dave=7.21.1:${personality("extra", { colour: "blue" })}`], /extra\.json: not a lab personality[\s\S]*colour/],
    ["a menu RouterOS 6 lacks", ["--router", `old=6.49.10:${personality("v6wg", { objects: { "/interface/wireguard": [{ name: "wg0" }] } })}`], /objects\["\/interface\/wireguard"\]: the lab does not model that menu on RouterOS 6\.49\.10/],
    ["a file that is not there", ["--router", "dave=7.21.1:/nonexistent/dave.json"], /cannot read \/nonexistent\/dave\.json: no such file/],
    ["RouterOS 8", ["--router", "dave=8.1"], /the lab runs RouterOS 6 and 7 .*not 8\.1/],
    ["a built-in moved to RouterOS 6", ["--router", "alice=6.49.10"], /alice runs RouterOS 7\.24; the lab moves a RouterOS 7 router only to another RouterOS 7 version/],
    ["no version", ["--router", "dave"], /--router dave: use name=version or name=version:personality\.json/],
    ["a router named twice", ["--routers", "alice", "--router", "alice=7.12.2"], /name a router twice/],
  ];
  it.each(cases)("refuses %s as a usage error, saying what is wrong and where", (_case, args, message) => {
    const r = runCli(["lab", ...args]);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
    expect(r.stderr, args.join(" ")).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});
