// `--accept-public`: prefixes outside private space the user confirms their friend may send. The
// confirmation is the user's own: their flags, and what they confirmed before for a peering, kept in
// their config directory (store/workspace.ts), never in the peering file or a bundle.
import { acceptPublicProblem } from "../core/checks.js";
import type { Peering } from "../core/peering.js";
import { UsageError } from "../errors.js";
import { acceptedPublic, defaultWorkspace } from "../store/workspace.js";

/** The flag's values, checked: each an IPv4 prefix of /8 or longer, outside reserved space. */
export function acceptPublicFlags(values: readonly string[] | undefined): string[] {
  return (values ?? []).map((v) => {
    const problem = acceptPublicProblem(v);
    if (problem !== null) throw new UsageError(`--accept-public ${v}: ${problem}`);
    return v;
  });
}

/** The friend's public prefixes this user confirmed: the flags, and what they confirmed before for this peering. */
export function confirmedPublic(peering: Peering, side: string, given: readonly string[]): string[] {
  const friend = Object.keys(peering.sides).find((s) => s !== side)!;
  return [...new Set([...given, ...acceptedPublic(defaultWorkspace(), peering.name, friend)])];
}
