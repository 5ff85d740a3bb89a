// Every flag that takes a number (or host:port) is checked as the command line is read: a bad
// value exits 2 with a message naming the flag, before a password is asked, a router connected
// to, a bundle opened or a file written. A tripwire server stands where the router would be and
// counts connections.
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLES } from "../helpers.js";
import { cliAsync } from "./cli-async.js";
import { runCli, STACK_TRACE } from "./run.js";

const home = mkdtempSync(join(tmpdir(), "bgpals-flags-"));
let tripwire: net.Server;
const sockets = new Set<net.Socket>();
let connections = 0;
let router = "";

beforeAll(async () => {
  // Accepts and never answers: a command that got as far as connecting would time out here.
  tripwire = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tripwire.listen(0, "127.0.0.1", resolve));
  router = `admin@127.0.0.1:${(tripwire.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => tripwire.close(() => resolve()));
  rmSync(home, { recursive: true, force: true });
});

const cli = (args: string[], register?: (cleanup: () => unknown) => void) => cliAsync(args, { BGPALS_HOME: home, BGPALS_PASSWORD: "flags-test-password" }, undefined, register);

/** The tripwire's user@host:port, once it listens. */
const ROUTER = "<router>";

/** [the flag, the command line]: everything else on it is right, so only the flag can be refused. */
const BAD: Array<[string, string[]]> = [
  ["--timeout", ["inventory", "--router", ROUTER, "--timeout", "abc"]],
  ["--timeout", ["inventory", "--router", ROUTER, "--timeout", "0"]],
  ["--timeout", ["status", "--router", ROUTER, "--timeout", "601"]],
  ["--timeout", ["status", "--router", ROUTER, "--timeout", "0x10"]],
  ["--timeout", ["why", "192.168.42.0/24", "--router", ROUTER, "--timeout", ""]],
  ["--timeout", ["plan", "--router", ROUTER, "--peering", EXAMPLES.s1, "--side", "alice", "--timeout", "1e3"]],
  ["--timeout", ["apply", "--router", ROUTER, "--peering", EXAMPLES.s1, "--side", "alice", "--yes", "--timeout", "ten"]],
  ["--timeout", ["remove", "--router", ROUTER, "--peering", EXAMPLES.s1, "--side", "alice", "--yes", "--timeout", "Infinity"]],
  ["--timeout", ["offer", "--router", ROUTER, "--me", "alice", "--friend", "remi", "--asn", "64514", "--link", "isp1:wireguard:ether1", "--timeout", "abc"]],
  ["--timeout", ["accept", "bgpals1:AAAA", "--router", ROUTER, "--me", "remi", "--asn", "64513", "--wan", "isp1=ether1", "--yes", "--timeout", "0"]],
  ["--timeout", ["complete", "bgpals1:AAAA", "--router", ROUTER, "--yes", "--timeout", "abc"]],
  ["--timeout", ["prefer", "--router", ROUTER, "--friend", "remi", "--primary", "isp2", "--timeout", " 5"]],
  ["--timeout", ["clear", "--router", ROUTER, "--friend", "remi", "--timeout", "5s"]],
  ["--timeout", ["export", "--router", ROUTER, "--timeout", "NaN"]],
  ["--interval", ["status", "--router", ROUTER, "--interval", "0.01"]],
  ["--interval", ["status", "--router", ROUTER, "--watch", "--interval", "abc"]],
  ["--ssh-port", ["export", "--router", ROUTER, "--ssh-port", "0"]],
  ["--ssh-port", ["export", "--router", ROUTER, "--ssh-port", "65536"]],
  ["--asn", ["offer", "--router", ROUTER, "--me", "alice", "--friend", "remi", "--asn", "64514.5", "--link", "isp1:wireguard:ether1"]],
  ["--asn", ["offer", "--router", ROUTER, "--me", "alice", "--friend", "remi", "--asn", "4294967296", "--link", "isp1:wireguard:ether1"]],
  ["--asn", ["accept", "bgpals1:AAAA", "--router", ROUTER, "--me", "remi", "--asn", "x", "--wan", "isp1=ether1", "--yes"]],
  ["--monitor-api", ["offer", "--router", ROUTER, "--me", "alice", "--friend", "remi", "--asn", "64514", "--link", "isp1:wireguard:ether1", "--monitor-account", "--monitor-api", "10.0.0.1"]],
  ["--monitor-api", ["accept", "bgpals1:AAAA", "--router", ROUTER, "--me", "remi", "--asn", "64513", "--wan", "isp1=ether1", "--yes", "--monitor-account", "--monitor-api", "10.0.0.1:99999"]],
  ["--wait", ["prefer", "--router", ROUTER, "--friend", "remi", "--primary", "isp2", "--wait", ""]],
  ["--wait", ["prefer", "--router", ROUTER, "--friend", "remi", "--primary", "isp2", "--wait", "601"]],
  ["--wait", ["clear", "--router", ROUTER, "--friend", "remi", "--wait", "1e2"]],
  ["--port", ["router", "add", "flagged", "--host", "192.0.2.1", "--port", "0x50"]],
  ["--port", ["router", "add", "flagged", "--host", "192.0.2.1", "--port", "70000"]],
];

describe("numeric flags", () => {
  test.concurrent.for(BAD)("%s: %j exits 2 naming the flag, having touched nothing", async ([flag, args], { onTestFinished }) => {
    const r = await cli(args.map((arg) => (arg === ROUTER ? router : arg)), (cleanup) => onTestFinished(async () => void (await cleanup())));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^bgpals: ${flag} "[^"]*": (must be|use host:port)`, "m"));
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).toBe("");
    expect(connections).toBe(0);
  });
});

describe("after them", () => {
  test("router add with a refused --port saves no profile", async () => {
    const list = await cli(["router", "list", "--json"]);
    expect(JSON.parse(list.stdout).routers).toEqual([]);
  });

  test("good values pass: --timeout 0.5 reaches the router and waits that long", async () => {
    const r = await cli(["inventory", "--router", router, "--timeout", "0.5"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bgpals: no answer from 127\.0\.0\.1:\d+ within 0\.5 s/m);
    expect(connections).toBe(1);
  });

  // Synchronous, with runCli's time limit: a lab that did start would run until killed.
  test.each([
    [["lab", "--port-base", "1023"], /^bgpals: --port-base "1023": must be a port from 1024 to 65535, or 0 for any free ports/m],
    [["lab", "--port-base", "65533"], /^bgpals: --port-base 65533: 3 routers need ports up to 65541; use at most 65526/m],
    [["lab", "--clock-factor", "0"], /^bgpals: --clock-factor "0": must be a number above 0 and at most 1000/m],
    [["lab", "--clock-factor", "1e3"], /^bgpals: --clock-factor "1e3": must be a number above 0 and at most 1000/m],
  ])("%j exits 2", (args, message) => {
    const r = runCli(args, { BGPALS_HOME: home });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});
