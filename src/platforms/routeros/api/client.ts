// The transport bgpals talks to a router with: node-routeros (the required client) behind a small
// class that adds a time limit to every command, errors a user can act on, API-SSL certificate
// pinning, TCP no-delay, and limits on what a router may send (framing.ts; rows per print).
// Concurrent calls stay pipelined: node-routeros tags each command and they share one connection.
import { endIdleTimer } from "./node-routeros-fix.js";
import net from "node:net";
import { TLSSocket } from "node:tls";
import { Channel, RouterOSAPI, type Connector } from "node-routeros";
import { ReadOnlyError } from "../../../errors.js";
import { brokenReply, endpointOf, handshakeUnanswered, RouterError, routerError, toRouterError, tooManyRows, type Endpoint } from "./errors.js";
import { FramingError, REPLY_TYPES, ReplyFraming } from "./framing.js";
import { checkPin, peerFingerprint } from "./tls-pin.js";
import type { RouterTarget } from "../../../core/target.js";

export const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Rows one print may answer before it is stopped. node-routeros keeps a print's rows in memory
 * until its end; the largest menus bgpals reads (firewall, routing filters) hold thousands.
 */
export const DEFAULT_MAX_ROWS = 100_000;

export type { RouterTarget };

/** A router to connect to, and the client's limits on it. */
export interface ClientTarget extends RouterTarget {
  /** Default budget of rows for each print; default DEFAULT_MAX_ROWS. */
  readonly maxRows?: number;
  /**
   * Send only commands that read (bgpals --read-only): any other is refused before it leaves,
   * whoever asks. `leave` says how to write ("run without --read-only").
   */
  readonly readOnly?: { readonly leave: string };
}

/** One item as the API returns it: attribute names to values, `.id` included. */
export type RouterItem = Record<string, string>;

export interface PrintOptions {
  /** `{ name: "ether1" }` asks `?name=ether1` (every pair must match); an array is sent as raw query words. */
  readonly query?: Readonly<Record<string, string>> | readonly string[];
  /** Only these attributes (`=.proplist=`), which also makes large prints much cheaper. */
  readonly proplist?: readonly string[];
  /** Longest silence allowed while the answer comes in; default the client's. */
  readonly timeoutMs?: number;
  /** More rows than this stops the print with an error; default the client's (DEFAULT_MAX_ROWS). */
  readonly maxRows?: number;
}

export interface ListenOptions extends Pick<PrintOptions, "query" | "proplist"> {
  /** The router refused the listen, or the connection was lost; no more changes will come. */
  readonly onError?: (error: RouterError) => void;
}

export interface Listening {
  /** Cancels the listen on the router. */
  stop(): Promise<void>;
}

// Self-signed router certificates fail verification by design; the fingerprint check replaces it.
const TLS_OPTIONS = { rejectUnauthorized: false };

export class RouterClient {
  readonly endpoint: Endpoint;
  // Private fields (#) keep the password, and node-routeros's copy of it, out of console.log output.
  readonly #api: RouterOSAPI;
  readonly #password: string;
  readonly #timeoutMs: number;
  readonly #maxRows: number;
  readonly #readOnly: { readonly leave: string } | undefined;
  #connector: Connector | null = null;
  #socket: net.Socket | null = null;
  #fingerprint: string | null = null;
  /** Set once the connection is gone; every later call fails with it. */
  #lostWith: RouterError | null = null;
  #closing: Promise<void> | null = null;
  /** The router broke the protocol; nothing it sends is read any more. */
  #broke = false;
  /** How to fail each call still waiting for the router. */
  readonly #waiting = new Set<(error: RouterError) => void>();
  readonly #listens = new Set<{ lost(error: RouterError): void; end(): void }>();
  readonly #fatal = new FatalReason();

