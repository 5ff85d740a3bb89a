// What a plan is, whatever the platform: the ordered changes that make a router hold what a
// peering asks (add, set, remove, each with its reason), and the conflicts that stop it.

export interface Change {
  /** move: the item goes elsewhere in its list, where order decides what it does (filter rules). */
  op: "add" | "set" | "remove" | "move";
  /** Where on the router: a RouterOS menu, or a file on a Linux host. */
  path: string;
  /** add: every attribute; set: only those that change; remove: none. */
  attrs: Record<string, string>;
  /** set: attributes to clear, which the change owns but no longer names. */
  unset?: string[];
  /** The router's id of the item changed (set, remove); absent for add and for single settings. */
  id?: string;
  /** Ownership role, part of the object's ownership tag. */
  role: string;
  reason: string;
  /** set: the values being replaced or cleared ("" where there was none). */
  before?: Record<string, string>;
  /** add, move: the item it goes in front of; absent: the end of the list. Where order matters only. */
  placeBefore?: string;
  /** move, remove: the item that followed it before the change (null: it was last), where undo puts it back. */
  next?: string | null;
  /** Attributes whose values are secrets: masked wherever the plan is shown. */
  secret?: readonly string[];
  /**
   * For people, what the change does in a few words, where its attributes are too long to read in a
   * plan (a file's whole contents): the text views show it instead; JSON keeps the attributes.
   */
  summary?: string;
  /**
   * For people, what the change is listed under where its path is a platform's key for it rather
   * than a place to read (a Linux host's "files", "BIRD"); absent, the path is (a RouterOS menu).
   */
  heading?: string;
}

export interface Conflict {
  path: string;
  name: string;
  id: string;
  message: string;
}

export interface Plan {
  changes: Change[];
  conflicts: Conflict[];
}

export const SECRET_MASK = "********";
