// Every screen the TUI knows, with the title and the paragraph its Help page shows.

export const SCREEN_IDS = ["home", "help", "router", "monitor", "addRouter", "newPeering", "acceptOffer", "completeOffer", "removePeering", "kept"] as const;
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
      "Your routers (connection profiles), friends (peerings), each with its live status, and the " +
      "bundles you sent (offers and answers, kept in your config directory) with where each peering stands. " +
      "Pick one and press enter to open it.",
  },
  help: {
    title: "Help",
    about: "The keys of the screen you came from and what that screen is for.",
  },
  router: {
    title: "Router",
    about: "One router: its identity, RouterOS version and board (a Linux host: kernel, BIRD, WireGuard, nftables), WANs, LANs and existing BGP setup.",
  },
  monitor: {
    title: "Monitor",
    about:
      "One peering, live: each tunnel's handshake, each BGP session's state, and the friend's " +
      "prefixes arriving in the route table. / and a regular expression lists only the routes whose " +
      "prefix, gateway, link or AS path it matches: enter keeps it, esc drops it.",
  },
  addRouter: {
    title: "Add router",
    about:
      "A connection profile for one of your routers: address, API or API-SSL, user and password " +
      "(never shown, never stored in plain files). bgpals connects and shows what it found: identity, " +
      "version, board, WAN candidates, LANs, existing BGP, public address and IP Cloud name. A Linux " +
      "host with BIRD is ssh://user@host[:port] and logs in with a key file or ssh-agent, never a " +
      "password; its host key is shown and pinned when you save.",
  },
  newPeering: {
    title: "New peering",
    about:
      "Operator A: choose the friend, the tunnels (one per ISP), your ASN and the networks you announce. " +
      "bgpals creates the tunnel interfaces on your router (on a Linux host, only their private keys) to learn their keys, then shows the offer: " +
      "send it to your friend and read the fingerprint aloud.",
  },
  acceptOffer: {
    title: "Accept offer",
    about:
      "Operator B: paste your friend's offer. bgpals checks its signature and shows who sent it and its " +
      "fingerprint (it must match what your friend reads). Choose your WANs, ASN and networks, review the " +
      "exact changes, apply, and send the answer back.",
  },
  completeOffer: {
    title: "Complete peering",
    about: "Operator A: paste your friend's answer, review the exact changes on your router, and apply.",
  },
  kept: {
    title: "Bundle",
    about:
      "An offer or answer you sent, kept so a lost one can be sent again: copy it, save it to a file or show " +
      "its QR code. An offer waiting for its answer can be resumed (paste the answer: the same as c on Home) " +
      "or cancelled (what it prepared on your router is removed: its tunnel interfaces, or a Linux host's keys; and its answer will be refused).",
  },
  removePeering: {
    title: "Remove peering",
    about: "Removes exactly the objects bgpals made for one peering (tagged with its name), after you review them.",
  },
};
