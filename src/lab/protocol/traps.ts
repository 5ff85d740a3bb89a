// What the lab answers when something fails, worded as RouterOS words it. Where a wording comes from
// public material it says so; the rest is the lab's own and marked as such.

/** `=category=` values of a `!trap`, from MikroTik's API manual. */
export const TrapCategory = {
  missingItemOrCommand: 0,
  argumentValue: 1,
  interrupted: 2,
  scripting: 3,
  generalFailure: 4,
  api: 5,
} as const;
export type TrapCategory = (typeof TrapCategory)[keyof typeof TrapCategory];

export const TrapMessage = {
  /** 6.43+ login with a wrong name or password; `!done` follows (traces in LaiArturs/RouterOS_API#9, BenMenking/routeros-api#52). */
  badLogin: "invalid user name or password (6)",
  /** A command before `/login` succeeded (the wording every public RouterOS API mock uses; unverified on a device). */
  notLoggedIn: "not logged in",
  /** Known menu, unknown verb, e.g. `/interface/bridge/vlan/print/terse` (aluisiora/node-routeros#29, socialwifi/RouterOS-api#55). */
  noSuchCommand: "no such command",
  /** Second trap for an unknown path; the first names the segment (MikroTik wiki API examples, home-assistant/core#68115). */
  noSuchCommandPrefix: "no such command prefix",
  noSuchDirectory: (segment: string) => `no such command or directory (${segment})`,
  /** The command was cancelled with `/cancel` (MikroTik API manual, category 2). */
  interrupted: "interrupted",
  /** `.id` or `numbers` naming nothing (the wording public RouterOS clients test against). */
  noSuchItem: "no such item",
  /** v7 names the parameter (terraform-routeros#535, #682); v6 says only "unknown parameter". */
  unknownParameter: (name: string) => `unknown parameter ${name}`,
  /** A user of a read-only group writes (widely reported RouterOS wording). */
  notEnoughPermissions: "not enough permissions (9)",
  /** The generic duplicate refusal (firewall address lists); menus may word their own, e.g. interfaces. */
  alreadyHaveSuchEntry: "failure: already have such entry",
  alreadyHaveInterface: "failure: already have interface with such name",
  /** An OpenVPN server (7.17+, several) on a port another enabled server listens on: the lab's own wording. */
  portInUse: (port: string, protocol: string) => `failure: ${protocol}/${port} is already used by another OpenVPN server`,
} as const;

/** Reasons carried by `!fatal` when the lab closes a connection. */
export const FatalMessage = {
  /** The answer to `/quit` (MikroTik wiki API command notes; librouteros docs). */
  quit: "session terminated on request",
  /** The lab's own wordings below. */
  dropped: "connection dropped by the lab",
  tooManyBeforeLogin: "too many commands before login",
  outputOverflow: "reply buffer overflow",
} as const;

/** Thrown by command handlers and store hooks to answer `!trap` (then `!done`) instead of a result. */
export class TrapError extends Error {
  override name = "TrapError";
  constructor(
    message: string,
    readonly category?: TrapCategory,
  ) {
    super(message);
  }
}
