// How fast a lab router serves a full /ip/route/print, against how fast node-routeros reads it.
//
//   npm run build && node bench/lab-print.js          (BGPALS_BENCH_ROUTES=1000000 by default)
//
// The router runs in a worker thread (its own core, as a real router is its own machine); the
// clients run here: (a) a raw socket that only counts bytes and !re sentences, (b) node-routeros.
import net from "node:net";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const ROUTES = Number(process.env.BGPALS_BENCH_ROUTES ?? 1_000_000);
const USER = "admin";
const PASSWORD = "bench";

/** The lab router: a store holding `count` BGP routes with the attributes RouterOS 7 prints. */
async function router(count) {
  const { ApiServer } = await import("../dist/lab/protocol/server.js");
  const { ConfigStore, createStoreHandler } = await import("../dist/lab/store/index.js");
  const store = new ConfigStore();
  const routes = store.register({ path: "/ip/route" });
  const started = performance.now();
  routes.load(bgpRoutes(count));
  const loadMs = performance.now() - started;
  const server = await new ApiServer({
    handler: createStoreHandler(store),
    users: [{ name: USER, password: PASSWORD }],
    tlsPort: null,
  }).start();
  parentPort.postMessage({ port: server.port, loadMs });
}

function* bgpRoutes(count) {
  // Repeated values are shared strings, as a router's own tables would intern them.
  const peers = ["10.255.0.1", "10.255.0.5"].map((gateway, i) => ({
    gateway,
    immediate: `${gateway}%wg-remi-isp${i + 1}`,
    belongsTo: `bgp-IP-${gateway}`,
    localPref: i === 0 ? "200" : "100",
  }));
  const paths = ["64513", "64513,64520", "64513,64513,64513,64520", "64513,65001,65002"];
  for (let i = 0; i < count; i++) {
    const peer = peers[i & 1];
    yield {
      "dst-address": `${10 + ((i >>> 16) & 127)}.${(i >>> 8) & 255}.${i & 255}.0/24`,
      gateway: peer.gateway,
      "immediate-gw": peer.immediate,
      distance: "20",
      scope: "40",
      "target-scope": "10",
      "routing-table": "main",
      "belongs-to": peer.belongsTo,
      "bgp.as-path": paths[i & 3],
      "bgp.local-pref": peer.localPref,
      "bgp.origin": "igp",
      dynamic: "true",
      active: (i & 1) === 0 ? "true" : "false",
      inactive: (i & 1) === 0 ? "false" : "true",
    };
  }
}

async function main() {
  const { encodeSentence, SentenceDecoder } = await import("../dist/lab/protocol/words.js");
  await import("../dist/platforms/routeros/api/node-routeros-fix.js");
  const { RouterOSAPI } = await import("node-routeros");

  console.log(`lab-print: ${ROUTES.toLocaleString("en")} routes in /ip/route`);
  const worker = new Worker(new URL(import.meta.url), { workerData: { routes: ROUTES } });
  const { port, loadMs } = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  console.log(`  router ready on port ${port} (loading the table took ${(loadMs / 1000).toFixed(1)} s)`);

  // (a) the lab serving: a raw client that counts and does nothing else.
  const raw = await rawPrint(port, encodeSentence, SentenceDecoder);
  report("lab serves (raw client)", raw.seconds, raw.bytes, raw.routes);

  // (b) node-routeros reading the same table.
  const api = new RouterOSAPI({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeout: 600 });
  api.on("error", (error) => console.error("  node-routeros error:", error.message));
  await api.connect();
  const started = performance.now();
  const items = await api.write("/ip/route/print");
  const seconds = (performance.now() - started) / 1000;
  report("node-routeros reads", seconds, raw.bytes, items.length);
  await api.close();

  if (raw.routes !== ROUTES || items.length !== ROUTES) console.log(`  MISMATCH: expected ${ROUTES} routes`);
  console.log(`  ratio: the lab serves ${(seconds / raw.seconds).toFixed(1)}x faster than node-routeros reads (target >= 5x)`);
  await worker.terminate();
}

function report(what, seconds, bytes, routes) {
  const mb = bytes / 1e6;
  console.log(
    `  ${what.padEnd(26)} ${seconds.toFixed(2).padStart(7)} s  ${mb.toFixed(0)} MB  ` +
      `${(mb / seconds).toFixed(1).padStart(7)} MB/s  ${Math.round(routes / seconds).toLocaleString("en").padStart(10)} routes/s`,
  );
}

/** Logs in, asks for the whole table, counts bytes and !re sentences until the !done. */
function rawPrint(port, encodeSentence, SentenceDecoder) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const login = new SentenceDecoder();
    const counter = new SentenceCounter();
    let started = 0;
    socket.on("error", reject);
    socket.on("connect", () => socket.write(encodeSentence(["/login", `=name=${USER}`, `=password=${PASSWORD}`])));
    socket.on("data", (chunk) => {
      if (started === 0) {
        const [reply] = login.push(chunk);
        if (reply?.[0] !== "!done") return reject(new Error(`login failed: ${reply}`));
        started = performance.now();
        socket.write(encodeSentence(["/ip/route/print"]));
        return;
      }
      counter.push(chunk);
      if (counter.done) {
        const seconds = (performance.now() - started) / 1000;
        socket.destroy();
        resolve({ seconds, bytes: counter.bytes, routes: counter.re });
      }
    });
  });
}

/** Walks the word framing without building strings: only each sentence's first word is looked at. */
class SentenceCounter {
  bytes = 0;
  re = 0;
  done = false;
  prefixNeed = 0;
  prefixValue = 0;
  remaining = 0;
  wordIndex = 0;
  head = "";

  push(chunk) {
    this.bytes += chunk.length;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - i);
        if (this.wordIndex === 0 && this.head.length < 8) this.head += chunk.toString("latin1", i, i + Math.min(take, 8));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endWord();
        continue;
      }
      const byte = chunk[i++];
      if (this.prefixNeed > 0) {
        this.prefixValue = this.prefixValue * 256 + byte;
        if (--this.prefixNeed === 0) this.startWord(this.prefixValue);
      } else if (byte < 0x80) this.startWord(byte);
      else if (byte < 0xc0) [this.prefixValue, this.prefixNeed] = [byte & 0x3f, 1];
      else if (byte < 0xe0) [this.prefixValue, this.prefixNeed] = [byte & 0x1f, 2];
      else if (byte < 0xf0) [this.prefixValue, this.prefixNeed] = [byte & 0x0f, 3];
      else [this.prefixValue, this.prefixNeed] = [0, 4];
    }
  }

  startWord(length) {
    if (length === 0) {
      this.wordIndex = 0;
      this.head = "";
    } else {
      this.remaining = length;
    }
  }

  endWord() {
    if (this.wordIndex === 0) {
      if (this.head === "!re") this.re++;
      else if (this.head === "!done" || this.head === "!trap") this.done = true;
    }
    this.wordIndex++;
  }
}

if (isMainThread) await main();
else await router(workerData.routes);
