// The demo touches nothing outside its temporary directory (its --help says so): the secrets its
// walk-through keeps (a friend's monitor account, PPP passwords) go to files there, never to the OS
// keyring, where they would outlive the demo on a machine whose keyring works.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { demoOperators } from "../../src/cli/demo.js";
import { friendMonitorAccount, monitorAccountFile, saveFriendMonitorAccount } from "../../src/store/friends.js";
import { tempDir } from "../helpers.js";

const ROUTERS = ["alice", "remi"].map((name, i) => ({ name, version: "7.24", host: "127.0.0.1", port: 18728 + 2 * i, user: "admin", password: `lab-${name}` }));

describe("the demo's secrets", () => {
  it("stay in the demo's directory: each side's workspace keeps none in the OS keyring", () => {
    const root = tempDir("bgpals-demo-secrets-");
    for (const operator of demoOperators(ROUTERS, root)) {
      const ws = operator.services.workspace;
      expect(ws.home.startsWith(root)).toBe(true);
      // null: no keyring asked (undefined would ask the OS's).
      expect(ws.secrets).toBeNull();
      const friend = operator.name === "alice" ? "remi" : "alice";
      expect(saveFriendMonitorAccount(ws, friend, { api: "10.0.0.1:8728", user: `bgpals-${friend}-ro` }, "a-password")).toBe("file");
      const file = monitorAccountFile(ws, friend);
      expect(existsSync(file) && file.startsWith(root)).toBe(true);
      expect(JSON.parse(readFileSync(file, "utf8")).monitor.passwordIn).toBe("file");
      expect(friendMonitorAccount(ws, friend)?.password).toBe("a-password");
    }
  });
});
