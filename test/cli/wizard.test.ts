// offer → accept → complete between two operators, each with their own config home, on the lab.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab } from "../../src/lab/lab.js";
import { cliAsync } from "./cli-async.js";

let lab: Lab;
beforeAll(async () => {
  lab = await Lab.start({ routers: ["alice", "remi"], tickMs: 50, tls: false });
});
afterAll(async () => lab.stop());

const homes = { alice: tempDir("bgpals-alice-"), remi: tempDir("bgpals-remi-") };
function as(op: "alice" | "remi", args: string[], input?: string) {
  const r = lab.info().routers.find((x) => x.name === op)!;
  return cliAsync([...args, "--router", `${r.user}@${r.host}:${r.port}`], { BGPALS_HOME: homes[op], BGPALS_PASSWORD: r.password }, input);
}

/** A bundle as a chat window passes it on: wrapped at 64 columns, CR/LF, indented, a trailing newline. */
const wrapped = (bundle: string) => `${bundle.match(/.{1,64}/g)!.map((line) => `  ${line}`).join("\r\n")}\r\n`;

describe("headless offer → accept → complete", () => {
  it("ends with remi's prefix active on alice via the primary link", async () => {
    const offer = await as("alice", ["offer", "--me", "alice", "--friend", "remi", "--asn", "64514", "--networks", "192.168.0.0/24", "--link", "isp1:wireguard:vlan832-orange-internet", "--link", "isp2:wireguard:sfp-wan-sfr", "--primary", "isp1", "--json"]);
    expect(offer.code, offer.stderr).toBe(0);
    const { bundle, fingerprint } = JSON.parse(offer.stdout);
    expect(bundle).toMatch(/^bgpals1:[A-Za-z0-9_-]+$/);
    expect(fingerprint).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
    expect(existsSync(join(homes.alice, "identity.json"))).toBe(true);

    // A tampered offer is refused and writes nothing on remi.
    const before = lab.router("remi").exportConfig();
    const tampered = bundle.slice(0, 60) + (bundle[60] === "A" ? "B" : "A") + bundle.slice(61);
    const refused = await as("remi", ["accept", tampered, "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/offer refused, nothing written/);
    expect(lab.router("remi").exportConfig()).toBe(before);

    const accept = await as("remi", ["accept", bundle, "--me", "remi", "--asn", "64513", "--networks", "192.168.42.0/24", "--wan", "isp1=pppoe-out1", "--wan", "isp2=pppoe-out2", "--yes", "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.stderr).toContain(`offer fingerprint was ${fingerprint}`);
    const answer = JSON.parse(accept.stdout).bundle;

    // Accepting the same offer again (the answer was lost) shows the same answer and writes nothing;
    // here the offer comes on stdin, wrapped by a chat window at 64 columns with CR/LF.
    const applied = lab.router("remi").exportConfig();
    const replay = await as("remi", ["accept", "-", "--me", "remi", "--json"], wrapped(bundle));
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(/accepted this offer from alice already/);
    expect(JSON.parse(replay.stdout).bundle).toBe(answer);
    expect(lab.router("remi").exportConfig()).toBe(applied);
    // Kept in remi's outbox and inbox, private, and the outbox lists alice's offer as waiting.
    for (const [home, dir] of [[homes.remi, "outbox"], [homes.remi, "inbox"], [homes.alice, "outbox"]] as const) {
      expect(statSync(join(home, dir)).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(join(home, dir))) expect(statSync(join(home, dir, name)).mode & 0o777).toBe(0o600);
    }
    const aliceOffer = () => JSON.parse(readFileSync(join(homes.alice, "outbox", readdirSync(join(homes.alice, "outbox"))[0]!), "utf8"));
    expect(aliceOffer()).toMatchObject({ kind: "offer", friend: "remi", state: "waiting", text: bundle });

    // The answer from a file, wrapped the same way.
    const answerFile = join(tempDir("bgpals-answer-"), "answer.txt");
    writeFileSync(answerFile, wrapped(answer));
    const complete = await as("alice", ["complete", `@${answerFile}`, "--yes", "--json"]);
    expect(aliceOffer()).toMatchObject({ state: "completed" });
    expect(complete.code, complete.stderr).toBe(0);
    expect(JSON.parse(complete.stdout)).toMatchObject({ peering: "alice-remi", friend: "remi" });

    // Both operators hold the same peering file.
    const aliceCopy = JSON.parse(readFileSync(join(homes.alice, "peers", "remi.json"), "utf8"));
    const remiCopy = JSON.parse(readFileSync(join(homes.remi, "peers", "alice.json"), "utf8"));
    expect(aliceCopy).toEqual(remiCopy);

    lab.tick();
    const status = await as("alice", ["status", "--json"]);
    const s = JSON.parse(status.stdout);
    expect(s.tunnels.map((t: any) => t.state)).toEqual(["up", "up"]);
    expect(s.sessions.map((x: any) => x.state)).toEqual(["established", "established"]);
    const active = s.routes.find((r: any) => r.dst === "192.168.42.0/24" && r.active);
    expect(active).toMatchObject({ link: aliceCopy.policy.primary, localPref: 200 });
    expect(active.gateway).toBe(aliceCopy.links.find((l: any) => l.name === "isp1").address.remi);
    // Each session: remi's one prefix in, alice's one network out (her LAN has a route).
    expect(s.sessions.map((x: any) => [x.link, x.prefixes, x.advertised])).toEqual([["isp1", 1, 1], ["isp2", 1, 1]]);
    const text = await as("alice", ["status"]);
    expect(text.stdout).toMatch(/\(isp1\) AS64513 established \S+, 1 prefixes received, 1 announced/);
  });
});
