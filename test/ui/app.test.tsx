import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "../../src/ui/App.js";
import { badgeText } from "../../src/ui/components/StatusBadge.js";
import { COMMANDS, SCOPE_COMMANDS, hintKeys, hintsFor } from "../../src/ui/keymap.js";
import { SCREEN_INFO } from "../../src/ui/screens/catalog.js";
import type { FriendEntry, RouterEntry } from "../../src/ui/state.js";
import { FRIENDS, KEY, ROUTERS, effectsSettled, lineWith, offlineServices, plain, waitFor } from "./helpers.js";

const SIZE = { columns: 80, rows: 24 };

afterEach(() => cleanup());

function start(routers: RouterEntry[] = ROUTERS, friends: FriendEntry[] = FRIENDS) {
  const app = render(<App routers={routers} friends={friends} services={offlineServices({ routers, friends })} size={SIZE} />);
  const frame = () => plain(app.lastFrame());
  const shows = (text: string) => waitFor(() => frame().includes(text), frame);
  /** Types a key and waits for the screen to show its effect. */
  const press = async (key: string, until: () => boolean) => {
    await effectsSettled();
    app.stdin.write(key);
    await waitFor(until, frame);
  };
  return { app, frame, shows, press };
}

const selectedName = (frame: string) => lineWith(frame, "›")?.replace("›", "").trim().split(/\s+/)[0];

describe("Home", () => {
  it("lists routers and friends, each with a badge in symbol and word", async () => {
    const { frame, shows } = start();
    await shows("Friends");
    for (const entry of [...ROUTERS, ...FRIENDS]) {
      const line = lineWith(frame(), entry.name);
      expect(line, entry.name).toBeDefined();
      expect(line).toContain(badgeText(entry.status));
    }
    expect(lineWith(frame(), "alice-hap")).toContain("● ok");
    expect(lineWith(frame(), "dave")).toContain("○ down");
    expect(lineWith(frame(), "alice-hap")).toContain("192.168.88.1");
    expect(lineWith(frame(), "remi")).toContain("s1-alice-remi");
  });

  it("says how to add the first router or friend when there are none", async () => {
    const { frame, shows } = start([], []);
    await shows("Friends (0)");
    expect(frame()).toContain("No routers yet: press r to add one");
  });

  it("moves the selection with the arrows and with j/k, from routers into friends", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    expect(selectedName(frame())).toBe("alice-hap");
    await press(KEY.down, () => selectedName(frame()) === "alice-lab");
    await press(KEY.j, () => selectedName(frame()) === "old-rb");
    await press(KEY.j, () => selectedName(frame()) === "remi");
    await press(KEY.up, () => selectedName(frame()) === "old-rb");
    await press(KEY.k, () => selectedName(frame()) === "alice-lab");
  });

  it("opens the screen of the selected item with enter, and esc comes back", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    for (const next of ["alice-lab", "old-rb", "remi"]) await press(KEY.j, () => selectedName(frame()) === next);
    await press(KEY.enter, () => frame().includes(`${SCREEN_INFO.monitor.title}: remi`));
    expect(frame()).toContain("No peering with remi");
    await press(KEY.escape, () => frame().includes("Routers"));
    expect(selectedName(frame())).toBe("remi");
  });

  it("opens Help with ?, listing the Home keys and what Home is for; esc returns", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    await press(KEY.help, () => frame().includes("Help: Home"));
    expect(frame().replace(/\s+/g, " ")).toContain(SCREEN_INFO.home.about);
    for (const command of SCOPE_COMMANDS.home) {
      const line = lineWith(frame(), ` ${COMMANDS[command].label}`);
      expect(line, command).toBeDefined();
      expect(line).toContain(hintKeys(command, { all: true }));
    }
    expect(frame()).not.toContain("alice-hap");
    await press(KEY.escape, () => frame().includes("alice-hap"));
  });

  it("shows the hints of the focused screen on its last lines, wrapping whole hints", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    const hintLine = (scope: "home" | "help") => hintsFor(scope).map((h) => `${h.keys} ${h.label}`).join("  ");
    // Home has more keys than fit one line at 80 columns: they wrap between hints, never inside one.
    const lastLines = (n: number) => frame().trimEnd().split("\n").slice(-n).map((l) => l.trim()).join("  ");
    expect(lastLines(2)).toBe(hintLine("home"));
    expect(frame().trimEnd().split("\n").at(-2)).not.toContain("Friends");
    await press(KEY.help, () => frame().includes("Help: Home"));
    expect(lastLines(1)).toBe(hintLine("help"));
  });
});

describe("fits 80×24", () => {
  it("keeps every line of every frame within 80 columns and 23 rows, truncating with an ellipsis", async () => {
    const long = "x".repeat(70);
    const routers: RouterEntry[] = Array.from({ length: 30 }, (_, i) => ({
      name: `router-${i}-${long}`,
      host: `host-${i}.${long}.example.net`,
      status: i % 2 ? "bad-credentials" : "unknown",
    }));
    const friends: FriendEntry[] = [{ name: `friend-${long}`, peering: `peering-${long}`, status: "degraded" }];
    const { app, frame, shows, press } = start(routers, friends);
    await shows("Routers (30)");
    expect(lineWith(frame(), "router-0-")).toContain("…");
    // Walk down to the last friend (the list scrolls), into Help and a placeholder and back.
    await press(KEY.down, () => selectedName(frame())?.startsWith("router-1-") === true);
    for (let i = 1; i < 30; i++) app.stdin.write(KEY.j);
    await waitFor(() => selectedName(frame())?.startsWith("friend-") === true, frame);
    expect(frame()).toContain("↑");
    expect(lineWith(frame(), "friend-")).toContain(badgeText("degraded"));
    await press(KEY.help, () => frame().includes("Help: Home"));
    await press(KEY.escape, () => frame().includes("Friends"));
    await press(KEY.enter, () => frame().includes("Monitor: friend-"));

    expect(app.frames.length).toBeGreaterThan(5);
    for (const raw of app.frames) {
      const lines = plain(raw).split("\n");
      expect(lines.length).toBeLessThanOrEqual(SIZE.rows - 1);
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(SIZE.columns);
    }
  });
});

