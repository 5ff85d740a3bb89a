// Plan: what the router has (objects carrying our tag) against what the render wants →
// an ordered list of add / set / remove, each with its reason. Objects without our tag are
// never changed; a name collision with one is a conflict that names it.
import type { Change, Conflict, Plan } from "../../../core/plan.js";
import type { LinkSecrets } from "../../platform.js";
import { ORDERED_MENUS, PLACEABLE_MENUS, PREPARED_MENUS, REMOVAL_ORDER } from "../menus.js";
import { certificateNames, certificateOwnership, ONE_SERVER_RECORD, ownershipTag, parseOwnershipTag, serverCertificateOwner, sharedOwnershipTag } from "../names.js";
import { menuLine, quote } from "../render/script.js";
import type { RouterCommand } from "../types.js";

export { PLANNED_MENUS, PREPARED_MENUS } from "../menus.js";

/** A configuration item as the router prints it. */
export type ObservedItem = Readonly<Record<string, string>>;

/** What the router holds, per menu path, as read before planning. */
export type Observed = Readonly<Record<string, readonly ObservedItem[]>>;

/** A change as RouterOS plans it: the command it comes from travels with it to apply. */
export interface RouterOsChange extends Change {
  /** The command this change comes from (add, set). */
  command?: RouterCommand;
  /**
   * Why an undo could not bring back exactly what this change takes away (a certificate's key pair,
   * a private key or password the router does not show). Such changes go last, one at a time.
   */
  irreversible?: string;
  /** The comment the changed item carries now, when it is not this peering's own tag (a shared object): how a script finds it. */
  match?: string;
  /**
   * This side's own OpenVPN certificate (and its CA when missing) is made on the router before the
   * rest of the plan (`/certificate add` + `sign`: the key pair never leaves the router).
   */
  makeCertificate?: { role: "server" | "client"; serverNames: readonly string[] };
}

/** How a plan was made, to read the router back after applying it and see that it took. */
export interface PlanOrigin {
  /** What the plan wants (the render, or part of it); empty to remove. */
  desired: readonly RouterCommand[];
  /** The menus it read. */
  paths: readonly string[];
  /** Which of the changes a re-plan must not find again (a primary swap looks at filters and sessions only). */
  scope: (change: RouterOsChange) => boolean;
}

/** A plan for a RouterOS router, with what it was computed from (removed items are re-created from it on undo). */
export interface RouterOsPlan extends Plan {
  changes: RouterOsChange[];
  /** Not enumerable: it may hold secrets the router printed, and a plan is shown and serialised. */
  readonly observed: Observed;
  /** Whose objects these are (not enumerable). */
  readonly peering: string;
  /** How it was made (not enumerable); absent: it cannot be checked by a re-plan. */
  readonly origin?: PlanOrigin;
  /** The lock hold it was read under (not enumerable); null: read without the lock. */
  readonly lockEpoch?: number | null;
}

/** A plan with what it was computed from attached (not enumerable). */
export function withObserved(plan: Plan & { changes: RouterOsChange[] }, observed: Observed, peering: string, origin?: PlanOrigin): RouterOsPlan {
  Object.defineProperty(plan, "observed", { value: observed, enumerable: false });
  Object.defineProperty(plan, "peering", { value: peering, enumerable: false });
  if (origin !== undefined) Object.defineProperty(plan, "origin", { value: origin, enumerable: false });
  return plan as RouterOsPlan;
}

/** Marks the lock hold a plan was read under (not enumerable). */
export function readUnder(plan: RouterOsPlan, epoch: number | null): RouterOsPlan {
  Object.defineProperty(plan, "lockEpoch", { value: epoch, enumerable: false, configurable: true });
  return plan;
}

/** Whose an observed item is: its comment tag, or for certificates (which have no comment) its name. */
export function ownershipOf(path: string, peering: string, item: ObservedItem): { peering: string; role: string; peerings: readonly string[] } | null {
  if (path === "/certificate") {
    const tag = certificateOwnership(peering, item.name);
    return tag === null ? null : { ...tag, peerings: [tag.peering] };
  }
  return parseOwnershipTag(item.comment);
}

/** Whether `item` is this peering's object for `role`: its own, or a shared one whose tag lists it. */
function holds(peering: string, role: string, item: ObservedItem): boolean {
  const tag = parseOwnershipTag(item.comment);
  return tag !== null && tag.role === role && tag.peerings.includes(peering) && item.dynamic !== "true";
}

