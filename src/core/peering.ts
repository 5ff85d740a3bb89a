// The peering file, `bgpals/peering@1`: both halves of what two operators agreed, no secrets.
import { z } from "zod";
import { FINGERPRINT_PATTERN, normalizeFingerprint } from "./certificates.js";
import { addressInPrefix, isIPv4, isIPv4Prefix, lastAddress, parseAddress, parsePrefix, prefixesOverlap } from "./ipv4.js";
import { LINK_KIND_NAMES, LINK_KINDS, linkKind } from "./links/index.js";
import { findInvisible, invisibleMessage } from "./text.js";

export const PEERING_FORMAT = "bgpals/peering@1";

// Names end up in RouterOS object names and comment tags: ASCII, no spaces, no quotes.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/;
const NAME_RULE = "use 1 to 31 ASCII letters, digits, '-' or '_', starting with a letter or digit";
const name = z.string().regex(NAME_PATTERN, NAME_RULE);

/** Why a side, link or peering name cannot be used, or null. */
export function nameProblem(text: string): string | null {
  return NAME_PATTERN.test(text) ? null : NAME_RULE;
}

// Patterns carry the rules into the published JSON Schema; refinements add what a pattern cannot say.
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `${OCTET}(\\.${OCTET}){3}`;
const ipv4 = z.string().regex(new RegExp(`^${IPV4}$`), "not an IPv4 address (dotted quad, e.g. 192.168.0.1)").refine(isIPv4, "not an IPv4 address");
const prefix = z
  .string()
  .regex(new RegExp(`^${IPV4}/(3[0-2]|[12]?\\d)$`), "not an IPv4 prefix (e.g. 192.168.42.0/24)")
  .refine(isIPv4Prefix, "not an IPv4 prefix with no host bits set (e.g. 192.168.42.0/24)");
const PRIVATE_ASN = "not a private ASN (64512-65534 or 4200000000-4294967294)";
const privateAsn = z.union([z.number().int().min(64512).max(65534), z.number().int().min(4200000000).max(4294967294)], {
  error: (issue) => (issue.input === undefined ? "missing: expected a private ASN" : PRIVATE_ASN),
});
const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, "not a RouterOS duration (e.g. 25s, 3m, 1h30m)");
const hostOrAddress = z
  .string()
  .regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/, "not a host name or IPv4 address")
  .refine((text) => !looksNumeric(text) || isIPv4(text), "looks like an IPv4 address but is not one in dotted-quad form (e.g. 203.0.113.10): resolvers read 3232235525, 0xc0a80005, 127.1 or 010.0.0.1 as addresses you would not expect");
/**
 * A name whose last label is a number (or 0x...) is an address to every resolver, in some form:
 * 3232235525, 0xc0a80005, 127.1, 010.0.0.1 (octal). No top-level domain is numeric.
 */
function looksNumeric(text: string): boolean {
  const last = text.split(".").pop() ?? "";
  return /^(\d+|0x[0-9a-f]*)$/i.test(last);
}
// A WireGuard key is 32 bytes in standard base64: 43 characters and one '='.
const wireguardKey = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, "not a WireGuard public key (44 characters of base64)");
const versionText = z.string().regex(/^\d+\.\d+(\.\d+)?([a-z]+\d*)?$/, "not a RouterOS version (e.g. 7.24, 7.19.6, 6.49.10)");
// BIRD as `bird --version` prints it (2.0.12, 2.15.1), or "2.x" when any BIRD 2 will do; the
// platform says which versions it renders for (platforms/linux-bird/features.ts).
const birdVersionText = z.string().regex(/^\d+\.(x|\d+(\.\d+)?)$/, "not a BIRD version (e.g. 2.0.12, 2.15.1, or 2.x for any BIRD 2)");

/** A side's router: RouterOS at a version, or a Linux host running BIRD. */
export const platformSchema = z.discriminatedUnion("os", [
  z.strictObject({ os: z.literal("routeros"), version: versionText }),
  z.strictObject({ os: z.literal("linux"), bird: birdVersionText }),
], { error: (issue) => (issue.code === "invalid_union" ? 'not a known platform: {"os": "routeros", "version": "7.24"} or {"os": "linux", "bird": "2.x"}' : undefined) });

export const allowedPrefixSchema = z.strictObject({
  prefix,
  maxLength: z.number().int().min(0).max(32),
});

// Free text a router names (interfaces): anything but characters that do not show (core/text.ts
// finds the rest of them; this pattern carries the common ones into the published schema).
const visibleText = z
  .string()
  .regex(/^[^\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\ufeff]+$/, "contains an invisible or control character: retype it with plain characters");

export const wanSchema = z.strictObject({
  /** Interface on that router the WAN leaves through. */
  interface: visibleText.min(1).max(64),
  /** Where the friend reaches this side on that WAN; absent for a side that only initiates. */
  endpoint: hostOrAddress.optional(),
  /**
   * The ISP's router on an Ethernet or VLAN WAN, which routes through it name. Learned from the
   * router when planning if absent; a point-to-point WAN (PPPoE, LTE) needs none: the interface is
   * its gateway.
   */
  gateway: ipv4.optional(),
});

