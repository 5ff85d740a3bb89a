// One router: what discovery finds on it (identity, version, WANs, LANs, BGP, IP Cloud).
import { Text } from "ink";
import { useEffect, useState } from "react";
import { inventoryLines } from "../../flows/inventory-text.js";
import { ScreenFrame, bodyRows } from "../components/ScreenFrame.js";
import { useCommands } from "../hooks/use-commands.js";
import { useRouterSession } from "../hooks/use-router-session.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { useServices } from "../services.js";
import { useActions } from "../state.js";
import { SCREEN_INFO } from "./catalog.js";
import { scrollKeys } from "./scroll.js";

export function RouterView({ router, focused }: { router: string; focused: boolean }) {
  const services = useServices();
  const actions = useActions();
  const { open } = useRouterSession();
  const size = useTerminalSize();
  const [lines, setLines] = useState<string[] | null>(null);
  const [offset, setOffset] = useState(0);
  const shown = lines ?? [`connecting to ${router}…`];
  const capacity = bodyRows(size, "router");
  const fits = shown.length <= capacity;
  // Two rows go to the "more above / below" markers when the inventory overflows.
  const room = fits ? capacity : Math.max(1, capacity - 2);
  const maxOffset = Math.max(0, shown.length - room);
  const top = Math.min(offset, maxOffset);
  useCommands("router", scrollKeys(setOffset, room, maxOffset), focused);
  useEffect(() => {
    if (services.needsPassword(router)) {
      setLines([`${router} has no stored password: bgpals router add ${router} --save-password, or set BGPALS_PASSWORD.`]);
      return;
    }
    open(router).then(
      (found) => {
        const pinned = services.pinnedNow?.(router) ?? null;
        setLines([...(pinned === null ? [] : ["First connection: its host key is now pinned:", `  ${pinned}`]), ...inventoryLines(found.inventory)]);
      },
      (e: unknown) => {
        actions.fail(e);
        actions.back();
      },
    );
  }, [router, services, open, actions]);
  return (
    <ScreenFrame title={`${SCREEN_INFO.router.title}: ${router}`} scope="router" focused={focused}>
      {fits ? null : <Text dimColor>{top > 0 ? `  ↑ ${top} more` : " "}</Text>}
      {shown.slice(top, top + room).map((line, i) => (
        <Text key={top + i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {fits ? null : <Text dimColor>{top < maxOffset ? `  ↓ ${maxOffset - top} more` : " "}</Text>}
    </ScreenFrame>
  );
}
