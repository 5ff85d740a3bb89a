// A bundle this side sent, kept in its outbox (store/mailbox.ts), opened from Home: shown again
// to send once more; an offer still waiting for its answer can be resumed (paste the answer) or
// cancelled (what it prepared on the router is removed, and its answer will be refused).
import { Box, Text } from "ink";
import { cancelOffer, keptStateText } from "../../flows/kept.js";
import { keptById, type KeptBundle } from "../../store/mailbox.js";
import { WizardFrame } from "../components/WizardFrame.js";
import type { KeyScope } from "../keymap.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { BundleView } from "../widgets/bundle-view.js";
import { ChooseOne } from "../widgets/choice-list.js";
import { Working } from "../widgets/working.js";
import { useServices } from "../services.js";
import { useWizard } from "./use-wizard.js";
import { ResultPanel, RouterStep } from "./wizard-kit.js";

type Step =
  | { id: "view" }
  | { id: "cancel" }
  | { id: "router" }
  | { id: "cancelling"; session: RouterSession }
  | { id: "cancelled"; router: string };

const GUIDE: Record<Step["id"], string> = {
  view: "Send it again if your friend lost it, and read the fingerprint aloud.",
  cancel: "Cancelling removes what this offer prepared on your router (its tunnel interfaces, or a Linux host's keys); an answer to it will be refused.",
  router: "The router you made the offer on.",
  cancelling: "Removing what the offer prepared.",
  cancelled: "",
};

export function KeptBundleScreen({ id, focused }: { id: string; focused: boolean }) {
  const home = useServices().workspace.home;
  const { services, actions, size, steps, step, work, finish, open, rows, live, help, back, frame } = useWizard<Step>({ id: "view" }, {
    screen: "kept",
    guide: GUIDE,
    scopeOf: (s) => scopeOf(s, waitingOffer(keptById(id, home))),
    focused,
    title: (s) => (s.id === "view" ? "view" : s.id),
  });
  const kept = keptById(id, services.workspace.home);
  const body = (() => {
    if (kept === null) return <ResultPanel lines={[`That bundle is no longer kept in ${services.workspace.home}.`]} rows={rows} focused={live} onDone={finish} onHelp={help} />;
    switch (step.id) {
      case "view":
        return (
          <Box flexDirection="column">
            <Text wrap="truncate-end">{describe(kept)}</Text>
            <BundleView
              kind={kept.kind}
              friend={kept.friend}
              bundle={{ text: kept.text, fingerprint: kept.fingerprint }}
              width={size.columns}
              rows={rows - 1}
              focused={live}
              onNext={finish}
              onBack={finish}
              onHelp={help}
              waiting={
                waitingOffer(kept)
                  ? {
                      // Complete takes the answer: Home below it, so finishing there lands on Home.
                      onResume: () => {
                        actions.back();
                        actions.navigate({ id: "completeOffer" });
                      },
                      onCancel: () => steps.go({ id: "cancel" }),
                    }
                  : undefined
              }
            />
          </Box>
        );
      case "cancel":
        return (
          <ChooseOne
            choices={[
              { value: "keep", label: `Keep the offer to ${kept.friend}` },
              { value: "cancel", label: `Cancel it and remove what it prepared on ${kept.router ?? "your router"}` },
            ]}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onChoose={(v) => (v === "cancel" ? steps.go({ id: "router" }) : steps.back())}
          />
        );
      case "router":
        return (
          <RouterStep
            open={open}
            width={size.columns}
            rows={rows}
            focused={live}
            prefer={kept.router}
            onBack={back}
            onHelp={help}
            onSession={(session) => {
              steps.go({ id: "cancelling", session });
              work.run(
                () => cancelOffer(session.router, services.workspace, kept),
                () => steps.replace({ id: "cancelled", router: session.router.label }),
                () => steps.back(),
              );
            }}
          />
        );
      case "cancelling":
        return <Working label={`removing what the offer to ${kept.friend} prepared on ${step.session.router.label}`} log={work.log} rows={rows} focused={live} />;
      case "cancelled":
        return <ResultPanel lines={[`The offer to ${kept.friend} is cancelled: what it prepared on ${step.router} is removed.`]} log={work.log} rows={rows} focused={live} onDone={finish} onHelp={help} />;
    }
  })();
  return <WizardFrame {...frame}>{body}</WizardFrame>;
}

function waitingOffer(kept: KeptBundle | null): boolean {
  return kept !== null && kept.kind === "offer" && kept.state === "waiting";
}

function describe(kept: KeptBundle): string {
  // Local time, short: the state comes first, so a narrow terminal cuts the date, not the state.
  const d = new Date(kept.at);
  const two = (n: number) => String(n).padStart(2, "0");
  const when = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
  return `${kept.kind === "offer" ? "Offer to" : "Answer to"} ${kept.friend} · ${keptStateText(kept)} · ${kept.peering}, made ${when}${kept.router ? ` on ${kept.router}` : ""}`;
}

function scopeOf(step: Step, waiting: boolean): KeyScope {
  switch (step.id) {
    case "view":
      return waiting ? ("keptOffer" as const) : ("bundle" as const);
    case "cancelling":
      return "working" as const;
    case "cancelled":
      return "result" as const;
    default:
      return "choose" as const;
  }
}
