// Imports go down only: cli -> ui -> flows -> platforms, store -> core -> errors. The lab stands
// apart: it judges bgpals, so it shares no code with it. `npm test` runs these rules
// (test/architecture.test.ts) and the hook before a session ends runs them too.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", comment: "an import cycle: two modules that need each other belong together, or one of them is in the wrong layer", from: {}, to: { circular: true } },
    { name: "errors-imports-nothing", severity: "error", comment: "src/errors.ts is the bottom layer", from: { path: "^src/errors\\.ts$" }, to: { path: "^src/" } },
    { name: "core-is-pure", severity: "error", comment: "core is pure intent: it imports only core and errors", from: { path: "^src/core/" }, to: { path: "^src/", pathNot: "^src/(core/|errors\\.ts$)" } },
    { name: "store-below-flows", severity: "error", comment: "stores keep files and secrets; they know nothing of routers, flows, screens or commands", from: { path: "^src/store/" }, to: { path: "^src/", pathNot: "^src/(store/|core/|errors\\.ts$)" } },
    { name: "seam-is-neutral", severity: "error", comment: "platforms/platform.ts is the seam: platform-neutral types over core", from: { path: "^src/platforms/platform\\.ts$" }, to: { path: "^src/", pathNot: "^src/(core/|errors\\.ts$|platforms/platform\\.ts$)" } },
    { name: "platforms-below-flows", severity: "error", comment: "a platform implements the seam over core; it never reaches up to stores, flows, screens, commands or the lab", from: { path: "^src/platforms/" }, to: { path: "^src/", pathNot: "^src/(platforms/|core/|errors\\.ts$)" } },
    { name: "platforms-apart", severity: "error", comment: "one platform never imports another", from: { path: "^src/platforms/([^/]+)/" }, to: { path: "^src/platforms/[^/]+/", pathNot: "^src/platforms/$1/" } },
    { name: "flows-use-the-seam", severity: "error", comment: "flows take a Platform: they import platforms/platform.ts, stores, core and errors, never a platform's own code, screens or commands", from: { path: "^src/flows/" }, to: { path: "^src/", pathNot: "^src/(flows/|store/|core/|errors\\.ts$|platforms/platform\\.ts$)" } },
    { name: "ui-above-flows", severity: "error", comment: "screens call flows; they never reach a platform's own code, the commands or the lab", from: { path: "^src/ui/" }, to: { path: "^src/", pathNot: "^src/(ui/|flows/|store/|core/|errors\\.ts$|platforms/platform\\.ts$)" } },
    { name: "lab-stands-apart", severity: "error", comment: "the lab judges bgpals with its own reading of RouterOS: it imports nothing of bgpals", from: { path: "^src/lab/" }, to: { path: "^src/", pathNot: "^src/lab/" } },
    { name: "nothing-imports-the-cli", severity: "error", comment: "src/cli is the entry point: nothing below imports it", from: { path: "^src/", pathNot: "^src/cli/" }, to: { path: "^src/cli/" } },
    { name: "transports-in-platforms", severity: "error", comment: "only src/platforms (and the lab's own servers) use node-routeros or ssh2", from: { path: "^src/", pathNot: "^src/(platforms|lab)/" }, to: { path: "node_modules/(node-routeros|ssh2)/" } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.build.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".tsx", ".js", ".json"] },
    exclude: { path: "^dist/" },
  },
};
