// A vitest reporter that keeps, in the file BGPALS_TEST_RUNNING names, what runs now: each test file,
// hook and test begun and not ended, with when it began. scripts/test.js reads it when a run passes
// its deadline, so a hung run says where it hangs (vitest's own output names a file only once it ends).
//
// It also adds what failed (a test, a file that could not run, an error outside any test) to the file
// BGPALS_TEST_FAILED names, which scripts/test.js prints last: a CI that keeps only the end of a long
// output still says what failed in the run printed first.
import { appendFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Reporter, SerializedError, TestCase, TestModule } from "vitest/node";

type ReportedHook = Parameters<NonNullable<Reporter["onHookStart"]>>[0];

export default class RunningReporter implements Reporter {
  readonly #file = process.env.BGPALS_TEST_RUNNING;
  readonly #running = new Map<string, number>();
  readonly #failed = process.env.BGPALS_TEST_FAILED;

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
    const what = `${fileOf(test.module)} > ${test.fullName}`;
    this.#end(what);
    const result = test.result();
    if (result.state === "failed") this.#fail(what, result.errors);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    // A file whose import or hook failed has errors of its own, beside its tests'.
    for (const module of modules) if (module.errors().length > 0) this.#fail(fileOf(module), module.errors());
    if (unhandledErrors.length > 0) this.#fail("an error outside any test", unhandledErrors);
  }

  #fail(what: string, errors: ReadonlyArray<SerializedError>): void {
    if (!this.#failed) return;
    appendFileSync(this.#failed, `${JSON.stringify({ what, errors: errors.map(firstLines) })}\n`);
  }

  onHookStart(hook: ReportedHook): void {
    this.#begin(hookName(hook));
  }

  onHookEnd(hook: ReportedHook): void {
    this.#end(hookName(hook));
  }
}

/** An error's message and the first lines of its stack that point into this checkout (the tests or bgpals). */
function firstLines(error: SerializedError): string {
  const message = (error.message ?? String(error)).split("\n").slice(0, 12).join("\n");
  const at = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line) && line.includes(process.cwd()) && !line.includes("node_modules"))
    .slice(0, 3);
  return [message, ...at].join("\n");
}

const fileOf = (module: TestModule) => relative(process.cwd(), module.moduleId);

function hookName(hook: ReportedHook): string {
  const entity = hook.entity;
  const where = entity.type === "module" ? fileOf(entity) : `${fileOf(entity.module)} > ${entity.fullName}`;
  return `${where} (${hook.name})`;
}
