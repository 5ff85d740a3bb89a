// Accept offer (operator B): paste → verified summary and fingerprint → router → a WAN per link →
// ASN → networks → prepare (tunnel keys) → plan review → apply → the answer for the friend.
// The answer is only shown once this side is applied: an answer for a side that failed to apply
// would have the friend build a peering with nobody at the other end.
import { Box, Text } from "ink";
import { humanDuration } from "../../core/bundle.js";
import { platformOfOfferSide } from "../../core/offer.js";
import { nameProblem, platformText } from "../../core/peering.js";
import { applyPrepared, asnChoiceProblem, discardPrepared, finishAccept, linkKindProblem, networksProblem, openOffer, prepareAccept, suggestAsn, type Accepted, type OpenedOffer, type Prepared } from "../../flows/wizard.js";
import { keptAnswerFor } from "../../flows/kept.js";
import type { KeptBundle } from "../../store/mailbox.js";
import { peersOf } from "../../store/workspace.js";
import { Prose, WizardFrame } from "../components/WizardFrame.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { BundleView } from "../widgets/bundle-view.js";
import { ChooseOne } from "../widgets/choice-list.js";
import { PlanReview } from "../widgets/plan-review.js";
import { useServices } from "../services.js";
import { TextField } from "../widgets/text-field.js";
import { Working } from "../widgets/working.js";
import { useWizard } from "./use-wizard.js";
import { FingerprintCheck, MONITOR_ACCOUNT_NOT_BUILT, MonitorAccountChoice, NetworksField, ResultPanel, RouterStep } from "./wizard-kit.js";

interface Draft {
  me: string;
  opened?: OpenedOffer;
  session?: RouterSession;
  wans?: Record<string, string>;
  asn?: number;
  networks?: string[];
}

type Step =
  | { id: "me" }
  | { id: "paste"; draft: Draft }
  | { id: "kept"; draft: Draft; kept: KeptBundle }
  | { id: "summary"; draft: Draft }
  | { id: "router"; draft: Draft }
  | { id: "wan"; draft: Draft; link: string }
  | { id: "asn"; draft: Draft }
  | { id: "networks"; draft: Draft }
  | { id: "monitor"; draft: Draft }
  | { id: "preparing"; draft: Draft }
  | { id: "plan"; draft: Draft; prepared: Prepared }
  | { id: "applying"; draft: Draft; prepared: Prepared }
  | { id: "answer"; draft: Draft; prepared: Prepared; accepted: Accepted; applied: number }
  | { id: "done"; draft: Draft; prepared: Prepared; accepted: Accepted; applied: number };

const GUIDE: Record<Step["id"], string> = {
  me: "Your name: the offer must be addressed to it.",
  paste: "Paste the offer your friend sent (the line starting with bgpals1:), then enter.",
  kept: "You accepted this offer already: here is the same answer (nothing more is written). Send it again.",
  summary: "Check the fingerprint with your friend: it must be the same on both screens.",
  router: "The router this peering runs on (yours).",
  wan: "Which of your WANs carries this link (its ISP).",
  asn: "A private AS number for your side; it must differ from your friend's.",
  networks: "The networks you announce to your friend, comma-separated.",
  monitor: "A read-only RouterOS account lets your friend's monitor show your side too. It cannot change anything.",
  preparing: "Creating the tunnel interfaces (their keys go into your answer) and planning the rest.",
  plan: "Exactly what changes on your router. a applies it all or nothing; esc goes back and removes the prepared interfaces.",
  applying: "Applying. On any failure everything done in this apply is undone.",
  answer: "Send this answer back to your friend and read the fingerprint aloud.",
  done: "",
};

/** A Linux host's words where RouterOS's would mislead (its platform has no monitor account, its tunnels are only keys until the apply). */
const LINUX_GUIDE: Partial<Record<Step["id"], string>> = {
  monitor: MONITOR_ACCOUNT_NOT_BUILT,
  preparing: "Making the tunnels' keys on your host (their public keys go into your answer) and planning the rest.",
  plan: "Exactly what changes on your host. a applies it all or nothing; esc goes back and removes the keys made for it.",
};

