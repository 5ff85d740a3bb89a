// The config store of a lab router: menus described as data, items, hooks, API verbs, snapshots.
export { createStoreHandler, type StoreHandlerOptions } from "./commands.js";
export {
  Menu,
  attributes,
  formatId,
  parseId,
  type Attributes,
  type HookContext,
  type MenuDescriptor,
  type MenuHooks,
  type MenuHost,
  type Origin,
  type ProposedChange,
  type Row,
} from "./menu.js";
export { ABSENT, compileQuery, compareValues, necessaryValues, type RowPredicate } from "./query.js";
export {
  ConfigStore,
  V6_MESSAGES,
  V7_MESSAGES,
  type ConfigSnapshot,
  type StoreEvent,
  type StoreListener,
  type StoreMessages,
  type StoreOptions,
} from "./store.js";