// The API prints booleans as true/false; bgpals writes yes/no.
function same(observed: string | undefined, wanted: string): boolean {
  if (observed === wanted) return true;
  const bool = (v: string | undefined) => (v === "yes" || v === "true" ? "T" : v === "no" || v === "false" ? "F" : v);
  if (bool(observed) === bool(wanted) && (observed === "true" || observed === "false" || observed === "yes" || observed === "no")) return true;
  // An unset attribute equals wanting it empty or "no".
  return observed === undefined && (wanted === "" || wanted === "no");
}

function describe(attrs: Record<string, string>, before: Record<string, string>, secret: readonly string[] = [], unset: readonly string[] = []): string {
  return [
    ...Object.keys(attrs).map((k) => (secret.includes(k) ? `${k} changed` : `${k} ${before[k] || "(unset)"} → ${attrs[k]}`)),
    ...unset.map((k) => `${k} ${before[k]} → (unset)`),
  ].join(", ");
}

/**
 * Plans one peering on one router. `desired` is the render (empty to remove the peering);
 * `observed` holds every item of the planned menus.
 */
export function planPeering(peering: string, desired: readonly RouterCommand[], observed: Observed): RouterOsPlan {
  const changes: RouterOsChange[] = [];
  const conflicts: Conflict[] = [];
  const wantedRoles = new Set(desired.map((c) => `${c.path} ${c.role}`));
  const items = (path: string) => observed[path] ?? [];
  const oneServer = desired.find((c) => c.singleton && c.path === ONE_SERVER_RECORD.server);
  // Using the one OpenVPN server means keeping its record.
  if (oneServer !== undefined) wantedRoles.add(`${ONE_SERVER_RECORD.path} ${ONE_SERVER_RECORD.role}`);
  const kept = keptCertificates(peering, observed);

  // Ours but no longer wanted (or duplicated): remove, most dependent first.
  const removing = desired.length === 0;
  for (const path of REMOVAL_ORDER) {
    if (PREPARED_MENUS.includes(path) && !removing) continue;
    const seen = new Set<string>();
    for (const item of items(path)) {
      const tag = ownershipOf(path, peering, item);
      if (tag === null || !tag.peerings.includes(peering) || item.dynamic === "true") continue;
      if (path === "/certificate" && kept.has(item.name ?? "")) continue;
      const key = `${path} ${tag.role}`;
      if (wantedRoles.has(key) && !seen.has(key)) {
        seen.add(key);
        continue;
      }
      if (tag.peerings.length > 1) {
        // Shared with other peerings: it stays for them, without this one in its tag.
        const others = tag.peerings.filter((x) => x !== peering);
        const comment = sharedOwnershipTag(others, tag.role);
        changes.push({ op: "set", path, attrs: { comment }, id: item[".id"], role: tag.role, reason: `kept for ${others.join(", ")}, which need it too`, before: { comment: item.comment ?? "" }, match: item.comment });
        continue;
      }
      const change: RouterOsChange = {
        op: "remove",
        path,
        attrs: {},
        id: item[".id"],
        next: null,
        role: tag.role,
        reason: wantedRoles.has(key) ? `a second object tagged ${item.comment}` : path === "/certificate" ? `certificate ${item.name} of peering ${peering}` : `no longer part of peering ${peering}`,
      };
      const lost = irreversibility(path, item);
      if (lost !== null) {
        change.irreversible = lost;
        change.reason += ` (removed last: ${lost})`;
      }
      changes.push(change);
    }
  }
  if (oneServer === undefined) giveServerBack(peering, observed, changes);

  for (const cmd of desired) {
    if (cmd === oneServer) {
      planOneServer(peering, cmd, observed, changes, conflicts);
      continue;
    }
    if (cmd.singleton) {
      planSingleton(cmd, items(cmd.path)[0], changes);
      continue;
    }
    const tag = ownershipTag(peering, cmd.role);
    const mine = items(cmd.path).find((i) => (cmd.shared ? holds(peering, cmd.role, i) : i.comment === tag) && i.dynamic !== "true");
    if (mine === undefined && cmd.shared) {
      const same = items(cmd.path).find((i) => cmd.shared!.every((k) => i[k] === cmd.attrs[k]) && i.dynamic !== "true");
      if (same !== undefined) {
        joinShared(peering, cmd, same, changes, conflicts);
        continue;
      }
    }
    if (mine === undefined) {
      const name = cmd.attrs.name;
      const clash = name === undefined ? undefined : items(cmd.path).find((i) => i.name === name && i.comment !== tag);
      if (clash !== undefined) {
        conflicts.push({
          path: cmd.path,
          name: name!,
          id: clash[".id"] ?? "",
          message: `${cmd.path} already has ${name} (${clash[".id"]}${clash.comment ? `, comment "${clash.comment}"` : ", no comment"}) without bgpals's tag ${tag}: bgpals never changes objects it did not create; rename or remove it, then plan again`,
        });
        continue;
      }
      changes.push({ op: "add", path: cmd.path, attrs: { ...cmd.attrs }, role: cmd.role, reason: cmd.why ?? `add ${cmd.role}`, command: cmd, ...secretOf(cmd) });
      continue;
    }
    const diff: Record<string, string> = {};
    const before: Record<string, string> = {};
    for (const [k, v] of Object.entries(cmd.attrs)) {
      // A shared object's tag lists every peering that needs it.
      if (cmd.shared && k === "comment") continue;
      // Secrets cannot be read back (RouterOS masks them); they are set on add only.
      if (cmd.secret?.includes(k) && mine[k] === undefined) continue;
      // A DNS name was resolved when the object was made; the router holds the address.
      if (cmd.resolve?.includes(k)) continue;
      if (!same(mine[k], v)) {
        diff[k] = v;
        before[k] = mine[k] ?? "";
      }
    }
    // What the command owns but leaves out must go: a plain set cannot take an attribute away.
    const unset = (cmd.owns ?? []).filter((k) => cmd.attrs[k] === undefined && (mine[k] ?? "") !== "");
    for (const k of unset) before[k] = mine[k]!;
    const sharers = cmd.shared ? (parseOwnershipTag(mine.comment)?.peerings ?? []).filter((x) => x !== peering) : [];
    if ((Object.keys(diff).length > 0 || unset.length > 0) && sharers.length > 0) {
      // Changing it would change it for the others too.
      conflicts.push({ path: cmd.path, name: cmd.shared!.map((k) => `${k}=${cmd.attrs[k]}`).join(" "), id: mine[".id"] ?? "", message: `${cmd.path} ${cmd.shared!.map((k) => `${k}=${cmd.attrs[k]}`).join(" ")} is shared with peering ${sharers.join(", ")} and RouterOS keeps only one, but this peering wants it changed (${describe(diff, before, cmd.secret, unset)}); make the peerings agree, then plan again` });
      continue;
    }
    if (Object.keys(diff).length > 0 || unset.length > 0) {
      const change: RouterOsChange = { op: "set", path: cmd.path, attrs: diff, id: mine[".id"], role: cmd.role, reason: describe(diff, before, cmd.secret, unset), before, command: cmd, ...secretOf(cmd) };
      if (unset.length > 0) change.unset = unset;
      changes.push(change);
    }
  }
  planOrder(peering, desired, observed, changes);
  return withObserved({ changes, conflicts }, observed, peering, { desired, paths: Object.keys(observed), scope: () => true });
}

