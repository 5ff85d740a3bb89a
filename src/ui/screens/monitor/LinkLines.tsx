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
}

export function LinkLines(props: LinkLinesProps) {
  const { peering, link, me, selected, tunnel: t, session: s, rate } = props;
  const cap = peering.policy.maxPrefixes;
  const established = s?.state === "established";
  const first =
    s === undefined
      ? " session ?"
      : ` ${s.state}${s.uptime ? ` ${s.uptime}` : ""}${established ? ` · in ${s.prefixes}/${cap} · out ${s.advertised}` : ""}${props.localPref !== null && established ? ` · lp ${props.localPref}` : ""}${s.limitExceeded ? " · LIMIT EXCEEDED (l)" : ""}`;
  // What changes first: a narrow terminal cuts the way the tunnel goes, which never does.
  const second = [
    t?.lastHandshake ? `hs ${t.lastHandshake}` : "",
    rate ? `rx ${formatRate(rate.rx)} tx ${formatRate(rate.tx)}` : "",
    s?.lastError && !established ? s.lastError : "",
    linkPath(peering, link, me, t?.endpointAddress),
  ].filter((part) => part !== "");
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold={selected}>{`${selected ? "›" : " "} ${link.name.padEnd(5)} ${link.name === peering.policy.primary ? "primary" : "backup "} `}</Text>
        <Box width={12}>
          <StatusBadge status={t === undefined ? "unknown" : t.state === "up" ? "up" : "down"} />
        </Box>
        <Text wrap="truncate-end">{first}</Text>
      </Box>
      <Text wrap="truncate-end">{`        ${second.join(" · ")}`}</Text>
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
