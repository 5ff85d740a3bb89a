// The menus a lab router models, per RouterOS generation: what bgpals reads or writes, and the
// behaviour a real router has there (generated keys, read-only state, duplicate names).
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { routerOs } from "./versions.js";
import { certificateMenus, type CertificateKeys } from "./certificates.js";
import { TrapCategory, TrapError, TrapMessage } from "./protocol/traps.js";
import type { Attributes, MenuDescriptor } from "./store/menu.js";

/** A WireGuard key pair as RouterOS shows keys: standard base64 of the raw 32 bytes. */
export function wireguardKeyPair(privateKey?: string): { privateKey: string; publicKey: string } {
  const key =
    privateKey === undefined
      ? generateKeyPairSync("x25519").privateKey
      : createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), Buffer.from(privateKey, "base64")]), format: "der", type: "pkcs8" });
  const jwk = key.export({ format: "jwk" });
  const pub = createPublicKey(key).export({ format: "jwk" });
  return { privateKey: Buffer.from(jwk.d!, "base64url").toString("base64"), publicKey: Buffer.from(pub.x!, "base64url").toString("base64") };
}

const WG_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** Secrets a router holds but never prints: kept beside the store, not in it. */
export interface RouterSecrets {
  /** WireGuard private keys by interface name. */
  privateKeys: Map<string, string>;
  /** Certificate keys and PEMs by certificate `.id`. */
  certificates?: Map<string, CertificateKeys>;
  /** `/user` passwords by user name. */
  userPasswords?: Map<string, string>;
}

/** RouterOS's built-in user groups, with their policies as `/user group print` shows them. */
export const FACTORY_GROUPS: Record<string, string> = {
  read: "local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,sensitive,api,romon,!ftp,!write,!policy",
  write: "local,telnet,ssh,reboot,read,write,test,winbox,password,web,sniff,sensitive,api,romon,!ftp,!policy",
  full: "local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,password,web,sniff,sensitive,api,romon",
};

/** Policies a group grants: the names without a leading `!`. */
export function grantedPolicies(policy: string | undefined): Set<string> {
  return new Set((policy ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith("!")));
}

/**
 * Descriptors for one router. `privateKeys` keeps WireGuard private keys out of the store:
 * the lab prints them masked, as bgpals must never need them. Certificate keys and user
 * passwords stay out of it for the same reason.
 */
