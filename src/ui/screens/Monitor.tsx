// Monitor: one peering, live. Each link's tunnel and BGP session, the friend's prefixes (a
// virtualized table), an event log, and the friend's own router where they granted a read-only
// account. p swaps primary and backup (prediction first, then apply, then the observed move),
// l clears a session stopped by its prefix limit, w says why a prefix was accepted or filtered.
import { Box, Text } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import { knownFriend, loadIdentity } from "../../store/identity.js";
import { friendMonitorAccount } from "../../store/friends.js";
import { changeLines } from "../../core/plan-view.js";
import { describePrediction } from "../../core/prefer.js";
import { RouteTable as RouteStore } from "../../core/route-table.js";
import type { Peering } from "../../core/peering.js";
import { clearLimitExceeded, preferPrimary } from "../../flows/prefer.js";
import { peersOf, savePeering } from "../../store/workspace.js";
import type { Router, RouterStatus } from "../../platforms/platform.js";
import { watchRouter, type WatchEvent } from "../../flows/watch.js";
import { ROUTE_TABLE_CHROME_ROWS, RouteTable, routeTableExtent, routeTablePageRows } from "../components/RouteTable.js";
import { ScreenFrame, bodyRows } from "../components/ScreenFrame.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { useCommands } from "../hooks/use-commands.js";
import { useRouteFeed, type RouteFeedSource } from "../hooks/use-route-feed.js";
import { useRouteTableInput } from "../hooks/use-route-table-input.js";
import { useRouteTableState } from "../hooks/use-route-table-state.js";
import type { RouterSession } from "../hooks/use-router-session.js";
import { useRouterSession } from "../hooks/use-router-session.js";
import { useTableRevision } from "../hooks/use-table-revision.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { useServices } from "../services.js";
import { useActions } from "../state.js";
import { SCREEN_INFO } from "./catalog.js";
import { RouterStep } from "./wizard-kit.js";

const EVENT_ROWS = 4;
const LINK_ROWS = 2;
const KEPT_EVENTS = 200;

type Pane = "links" | "routes";

type Overlay = { kind: "confirm"; lines: string[]; answer: (go: boolean) => void } | { kind: "lines"; title: string; lines: string[] };

/** An event as the log shows it, in the words of the product. */
export function eventLine(e: WatchEvent): string {
  const t = e.time.slice(11, 19);
  switch (e.event) {
    case "connected":
      return `${t} connected (RouterOS ${e.version})`;
    case "connection-lost":
      return `${t} connection lost, reconnecting: ${e.error}`;
    case "snapshot":
      return `${t} watching: ${e.status.tunnels.length} tunnels, ${e.status.sessions.length} sessions, ${e.status.routes.length} routes`;
    case "tunnel-up":
      return `${t} tunnel ${e.link} up`;
    case "tunnel-down":
      return `${t} tunnel ${e.link} down (handshake lost)`;
    case "session-up":
      return `${t} session ${e.link} established`;
    case "session-down":
      return `${t} session ${e.link} down${e.error ? `: ${e.error}` : ""}`;
    case "limit-exceeded":
      return `${t} session ${e.link} stopped: prefix limit exceeded (l clears it)`;
    case "prefix-arrived":
      return `${t} prefix ${e.prefix} arrived via ${e.link ?? e.gateway}`;
    case "prefix-withdrawn":
      return `${t} prefix ${e.prefix} withdrawn`;
    case "best-path-moved":
      return `${t} best path to ${e.prefix} moved ${e.from.link ?? e.from.gateway} → ${e.to.link ?? e.to.gateway}`;
  }
}

/** What fits in `rows` of `columns` (long lines wrap), the last line (the keys) kept, a note where lines were left out. */
function clipped(lines: string[], rows: number, columns: number): string[] {
  const height = (line: string) => Math.max(1, Math.ceil(line.length / Math.max(1, columns)));
  const total = lines.reduce((sum, line) => sum + height(line), 0);
  if (total <= rows) return lines;
  const last = lines[lines.length - 1]!;
  const kept: string[] = [];
  let used = height(last) + 1;
  for (const line of lines.slice(0, -1)) {
    if (used + height(line) > rows) break;
    kept.push(line);
    used += height(line);
  }
  return [...kept, `… ${lines.length - 1 - kept.length} more lines (bgpals prefer shows them all)`, last];
}

const clock = () => new Date().toISOString().slice(11, 19);

