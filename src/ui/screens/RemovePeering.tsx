// Remove peering: router → plan review of exactly the objects tagged with this peering → apply.
import { Text } from "ink";
import { useState } from "react";
import { applyPrepared, preparePeering, type Prepared } from "../../flows/wizard.js";
import { forgetPeering, peersOf } from "../../store/workspace.js";
import { WizardFrame } from "../components/WizardFrame.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { PlanReview } from "../widgets/plan-review.js";
import { Working } from "../widgets/working.js";
import { useWizard } from "./use-wizard.js";
import { ResultPanel, RouterStep } from "./wizard-kit.js";

type Step =
  | { id: "router" }
  | { id: "planning"; session: RouterSession }
  | { id: "plan"; session: RouterSession; prepared: Prepared }
  | { id: "applying"; session: RouterSession; prepared: Prepared }
  | { id: "done"; session: RouterSession; applied: number };

const GUIDE: Record<Step["id"], string> = {
  router: "The router this peering runs on.",
  planning: "Finding every object tagged with this peering.",
  plan: "Exactly what goes: only objects bgpals tagged for this peering. a removes them all or nothing.",
  applying: "Removing. On any failure everything done in this apply is put back.",
  done: "",
};

export function RemovePeering({ friend, focused }: { friend: string; focused: boolean }) {
  const { services, actions, size, steps, step, work, finish, open, rows, live, help, back, frame } = useWizard<Step>({ id: "router" }, { screen: "removePeering", guide: GUIDE, scopeOf, focused, title: (step) => `${friend} · ${step.id}` });
  const me = services.operator;
  // Read once: the file goes when the removal is done, and the screen still talks about it.
  const [peering] = useState(() => peersOf(services.workspace).find((p) => p.sides[friend] !== undefined && me !== null && p.sides[me] !== undefined));

  const body = (() => {
    if (peering === undefined || me === null) return <ResultPanel lines={[`No peering with ${friend} in ${services.workspace.peersDir}.`]} rows={rows} focused={live} onDone={actions.back} onHelp={help} />;
    switch (step.id) {
      case "router":
        return (
          <RouterStep
            open={open}
            width={size.columns}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onSession={(session) => {
              steps.go({ id: "planning", session });
              work.run(
                () => preparePeering(session.router, services.workspace, peering, me, { remove: true, hooks: work.hooks }),
                (prepared) => steps.replace({ id: "plan", session, prepared }),
                () => steps.back(),
              );
            }}
          />
        );
      case "planning":
        return <Working label={`reading ${step.session.router.label}`} log={work.log} rows={rows} focused={live} onAbort={actions.quit} />;
      case "plan":
        return (
          <PlanReview
            plan={step.prepared.plan}
            platform={step.session.router.platform}
            peering={peering.name}
            side={me}
            router={step.session.router.label}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onApply={() => {
              const { session, prepared } = step;
              steps.go({ id: "applying", session, prepared });
              work.run(
                async () => {
                  const applied = await applyPrepared(session.router, prepared, work.hooks);
                  forgetPeering(services.workspace, friend);
                  return applied;
                },
                (applied) => steps.replace({ id: "done", session, applied }),
                () => steps.back(),
              );
            }}
          />
        );
      case "applying":
        return <Working label={`removing ${peering.name} from ${step.session.router.label}`} log={work.log} rows={rows} focused={live} />;
      case "done":
        return (
          <ResultPanel
            lines={[`Removed ${peering.name} from ${step.session.router.label} (${step.applied} changes).`, `${friend} still has their half: tell them, so they remove it too.`]}
            log={work.log}
            rows={rows}
            focused={live}
            onDone={finish}
            onHelp={help}
          />
        );
    }
  })();

  return (
    <WizardFrame {...frame} scope={peering === undefined ? "result" : frame.scope}>
      {body}
      {peering && step.id === "router" ? <Text dimColor>{`peering ${peering.name}`}</Text> : null}
    </WizardFrame>
  );
}

function scopeOf(step: Step) {
  switch (step.id) {
    case "planning":
    case "applying":
      return "working" as const;
    case "plan":
      return "plan" as const;
    case "done":
      return "result" as const;
    default:
      return "choose" as const;
  }
}
