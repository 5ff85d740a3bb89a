// Complete (operator A): paste the friend's answer → verified summary and fingerprint → router →
// plan review → apply.
import { Box, Text } from "ink";
import { platformText } from "../../core/peering.js";
import { applyPrepared, finishComplete, openAnswer, prepareComplete, type OpenedAnswer, type Prepared } from "../../flows/wizard.js";
import { WizardFrame } from "../components/WizardFrame.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { PlanReview } from "../widgets/plan-review.js";
import { useServices } from "../services.js";
import { TextField } from "../widgets/text-field.js";
import { Working } from "../widgets/working.js";
import { useWizard } from "./use-wizard.js";
import { FingerprintCheck, ResultPanel, RouterStep } from "./wizard-kit.js";

type Step =
  | { id: "paste" }
  | { id: "summary"; opened: OpenedAnswer }
  | { id: "router"; opened: OpenedAnswer }
  | { id: "planning"; opened: OpenedAnswer; session: RouterSession }
  | { id: "plan"; opened: OpenedAnswer; session: RouterSession; prepared: Prepared }
  | { id: "applying"; opened: OpenedAnswer; session: RouterSession; prepared: Prepared }
  | { id: "done"; opened: OpenedAnswer; session: RouterSession; applied: number; file: string };

const GUIDE: Record<Step["id"], string> = {
  paste: "Paste the answer your friend sent back (the line starting with bgpals1:), then enter.",
  summary: "Check the fingerprint with your friend: it must be the same on both screens.",
  router: "The router you made the offer on.",
  planning: "Reading your router and planning the peering.",
  plan: "Exactly what changes on your router. a applies it all or nothing.",
  applying: "Applying. On any failure everything done in this apply is undone.",
  done: "",
};

export function CompleteOffer({ focused }: { focused: boolean }) {
  const pastes = useServices().clipboard.paste !== undefined;
  const { services, actions, size, steps, step, work, finish, open, rows, live, help, back, frame } = useWizard<Step>({ id: "paste" }, { screen: "completeOffer", guide: GUIDE, scopeOf: (s) => scopeOf(s, pastes), focused });
  const me = services.operator;

  const body = (() => {
    switch (step.id) {
      case "paste":
        if (me === null) return <ResultPanel lines={["No identity here yet: complete runs where the offer was made (n on Home makes one)."]} rows={rows} focused={live} onDone={actions.back} onHelp={help} />;
        return (
          <TextField
            key="paste"
            label="answer"
            width={size.columns}
            focused={live}
            paste={services.clipboard.paste}
            validate={(v) => (v === "" ? "paste the answer first" : null)}
            onSubmit={(text) => {
              try {
                steps.go({ id: "summary", opened: openAnswer(text, services.workspace, me) });
              } catch (e) {
                actions.fail(e);
              }
            }}
            onBack={back}
            onAbort={actions.quit}
          />
        );
      case "summary": {
        const { peering, friend, fingerprint } = step.opened;
        const side = peering.sides[friend]!;
        return (
          <Box flexDirection="column">
            <Text>
              Answer from <Text bold>{friend}</Text> (AS{side.asn}, {platformText(side.platform)}) for peering <Text bold>{peering.name}</Text>
            </Text>
            <Text>
              Fingerprint <Text bold>{fingerprint}</Text> — it must match what {friend} reads to you.
            </Text>
            <Text>{`${friend} announces ${side.networks.join(", ")}.`}</Text>
            <FingerprintCheck focused={live} onBack={back} onHelp={help} onGo={() => steps.go({ id: "router", opened: step.opened })} />
          </Box>
        );
      }
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
              steps.go({ id: "planning", opened: step.opened, session });
              work.run(
                // prepareComplete, not preparePeering: it carries the sealed PPP passwords and the friend's CA.
                () => prepareComplete(session.router, services.workspace, step.opened, me!, work.hooks),
                (prepared) => steps.replace({ id: "plan", opened: step.opened, session, prepared }),
                () => steps.back(),
              );
            }}
          />
        );
      case "planning":
        return <Working label={`planning on ${step.session.router.label}`} log={work.log} rows={rows} focused={live} onAbort={actions.quit} />;
      case "plan":
        return (
          <PlanReview
            plan={step.prepared.plan}
            platform={step.session.router.platform}
            peering={step.prepared.peering.name}
            side={me!}
            router={step.session.router.label}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onApply={() => {
              const { opened, session, prepared } = step;
              steps.go({ id: "applying", opened, session, prepared });
              work.run(
                async () => ({ applied: await applyPrepared(session.router, prepared, work.hooks), file: finishComplete(services.workspace, opened) }),
                ({ applied, file }) => steps.replace({ id: "done", opened, session, applied, file }),
                () => steps.back(),
              );
            }}
          />
        );
      case "applying":
        return <Working label={`applying ${step.prepared.peering.name} on ${step.session.router.label}`} log={work.log} rows={rows} focused={live} />;
      case "done":
        return (
          <ResultPanel
            lines={[`Peering ${step.opened.peering.name} with ${step.opened.friend} is complete: ${step.applied} changes applied.`, `Saved ${step.file}.`, "The tunnels and sessions come up in a few seconds: open the friend on Home to watch."]}
            log={work.log}
            rows={rows}
            focused={live}
            onDone={finish}
            onHelp={help}
          />
        );
    }
  })();

  return <WizardFrame {...frame}>{body}</WizardFrame>;
}

/** `pastes`: ctrl+v pastes what the other operator copied (the demo). */
function scopeOf(step: Step, pastes: boolean) {
  switch (step.id) {
    case "paste":
      return pastes ? ("paste" as const) : ("text" as const);
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
