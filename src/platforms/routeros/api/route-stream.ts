// Big prints over the RouterOS API (a full routing table: a million routes, ~300 MB on the wire),
// read without node-routeros, which builds a string per word and needs about 50 s for that. Here
// each socket chunk is decoded in place into column batches handed out every few thousand rows,
// so a screen draws between batches. Each print gets its own connection: a long reply would
// otherwise hold up every other command on a shared one, and cancelling it is then just as clean.
// The login, the API-SSL pin and the errors are the same as RouterClient's, and so are the limits
// on what a router may send (framing.ts), with a budget of rows of its own, much larger.
import { createHash } from "node:crypto";
import type { Dialect } from "../dialects.js";
import net from "node:net";
import tls from "node:tls";
import type { RouteUpdate } from "../../../core/route-table.js";
import { DEFAULT_TIMEOUT_MS, menuPath, proplistWords, queryWords, type PrintOptions, type RouterItem, type RouterTarget } from "./client.js";
import { brokenReply, endpointOf, handshakeUnanswered, routerError, toRouterError, tooManyRows, type Endpoint, type RouterError } from "./errors.js";
import { FramingError, REPLY_TYPES, ReplyFraming } from "./framing.js";
import { checkPin, peerFingerprint } from "./tls-pin.js";

export interface StreamPrintOptions extends Pick<PrintOptions, "query" | "proplist"> {
  /**
   * Gets the rows in order, a batch at a time. It runs in the socket's data handler: it must not
   * throw, and time spent in it is time the screen does not draw.
   */
  readonly onBatch: (batch: PrintBatch) => void;
  /**
   * Keep streaming changes after the table (`=follow=`): changed items come again, removed ones as
   * `.id` with `.dead=yes`. Such a print ends only when cancelled, and has no silence limit.
   */
  readonly follow?: boolean;
  /** Most rows in one batch; default 4096. The first batches are smaller, so the first rows show sooner. */
  readonly batchRows?: number;
  /** A batch goes out once its first row is this old (ms), however small; default 16. */
  readonly batchMs?: number;
  /** Aborting cancels the print on the router (`/cancel`) and ends the stream as `cancelled`. */
  readonly signal?: AbortSignal;
  /**
   * Longest time allowed to connect and log in, then (a plain print) without a row or an answer
   * coming in; default the target's, else 10 s. Bytes that never make a row do not count.
   */
  readonly timeoutMs?: number;
  /**
   * More rows than this ends the print with an error (a follow's changes count too); default
   * DEFAULT_STREAM_MAX_ROWS.
   */
  readonly maxRows?: number;
}

export interface PrintSummary {
  /** Rows handed to `onBatch`. */
  readonly rows: number;
  /** Bytes received, login included. */
  readonly bytes: number;
  readonly cancelled: boolean;
  /** SHA-256 fingerprint of the API-SSL certificate, to store for pinning; null without TLS. */
  readonly fingerprint: string | null;
}

/**
 * Rows of a print as columns: `value(row, column)` reads one attribute without building an object
 * per row. Column numbers stay the same for the whole print; later batches may have more columns.
 * Values stay bytes in the received chunks until read: a reader that needs a few of many
 * attributes makes strings of those only. A batch keeps those chunks alive (about 300 bytes a
 * row): take what is needed from it and let it go.
 */
export class PrintBatch {
  /** Made by the print's reader; `cells` holds [start, end) per row and column, start 0 for none. */
  constructor(
    /** Attribute names seen so far in the print, in order of first appearance. */
    readonly columns: readonly string[],
    private readonly readers: readonly Column[],
    private readonly rowBytes: readonly Buffer[],
    private readonly cells: Int32Array,
    private readonly stride: number,
    /** Rows in this batch. */
    readonly size: number,
  ) {}

  /** Column number of an attribute; -1 when no row so far had it. */
  column(name: string): number {
    return this.columns.indexOf(name);
  }

  value(row: number, column: number): string | undefined {
    const cell = this.#cell(row, column);
    if (cell < 0) return undefined;
    return this.readers[column]!.value(this.rowBytes[row]!, this.cells[cell]!, this.cells[cell + 1]!);
  }

  /** Is the value exactly `text` (latin1)? Compares bytes, makes no string. */
  is(row: number, column: number, text: string): boolean {
    const cell = this.#cell(row, column);
    return cell >= 0 && sameBytes(this.rowBytes[row]!, this.cells[cell]!, this.cells[cell + 1]!, text);
  }

  /** One row as RouterClient.print returns items. */
  item(row: number): RouterItem {
    const item: RouterItem = {};
    for (let column = 0; column < this.columns.length; column++) {
      const value = this.value(row, column);
      if (value !== undefined) item[this.columns[column]!] = value;
    }
    return item;
  }

  items(): RouterItem[] {
    return Array.from({ length: this.size }, (_, row) => this.item(row));
  }

