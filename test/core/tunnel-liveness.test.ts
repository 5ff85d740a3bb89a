// A WireGuard tunnel is up while the friend is heard: the looks' received bytes, judged in the
// router's time (the handshake's age), not only a handshake fresher than three minutes.
import { describe, expect, it } from "vitest";
import { silenceLimit, TunnelLiveness, type LivenessSession, type LivenessTunnel } from "../../src/core/tunnel-liveness.js";

const LISTENING: LivenessTunnel = { name: "wg-remi-isp1", peering: "alice-remi", link: "isp1", state: "up", lastHandshake: "10s", rx: 1000 };
const DIALLING: LivenessTunnel = { ...LISTENING, name: "wg-alice-isp1", keepalive: "25s" };
const ESTABLISHED: LivenessSession = { peering: "alice-remi", link: "isp1", state: "established", keepaliveTime: "10s" };
const ACTIVE: LivenessSession = { ...ESTABLISHED, state: "active" };

/** The tunnel `seconds` later on the router (the same handshake, 10 s old at first), rx grown by `received`. */
const later = (t: LivenessTunnel, seconds: number, received = 0): LivenessTunnel => ({ ...t, lastHandshake: `${10 + seconds}s`, rx: t.rx + received });

describe("silenceLimit", () => {
  it("is two of the longest a live friend can be silent", () => {
    // Listening: the friend's 25 s keepalives, or BGP's 10 s ones while the session is up.
    expect(silenceLimit(LISTENING, undefined)).toBe(50);
    expect(silenceLimit(LISTENING, ESTABLISHED)).toBe(20);
    // Dialling: BGP's keepalives, else only the answer to a handshake every two minutes.
    expect(silenceLimit(DIALLING, ESTABLISHED)).toBe(20);
    expect(silenceLimit(DIALLING, ACTIVE)).toBe(2 * (120 + 25));
    expect(silenceLimit({ ...DIALLING, keepalive: "1m" }, ACTIVE)).toBe(2 * (120 + 60));
  });
});

describe("TunnelLiveness", () => {
  it("keeps a fresh tunnel up while rx grows, marks it down once the friend is silent past the limit", () => {
    const liveness = new TunnelLiveness();
    expect(liveness.judge([LISTENING], [])[0]).toEqual(LISTENING);
    expect(liveness.judge([later(LISTENING, 20, 500)], [])[0]!.state).toBe("up");
    // From the look where rx last grew (20 s later), 49 s of silence, then 50.
    expect(liveness.judge([later(LISTENING, 69, 500)], [])[0]!.state).toBe("up");
    expect(liveness.judge([later(LISTENING, 70, 500)], [])[0]).toEqual({ ...later(LISTENING, 70, 500), state: "down", silentFor: "50s" });
  });

  it("stays down until something is received, though the limit grows when the session goes down", () => {
    const liveness = new TunnelLiveness();
    liveness.judge([DIALLING], [ESTABLISHED]);
    expect(liveness.judge([later(DIALLING, 20)], [ESTABLISHED])[0]!.state).toBe("down");
    // The hold timer ran out: the dialling side's limit would be 290 s now.
    expect(liveness.judge([later(DIALLING, 40)], [ACTIVE])[0]).toMatchObject({ state: "down", silentFor: "40s" });
    expect(liveness.judge([later(DIALLING, 45, 148)], [ACTIVE])[0]).toEqual(later(DIALLING, 45, 148));
  });

  it("takes a new handshake or counters that started over (a reboot) as heard", () => {
    const liveness = new TunnelLiveness();
    liveness.judge([LISTENING], []);
    expect(liveness.judge([later(LISTENING, 60)], [])[0]!.state).toBe("down");
    const rehandshake = { ...LISTENING, lastHandshake: "2s" };
    expect(liveness.judge([rehandshake], [])[0]).toEqual(rehandshake);
    liveness.judge([later(LISTENING, 60)], []);
    const rebooted = { ...LISTENING, lastHandshake: "1m5s", rx: 10 };
    expect(liveness.judge([rebooted], [])[0]).toEqual(rebooted);
  });

  it("leaves a tunnel with no handshake, and an OpenVPN tunnel (none to read), as the router said", () => {
    const liveness = new TunnelLiveness();
    const never = { ...LISTENING, state: "down" as const, lastHandshake: null, rx: 0 };
    const ovpn = { ...LISTENING, name: "ovpn-remi", lastHandshake: null, rx: 0 };
    for (let i = 0; i < 3; i++) expect(liveness.judge([never, ovpn], [])).toEqual([never, ovpn]);
  });

  it("measures silence in the router's time, however far apart the looks are on this computer's clock", () => {
    const liveness = new TunnelLiveness();
    liveness.judge([LISTENING], []);
    // Many looks at one router second (a lab clock stopped, or looks faster than the router prints).
    for (let i = 0; i < 100; i++) expect(liveness.judge([later(LISTENING, 1)], [])[0]!.state).toBe("up");
    // One look ten minutes later: the same handshake says ten minutes passed there.
    expect(liveness.judge([later(LISTENING, 600)], [])[0]).toMatchObject({ state: "down", silentFor: "10m" });
  });
});
