// One print against a (hostile) router, in a process of its own: its peak memory is then the
// client's alone, and exiting by itself shows that nothing was left open (socket, timer).
// Prints one JSON line saying how the print ended. Runs the built code (npm run build).
//   node hostile-client.mjs <client|stream> <port> <timeoutMs> [maxRows]
import { RouterClient } from "../../../dist/platforms/routeros/api/client.js";
import { streamPrint } from "../../../dist/platforms/routeros/api/route-stream.js";

const [via, port, timeoutMs, maxRows] = process.argv.slice(2);
const target = { host: "127.0.0.1", port: Number(port), user: "admin", password: "hostile-test-password", timeoutMs: Number(timeoutMs) };
const budget = maxRows === undefined ? {} : { maxRows: Number(maxRows) };
const started = performance.now();
let outcome;
try {
  if (via === "client") {
    const client = await RouterClient.connect({ ...target, ...budget });
    try {
      outcome = { ok: true, rows: (await client.print("/ip/route")).length };
    } finally {
      await client.close();
    }
  } else {
    outcome = { ok: true, rows: (await streamPrint(target, "/ip/route", { ...budget, onBatch: () => {} })).rows };
  }
} catch (e) {
  outcome = { ok: false, error: e?.constructor?.name, kind: e?.kind, message: e?.message };
}
const { maxRSS } = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ ...outcome, ms: Math.round(performance.now() - started), maxRssMb: Math.round(maxRSS / 1024) })}\n`);
