// The configuration of one lab router: its menus by API path, change notification, and a
// deterministic snapshot for tests that compare "before" and "after".
import { TrapMessage } from "../protocol/traps.js";
import type { Attributes, Origin, StoreEvent, StoreListener, StoreMessages } from "./events.js";
import { Menu, attributes, type MenuDescriptor, type MenuHost } from "./menu.js";

export type { StoreEvent, StoreListener, StoreMessages } from "./events.js";

export const V7_MESSAGES: StoreMessages = { unknownParameter: TrapMessage.unknownParameter };
/** RouterOS 6 does not name the parameter it refuses. */
export const V6_MESSAGES: StoreMessages = { unknownParameter: () => "unknown parameter" };

export interface StoreOptions {
  messages?: StoreMessages;
  /** Told when a change listener throws; the change itself stands. */
  onListenerError?: (error: unknown, event: StoreEvent) => void;
}

/** Menus by path; list menus as arrays of items, singletons as one record. Keys sorted, `.id` first. */
export type ConfigSnapshot = Record<string, Attributes[] | Attributes>;

export class ConfigStore implements MenuHost {
  readonly messages: StoreMessages;
  private readonly menus = new Map<string, Menu>();
  private readonly listeners = new Set<{ listener: StoreListener; path: string | undefined }>();
  private readonly onListenerError: StoreOptions["onListenerError"];

  constructor(options: StoreOptions = {}) {
    this.messages = options.messages ?? V7_MESSAGES;
    this.onListenerError = options.onListenerError;
  }

  /**
   * Adds a menu and its seed items (added as the router itself would: hooks run, ids in order).
   * A singleton takes its first seed as its values.
   */
  register(descriptor: MenuDescriptor, seed: readonly Readonly<Record<string, string>>[] = []): Menu {
    if (this.menus.has(descriptor.path)) throw new Error(`menu ${descriptor.path} is already registered`);
    const menu = new Menu(this, descriptor);
    this.menus.set(descriptor.path, menu);
    if (menu.singleton) {
      if (seed[0] !== undefined) menu.set(null, seed[0], "system");
    } else {
      for (const item of seed) menu.add(item, "system");
    }
    return menu;
  }

  menu(path: string): Menu | undefined {
    return this.menus.get(path);
  }

  /** The menu at `path`; throws when there is none (a lab wiring mistake, not a client's). */
  at(path: string): Menu {
    const menu = this.menus.get(path);
    if (menu === undefined) throw new Error(`no menu ${path} in this lab router`);
    return menu;
  }

  get paths(): string[] {
    return [...this.menus.keys()].sort();
  }

  /** Calls `listener` after every change (of one menu when `path` is given); returns the unsubscribe. */
  subscribe(listener: StoreListener, path?: string): () => void {
    const entry = { listener, path };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** @internal called by menus after a change is stored. */
  emit(event: StoreEvent): void {
    for (const entry of [...this.listeners]) {
      if (entry.path !== undefined && entry.path !== event.path) continue;
      try {
        entry.listener(event);
      } catch (error) {
        this.onListenerError?.(error, event);
      }
    }
  }

  // Shortcuts for lab code (origin "system": read-only attributes and hooks' API checks pass).

  add(path: string, item: Readonly<Record<string, string>>, origin: Origin = "system"): string {
    return this.at(path).add(item, origin);
  }

  set(path: string, ref: string | null, changes: Readonly<Record<string, string>>, origin: Origin = "system"): void {
    this.at(path).set(ref === null ? null : [ref], changes, origin);
  }

  remove(path: string, ref: string, origin: Origin = "system"): void {
    this.at(path).remove([ref], origin);
  }

  get(path: string, ref?: string): Attributes | undefined {
    return this.at(path).get(ref);
  }

  list(path: string): Attributes[] {
    return this.at(path).list();
  }

  snapshot(paths: readonly string[] = this.paths): ConfigSnapshot {
    const out: ConfigSnapshot = attributes() as unknown as ConfigSnapshot;
    for (const path of [...paths].sort()) {
      const menu = this.at(path);
      out[path] = menu.singleton ? sortedKeys(menu.get()!) : menu.list().map(sortedKeys);
    }
    return out;
  }

  /** The whole configuration as stable, pretty JSON. */
  exportJson(paths?: readonly string[]): string {
    return JSON.stringify(this.snapshot(paths), null, 2) + "\n";
  }
}

function sortedKeys(item: Attributes): Attributes {
  const names = Object.keys(item).sort((a, b) => (a === ".id" ? -1 : b === ".id" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return attributes(names.map((name) => [name, item[name]!] as const));
}