  /** Where the row's cell of `column` is in `cells`; -1 when the row has no such attribute. */
  #cell(row: number, column: number): number {
    if (column < 0 || column >= this.columns.length || row < 0 || row >= this.size) return -1;
    const cell = (row * this.stride + column) * 2;
    return this.cells[cell] === 0 ? -1 : cell;
  }
}

/**
 * Prints `path` (e.g. `/ip/route`) on its own connection and hands the rows to `onBatch` as they
 * come. Resolves when the router said `!done`, or once cancelled through `signal`; rejects with a
 * RouterError (`trap` for a refused print, `closed` with the router's reason after `!fatal`).
 */
export function streamPrint(target: RouterTarget, path: string, options: StreamPrintOptions): Promise<PrintSummary> {
  return new PrintStream(target, path, options).run();
}

/**
 * The same as an async iterator: `for await (const batch of printBatches(...))`. When the loop
 * falls behind, reading from the router pauses; leaving the loop early cancels the print.
 */
export async function* printBatches(
  target: RouterTarget,
  path: string,
  options: Omit<StreamPrintOptions, "onBatch"> = {},
): AsyncGenerator<PrintBatch, PrintSummary, undefined> {
  const queue: PrintBatch[] = [];
  let wake: (() => void) | null = null;
  // Set by the print's promise, read by the loop (a holder: TS cannot see callbacks assign it).
  const outcome: { ended: { summary?: PrintSummary; error?: unknown } | null } = { ended: null };
  const abort = new AbortController();
  const stopOuter = (): void => abort.abort();
  options.signal?.addEventListener("abort", stopOuter, { once: true });
  const notify = (): void => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const stream = new PrintStream(target, path, {
    ...options,
    signal: abort.signal,
    onBatch: (batch) => {
      queue.push(batch);
      if (queue.length >= QUEUED_BATCHES) stream.pause();
      notify();
    },
  });
  stream.run().then(
    (summary) => ((outcome.ended = { summary }), notify()),
    (error: unknown) => ((outcome.ended = { error }), notify()),
  );
  try {
    for (;;) {
      const batch = queue.shift();
      if (batch !== undefined) {
        if (queue.length < QUEUED_BATCHES) stream.resume();
        yield batch;
        continue;
      }
      const end = outcome.ended;
      if (end !== null) {
        if (end.summary === undefined) throw end.error;
        return end.summary;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener("abort", stopOuter);
    // Left early (break, throw): stop the print; its own end is awaited so nothing leaks.
    if (outcome.ended === null) {
      abort.abort();
      stream.resume();
      await stream.run().catch(() => undefined);
    }
  }
}

/** The attributes of `/ip/route` the monitor's route view needs, as each dialect names them. */
export function routeProplist(dialect: Pick<Dialect, "dottedRouteAttributes">): string[] {
  return dialect.dottedRouteAttributes
    ? [".id", "dst-address", "gateway", "immediate-gw", "active", "bgp.local-pref", "bgp.as-path", "received-from"]
    : [".id", "dst-address", "gateway", "active", "bgp-local-pref", "bgp-as-path", "received-from"];
}

/**
 * The routes of a batch of `/ip/route` rows, RouterOS 6 or 7 names alike, and the `.id`s of those
 * reported removed (`.dead=yes`, from a follow). The link is `linkOf(gateway)` where it knows one,
 * else the interface of `immediate-gw` (`10.255.0.1%wg-isp1`), else the BGP peer the route came from.
 */
export function routeUpdatesOf(batch: PrintBatch, linkOf?: (gateway: string) => string | undefined): { routes: RouteUpdate[]; removed: string[] } {
  const column = (...names: string[]): number => names.map((name) => batch.column(name)).find((c) => c >= 0) ?? -1;
  const id = column(".id");
  const dead = column(".dead");
  const prefix = column("dst-address");
  const gateway = column("gateway");
  const immediate = column("immediate-gw");
  const active = column("active");
  const localPref = column("bgp.local-pref", "bgp-local-pref");
  const asPath = column("bgp.as-path", "bgp-as-path");
  const receivedFrom = column("received-from");
  const routes: RouteUpdate[] = [];
  const removed: string[] = [];
  // The few distinct immediate-gw values of a table, each cut to its interface once.
  const links = new Map<string, string>();
  for (let row = 0; row < batch.size; row++) {
    const routeId = batch.value(row, id);
    if (routeId === undefined) continue;
    if (batch.is(row, dead, "yes") || batch.is(row, dead, "true")) {
      removed.push(routeId);
      continue;
    }
    const next = batch.value(row, gateway) ?? "";
    const via = batch.value(row, immediate);
    let link = linkOf?.(next) ?? (via === undefined ? undefined : links.get(via));
    if (link === undefined) {
      const at = via === undefined ? -1 : via.indexOf("%");
      link = at >= 0 ? via!.slice(at + 1) : (batch.value(row, receivedFrom) ?? "");
      if (at >= 0) links.set(via!, link);
    }
    const pref = batch.value(row, localPref);
    routes.push({
      id: routeId,
      prefix: batch.value(row, prefix) ?? "",
      gateway: next,
      active: batch.is(row, active, "true"),
      localPref: pref === undefined || pref === "" ? null : Number(pref),
      asPath: batch.value(row, asPath) ?? "",
      link,
    });
  }
  return { routes, removed };
}

/** Rows one streamed print may bring: a full IPv4 table (about a million routes) twice. */
export const DEFAULT_STREAM_MAX_ROWS = 2_000_000;
const DEFAULT_BATCH_ROWS = 4096;
const FIRST_BATCH_ROWS = 128;
const DEFAULT_BATCH_MS = 16;
/** Longest stretch of decoding before timers (the screen's frames) get a turn. */
const YIELD_MS = 10;
/** Batches an async-iterator consumer may fall behind by before reading pauses. */
const QUEUED_BATCHES = 8;
const EMPTY = Buffer.alloc(0);
const PRINT_TAG = "p";
const CANCEL_TAG = "c";
// Self-signed router certificates fail verification by design; the fingerprint check replaces it.
const TLS_OPTIONS = { rejectUnauthorized: false };

type Phase = "connecting" | "login" | "printing" | "cancelling" | "ended";

/** One print on its own connection: connect, pin, log in, print, read to the end. */
class PrintStream {
  readonly #endpoint: Endpoint;
  readonly #password: string;
  readonly #user: string;
  readonly #timeoutMs: number;
  readonly #maxRows: number;
  readonly #knownFingerprint: string | null | undefined;
  readonly #command: string;
  readonly #words: string[];
  readonly #options: StreamPrintOptions;
  readonly #reader: ReplyReader;
  #socket: net.Socket | null = null;
  #phase: Phase = "connecting";
  #handshaken = false;
  #tcpConnected = false;
  #fingerprint: string | null = null;
  #bytes = 0;
  #socketError: unknown;
  #running: Promise<PrintSummary> | null = null;
  #settle: ((outcome: { summary?: PrintSummary; error?: RouterError }) => void) | null = null;
  #cancelTimer: NodeJS.Timeout | null = null;
  #flushTimer: NodeJS.Timeout | null = null;
  /** Ends a connect and login that take too long, then a plain print that stops making progress. */
  #silenceTimer: NodeJS.Timeout | null = null;
  /** Rows and answers to the print seen when the silence timer last started. */
  #progress = 0;
  /** Answers (not rows) to the print's tag. */
  #answers = 0;
  /** When the current turn of the event loop started decoding (0: not yet). */
  #busySince = 0;
  #yielding = false;
  /** Paused by the consumer (the async iterator falling behind). */
  #paused = false;

  constructor(target: RouterTarget, path: string, options: StreamPrintOptions) {
    this.#endpoint = endpointOf(target);
    this.#password = target.password;
    this.#user = target.user;
    this.#timeoutMs = options.timeoutMs ?? target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxRows = options.maxRows ?? DEFAULT_STREAM_MAX_ROWS;
    this.#knownFingerprint = target.knownFingerprint;
    this.#options = options;
    this.#command = `${menuPath(path)}/print`;
    this.#words = [
      this.#command,
      ...proplistWords(options.proplist),
      ...(options.follow ? ["=follow="] : []),
      ...queryWords(options.query),
      `.tag=${PRINT_TAG}`,
    ];
    this.#reader = new ReplyReader(
      options.batchRows ?? DEFAULT_BATCH_ROWS,
      options.proplist?.length ?? 16,
      (batch) => options.onBatch(batch),
      (words) => this.#reply(words),
    );
  }

  run(): Promise<PrintSummary> {
    this.#running ??= new Promise<PrintSummary>((resolve, reject) => {
      this.#settle = ({ summary, error }) => (error === undefined ? resolve(summary!) : reject(error));
      this.#start();
    });
    return this.#running;
  }

  pause(): void {
    this.#paused = true;
    this.#socket?.pause();
    // Nothing comes in while the consumer catches up: not the router's silence.
    if (this.#phase === "printing") this.#stopSilenceTimer();
  }

  resume(): void {
    const wasPaused = this.#paused;
    this.#paused = false;
    if (!this.#yielding) this.#socket?.resume();
    if (wasPaused && this.#phase === "printing" && !this.#options.follow) this.#startSilenceTimer();
  }

  #start(): void {
    const signal = this.#options.signal;
    if (signal?.aborted) return this.#finish({ cancelled: true });
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    const { host, port } = this.#endpoint;
    const socket = this.#endpoint.tls ? tls.connect({ host, port, ...TLS_OPTIONS }) : net.connect({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    // Connecting and logging in get this long in all; a router dripping bytes does not stretch it.
    this.#startSilenceTimer();
    socket.on("error", (e: unknown) => {
      this.#socketError ??= e;
      this.#lost(this.#error(e, this.#loggedIn ? this.#command : undefined));
    });
    socket.on("close", () => this.#closed());
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.once("connect", () => (this.#tcpConnected = true));
    if (socket instanceof tls.TLSSocket) {
      socket.once("secureConnect", () => {
        this.#handshaken = true;
        try {
          this.#fingerprint = checkPin(this.#knownFingerprint, peerFingerprint(socket), this.#endpoint);
        } catch (e) {
          // A router whose certificate does not match never sees the password.
          socket.end();
          this.#fail(e as RouterError);
          return;
        }
        this.#login();
      });
    } else {
      socket.once("connect", () => {
        this.#handshaken = true;
        this.#login();
      });
    }
  }

  #login(): void {
    this.#phase = "login";
    this.#send(["/login", `=name=${this.#user}`, `=password=${this.#password}`]);
  }

  #receive(chunk: Buffer): void {
    this.#bytes += chunk.length;
    // Node reads up to 32 chunks in one turn of the event loop; with rows to decode that is long
    // enough to delay the screen's timers. Past YIELD_MS of work, pause and let them run.
    const now = performance.now();
    if (this.#busySince === 0) {
      this.#busySince = now;
      setImmediate(() => (this.#busySince = 0));
    } else if (now - this.#busySince > YIELD_MS && this.#socket !== null && !this.#yielding) {
      this.#yielding = true;
      this.#socket.pause();
      setTimeout(() => this.#resumeReading(), 0);
    }
    this.#decode(chunk);
  }

  /**
   * Decodes what came (and what an earlier turn left). The reader hands out at most one batch per
   * call: the rest waits for a later turn of the event loop, so the screen's frame (a timer) runs
   * between two batches, never after several handed out in one go.
   */
  #decode(chunk: Buffer): void {
    let all: boolean;
    try {
      all = this.#reader.push(chunk);
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      this.#fail(brokenReply(this.#endpoint, e.message, this.#password));
      return;
    }
    if (this.#phase === "ended") return;
    if (this.#phase === "login" && this.#reader.skippedRows > 0) {
      this.#fail(brokenReply(this.#endpoint, "a !re row before the login was answered", this.#password));
      return;
    }
    const rows = this.#reader.rowsDelivered + this.#reader.pendingRows;
    if (rows > this.#maxRows) {
      this.#fail(tooManyRows(this.#endpoint, this.#command, this.#maxRows));
      return;
    }
    // Silence is measured in rows and answers: bytes that never complete one are no progress.
    if (this.#phase === "printing" && this.#silenceTimer !== null && rows + this.#answers !== this.#progress) this.#startSilenceTimer();
    if (this.#phase === "printing" && this.#reader.pendingRows > 0 && this.#flushTimer === null) {
      // A trickle (a follow, a slow link) still reaches the screen within batchMs.
      this.#flushTimer = setTimeout(() => {
        this.#flushTimer = null;
        if (this.#phase === "printing") this.#reader.flush();
      }, this.#options.batchMs ?? DEFAULT_BATCH_MS);
    }
    if (!all && !this.#yielding) {
      // Nothing more is read until the rest is decoded: the rows stay in order.
      this.#yielding = true;
      this.#socket?.pause();
      setTimeout(() => this.#resumeReading(), 0);
    }
  }

  /** A later turn: the rest of what came first, then the socket again. */
  #resumeReading(): void {
    this.#yielding = false;
    this.#busySince = 0;
    if (this.#phase === "ended") return;
    if (this.#reader.unread) this.#decode(EMPTY);
    // The rest may have been a batch again (another turn), or the print's end.
    if (this.#yielding || (this.#phase as Phase) === "ended") return;
    if (!this.#paused) this.#socket?.resume();
  }

  /** Every sentence but the print's `!re` rows. */
  #reply(words: string[]): void {
    const type = words[0]!;
    if (!REPLY_TYPES.has(type)) {
      this.#fail(brokenReply(this.#endpoint, `an unknown reply word ${JSON.stringify(type.length > 24 ? `${type.slice(0, 24)}...` : type)}`, this.#password));
      return;
    }
    const attrs = attributesOf(words);
    if (type === "!fatal") {
      // The reason is a bare word after `!fatal`; the router closes the connection next.
      const reason = words.slice(1).find((word) => !word.startsWith(".tag="));
      this.#fail(routerError("closed", this.#endpoint, { command: this.#phase === "printing" ? this.#command : undefined, routerMessage: reason }, this.#password));
      return;
    }
    if (this.#phase === "login") {
      if (type === "!trap") {
        // Same mapping as RouterClient: node-routeros rejects the login with the trap's message.
        this.#fail(this.#error(new Error(attrs.message ?? "")));
      } else if (type === "!done" && attrs.ret !== undefined && attrs.ret.length === 32) {
        // Before 6.43 the router answers a challenge to hash with the password.
        this.#send(["/login", `=name=${this.#user}`, `=response=${challengeResponse(this.#password, attrs.ret)}`]);
      } else if (type === "!done") {
        this.#phase = "printing";
        // A follow may stay silent for hours; only a plain print has a silence limit.
        if (this.#options.follow) this.#stopSilenceTimer();
        else this.#startSilenceTimer();
        this.#reader.acceptRows = true;
        this.#send(this.#words);
      }
      return;
    }
    if (attrs[".tag"] !== PRINT_TAG) return;
    this.#answers++;
    if (type === "!trap") {
      if (this.#phase === "cancelling" && attrs.category === "2") return;
      const category = attrs.category === undefined ? undefined : Number(attrs.category);
      this.#fail(routerError("trap", this.#endpoint, { command: this.#command, routerMessage: attrs.message ?? "", category }, this.#password));
    } else if (type === "!done") {
      if (this.#phase === "printing") this.#reader.flush();
      this.#finish({ cancelled: this.#phase === "cancelling" });
    }
    // `!empty` (RouterOS 7.18+, a print that found nothing) needs nothing: `!done` follows.
  }

  readonly #onAbort = (): void => {
    if (this.#phase === "ended") return;
    if (this.#phase !== "printing") {
      this.#finish({ cancelled: true });
      return;
    }
    this.#phase = "cancelling";
    // Rows already on their way are read past, not handed out.
    this.#reader.acceptRows = false;
    this.#send(["/cancel", `=tag=${PRINT_TAG}`, `.tag=${CANCEL_TAG}`]);
    this.#stopSilenceTimer();
    this.#socket?.resume();
    // A router that never confirms still gets its connection closed.
    this.#cancelTimer = setTimeout(() => this.#finish({ cancelled: true }), this.#timeoutMs);
  };

  #startSilenceTimer(): void {
    this.#progress = this.#reader.rowsDelivered + this.#reader.pendingRows + this.#answers;
    if (this.#silenceTimer !== null) {
      this.#silenceTimer.refresh();
      return;
    }
    this.#silenceTimer = setTimeout(() => {
      this.#silenceTimer = null;
      // Reached, but nothing answered the TLS hello: most likely not an API-SSL port.
      if (this.#tcpConnected && !this.#handshaken && this.#endpoint.tls) return this.#fail(handshakeUnanswered(this.#endpoint, this.#timeoutMs));
      this.#fail(routerError("timeout", this.#endpoint, { command: this.#loggedIn ? this.#command : undefined, timeoutMs: this.#timeoutMs }));
    }, this.#timeoutMs);
  }

  #stopSilenceTimer(): void {
    if (this.#silenceTimer !== null) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = null;
  }

  #send(words: readonly string[]): void {
    this.#socket?.write(encodeSentence(words));
  }

  get #loggedIn(): boolean {
    return this.#phase === "printing" || this.#phase === "cancelling";
  }

  #closed(): void {
    if (this.#phase === "ended") return;
    if (this.#phase === "cancelling") return this.#finish({ cancelled: true });
    const reason = this.#socketError === undefined ? undefined : this.#error(this.#socketError);
    this.#lost(reason ?? routerError("closed", this.#endpoint, { command: this.#loggedIn ? this.#command : undefined }, this.#password));
  }

  /** The connection broke: before login, say what that most likely means, as RouterClient does. */
  #lost(error: RouterError): void {
    if (!this.#loggedIn && (error.kind === "closed" || error.kind === "protocol")) {
      if (!this.#handshaken && this.#endpoint.tls) {
        error = routerError("tls", this.#endpoint, { reason: error.routerMessage ?? "the connection ended during the handshake", cause: error }, this.#password);
      } else if (error.kind === "closed") {
        error = routerError("closed", this.#endpoint, { routerMessage: error.routerMessage, beforeLogin: true, cause: error }, this.#password);
      }
    }
    this.#fail(error);
  }

  #finish({ cancelled }: { cancelled: boolean }): void {
    this.#end({ summary: { rows: this.#reader.rowsDelivered, bytes: this.#bytes, cancelled, fingerprint: this.#fingerprint } });
  }

  #fail(error: RouterError): void {
    this.#end({ error });
  }

  #end(outcome: { summary?: PrintSummary; error?: RouterError }): void {
    if (this.#phase === "ended") return;
    this.#phase = "ended";
    this.#reader.acceptRows = false;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    if (this.#cancelTimer !== null) clearTimeout(this.#cancelTimer);
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#stopSilenceTimer();
    this.#socket?.destroy();
    this.#settle?.(outcome);
  }

  #error(e: unknown, command?: string): RouterError {
    return toRouterError(e, { ...this.#endpoint, password: this.#password, timeoutMs: this.#timeoutMs }, command);
  }
}

/** Bit flags packed with a word length by readLength: how many bytes the length prefix took. */
const INCOMPLETE = -1;

/**
 * The length of the word at `at` times 8 plus the size of its prefix (1 to 5 bytes), or
 * INCOMPLETE when the prefix runs past `end`. One number, so the hot loop allocates nothing.
 */
function readLength(data: Buffer, at: number, end: number): number {
  const first = data[at]!;
  if (first < 0x80) return first * 8 + 1;
  if (first < 0xc0) return at + 2 > end ? INCOMPLETE : (((first & 0x3f) << 8) | data[at + 1]!) * 8 + 2;
  if (first < 0xe0) return at + 3 > end ? INCOMPLETE : (((first & 0x1f) << 16) | (data[at + 1]! << 8) | data[at + 2]!) * 8 + 3;
  if (first < 0xf0) {
    if (at + 4 > end) return INCOMPLETE;
    return ((first & 0x0f) * 0x1000000 + ((data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!)) * 8 + 4;
  }
  if (first === 0xf0) {
    if (at + 5 > end) return INCOMPLETE;
    return (data[at + 1]! * 0x1000000 + ((data[at + 2]! << 16) | (data[at + 3]! << 8) | data[at + 4]!)) * 8 + 5;
  }
  throw new FramingError(`a reserved control byte (0x${first.toString(16)}) where a word length belongs`);
}

// Buffer's own latin1 slicer, without toString's argument checks: it runs for most words.
const latin1 = (data: Buffer, start: number, end: number): string => (data as unknown as Latin1Slicer).latin1Slice(start, end);
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/** Does data[start, end) hold exactly the bytes of `text` (a latin1 string)? */
function sameBytes(data: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (data[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

// Values of a column are looked up among its last few distinct values before a string is made:
// most route attributes take a handful of values (gateway, flags, distance, AS path).
const INTERN_ENTRIES = 8;
const INTERN_MAX_LENGTH = 96;
// A column whose values rarely repeat (.id, dst-address) stops trying after this many misses.
const INTERN_TRIAL_MISSES = 256;

class Column {
  /**
   * The name's bytes as little-endian 32-bit words at 0, 4, 8 ... and a last one ending where the
   * name ends: matching a name against a row's word takes a few word reads instead of a loop
   * over its bytes, which was the decoder's largest cost.
   */
  readonly #nameWords: Int32Array;
  readonly #recent: string[] = [];
  #next = 0;
  #hits = 0;
  #misses = 0;
  #interning = true;

  constructor(readonly name: string) {
    const bytes = Buffer.from(name, "latin1");
    const words: number[] = [];
    if (bytes.length >= 4) {
      for (let i = 0; i + 4 < bytes.length; i += 4) words.push(bytes.readInt32LE(i));
      words.push(bytes.readInt32LE(bytes.length - 4));
    }
    // Int32 on both sides: compared untagged, never boxed into heap numbers.
    this.#nameWords = Int32Array.from(words);
  }

  /** Is the name at `start` of `view` this column's (the caller checked the length)? */
  named(view: DataView, start: number): boolean {
    const words = this.#nameWords;
    const length = this.name.length;
    if (length < 4) {
      for (let i = 0; i < length; i++) if (view.getUint8(start + i) !== this.name.charCodeAt(i)) return false;
      return true;
    }
    const last = words.length - 1;
    for (let i = 0; i < last; i++) if (view.getInt32(start + i * 4, true) !== words[i]) return false;
    return view.getInt32(start + length - 4, true) === words[last];
  }

  value(data: Buffer, start: number, end: number): string {
    if (!this.#interning || end - start > INTERN_MAX_LENGTH) return latin1(data, start, end);
    const recent = this.#recent;
    for (let i = 0; i < recent.length; i++) {
      const candidate = recent[i]!;
      if (sameBytes(data, start, end, candidate)) {
        this.#hits++;
        return candidate;
      }
    }
    const text = latin1(data, start, end);
    if (++this.#misses > INTERN_TRIAL_MISSES && this.#misses > this.#hits) {
      this.#interning = false;
      recent.length = 0;
      return text;
    }
    if (recent.length < INTERN_ENTRIES) recent.push(text);
    else {
      recent[this.#next] = text;
      this.#next = (this.#next + 1) % INTERN_ENTRIES;
    }
    return text;
  }
}

const BANG = 0x21;
const EQUALS = 0x3d;

/**
 * Splits reply bytes into sentences. `!re` rows go straight into column batches: each attribute's
 * name is matched byte for byte against the column seen at the same place in the row before,
 * and only where its value lies is kept. Every other sentence is handed to `onReply` as words.
 * A sentence cut by a chunk boundary is kept and decoded again once its end arrived; meanwhile
 * only the framing of the new bytes is read, which also holds it to the limits of framing.ts.
 */
class ReplyReader {
  /** Rows are decoded only while this is set (not during login, not after a cancel). */
  acceptRows = false;
  rowsDelivered = 0;
  /** `!re` rows read past while acceptRows was off. */
  skippedRows = 0;
  readonly #columns: Column[] = [];
  readonly #names: string[] = [];
  /** The column that came at each word position of the last row: the first guess for the next. */
  readonly #expected: number[] = [];
  #stride: number;
  /**
   * Rows the current batch takes: small at first, doubling up to batchRows. The first rows reach
   * the screen within a frame, and the first batches, decoded before the JIT has warmed up, take a
   * few ms each rather than tens.
   */
  #batchRows: number;
  /** Per row and column of the batch: where the value starts and ends in the row's bytes. */
  #cells: Int32Array;
  /** Per row of the batch: the buffer its cells point into. */
  #rowBytes: Buffer[] = [];
  #rows = 0;
  /** The buffer being decoded, for reading names a word at a time. */
  #view: DataView = new DataView(new ArrayBuffer(0));
  #held: Buffer[] = [];
  #heldBytes = 0;
  /** Bytes that came but wait for the next push: a batch was handed out before them. */
  #rest: Buffer | null = null;
  /** A batch was handed out during this push. */
  #handedOut = false;
  /** Where the held sentence has got to, word by word. */
  readonly #framing = new ReplyFraming();

  constructor(
    private readonly batchRows: number,
    stride: number,
    private readonly onBatch: (batch: PrintBatch) => void,
    private readonly onReply: (words: string[]) => void,
  ) {
    this.#stride = Math.max(1, stride);
    this.#batchRows = Math.min(batchRows, FIRST_BATCH_ROWS);
    this.#cells = new Int32Array(this.#stride * 2 * this.#batchRows);
  }

  get pendingRows(): number {
    return this.#rows;
  }

  /** The last push stopped after a batch: bytes wait (push again, with nothing new if need be). */
  get unread(): boolean {
    return this.#rest !== null;
  }

  /**
   * Decodes `chunk` after whatever waits. Hands out at most one batch: once one is, decoding stops
   * at the next sentence and the rest waits (returns false) for a later push, so the work of one
   * call is bounded by a batch, however many rows a read brought.
   */
  push(chunk: Buffer): boolean {
    let data = chunk;
    if (this.#rest !== null) {
      // Nothing is held meanwhile: a sentence cut at the end of the rest is held once reached.
      data = chunk.length === 0 ? this.#rest : Buffer.concat([this.#rest, chunk]);
      this.#rest = null;
    } else if (this.#heldBytes > 0) {
      const ends = this.#framing.scan(chunk, 0, true);
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (ends < 0) return true;
      data = Buffer.concat(this.#held, this.#heldBytes);
      this.#held = [];
      this.#heldBytes = 0;
    }
    const end = data.length;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#handedOut = false;
    let at = 0;
    while (at < end) {
      if (this.#handedOut) {
        this.#rest = data.subarray(at);
        return false;
      }
      const next = this.#sentence(data, at, end);
      if (next < 0) {
        // Copied: the chunk itself is not kept alive for a few bytes of it.
        const rest = Buffer.from(data.subarray(at));
        this.#framing.reset();
        this.#framing.scan(rest);
        this.#held = [rest];
        this.#heldBytes = rest.length;
        return true;
      }
      at = next;
    }
    return true;
  }

  /** Hands out the rows decoded so far. */
  flush(): void {
    if (this.#rows === 0) return;
    const batch = new PrintBatch(this.#names.slice(), this.#columns.slice(), this.#rowBytes, this.#cells, this.#stride, this.#rows);
    this.rowsDelivered += this.#rows;
    this.#batchRows = Math.min(this.batchRows, this.#batchRows * 2);
    this.#cells = new Int32Array(this.#stride * 2 * this.#batchRows);
    this.#rowBytes = [];
    this.#rows = 0;
    this.#handedOut = true;
    this.onBatch(batch);
  }

  /** Decodes the sentence at `at`; returns where the next starts, or -(bytes needed from `at`). */
  #sentence(data: Buffer, at: number, end: number): number {
    let p = at;
    const head = readLength(data, p, end);
    if (head === INCOMPLETE) return -(end - at + 1);
    const headLength = Math.floor(head / 8);
    p += head & 7;
    if (headLength === 0) return p; // an empty sentence: nothing to do
    if (p + headLength > end) return -(p + headLength + 1 - at);
    const isRow = headLength === 3 && data[p] === BANG && data[p + 1] === 0x72 /* r */ && data[p + 2] === 0x65; /* e */
    if (isRow && this.acceptRows) return this.#row(data, at, p + headLength, end);
    const words = [data.toString("latin1", p, p + headLength)];
    p += headLength;
    for (;;) {
      if (p >= end) return -(end - at + 1);
      const word = readLength(data, p, end);
      if (word === INCOMPLETE) return -(end - at + 1);
      const length = Math.floor(word / 8);
      p += word & 7;
      if (length === 0) break;
      if (p + length > end) return -(p + length + 1 - at);
      // Rows read past (during a cancel) are not made into strings.
      if (!isRow) words.push(data.toString("latin1", p, p + length));
      p += length;
    }
    if (isRow) this.skippedRows++;
    else this.onReply(words);
    return p;
  }

  /** The words of one `!re` after its head, into the current batch; returns as #sentence does. */
  #row(data: Buffer, at: number, from: number, end: number): number {
    let p = from;
    let base = this.#rows * this.#stride * 2;
    let position = 0;
    // A row decoded again (it was cut by a chunk boundary) sets the same cells as the first time.
    for (;;) {
      if (p >= end) return -(end - at + 1);
      const word = readLength(data, p, end);
      if (word === INCOMPLETE) return -(end - at + 1);
      const length = Math.floor(word / 8);
      p += word & 7;
      if (length === 0) break;
      const wordEnd = p + length;
      if (wordEnd > end) return -(wordEnd + 1 - at);
      // `=name=value`; other words (`.tag=p`) carry nothing for the row.
      if (data[p] === EQUALS) {
        const column = this.#columnOf(data, p + 1, wordEnd, position++);
        if (column >= this.#stride) base = this.#widen(column + 1);
        // `=name` without a second `=` is the name with an empty value.
        const cell = base + column * 2;
        this.#cells[cell] = Math.min(p + 2 + this.#names[column]!.length, wordEnd);
        this.#cells[cell + 1] = wordEnd;
      }
      p = wordEnd;
    }
    this.#rowBytes[this.#rows] = data;
    if (++this.#rows === this.#batchRows) this.flush();
    return p;
  }

  /** The column of the name at data[start, ...) (up to `=` or `end`), added when new. */
  #columnOf(data: Buffer, start: number, end: number, position: number): number {
    const guess = this.#expected[position];
    if (guess !== undefined) {
      const known = this.#columns[guess]!;
      const split = start + known.name.length;
      if (split < end && data[split] === EQUALS && known.named(this.#view, start)) return guess;
    }
    return (this.#expected[position] = this.#lookUpColumn(data, start, end));
  }

  /**
   * #columnOf when the guess was wrong. Apart, because a closure there made V8 allocate its
   * context on every call of the hot path (a gigabyte of garbage per million rows).
   */
  #lookUpColumn(data: Buffer, start: number, end: number): number {
    let split = start;
    while (split < end && data[split] !== EQUALS) split++;
    let column = this.#names.findIndex((name) => sameBytes(data, start, split, name));
    if (column < 0) {
      column = this.#names.length;
      const name = data.toString("latin1", start, split);
      this.#names.push(name);
      this.#columns.push(new Column(name));
    }
    return column;
  }

  /** A new column past the batch's width: re-lays the rows so far. Returns the current row's base. */
  #widen(columns: number): number {
    const stride = Math.max(columns, this.#stride * 2);
    const cells = new Int32Array(stride * 2 * this.#batchRows);
    for (let row = 0; row <= this.#rows; row++) cells.set(this.#cells.subarray(row * this.#stride * 2, (row + 1) * this.#stride * 2), row * stride * 2);
    this.#cells = cells;
    this.#stride = stride;
    return this.#rows * stride * 2;
  }
}

/** `=name=value` words of a reply sentence (and `.tag`) as a record. */
function attributesOf(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const word of words) {
    if (word.startsWith("=")) {
      const split = word.indexOf("=", 1);
      if (split < 0) out[word.slice(1)] = "";
      else out[word.slice(1, split)] = word.slice(split + 1);
    } else if (word.startsWith(".tag=")) {
      out[".tag"] = word.slice(5);
    }
  }
  return out;
}

/** A request sentence: each word with its length prefix, then the empty word. */
function encodeSentence(words: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const word of words) {
    const bytes = Buffer.from(word, "latin1");
    parts.push(lengthPrefix(bytes.length), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function lengthPrefix(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n >>> 8) | 0x80, n & 0xff]);
  if (n < 0x200000) return Buffer.from([(n >>> 16) | 0xc0, (n >>> 8) & 0xff, n & 0xff]);
  if (n < 0x10000000) return Buffer.from([(n >>> 24) | 0xe0, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  return Buffer.from([0xf0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** The pre-6.43 login answer: "00" + md5(0x00, password, challenge bytes), as node-routeros sends it. */
function challengeResponse(password: string, challengeHex: string): string {
  return "00" + createHash("md5").update(Buffer.from([0])).update(password, "latin1").update(Buffer.from(challengeHex, "hex")).digest("hex");
}
