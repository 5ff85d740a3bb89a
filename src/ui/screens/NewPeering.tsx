// New peering (operator A): router → friend → tunnel kind → WANs → primary → ASN → networks →
// prepare the tunnel interfaces on the router → the offer, with its fingerprint.
import { Box, Text } from "ink";
import { asnChoiceProblem, findEndpoint, linkKindProblem, makeOffer, networksProblem, suggestAsn, type OfferMade } from "../../flows/wizard.js";
import { peersOf } from "../../store/workspace.js";
import type { LinkKind } from "../../core/links/index.js";
import { nameProblem } from "../../core/peering.js";
import { linesOf, Prose, WizardFrame } from "../components/WizardFrame.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { BundleView } from "../widgets/bundle-view.js";
import { ChooseMany, ChooseOne } from "../widgets/choice-list.js";
import { TextField } from "../widgets/text-field.js";
import { Working } from "../widgets/working.js";
import { useWizard } from "./use-wizard.js";
import { MONITOR_ACCOUNT_NOT_BUILT, MonitorAccountChoice, NetworksField, ResultPanel, RouterStep } from "./wizard-kit.js";

interface Draft {
  session?: RouterSession;
  me?: string;
  friend?: string;
  kind?: LinkKind;
  wans?: string[];
  endpoints?: Record<string, string>;
  primary?: string;
  asn?: number;
  networks?: string[];
}

type Step =
  | { id: "router" }
  | { id: "me"; draft: Draft }
  | { id: "friend"; draft: Draft }
  | { id: "kind"; draft: Draft }
  | { id: "wans"; draft: Draft }
  | { id: "endpoint"; draft: Draft; link: string; iface: string; why: string }
  | { id: "primary"; draft: Draft }
  | { id: "asn"; draft: Draft }
  | { id: "networks"; draft: Draft }
  | { id: "monitor"; draft: Draft }
  | { id: "preparing"; draft: Draft }
  | { id: "offer"; draft: Draft; made: OfferMade }
  | { id: "done"; draft: Draft; made: OfferMade };

const linkName = (i: number) => `isp${i + 1}`;

const GUIDE: Record<Step["id"], string> = {
  router: "The router this peering runs on (yours).",
  me: "Your name as your friend will see it (letters, digits, - and _).",
  friend: "Your friend's name: the peering and its file are named after it.",
  kind: "WireGuard needs RouterOS 7 on both sides; OpenVPN also works with RouterOS 6.",
  wans: "One tunnel per ISP: mark each WAN (space) that should carry one, then enter. The first is isp1.",
  endpoint: "Your friend's router dials this address or DNS name to reach this WAN.",
  primary: "Traffic goes over the primary ISP; the other is the backup.",
  asn: "A private AS number for your side (64512-65534); it must differ from your friend's.",
  networks: "The networks you announce to your friend, comma-separated.",
  monitor: "A read-only RouterOS account lets your friend's monitor show your side too. It cannot change anything.",
  preparing: "Creating the tunnel interfaces on your router, so the offer can carry their public keys.",
  offer: "Send this offer to your friend (any chat works: it is signed) and read the fingerprint aloud.",
  done: "",
};

/** A Linux host's words where RouterOS's would mislead (its platform has no monitor account, its tunnels are only keys until the plan). */
const LINUX_GUIDE: Partial<Record<Step["id"], string>> = {
  kind: "WireGuard works with a friend on Linux or RouterOS 7; OpenVPN also with RouterOS 6.",
  monitor: MONITOR_ACCOUNT_NOT_BUILT,
  preparing: "Making the tunnels' private keys on your host, so the offer can carry their public keys.",
};

const onLinux = (step: Step) => "draft" in step && step.draft.session?.router.platform.os === "linux";

