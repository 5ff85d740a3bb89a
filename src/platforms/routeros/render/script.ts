// The same commands as a RouterOS script (.rsc) an admin can paste, or as JSON.
import { isIPv4 } from "../../../core/ipv4.js";
import { maskedAttrs, unsetWords } from "../../../core/plan-view.js";
import { SECRET_MASK, type Plan } from "../../../core/plan.js";
import { ownershipTag } from "../names.js";
import type { RouterCommand } from "../types.js";

export { SECRET_MASK };


/** "/interface/wireguard/peers" → "/interface wireguard peers", as RouterOS exports print menus. */
export function menuLine(path: string): string {
  return `/${path.split("/").filter(Boolean).join(" ")}`;
}

const BARE = /^[A-Za-z0-9._:/,@+*-]+$/;

/** Quotes a value the way RouterOS's parser needs it; plain words stay bare. */
export function quote(value: string): string {
  if (value !== "" && BARE.test(value)) return value;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\" || ch === "$" || ch === "?") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code > 0x7e) out += [...Buffer.from(ch, "utf8")].map((b) => `\\${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
    else out += ch;
  }
  return `${out}"`;
}

function attrValue(cmd: RouterCommand, key: string, value: string, maskSecrets: boolean): string {
  if (maskSecrets && cmd.secret?.includes(key)) return quote(SECRET_MASK);
  // The router resolves names itself when the script runs.
  if (cmd.resolve?.includes(key) && !isIPv4(value.replace(/\/32$/, ""))) return `[:resolve ${quote(value).startsWith('"') ? quote(value) : `"${value}"`}]`;
  return quote(value);
}

export interface ScriptOptions {
  /** Lines printed first, as comments. */
  header?: string[];
  /** Print secrets as ******** (default). Only a router-bound apply sees them. */
  maskSecrets?: boolean;
}

/** A paste-able RouterOS script: one menu line per group, then `add k=v ...` lines. */
export function toScript(commands: readonly RouterCommand[], options: ScriptOptions = {}): string {
  const maskSecrets = options.maskSecrets ?? true;
  const lines = (options.header ?? []).map((h) => `# ${h}`);
  let menu = "";
  for (const cmd of commands) {
    const line = menuLine(cmd.path);
    if (line !== menu) {
      lines.push(line);
      menu = line;
    }
    const words = Object.keys(cmd.attrs)
      .sort()
      .map((k) => `${k}=${attrValue(cmd, k, cmd.attrs[k]!, maskSecrets)}`);
    // RouterOS appends new firewall rules; ours must sit above a final drop.
    if (cmd.placement === "top") words.push("place-before=[:pick [find dynamic=no] 0]");
    lines.push([cmd.verb, ...words].join(" "));
  }
  return `${lines.join("\n")}\n`;
}

/** The JSON form of a command, secrets masked. */
export function commandJson(cmd: RouterCommand): Record<string, unknown> {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(cmd.attrs)) attrs[k] = cmd.secret?.includes(k) ? SECRET_MASK : v;
  const out: Record<string, unknown> = { path: cmd.path, verb: cmd.verb, attrs, role: cmd.role };
  if (cmd.singleton) out.singleton = true;
  if (cmd.placement) out.placement = cmd.placement;
  if (cmd.resolve) out.resolve = cmd.resolve;
  if (cmd.secret) out.secret = cmd.secret;
  if (cmd.why) out.why = cmd.why;
  return out;
}

/** A plan as a script: adds as they are, sets and removes by our ownership tag; `!name` clears an attribute. */
export function planScript(plan: Plan, peering: string): string {
  const lines: string[] = [`# bgpals plan for peering ${peering}`];
  for (const c of plan.changes) {
    // A shared object carries every peering that needs it in its tag: it is found by what it holds now.
    const comment = (c as { match?: string }).match ?? ownershipTag(peering, c.role);
    const find = c.id === undefined && c.op === "set" ? "" : `[find comment=${quote(comment)}] `;
    // Where order matters, by the router's ids (the script runs on the router the plan was made for).
    const place = c.placeBefore === undefined ? [] : [`${c.op === "move" ? "destination" : "place-before"}=${c.placeBefore}`];
    const attrs = [...Object.entries(maskedAttrs(c)).map(([k, v]) => `${k}=${quote(v)}`), ...unsetWords(c), ...place].join(" ");
    lines.push(`${menuLine(c.path)} ${c.op}${c.op === "add" ? "" : ` ${find.trim()}`} ${attrs}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}
