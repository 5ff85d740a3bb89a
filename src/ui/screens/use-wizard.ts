// What every wizard screen starts with: its steps, a slow step's log, the router connection that
// lives as long as the screen, help in place of the step, the rows a step gets, esc that goes a
// step back (or leaves), and the props of its WizardFrame. Each screen keeps only its own steps.
import { useState } from "react";
import { useScreenCommand } from "../components/CommandLine.js";
import { stepRows, type WizardFrameProps } from "../components/WizardFrame.js";
import { wrapParts } from "../widgets/wrap.js";
import { useRouterSession } from "../hooks/use-router-session.js";
import { useSteps } from "../hooks/use-steps.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import type { KeyScope } from "../keymap.js";
import { useServices, type Services } from "../services.js";
import { useActions } from "../state.js";
import type { ScreenId } from "./catalog.js";
import { useFinish, useWork } from "./wizard-kit.js";

export interface WizardOptions<S extends { id: string }> {
  screen: ScreenId;
  /** What to do at each step, in a sentence. */
  guide: Record<S["id"], string>;
  scopeOf: (step: S) => KeyScope;
  focused: boolean;
  /** The step's name in the title (default its id). */
  title?: (step: S) => string;
  /** The step's guide where it depends on the step (the router's platform), else `guide`'s. */
  guideOf?: (step: S) => string | undefined;
  /** A dim line under the step (what was chosen so far); the step's rows leave room for it. */
  note?: (step: S) => string;
}

export function useWizard<S extends { id: string }>(first: S | ((services: Services) => S), options: WizardOptions<S>) {
  const { screen, guide, scopeOf, focused } = options;
  const services = useServices();
  const actions = useActions();
  const size = useTerminalSize();
  const steps = useSteps<S>(typeof first === "function" ? first(services) : first);
  const work = useWork();
  const finish = useFinish();
  const { open, openNew } = useRouterSession();
  const [showHelp, setShowHelp] = useState(false);
  // `:help` shows help in place of the step, as ? does: a Help screen over the wizard would lose its input.
  useScreenCommand("help", () => {
    setShowHelp(true);
    return null;
  });
  const step = steps.step;
  const id: S["id"] = step.id;
  const note = options.note?.(step) ?? "";
  const guideText = options.guideOf?.(step) ?? guide[id];
  // The note is drawn broken between its parts (WizardFrame), which can take a line more than prose.
  const rows = stepRows(size, scopeOf(step), guideText, note ? wrapParts(note.split(" · "), size.columns).length : 0);
  const frame: Omit<WizardFrameProps, "children"> = {
    screen,
    step: options.title?.(step) ?? id,
    guide: guideText,
    note,
    scope: scopeOf(step),
    focused,
    showHelp,
    onCloseHelp: () => setShowHelp(false),
  };
  return {
    services,
    actions,
    size,
    steps,
    step,
    work,
    finish,
    /** Connect to a saved router, or a new one: the connection lives as long as the screen. */
    open,
    openNew,
    rows,
    /** The step takes keys: the screen is focused and help is not up. */
    live: focused && !showHelp,
    help: () => setShowHelp(true),
    /** A step back; from the first step, out of the screen. */
    back: () => {
      if (!steps.back()) actions.back();
    },
    frame,
  };
}
