// A vitest reporter that keeps, in the file BGPALS_TEST_RUNNING names, what runs now: each test file,
// hook and test begun and not ended, with when it began. scripts/test.js reads it when a run passes
// its deadline, so a hung run says where it hangs (vitest's own output names a file only once it ends).
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Reporter, TestCase, TestModule } from "vitest/node";

type ReportedHook = Parameters<NonNullable<Reporter["onHookStart"]>>[0];

export default class RunningReporter implements Reporter {
  readonly #file = process.env.BGPALS_TEST_RUNNING;
  readonly #running = new Map<string, number>();

  #begin(what: string): void {
    this.#running.set(what, Date.now());
    this.#write();
  }

  #end(what: string): void {
    this.#running.delete(what);
    this.#write();
  }

  #write(): void {
    if (!this.#file) return;
    const lines = [...this.#running].map(([what, since]) => JSON.stringify({ what, since }));
    writeFileSync(this.#file, lines.join("\n"));
  }

  onTestModuleStart(module: TestModule): void {
    this.#begin(fileOf(module));
  }

  onTestModuleEnd(module: TestModule): void {
    this.#end(fileOf(module));
  }

  onTestCaseReady(test: TestCase): void {
    this.#begin(`${fileOf(test.module)} > ${test.fullName}`);
  }

  onTestCaseResult(test: TestCase): void {
    this.#end(`${fileOf(test.module)} > ${test.fullName}`);
  }

  onHookStart(hook: ReportedHook): void {
    this.#begin(hookName(hook));
  }

  onHookEnd(hook: ReportedHook): void {
    this.#end(hookName(hook));
  }
}

const fileOf = (module: TestModule) => relative(process.cwd(), module.moduleId);

function hookName(hook: ReportedHook): string {
  const entity = hook.entity;
  const where = entity.type === "module" ? fileOf(entity) : `${fileOf(entity.module)} > ${entity.fullName}`;
  return `${where} (${hook.name})`;
}