export function AcceptOffer({ focused }: { focused: boolean }) {
  const pastes = useServices().clipboard.paste !== undefined;
  const { services, actions, size, steps, step, work, finish, open, rows, live, help, back, frame } = useWizard<Step>(
    // The name is asked only where no identity says it yet.
    ({ operator }) => (operator === null ? { id: "me" } : { id: "paste", draft: { me: operator } }),
    {
      screen: "acceptOffer",
      guide: GUIDE,
      guideOf: (s) => ("draft" in s && s.draft.session?.router.platform.os === "linux" ? LINUX_GUIDE[s.id] : undefined),
      scopeOf: (s) => scopeOf(s, pastes),
      focused,
      title: (step) => (step.id === "wan" ? `WAN for ${step.link}` : step.id),
    },
  );
  const nextLink = (draft: Draft) => {
    const link = draft.opened!.offer.links.find((l) => draft.wans?.[l.name] === undefined);
    if (link) steps.go({ id: "wan", draft, link: link.name });
    else steps.go({ id: "asn", draft });
  };
  const prepare = (draft: Draft, networks: string[], monitorAccount: boolean) => {
    steps.go({ id: "preparing", draft });
    const session = draft.session!;
    work.run(
      () => prepareAccept(session.router, services.workspace, draft.opened!, { asn: draft.asn!, networks, wans: draft.wans!, monitorAccount }, work.hooks, session.inventory),
      (prepared) => steps.replace({ id: "plan", draft, prepared }),
      () => steps.back(),
    );
  };
  const discardAndBack = (draft: Draft, prepared: Prepared) => {
    steps.go({ id: "preparing", draft });
    work.run(
      () => discardPrepared(draft.session!.router, prepared.peering.name),
      () => steps.backTo((s) => s.id === "monitor"),
      () => steps.backTo((s) => s.id === "monitor"),
    );
  };
  const apply = (draft: Draft, prepared: Prepared) => {
    steps.go({ id: "applying", draft, prepared });
    const connection = draft.session!.router;
    work.run(
      async () => {
        try {
          const applied = await applyPrepared(connection, prepared, work.hooks);
          return { applied, accepted: finishAccept(services.workspace, draft.opened!, prepared) };
        } catch (e) {
          // The apply undid itself; the interfaces prepared before it go too.
          await discardPrepared(connection, prepared.peering.name).catch(() => undefined);
          throw e;
        }
      },
      ({ applied, accepted }) => steps.replace({ id: "answer", draft, prepared, accepted, applied }),
      () => steps.backTo((s) => s.id === "monitor"),
    );
  };

  const body = (() => {
    switch (step.id) {
      case "me":
        return <TextField key="me" label="your name" width={size.columns} focused={live} validate={(v) => (v === "" ? "type your name" : nameProblem(v))} onSubmit={(me) => steps.go({ id: "paste", draft: { me } })} onBack={back} onAbort={actions.quit} />;
      case "paste":
        return (
          <TextField
            key="paste"
            label="offer"
            width={size.columns}
            focused={live}
            paste={services.clipboard.paste}
            validate={(v) => (v === "" ? "paste the offer first" : null)}
            onSubmit={(text) => {
              try {
                // Accepted before (the answer was lost): the same answer, and nothing more on the router.
                const kept = keptAnswerFor(text, services.workspace, step.draft.me);
                if (kept !== null) return steps.go({ id: "kept", draft: step.draft, kept });
                steps.go({ id: "summary", draft: { ...step.draft, opened: openOffer(text, services.workspace, step.draft.me) } });
              } catch (e) {
                actions.fail(e);
              }
            }}
            onBack={back}
            onAbort={actions.quit}
          />
        );
      case "kept":
        return (
          <BundleView kind="answer" friend={step.kept.friend} bundle={{ text: step.kept.text, fingerprint: step.kept.fingerprint }} width={size.columns} rows={rows} focused={live} onNext={finish} onBack={finish} onHelp={help} />
        );
      case "summary": {
        const { offer, from, fingerprint, expiresAt } = step.draft.opened!;
        return (
          <Box flexDirection="column">
            <Text>
              Offer from <Text bold>{from}</Text> (AS{offer.side.asn}, {platformText(platformOfOfferSide(offer.side))}), peering <Text bold>{offer.peering}</Text>
            </Text>
            <Text>
              Fingerprint <Text bold>{fingerprint}</Text> — it must match what {from} reads to you.
            </Text>
            <Text>{`Announces ${offer.side.networks.join(", ")}; expires in ${humanDuration(expiresAt - Date.now())}.`}</Text>
            {offer.links.map((l) => (
              // Indented as a box, not with spaces: wrapped on a narrow screen, the rest stays under it.
              <Box key={l.name} paddingLeft={2}>
                <Text>{`${l.name}: ${l.kind} to ${offer.side.wans[l.name]?.endpoint ?? "?"}:${l.port}, tunnel ${l.subnet}${offer.policy.primary === l.name ? " (primary)" : " (backup)"}`}</Text>
              </Box>
            ))}
            <FingerprintCheck focused={live} onBack={back} onHelp={help} onGo={() => steps.go({ id: "router", draft: step.draft })} />
          </Box>
        );
      }
      case "router":
        return <RouterStep open={open} width={size.columns} rows={rows} focused={live} onBack={back} onHelp={help} onSession={(session) => nextLink({ ...step.draft, session, wans: {} })} />;
      case "wan": {
        const link = step.draft.opened!.offer.links.find((l) => l.name === step.link)!;
        const session = step.draft.session!;
        // A link kind this router's version does not run is refused here, before any WAN is chosen.
        const unsupported = linkKindProblem(session.router, session.inventory.version, link.kind, step.draft.opened!.identity.name);
        if (unsupported !== null) {
          return (
            <Box flexDirection="column">
              <Prose text={`✗ Link ${link.name} cannot run here: ${unsupported}. Ask ${step.draft.opened!.offer.side.name} for an offer with links your router runs (OpenVPN works with RouterOS 6); nothing was written.`} />
              <ChooseOne key={step.link} choices={[]} rows={rows - 2} focused={live} onBack={back} onHelp={help} onChoose={() => undefined} />
            </Box>
          );
        }
        return (
          <Box flexDirection="column">
            <Text>{`Link ${link.name} (${link.kind}${step.draft.opened!.offer.policy.primary === link.name ? ", primary" : ", backup"}): which of your WANs?`}</Text>
            <ChooseOne
              key={step.link}
              // What was chosen for this link before, else a WAN no other link took yet: one ISP per link.
              initial={step.draft.wans?.[step.link] ?? step.draft.session!.inventory.wans.find((w) => !Object.entries(step.draft.wans ?? {}).some(([other, iface]) => other !== step.link && iface === w.interface))?.interface}
              choices={step.draft.session!.inventory.wans.map((w) => ({ value: w.interface, label: w.interface, detail: [w.address, w.reasons.join(", ")].filter(Boolean).join("  ") }))}
              rows={rows - 1}
              focused={live}
              onBack={back}
              onHelp={help}
              onChoose={(iface) => nextLink({ ...step.draft, wans: { ...step.draft.wans, [step.link]: iface } })}
            />
          </Box>
        );
      }
      case "asn": {
        const peers = peersOf(services.workspace);
        const theirs = step.draft.opened!.offer.side.asn;
        const suggested = suggestAsn([...peers], step.draft.me, step.draft.session!.inventory);
        return (
          <TextField
            key="asn"
            label="your ASN"
            initial={String(step.draft.asn ?? (suggested === theirs ? suggested + 1 : suggested))}
            width={size.columns}
            focused={live}
            validate={(v) => (!/^\d+$/.test(v) ? "a number, e.g. 64513" : Number(v) === theirs ? `${step.draft.opened!.from} uses AS${theirs}: pick another` : asnChoiceProblem(Number(v), peers, step.draft.me))}
            onSubmit={(v) => steps.go({ id: "networks", draft: { ...step.draft, asn: Number(v) } })}
            onBack={back}
            onAbort={actions.quit}
          />
        );
      }
      case "networks":
        return (
          <NetworksField
            initial={step.draft.networks ?? step.draft.session!.inventory.lans.map((l) => l.network)}
            leftOut={step.draft.session!.inventory.lansLeftOut}
            width={size.columns}
            focused={live}
            problem={(networks) => networksProblem(step.draft.opened!.identity.name, networks, step.draft.session!.inventory, step.draft.opened!.offer)}
            onSubmit={(networks) => steps.go({ id: "monitor", draft: { ...step.draft, networks } })}
            onBack={back}
          />
        );
      case "monitor":
        return (
          <Box flexDirection="column">
            {step.draft.opened!.offer.monitor ? <Text>{`${step.draft.opened!.from} grants you a read-only account on their router: your monitor can show their side.`}</Text> : null}
            <MonitorAccountChoice
              friend={step.draft.opened!.from}
              router={step.draft.session!.router.label}
              unsupported={step.draft.session!.router.platform.monitorAccountUnsupported}
              rows={rows - 1}
              focused={live}
              onBack={back}
              onHelp={help}
              onChoose={(grant) => prepare(step.draft, step.draft.networks!, grant)}
            />
          </Box>
        );
      case "preparing":
        return <Working label={`preparing your side on ${step.draft.session!.router.label}`} log={work.log} rows={rows} focused={live} />;
      case "plan":
        return (
          <PlanReview
            plan={step.prepared.plan}
            platform={step.draft.session!.router.platform}
            peering={step.prepared.peering.name}
            side={step.draft.me}
            router={step.draft.session!.router.label}
            rows={rows}
            focused={live}
            onApply={() => apply(step.draft, step.prepared)}
            onBack={() => discardAndBack(step.draft, step.prepared)}
            onHelp={help}
          />
        );
      case "applying":
        return <Working label={`applying ${step.prepared.peering.name} on ${step.draft.session!.router.label}`} log={work.log} rows={rows} focused={live} />;
      case "answer":
        return (
          <BundleView
            kind="answer"
            friend={step.draft.opened!.from}
            bundle={step.accepted.answer}
            width={size.columns}
            rows={rows}
            focused={live}
            onNext={() => steps.go({ id: "done", draft: step.draft, prepared: step.prepared, accepted: step.accepted, applied: step.applied })}
            onBack={() => steps.go({ id: "done", draft: step.draft, prepared: step.prepared, accepted: step.accepted, applied: step.applied })}
            onHelp={help}
          />
        );
      case "done":
        return (
          <ResultPanel
            lines={[
              `Your side of ${step.prepared.peering.name} is applied (${step.applied} changes).`,
              `Saved ${step.accepted.file}.`,
              `The tunnels come up once ${step.draft.opened!.from} completes with your answer.`,
            ]}
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
    case "me":
    case "asn":
    case "networks":
      return "text" as const;
    case "preparing":
    case "applying":
      return "working" as const;
    case "plan":
      return "plan" as const;
    case "answer":
    case "kept":
      return "bundle" as const;
    case "done":
      return "result" as const;
    default:
      return "choose" as const;
  }
}
