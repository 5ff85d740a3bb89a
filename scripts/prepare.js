// npm's `prepare`: builds dist/ when a checkout needs it (a fresh clone's `npm ci`, a git install,
// `npm install -g .` after a change), and does nothing when dist/ is already newer than every
// source, or when there are no sources: the packed package (`npm pack`, whose `prepack` builds)
// ships dist/ and no src/, so installing it never builds.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist/bundle/main.js");
/** What `npm run build` reads: when one of these is newer than the bundle, dist/ is stale. */
const SOURCES = ["src", "tsconfig.json", "tsconfig.build.json", "scripts/bundle.js", "package-lock.json"];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

if (!existsSync(join(root, "src"))) {
  console.log("bgpals: the built program ships with the package; nothing to build");
} else if (existsSync(built) && newest(built) >= Math.max(...SOURCES.filter((s) => existsSync(join(root, s))).map((s) => newest(join(root, s))))) {
  console.log("bgpals: dist/ is newer than the sources; nothing to build (npm run build builds anyway)");
} else {
  execSync("npm run build", { cwd: root, stdio: "inherit" });
}