export const sideSchema = z.strictObject({
  asn: privateAsn,
  routerId: ipv4,
  platform: platformSchema,
  networks: z.array(prefix).min(1, "announce at least one network"),
  allowed: z.array(allowedPrefixSchema).min(1).optional(),
  wans: z.record(name, wanSchema).refine((w) => Object.keys(w).length > 0, "declare at least one WAN"),
});

const perSide = <T extends z.ZodType>(value: T) => z.record(name, value);

export const linkSchema = z.strictObject({
  name,
  kind: z.enum(LINK_KIND_NAMES),
  wan: perSide(name),
  listener: name,
  port: z.number().int().min(1).max(65535),
  subnet: prefix,
  address: perSide(ipv4),
  publicKey: perSide(wireguardKey).optional(),
  keepalive: duration.optional(),
  mtu: z.number().int().min(1280).max(1500).optional(),
  protocol: z.enum(["tcp", "udp"]).optional(),
  // Read as written (bare hex or sha256:<hex>, any case), kept as RouterOS prints it.
  caFingerprint: z
    .string()
    .regex(new RegExp(FINGERPRINT_PATTERN), "not a SHA-256 fingerprint (64 hex digits, optionally after sha256:)")
    .transform((text) => normalizeFingerprint(text)!)
    .optional(),
  user: name.optional(),
  requireClientCertificate: z.boolean().optional(),
});

export const policySchema = z.strictObject({
  mode: z.enum(["bgp", "static"]),
  primary: name,
  localPref: z
    .strictObject({ primary: z.number().int().min(0).max(4294967295), backup: z.number().int().min(0).max(4294967295) })
    .default({ primary: 200, backup: 100 }),
  backupPrepend: z.number().int().min(0).max(16).default(3),
  maxPrefixes: z.number().int().min(1).max(1_000_000).default(100),
  timers: z.strictObject({ hold: duration, keepalive: duration }).default({ hold: "30s", keepalive: "10s" }),
});

const peeringObject = z.strictObject({
  $schema: z.string().optional(),
  format: z.literal(PEERING_FORMAT),
  name,
  sides: z.record(name, sideSchema),
  links: z.array(linkSchema).min(1, "declare at least one link"),
  policy: policySchema,
});

export const peeringSchema = peeringObject.superRefine((p, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  // zod runs this even when fields above failed; a broken shape is already reported there.
  try {
    crossCheck(p, issue);
  } catch {
    issue([], "cross-references (sides, WANs, links) could not be checked: fix the problems above first");
  }
});

function crossCheck(p: z.output<typeof peeringObject>, issue: (path: (string | number)[], message: string) => void): void {
  const sideNames = Object.keys(p.sides);
  if (sideNames.length !== 2) {
    issue(["sides"], `a peering has exactly two sides, found ${sideNames.length}`);
    return;
  }
  const linkNames = new Set<string>();
  p.links.forEach((link, i) => {
    const at = ["links", i];
    if (linkNames.has(link.name)) issue([...at, "name"], `link name ${link.name} is used twice`);
    linkNames.add(link.name);
    if (!sideNames.includes(link.listener)) issue([...at, "listener"], `unknown side ${link.listener}; sides are ${sideNames.join(", ")}`);
    const subnet = isIPv4Prefix(link.subnet) ? parsePrefix(link.subnet) : null;
    if (subnet !== null && subnet.length > 31) issue([...at, "subnet"], `${link.subnet} is too small for two tunnel addresses; use a /30 or /31`);
    for (const side of sideNames) {
      const wan = link.wan[side];
      if (wan === undefined) issue([...at, "wan", side], `missing: which WAN of ${side} this link rides on`);
      else if (p.sides[side]?.wans[wan] === undefined) {
        issue([...at, "wan", side], `${side} has no WAN named ${wan}; its WANs are ${Object.keys(p.sides[side]?.wans ?? {}).join(", ")}`);
      }
      const address = link.address[side];
      if (address === undefined) issue([...at, "address", side], `missing: ${side}'s tunnel address in ${link.subnet}`);
      else if (isIPv4(address) && subnet !== null && subnet.length <= 31) {
        const a = parseAddress(address);
        if (!addressInPrefix(a, subnet)) issue([...at, "address", side], `${address} is outside the link subnet ${link.subnet}`);
        else if (subnet.length < 31 && (a === subnet.network || a === lastAddress(subnet))) {
          issue([...at, "address", side], `${address} is the network or broadcast address of ${link.subnet}`);
        }
      }
    }
    for (const key of [...Object.keys(link.wan), ...Object.keys(link.address), ...Object.keys(link.publicKey ?? {})]) {
      if (!sideNames.includes(key)) issue([...at], `unknown side ${key} in link ${link.name}`);
    }
    const [a, b] = sideNames.map((s) => link.address[s]);
    if (a !== undefined && a === b) issue([...at, "address"], `both sides use ${a}`);
    const listenerWan = p.sides[link.listener]?.wans[link.wan[link.listener] ?? ""];
    if (listenerWan !== undefined && listenerWan.endpoint === undefined) {
      issue([...at, "listener"], `${link.listener} listens on ${link.name} but its WAN ${link.wan[link.listener]} has no endpoint for the friend to reach`);
    }
    const kind = linkKind(link.kind);
    for (const problem of kind.fileProblems(link, sideNames)) issue([...at, ...problem.field], problem.message);
    // A field of another kind is a mistake, not something to ignore.
    for (const other of Object.values(LINK_KINDS)) {
      if (other.kind === kind.kind) continue;
      for (const field of other.ownFields) {
        if (!kind.ownFields.includes(field) && link[field as keyof typeof link] !== undefined) issue([...at, field], `${field} belongs to ${other.title} links, not ${kind.title}`);
      }
    }
  });
  // Tunnel subnets must not overlap one another.
  p.links.forEach((link, i) => {
    p.links.slice(i + 1).forEach((other, j) => {
      if (isIPv4Prefix(link.subnet) && isIPv4Prefix(other.subnet) && prefixesOverlap(parsePrefix(link.subnet), parsePrefix(other.subnet))) {
        issue(["links", i + 1 + j, "subnet"], `${other.subnet} overlaps link ${link.name}'s subnet ${link.subnet}`);
      }
    });
  });
  if (!linkNames.has(p.policy.primary)) issue(["policy", "primary"], `unknown link ${p.policy.primary}; links are ${[...linkNames].join(", ")}`);
  sideNames.forEach((side) => {
    p.sides[side]?.allowed?.forEach((a, i) => {
      if (isIPv4Prefix(a.prefix) && a.maxLength < parsePrefix(a.prefix).length) {
        issue(["sides", side, "allowed", i, "maxLength"], `maxLength ${a.maxLength} is shorter than the prefix ${a.prefix} itself`);
      }
    });
  });
}

