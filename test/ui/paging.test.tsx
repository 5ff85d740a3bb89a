// pgup/pgdn/home/end wherever a list scrolls (issue 15): the pickers of the wizards, plan review and
// bundles, each drawn alone with the app's providers and driven by the keys a terminal sends.
import { cleanup, render } from "ink-testing-library";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plan.js";
import { KeysProvider } from "../../src/ui/hooks/use-keys.js";
import { ServicesProvider } from "../../src/ui/services.js";
import { AppStateProvider } from "../../src/ui/state.js";
import { BundleView } from "../../src/ui/widgets/bundle-view.js";
import { ChooseOne } from "../../src/ui/widgets/choice-list.js";
import { PlanReview } from "../../src/ui/widgets/plan-review.js";
import { routerOs } from "../../src/platforms/routeros/index.js";
import { KEY, effectsSettled, offlineServices, plain, waitFor } from "./helpers.js";

const ROWS = 8;
const noop = () => undefined;

afterEach(() => cleanup());

function open(node: ReactNode) {
  const app = render(
    <KeysProvider>
      <ServicesProvider services={offlineServices()}>
        <AppStateProvider home={{ routers: [], friends: [] }}>{node}</AppStateProvider>
      </ServicesProvider>
    </KeysProvider>,
  );
  const frame = () => plain(app.lastFrame());
  const press = async (key: string, until: () => boolean) => {
    await effectsSettled();
    app.stdin.write(key);
    await waitFor(until, frame);
  };
  return { frame, press };
}

describe("paging keys", () => {
  it("a picker: pgdn a page of rows down, end the last, pgup a page up, home the first", async () => {
    const choices = Array.from({ length: 40 }, (_, i) => ({ value: `wan${i}`, label: `wan${i}` }));
    const { frame, press } = open(<ChooseOne choices={choices} rows={ROWS} focused onChoose={noop} onBack={noop} onHelp={noop} />);
    await waitFor(() => frame().includes("› wan0"), frame);
    await press(KEY.pageDown, () => frame().includes(`› wan${ROWS}`));
    await press(KEY.end, () => frame().includes(`› wan${choices.length - 1}`));
    await press(KEY.pageUp, () => frame().includes(`› wan${choices.length - 1 - ROWS}`));
    await press(KEY.home, () => frame().includes("› wan0"));
    expect(frame()).not.toContain(`wan${ROWS + 1}`);
  });

  it("plan review: pgdn scrolls a page of changes, end to the last, home back to the top", async () => {
    const plan: Plan = {
      changes: Array.from({ length: 30 }, (_, i) => ({ op: "add" as const, path: "/interface/wireguard", attrs: { name: `wg-${i}` }, role: `tunnel-${i}`, reason: `link ${i}` })),
      conflicts: [],
    };
    const { frame, press } = open(<PlanReview plan={plan} platform={routerOs} peering="alice-remi" side="alice" router="home" rows={ROWS + 4} focused onApply={noop} onBack={noop} onHelp={noop} />);
    await waitFor(() => frame().includes('name="wg-0"') || frame().includes("name=wg-0"), frame);
    const top = frame();
    await press(KEY.pageDown, () => frame() !== top && frame().includes(`↑ ${ROWS} more`));
    await press(KEY.end, () => frame().includes("link 29") && !frame().includes("↓"));
    await press(KEY.home, () => !frame().includes("↑ ") && frame().includes("wg-0"));
    expect(frame()).toContain("30 changes on home");
  });

  it("a bundle: pgdn a page of its lines, end its last, home its first", async () => {
    const text = "B".repeat(60 * 40);
    const { frame, press } = open(<BundleView kind="offer" friend="remi" bundle={{ text, fingerprint: "AB12" }} width={62} rows={ROWS + 4} focused onNext={noop} onBack={noop} onHelp={noop} />);
    await waitFor(() => frame().includes("Fingerprint AB12"), frame);
    await press(KEY.pageDown, () => /↑ \d+ more lines/.test(frame()));
    const page = Number(/↑ (\d+) more lines/.exec(frame())![1]);
    expect(page).toBeGreaterThan(1);
    await press(KEY.end, () => frame().includes(`${text.length} characters, offer for remi`));
    await press(KEY.home, () => !frame().includes("↑ ") && /↓ \d+ more lines/.test(frame()));
  });
});
