// The command line against a real Linux host (a netlab namespace over SSH): `bgpals plan` names the
// host's platform and says a line per change; `bgpals apply` killed half way (SIGKILL after its
// k-th step, journaled on this computer) is undone by `bgpals recover`, which leaves the host exactly
// as it was; a removal killed half way comes back whole, its private keys the same; and no note
// about WireGuard keys coming back new (RouterOS's) is printed for a Linux host. A backup an earlier
// run left beside a file is never taken for the file as a later run found it.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Peering } from "../../../src/core/peering.js";
import { backupOf, DIE_AFTER_ENV, DIE_BEFORE_ENV } from "../../../src/platforms/linux-bird/apply.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { startNetlab, type Netlab } from "../../netlab/netlab.js";
import { cliAsync, type CliResult } from "../../cli/cli-async.js";
import { tempDir } from "../../helpers.js";
import { bgpalsRoute } from "./helpers.js";
import { twoWanPeering, waitFor } from "./peered-hosts.js";

// Names of this file and process only: they name the tunnels, whose wireguard-go sockets share /run/wireguard.
const ALICE = `k${process.pid}`;
const REMI = `q${process.pid}`;
const PEERING = `rc${process.pid}`;
const KEY_NOTE = "comes back with a new key";

let lab: Netlab;
let peering: Peering;
let home: string;
let file: string;
let peers: string;

/** Alice's side of a peering with remi, whose host is not needed: alice listens on both links. */
function peeringOf(): Peering {
  return twoWanPeering({ name: PEERING, alice: ALICE, remi: REMI, portBase: 13430, subnetBase: 29, aliceWans: lab.hosts[ALICE]!.wans, remiGateways: ["192.0.2.1", "192.0.2.5"] });
}

