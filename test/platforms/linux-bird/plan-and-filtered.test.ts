// Pure parts of a Linux host's plan and monitor: the plan's text says what each change does in a
// line (a file by its size or the lines it changes, never its whole contents, which --json keeps);
// the filtered routes BIRD keeps, read from captured `birdc show route all filtered`, with why.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planJson, planText } from "../../../src/core/plan-view.js";
import { filteredRoutesOf, parseInclude, rejectionReason } from "../../../src/platforms/linux-bird/bird-show.js";
import type { HostState } from "../../../src/platforms/linux-bird/host-state.js";
import { desiredOf, fileSummary, planApply, planRemove } from "../../../src/platforms/linux-bird/plan.js";
import { BIRD_INCLUDE_LINE } from "../../../src/platforms/linux-bird/render/render.js";
import { renderLinux } from "../../../src/platforms/linux-bird/render/render.js";
import { linuxNames } from "../../../src/platforms/linux-bird/names.js";
import { repoRoot } from "../../helpers.js";
import { linuxExample } from "./helpers.js";

const SOCKET = "/run/bird/bird.ctl";
const BIRD_CONF_BEFORE = 'router id 192.0.2.1;\nprotocol device {}\nprotocol direct { ipv4; interface "lo"; }\n';
const fixture = (name: string) => readFileSync(join(repoRoot, "test/fixtures/linux-bird", name), "utf8");

/** A host with nothing of the peering: bird.conf as a fresh install has it. */
function emptyHost(): HostState {
  return { files: {}, present: {}, birdConf: BIRD_CONF_BEFORE, birdIncludes: [], links: {}, wireguard: {}, nftChains: null, routes: [], rules: [], birdProtocols: [], birdDevice: true, openvpn: [], bootUnits: [] };
}

