// RouterOS behind the seam: the platform bgpals has always spoken. Everything that knows RouterOS
// lives in this folder.
import type { Peering } from "../../core/peering.js";
import type { Plan } from "../../core/plan.js";
import { UserError } from "../../errors.js";
import { readOnlyRouter, type ConnectOptions, type LinkSecrets, type Platform, type RenderedText, type Router, type RouterTarget } from "../platform.js";
import { RouterClient, type ClientTarget } from "./api/client.js";
import { API_PORT, endpointOf } from "./api/errors.js";
import { monitorAccountNames } from "./names.js";
import { routerOsFeatures } from "./dialects.js";
import { policyViolations } from "./filter/probes.js";
import { render } from "./render/render.js";
import { commandJson, planScript, toScript } from "./render/script.js";
import { RouterOsRouter } from "./router.js";

export const routerOs: Platform = {
  name: "RouterOS",
  os: "routeros",
  featuresOf: routerOsFeatures,
  apiPort: API_PORT,
  monitorAccountName: (peering: string) => monitorAccountNames(peering).user,
  sidePlatform: (version: string) => ({ os: "routeros", version }),
  // A WireGuard interface's private key is never shown back: an undo makes it from the journal's copy.
  lostWithoutJournalSecrets: "a removed WireGuard interface comes back with a new key",

  async connect(target: RouterTarget, label?: string, options?: ConnectOptions): Promise<Router> {
    // Read-only, the client itself refuses every command that is not a read, on this connection and every later one.
    const readOnly = options?.readOnly;
    const client = await RouterClient.connect(readOnly === undefined ? target : { ...target, readOnly });
    const at = endpointOf(target);
    // Every later connection (reconnects, undo, route feeds) must meet the certificate this one met.
    const pinned: ClientTarget = { ...target, knownFingerprint: target.knownFingerprint || client.fingerprint, ...(readOnly === undefined ? {} : { readOnly }) };
    const router = new RouterOsRouter(routerOs, client, pinned, label ?? `${at.user}@${at.host}:${at.port}`, options);
    return readOnly === undefined ? router : readOnlyRouter(router, readOnly);
  },

  render(peering: Peering, side: string, options: { version?: string; secrets?: LinkSecrets } = {}): RenderedText {
    const out = render(peering, side, options.version, options.secrets);
    // Last line of defence: the rendered filters must keep every promise of the policy.
    const violations = policyViolations(peering, out);
    if (violations.length > 0) throw new UserError(["refused, the rendered filters would not keep the policy (this is a bgpals bug, please report it):", ...violations.map((v) => `  ${v}`)].join("\n"));
    const text = toScript(out.commands, {
      header: [
        `bgpals: peering ${out.peering}, side ${out.side}, RouterOS ${out.version} (${out.dialect.family} syntax)`,
        `every object carries comment=bgpals:${out.peering}:<role>; bgpals never touches objects without it`,
        ...out.notes.map((n) => `note: ${n}`),
      ],
    });
    const json = { side: out.side, version: out.version, dialect: out.dialect.family, peering: out.peering, commands: out.commands.map(commandJson), notes: out.notes };
    return { text, json, notes: out.notes };
  },

  planScript: (plan: Plan, peering: string) => ({ extension: "rsc", text: planScript(plan, peering) }),
};
