// The fixture itself: two Linux routers with two ISPs each, BIRD up, WANs reaching each other
// through the internet namespace, and nothing left once it is torn down.
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNetlab, type Netlab } from "./netlab.js";

/** Running, not a zombie waiting for its parent to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !["Z", "X"].includes(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return false;
  }
}

const namespaces = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });

describe("netlab", () => {
  let lab: Netlab;
  beforeAll(async () => {
    lab = await startNetlab([
      { name: "alice", lan: "192.168.10.1/24" },
      { name: "remi", lan: "192.168.42.1/24", wans: 1 },
    ]);
  }, 60_000);
  afterAll(() => lab?.teardown());

  it("runs BIRD in each host with the host's own /etc/bird", async () => {
    const protocols = await lab.birdc("alice", "show", "protocols");
    expect(protocols).toMatch(/^direct1\s+Direct\s+---\s+up/m);
    const seen = await lab.exec("remi", ["cat", "/etc/bird/bird.conf"]);
    expect(seen.stdout).toContain(`router id ${lab.hosts.remi!.routerId};`);
    expect(lab.hosts.remi!.routerId).not.toBe(lab.hosts.alice!.routerId);
  });

  it("routes between the hosts' WANs through the internet namespace, over either ISP", async () => {
    const alice = lab.hosts.alice!;
    const remi = lab.hosts.remi!;
    expect(alice.wans).toHaveLength(2);
    expect(remi.wans).toHaveLength(1);
    for (const wan of alice.wans) {
      const ping = await lab.exec("alice", ["ping", "-c", "1", "-W", "2", "-I", wan.address, remi.wans[0]!.address]);
      expect(ping.stdout).toContain("1 received");
    }
    const routes = JSON.parse((await lab.exec("alice", ["ip", "-j", "route", "show", "default"])).stdout) as Array<{ gateway: string; dev: string }>;
    expect(routes.map((r) => `${r.dev} via ${r.gateway}`)).toEqual(alice.wans.map((w) => `${w.interface} via ${w.gateway}`));
  });

  it("keeps each host's LAN on lo, apart from the other's", async () => {
    const aliceLo = (await lab.exec("alice", ["ip", "-4", "-o", "addr", "show", "dev", "lo"])).stdout;
    expect(aliceLo).toContain("192.168.10.1/24");
    expect(aliceLo).not.toContain("192.168.42.1/24");
  });

  it("removes the namespaces, their /etc and every process when torn down", async () => {
    const other = await startNetlab([{ name: "solo", lan: "192.168.77.1/24", wans: 1 }]);
    const host = other.hosts.solo!;
    expect(namespaces()).toContain(host.ns);
    const pids = execFileSync("ip", ["netns", "pids", host.ns], { encoding: "utf8" }).trim().split("\n").map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(2); // sshd and bird
    await other.teardown();
    expect(namespaces()).not.toContain(host.ns);
    expect(existsSync(host.etc)).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);
});