/**
 * What was read, with the secrets the router never shows filled in where this side knows them (the
 * password of the account it granted the friend's monitor): a removal journals them, so an undo puts
 * the account back as it was.
 */
export function withKnownSecrets(observed: Observed, peering: string, secrets: LinkSecrets | undefined): Observed {
  const password = secrets?.monitorPassword;
  if (password === undefined || observed["/user"] === undefined) return observed;
  const tag = ownershipTag(peering, "monitor-user");
  return { ...observed, "/user": observed["/user"].map((u) => (u.comment === tag ? { ...u, password } : u)) };
}

const secretOf = (cmd: RouterCommand) => (cmd.secret ? { secret: cmd.secret } : {});

// --- The one OpenVPN server (before 7.17) ----------------------------------------------------
// Peerings share it when they want the same settings; its record (names.ts ONE_SERVER_RECORD)
// lists them and holds what the server had before bgpals, which the last peering to go sets back.
// A user's enabled server is never changed; a disabled one is taken over.

const SERVER_WORDS = `the one OpenVPN server RouterOS has before 7.17`;

/** The record of the one server and the peerings it lists; null when bgpals does not hold the server. */
function serverRecord(observed: Observed): { item: ObservedItem; peerings: readonly string[] } | null {
  const item = (observed[ONE_SERVER_RECORD.path] ?? []).find((i) => i.name === ONE_SERVER_RECORD.name);
  const tag = parseOwnershipTag(item?.comment);
  return item === undefined || tag === null ? null : { item, peerings: tag.peerings };
}

