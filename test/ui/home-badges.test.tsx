// Home's badges before the first look: "… checking" until a look answers, "? unknown" only where
// nothing can look (no password stored), and a list read again keeps the badges already seen.
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../src/ui/App.js";
import { appReducer, createInitialState, type HomeData } from "../../src/ui/state.js";
import { lineWith, offlineServices, plain, waitFor } from "./helpers.js";

const SIZE = { columns: 80, rows: 24 };
const NOT_LOOKED: HomeData = {
  routers: [{ name: "home", host: "admin@192.168.88.1:8728", status: "checking" }],
  friends: [{ name: "remi", peering: "alice-remi", status: "checking" }],
};
const LOOKED: HomeData = {
  routers: [{ name: "home", host: "admin@192.168.88.1:8728", status: "ok" }],
  friends: [{ name: "remi", peering: "alice-remi", status: "up" }],
};

describe("Home's badges before the first look", () => {
  it("say … checking until the look answers, then what it saw", async () => {
    let answer: (home: HomeData) => void = () => undefined;
    const services = { ...offlineServices(NOT_LOOKED), probe: () => new Promise<HomeData>((resolve) => (answer = resolve)) };
    const app = render(<App routers={NOT_LOOKED.routers} friends={NOT_LOOKED.friends} services={services} size={SIZE} />);
    const frame = () => plain(app.lastFrame());
    await waitFor(() => frame().includes("Routers (1)"), frame);
    expect(lineWith(frame(), "admin@192.168.88.1")).toMatch(/… checking$/);
    expect(lineWith(frame(), "alice-remi")).toMatch(/… checking$/);
    expect(frame()).not.toContain("unknown");
    answer(LOOKED);
    await waitFor(() => /● ok$/m.test(frame()), frame);
    expect(lineWith(frame(), "alice-remi")).toMatch(/● up$/);
    expect(frame()).not.toContain("checking");
    app.unmount();
  });

  it("say what the look saw when no router shows the friend: the router unreachable, the friend ? unknown", async () => {
    const looked: HomeData = { routers: [{ ...NOT_LOOKED.routers[0]!, status: "unreachable" }], friends: [{ ...NOT_LOOKED.friends[0]!, status: "unknown" }] };
    const services = { ...offlineServices(NOT_LOOKED), probe: async () => looked };
    const app = render(<App routers={NOT_LOOKED.routers} friends={NOT_LOOKED.friends} services={services} size={SIZE} />);
    const frame = () => plain(app.lastFrame());
    await waitFor(() => /○ unreachable$/m.test(frame()), frame);
    expect(lineWith(frame(), "alice-remi")).toMatch(/\? unknown$/);
    expect(frame()).not.toContain("checking");
    app.unmount();
  });

  it("say ? unknown where nothing looks (no password stored to probe with)", async () => {
    const services = offlineServices(NOT_LOOKED);
    const app = render(<App routers={NOT_LOOKED.routers} friends={NOT_LOOKED.friends} services={services} size={SIZE} />);
    const frame = () => plain(app.lastFrame());
    await waitFor(() => frame().includes("Routers (1)"), frame);
    expect(lineWith(frame(), "admin@192.168.88.1")).toMatch(/\? unknown$/);
    expect(frame()).not.toContain("checking");
    app.unmount();
  });

  it("keep what was seen when the lists are read again (after a wizard), until the next look", () => {
    const seen = appReducer(createInitialState(NOT_LOOKED), { type: "setHome", ...LOOKED });
    const reread = appReducer(seen, { type: "setHome", routers: [...NOT_LOOKED.routers, { name: "new", host: "10.0.0.9", status: "checking" }], friends: NOT_LOOKED.friends });
    expect(reread.routers.map((r) => r.status)).toEqual(["ok", "checking"]);
    expect(reread.friends.map((f) => f.status)).toEqual(["up"]);
  });
});
