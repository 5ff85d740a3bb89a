// Add router: name → address → API or API-SSL → user → password (never echoed) → connect and
// show what discovery found → save the profile.
import { Box, Text } from "ink";
import { inventoryLines } from "../../flows/inventory-text.js";
import { nameProblem } from "../../core/peering.js";
import { WizardFrame } from "../components/WizardFrame.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import type { NewRouterProfile } from "../services.js";
import { ChooseOne } from "../widgets/choice-list.js";
import { TextField } from "../widgets/text-field.js";
import { Working } from "../widgets/working.js";
import { useWizard } from "./use-wizard.js";
import { ResultPanel } from "./wizard-kit.js";

type Draft = Partial<NewRouterProfile>;

type Step =
  | { id: "name" }
  | { id: "host"; draft: Draft }
  | { id: "api"; draft: Draft }
  | { id: "user"; draft: Draft }
  | { id: "password"; draft: Draft }
  | { id: "connecting"; draft: Draft }
  | { id: "found"; profile: NewRouterProfile; password: string; session: RouterSession }
  | { id: "done"; profile: NewRouterProfile };

const GUIDE: Record<Step["id"], string> = {
  name: "A short name for this router, used with --router and on Home.",
  host: "Its address as this computer reaches it (host or host:port).",
  api: "API-SSL encrypts the session (its certificate is pinned on first use); plain API does not.",
  user: "A RouterOS user with the write policy (the API service must allow it).",
  password: "Not shown while you type; kept in the OS keyring when one works, never in plain files.",
  connecting: "Connecting and reading the router's configuration.",
  found: "What bgpals found. Save the router if this is the one you meant.",
  done: "",
};

const HOST = /^(?<host>[A-Za-z0-9.-]+)(:(?<port>\d{1,5}))?$/;

export function AddRouter({ focused }: { focused: boolean }) {
  const { services, actions, size, steps, step, work, finish, openNew, rows, live, help, back, frame } = useWizard<Step>({ id: "name" }, { screen: "addRouter", guide: GUIDE, scopeOf, focused });
  const taken = new Set(services.routers().map((r) => r.name));

  const body = (() => {
    switch (step.id) {
      case "name":
        return <TextField key="name" label="router name" width={size.columns} focused={live} validate={(v) => (v === "" ? "type a name" : taken.has(v) ? `${v} exists already` : nameProblem(v))} onSubmit={(name) => steps.go({ id: "host", draft: { name } })} onBack={back} onAbort={actions.quit} />;
      case "host":
        return (
          <TextField
            key="host"
            label="address"
            width={size.columns}
            focused={live}
            validate={(v) => {
              const m = HOST.exec(v);
              if (!m) return "a host name or IPv4 address, optionally :port";
              const port = m.groups?.port === undefined ? undefined : Number(m.groups.port);
              return port !== undefined && (port < 1 || port > 65535) ? "the port must be 1-65535" : null;
            }}
            onSubmit={(v) => {
              const m = HOST.exec(v)!;
              steps.go({ id: "api", draft: { ...step.draft, host: m.groups!.host!, port: m.groups?.port === undefined ? undefined : Number(m.groups.port) } });
            }}
            onBack={back}
            onAbort={actions.quit}
          />
        );
      case "api":
        return (
          <ChooseOne
            choices={[
              { value: "tls", label: "API-SSL", detail: "port 8729, encrypted (recommended)" },
              { value: "plain", label: "API", detail: "port 8728, not encrypted: only on a trusted LAN" },
            ]}
            rows={rows}
            focused={live}
            onBack={back}
            onHelp={help}
            onChoose={(v) => steps.go({ id: "user", draft: { ...step.draft, tls: v === "tls" } })}
          />
        );
      case "user":
        return <TextField key="user" label="user" initial="admin" width={size.columns} focused={live} validate={(v) => (v === "" ? "type the user name" : null)} onSubmit={(user) => steps.go({ id: "password", draft: { ...step.draft, user } })} onBack={back} onAbort={actions.quit} />;
      case "password":
        return (
          <TextField
            key="password"
            label="password"
            mask
            width={size.columns}
            focused={live}
            onSubmit={(password) => {
              const profile = step.draft as NewRouterProfile;
              steps.go({ id: "connecting", draft: step.draft });
              work.run(
                () => openNew(profile, password),
                (found) => steps.replace({ id: "found", profile, password, session: found }),
                () => steps.back(),
              );
            }}
            onBack={back}
            onAbort={actions.quit}
          />
        );
      case "connecting":
        return <Working label={`connecting to ${step.draft.host}`} log={work.log} rows={rows} focused={live} onAbort={actions.quit} />;
      case "found": {
        const lines = inventoryLines(step.session.inventory);
        return (
          <Box flexDirection="column">
            {lines.slice(0, Math.max(1, rows - 3)).map((line, i) => (
              <Text key={i} wrap="truncate-end">
                {line}
              </Text>
            ))}
            <ChooseOne
              choices={[
                { value: "save", label: `Save ${step.profile.name}` },
                { value: "cancel", label: "Cancel (nothing saved)" },
              ]}
              rows={2}
              focused={live}
              onBack={back}
              onHelp={help}
              onChoose={(v) => {
                if (v !== "save") return actions.back();
                try {
                  services.saveRouter(step.profile, step.password, step.session.router.fingerprint);
                  steps.go({ id: "done", profile: step.profile });
                } catch (e) {
                  actions.fail(e);
                }
              }}
            />
          </Box>
        );
      }
      case "done":
        return (
          <ResultPanel
            lines={[`Saved router ${step.profile.name} (${step.profile.user}@${step.profile.host}) ${services.routersKept ?? "in your router profiles"}.`]}
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

function scopeOf(step: Step) {
  switch (step.id) {
    case "name":
    case "host":
    case "user":
    case "password":
      return "text" as const;
    case "connecting":
      return "working" as const;
    case "done":
      return "result" as const;
    default:
      return "choose" as const;
  }
}
