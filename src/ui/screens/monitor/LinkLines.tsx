// Each link of the peering in two lines: the tunnel and its BGP session, then the handshake,
// rates and the way the tunnel goes; and the line saying what the friend's own router shows.
import { Box, Text } from "ink";
import { linkKind } from "../../../core/links/index.js";
import type { Peering } from "../../../core/peering.js";
import type { RouterStatus } from "../../../platforms/platform.js";
import { StatusBadge } from "../../components/StatusBadge.js";
import type { Rate } from "./use-tunnel-rates.js";

const UNITS = ["B/s", "kB/s", "MB/s", "GB/s"];

export function formatRate(bytesPerSecond: number): string {
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * Where a link's tunnel goes: our WAN, and the friend's endpoint or our listening port; for an
 * endpoint name, the address the router last resolved it to (its endpoint script does, every minute).
 */
export function linkPath(peering: Peering, link: Peering["links"][number], me: string, resolved?: string): string {
  const wan = peering.sides[me]?.wans[link.wan[me] ?? ""];
  const kind = linkKind(link.kind).short;
  const via = wan ? ` via ${wan.interface}` : "";
  if (link.listener === me) return `${kind}${via}, listens :${link.port}`;
  const endpoint = peering.sides[link.listener]?.wans[link.wan[link.listener] ?? ""]?.endpoint;
  const now = resolved !== undefined && endpoint !== undefined && resolved !== endpoint ? ` (router resolved ${resolved})` : "";
  return `${kind}${via} → ${endpoint ?? "?"}:${link.port}${now}`;
}

export interface LinkLinesProps {
  peering: Peering;
  link: Peering["links"][number];
  me: string;
  selected: boolean;
  tunnel: RouterStatus["tunnels"][number] | undefined;
  session: RouterStatus["sessions"][number] | undefined;
  rate: Rate | undefined;
  localPref: number | null;
  /** The terminal's columns: below NARROW the role word goes (the line above names the primary). */
  width: number;
  /** The router's first look has not answered yet: no tunnel or session is known either way. */
  reading?: boolean;
}

const NARROW = 72;
// "? unknown", the widest tunnel badge, and a space.
const BADGE_WIDTH = 10;

/** The session's line, most telling first where the terminal is narrow (the end is cut there). */
export function sessionText(s: LinkLinesProps["session"], cap: number, localPref: number | null, narrow: boolean): string {
  if (s === undefined) return "session ?";
  const established = s.state === "established";
  const parts = [
    s.limitExceeded ? "LIMIT EXCEEDED (l)" : "",
    established ? `in ${s.prefixes}/${cap}` : "",
    established ? `out ${s.advertised}` : "",
    localPref !== null && established ? `lp ${localPref}` : "",
  ].filter((p) => p !== "");
  if (narrow) return [s.state, ...parts, s.uptime ? `up ${s.uptime}` : ""].filter((p) => p !== "").join(" · ");
  return [`${s.state}${s.uptime ? ` ${s.uptime}` : ""}`, ...parts.filter((p) => !p.startsWith("LIMIT")), ...parts.filter((p) => p.startsWith("LIMIT"))].join(" · ");
}

export function LinkLines(props: LinkLinesProps) {
  const { peering, link, me, selected, tunnel: t, session: s, rate } = props;
  const cap = peering.policy.maxPrefixes;
  const established = s?.state === "established";
  const narrow = props.width < NARROW;
  // Before the first look a missing tunnel means nothing yet: "reading…", not "? unknown session ?".
  const first = props.reading === true ? "reading the router…" : sessionText(s, cap, props.localPref, narrow);
  const nameWidth = Math.max(5, ...peering.links.map((l) => l.name.length)) + 1;
  // What changes first: a narrow terminal cuts the way the tunnel goes, which never does.
  const second = [
    t?.lastHandshake ? `hs ${t.lastHandshake}` : "",
    // Why a tunnel whose handshake is still fresh is down: the friend has gone quiet.
    t?.silentFor ? `nothing received for ${t.silentFor}` : "",
    rate ? `rx ${formatRate(rate.rx)} tx ${formatRate(rate.tx)}` : "",
    s?.lastError && !established ? s.lastError : "",
    linkPath(peering, link, me, t?.endpointAddress),
  ].filter((part) => part !== "");
  return (
    <Box flexDirection="column">
      {/* Fixed columns never shrink (they would overlap): the session text is cut instead. */}
      <Box>
        <Box width={2} flexShrink={0}>
          <Text bold={selected}>{selected ? "›" : " "}</Text>
        </Box>
        <Box width={nameWidth} flexShrink={0}>
          <Text bold={selected} wrap="truncate-end">
            {link.name}
          </Text>
        </Box>
        {narrow ? null : (
          <Box width={8} flexShrink={0}>
            <Text>{link.name === peering.policy.primary ? "primary" : "backup"}</Text>
          </Box>
        )}
        <Box width={BADGE_WIDTH} flexShrink={0}>
          {props.reading === true ? <Text dimColor>…</Text> : <StatusBadge status={t === undefined ? "unknown" : t.state === "up" ? "up" : "down"} />}
        </Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end">{first}</Text>
        </Box>
      </Box>
      <Text wrap="truncate-end">{`${" ".repeat(Math.min(8, 2 + nameWidth))}${second.join(" · ")}`}</Text>
    </Box>
  );
}

/** The peering's sessions as the friend's router shows them, where they granted an account. */
export function FriendRouterLine({ friend, peering, status }: { friend: string; peering: Peering; status: RouterStatus | "unreachable" }) {
  return (
    <Text wrap="truncate-end">
      {status === "unreachable"
        ? `${friend}'s router: unreachable`
        : `${friend}'s router: ${status.sessions.filter((s) => s.peering === peering.name).map((s) => `${s.link} ${s.state}`).join(" · ") || "no session"}`}
    </Text>
  );
}
