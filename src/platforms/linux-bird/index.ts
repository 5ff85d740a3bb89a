// A Linux host with BIRD 2 and WireGuard behind the seam. Everything that knows Linux, BIRD or
// nftables lives in this folder.
import type { FeaturesOf } from "../../core/features.js";
import type { Peering } from "../../core/peering.js";
import type { Plan } from "../../core/plan.js";
import { UserError } from "../../errors.js";
import type { ConnectOptions, LinkSecrets, Platform, RenderedText, Router, RouterTarget } from "../platform.js";
import { linuxBirdFeatures } from "./features.js";
import { connectLinuxBird } from "./router.js";
import { LINUX_SSH_PORT } from "./ssh.js";
import { policyViolations } from "./render/probes.js";
import { offlineHostNotes, renderLinux } from "./render/render.js";
import { linuxJson, linuxText } from "./render/text.js";

export const linuxBird: Platform = {
  name: "Linux (BIRD 2)",
  os: "linux",
  featuresOf: linuxBirdFeatures,
  apiPort: LINUX_SSH_PORT,
  // A system account the friend's monitor logs in with over SSH (read-only: birdc show, wg show).
  monitorAccountName: (peering: string) => `bgpals-${peering}-ro`,
  monitorAccountUnsupported: "granting your friend's monitor a read-only account on a Linux host is not built yet: leave out --monitor-account (your friend still sees the peering from their own side; a RouterOS friend can still grant you theirs)",
  // A host's version, as its discovery reports it, is BIRD's.
  sidePlatform: (version: string) => ({ os: "linux", bird: version }),
  // No lostWithoutJournalSecrets: a removal moves the private keys aside on the host, and an undo moves them back.

  // The router says so for what it cannot do yet (OpenVPN, the monitor account).
  connect: (target: RouterTarget, label?: string, options?: ConnectOptions): Promise<Router> => connectLinuxBird(target, label, { ...options, platform: linuxBird }),

  render(peering: Peering, side: string, options: { version?: string; secrets?: LinkSecrets; featuresOf?: FeaturesOf } = {}): RenderedText {
    if (options.version !== undefined) throw new UserError(`${side} is a Linux host: its BIRD version comes from the peering file (sides.${side}.platform.bird), not from a RouterOS version`);
    const secrets = { presharedKey: options.secrets?.presharedKey, pppPassword: options.secrets?.pppPassword };
    const out = renderLinux(peering, side, secrets, options.featuresOf);
    // Offline, the host is unknown: what differs with kernel WireGuard or systemd is said, not rendered.
    out.notes.push(...offlineHostNotes(out));
    // Last line of defence: the rendered filters must keep every promise of the policy.
    const violations = policyViolations(peering, out);
    if (violations.length > 0) throw new UserError(["refused, the rendered filters would not keep the policy (this is a bgpals bug, please report it):", ...violations.map((v) => `  ${v}`)].join("\n"));
    return { text: linuxText(out, secrets), json: linuxJson(out, secrets), notes: out.notes };
  },

  planScript: (_plan: Plan, _peering: string) => {
    throw new UserError("a Linux host's plan is not a RouterOS script: use --format text or --json");
  },
};
