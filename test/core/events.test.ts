import { describe, expect, it } from "vitest";
import { statusEvents, type StatusView } from "../../src/core/events.js";

const base: StatusView = {
  tunnels: [{ name: "wg-remi-isp1", link: "isp1", state: "up" }],
  sessions: [{ name: "remi-isp1", link: "isp1", state: "established", limitExceeded: false, lastError: "" }],
  routes: [
    { dst: "192.168.42.0/24", gateway: "172.16.10.2", active: true, localPref: 200, link: "isp1" },
    { dst: "192.168.42.0/24", gateway: "172.16.11.2", active: false, localPref: 100, link: "isp2" },
  ],
};

describe("monitor events", () => {
  it("says nothing when nothing changed (a reconnect sees the same state)", () => {
    expect(statusEvents(base, structuredClone(base))).toEqual([]);
  });

  it("names tunnels and sessions going down, limit trips, best paths moving, prefixes arriving and withdrawn", () => {
    const after: StatusView = {
      tunnels: [{ name: "wg-remi-isp1", link: "isp1", state: "down" }],
      sessions: [{ name: "remi-isp1", link: "isp1", state: "idle", limitExceeded: true, lastError: "max prefix limit exceeded" }],
      routes: [
        { dst: "192.168.42.0/24", gateway: "172.16.11.2", active: true, localPref: 100, link: "isp2" },
        { dst: "192.168.200.0/24", gateway: "172.16.11.2", active: true, localPref: 100, link: "isp2" },
      ],
    };
    expect(statusEvents(base, after)).toEqual([
      { event: "tunnel-down", tunnel: "wg-remi-isp1", link: "isp1" },
      { event: "session-down", session: "remi-isp1", link: "isp1", error: "max prefix limit exceeded" },
      { event: "limit-exceeded", session: "remi-isp1", link: "isp1" },
      { event: "best-path-moved", prefix: "192.168.42.0/24", from: { gateway: "172.16.10.2", link: "isp1" }, to: { gateway: "172.16.11.2", link: "isp2" } },
      { event: "prefix-arrived", prefix: "192.168.200.0/24", gateway: "172.16.11.2", link: "isp2" },
    ]);
    // Down though its handshake is fresh: the friend went silent, and the event says how long.
    expect(statusEvents(base, { ...base, tunnels: [{ ...base.tunnels[0]!, state: "down", silentFor: "52s" }] })).toEqual([{ event: "tunnel-down", tunnel: "wg-remi-isp1", link: "isp1", silentFor: "52s" }]);
    expect(statusEvents(after, { ...after, routes: [] })).toEqual([
      { event: "prefix-withdrawn", prefix: "192.168.42.0/24" },
      { event: "prefix-withdrawn", prefix: "192.168.200.0/24" },
    ]);
  });
});

import { durationMs, formatDuration } from "../../src/core/duration.js";

describe("RouterOS durations", () => {
  it("reads and prints them as RouterOS does", () => {
    expect(["30s", "3m", "1h30m", "500ms", "10", "1w2d3h4m5s", "", "soon"].map(durationMs)).toEqual([30_000, 180_000, 5_400_000, 500, 10_000, 788_645_000, null, null]);
    expect([0, 59_999, 3_723_000, 788_645_000].map(formatDuration)).toEqual(["0s", "59s", "1h2m3s", "1w2d3h4m5s"]);
  });
});