export function NewPeering({ focused }: { focused: boolean }) {
  const { services, actions, size, steps, step, work, finish, open, rows, live, help, back, frame } = useWizard<Step>({ id: "router" }, { screen: "newPeering", guide: GUIDE, guideOf: (s) => (onLinux(s) ? LINUX_GUIDE[s.id] : undefined), scopeOf, focused, title: stepTitle, note: noteOf });

  const afterMe = (draft: Draft) => steps.go({ id: "friend", draft });
  const afterWans = (draft: Draft) => {
    // Asks for each endpoint the router cannot vouch for (NATed, dynamic), saying why; IP Cloud's name for one link at most.
    const inventory = draft.session!.inventory;
    let cloudTaken = false;
    for (const [i, iface] of (draft.wans ?? []).entries()) {
      const given = draft.endpoints?.[linkName(i)];
      if (given !== undefined) {
        if (given.toLowerCase() === inventory.cloud.dnsName?.toLowerCase()) cloudTaken = true;
        continue;
      }
      const found = findEndpoint(inventory, iface, cloudTaken);
      if ("problem" in found) return steps.go({ id: "endpoint", draft, link: linkName(i), iface, why: found.problem });
      if (found.from === "ip-cloud") cloudTaken = true;
    }
    if ((draft.wans ?? []).length > 1) return steps.go({ id: "primary", draft });
    steps.go({ id: "asn", draft: { ...draft, primary: linkName(0) } });
  };
  const prepare = (draft: Draft, networks: string[], monitorAccount: boolean) => {
    steps.go({ id: "preparing", draft });
    const session = draft.session!;
    work.run(
      () =>
        makeOffer(
          session.router,
          services.workspace,
          {
            me: draft.me!,
            friend: draft.friend!,
            asn: draft.asn!,
            networks,
            links: draft.wans!.map((iface, i) => ({ name: linkName(i), kind: draft.kind!, iface, endpoint: draft.endpoints?.[linkName(i)] })),
            primary: draft.primary!,
            monitorAccount,
          },
          work.hooks,
          session.inventory,
        ),
      (made) => steps.replace({ id: "offer", draft, made }),
      () => steps.back(),
    );
  };

  const body = (() => {
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
            onSession={(session) => (services.operator === null ? steps.go({ id: "me", draft: { session } }) : afterMe({ session, me: services.operator }))}
          />
        );
      case "me":
        return <TextField key="me" label="your name" initial={step.draft.me} width={size.columns} focused={live} validate={(v) => (v === "" ? "type your name" : nameProblem(v))} onSubmit={(me) => afterMe({ ...step.draft, me })} onBack={back} onAbort={actions.quit} />;
      case "friend":
        return (
          <TextField
            key="friend"
            label="friend's name"
            initial={step.draft.friend}
            width={size.columns}
            focused={live}
            validate={(v) => (v === "" ? "type your friend's name" : v === step.draft.me ? "that is your own name" : nameProblem(v))}
            onSubmit={(friend) => steps.go({ id: "kind", draft: { ...step.draft, friend } })}
            onBack={back}
            onAbort={actions.quit}
          />
        );
      case "kind": {
        // Only the kinds this router's version runs are offered; the others say why they are not.
        const session = step.draft.session!;
        const kinds = [
          { value: "wireguard", label: "WireGuard", detail: onLinux(step) ? "your friend on Linux or RouterOS 7" : "both routers on RouterOS 7" },
          { value: "ovpn", label: "OpenVPN", detail: "when your friend's router runs RouterOS 6" },
        ].map((c) => ({ ...c, problem: linkKindProblem(session.router, session.inventory.version, c.value as LinkKind, step.draft.me!) }));
        const refused = kinds.flatMap((c) => (c.problem === null ? [] : [`${c.label} is not offered: ${c.problem}`]));
        return (
          <Box flexDirection="column">
            {refused.map((line) => (
              <Prose key={line} text={line} />
            ))}
            <ChooseOne
              choices={kinds.filter((c) => c.problem === null).map(({ problem: _, ...c }) => c)}
              initial={step.draft.kind}
              rows={Math.max(1, rows - refused.reduce((sum, line) => sum + linesOf(line, size.columns), 0))}
              focused={live}
              onBack={back}
              onHelp={help}
              onChoose={(kind) => steps.go({ id: "wans", draft: { ...step.draft, kind: kind as LinkKind } })}
            />
          </Box>
        );
      }
      case "wans":
        return (
          <ChooseMany
            choices={step.draft.session!.inventory.wans.map((w) => ({ value: w.interface, label: w.interface, detail: [w.address, w.reasons.join(", ")].filter(Boolean).join("  ") }))}
            initial={step.draft.wans}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onChoose={(wans) => afterWans({ ...step.draft, wans })}
          />
        );
      case "endpoint":
        return (
          <Box flexDirection="column">
            <Prose text={step.why} />
            <TextField
              key={`endpoint-${step.link}`}
              label={`address or DNS name of ${step.iface} (${step.link})`}
              width={size.columns}
              focused={live}
              validate={(v) => (/^[A-Za-z0-9.-]+$/.test(v) ? null : "an IPv4 address or a DNS name")}
              onSubmit={(endpoint) => afterWans({ ...step.draft, endpoints: { ...step.draft.endpoints, [step.link]: endpoint } })}
              onBack={back}
              onAbort={actions.quit}
            />
          </Box>
        );
      case "primary":
        return (
          <ChooseOne
            choices={step.draft.wans!.map((iface, i) => ({ value: linkName(i), label: linkName(i), detail: `over ${iface}` }))}
            initial={step.draft.primary}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onChoose={(primary) => steps.go({ id: "asn", draft: { ...step.draft, primary } })}
          />
        );
      case "asn": {
        const peers = peersOf(services.workspace);
        return (
          <TextField
            key="asn"
            label="your ASN"
            initial={String(step.draft.asn ?? suggestAsn(peers, step.draft.me!, step.draft.session!.inventory))}
            width={size.columns}
            focused={live}
            validate={(v) => (/^\d+$/.test(v) ? asnChoiceProblem(Number(v), peers, step.draft.me!) : "a number, e.g. 64514")}
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
            problem={(networks) => networksProblem(step.draft.me!, networks, step.draft.session!.inventory)}
            onSubmit={(networks) => steps.go({ id: "monitor", draft: { ...step.draft, networks } })}
            onBack={back}
          />
        );
      case "monitor":
        return (
          <MonitorAccountChoice
            friend={step.draft.friend!}
            router={step.draft.session!.router.label}
            unsupported={step.draft.session!.router.platform.monitorAccountUnsupported}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onChoose={(grant) => prepare(step.draft, step.draft.networks!, grant)}
          />
        );
      case "preparing":
        return <Working label={`preparing the offer on ${step.draft.session!.router.label}`} log={work.log} rows={rows} focused={live} />;
      case "offer":
        return (
          <BundleView
            kind="offer"
            friend={step.draft.friend!}
            bundle={step.made.bundle}
            width={size.columns}
            rows={rows}
            focused={live}
            onNext={() => steps.go({ id: "done", draft: step.draft, made: step.made })}
            onBack={back}
            onHelp={help}
          />
        );
      case "done":
        return (
          <ResultPanel
            lines={[
              `Offer ${step.made.offer.peering} is waiting for ${step.draft.friend}'s answer.`,
              `When it comes, press c on Home (Complete) and paste it.`,
              onLinux(step)
                ? `Only the tunnels' keys${step.draft.kind === "ovpn" ? " and certificates" : ""} are on ${step.draft.session!.router.label} yet; nothing else was changed.`
                : `The tunnel interfaces are on ${step.draft.session!.router.label}; nothing else was changed yet.`,
            ]}
            rows={rows}
            focused={live}
            onDone={finish}
            onHelp={help}
          />
        );
    }
  })();

  return (
    <WizardFrame {...frame}>
      <Box flexDirection="column">{body}</Box>
    </WizardFrame>
  );
}