export function menuDescriptors(version: string, privateKeys: Map<string, string>, secrets: Omit<RouterSecrets, "privateKeys"> = {}): MenuDescriptor[] {
  const certificateKeys = secrets.certificates ?? new Map<string, CertificateKeys>();
  const userPasswords = secrets.userPasswords ?? new Map<string, string>();
  const os = routerOs(version);
  if (os === null) throw new Error(`the lab does not model RouterOS ${version}`);
  const v7 = !os.v6;
  const named = (path: string, extra: Partial<MenuDescriptor> = {}): MenuDescriptor => ({ path, key: ["name"], ...extra });
  const list = (path: string, extra: Partial<MenuDescriptor> = {}): MenuDescriptor => ({ path, ...extra });
  const state = (path: string, extra: Partial<MenuDescriptor> = {}): MenuDescriptor => ({ path, verbs: ["print", "getall", "get", "listen"], disabledFlag: false, ...extra });
  const single = (path: string, extra: Partial<MenuDescriptor> = {}): MenuDescriptor => ({ path, singleton: true, ...extra });
  // Interface names are one namespace across every interface menu.
  const interfaceDuplicate: Partial<MenuDescriptor> = {
    duplicateMessage: TrapMessage.alreadyHaveInterface,
    hooks: {
      validate(change, ctx) {
        // Seeds already list their interfaces in /interface.
        if (change.kind === "remove" || ctx.origin === "system") return;
        const name = change.after.name;
        const before = change.kind === "set" ? change.before.name : undefined;
        if (name === undefined || name === before || ctx.menu.path === "/interface") return;
        if (ctx.store.at("/interface").find({ name }).length > 0) throw new TrapError(TrapMessage.alreadyHaveInterface);
      },
    },
  };

  // OpenVPN names its certificate: RouterOS refuses a name that is no certificate (or "none") on add and set.
  const certificateExists = (change: Parameters<NonNullable<NonNullable<MenuDescriptor["hooks"]>["validate"]>>[0], ctx: Parameters<NonNullable<NonNullable<MenuDescriptor["hooks"]>["validate"]>>[1]) => {
    if (change.kind === "remove" || ctx.origin === "system") return;
    const name = change.after.certificate;
    if (name === undefined || name === "none" || (change.kind === "set" && name === change.before.certificate)) return;
    if (ctx.store.at("/certificate").find({ name }).length === 0) throw new TrapError("input does not match any value of certificate", TrapCategory.argumentValue);
  };
  const ovpnServer: Partial<MenuDescriptor> = { hooks: { validate: certificateExists } };

  const menus: MenuDescriptor[] = [
    single("/system/identity"),
    single("/system/resource", { verbs: ["print", "getall", "get", "listen"] }),
    single("/system/routerboard", { verbs: ["print", "getall", "get"] }),
    named("/system/scheduler", { readOnly: ["run-count", "next-run"] }),
    named("/system/script", { readOnly: ["run-count", "last-started", "invalid"] }),
    // RouterOS user groups have no disabled flag (no enable/disable, no `disabled` on add or set).
    named("/user/group", {
      disabledFlag: false,
      hooks: {
        validate(change) {
          if (change.kind === "remove") return;
          const known = new Set(["local", "telnet", "ssh", "ftp", "reboot", "read", "write", "policy", "test", "winbox", "password", "web", "sniff", "sensitive", "api", "romon", "dude", "tikapp", "rest-api"]);
          for (const p of (change.after.policy ?? "").split(",").filter((x) => x !== "")) {
            if (!known.has(p.replace(/^!/, ""))) throw new TrapError(`input does not match any value of policy`, TrapCategory.argumentValue);
          }
        },
        onRemove(item, ctx) {
          if (ctx.store.at("/user").find({ group: item.name ?? "" }).length > 0) throw new TrapError("failure: group is in use by a user", TrapCategory.generalFailure);
        },
      },
    }),
    named("/user", {
      hooks: {
        // RouterOS never prints a user's password: the lab keeps it beside the store.
        onAdd(draft) {
          userPasswords.set(draft.name ?? "", draft.password ?? "");
          delete draft.password;
        },
        onSet(draft, before) {
          const password = draft.password ?? userPasswords.get(before.name ?? "") ?? "";
          if (draft.name !== before.name) userPasswords.delete(before.name ?? "");
          userPasswords.set(draft.name ?? "", password);
          delete draft.password;
        },
        onRemove(item) {
          userPasswords.delete(item.name ?? "");
        },
        validate(change, ctx) {
          if (change.kind === "remove" || ctx.origin === "system") return;
          const group = change.after.group ?? "";
          if (ctx.store.at("/user/group").find({ name: group }).length === 0) throw new TrapError("input does not match any value of group", TrapCategory.argumentValue);
        },
      },
    }),
    named("/interface", { duplicateMessage: TrapMessage.alreadyHaveInterface, readOnly: ["type", "running", "mac-address"], verbs: ["print", "getall", "get", "set", "listen", "enable", "disable"] }),
    named("/interface/ethernet", { verbs: ["print", "getall", "get", "set", "listen", "enable", "disable"] }),
    named("/interface/vlan", interfaceDuplicate),
    named("/interface/bridge", interfaceDuplicate),
    list("/interface/bridge/port"),
    named("/interface/pppoe-client", interfaceDuplicate),
    named("/interface/list"),
    list("/interface/list/member", { key: ["list", "interface"] }),
    named("/interface/ovpn-client", {
      ...interfaceDuplicate,
      booleans: ["add-default-route", "verify-server-certificate"],
      hooks: {
        validate(change, ctx) {
          interfaceDuplicate.hooks!.validate!(change, ctx);
          certificateExists(change, ctx);
        },
      },
    }),
    named("/interface/ovpn-server", interfaceDuplicate),
    os.ovpnServers
      ? named("/interface/ovpn-server/server", {
          booleans: ["require-client-certificate"],
          defaults: { port: "1194", mode: "ip", protocol: "tcp", netmask: "24" },
          hooks: {
            // Several servers from 7.17, but one socket per port: an enabled server on a port
            // another enabled one uses is refused.
            validate(change, ctx) {
              certificateExists(change, ctx);
              if (change.kind === "remove" || change.after.disabled === "true") return;
              const port = change.after.port ?? "1194";
              const protocol = change.after.protocol ?? "tcp";
              const self = change.kind === "set" ? change.id : null;
              const clash = ctx.menu.list().some((s) => s[".id"] !== self && s.disabled !== "true" && (s.port ?? "1194") === port && (s.protocol ?? "tcp") === protocol);
              if (clash) throw new TrapError(TrapMessage.portInUse(port, protocol), TrapCategory.generalFailure);
            },
          },
        })
      : single("/interface/ovpn-server/server", {
          ...ovpnServer,
          booleans: ["enabled", "require-client-certificate"],
          defaults: { enabled: "false", port: "1194", mode: "ip", netmask: "24", "max-mtu": "1500", certificate: "none", "require-client-certificate": "false", auth: "sha1", cipher: v7 ? "aes128-cbc" : "blowfish128,aes128", "keepalive-timeout": "60", "default-profile": "default", ...(v7 ? { protocol: "tcp" } : {}) },
        }),
    // No disabled flag on PPP profiles either (RouterOS's command tree has no `disabled` there).
    named("/ppp/profile", { disabledFlag: false, booleans: ["only-one", "change-tcp-mss", "use-upnp"] }),
    named("/ppp/secret"),
    state("/ppp/active"),
    ...certificateMenus(version, certificateKeys),
    list("/ip/address"),
    // A million routes: a query for one prefix looks it up, and one for the routes that are not
    // BGP's (discovery's `?-bgp ?bgp=false ?#|`) finds the few there are.
    list("/ip/route", { indexed: ["dst-address", "bgp"] }),
    // What the DHCP server handed out shows on the client (read-only), until the link goes down.
    list("/ip/dhcp-client", { key: ["interface"], readOnly: ["status", "address", "gateway", "dhcp-server", "expires-after", "primary-dns"], booleans: ["use-peer-dns", "use-peer-ntp"] }),
    named("/ip/pool"),
    named("/ip/dhcp-server"),
    list("/ip/dhcp-server/network"),
    single("/ip/dns"),
    single("/ip/cloud", { readOnly: ["public-address", "dns-name", "status"], booleans: ["ddns-enabled"] }),
    list("/ip/firewall/filter"),
    list("/ip/firewall/nat"),
    list("/ip/firewall/mangle"),
    list("/ip/firewall/address-list", { key: ["list", "address"] }),
  ];
  if (v7) {
    menus.push(
      named("/interface/wireguard", {
        duplicateMessage: TrapMessage.alreadyHaveInterface,
        readOnly: ["public-key", "running"],
        defaults: { mtu: "1420", "listen-port": "13231" },
        hooks: {
          onAdd(draft) {
            // The router generates the key pair; a given private key is taken as is.
            const given = draft["private-key"];
            if (given !== undefined && !WG_KEY.test(given)) throw new TrapError("invalid private key", 1);
            const pair = wireguardKeyPair(given);
            draft["public-key"] = pair.publicKey;
            privateKeys.set(draft.name ?? "", pair.privateKey);
            draft["private-key"] = "********";
          },
          validate: interfaceDuplicate.hooks!.validate,
          onSet(draft, before) {
            if (draft.name !== before.name && before.name !== undefined) {
              const key = privateKeys.get(before.name);
              if (key !== undefined) privateKeys.set(draft.name ?? "", key);
            }
            if (draft["private-key"] !== before["private-key"] && draft["private-key"] !== "********") {
              if (!WG_KEY.test(draft["private-key"] ?? "")) throw new TrapError("invalid private key", 1);
              const pair = wireguardKeyPair(draft["private-key"]);
              draft["public-key"] = pair.publicKey;
              privateKeys.set(draft.name ?? "", pair.privateKey);
              draft["private-key"] = "********";
            }
          },
        },
      }),
      list("/interface/wireguard/peers", {
        readOnly: ["last-handshake", "rx", "tx", "current-endpoint-address", "current-endpoint-port"],
        hooks: {
          validate(change) {
            if (change.kind === "remove") return;
            const key = (change.after as Attributes)["public-key"];
            if (key === undefined || !WG_KEY.test(key)) throw new TrapError("invalid public key", 1);
          },
        },
      }),
      named("/routing/bgp/template"),
      named("/routing/bgp/connection"),
      state("/routing/bgp/session"),
      list("/routing/filter/rule"),
      named("/routing/table"),
      // Every route the routing protocols hold, those an input filter rejected with `filtered=true`.
      state("/routing/route"),
    );
    if (os.bgpInstances) menus.push(named("/routing/bgp/instance"));
  } else {
    menus.push(named("/routing/bgp/instance"), named("/routing/bgp/peer"), list("/routing/bgp/network", { key: ["network"] }), list("/routing/filter"));
  }
  return menus;
}

/** Items a freshly reset router has in the menus bgpals touches, beyond its personality. */
export function factoryItems(version: string): Record<string, Array<Record<string, string>>> {
  const v6 = routerOs(version)?.v6 === true;
  const out: Record<string, Array<Record<string, string>>> = {
    "/user/group": Object.entries(FACTORY_GROUPS).map(([name, policy]) => ({ name, policy, skin: "default" })),
    "/ppp/profile": [
      { name: "default", "use-encryption": "default", "only-one": "default", "change-tcp-mss": "yes", default: "true" },
      { name: "default-encryption", "use-encryption": "yes", "only-one": "default", "change-tcp-mss": "yes", default: "true" },
    ],
  };
  if (!v6) {
    out["/routing/bgp/template"] = [{ name: "default", as: "65530", default: "true" }];
    out["/routing/table"] = [{ name: "main", fib: "", dynamic: "true" }];
  }
  return out;
}