export function Monitor({ friend, focused }: { friend: string; focused: boolean }) {
  const services = useServices();
  const actions = useActions();
  const size = useTerminalSize();
  const me = services.operator;
  const { open } = useRouterSession();
  const [peering, setPeering] = useState<Peering | undefined>(() => peersOf(services.workspace).find((p) => p.sides[friend] !== undefined && me !== null && p.sides[me] !== undefined));
  const [session, setSession] = useState<RouterSession | null>(null);
  const [status, setStatus] = useState<RouterStatus | null>(null);
  const [friendStatus, setFriendStatus] = useState<RouterStatus | "unreachable" | null>(null);
  const [events, setEvents] = useState<string[]>([]);
  const [pane, setPane] = useState<Pane>("routes");
  const [link, setLink] = useState(0);
  const [overlay, setOverlay] = useState<Overlay | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const table = useMemo(() => new RouteStore(), []);
  const revision = useTableRevision(table);
  const links = peering?.links ?? [];
  // The route view takes what its routes need, up to all but EVENT_ROWS; the event log the rest.
  const available = bodyRows(size, "monitor") - links.length * LINK_ROWS - 5;
  const routeRows = Math.max(5, Math.min(ROUTE_TABLE_CHROME_ROWS + Math.max(1, table.matching), available - EVENT_ROWS));
  const eventRows = Math.max(EVENT_ROWS, available - routeRows);
  const routes = useRouteTableState(table, undefined, { revision, pageRows: routeTablePageRows(routeRows) });
  const log = (line: string) => setEvents((all) => [...all.slice(-(KEPT_EVENTS - 1)), line]);
  const lostAt = useRef(new Map<string, number>());
  const rates = useTunnelRates(status);

  // The route view: the friend's routes (next hop one of their tunnel addresses), streamed.
  // Keyed by value: a swap of primary gives a new peering object, not new addresses.
  const addresses = JSON.stringify(links.map((l) => [l.address[friend] ?? "", l.name]).filter(([address]) => address !== ""));
  const source = useMemo<RouteFeedSource | null>(() => {
    const linkByAddress = new Map<string, string>(JSON.parse(addresses) as Array<[string, string]>);
    if (session === null || linkByAddress.size === 0) return null;
    return { router: session.router, addresses: [...linkByAddress.keys()], linkOf: (gateway) => linkByAddress.get(gateway) };
  }, [session, addresses]);
  const feed = useRouteFeed(table, source);

  /** The event as logged; a best path leaving a link that went down says how long after. */
  const timed = (e: WatchEvent): string => {
    const at = Date.parse(e.time);
    if ((e.event === "session-down" || e.event === "tunnel-down") && !lostAt.current.has(e.link)) lostAt.current.set(e.link, at);
    if (e.event === "session-up") lostAt.current.delete(e.link);
    const line = eventLine(e);
    if (e.event !== "best-path-moved") return line;
    const since = e.from.link === null || e.from.link === undefined ? undefined : lostAt.current.get(e.from.link);
    return since === undefined ? line : `${line}, ${((at - since) / 1000).toFixed(1)} s after ${e.from.link} went down`;
  };

  // My router, watched: listen where RouterOS has it, polling where not, reconnecting with backoff.
  useEffect(() => {
    if (session === null) return;
    const controller = new AbortController();
    void watchRouter({
      connect: () => session.router.reconnect(),
      signal: controller.signal,
      onEvent: (e) => log(timed(e)),
      onStatus: setStatus,
    });
    return () => controller.abort();
  }, [session]);

  // The friend's router, read-only, where they granted an account.
  useEffect(() => {
    if (session === null) return;
    const account = friendMonitorAccount(services.workspace, friend);
    if (account === null) return;
    const controller = new AbortController();
    const target = { host: account.host, port: account.port, user: account.user, password: account.password, timeoutMs: 5000 };
    void watchRouter({
      connect: () => services.platform.connect(target, `${friend}'s router`),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.event === "connection-lost") setFriendStatus("unreachable");
        else if (e.event !== "snapshot" && e.event !== "connected") log(`${eventLine(e)} (on ${friend}'s router)`);
      },
      onStatus: setFriendStatus,
    });
    return () => controller.abort();
  }, [session, services.workspace, friend]);

  // Each key's work on a connection of its own: the watcher keeps the screen's.
  const withRouter = async <T,>(work: (router: Router) => Promise<T>): Promise<T> => {
    const router = await session!.router.reconnect();
    try {
      return await work(router);
    } finally {
      await router.close().catch(() => undefined);
    }
  };

  const togglePrimary = () => {
    if (!peering || !me || busy) return;
    const next = peering.links.find((l) => l.name !== peering.policy.primary);
    if (!next) return log(`${clock()} ${peering.name} has one link: nothing to swap`);
    setBusy(`predicting ${next.name} as primary`);
    withRouter((router) =>
      preferPrimary(router, {
        peering,
        side: me,
        primary: next.name,
        others: peersOf(services.workspace, peering.name),
        confirm: (prediction, plan) =>
          new Promise<boolean>((resolve) =>
            setOverlay({
              kind: "confirm",
              lines: [...describePrediction(prediction), "", ...changeLines(plan, session!.router.label, { compact: true }), "", "enter: apply (local-pref in, prepend out, on every link) · esc: cancel"],
              answer: (go) => {
                setOverlay(null);
                if (go) setBusy(`making ${next.name} primary`);
                resolve(go);
              },
            }),
          ),
        onApplyStep: (e) => {
          if (e.kind === "done") setBusy(`making ${next.name} primary: ${e.index + 1}/${e.total} changes`);
          if (e.kind === "undo") setBusy("undoing");
        },
        onObserved: (move) => {
          setBusy(`watching the move to ${next.name}`);
          log(`${clock()} observed: ${move.prefix} now via ${move.link ?? move.gateway} after ${(move.afterMs / 1000).toFixed(1)} s${move.asPredicted ? "" : " (not as predicted)"}`);
        },
        identity: loadIdentity(me, services.workspace.home),
        friend: knownFriend(friend, services.workspace.home),
        observeMs: 30_000,
      }),
    ).then(
      (result) => {
        setBusy(null);
        if (result.status === "refused" || result.status === "failed") return actions.fail({ kind: "expected", message: result.message, hint: result.status === "failed" ? "Nothing changed: the apply was undone." : undefined });
        if (result.status !== "applied") return;
        savePeering(services.workspace, friend, result.peering);
        setPeering(result.peering);
        log(`${clock()} ${next.name} is primary (${result.applied} changes); ${friend}'s side decides the way back`);
        if (result.bundle) {
          services.clipboard.copy(result.bundle.text);
          log(`${clock()} prefer request for ${friend} copied (fingerprint ${result.bundle.fingerprint}): send it so they match`);
        }
      },
      (e: unknown) => {
        setBusy(null);
        actions.fail(e);
      },
    );
  };

  const clearLimit = () => {
    if (!peering || !me || busy) return;
    setBusy("clearing the prefix limit");
    withRouter((router) => clearLimitExceeded(router, { peering, side: me })).then(
      (result) => {
        setBusy(null);
        if (result.status === "nothing-to-clear") log(`${clock()} no session is stopped by its prefix limit`);
        else if (result.status === "refused") actions.fail({ kind: "expected", message: result.message });
        else for (const s of result.sessions) log(`${clock()} cleared ${s.link}: ${s.outcome}`);
      },
      (e: unknown) => {
        setBusy(null);
        actions.fail(e);
      },
    );
  };

  const why = () => {
    const row = table.window(routes.state.selected, 1)[0];
    if (!row || busy || session === null) return;
    setBusy(`asking why ${row.prefix}`);
    withRouter((router) => router.why(row.prefix)).then(
      (answers) => {
        setBusy(null);
        setOverlay({ kind: "lines", title: `Why ${row.prefix}?`, lines: answers.length ? answers.map((a) => `${a.link ?? a.session}: ${a.summary}`) : ["no session of this router received it"] });
      },
      (e: unknown) => {
        setBusy(null);
        actions.fail(e);
      },
    );
  };

  // Keys are live once connected, and on the "no such peering" page (esc, ?, q).
  const live = focused && overlay === null && (session !== null || peering === undefined || me === null) && !routes.state.editingFilter;
  useRouteTableInput(routes.state, routes.actions, routeTableExtent(table, routeRows), { isActive: focused && routes.state.editingFilter, navigation: false });
  useCommands(
    "monitor",
    {
      nextPane: () => setPane((p) => (p === "routes" ? "links" : "routes")),
      up: () => (pane === "routes" ? routes.actions.move(-1, routeTableExtent(table, routeRows)) : setLink((i) => Math.max(0, i - 1))),
      down: () => (pane === "routes" ? routes.actions.move(1, routeTableExtent(table, routeRows)) : setLink((i) => Math.min(links.length - 1, i + 1))),
      filter: () => routes.actions.editFilter(),
      togglePrimary,
      clearLimit,
      why,
    },
    live,
  );
  useCommands("confirm", { next: () => overlay?.kind === "confirm" && overlay.answer(true), back: () => (overlay?.kind === "confirm" ? overlay.answer(false) : setOverlay(null)) }, focused && overlay !== null);

  const title = `${SCREEN_INFO.monitor.title}: ${friend}`;
  if (peering === undefined || me === null) {
    return (
      <ScreenFrame title={title} scope="monitor" focused={focused}>
        <Text>{`No peering with ${friend} in ${services.workspace.peersDir}.`}</Text>
      </ScreenFrame>
    );
  }
  if (session === null) {
    return (
      <ScreenFrame title={title} scope="choose" focused={focused}>
        <RouterStep open={open} width={size.columns} rows={bodyRows(size, "choose")} focused={focused} onBack={actions.back} onHelp={() => actions.navigate({ id: "help" })} onSession={setSession} />
      </ScreenFrame>
    );
  }
  if (overlay !== null) {
    return (
      <ScreenFrame title={overlay.kind === "confirm" ? `${title} · swap primary?` : `${title} · ${overlay.title}`} scope="confirm" focused={focused}>
        {clipped(overlay.lines, bodyRows(size, "confirm"), size.columns).map((line, i) => (
          <Text key={i} wrap="wrap">
            {line || " "}
          </Text>
        ))}
      </ScreenFrame>
    );
  }
  const sessions = status?.sessions ?? [];
  const tunnels = status?.tunnels ?? [];
  return (
    <ScreenFrame title={title} scope="monitor" focused={focused}>
      <Text wrap="truncate-end">{`${peering.name} on ${session.router.label} · primary ${peering.policy.primary}${busy ? ` · ${busy}…` : ""}`}</Text>
      {links.map((l, i) => (
        <LinkLines
          key={l.name}
          peering={peering}
          link={l}
          me={me}
          selected={pane === "links" && i === link}
          tunnel={tunnels.find((x) => x.peering === peering.name && x.link === l.name)}
          session={sessions.find((x) => x.peering === peering.name && x.link === l.name)}
          rate={rates.get(`${peering.name} ${l.name}`)}
          localPref={status?.routes.find((r) => r.link === l.name && r.localPref !== null)?.localPref ?? null}
        />
      ))}
      {friendStatus !== null ? (
        <Text wrap="truncate-end">
          {friendStatus === "unreachable"
            ? `${friend}'s router: unreachable`
            : `${friend}'s router: ${friendStatus.sessions.filter((s) => s.peering === peering.name).map((s) => `${s.link} ${s.state}`).join(" · ") || "no session"}`}
        </Text>
      ) : null}
      <RouteTable table={table} revision={revision} state={routes.state} height={routeRows} width={size.columns} streaming={feed !== "live"} />
      <Text bold underline>
        Events
      </Text>
      {events.slice(-eventRows).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </ScreenFrame>
  );
}

