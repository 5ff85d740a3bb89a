// Every screen the TUI knows, with the title and the paragraph its Help page shows.
// Screens not built yet ("router", "monitor") render as placeholders until their flows land.

export const SCREEN_IDS = ["home", "help", "router", "monitor"] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];

/** One entry of the navigation stack; `subject` names the router or friend the screen is about. */
export interface Screen {
  id: ScreenId;
  subject?: string;
}

export interface ScreenInfo {
  title: string;
  about: string;
}

export const SCREEN_INFO: Record<ScreenId, ScreenInfo> = {
  home: {
    title: "Home",
    about:
      "Your routers (connection profiles) and friends (peerings), each with its live status. " +
      "Pick one and press enter to open it.",
  },
  help: {
    title: "Help",
    about: "The keys of the screen you came from and what that screen is for.",
  },
  router: {
    title: "Router",
    about: "One router: its identity, RouterOS version, board, WANs, LANs and existing BGP setup.",
  },
  monitor: {
    title: "Monitor",
    about:
      "One peering, live: each tunnel's handshake, each BGP session's state, and the friend's " +
      "prefixes arriving in the route table.",
  },
};