/**
 * What the server would change to: the command's settings against what the server holds. Once
 * bgpals holds it, its certificate is that of the peering that set it up, and stays (kept after that
 * peering goes): the friends of the peerings that joined trust that certificate's CA (the offer
 * hands it to them, router.ts makeCertificates).
 */
function serverChanges(cmd: RouterCommand, server: ObservedItem | undefined, shared: boolean): { diff: Record<string, string>; before: Record<string, string> } {
  const diff: Record<string, string> = {};
  const before: Record<string, string> = {};
  const bgpalsCertificate = serverCertificateOwner(server?.certificate) !== null;
  for (const [k, v] of Object.entries(cmd.attrs)) {
    if (k === "certificate" && shared && bgpalsCertificate) continue;
    if (!same(server?.[k], v)) {
      diff[k] = v;
      before[k] = server?.[k] ?? "";
    }
  }
  return { diff, before };
}

function planOneServer(peering: string, cmd: RouterCommand, observed: Observed, changes: RouterOsChange[], conflicts: Conflict[]): void {
  const server = (observed[cmd.path] ?? [])[0];
  const record = serverRecord(observed);
  const holders = record?.peerings ?? [];
  const others = holders.filter((p) => p !== peering);
  const { diff, before } = serverChanges(cmd, server, record !== null);
  const differing = Object.keys(diff).map((k) => `${k} ${before[k] || "(unset)"} (now) against ${diff[k]}`).join(", ");
  const conflict = (message: string) => conflicts.push({ path: cmd.path, name: "ovpn-server", id: "", message });
  if (record !== null && others.length > 0 && Object.keys(diff).length > 0) {
    conflict(`${SERVER_WORDS} serves peering ${others.join(", ")} with other settings: ${differing}; changing it would cut ${others.length === 1 ? "that peering's" : "their"} tunnels. Give this peering's OpenVPN links the same port and protocol (and both friends the same RouterOS generation, which decides cipher and auth), or let the friend run the server`);
    return;
  }
  if (record === null && isTrue(server?.enabled) && Object.keys(diff).length > 0) {
    conflict(`${SERVER_WORDS} is already enabled with other settings (${differing}), and bgpals did not set it up: bgpals never changes it, since that would cut whoever uses it. Disable it (bgpals then takes it over and sets it back when the last peering goes), or let the friend run the server`);
    return;
  }
  if (record === null) {
    changes.push({
      op: "add",
      path: ONE_SERVER_RECORD.path,
      attrs: { name: ONE_SERVER_RECORD.name, disabled: "yes", "on-event": restoreScript(cmd.path, Object.keys(cmd.attrs), server), comment: ownershipTag(peering, ONE_SERVER_RECORD.role) },
      role: ONE_SERVER_RECORD.role,
      reason: `record of ${SERVER_WORDS}: which peerings use it, and its settings before bgpals, set back when the last one goes`,
    });
  } else if (!holders.includes(peering)) {
    changes.push({
      op: "set",
      path: ONE_SERVER_RECORD.path,
      attrs: { comment: sharedOwnershipTag([...holders, peering], ONE_SERVER_RECORD.role) },
      id: record.item[".id"],
      role: ONE_SERVER_RECORD.role,
      reason: `${SERVER_WORDS} is shared with ${holders.join(", ")}, with the same settings`,
      before: { comment: record.item.comment ?? "" },
      match: record.item.comment,
    });
  }
  if (Object.keys(diff).length > 0) {
    changes.push({ op: "set", path: cmd.path, attrs: diff, role: cmd.role, reason: `${cmd.why ?? cmd.role}: ${describe(diff, before)}`, before, command: cmd });
  }
}

