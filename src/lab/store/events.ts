// What a lab router's config store tells its listeners, and the words both the store and its menus
// share. Kept apart so that a menu (menu.ts) and the store holding it (store.ts) need not import
// each other.

/** Attribute values keyed by name; always created without a prototype (names come from clients). */
export type Attributes = Record<string, string>;

/** Who asks for a change: a client over the API, or the lab itself (seeds, dataplane, faults). */
export type Origin = "api" | "system";

export type StoreEvent =
  | { readonly kind: "add"; readonly path: string; readonly id: string | null; readonly after: Readonly<Attributes> }
  | {
      readonly kind: "set";
      readonly path: string;
      readonly id: string | null;
      readonly before: Readonly<Attributes>;
      readonly after: Readonly<Attributes>;
    }
  | { readonly kind: "remove"; readonly path: string; readonly id: string | null; readonly before: Readonly<Attributes> };

export type StoreListener = (event: StoreEvent) => void;

/** Wordings that differ between RouterOS generations. */
export interface StoreMessages {
  unknownParameter(name: string): string;
}
