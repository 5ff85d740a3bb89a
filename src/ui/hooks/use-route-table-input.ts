// Keys of the route view. Typing into the filter is raw text, so it is read here, and so are the
// keys of the keymap's "filter" scope that end it (enter keeps it, esc drops it, ctrl+u empties it,
// ctrl+c quits, as the hints say); the navigation keys mirror the keymap's up/down (and add page
// and home/end) until the Monitor screen binds them through its own commands, when it may pass
// `navigation: false`.
import { commandFor } from "../keymap.js";
import { useKeys } from "./use-keys.js";
import type { RouteTableActions, RouteTableExtent, RouteTableState } from "./use-route-table-state.js";

export interface RouteTableInputOptions {
  readonly isActive: boolean;
  /** Also handle ↑ ↓ j k pgup pgdn home end and `/`; default true. */
  readonly navigation?: boolean;
  /** ctrl+c while the filter is typed (the screen's quit). */
  readonly onAbort?: () => void;
}

export function useRouteTableInput(
  state: RouteTableState,
  actions: RouteTableActions,
  extent: RouteTableExtent,
  { isActive, navigation = true, onAbort }: RouteTableInputOptions,
): void {
  useKeys(
    (input, key) => {
      if (state.editingFilter) {
        // Pasted text is typed, never a command.
        const command = key.paste ? undefined : commandFor("filter", input, key);
        if (command === "keepFilter") actions.finishFilter(true);
        else if (command === "dropFilter") actions.finishFilter(false);
        else if (command === "clearField") actions.clearFilter();
        else if (command === "abort") onAbort?.();
        else if (key.backspace || key.delete) actions.erase();
        else if (!key.ctrl && !key.meta && !key.tab && input.length > 0 && !/[\u0000-\u001f]/.test(input)) actions.type(input);
        return;
      }
      // Ctrl-U clears a kept filter too, as it clears a line being typed.
      if (key.ctrl && input === "u" && state.filter !== "") return actions.clearFilter();
      if (!navigation) return;
      if (key.upArrow || input === "k") actions.move(-1, extent);
      else if (key.downArrow || input === "j") actions.move(1, extent);
      else if (key.pageUp) actions.page(-1, extent);
      else if (key.pageDown) actions.page(1, extent);
      else if (key.home) actions.first(extent);
      else if (key.end) actions.last(extent);
      else if (input === "/") actions.editFilter();
    },
    { isActive },
  );
}
