// "Why filtered?" on the lab: S3's filters on alice (friend prefixes up to /28).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { example, tempDir } from "../helpers.js";
import { planAndApply } from "../platforms/routeros/apply-helpers.js";
import { cliAsync } from "./cli-async.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice"], tickMs: 0, tls: false });
  const { result } = await planAndApply(lab, "alice", example("s3"), { secrets: { pppPassword: { isp1: "first-secret", isp2: "second-secret" } } });
  if (!result.ok) throw new Error(result.message);
});
afterAll(async () => lab.stop());

function why(prefix: string, extra: string[] = []) {
  const r = lab.info().routers[0]!;
  return cliAsync(["why", prefix, "--router", `${r.user}@${r.host}:${r.port}`, ...extra], { BGPALS_HOME: tempDir("bgpals-why-"), BGPALS_PASSWORD: r.password });
}

describe("bgpals why", () => {
  it("explains an accepted prefix: the rule and the local-pref it set", async () => {
    const r = await why("192.168.42.0/24", ["--json"]);
    expect(r.code, r.stderr).toBe(0);
    const answers = JSON.parse(r.stdout);
    expect(answers.map((a: any) => [a.session, a.link, a.verdict.action, a.verdict.changes.localPref])).toEqual([
      ["remi-isp1", "isp1", "accept", 200],
      ["remi-isp2", "isp2", "accept", 100],
    ]);
    expect(answers[0].verdict.decidedBy.text).toBe("if (dst in 192.168.42.0/23 && dst-len in 23-28) { set bgp-local-pref 200; accept; }");
  });

  it("explains a rejected and a too-long prefix", async () => {
    const outside = await why("10.9.0.0/24", ["--session", "remi-isp1"]);
    expect(outside.code).toBe(0);
    expect(outside.stdout).toMatch(/^remi-isp1 \(isp1\): 10\.9\.0\.0\/24 rejected by alice-remi-ovpn-in-isp1 #\d+/);
    const tooLong = JSON.parse((await why("192.168.42.0/29", ["--session", "remi-isp1", "--json"])).stdout);
    expect(tooLong[0].verdict.action).toBe("reject");
    expect(tooLong[0].verdict.decidedBy.text).toBe("reject;");
    const own = JSON.parse((await why("192.168.0.0/24", ["--session", "remi-isp1", "--json"])).stdout);
    expect(own[0].verdict.decidedBy.comment).toBe("bgpals:alice-remi-ovpn:in-isp1-own-192.168.0.0/23");
  });

  it("refuses a malformed prefix as a usage error", async () => {
    const r = await why("192.168.42.1/24");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an IPv4 prefix/);
  });
});
