// Test files longest first, so both workers finish together. Vitest orders files by how long they
// took in the run it remembers (kept under node_modules/.vite, which `npm ci` wipes: so on every CI
// run) and otherwise by size, which starts the tests that drive processes last: small files that
// start the CLI, a lab or a terminal dozens of times (test/safety/kill.test.ts, a 5 kB file, runs
// the longest). Without remembered times, those go first, each group largest first.
import { relative, sep } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { onRealNetwork } from "./real-network.js";

/** Tests that start processes (the CLI, a terminal): their run time follows what they start, not their size. */
const DRIVES_PROCESSES = /^test\/(safety|cli|terminal)\//;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (file: TestSpecification) => relative(this.ctx.config.root, file.moduleId).split(sep).join("/");
    const remembered = sorted.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${path(file)}`) !== undefined);
    if (remembered) return sorted;
    // Tests on real hosts in network namespaces: minutes of waiting on BIRD and WireGuard, so they start first.
    const rank = (file: TestSpecification) => (onRealNetwork(this.ctx.config.root, path(file)) ? 0 : DRIVES_PROCESSES.test(path(file)) ? 1 : 2);
    return [0, 1, 2].flatMap((r) => sorted.filter((file) => rank(file) === r));
  }
}