export type Peering = z.output<typeof peeringSchema>;
export type PeeringInput = z.input<typeof peeringSchema>;
export type Side = z.output<typeof sideSchema>;
export type Link = z.output<typeof linkSchema>;
export type AllowedPrefix = z.output<typeof allowedPrefixSchema>;

/** A problem found in a peering file, with the JSON path it concerns. */
export interface FileProblem {
  path: string;
  message: string;
}

/** "links[1].publicKey.remi" style, as a user finds it in the file. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

export type ParseResult = { ok: true; peering: Peering } | { ok: false; problems: FileProblem[] };

/** Validates a parsed JSON value; reports every problem, not only the first. */
export function parsePeering(value: unknown): ParseResult {
  // Text that reads like something else is refused wherever it is, before its shape is looked at.
  const invisible = findInvisible(value).map((f) => ({ path: jsonPath(f.path), message: invisibleMessage(f) }));
  const result = peeringSchema.safeParse(value);
  if (result.success && invisible.length === 0) return { ok: true, peering: result.data };
  const problems = result.success ? [] : result.error.issues.map((i) => ({ path: jsonPath(i.path), message: describeIssue(i) }));
  return { ok: false, problems: [...invisible, ...problems] };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.input === undefined) return `missing: expected ${issue.expected}`;
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  return issue.message;
}

/** Parses peering file text; bad JSON is reported with its position. */
export function parsePeeringText(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ path: "(file)", message: `not valid JSON: ${(e as Error).message}` }] };
  }
  return parsePeering(value);
}

/** The two side names, this side first. */
export function sidesOf(p: Peering, me: string): { me: string; friend: string } {
  const names = Object.keys(p.sides);
  if (!names.includes(me)) throw new Error(`no side named ${me}`);
  const friend = names.find((n) => n !== me);
  if (friend === undefined) throw new Error("a peering has two sides");
  return { me, friend };
}

/** A side's platform in words, for people: "RouterOS 7.24", "Linux (BIRD 2.0.12)". */
export function platformText(platform: Side["platform"]): string {
  return platform.os === "routeros" ? `RouterOS ${platform.version}` : `Linux (BIRD ${platform.bird})`;
}

/** What a side may announce; defaults to its networks at their exact length. */
export function allowedOf(side: Side): AllowedPrefix[] {
  return side.allowed ?? side.networks.map((n) => ({ prefix: n, maxLength: parsePrefix(n).length }));
}

/** JSON Schema of the file format, published as peers/peering.schema.json. */
export function peeringJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(peeringObject, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    $id: "https://bgpals.invalid/peering.schema.json",
    title: "bgpals peering file (bgpals/peering@1)",
    description:
      "Both halves of a peering two operators agreed on, without secrets. Cross-field rules (two sides, known WANs and links, addresses inside subnets) are checked by bgpals itself.",
    ...schema,
  };
}