describe("errors in the app", () => {
  it("shows a screen that throws while drawing as a bug, with the error keys, and q still quits", async () => {
    // A status the screens do not know is a bug upstream; the app must say so, not vanish.
    const broken = [...ROUTERS, { name: "odd", host: "h", status: "rebooting" as RouterEntry["status"] }];
    const { app, frame, shows } = start(broken);
    await shows("this is a bug");
    expect(frame()).toMatch(/^\s+at /m);
    expect(frame().trimEnd().split("\n").at(-1)?.trimEnd()).toBe(hintsFor("error").map((h) => `${h.keys} ${h.label}`).join("  "));
    await effectsSettled();
    app.stdin.write(KEY.quit);
    await waitFor(() => app.stdin.listenerCount("readable") === 0, frame);
  });
});

describe("Home's live badges", () => {
  it("looks at the routers it shows while it is on screen, and stops when the screen is left", async () => {
    const looks: string[][] = [];
    const services = offlineServices({ routers: ROUTERS, friends: FRIENDS });
    services.probeEveryMs = 40;
    services.probe = async (routers) => {
      looks.push([...routers]);
      return { routers: ROUTERS.map((r) => ({ ...r, status: "ok" as const })), friends: FRIENDS };
    };
    const app = render(<App routers={ROUTERS} friends={FRIENDS} services={services} size={SIZE} />);
    const frame = () => plain(app.lastFrame());
    await waitFor(() => looks.length >= 3, frame);
    // Every router is shown (and friends are: their badges come from the routers' sessions).
    expect(looks[0]).toEqual(ROUTERS.map((r) => r.name));
    await waitFor(() => lineWith(frame(), "old-rb")?.includes("● ok") === true, frame);

    await effectsSettled();
    app.stdin.write(KEY.help);
    await waitFor(() => frame().includes(SCREEN_INFO.help.title), frame);
    const left = looks.length;
    // Ten periods later, not one more look.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(looks.length).toBe(left);

    await effectsSettled();
    app.stdin.write(KEY.escape);
    await waitFor(() => looks.length > left, frame);
  });
});

describe("keys typed in a burst", () => {
  it("all arrive, each where the screen the one before left says it goes", async () => {
    const { frame, shows, app } = start();
    await shows("Friends");
    await effectsSettled();
    // Three downs and an up in one read, as a busy program gets them.
    app.stdin.write("jjjk");
    await waitFor(() => selectedName(frame()) === "old-rb", frame);
    expect(selectedName(frame())).toBe("old-rb");
    // A key that opens a screen, then that screen's own key, together: Help opens and goes back.
    await effectsSettled();
    app.stdin.write("j?");
    await waitFor(() => frame().includes(SCREEN_INFO.help.title), frame);
    expect(frame()).toContain(`${SCREEN_INFO.help.title}: ${SCREEN_INFO.home.title}`);
  });
});

/** The command line's text (after the `:`), or undefined when it is not open. */
const commandLine = (frame: string) =>
  frame
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.startsWith(":"))
    ?.slice(1)
    .trim();

describe("the : command line", () => {
  it(":monitor opens a friend's monitor over Home, :help the help of the screen it is typed on, :home comes back", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    await press(":", () => commandLine(frame()) === "");
    // The screen's hints give way to the line and what its keys do.
    expect(frame()).toContain("enter run · tab complete");
    expect(frame()).not.toContain("n new peering");
    await press("monitor carol\r", () => frame().includes(`${SCREEN_INFO.monitor.title}: carol`));
    expect(commandLine(frame())).toBeUndefined();
    await press(":help\r", () => frame().includes(`Help: ${SCREEN_INFO.monitor.title}`));
    await press(":home\r", () => frame().includes("Routers (") && !frame().includes("Help"));
    // Home is the only screen left: esc goes nowhere.
    await press(KEY.j, () => selectedName(frame()) === "alice-lab");
    await press(KEY.escape, () => frame().includes("Routers ("));
    expect(frame()).toContain("bgpals · Home");
  });

  it(":help in a wizard shows the wizard's help in place of its step; esc returns to the step, not Home", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    await press("n", () => frame().includes("Which router?"));
    await press(":help\r", () => frame().includes(`Help: ${SCREEN_INFO.newPeering.title} · router`));
    await press(KEY.escape, () => frame().includes("Which router?"));
    expect(frame()).toContain(`bgpals · ${SCREEN_INFO.newPeering.title} · router`);
  });

  it("backspace on an empty line and esc close it; ctrl+u empties it; an error stays until the line changes", async () => {
    const { frame, shows, press } = start();
    await shows("Friends");
    await press(":", () => commandLine(frame()) === "");
    await press("\u007F", () => commandLine(frame()) === undefined && frame().includes("n new peering"));
    await press(":", () => commandLine(frame()) === "");
    await press("nope\r", () => frame().includes('no command "nope"'));
    await press("\u007F", () => commandLine(frame()) === "nop" && !frame().includes("no command"));
    await press("\u0015", () => commandLine(frame()) === "");
    await press(KEY.escape, () => commandLine(frame()) === undefined && frame().includes("n new peering"));
    expect(frame()).toContain("bgpals · Home");
  });
});
