// `npm test`'s first part: the type check (src, test, bench, scripts) and the build (tsc emitting
// src without checking it, then the bundle) side by side. Each is one tsc on one core, about 9 and
// 7 s on the 2-core machine the suite is timed on; one after the other they took both. Each one's
// output is printed whole when it ends; the exit status is 1 if either failed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(name, args) {
  return new Promise((resolve) => {
    const child = spawn(npm, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => resolve({ name, ok: false, output: `${output}${e.message}\n` }));
    child.on("close", (code) => resolve({ name, ok: code === 0, output }));
  });
}

const results = await Promise.all([run("type check", ["run", "--silent", "typecheck"]), run("build", ["run", "--silent", "build"])]);
for (const { name, ok, output } of results) {
  if (output.trim() !== "") process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
  if (!ok) process.stderr.write(`bgpals: the ${name} failed\n`);
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
