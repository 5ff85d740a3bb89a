// ssh2 loaded on first use, not with the module that uses it: it is some forty CommonJS files and two
// native bindings, and most commands speak the RouterOS API only (loading it was about a fifth of
// every start of bgpals).
import { createRequire } from "node:module";
import type * as Ssh2 from "ssh2";

let loaded: typeof Ssh2 | undefined;

export function ssh2(): typeof Ssh2 {
  return (loaded ??= createRequire(import.meta.url)("ssh2") as typeof Ssh2);
}