  private constructor(target: ClientTarget) {
    this.endpoint = endpointOf(target);
    this.#password = target.password;
    this.#timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxRows = target.maxRows ?? DEFAULT_MAX_ROWS;
    this.#readOnly = target.readOnly;
    this.#api = new RouterOSAPI({
      host: this.endpoint.host,
      port: this.endpoint.port,
      user: this.endpoint.user,
      password: target.password,
      // node-routeros closes a connection silent for this long; keepalive sends `#` every half of it.
      timeout: this.#timeoutMs / 1000,
      keepalive: true,
      tls: this.endpoint.tls ? TLS_OPTIONS : undefined,
    });
    // Socket errors after login are emitted here; unhandled, they would crash the process.
    this.#api.on("error", (e: unknown) => this.#lose(this.#error(e)));
    this.#api.on("close", () => this.#lose(routerError("closed", this.endpoint, { routerMessage: this.#fatal.read() }, this.#password)));
  }

  /** Connects and logs in; with TLS, checks the certificate against `knownFingerprint` first. */
  static async connect(target: ClientTarget): Promise<RouterClient> {
    const client = new RouterClient(target);
    await client.#open(target.knownFingerprint);
    return client;
  }

  /** SHA-256 fingerprint of the router's API-SSL certificate, to store for pinning; null without TLS. */
  get fingerprint(): string | null {
    return this.#fingerprint;
  }

  get closed(): boolean {
    return this.#lostWith !== null;
  }

  print(path: string, options: PrintOptions = {}): Promise<RouterItem[]> {
    return this.#execute([`${menuPath(path)}/print`, ...proplistWords(options.proplist), ...queryWords(options.query)], options);
  }

  /** How many items of a menu match `query` (`=count-only=`), without reading them. */
  async count(path: string, options: Pick<PrintOptions, "query" | "timeoutMs"> = {}): Promise<number> {
    const command = `${menuPath(path)}/print`;
    const reply = await this.#execute([command, "=count-only=", ...queryWords(options.query)], options);
    const count = Number(reply.at(-1)?.ret);
    if (!Number.isInteger(count) || count < 0) throw routerError("protocol", this.endpoint, { command, reason: "count-only answered without a count" });
    return count;
  }

  /** Adds an item; returns its `.id`. */
  async add(path: string, attrs: Readonly<Record<string, string>>): Promise<string> {
    const command = `${menuPath(path)}/add`;
    const reply = await this.#execute([command, ...attributeWords(attrs)]);
    const id = reply.at(-1)?.ret;
    if (id === undefined) {
      throw routerError("protocol", this.endpoint, { command, reason: "add answered without the new item's .id" });
    }
    return id;
  }

  /** Changes an item; `id` null for menus with a single item, like /system/identity. */
  async set(path: string, id: string | null, attrs: Readonly<Record<string, string>>): Promise<void> {
    const target = id === null ? [] : [`=.id=${id}`];
    await this.#execute([`${menuPath(path)}/set`, ...target, ...attributeWords(attrs)]);
  }

  /** Clears one attribute of an item (RouterOS `unset`), which then prints without it. */
  async unset(path: string, id: string | null, name: string): Promise<void> {
    const target = id === null ? [] : [`=.id=${id}`];
    await this.#execute([`${menuPath(path)}/unset`, ...target, `=value-name=${name}`]);
  }

  async remove(path: string, id: string): Promise<void> {
    await this.#execute([`${menuPath(path)}/remove`, `=.id=${id}`]);
  }

  /** Runs any command, e.g. `/routing/bgp/session/clear`; returns what it answered. */
  run(command: string, attrs: Readonly<Record<string, string>> = {}, options: Pick<PrintOptions, "timeoutMs" | "maxRows"> = {}): Promise<RouterItem[]> {
    return this.#execute([menuPath(command), ...attributeWords(attrs)], options);
  }

  /**
   * Follows changes of a menu: `onChange` gets every added or changed item, and removed ones as
   * `.id` with `.dead: "yes"`. It runs inside the socket's data handler and must not throw.
   */
  listen(path: string, onChange: (item: RouterItem) => void, options: ListenOptions = {}): Listening {
    if (this.#lostWith !== null) throw this.#lostWith;
    const command = `${menuPath(path)}/listen`;
    const words = [command, ...proplistWords(options.proplist), ...queryWords(options.query)];
    const entry = {
      lost: (error: RouterError): void => {
        stream.stop().catch(() => {});
        endIdleTimer(stream);
        options.onError?.(error);
      },
      // The connection is closed: no /cancel can go, and the idle timer must not tick on (node-routeros-fix.ts).
      end: (): void => endIdleTimer(stream),
    };
    const stream = this.#api.stream(words, (error: Error | null, packet: unknown) => {
      if (error) {
        this.#listens.delete(entry);
        options.onError?.(this.#error(error, command));
        return;
      }
      // An idle listen is called with [] every ~2.3 s; items in `.section`s come as arrays.
      for (const item of Array.isArray(packet) ? packet : [packet]) onChange(item as RouterItem);
    });
    this.#listens.add(entry);
    return {
      stop: async () => {
        if (!this.#listens.delete(entry)) return;
        try {
          await this.#guard(() => stream.stop(), this.#timeoutMs, `${command} /cancel`);
        } finally {
          endIdleTimer(stream);
        }
      },
    };
  }

  /** Ends the session; calls still waiting fail with kind `closed`. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    const wasOpen = this.#lostWith === null;
    // Listens end with the client: their owners asked for it, so no onError.
    for (const listen of this.#listens) listen.end();
    this.#listens.clear();
    this.#lose(routerError("closed", this.endpoint, { reason: "closed by bgpals" }));
    try {
      if (wasOpen) await within(this.#api.close(), this.#timeoutMs);
    } catch {
      // Closing is best effort; the socket is destroyed below either way.
    } finally {
      this.#socket?.destroy();
    }
  }

  async #open(knownFingerprint: string | null | undefined): Promise<void> {
    const connecting = this.#api.connect();
    // node-routeros creates its socket synchronously inside connect().
    const connector = connectorOf(this.#api);
    const socket = connector === undefined ? undefined : socketOf(connector);
    const receiver = connector === undefined ? undefined : receiverOf(connector);
    if (connector === undefined || socket === undefined || receiver === undefined) {
      connecting.catch(() => {});
      socket?.destroy();
      throw routerError("protocol", this.endpoint, { reason: "node-routeros changed: its socket is out of reach" });
    }
    this.#connector = connector;
    this.#socket = socket;
    this.#checkReplies(receiver);
    // Without it every command pays Nagle plus delayed ACK, about 40 ms.
    socket.setNoDelay(true);
    // Before node-routeros's handler, which closes the connection on `!fatal` before we could look.
    socket.prependListener("data", (chunk: Buffer) => this.#fatal.push(chunk));
    let socketError: unknown;
    socket.on("error", (e: unknown) => (socketError ??= e));
    let pinFailure: RouterError | null = null;
    let handshaken = !this.endpoint.tls;
    let tcpConnected = false;
    socket.once("connect", () => (tcpConnected = true));
    if (socket instanceof TLSSocket) {
      // Runs before node-routeros's own secureConnect listener, which sends the login: a router
      // whose certificate does not match never sees the password.
      socket.prependOnceListener("secureConnect", () => {
        handshaken = true;
        try {
          this.#fingerprint = checkPin(knownFingerprint, peerFingerprint(socket), this.endpoint);
        } catch (e) {
          pinFailure = e as RouterError;
          // end(), not destroy(): the server sees the handshake finish and a clean close. The login
          // node-routeros writes next stays queued on the ended socket, which goes once that close
          // is sent, whether or not the other end ever closes its side.
          socket.end(() => socket.destroy());
          this.#lose(pinFailure);
        }
      });
    }
    try {
      await this.#guard(() => connecting, this.#timeoutMs, undefined);
    } catch (e) {
      if (pinFailure !== null) throw pinFailure;
      socket.destroy();
      // The socket's own error says more than node-routeros's copy of it (which has no message).
      const error = (e as RouterError).kind === "timeout" || socketError === undefined ? this.#error(e) : this.#error(socketError);
      // Reached, but nothing answered the TLS hello: most likely not an API-SSL port.
      if (error.kind === "timeout" && tcpConnected && !handshaken) throw handshakeUnanswered(this.endpoint, this.#timeoutMs, e);
      if (error.kind !== "closed" && error.kind !== "protocol") throw error;
      if (!handshaken) {
        throw routerError("tls", this.endpoint, { reason: error.routerMessage ?? "the connection ended during the handshake", cause: e }, this.#password);
      }
      if (error.kind === "closed") {
        throw routerError("closed", this.endpoint, { routerMessage: error.routerMessage, beforeLogin: true, cause: e }, this.#password);
      }
      throw error;
    }
  }

  #execute(words: string[], options: { timeoutMs?: number; maxRows?: number } = {}): Promise<RouterItem[]> {
    const command = words[0]!;
    if (this.#readOnly !== undefined && !readsOnly(words)) {
      const at = this.endpoint;
      return Promise.reject(new ReadOnlyError(command, `${at.user}@${at.host}:${at.port}`, this.#readOnly.leave));
    }
    const connector = this.#connector;
    if (connector === null) return Promise.reject(routerError("closed", this.endpoint, { command, reason: "not connected" }));
    const channel = new Channel(connector);
    const maxRows = options.maxRows ?? this.#maxRows;
    return this.#guard(
      async (answered) => {
        // node-routeros keeps only the message of a `!trap`; the category comes from the event.
        let trap: { message?: string; category?: string } | undefined;
        channel.on("trap", (words: { message?: string; category?: string }) => (trap ??= words));
        let rows = 0;
        let overflow: (error: RouterError) => void = () => {};
        const overflowed = new Promise<never>((_resolve, reject) => (overflow = reject));
        channel.on("data", () => {
          answered();
          if (++rows <= maxRows) return;
          // node-routeros keeps every row until `!done`: stop it keeping more, drop what it has,
          // and stop the print on the router.
          channel.removeAllListeners("data");
          rowsKeptBy(channel).length = 0;
          this.#cancel(channel.Id);
          overflow(tooManyRows(this.endpoint, command, maxRows));
        });
        try {
          return (await Promise.race([channel.write(words), overflowed])) as RouterItem[];
        } catch (e) {
          if (trap === undefined || e instanceof RouterError) throw e;
          const category = trap.category === undefined ? undefined : Number(trap.category);
          throw routerError("trap", this.endpoint, { command, routerMessage: trap.message ?? "", category }, this.#password);
        }
      },
      options.timeoutMs ?? this.#timeoutMs,
      command,
      () => this.#cancel(channel.Id),
    );
  }

  /**
   * Every chunk from the router passes the framing checks (framing.ts) before node-routeros reads
   * it: a word over the limit is refused at its length, before any of it is kept, and an unknown
   * reply word before node-routeros throws on it. Whatever node-routeros still throws while
   * reading (it does from inside the socket's data handler) ends the connection, not the process.
   */
  #checkReplies(receiver: RawReceiver): void {
    const framing = new ReplyFraming({ replyTypes: REPLY_TYPES, tagged: true });
    const read = receiver.processRawData.bind(receiver);
    receiver.processRawData = (data: Buffer): void => {
      if (this.#broke) return;
      try {
        framing.scan(data);
      } catch (e) {
        if (!(e instanceof FramingError)) throw e;
        return this.#break(e.message);
      }
      try {
        read(data);
      } catch (e) {
        this.#break(`an answer the API client could not read (${e instanceof Error ? e.message || e.name : String(e)})`);
      }
    };
  }

  /** The router broke the protocol: nothing more is read, and the connection goes. */
  #break(what: string): void {
    this.#broke = true;
    this.#lose(brokenReply(this.endpoint, what, this.#password));
    this.#socket?.destroy();
  }

  /**
   * Waits for `work` (a call to the router) while the connection lasts. Fails with `timeout` after
   * `timeoutMs` without progress (`work` reports progress through its argument), and with the
   * connection's fate if it is lost meanwhile.
   */
  #guard<T>(
    work: (progress: () => void) => Promise<T>,
    timeoutMs: number,
    command: string | undefined,
    onTimeout?: () => void,
  ): Promise<T> {
    if (this.#lostWith !== null) return Promise.reject(this.#lostWith);
    return new Promise<T>((resolve, reject) => {
      const settle = (finish: () => void): void => {
        if (!this.#waiting.delete(fail)) return;
        clearTimeout(timer);
        finish();
      };
      const fail = (error: RouterError): void => settle(() => reject(error));
      const timer = setTimeout(() => {
        fail(routerError("timeout", this.endpoint, { command, timeoutMs }));
        onTimeout?.();
      }, timeoutMs);
      this.#waiting.add(fail);
      work(() => timer.refresh()).then(
        (value) => settle(() => resolve(value)),
        (e: unknown) => fail(this.#error(e, command)),
      );
    });
  }

  /** Asks the router to stop a command we gave up on; its late answer is then dropped. */
  #cancel(tag: string): void {
    if (this.#lostWith !== null || this.#connector === null) return;
    new Channel(this.#connector).write(["/cancel", `=tag=${tag}`]).catch(() => {});
  }

  /** The connection is gone: fail whatever waits, and everything after. */
  #lose(error: RouterError): void {
    if (this.#lostWith !== null) return;
    this.#lostWith = error;
    stopLibraryTimers(this.#api);
    for (const fail of [...this.#waiting]) fail(error);
    const listens = [...this.#listens];
    this.#listens.clear();
    for (const listen of listens) listen.lost(error);
  }

  #error(e: unknown, command?: string): RouterError {
    return toRouterError(e, { ...this.endpoint, password: this.#password, timeoutMs: this.#timeoutMs }, command);
  }
}

/**
 * Verbs that only read. Everything else (add, set, remove, move, clear, sign, import, a script's
 * run, ...) may change the router, and a read-only client refuses it.
 */
const READING_VERBS = new Set(["print", "getall", "listen", "monitor", "monitor-traffic", "cancel"]);

/** Whether a command only reads: a reading verb, and no print into a file (`=file=` writes one). */
export function readsOnly(words: readonly string[]): boolean {
  const verb = words[0]!.split("/").at(-1)!;
  return READING_VERBS.has(verb) && !words.slice(1).some((word) => word.startsWith("=file="));
}

/** `/ip/address`, however written: `ip address`, `/ip/address/`. */
export function menuPath(path: string): string {
  return "/" + path.trim().split(/[\s/]+/).filter(Boolean).join("/");
}

function attributeWords(attrs: Readonly<Record<string, string>>): string[] {
  return Object.entries(attrs).map(([name, value]) => `=${name}=${value}`);
}

export function proplistWords(proplist: readonly string[] | undefined): string[] {
  return proplist === undefined ? [] : [`=.proplist=${proplist.join(",")}`];
}

export function queryWords(query: PrintOptions["query"]): string[] {
  if (query === undefined) return [];
  if (isWordList(query)) return query.map((word) => (word.startsWith("?") ? word : `?${word}`));
  return Object.entries(query).map(([name, value]) => `?${name}=${value}`);
}

function isWordList(query: NonNullable<PrintOptions["query"]>): query is readonly string[] {
  return Array.isArray(query);
}

// node-routeros keeps its connector and socket in fields its typings call private; bgpals needs the
// socket for no-delay, for pinning before the login goes out and for the reason of a `!fatal`.
function connectorOf(api: RouterOSAPI): Connector | undefined {
  return (api as unknown as { connector?: Connector }).connector;
}

function socketOf(connector: Connector): net.Socket | undefined {
  const socket = (connector as unknown as { socket?: unknown }).socket;
  return socket instanceof net.Socket ? socket : undefined;
}

/** node-routeros's reader of the socket's bytes: every chunk goes through processRawData. */
interface RawReceiver {
  processRawData(data: Buffer): void;
}

function receiverOf(connector: Connector): RawReceiver | undefined {
  const receiver = (connector as unknown as { receiver?: Partial<RawReceiver> }).receiver;
  return typeof receiver?.processRawData === "function" ? (receiver as RawReceiver) : undefined;
}

/** The rows a node-routeros channel has gathered so far. */
function rowsKeptBy(channel: Channel): unknown[] {
  const kept = (channel as unknown as { data?: unknown }).data;
  return Array.isArray(kept) ? kept : [];
}

/**
 * node-routeros's keepalive (a `#` every half timeout) and connection hold timers. They are not
 * stopped when the connection is lost, and a timer left armed keeps the process from exiting.
 */
function stopLibraryTimers(api: RouterOSAPI): void {
  const timers = api as unknown as { keptaliveby?: NodeJS.Timeout; connectionHoldInterval?: NodeJS.Timeout };
  clearTimeout(timers.keptaliveby);
  clearTimeout(timers.connectionHoldInterval);
}

function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

const FATAL_WORD = Buffer.from("\x06!fatal", "latin1");

/**
 * node-routeros closes the connection on `!fatal` but drops the reason that follows it; the last
 * bytes received still hold it. Keeps the last two chunks (references, not copies) to read it.
 */
class FatalReason {
  #previous: Buffer | undefined;
  #last: Buffer | undefined;

  push(chunk: Buffer): void {
    this.#previous = this.#last;
    this.#last = chunk;
  }

  read(): string | undefined {
    const chunks = [this.#previous, this.#last].filter((chunk): chunk is Buffer => chunk !== undefined);
    const tail = Buffer.concat(chunks);
    const at = tail.lastIndexOf(FATAL_WORD);
    if (at < 0) return undefined;
    const reason = readWord(tail, at + FATAL_WORD.length);
    return reason === "" ? undefined : reason;
  }
}

/** One API word at `offset`: a 1 to 5 byte length prefix, then the bytes. */
function readWord(data: Buffer, offset: number): string | undefined {
  const first = data[offset];
  if (first === undefined) return undefined;
  const size = first < 0x80 ? 1 : first < 0xc0 ? 2 : first < 0xe0 ? 3 : first < 0xf0 ? 4 : 5;
  if (offset + size > data.length) return undefined;
  // The high bits of the first byte say how many bytes the length takes; 0xF0 means "the next four".
  let length = size === 5 ? 0 : first & (0xff >> size);
  for (let i = 1; i < size; i++) length = length * 256 + data[offset + i]!;
  const start = offset + size;
  if (start + length > data.length) return undefined;
  return data.toString("latin1", start, start + length);
}