/** What was chosen so far, under the steps that choose. */
function noteOf(step: Step): string {
  return "draft" in step && step.draft.friend && !["offer", "done", "preparing"].includes(step.id) ? summary(step.draft) : "";
}

function summary(d: Draft): string {
  return [d.friend && `with ${d.friend}`, d.kind, d.wans && d.wans.map((w, i) => `${linkName(i)}=${w}`).join(" "), d.primary && `primary ${d.primary}`, d.asn && `AS${d.asn}`].filter(Boolean).join(" · ");
}

function stepTitle(step: Step): string {
  const titles: Record<Step["id"], string> = { router: "router", me: "you", friend: "friend", kind: "tunnel", wans: "WANs", endpoint: "endpoint", primary: "primary ISP", asn: "ASN", networks: "networks", monitor: "monitor account", preparing: "preparing", offer: "offer", done: "done" };
  return titles[step.id];
}

function scopeOf(step: Step) {
  switch (step.id) {
    case "me":
    case "friend":
    case "endpoint":
    case "asn":
    case "networks":
      return "text" as const;
    case "wans":
      return "chooseMany" as const;
    case "preparing":
      return "working" as const;
    case "offer":
      return "bundle" as const;
    case "done":
      return "result" as const;
    default:
      return "choose" as const;
  }
}