/** The last peering using the one server leaves: the server gets back what its record holds. */
function giveServerBack(peering: string, observed: Observed, changes: RouterOsChange[]): void {
  const record = serverRecord(observed);
  if (record === null || record.peerings.length !== 1 || record.peerings[0] !== peering) return;
  const server = (observed[ONE_SERVER_RECORD.server] ?? [])[0];
  const was = parseRestoreScript(record.item["on-event"] ?? "");
  const attrs: Record<string, string> = {};
  const before: Record<string, string> = {};
  for (const [k, v] of Object.entries(was.set)) {
    if (!same(server?.[k], v)) {
      attrs[k] = v;
      before[k] = server?.[k] ?? "";
    }
  }
  const unset = was.unset.filter((k) => (server?.[k] ?? "") !== "");
  for (const k of unset) before[k] = server![k]!;
  if (Object.keys(attrs).length > 0 || unset.length > 0) {
    const change: RouterOsChange = { op: "set", path: ONE_SERVER_RECORD.server, attrs, role: ONE_SERVER_RECORD.role, reason: `${SERVER_WORDS} as it was before bgpals: ${describe(attrs, before, [], unset)}`, before };
    if (unset.length > 0) {
      change.unset = unset;
      (change as { owns?: string[] }).owns = unset;
    }
    changes.push(change);
  }
  // A certificate of a peering gone before, kept while the server used it, goes with the server.
  const owner = serverCertificateOwner(server?.certificate);
  if (owner !== null && owner !== peering) {
    const names = certificateNames(owner);
    for (const item of observed["/certificate"] ?? []) {
      if (item.name !== names.server && item.name !== names.ca) continue;
      const lost = irreversibility("/certificate", item)!;
      changes.push({ op: "remove", path: "/certificate", attrs: {}, id: item[".id"], next: null, role: certificateOwnership(owner, item.name)!.role, reason: `certificate ${item.name}, kept for ${SERVER_WORDS} after ${owner} went (removed last: ${lost})`, irreversible: lost });
    }
  }
}

/**
 * This peering's server certificate and its CA stay while the one server uses them for others
 * (the peering that set the server up leaves first).
 */
function keptCertificates(peering: string, observed: Observed): Set<string> {
  const record = serverRecord(observed);
  const server = (observed[ONE_SERVER_RECORD.server] ?? [])[0];
  const names = certificateNames(peering);
  if (record === null || server?.certificate !== names.server || !record.peerings.some((p) => p !== peering)) return new Set();
  return new Set([names.server, names.ca]);
}

const isTrue = (v: string | undefined) => v === "true" || v === "yes";

/** A RouterOS script that sets the server back: `set k=v ...`, `!k` for what was not set. */
function restoreScript(path: string, keys: readonly string[], server: ObservedItem | undefined): string {
  const words = keys.map((k) => {
    const v = server?.[k];
    if (v === undefined) return `!${k}`;
    return `${k}=${quote(v === "true" ? "yes" : v === "false" ? "no" : v)}`;
  });
  return `${menuLine(path)} set ${words.join(" ")}`;
}

