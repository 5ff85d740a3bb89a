import "../../src/platforms/routeros/api/node-routeros-fix.js";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { RouterOSAPI } from "node-routeros";
import { describe, expect, it } from "vitest";
import { endsWithTest, repoRoot } from "../helpers.js";
import { emptyHome, runCli, STACK_TRACE } from "./run.js";

describe("bgpals lab", () => {
  it("prints where its routers are as the first line, serves the API, stops cleanly on Ctrl-C", async () => {
    const child = endsWithTest(
      spawn(process.execPath, [join(repoRoot, "bin/bgpals.js"), "lab", "--routers", "remi,carol"], {
        env: { ...process.env, BGPALS_HOME: emptyHome(), CI: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let buffer = "";
      child.stdout.on("data", (d) => {
        buffer += d;
        const newline = buffer.indexOf("\n");
        if (newline >= 0) resolve(buffer.slice(0, newline));
      });
      child.on("exit", (code) => reject(new Error(`lab exited with ${code}: ${stderr}`)));
    });
    const info = JSON.parse(firstLine);
    expect(info.routers.map((r: any) => [r.name, r.version, r.host, typeof r.port, typeof r.tlsPort, r.user])).toEqual([
      ["remi", "7.19.6", "127.0.0.1", "number", "number", "admin"],
      ["carol", "6.49.10", "127.0.0.1", "number", "number", "admin"],
    ]);
    const carol = info.routers[1];
    const api = new RouterOSAPI({ host: carol.host, port: carol.port, user: carol.user, password: carol.password, timeout: 5 });
    api.on("error", () => {});
    await api.connect();
    expect(await api.write("/system/identity/print")).toEqual([{ name: "carol" }]);
    await api.write("/lab/wan-down", ["=interface=pppoe-out1"]);
    await api.close();

    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/bgpals lab: stopped/);
  });

  it("refuses unknown routers and bad ports as usage errors", () => {
    const unknown = runCli(["lab", "--routers", "alice,bob"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no lab router named bob; the lab has alice, remi, carol/);
    const port = runCli(["lab", "--port-base", "99999"]);
    expect(port.code).toBe(2);
    expect(port.stderr).not.toMatch(STACK_TRACE);
  });
});
