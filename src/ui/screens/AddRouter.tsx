// Add router: name → address → API or API-SSL → user → password (never echoed) → connect and
// show what discovery found → save the profile. A Linux host (ssh://user@host[:port]) asks for a
// key file instead (or takes ssh-agent's keys): no API, no user step, no password; its host key is
// shown, to compare, and pinned when it is saved.
import { Box, Text } from "ink";
import { inventoryLines } from "../../flows/inventory-text.js";
import { nameProblem } from "../../core/peering.js";
import { parseSshAddress } from "../../store/profiles.js";
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
  | { id: "key"; draft: Draft }
  | { id: "password"; draft: Draft }
  | { id: "connecting"; draft: Draft }
  | { id: "found"; profile: NewRouterProfile; password: string; session: RouterSession }
  | { id: "done"; profile: NewRouterProfile; fingerprint: string | null };

const GUIDE: Record<Step["id"], string> = {
  name: "A short name for this router, used with --router and on Home.",
  host: "Its address as this computer reaches it: host or host:port for RouterOS, ssh://user@host[:port] for a Linux host with BIRD.",
  api: "API-SSL encrypts the session (its certificate is pinned on first use); plain API does not.",
  user: "A RouterOS user with the write policy (the API service must allow it).",
  key: "The private key that logs in (its public key in the host's authorized_keys); empty: ssh-agent's keys. No password is asked or kept.",
  password: "Not shown while you type; kept in the OS keyring when one works, never in plain files.",
  connecting: "Connecting and reading the router's configuration.",
  found: "What bgpals found. Save the router if this is the one you meant (a host key: compare with ssh-keygen -lf on the host).",
  done: "",
};

const HOST = /^(?<host>[A-Za-z0-9.-]+)(:(?<port>\d{1,5}))?$/;

/** A Linux host's address (ssh://user@host[:port]), null for anything else; a problem with one badly written. */
function sshAddress(v: string): { user: string; host: string; port?: number } | { problem: string } | null {
  try {
    return parseSshAddress(v);
  } catch (e) {
    // The message starts with what was typed: the field shows that already.
    return { problem: (e as Error).message.replace(/^\S+: /, "") };
  }
}

/** How the screens write a router for people: user@host:port, or ssh://user@host:port. */
function addressOf(p: NewRouterProfile): string {
  return p.ssh !== undefined ? `ssh://${p.user}@${p.host}:${p.port ?? 22}` : `${p.user}@${p.host}${p.port === undefined ? "" : `:${p.port}`}`;
}

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
              const ssh = sshAddress(v);
              if (ssh !== null) return "problem" in ssh ? ssh.problem : null;
              const m = HOST.exec(v);
              if (!m) return "a host name or IPv4 address, optionally :port; a Linux host: ssh://user@host[:port]";
              const port = m.groups?.port === undefined ? undefined : Number(m.groups.port);
              return port !== undefined && (port < 1 || port > 65535) ? "the port must be 1-65535" : null;
            }}
            onSubmit={(v) => {
              const ssh = sshAddress(v);
              if (ssh !== null && !("problem" in ssh)) return steps.go({ id: "key", draft: { ...step.draft, ...ssh, tls: false, ssh: {} } });
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
      case "key":
        return (
          <TextField
            key="key"
            label="key file"
            width={size.columns}
            focused={live}
            onSubmit={(keyFile) => {
              const profile = { ...step.draft, ssh: keyFile === "" ? {} : { keyFile } } as NewRouterProfile;
              steps.go({ id: "connecting", draft: profile });
              work.run(
                () => openNew(profile, ""),
                (found) => steps.replace({ id: "found", profile, password: "", session: found }),
                () => steps.back(),
              );
            }}
            onBack={back}
            onAbort={actions.quit}
          />
        );
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
        const fingerprint = step.session.router.fingerprint;
        // A host key is trusted on first use: shown first, to compare with the host's own before saving.
        // On a line of its own: the fingerprint is never cut, even 60 columns wide.
        const keyLine = step.profile.ssh !== undefined && fingerprint !== null ? ["Host key (pinned when you save):", `  ${fingerprint}`] : [];
        const found = [...keyLine, ...inventoryLines(step.session.inventory)];
        // What does not fit is said, not cut silently: `bgpals inventory` shows it all.
        const room = Math.max(1, rows - 3);
        const shown = found.length <= room ? found : [...found.slice(0, room - 1), `… ${found.length - room + 1} more lines: bgpals inventory --router ${step.profile.name} shows them all`];
        return (
          <Box flexDirection="column">
            {shown.map((line, i) => (
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
                  steps.go({ id: "done", profile: step.profile, fingerprint: step.session.router.fingerprint });
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
            lines={[
              `Saved router ${step.profile.name} (${addressOf(step.profile)}) ${services.routersKept ?? "in your router profiles"}.`,
              ...(step.profile.ssh !== undefined
                ? [
                    `It logs in with ${step.profile.ssh.keyFile !== undefined ? `the key ${step.profile.ssh.keyFile}` : "the keys of ssh-agent"}; no password is kept.`,
                    ...(step.fingerprint !== null ? [`Its host key ${step.fingerprint} is pinned: a host showing another key will be refused.`] : []),
                  ]
                : []),
            ]}
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
    case "key":
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
