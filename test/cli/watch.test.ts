// `bgpals status --watch --json` against the lab: events as a WAN is cut, a router reboots, the WAN returns.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { endsWithTest, example, onCleanup, repoRoot, tempDir, until } from "../helpers.js";
import { buildPeering, countRequests } from "../lab/lab-helpers.js";

let lab: Lab;
beforeAll(async () => {
  // 20 lab seconds per real second: the 30 s hold timer expires in 1.5 s.
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, clockFactor: 20, tls: false });
  await buildPeering(lab, example("s1"));
  lab.tick();
});
afterAll(async () => lab.stop());

describe("status --watch --json", () => {
  it("streams session down, best path moved, reconnects after a reboot without repeating, and recovers", async () => {
    const r = lab.info().routers.find((x) => x.name === "alice")!;
    // Each look of the watcher asks for the BGP sessions once.
    const looks = countRequests(lab, "alice", "/routing/bgp/session/print");
    const child = endsWithTest(
      spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), "status", "--watch", "--json", "--interval", "0.2", "--router", `${r.user}@${r.host}:${r.port}`], {
        env: { ...process.env, BGPALS_HOME: tempDir("bgpals-watch-"), BGPALS_PASSWORD: r.password, CI: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const events: any[] = [];
    let buffer = "";
    child.stdout.on("data", (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    const of = (name: string) => events.filter((e) => e.event === name);

    const snapshot = await until(() => of("snapshot")[0], "the first snapshot");
    expect(snapshot.status.sessions.map((s: any) => s.state)).toEqual(["established", "established"]);

    lab.setWan("alice", "vlan832-orange-internet", false);
    await until(() => of("tunnel-down").find((e) => e.link === "isp1"), "isp1 tunnel down");
    const down = await until(() => of("session-down").find((e) => e.session === "remi-isp1"), "isp1 session down");
    expect(down.error).toBe("hold timer expired");
    const moved = await until(() => of("best-path-moved").find((e) => e.prefix === "192.168.42.0/24"), "best path moved");
    expect(moved).toMatchObject({ from: { link: "isp1" }, to: { link: "isp2" } });

    await lab.reboot("alice");
    await until(() => of("connection-lost")[0], "connection lost");
    await until(() => of("connected")[1], "reconnected");
    // Seen again after the reboot, the same state yields no new events: nothing is repeated.
    const seen = events.length;
    // Three more looks, each after the one before it was diffed and written out.
    const looked = looks();
    await until(() => looks() >= looked + 4, "three more looks after reconnecting");
    expect(events.slice(seen).filter((e) => e.event !== "session-up" && e.event !== "tunnel-up")).toEqual([]);
    expect(of("session-down").filter((e) => e.session === "remi-isp1")).toHaveLength(1);
    expect(of("tunnel-down").filter((e) => e.link === "isp1")).toHaveLength(1);

    lab.setWan("alice", "vlan832-orange-internet", true);
    await until(() => of("session-up").find((e) => e.session === "remi-isp1"), "isp1 session up");
    await until(() => of("best-path-moved").find((e) => e.prefix === "192.168.42.0/24" && e.to.link === "isp1"), "best path back on isp1");

    // Ctrl-C while the router answers nothing (its replies held back for a minute): the watcher
    // does not wait for its cancels and goodbye to be answered (twice the 10 s timeout, before).
    lab.setLatency("alice", 60_000);
    onCleanup(() => lab.setLatency("alice", 0));
    child.kill("SIGINT");
    await until(() => child.exitCode !== null || child.signalCode !== null, "the watcher to exit on SIGINT", 8_000);
    expect(child.exitCode).toBe(0);
  }, 60_000);
});