describe("a Linux plan as text", () => {
  const peering = linuxExample("linux");
  const side = Object.keys(peering.sides)[0]!;
  const out = renderLinux(peering, side);
  const desired = desiredOf(peering, side, out);

  it("says each file in a line (path, new, its size), never its contents, which --json keeps", async () => {
    const plan = await planApply(desired, emptyHost(), SOCKET);
    const text = planText(plan, "plan");
    const include = out.files.find((f) => f.path === linuxNames.birdInclude(peering))!;
    const lines = include.content.split("\n").filter((l, i, all) => i < all.length - 1 || l !== "").length;
    expect(text).toContain(`write ${include.path} (new, ${lines} lines)`);
    // No line of any file's contents is in the text (the include's filters, a WireGuard config's sections).
    for (const file of out.files) {
      for (const line of file.content.split("\n").filter((l) => l.trim().length > 12 && !l.startsWith("#"))) expect(text, `${file.path}: ${line}`).not.toContain(line.trim());
    }
    // bird.conf: the one line that comes, shown as such.
    expect(text).toContain(`edit /etc/bird/bird.conf: +${BIRD_INCLUDE_LINE}`);
    // Every change is one line and its reason: the text is short.
    expect(text.split("\n").length).toBeLessThanOrEqual(2 + plan.changes.length * 3 + 2);
    // The JSON keeps each file whole.
    const json = planJson(plan) as { changes: Array<{ path: string; attrs: Record<string, string> }> };
    expect(json.changes.find((c) => c.path === include.path)!.attrs.content).toBe(include.content);
  });

  it("lists the changes under what they change, in the render's words, never under bgpals's keys for them", async () => {
    const headings = (text: string) => text.split("\n").slice(1).filter((l) => /^[^\s(!]/.test(l));
    const text = planText(await planApply(desired, emptyHost(), SOCKET), "plan");
    expect(headings(text)).toEqual(["keys and certificates", "files", "routes and rules", "nftables", "BIRD", "WireGuard"]);
    // Each change once, under its heading: a file by its path, a route by its ip command.
    expect(text).toMatch(/^files\n {2}\+ write \/etc\/wireguard\//m);
    expect(text).toMatch(/^routes and rules\n {2}\+ ip rule add /m);
    const applied = await planApply(desired, emptyHost(), SOCKET);
    const conf = applied.changes.find((c) => c.path === "/etc/bird/bird.conf")!.attrs.content!;
    const state: HostState = { ...emptyHost(), files: Object.fromEntries(out.files.map((f) => [f.path, "x"])), birdConf: conf, birdIncludes: [linuxNames.birdInclude(peering).split("/").pop()!], present: Object.fromEntries(desired.keys.map((k) => [k, true])) };
    // A removal the other way round: BIRD first, the keys last.
    const removal = headings(planText(await planRemove(desired, state, SOCKET, linuxNames.birdInclude(peering)), "remove"));
    expect(removal[0]).toBe("files");
    expect(removal).toContain("BIRD");
    expect(removal.at(-1)).toBe("keys and certificates");
    for (const heading of [...headings(text), ...removal]) expect(heading).not.toMatch(/^\/|^(route|rule|nft|wireguard|openvpn|bird|systemd)\//);
  });

  it("a removal says what goes, and bird.conf loses only its include line", async () => {
    const applied = await planApply(desired, emptyHost(), SOCKET);
    const conf = applied.changes.find((c) => c.path === "/etc/bird/bird.conf")!.attrs.content!;
    const state: HostState = { ...emptyHost(), files: Object.fromEntries(out.files.map((f) => [f.path, "x"])), birdConf: conf, birdIncludes: [linuxNames.birdInclude(peering).split("/").pop()!] };
    const text = planText(await planRemove(desired, state, SOCKET, linuxNames.birdInclude(peering)), "remove");
    expect(text).toContain(`remove ${linuxNames.birdInclude(peering)} (kept aside until the run holds)`);
    expect(text).toContain(`edit /etc/bird/bird.conf: -${BIRD_INCLUDE_LINE}`);
    expect(text).not.toContain("router id 192.0.2.1");
  });

  it("shows at most a few changed lines of a file it read, and a file it only hashed by its size", () => {
    const many = fileSummary("set", "/etc/x", "a\nb\nc\nd\ne\n", "a\n");
    expect(many).toBe("edit /etc/x: +b | +c | +d (and 1 more)");
    expect(fileSummary("set", "/etc/y", "one\ntwo\n", null)).toBe("rewrite /etc/y (2 lines; what is there differs)");
    // A secret's lines are never shown, even when its old text is known.
    expect(fileSummary("set", "/etc/wireguard/k.psk", "SECRET\n", "OLD\n", true)).toBe("rewrite /etc/wireguard/k.psk (1 line, secret; what is there differs)");
  });
});

describe("filtered routes on a Linux host, from what BIRD printed", () => {
  const include = parseInclude(fixture("include.conf"));
  const text = fixture("show-route-all-filtered.txt");
  // The fixture's friend (remi) over isp1 and isp2.
  const FRIEND = ["172.16.10.2", "172.16.11.2"];

  it("lists the friend's filtered routes with the reason, the AS path and a total", () => {
    const found = filteredRoutesOf(text, [include], FRIEND, 10);
    expect(found.total).toBe(4);
    expect(found.routes.map((r) => `${r.id} ${r.prefix} via ${r.gateway} [${r.asPath}]: ${r.reason}`)).toEqual([
      "bgpals_st_isp2 192.168.32.0/20 192.168.32.0/20 via 172.16.11.2 [64513]: not in friend's allowed prefixes",
      "bgpals_st_isp1 192.168.32.0/20 192.168.32.0/20 via 172.16.10.2 [64513]: not in friend's allowed prefixes",
      "bgpals_st_isp2 10.99.0.0/16 10.99.0.0/16 via 172.16.11.2 [64513]: not in friend's allowed prefixes",
      "bgpals_st_isp1 10.99.0.0/16 10.99.0.0/16 via 172.16.10.2 [64513]: not in friend's allowed prefixes",
    ]);
  });

  it("keeps to the limit (the total still counts them all) and to the friends asked about", () => {
    const two = filteredRoutesOf(text, [include], FRIEND, 2);
    expect(two.routes).toHaveLength(2);
    expect(two.total).toBe(4);
    const isp1 = filteredRoutesOf(text, [include], ["172.16.10.2/32"], 10);
    expect(isp1.routes.map((r) => r.gateway)).toEqual(["172.16.10.2", "172.16.10.2"]);
    expect(filteredRoutesOf(text, [include], ["10.0.0.9"], 10)).toEqual({ routes: [], total: 0 });
    // A route of a protocol bgpals did not write is not the friend's.
    expect(filteredRoutesOf(text, [], FRIEND, 10)).toEqual({ routes: [], total: 0 });
  });

  it("names each rule that refuses: a default route, our own network, longer than allowed, not allowed", () => {
    const filter = include.filters.find((f) => f.name === "bgpals_st_in_isp1");
    expect(rejectionReason(filter, "0.0.0.0/0")).toBe("default route");
    expect(rejectionReason(filter, "192.168.10.0/24")).toBe("your own network 192.168.10.0/24");
    expect(rejectionReason(filter, "192.168.10.128/25")).toBe("your own network 192.168.10.0/24");
    expect(rejectionReason(filter, "192.168.42.128/25")).toBe("longer than /24");
    expect(rejectionReason(filter, "8.8.8.0/24")).toBe("not in friend's allowed prefixes");
    expect(rejectionReason(undefined, "8.8.8.0/24")).toBe("rejected by an input filter");
  });
});