async function onHost(argv: string[]): Promise<string> {
  const r = await lab.exec(ALICE, argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Everything bgpals may touch on the host, read on the test machine (not through bgpals). */
async function snapshot(): Promise<Record<string, string>> {
  const h = lab.hosts[ALICE]!;
  const out: Record<string, string> = {};
  for (const dir of ["bird", "wireguard", "nftables.d"]) {
    const path = join(h.etc, dir);
    for (const name of existsSync(path) ? readdirSync(path).sort() : []) {
      const at = join(path, name);
      out[`file ${dir}/${name}`] = `${(statSync(at).mode & 0o777).toString(8)} ${createHash("sha256").update(readFileSync(at)).digest("hex")}`;
    }
  }
  // Name, protocol and table: "since" moves with every reconfiguration, and the state with sessions that cannot come up here.
  out.protocols = (await lab.birdc(ALICE, "show", "protocols"))
    .split("\n")
    .slice(2)
    .map((l) => l.split(/\s+/).slice(0, 3).join(" "))
    .filter((l) => l !== "")
    .join("\n");
  const links = (await onHost(["ip", "-br", "link", "show"])).split("\n").map((l) => l.split(/[\s@]+/)[0]!).filter((l) => l !== "");
  out.wg = (await onHost(["wg", "show", "interfaces"])).split(/\s+/).filter((i) => links.includes(i)).sort().join(" ");
  out.nft = await onHost(["nft", "list", "ruleset"]);
  out.routes = (await onHost(["ip", "-4", "route", "show", "table", "all"])).split("\n").filter(bgpalsRoute).join("\n");
  out.rules = await onHost(["ip", "rule", "show"]);
  out.links = links.sort().join(" ");
  return out;
}

const noTunnels = () => waitFor(async () => !(await onHost(["ip", "-br", "link", "show"])).includes("wg-"), "no WireGuard interface on the host", 10_000);

function cli(command: string, extra: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  const h = lab.hosts[ALICE]!;
  const peeringFlags = command === "recover" ? [] : ["--peering", file, "--side", ALICE, "--peers", peers];
  return cliAsync([command, "--router", `ssh://root@${h.ssh.host}:${h.ssh.port}`, "--key", lab.key.file, ...peeringFlags, ...extra], { BGPALS_HOME: home, SSH_AUTH_SOCK: "", ...env });
}

beforeAll(async () => {
  lab = await startNetlab([{ name: ALICE, lan: "192.168.10.1/24" }]);
  peering = peeringOf();
  home = tempDir("bgpals-linux-recover-home-");
  peers = tempDir("bgpals-linux-recover-peers-");
  file = join(home, "peering.json");
  writeFileSync(file, JSON.stringify(peering));
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
});

describe("the command line on a Linux host", { timeout: 240_000 }, () => {
  it("bgpals plan names the host's platform and says a line per change, not the files' contents", async () => {
    const planned = await cli("plan");
    expect(planned.code, planned.stderr).toBe(0);
    const version = await lab.exec(ALICE, ["bird", "--version"]);
    const bird = /(\d+\.\d+\.\d+)/.exec(version.stdout + version.stderr)![1]!;
    expect(planned.stdout).toMatch(new RegExp(`^plan for ${PEERING} on \\S+ \\(Linux \\(BIRD ${bird.replace(/\./g, "\\.")}\\)\\): \\d+ changes$`, "m"));
    expect(planned.stdout).not.toContain("RouterOS");
    const include = linuxNames.birdInclude(peering);
    expect(planned.stdout).toMatch(new RegExp(`write ${include} \\(new, \\d+ lines\\)`));
    // The include's filters and sessions are not printed: --json has them.
    expect(planned.stdout).not.toMatch(/bgp_local_pref|protocol bgp|\[Interface\]/);
    const json = await cli("plan", ["--json"]);
    const changes = (JSON.parse(json.stdout) as { changes: Array<{ path: string; attrs: Record<string, string> }> }).changes;
    expect(changes.find((c) => c.path === include)!.attrs.content).toMatch(/protocol bgp/);
  });

  it("an apply killed half way is undone by bgpals recover: the host reads back exactly as it was", async () => {
    const pristine = await snapshot();
    const steps = (JSON.parse((await cli("plan", ["--json"])).stdout) as { changes: unknown[] }).changes.length;
    // After the first step (a key made), half way (files, a tunnel), and after the last (BIRD configured, nothing cleaned up).
    for (const k of [1, Math.ceil(steps / 2), steps]) {
      const killed = await cli("apply", ["--yes"], { [DIE_AFTER_ENV]: String(k) });
      expect(killed.code, `${killed.stdout}${killed.stderr}`).toBeNull();
      expect(await snapshot(), `after step ${k} the host holds something of the run`).not.toEqual(pristine);
      // Without --yes, recover says what was interrupted (each step journaled before it was made) and writes nothing.
      const told = await cli("recover");
      expect(told.stdout).toMatch(new RegExp(`an earlier bgpals apply of ${PEERING} on .* was interrupted`));
      expect(told.stdout).toMatch(new RegExp(`^  ${k} writes? journaled`, "m"));
      const recovered = await cli("recover", ["--yes"]);
      expect(recovered.code, `${recovered.stdout}${recovered.stderr}`).toBe(0);
      expect(recovered.stdout).toMatch(/read back, the router is as it was before that run/);
      await noTunnels();
      expect(await snapshot(), `after step ${k}`).toEqual(pristine);
      expect((await cli("recover")).stdout).toMatch(/nothing to recover/);
    }
  });

  it("a removal killed half way comes back whole, the same private keys; no RouterOS key note on Linux", async () => {
    const pristine = await snapshot();
    const applied = await cli("apply", ["--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
    const whole = await snapshot();
    const steps = (JSON.parse((await cli("plan", ["--json"])).stdout) as { changes: unknown[] }).changes.length;
    expect(steps).toBe(0);
    const killed = await cli("remove", ["--yes"], { [DIE_AFTER_ENV]: "4" });
    expect(killed.code, `${killed.stdout}${killed.stderr}`).toBeNull();
    // There is no identity in this config home, yet the Linux journal needs no secret: no note.
    expect(killed.stderr).not.toContain(KEY_NOTE);
    expect(await snapshot()).not.toEqual(whole);
    const recovered = await cli("recover", ["--yes"]);
    expect(recovered.code, `${recovered.stdout}${recovered.stderr}`).toBe(0);
    expect(await snapshot()).toEqual(whole);
    const removed = await cli("remove", ["--yes"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).not.toContain(KEY_NOTE);
    await noTunnels();
    expect(await snapshot()).toEqual(pristine);
  });

  it("a stale backup beside a file is not put back by recover when a run dies before that file's step", async () => {
    const pristine = await snapshot();
    const applied = await cli("apply", ["--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
    const whole = await snapshot();
    // What an earlier run killed after its journal closed, before it removed its backups, leaves.
    const include = linuxNames.birdInclude(peering);
    const onTestMachine = join(lab.hosts[ALICE]!.etc, include.replace(/^\/etc\//, ""));
    expect(existsSync(onTestMachine), onTestMachine).toBe(true);
    writeFileSync(join(lab.hosts[ALICE]!.etc, backupOf(include).replace(/^\/etc\//, "")), "# an old include, from a run long gone\n");
    // New timers: the re-plan rewrites the include; the run dies once that step is journaled, before it is made.
    writeFileSync(file, JSON.stringify({ ...peering, policy: { ...peering.policy, timers: { hold: "12s", keepalive: "4s" } } }));
    try {
      const changes = (JSON.parse((await cli("plan", ["--json"])).stdout) as { changes: Array<{ path: string }> }).changes;
      const seq = changes.findIndex((c) => c.path === include) + 1;
      expect(seq, JSON.stringify(changes.map((c) => c.path))).toBeGreaterThan(0);
      const killed = await cli("apply", ["--yes"], { [DIE_BEFORE_ENV]: String(seq) });
      expect(killed.code, `${killed.stdout}${killed.stderr}`).toBeNull();
      const recovered = await cli("recover", ["--yes"]);
      expect(recovered.code, `${recovered.stdout}${recovered.stderr}`).toBe(0);
      expect(recovered.stdout).toMatch(/read back, the router is as it was before that run/);
      expect(readFileSync(onTestMachine, "utf8")).not.toContain("from a run long gone");
      expect(await snapshot()).toEqual(whole);
    } finally {
      writeFileSync(file, JSON.stringify(peering));
    }
    const removed = await cli("remove", ["--yes"]);
    expect(removed.code, removed.stderr).toBe(0);
    await noTunnels();
    expect(await snapshot()).toEqual(pristine);
  });
});
