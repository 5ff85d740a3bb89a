// Secrets where no keyring works (point 5 of issue 12): a PPP password bgpals cannot know is never
// turned into a disabled account; it is asked for (a terminal) or refused, naming the variable. Kept
// encrypted with the identity key in the config home, it serves the next apply.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { planCommand } from "../../src/cli/router-commands.js";
import { savePppPasswords } from "../../src/store/friends.js";
import { EXAMPLES, example, exampleFileFor } from "../helpers.js";
import { exportOf, withFriendCa } from "../platforms/routeros/apply-helpers.js";
import { flagsOf, home, inProcess, passwordOf } from "./cli-lab.js";
import { applyCommand } from "../../src/cli/router-commands.js";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false, ssh: false });
  dir = home();
  S3.peering = exampleFileFor("s3", "alice");
  await withFriendCa(lab, "alice", example("s3"));
  process.env.BGPALS_HOME = dir;
  process.env.BGPALS_PASSWORD = passwordOf(lab, "alice");
  delete process.env.BGPALS_PPP_PASSWORD_ISP1;
  delete process.env.BGPALS_PPP_PASSWORD_ISP2;
});
afterAll(async () => lab.stop());

// S3 as alice (its OpenVPN server) applies it: her router makes the CA the file pins; remi's CA is
// on it (the server asks for client certificates), as complete leaves it.
const S3 = { peering: "" };
const secret = (name: string) => lab.router("alice").store.at("/ppp/secret").find({ name })[0];

describe("a PPP password bgpals does not have", () => {
  it("is refused before anything is read or written, naming the variable, for plan and for apply", async () => {
    const before = exportOf(lab, "alice");
    const plan = await inProcess((write) => planCommand(flagsOf(lab, S3), write));
    expect(plan.error?.message).toMatch(/^no PPP password for link isp1 of alice-remi-ovpn here \(not in BGPALS_PPP_PASSWORD_ISP1, the OS keyring or .*secrets\.json\), and RouterOS never shows it back: nothing planned\. Set BGPALS_PPP_PASSWORD_ISP1/);
    const apply = await inProcess((write) => applyCommand(flagsOf(lab, S3), false, write));
    expect(apply.error?.message).toMatch(/no PPP password for link isp1/);
    expect(exportOf(lab, "alice")).toBe(before);
  });

  it("kept encrypted in the config home (no keyring), serves the next apply, and a re-plan keeps the account enabled", async () => {
    const ws = { home: dir, peersDir: join(dir, "peers"), secrets: null };
    expect(savePppPasswords(ws, "alice-remi-ovpn", { isp1: "first-secret-kept", isp2: "second-secret-kept" })).toBe("file");
    expect(readFileSync(join(dir, "secrets.json"), "utf8")).not.toMatch(/first-secret-kept|second-secret-kept/);

    const apply = await inProcess((write) => applyCommand(flagsOf(lab, S3), false, write));
    expect(apply.code, apply.error?.message).toBe(0);
    const user = JSON.parse(readFileSync(EXAMPLES.s3, "utf8")).links[0].user as string;
    expect(secret(user)).toMatchObject({ password: "first-secret-kept", disabled: "false" });

    const plan = await inProcess((write) => planCommand(flagsOf(lab, { ...S3, json: true }), write));
    expect(plan.code, plan.error?.message).toBe(0);
    expect(JSON.parse(plan.stdout).changes).toEqual([]);
    expect((await inProcess((write) => applyCommand(flagsOf(lab, S3), true, write))).code).toBe(0);
  });
});
