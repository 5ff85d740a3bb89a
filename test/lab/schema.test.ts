import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkCommand,
  closestSchemaVersion,
  commandArgs,
  menuExists,
  schemaVersions,
  type SchemaCommand,
} from "../../src/lab/schema.js";
import { repoRoot, sharedDir, tempDir } from "../helpers.js";

const SCRIPT = join(repoRoot, "scripts/extract-routeros-schema.js");
const TREES = join(repoRoot, "src/lab/schema/trees.json");
const haveDumps = existsSync(join(sharedDir, "routeros-schema"));

function extract(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, "--shared", sharedDir, ...args], { encoding: "utf8" });
}

describe("trees.json extract", () => {
  const scratch = tempDir("bgpals-schema-");

  it.skipIf(!haveDumps)(`matches the inspect dumps in ${sharedDir} (skipped when they are absent)`, () => {
    const r = extract("--check");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.skipIf(!haveDumps)("--check fails with a summary when the file drifts from the dumps", () => {
    const tampered = join(scratch, "trees.json");
    const json = JSON.parse(readFileSync(TREES, "utf8"));
    delete json.versions["7.24"]["/routing/bgp/instance"];
    writeFileSync(tampered, JSON.stringify(json));
    const r = extract("--check", "--out", tampered);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("7.24 /routing/bgp/instance: menu missing");
  });

  it("holds every extracted menu in every version", () => {
    expect(schemaVersions()).toEqual(["7.12.2", "7.15.3", "7.19.6", "7.20.8", "7.22.3", "7.24"]);
    const roots = Object.keys(JSON.parse(readFileSync(TREES, "utf8")).roots as Record<string, string>);
    // Hardware-only: the dumps come from CHR, which has no /system/routerboard.
    const expected = roots.filter((r) => r !== "/system/routerboard");
    for (const v of schemaVersions()) {
      expect(expected.filter((r) => !menuExists(v, r)), v).toEqual([]);
      for (const sub of ["/interface/list/member", "/interface/bridge/port", "/ip/dhcp-server/network", "/user/group"]) {
        expect(menuExists(v, sub), `${v} ${sub}`).toBe(true);
      }
    }
  });
});

describe("closestSchemaVersion", () => {
  it.each([
    ["7.24", "7.24"],
    ["7.25.1", "7.24"],
    ["7.22.3", "7.22.3"],
    ["7.22.2", "7.20.8"],
    ["7.21", "7.20.8"],
    ["7.20.8", "7.20.8"],
    ["7.20", "7.19.6"],
    ["7.19.6", "7.19.6"],
    ["7.16.2", "7.15.3"],
    ["7.12.2", "7.12.2"],
    ["7.9", "7.12.2"],
    ["7.1", "7.12.2"],
    ["7.20rc1", "7.19.6"],
  ])("%s -> %s", (version, expected) => {
    expect(closestSchemaVersion(version)).toBe(expected);
  });

  it.each(["6.49.10", "6.45", "8.1", "", "stable"])("%s has no tree", (version) => {
    expect(closestSchemaVersion(version)).toBeNull();
  });
});

const kinds = (version: string, cmd: SchemaCommand) => checkCommand(version, cmd).map((p) => p.kind);

describe("checkCommand", () => {
  const bgpConnection = (attrs: Record<string, string>): SchemaCommand => ({
    path: "/routing/bgp/connection",
    verb: "add",
    attrs: { name: "peer-remi", "remote.as": "4200000002", "input.filter": "bgpals-in", ...attrs },
  });

  it("accepts a BGP connection with instance on 7.24 and refuses instance on 7.19.6", () => {
    expect(checkCommand("7.24", bgpConnection({ instance: "bgpals" }))).toEqual([]);
    expect(checkCommand("7.19.6", bgpConnection({ instance: "bgpals" }))).toEqual([
      {
        kind: "unknown-argument",
        path: "/routing/bgp/connection",
        verb: "add",
        attr: "instance",
        message: "unknown parameter instance",
      },
    ]);
  });

  it("knows the BGP instance menu from 7.20", () => {
    const instance: SchemaCommand = { path: "/routing/bgp/instance", verb: "add", attrs: { name: "bgpals", as: "4200000001" } };
    expect(checkCommand("7.19.6", instance)).toEqual([
      { kind: "no-such-menu", path: "/routing/bgp/instance", verb: "add", message: "no such command prefix" },
    ]);
    expect(checkCommand("7.20.8", instance)).toEqual([]);
    expect(checkCommand("7.21.3", instance)).toEqual([]);
  });

  it("takes router-id on a connection up to 7.19 only", () => {
    expect(checkCommand("7.19.6", bgpConnection({ "router-id": "10.0.0.1", as: "4200000001" }))).toEqual([]);
    expect(kinds("7.20.8", bgpConnection({ "router-id": "10.0.0.1" }))).toEqual(["unknown-argument"]);
  });

  it("names WireGuard peers from 7.15", () => {
    const peer: SchemaCommand = {
      path: "/interface/wireguard/peers",
      verb: "add",
      attrs: { name: "remi", interface: "wg-bgpals", "public-key": "x", "allowed-address": "10.0.0.2/32" },
    };
    expect(checkCommand("7.12.2", peer).map((p) => p.message)).toEqual(["unknown parameter name"]);
    expect(checkCommand("7.15.3", peer)).toEqual([]);
  });

  it("adds OpenVPN server instances from 7.17 (judged by 7.19.6), not on 7.15.3", () => {
    const server: SchemaCommand = { path: "/interface/ovpn-server/server", verb: "add", attrs: { name: "bgpals", port: "1194" } };
    expect(checkCommand("7.15.3", server)).toEqual([
      { kind: "no-such-command", path: "/interface/ovpn-server/server", verb: "add", message: "no such command" },
    ]);
    expect(checkCommand("7.19.6", server)).toEqual([]);
    // Before 7.17 the single server is `set` without an id.
    expect(checkCommand("7.15.3", { ...server, verb: "set", attrs: { enabled: "yes", port: "1194" } })).toEqual([]);
  });

  it("refuses a bad path, a bad verb and a bad attribute", () => {
    expect(kinds("7.24", { path: "/routing/bgp/connexion", verb: "add", attrs: {} })).toEqual(["no-such-menu"]);
    expect(kinds("7.24", { path: "/ip/address", verb: "frobnicate", attrs: {} })).toEqual(["no-such-command"]);
    expect(checkCommand("7.24", bgpConnection({ "remote.foo": "1" }))).toEqual([
      {
        kind: "unknown-argument",
        path: "/routing/bgp/connection",
        verb: "add",
        attr: "remote.foo",
        message: "unknown parameter remote.foo",
      },
    ]);
  });

  it("says when a menu is outside the extract rather than missing on the router", () => {
    const [problem] = checkCommand("7.24", { path: "/ipv6/address", verb: "add", attrs: {} });
    expect(problem?.kind).toBe("no-such-menu");
    expect(problem?.message).toMatch(/^no such command prefix \(.*outside/);
  });

  it("accepts API words and API-only verbs on any existing menu", () => {
    expect(checkCommand("7.24", { path: "/ip/address", verb: "set", attrs: { ".id": "*1", comment: "x" } })).toEqual([]);
    expect(checkCommand("7.24", { path: "/ip/address", verb: "remove", attrs: { numbers: "*1", ".tag": "3" } })).toEqual([]);
    for (const verb of ["print", "getall", "listen"]) {
      expect(checkCommand("7.12.2", { path: "/routing/bgp/session", verb, attrs: { ".proplist": "name,established", ".query": "x", "?name": "p" } }), verb).toEqual([]);
    }
    expect(checkCommand("7.24", { path: "/routing/bgp/connection", verb: "cancel", attrs: { tag: "4" } })).toEqual([]);
    expect(kinds("7.24", { path: "/ip/address", verb: "print", attrs: { bogus: "1" } })).toEqual(["unknown-argument"]);
  });

  it("accepts the script form of a path and has no tree for RouterOS 6", () => {
    expect(checkCommand("7.24", { path: "/routing bgp connection", verb: "add", attrs: { "remote.as": "1" } })).toEqual([]);
    expect(checkCommand("6.49.10", { path: "/routing/bgp/peer", verb: "add", attrs: {} })).toEqual([]);
    expect(menuExists("6.49.10", "/ip/address")).toBe(false);
  });
});

describe("commandArgs", () => {
  it("lists sorted argument names, null when absent", () => {
    const args = commandArgs("7.24", "/routing/bgp/connection", "add");
    expect(args).toContain("remote.as");
    expect(args).toEqual([...(args ?? [])].sort());
    expect(commandArgs("7.19.6", "/routing/bgp/instance", "add")).toBeNull();
    expect(commandArgs("7.24", "/ip/address", "frobnicate")).toBeNull();
  });
});