interface Rate {
  rx: number;
  tx: number;
}

/** Bytes a second through each tunnel, from the counters of looks at least a second apart. */
function useTunnelRates(status: RouterStatus | null): Map<string, Rate> {
  const samples = useRef(new Map<string, { at: number; rx: number; tx: number }>());
  const [rates, setRates] = useState(new Map<string, Rate>());
  useEffect(() => {
    if (status === null) return;
    const now = performance.now();
    const next = new Map(rates);
    let changed = false;
    for (const t of status.tunnels) {
      const key = `${t.peering} ${t.link}`;
      const before = samples.current.get(key);
      if (before === undefined || t.rx < before.rx || t.tx < before.tx) {
        // First look, or the counters restarted (a reboot): start over.
        samples.current.set(key, { at: now, rx: t.rx, tx: t.tx });
        continue;
      }
      const seconds = (now - before.at) / 1000;
      if (seconds < 1) continue;
      next.set(key, { rx: (t.rx - before.rx) / seconds, tx: (t.tx - before.tx) / seconds });
      samples.current.set(key, { at: now, rx: t.rx, tx: t.tx });
      changed = true;
    }
    if (changed) setRates(next);
    // Only a new look brings new counters.
  }, [status]);
  return rates;
}

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

/** Where a link's tunnel goes: our WAN, and the friend's endpoint or our listening port. */
export function linkPath(peering: Peering, link: Peering["links"][number], me: string): string {
  const wan = peering.sides[me]?.wans[link.wan[me] ?? ""];
  const kind = link.kind === "wireguard" ? "wg" : "ovpn";
  const via = wan ? ` via ${wan.interface}` : "";
  if (link.listener === me) return `${kind}${via}, listens :${link.port}`;
  const endpoint = peering.sides[link.listener]?.wans[link.wan[link.listener] ?? ""]?.endpoint;
  return `${kind}${via} → ${endpoint ?? "?"}:${link.port}`;
}

function LinkLines(props: {
  peering: Peering;
  link: Peering["links"][number];
  me: string;
  selected: boolean;
  tunnel: RouterStatus["tunnels"][number] | undefined;
  session: RouterStatus["sessions"][number] | undefined;
  rate: Rate | undefined;
  localPref: number | null;
}) {
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
    linkPath(peering, link, me),
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