/** The settings a restore script holds (restoreScript's own form). */
export function parseRestoreScript(script: string): { set: Record<string, string>; unset: string[] } {
  const out: { set: Record<string, string>; unset: string[] } = { set: {}, unset: [] };
  const body = script.replace(/^.*? set /, "");
  const word = /\s*(!?)([A-Za-z0-9.-]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?/gy;
  for (let m = word.exec(body); m !== null && m[0] !== ""; m = word.exec(body)) {
    if (m[1] === "!") {
      out.unset.push(m[2]!);
      continue;
    }
    const raw = m[3] ?? "";
    out.set[m[2]!] = raw.startsWith('"') ? unquote(raw.slice(1, -1)) : raw;
  }
  return out;
}

function unquote(text: string): string {
  const named: Record<string, string> = { n: "\n", r: "\r", t: "\t" };
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = text.slice(i + 1, i + 3);
    if (/^[0-9A-F]{2}$/.test(next)) {
      bytes.push(parseInt(next, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(named[text[i + 1]!] ?? text[i + 1]!, "utf8"));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * An object RouterOS keeps one of (cmd.shared) is already there: another peering's, shared when it
 * holds what this one wants (its tag then lists this peering too); a user's is never taken.
 */
function joinShared(peering: string, cmd: RouterCommand, item: ObservedItem, changes: RouterOsChange[], conflicts: Conflict[]): void {
  const tag = parseOwnershipTag(item.comment);
  const what = cmd.shared!.map((k) => `${k}=${cmd.attrs[k]}`).join(" ");
  if (tag === null || tag.role !== cmd.role) {
    conflicts.push({
      path: cmd.path,
      name: what,
      id: item[".id"] ?? "",
      message: `${cmd.path} already has ${what} (${item[".id"]}${item.comment ? `, comment "${item.comment}"` : ", no comment"}), which bgpals did not make, and RouterOS keeps only one: bgpals never changes objects it did not create; remove it (bgpals adds its own), then plan again`,
    });
    return;
  }
  const differing = Object.entries(cmd.attrs).filter(([k, v]) => k !== "comment" && !same(item[k], v)).map(([k, v]) => `${k} ${item[k] ?? "(unset)"} (theirs) against ${v}`);
  if (differing.length > 0) {
    conflicts.push({
      path: cmd.path,
      name: what,
      id: item[".id"] ?? "",
      message: `${cmd.path} ${what} is shared with peering ${tag.peerings.join(", ")} and RouterOS keeps only one, but it differs: ${differing.join(", ")}; make the peerings agree, then plan again`,
    });
    return;
  }
  const comment = sharedOwnershipTag([...tag.peerings, peering], cmd.role);
  changes.push({ op: "set", path: cmd.path, attrs: { comment }, id: item[".id"], role: cmd.role, reason: `${cmd.why ?? cmd.role}: shared with ${tag.peerings.join(", ")} (RouterOS keeps one)`, before: { comment: item.comment ?? "" }, command: cmd, match: item.comment });
}

function planSingleton(cmd: RouterCommand, current: ObservedItem | undefined, changes: RouterOsChange[]): void {
  const diff: Record<string, string> = {};
  const before: Record<string, string> = {};
  for (const [k, v] of Object.entries(cmd.attrs)) {
    if (!same(current?.[k], v)) {
      diff[k] = v;
      before[k] = current?.[k] ?? "";
    }
  }
  if (Object.keys(diff).length > 0) {
    changes.push({ op: "set", path: cmd.path, attrs: diff, role: cmd.role, reason: `${cmd.why ?? cmd.role}: ${describe(diff, before)}`, before, command: cmd });
  }
}

/** The inverse of a change, for the apply journal. `newId` is what an add returned. */
export function inverseOf(change: RouterOsChange, removed?: ObservedItem, newId?: string): RouterOsChange {
  switch (change.op) {
    case "move": {
      // Back in front of what followed it, or last.
      const back: RouterOsChange = { op: "move", path: change.path, attrs: {}, id: change.id, role: change.role, reason: `undo: move ${change.role}` };
      if (change.next !== null && change.next !== undefined) back.placeBefore = change.next;
      return back;
    }
    case "add":
      return { op: "remove", path: change.path, attrs: {}, id: newId, role: change.role, reason: `undo: add ${change.role}` };
    case "set": {
      // Back to the old values; an owned attribute that was not there is cleared again, not set to "".
      const attrs: Record<string, string> = {};
      const unset: string[] = [];
      const owns = change.command?.owns ?? (change as { owns?: readonly string[] }).owns;
      for (const [k, was] of Object.entries(change.before ?? {})) {
        if (was === "" && owns?.includes(k)) unset.push(k);
        else attrs[k] = was;
      }
      const inverse: RouterOsChange = { op: "set", path: change.path, attrs, id: change.id, role: change.role, reason: `undo: ${change.reason}` };
      if (unset.length > 0) inverse.unset = unset;
      return inverse;
    }
    case "remove": {
      // Re-create what was removed, minus what the router computes itself.
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(removed ?? {})) if (!k.startsWith(".") && !readOnly(change.path, k, v)) attrs[k] = v;
      const back: RouterOsChange = { op: "add", path: change.path, attrs, role: change.role, reason: `undo: remove ${change.role}` };
      if (change.next !== null && change.next !== undefined) back.placeBefore = change.next;
      return back;
    }
  }
}

// Attributes the router prints but does not accept on add: flags, counters, and session state
// (RouterOS 6 prints a BGP peer's state on the peer itself; a user when it last logged in).
export const READ_ONLY = new Set([
  "dynamic", "invalid", "running", "inactive", "active", "last-handshake", "rx", "tx", "current-endpoint-address", "current-endpoint-port", "bytes", "packets", "creation-time",
  "state", "established", "uptime", "prefix-count", "updates-sent", "updates-received", "withdrawn-sent", "withdrawn-received", "remote-id",
  "remote-hold-time", "used-hold-time", "used-keepalive-time", "refresh-capability", "as4-capability", "last-error", "limit-exceeded", "last-logged-in", "expired",
  // A scheduler entry (the record of the one OpenVPN server) counts its runs and says who made it.
  "run-count", "next-run", "owner",
]);

/** Secrets each menu holds: shown only to users with the `sensitive` policy (a user's password never). */
export const SENSITIVE: Readonly<Record<string, readonly string[]>> = {
  "/interface/wireguard": ["private-key"],
  "/interface/wireguard/peers": ["preshared-key"],
  "/ppp/secret": ["password"],
  "/interface/ovpn-client": ["password"],
  "/user": ["password"],
};

const MASKED = /^\*+$/;

/** A secret as the router printed it: null when masked or not shown. */
export function shownSecret(value: string | undefined): string | null {
  return value === undefined || value === "" || MASKED.test(value) ? null : value;
}

function readOnly(path: string, attr: string, value: string): boolean {
  // The public key follows from the private key; a private key shown masked cannot be given back.
  if (path === "/interface/wireguard" && (attr === "public-key" || (attr === "private-key" && shownSecret(value) === null))) return true;
  return READ_ONLY.has(attr) || (SENSITIVE[path]?.includes(attr) === true && shownSecret(value) === null);
}

/**
 * Why re-creating a removed item would not give back what it was, or null when it would: a
 * certificate's key pair cannot be made again, and a secret the router does not show is lost.
 */
export function irreversibility(path: string, item: ObservedItem): string | null {
  if (path === "/certificate") return "a certificate's key pair cannot be made again: if anything fails after it, prepare the peering again (offer or accept)";
  if (path === "/interface/wireguard" && shownSecret(item["private-key"]) === null) {
    return `its private key cannot be read by this user (its group lacks the sensitive policy): if anything fails after it, ${item.name ?? "the interface"} comes back with a new key and the friend needs the new public key`;
  }
  if (path === "/user" && shownSecret(item.password) === null) {
    return `its password is not kept on this computer (RouterOS never shows one): if anything fails after it, ${item.name ?? "the account"} comes back disabled and must be granted again`;
  }
  if ((path === "/ppp/secret" || path === "/interface/ovpn-client") && shownSecret(item.password) === null) {
    return `its password cannot be read by this user (its group lacks the sensitive policy): if anything fails after it, ${item.name ?? "it"} comes back disabled until its password is set again`;
  }
  return null;
}

// --- Order ------------------------------------------------------------------------------------
// Where items act in the order they are listed (filter rules), a plan puts each new item in front
// of the one it must precede and moves items someone reordered, so the order the render gives is
// the order on the router. Removals and moves remember what followed each item, for undo.

/** The positions of a menu's items as apply will change them, one change at a time, in plan order. */
class Listing {
  readonly ids: string[];
  constructor(items: readonly ObservedItem[]) {
    this.ids = items.filter((i) => i.dynamic !== "true").map((i) => i[".id"] ?? "");
  }
  next(id: string): string | null {
    const at = this.ids.indexOf(id);
    return at < 0 || at === this.ids.length - 1 ? null : this.ids[at + 1]!;
  }
  remove(id: string): void {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
  }
  move(id: string, before: string | undefined): void {
    this.remove(id);
    const at = before === undefined ? -1 : this.ids.indexOf(before);
    if (at < 0) this.ids.push(id);
    else this.ids.splice(at, 0, id);
  }
  position(id: string): number {
    return this.ids.indexOf(id);
  }
}

function planOrder(peering: string, desired: readonly RouterCommand[], observed: Observed, changes: RouterOsChange[]): void {
  const listings = new Map<string, Listing>();
  const listing = (path: string) => {
    if (!listings.has(path)) listings.set(path, new Listing(observed[path] ?? []));
    return listings.get(path)!;
  };
  // Removals go first, in plan order: what follows each is read as apply will find it.
  for (const change of changes) {
    if (change.op !== "remove" || !PLACEABLE_MENUS.includes(change.path)) continue;
    const list = listing(change.path);
    change.next = list.next(change.id!);
    list.remove(change.id!);
  }
  const moves: RouterOsChange[] = [];
  for (const [path, groupBy] of Object.entries(ORDERED_MENUS)) {
    const commands = desired.filter((c) => c.path === path);
    if (commands.length === 0) continue;
    const list = listing(path);
    const items = new Map((observed[path] ?? []).map((i) => [i[".id"] ?? "", i]));
    const groups = [...new Set(commands.map((c) => c.attrs[groupBy] ?? ""))];
    for (const group of groups) {
      const roles = commands.filter((c) => (c.attrs[groupBy] ?? "") === group);
      moves.push(...orderGroup(peering, path, roles, list, items, groupBy, group, changes));
    }
  }
  // Moves go between removals and adds (apply.ts stages them so).
  const firstAdd = changes.findIndex((c) => c.op !== "remove");
  changes.splice(firstAdd < 0 ? changes.length : firstAdd, 0, ...moves);
}

/** Moves for one chain, and where each new item of it goes. */
function orderGroup(
  peering: string,
  path: string,
  commands: readonly RouterCommand[],
  list: Listing,
  items: ReadonlyMap<string, ObservedItem>,
  groupBy: string,
  group: string,
  changes: RouterOsChange[],
): RouterOsChange[] {
  // Ours that stay, by their place in the render.
  const kept: Array<{ index: number; id: string; role: string }> = [];
  commands.forEach((cmd, index) => {
    const tag = ownershipTag(peering, cmd.role);
    const id = list.ids.find((x) => items.get(x)?.comment === tag);
    if (id !== undefined) kept.push({ index, id, role: cmd.role });
  });
  kept.sort((a, b) => list.position(a.id) - list.position(b.id));
  // A rule placed at the top of its chain goes above every rule of that chain bgpals did not make.
  const top = commands.some((c) => c.placement === "top");
  const foreign = top ? list.ids.find((x) => { const i = items.get(x); return i !== undefined && (i[groupBy] ?? "") === group && parseOwnershipTag(i.comment) === null; }) : undefined;
  const belowForeign = (id: string) => foreign !== undefined && list.position(id) > list.position(foreign);

  // The longest run already in render order stays; every other kept item moves. Rules at the top
  // (firewall accepts) only need to stay above the others' rules; among themselves order is moot.
  const staying = new Set(top ? (kept.some((k) => belowForeign(k.id)) ? [] : kept.map((k) => k.index)) : longestOrderedRun(kept.map((k) => k.index)));
  const moves: RouterOsChange[] = [];
  const placed: Array<{ index: number; id: string }> = kept.filter((k) => staying.has(k.index));
  for (const k of [...kept].sort((a, b) => b.index - a.index)) {
    if (staying.has(k.index)) continue;
    const after = placed.filter((p) => p.index > k.index).sort((a, b) => a.index - b.index)[0];
    const destination = after?.id ?? foreign;
    const move: RouterOsChange = { op: "move", path, attrs: {}, id: k.id, role: k.role, next: list.next(k.id), reason: `${k.role} is out of place in ${group}: it goes ${after ? `before ${commands[after.index]!.role}` : destination !== undefined ? "above the rules bgpals did not make" : "last"}` };
    if (destination !== undefined) move.placeBefore = destination;
    list.move(k.id, destination);
    moves.push(move);
    placed.push({ index: k.index, id: k.id });
  }
  // New items go in front of the next one of ours that stays, in render order.
  commands.forEach((cmd, index) => {
    const add = changes.find((c) => c.op === "add" && c.path === path && c.role === cmd.role);
    if (add === undefined) return;
    const after = kept.filter((k) => k.index > index).sort((a, b) => a.index - b.index)[0];
    if (after !== undefined) add.placeBefore = after.id;
    else if (top && foreign !== undefined) add.placeBefore = foreign;
  });
  return moves;
}

/** Positions (into `sequence`) of one longest strictly increasing subsequence. */
function longestOrderedRun(sequence: readonly number[]): number[] {
  const tails: number[] = [];
  const previous: number[] = new Array(sequence.length).fill(-1);
  for (let i = 0; i < sequence.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sequence[tails[mid]!]! < sequence[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const run: number[] = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) run.push(sequence[i]!);
  return run.reverse();
}
