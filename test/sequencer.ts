// Test files longest first, so both workers finish together. Vitest orders files by how long they
// took in the run it remembers (kept under node_modules/.vite, which `npm ci` wipes: so on every CI
// run) and otherwise by size, which starts the tests that drive processes last: small files that
// start the CLI, a lab or a terminal dozens of times (test/safety/kill.test.ts, a 5 kB file, runs
// the longest). Without remembered times, those go first, each group largest first.
import { relative, sep } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Tests that start processes (the CLI, a terminal): their run time follows what they start, not their size. */
const DRIVES_PROCESSES = /^test\/(safety|cli|terminal)\//;
/** Tests on real hosts in network namespaces: minutes of waiting on BIRD and WireGuard, so they start first. */
const REAL_NETWORK = /^test\/(netlab\/|platforms\/linux-bird\/(apply|status|wireguard-hosts|bird-filters|filtered|recover|failover)\.test)/;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (file: TestSpecification) => relative(this.ctx.config.root, file.moduleId).split(sep).join("/");
    const remembered = sorted.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${path(file)}`) !== undefined);
    if (remembered) return sorted;
    const rank = (file: TestSpecification) => (REAL_NETWORK.test(path(file)) ? 0 : DRIVES_PROCESSES.test(path(file)) ? 1 : 2);
    return [0, 1, 2].flatMap((r) => sorted.filter((file) => rank(file) === r));
  }
}
