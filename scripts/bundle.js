// The CLI as few files: dist/cli/main.js (tsc's output) and everything it imports, its npm
// dependencies too, bundled into dist/bundle/, which bin/bgpals.js starts. Run by `npm run build`
// after tsc.
//
// Why: a start of the CLI from dist/cli/ resolved, read and linked some 400 modules (95 of them
// zod's, and the CommonJS of ajv, node-routeros and ip-num), about half a second of CPU before the
// first command ran. One file per lazily loaded command (the chunks below) costs a fraction of that.
// dist/ keeps tsc's modules for the benchmarks and scripts that import them one by one.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const input = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const dir = fileURLToPath(new URL("../dist/bundle/", import.meta.url));

// Left to Node: ssh2 loads optional native modules (cpu-features, its own crypto binding) with
// require() in try blocks; ssh2 and conf are required where first used (src/platforms/ssh2.ts,
// src/store/profiles.ts), not parsed on every start (test/cli/startup.test.ts); the keyring is a
// native module (src/store/secrets.ts loads it lazily); the other two are optional and only loaded
// when asked for (node-routeros under ENV=testing, Ink's React devtools under DEV=true), and not
// installed.
const EXTERNAL = ["ssh2", "conf", "@napi-rs/keyring", "source-map-support", "react-devtools-core"];

rmSync(dir, { recursive: true, force: true });
const bundle = await rolldown({
  input,
  platform: "node",
  external: (id) => EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`)),
  logLevel: "warn",
  // React's (and the reconciler's) production build only: the development one was 600 KB more to
  // parse at every start of the screens, and ran under any NODE_ENV a parent left set (vitest sets
  // "test"). Tests that render in-process import the sources and keep the development build.
  transform: { define: { "process.env.NODE_ENV": JSON.stringify("production") } },
});
try {
  // Each chunk a name that says what it holds; `main.js` the entry bin/bgpals.js imports.
  await bundle.write({ dir, format: "esm", entryFileNames: "main.js", chunkFileNames: "[name]-[hash].js" });
} finally {
  await bundle.close();
}
