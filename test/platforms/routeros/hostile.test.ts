// A broken or hostile router must not hurt bgpals: each misbehaviour of HostileRouter ends the
// print with a clear error, in bounded time and memory, with nothing left open. Each print runs
// in a child process of its own (hostile-client.mjs, on the built code): its peak RSS is the
// client's alone, and it must exit by itself.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { repoRoot } from "../../helpers.js";
import { cliAsync } from "../../cli/cli-async.js";
import { STACK_TRACE } from "../../cli/run.js";
import { RouterClient } from "../../../src/platforms/routeros/api/client.js";
import { RouterError } from "../../../src/platforms/routeros/api/errors.js";
import { streamPrint } from "../../../src/platforms/routeros/api/route-stream.js";
import { HostileRouter, type Misbehaviour } from "./hostile-router.js";

/** The client's time limit: silence (no row, no answer) longer than this ends a print. */
const TIMEOUT_MS = 500;
/** Peak RSS allowed to the client's process. */
const MAX_RSS_MB = 300;
/** A print must have ended (and its process exited) by then, whatever the router does. */
const DEADLINE_MS = 20_000;
const CHILD = join(repoRoot, "test/platforms/routeros/hostile-client.mjs");

const home = mkdtempSync(join(tmpdir(), "bgpals-hostile-"));
const routers: HostileRouter[] = [];
afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.stop()));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function hostile(misbehaviour: Misbehaviour, dripMs?: number): Promise<HostileRouter> {
  const router = await HostileRouter.start({ misbehaviour, dripMs });
  routers.push(router);
  return router;
}

interface Ended {
  ok: boolean;
  error?: string;
  kind?: string;
  message?: string;
  rows?: number;
  ms: number;
  maxRssMb: number;
}

/** Runs one print against `port` in a child; fails if the child does not exit by itself in time. */
function printIn(via: "client" | "stream", port: number, maxRows?: number): Promise<{ ended: Ended; stderr: string }> {
  return new Promise((resolve, reject) => {
    const args = [CHILD, via, String(port), String(TIMEOUT_MS), ...(maxRows === undefined ? [] : [String(maxRows)])];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the ${via} did not exit within ${DEADLINE_MS} ms; it printed: ${stdout}${stderr}`));
    }, DEADLINE_MS);
    // "close", not "exit": the last line may still be on its way when the child exits.
    child.on("close", (code) => {
      clearTimeout(deadline);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`the ${via} exited with ${code}: ${stdout}${stderr}`));
      resolve({ ended: JSON.parse(line) as Ended, stderr });
    });
  });
}

interface Case {
  misbehaviour: Misbehaviour;
  dripMs?: number;
  maxRows?: number;
  kind: string;
  message: Record<"client" | "stream", RegExp>;
}

const both = (message: RegExp) => ({ client: message, stream: message });

const CASES: Case[] = [
  { misbehaviour: "unknown-word", kind: "protocol", message: both(/sent an unknown reply word "!weird"; bgpals stopped reading and closed the connection/) },
  { misbehaviour: "unknown-word-at-login", kind: "protocol", message: both(/sent an unknown reply word "!weird"/) },
  { misbehaviour: "huge-word", kind: "protocol", message: both(/sent a reply word of 100000000 bytes, over the limit of 16 MiB/) },
  // The client's default budget (100,000 rows); the stream's default is 2,000,000: given smaller here.
  { misbehaviour: "endless-rows", kind: "protocol", message: { client: /\/ip\/route\/print on .* answered more than 100000 rows/, stream: /answered more than 50000 rows/ } },
  { misbehaviour: "untagged-rows", maxRows: 50_000, kind: "protocol", message: { client: /sent a !re reply without a tag/, stream: /answered more than 50000 rows/ } },
  { misbehaviour: "endless-sentence", kind: "protocol", message: both(/sent a reply sentence of more than 10000 words/) },
  // A byte a minute, and bytes coming faster than the time limit that never make a row.
  { misbehaviour: "drip", kind: "timeout", message: both(/^no answer from .* within 0\.5 s to \/ip\/route\/print/) },
  { misbehaviour: "drip", dripMs: TIMEOUT_MS / 5, kind: "timeout", message: both(/^no answer from .* within 0\.5 s to \/ip\/route\/print/) },
  { misbehaviour: "drip-at-login", dripMs: TIMEOUT_MS / 5, kind: "timeout", message: both(/^no answer from .* within 0\.5 s — check the address/) },
];

describe.each(["client", "stream"] as const)("a hostile router, read by the %s", (via) => {
  test.each(CASES)("$misbehaviour (drip every $dripMs ms) ends in a clear $kind error", async ({ misbehaviour, dripMs, maxRows, kind, message }) => {
    const router = await hostile(misbehaviour, dripMs);
    const budget = maxRows ?? (via === "stream" && misbehaviour === "endless-rows" ? 50_000 : undefined);
    const { ended, stderr } = await printIn(via, router.port, budget);
    expect(ended).toMatchObject({ ok: false, error: "RouterError", kind });
    expect(ended.message).toMatch(message[via]);
    expect(ended.message).not.toContain("hostile-test-password");
    expect(stderr).toBe("");
    expect(ended.maxRssMb).toBeLessThan(MAX_RSS_MB);
    if (kind === "timeout") expect(ended.ms).toBeLessThan(TIMEOUT_MS * 6);
    // The client went, and the router saw it go.
    await expect.poll(() => router.connections, { timeout: 5000 }).toBe(0);
  }, 30_000);
});

describe("the CLI against a hostile router", () => {
  test.each([
    ["unknown-word", /^bgpals: 127\.0\.0\.1:\d+ sent an unknown reply word "!weird"; bgpals stopped reading/m],
    ["huge-word", /^bgpals: 127\.0\.0\.1:\d+ sent a reply word of 100000000 bytes, over the limit of 16 MiB/m],
    ["drip", /^bgpals: no answer from 127\.0\.0\.1:\d+ within 1 s to \/system\/resource\/print/m],
  ] as const)("%s: exit 1 with the message, no stack trace", async (misbehaviour, message) => {
    const router = await hostile(misbehaviour, 200);
    const r = await cliAsync(["inventory", "--router", `admin@127.0.0.1:${router.port}`, "--timeout", "1"], { BGPALS_HOME: home, BGPALS_PASSWORD: "hostile-test-password" });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toContain("internal error");
  }, 30_000);
});

describe("a server that accepts and never says a word", () => {
  test.each([
    [false, "timeout", /^no answer from 127\.0\.0\.1:\d+ within 0\.5 s — check the address/],
    [true, "tls", /^TLS handshake with 127\.0\.0\.1:\d+ failed: no answer to the handshake within 0\.5 s — is API-SSL enabled on this port/],
  ] as const)("tls %s: %s, from the client and the stream alike", async (secure, kind, message) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => void sockets.add(socket.on("error", () => {})));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const target = { host: "127.0.0.1", port: (server.address() as net.AddressInfo).port, user: "admin", password: "hostile-test-password", tls: secure, timeoutMs: TIMEOUT_MS };
      for (const attempt of [RouterClient.connect(target), streamPrint(target, "/ip/route", { onBatch: () => {} })]) {
        const error = await attempt.then(
          () => new Error("expected a failure"),
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RouterError);
        expect(error).toMatchObject({ kind });
        expect((error as Error).message).toMatch(message);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
