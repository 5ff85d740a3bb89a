// `bgpals render`: one side of a peering file as the router's own configuration, offline.
import { checkPeering } from "../core/checks.js";
import { UsageError, UserError } from "../errors.js";
import { featuresOfAnySide, platformForOs } from "../platforms/index.js";
import { routerOs } from "../platforms/routeros/index.js";
import { defaultPeersDir, loadPeering, loadPeersDirectory } from "../store/peers.js";
import { acceptPublicFlags, confirmedPublic } from "./accept-public.js";

export interface RenderFlags {
  side?: string;
  routeros?: string;
  format?: string;
  peers?: string;
  acceptPublic?: string[];
}

export function renderCommand(file: string, flags: RenderFlags, write: (text: string) => void): void {
  const format = flags.format ?? "rsc";
  if (format !== "rsc" && format !== "json") throw new UsageError(`--format must be rsc or json, not ${format}`);
  if (flags.routeros !== undefined && "unsupported" in routerOs.featuresOf({ os: routerOs.os, version: flags.routeros })) {
    throw new UsageError(`--routeros ${flags.routeros} is not a RouterOS version bgpals supports (6.45-6.49 or 7.x, e.g. 7.24)`);
  }
  const peering = loadPeering(file);
  const sides = Object.keys(peering.sides);
  if (flags.side === undefined) throw new UsageError(`--side is required: render for ${sides.map((s) => `--side ${s}`).join(" or ")}`);
  if (!sides.includes(flags.side)) throw new UserError(`${file}: no side named ${flags.side}; the sides are ${sides.join(" and ")}`);

  const others = loadPeersDirectory(flags.peers ?? defaultPeersDir(), peering.name);
  const acceptPublic = confirmedPublic(peering, flags.side, acceptPublicFlags(flags.acceptPublic));
  const platform = platformForOs(peering.sides[flags.side]!.platform.os);
  if (flags.routeros !== undefined && platform !== routerOs) {
    throw new UsageError(`--routeros is for a RouterOS side, and ${flags.side} runs ${platform.name} (sides.${flags.side}.platform): leave it out`);
  }
  // Each side is checked by its own platform: a RouterOS router may peer with a Linux host.
  const refusals = checkPeering({ peering, side: flags.side, featuresOf: featuresOfAnySide, version: flags.routeros, others, acceptPublic });
  if (refusals.length > 0) {
    throw new UserError([`${file}: refused (${refusals.length} problem${refusals.length > 1 ? "s" : ""}), nothing rendered:`, ...refusals.map((r) => `  ${r.path}: ${r.message}`)].join("\n"));
  }
  let out;
  try {
    out = platform.render(peering, flags.side, flags.routeros === undefined ? { featuresOf: featuresOfAnySide } : { version: flags.routeros, featuresOf: featuresOfAnySide });
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${file}: ${e.message}`);
    throw e;
  }
  write(format === "json" ? `${JSON.stringify(out.json, null, 2)}\n` : out.text);
}
