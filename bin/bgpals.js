#!/usr/bin/env node
// Launcher: runs the built CLI, dist/bundle/ (`npm run build`: tsc, then scripts/bundle.js). A
// checkout builds it on `npm ci` (`prepare`); the packed package ships it, so an installed bgpals
// starts without building anything.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/bundle/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("bgpals: the compiled program is missing; run `npm run build` in the bgpals directory\n");
  process.exit(1);
}
// A reader that stops early (`bgpals --help | head`) is not an error worth a stack trace.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
// React's production build: its development build checks and records every render, several times
// the work while a route table streams in. The bundle holds only the production build
// (scripts/bundle.js); this is for the dependencies left to Node. Tests that render in-process
// import the sources and keep the development build.
process.env.NODE_ENV ??= "production";
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
