// The networks field's notes (what the router has that is not offered, and why) wrap under
// themselves at 60 columns: every line of a note starts two columns in, none with the space it broke at.
import { Box } from "ink";
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { KeysProvider } from "../../src/ui/hooks/use-keys.js";
import { NetworksField } from "../../src/ui/screens/wizard-kit.js";
import { ServicesProvider } from "../../src/ui/services.js";
import { AppStateProvider } from "../../src/ui/state.js";
import { offlineServices, plain, waitFor } from "./helpers.js";

afterEach(() => cleanup());

const noop = () => undefined;

describe("the networks field's notes at 60 columns", () => {
  it("wrap under themselves, never starting a line with the space they broke at", async () => {
    // 58 columns of note, then " (veth)": the break falls on a space (a netlab host's management link).
    const leftOut = [{ network: "10.233.13.8/30", interface: "mgmt0", why: "a container's link (veth)" }];
    const app = render(
      <KeysProvider>
        <ServicesProvider services={offlineServices()}>
          <AppStateProvider home={{ routers: [], friends: [] }}>
            <Box width={60}>
              <NetworksField initial={["192.168.10.0/24"]} leftOut={leftOut} width={60} focused problem={() => null} onSubmit={noop} onBack={noop} />
            </Box>
          </AppStateProvider>
        </ServicesProvider>
      </KeysProvider>,
    );
    const frame = () => plain(app.lastFrame());
    await waitFor(() => frame().includes("not suggested"), frame);
    const lines = frame().split("\n");
    const notes = lines.slice(lines.findIndex((l) => l.includes("not suggested")));
    expect(notes.length, frame()).toBeGreaterThan(1);
    for (const line of notes) expect(line, frame()).toMatch(/^ {2}\S/);
    expect(notes.map((l) => l.trim()).join(" ")).toBe("not suggested: 10.233.13.8/30 on mgmt0: a container's link (veth)");
  });
});
