// `bgpals render`: one side of a peering file as RouterOS commands, offline.
import { checkPeering } from "../core/checks.js";
import { policyViolations } from "../platforms/routeros/filter/probes.js";
import { render, RenderError } from "../platforms/routeros/render/render.js";
import { commandJson, toScript } from "../platforms/routeros/render/script.js";
import { capabilities } from "../platforms/routeros/dialects.js";
import { UsageError, UserError } from "../errors.js";
import { defaultPeersDir, loadPeering, loadPeersDirectory } from "../store/peers.js";

export interface RenderFlags {
  side?: string;
  routeros?: string;
  format?: string;
  peers?: string;
}

export function renderCommand(file: string, flags: RenderFlags, write: (text: string) => void): void {
  const format = flags.format ?? "rsc";
  if (format !== "rsc" && format !== "json") throw new UsageError(`--format must be rsc or json, not ${format}`);
  if (flags.routeros !== undefined && capabilities(flags.routeros) === null) {
    throw new UsageError(`--routeros ${flags.routeros} is not a RouterOS version bgpals supports (6.45-6.49 or 7.x, e.g. 7.24)`);
  }
  const peering = loadPeering(file);
  const sides = Object.keys(peering.sides);
  if (flags.side === undefined) throw new UsageError(`--side is required: render for ${sides.map((s) => `--side ${s}`).join(" or ")}`);
  if (!sides.includes(flags.side)) throw new UserError(`${file}: no side named ${flags.side}; the sides are ${sides.join(" and ")}`);

  const others = loadPeersDirectory(flags.peers ?? defaultPeersDir(), peering.name);
  const refusals = checkPeering({ peering, side: flags.side, version: flags.routeros, others });
  if (refusals.length > 0) {
    throw new UserError([`${file}: refused (${refusals.length} problem${refusals.length > 1 ? "s" : ""}), nothing rendered:`, ...refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
  }
  let out;
  try {
    out = render(peering, flags.side, flags.routeros);
  } catch (e) {
    if (e instanceof RenderError) throw new UserError(`${file}: ${e.message}`);
    throw e;
  }
  // Last line of defence: the rendered filters must keep every promise of the policy.
  const violations = policyViolations(peering, out);
  if (violations.length > 0) throw new UserError([`${file}: refused, the rendered filters would not keep the policy (this is a bgpals bug, please report it):`, ...violations.map((v) => `  ${v}`)].join("\n"));
  if (format === "json") {
    write(`${JSON.stringify({ side: out.side, version: out.version, dialect: out.dialect, peering: out.peering, commands: out.commands.map(commandJson), notes: out.notes }, null, 2)}\n`);
    return;
  }
  write(
    toScript(out.commands, {
      header: [
        `bgpals: peering ${out.peering}, side ${out.side}, RouterOS ${out.version} (${out.dialect} syntax)`,
        `every object carries comment=bgpals:${out.peering}:<role>; bgpals never touches objects without it`,
        ...out.notes.map((n) => `note: ${n}`),
      ],
    }),
  );
}
