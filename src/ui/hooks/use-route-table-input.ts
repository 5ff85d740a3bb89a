// Keys of the route view. Typing into the filter is raw text, so it is read here; the navigation
// keys mirror the keymap's up/down (and add page and home/end) until the Monitor screen binds
// them through its own commands, when it may pass `navigation: false`. Ctrl-U empties the filter.
import { useKeys } from "./use-keys.js";
import type { RouteTableActions, RouteTableExtent, RouteTableState } from "./use-route-table-state.js";

export interface RouteTableInputOptions {
  readonly isActive: boolean;
  /** Also handle ↑ ↓ j k pgup pgdn home end and `/`; default true. */
  readonly navigation?: boolean;
}

export function useRouteTableInput(
  state: RouteTableState,
  actions: RouteTableActions,
  extent: RouteTableExtent,
  { isActive, navigation = true }: RouteTableInputOptions,
): void {
  useKeys(
    (input, key) => {
      if (state.editingFilter) {
        if (key.return) actions.finishFilter(true);
        else if (key.escape) actions.finishFilter(false);
        else if (key.backspace || key.delete) actions.erase();
        else if (key.ctrl && input === "u") actions.clearFilter();
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
