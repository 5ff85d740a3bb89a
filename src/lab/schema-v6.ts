// RouterOS 6 arguments: there is no /console/inspect dump of RouterOS 6, so the menus whose
// arguments differ from RouterOS 7 are written here from the RouterOS 6 manual pages
// (Manual:Routing/BGP, Manual:Routing/Routing filters, Manual:Interface/OVPN, Manual:System/Certificates,
// Manual:IP/Route); the others (interfaces, firewall, PPP, users, scheduler) kept their arguments
// into early RouterOS 7, and are read from the oldest tree the lab has. RouterOS 6 refuses any other
// argument with `!trap =message=unknown parameter`, as RouterOS 7 does (without the name).
import { commandArgs } from "./schema.js";

const COMMON = ["comment", "disabled", "copy-from"];

const V6_ARGS: Readonly<Record<string, readonly string[]>> = {
  "/ip/route": [...COMMON, "dst-address", "gateway", "distance", "scope", "target-scope", "check-gateway", "type", "pref-src", "routing-mark", "route-tag", "vrf-interface", "bgp-as-path", "bgp-local-pref", "bgp-med", "bgp-origin", "bgp-prepend", "bgp-communities", "bgp-atomic-aggregate"],
  // No protocol (TCP only), no verify-server-certificate, no tls-version on RouterOS 6.
  "/interface/ovpn-client": [...COMMON, "name", "connect-to", "port", "user", "password", "mode", "certificate", "auth", "cipher", "add-default-route", "max-mtu", "mac-address", "profile"],
  "/interface/ovpn-server/server": ["enabled", "port", "mode", "netmask", "mac-address", "max-mtu", "keepalive-timeout", "default-profile", "certificate", "require-client-certificate", "auth", "cipher"],
  "/certificate": ["name", "common-name", "country", "state", "locality", "organization", "unit", "subject-alt-name", "key-size", "days-valid", "key-usage", "trusted", "copy-from"],
  "/file": ["contents"],
  "/routing/bgp/instance": [...COMMON, "name", "as", "router-id", "redistribute-connected", "redistribute-static", "redistribute-rip", "redistribute-ospf", "redistribute-other-bgp", "out-filter", "client-to-client-reflection", "ignore-as-path-len", "routing-table", "cluster-id", "confederation", "confederation-peers"],
  "/routing/bgp/peer": [...COMMON, "name", "instance", "remote-address", "remote-port", "remote-as", "tcp-md5-key", "nexthop-choice", "multihop", "route-reflect", "hold-time", "ttl", "max-prefix-limit", "max-prefix-restart-time", "in-filter", "out-filter", "allow-as-in", "remove-private-as", "as-override", "default-originate", "passive", "use-bfd", "address-families", "update-source", "keepalive-time", "cisco-vpls-nlri-len-fmt"],
  "/routing/bgp/network": [...COMMON, "network", "synchronize"],
  "/routing/filter": [
    ...COMMON, "chain", "place-before", "prefix", "prefix-length", "match-chain", "protocol", "distance", "scope", "target-scope", "pref-src", "routing-mark", "route-comment", "route-tag", "invert-match",
    "bgp-as-path", "bgp-as-path-length", "bgp-weight", "bgp-local-pref", "bgp-med", "bgp-atomic-aggregate", "bgp-origin", "locally-originated-bgp", "bgp-communities", "address-family",
    "action", "jump-target", "set-bgp-prepend", "set-bgp-prepend-path", "set-bgp-local-pref", "set-bgp-med", "set-bgp-weight", "set-bgp-communities", "append-bgp-communities", "set-distance",
    "set-route-comment", "set-scope", "set-target-scope", "set-pref-src", "set-routing-mark", "set-check-gateway", "set-type", "set-disabled", "set-in-nexthop", "set-out-nexthop", "set-route-tag", "set-use-te-nexthop",
  ],
};

// The oldest RouterOS 7 tree stands for RouterOS 6 where the manual lists the same arguments.
const NEAREST_TREE = "7.12.2";

/** The arguments RouterOS 6 takes on `add`/`set` in a menu, or null when the lab does not know (then it does not judge). */
export function v6Arguments(path: string, verb: string): readonly string[] | null {
  const own = V6_ARGS[path];
  if (own !== undefined) return own;
  return commandArgs(NEAREST_TREE, path, verb) ?? (verb === "set" ? null : commandArgs(NEAREST_TREE, path, "set"));
}
