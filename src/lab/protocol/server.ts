// A RouterOS API server for lab routers: TCP and API-SSL, login, tags, concurrent commands,
// /cancel, /quit, !fatal, injected latency and dropped connections. What a command does is
// not decided here: a CommandHandler (the router's config store and hooks) answers it.
import { X509Certificate, createHash, randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { labCertificate, type TlsCredentials } from "./certificate.js";
import { FatalMessage, TrapCategory, TrapError, TrapMessage } from "./traps.js";
import { DEFAULT_DECODER_LIMITS, SentenceDecoder, SentenceEncoder, type DecoderLimits } from "./words.js";

export interface ApiUser {
  readonly name: string;
  readonly password: string;
  /** RouterOS user group; `read` may not change anything. */
  readonly group?: "full" | "write" | "read";
}

/** One command sentence, split into its parts. */
export interface ApiRequest {
  /** The command word, e.g. `/ip/address/print`. */
  readonly command: string;
  /** `=name=value` words; a later word wins over an earlier one with the same name. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Query words in order, without the leading `?` (e.g. `name=ether1`, `-comment`, `#|!`). */
  readonly queries: readonly string[];
  readonly tag: string | undefined;
  /** Who sent it (empty name before login). */
  readonly user: { readonly name: string; readonly group: NonNullable<ApiUser["group"]> };
}

/** How a handler answers one command. Everything written after the command ended is dropped. */
export interface Reply {
  readonly tag: string | undefined;
  /** Aborted when the command is cancelled, ends, or its connection closes. */
  readonly signal: AbortSignal;
  /** True once `!done` went out (or the command was cancelled). */
  readonly finished: boolean;
  /**
   * One `!re` item as parallel arrays of attribute names and values (how the config store keeps
   * rows); `pick` selects and orders columns; undefined values are left out.
   */
  row(names: readonly string[], values: readonly (string | undefined)[], pick?: readonly number[] | null): void;
  /** One `!re` item from a record. */
  item(attributes: Readonly<Record<string, string>>): void;
  /** Tells the client a print found nothing: `!empty`, only on routers that send it (RouterOS 7.18+). */
  empty(): void;
  /** A `!trap`; the command still has to end with `done()`. */
  trap(message: string, category?: TrapCategory): void;
  /** Ends the command: `!done`, with `=ret=` when given. */
  done(ret?: string): void;
  /** `trap()` then `done()`. */
  fail(message: string, category?: TrapCategory): void;
  /**
   * Non-null while the connection has more unsent bytes than it should hold: long replies await
   * it between items so a slow client slows the producer instead of filling memory.
   */
  backpressure(): Promise<void> | null;
}

export type CommandHandler = (request: ApiRequest, reply: Reply) => void | Promise<void>;

export interface ApiServerOptions {
  handler: CommandHandler;
  /** Accounts that may log in; default admin with an empty password, as a factory router. */
  /** Who may log in; a function is asked at each login (users added over the API count). */
  users?: readonly ApiUser[] | (() => readonly ApiUser[]);
  host?: string;
  /** TCP port of the API; 0 picks a free one. */
  port?: number;
  /** Port of API-SSL; 0 picks a free one; null serves no API-SSL. */
  tlsPort?: number | null;
  /** Certificate of API-SSL; default a self-signed one made at start. */
  tlsCredentials?: Pick<TlsCredentials, "key" | "cert">;
  /** Delay added to every reply, in milliseconds. */
  latencyMs?: number;
  /** Send `!empty` before `!done` when a print finds nothing (RouterOS 7.18 and later). */
  emptyReplies?: boolean;
  /** Most connections at once; more are closed on accept. */
  maxSessions?: number;
  /** Limits on sentences after login (before login they are much tighter). */
  limits?: Partial<DecoderLimits>;
  /** Told about handler failures that were not traps (bugs); the client gets a trap either way. */
  onHandlerError?: (error: unknown, request: ApiRequest) => void;
}

// Before login a peer is unknown: small words, few sentences (RouterOS limits these too).
const PRE_LOGIN_LIMITS: DecoderLimits = { maxWordBytes: 4096, maxSentenceWords: 64, maxSentenceBytes: 16384 };
const MAX_SENTENCES_BEFORE_LOGIN = 16;
// Output is handed to the socket once this much is encoded, and producers wait above HIGH_WATER.
const FLUSH_BYTES = 1024 * 1024;
const HIGH_WATER = 4 * 1024 * 1024;
// A connection whose unsent output passes this (a handler ignoring backpressure) is dropped.
const OUTPUT_LIMIT = 512 * 1024 * 1024;
const CLOSE_GRACE_MS = 2000;

export class ApiServer {
  /** What answers commands after login; a router may swap it (e.g. a new personality after reboot). */
  handler: CommandHandler;
  /** Delay added to every reply from now on (fault injection may change it at any time). */
  latencyMs: number;
  emptyReplies: boolean;
  /** While false, new connections are closed at once (a router that is rebooting). */
  available = true;
  private readonly userSource: readonly ApiUser[] | (() => readonly ApiUser[]);
  /** The API-SSL certificate once started, for clients that pin its fingerprint. */
  tlsCertificate: X509Certificate | null = null;
  private readonly options: ApiServerOptions;
  private readonly connections = new Set<ApiConnection>();
  private tcpServer: net.Server | null = null;
  private tlsServer: tls.Server | null = null;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.handler = options.handler;
    this.latencyMs = options.latencyMs ?? 0;
    this.emptyReplies = options.emptyReplies ?? false;
    this.userSource = options.users ?? [{ name: "admin", password: "" }];
  }

  get users(): readonly ApiUser[] {
    return typeof this.userSource === "function" ? this.userSource() : this.userSource;
  }

  get limits(): Partial<DecoderLimits> {
    return this.options.limits ?? {};
  }

  /** Port of the API; throws before start(). */
  get port(): number {
    return portOf(this.tcpServer);
  }

  /** Port of API-SSL, or null when it is not served. */
  get tlsPort(): number | null {
    return this.tlsServer === null ? null : portOf(this.tlsServer);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<this> {
    const host = this.options.host ?? "127.0.0.1";
    // Half-open: a client may send its last command and close its side before reading the reply.
    this.tcpServer = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
    await listen(this.tcpServer, this.options.port ?? 0, host);
    if (this.options.tlsPort !== null) {
      const credentials = this.options.tlsCredentials ?? (await labCertificate());
      this.tlsCertificate = new X509Certificate(credentials.cert);
      const server = tls.createServer(
        { key: credentials.key, cert: credentials.cert, noDelay: true, allowHalfOpen: true },
        (socket) => this.accept(socket),
      );
      // A failed handshake concerns that peer only.
      // A client that hangs up mid-handshake must not keep stop() waiting.
      server.on("tlsClientError", (_error, socket) => socket.destroy());
      this.tlsServer = server;
      await listen(server, this.options.tlsPort ?? 0, host);
    }
    return this;
  }

  /** Closes every connection with `!fatal <message>`; returns how many there were. */
  dropConnections(message: string = FatalMessage.dropped): number {
    const count = this.connections.size;
    for (const connection of [...this.connections]) connection.fatal(message, true);
    return count;
  }

  async stop(): Promise<void> {
    for (const connection of [...this.connections]) connection.destroy();
    await Promise.all([close(this.tcpServer), close(this.tlsServer)]);
    this.tcpServer = null;
    this.tlsServer = null;
  }

  /** @internal */
  forget(connection: ApiConnection): void {
    this.connections.delete(connection);
  }

  /** @internal */
  reportHandlerError(error: unknown, request: ApiRequest): void {
    try {
      this.options.onHandlerError?.(error, request);
    } catch {
      // A broken observer must not take the connection down.
    }
  }

  private accept(socket: net.Socket): void {
    socket.on("error", () => {});
    if (!this.available || this.connections.size >= (this.options.maxSessions ?? 256)) {
      socket.destroy();
      return;
    }
    this.connections.add(new ApiConnection(this, socket));
  }
}

/** One client connection: its login state, its running commands and its output. */
class ApiConnection {
  private readonly decoder = new SentenceDecoder(PRE_LOGIN_LIMITS);
  private readonly encoder = new SentenceEncoder();
  private readonly commands = new Set<CommandReply>();
  private user: ApiUser | null = null;
  private challenge: Buffer | null = null;
  private sentencesBeforeLogin = 0;
  private closing = false;
  private closed = false;
  private flushQueued = false;
  private endWhenFlushed = false;
  /** Output held back by injected latency, oldest first. */
  private delayed: { due: number; chunks: Buffer[]; bytes: number }[] = [];
  private delayedBytes = 0;
  private delayTimer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly server: ApiServer,
    private readonly socket: net.Socket,
  ) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("drain", () => this.wakeWaiters());
    socket.on("end", () => this.peerEnded());
    socket.on("close", () => this.cleanUp());
  }

  fatal(message: string, immediate: boolean): void {
    if (this.closing) return;
    this.closing = true;
    this.stopCommands();
    if (immediate) {
      // A forced close skips whatever was still waiting to go out.
      this.encoder.take();
      this.delayed = [];
      this.delayedBytes = 0;
    }
    this.encoder.sentence(["!fatal", message]);
    this.endWhenFlushed = true;
    this.flush();
  }

  /** The client closed its side: what was already answered goes out, then we close too. */
  private peerEnded(): void {
    if (this.closing) return;
    this.closing = true;
    this.stopCommands();
    this.endWhenFlushed = true;
    this.flush();
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
    this.cleanUp();
  }

  /** Queues a sentence of a command's reply. */
  send(words: readonly string[]): void {
    this.encoder.sentence(words);
    this.queueFlush();
  }

  sendRow(
    names: readonly string[],
    values: readonly (string | undefined)[],
    pick: readonly number[] | null,
    tagWord: string | undefined,
  ): void {
    this.encoder.attributes("!re", names, values, pick, tagWord);
    if (this.encoder.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.queueFlush();
  }

  backpressure(): Promise<void> | null {
    if (this.closed) return null;
    if (this.encoder.pendingBytes >= FLUSH_BYTES) this.flush();
    if (this.unsentBytes() < HIGH_WATER) return null;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get emptyReplies(): boolean {
    return this.server.emptyReplies;
  }

  /** @internal a reply ended */
  release(reply: CommandReply): void {
    this.commands.delete(reply);
  }

  private receive(chunk: Buffer): void {
    if (this.closing) return;
    try {
      for (const words of this.decoder.push(chunk)) {
        this.dispatch(words);
        if (this.closing) return;
      }
      // Broken framing or a limit: this connection only, after the sentences before the breakage.
      if (this.decoder.error !== null) this.fatal(this.decoder.error.message, true);
    } catch {
      this.fatal("malformed sentence", true);
    }
  }

  private dispatch(words: string[]): void {
    const request = parseRequest(words, this.user);
    if (request.command === "/quit") {
      this.fatal(FatalMessage.quit, false);
      return;
    }
    if (this.user === null) {
      if (++this.sentencesBeforeLogin > MAX_SENTENCES_BEFORE_LOGIN) {
        this.fatal(FatalMessage.tooManyBeforeLogin, true);
        return;
      }
      const reply = this.open(request.tag);
      if (request.command === "/login") this.login(request, reply);
      else reply.fail(TrapMessage.notLoggedIn);
      return;
    }
    const reply = this.open(request.tag);
    if (request.command === "/login") this.login(request, reply);
    else if (request.command === "/cancel") this.cancel(request, reply);
    else this.run(request, reply);
  }

  private open(tag: string | undefined): CommandReply {
    const reply = new CommandReply(this, tag);
    this.commands.add(reply);
    return reply;
  }

  private login(request: ApiRequest, reply: CommandReply): void {
    const name = request.attributes.get("name");
    const password = request.attributes.get("password");
    const response = request.attributes.get("response");
    if (name === undefined && response === undefined) {
      // The pre-6.43 challenge: `/login` alone gets a challenge to hash with the password.
      this.challenge = randomBytes(16);
      reply.done(this.challenge.toString("hex"));
      return;
    }
    const user = this.server.users.find((candidate) => {
      if (candidate.name !== name) return false;
      if (response !== undefined) return this.challenge !== null && response === challengeAnswer(candidate.password, this.challenge);
      return candidate.password === password;
    });
    this.challenge = null;
    if (user === undefined) {
      reply.fail(TrapMessage.badLogin);
      return;
    }
    this.user = user;
    this.decoder.limits = { ...DEFAULT_DECODER_LIMITS, ...this.server.limits };
    reply.done();
  }

  private cancel(request: ApiRequest, reply: CommandReply): void {
    const target = request.attributes.get("tag");
    const victims = [...this.commands].filter((c) => c !== reply && (target === undefined || c.tag === target));
    // RouterOS order: the victim's trap, the /cancel's done, then the victim's done.
    for (const victim of victims) victim.interrupt();
    reply.done();
    for (const victim of victims) victim.finishInterrupted();
  }

  private run(request: ApiRequest, reply: CommandReply): void {
    const failed = (error: unknown): void => {
      if (!(error instanceof TrapError)) this.server.reportHandlerError(error, request);
      if (reply.finished) return;
      if (error instanceof TrapError) reply.fail(error.message, error.category);
      else reply.fail(`lab failure: ${error instanceof Error ? error.message : String(error)}`, TrapCategory.generalFailure);
    };
    try {
      const pending = this.server.handler(request, reply);
      if (pending !== undefined) pending.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  private stopCommands(): void {
    for (const reply of [...this.commands]) reply.abandon();
    this.commands.clear();
  }

  private unsentBytes(): number {
    return this.socket.writableLength + this.delayedBytes + this.encoder.pendingBytes;
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.closed) return;
    const chunks = this.encoder.take();
    if (chunks.length > 0) {
      const latency = this.server.latencyMs;
      // Once something waits for its time, later output queues behind it to keep the order.
      if (latency > 0 || this.delayed.length > 0) {
        let bytes = 0;
        for (const chunk of chunks) bytes += chunk.length;
        this.delayed.push({ due: Date.now() + Math.max(0, latency), chunks, bytes });
        this.delayedBytes += bytes;
        this.armDelay();
      } else {
        this.write(chunks);
      }
    }
    if (this.delayed.length === 0 && this.endWhenFlushed) this.end();
    else if (this.socket.writableLength > OUTPUT_LIMIT && !this.closing) this.fatal(FatalMessage.outputOverflow, true);
  }

  private armDelay(): void {
    if (this.delayTimer !== null) return;
    const first = this.delayed[0];
    if (first === undefined) return;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = null;
      if (this.closed) return;
      const now = Date.now();
      while (this.delayed.length > 0 && this.delayed[0]!.due <= now) {
        const entry = this.delayed.shift()!;
        this.delayedBytes -= entry.bytes;
        this.write(entry.chunks);
      }
      if (this.delayed.length > 0) this.armDelay();
      else if (this.endWhenFlushed) this.end();
      if (this.unsentBytes() < HIGH_WATER) this.wakeWaiters();
    }, Math.max(0, first.due - Date.now()));
  }

  private write(chunks: Buffer[]): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!);
      return;
    }
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
    this.socket.uncork();
  }

  private end(): void {
    this.endWhenFlushed = false;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.stopCommands();
    if (this.delayTimer !== null) clearTimeout(this.delayTimer);
    this.delayed = [];
    this.delayedBytes = 0;
    this.wakeWaiters();
    this.server.forget(this);
  }
}

class CommandReply implements Reply {
  finished = false;
  private readonly controller = new AbortController();
  private readonly tagWord: string | undefined;

  constructor(
    private readonly connection: ApiConnection,
    readonly tag: string | undefined,
  ) {
    this.tagWord = tag === undefined ? undefined : `.tag=${tag}`;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  row(names: readonly string[], values: readonly (string | undefined)[], pick: readonly number[] | null = null): void {
    if (this.finished) return;
    this.connection.sendRow(names, values, pick, this.tagWord);
  }

  item(attributes: Readonly<Record<string, string>>): void {
    const words = ["!re"];
    for (const [name, value] of Object.entries(attributes)) words.push(`=${name}=${value}`);
    this.sendTagged(words);
  }

  empty(): void {
    if (this.connection.emptyReplies) this.sendTagged(["!empty"]);
  }

  trap(message: string, category?: TrapCategory): void {
    const words = ["!trap"];
    if (category !== undefined) words.push(`=category=${category}`);
    words.push(`=message=${message}`);
    this.sendTagged(words);
  }

  done(ret?: string): void {
    if (this.finished) return;
    this.sendTagged(ret === undefined ? ["!done"] : ["!done", `=ret=${ret}`]);
    this.end();
  }

  fail(message: string, category?: TrapCategory): void {
    this.trap(message, category);
    this.done();
  }

  backpressure(): Promise<void> | null {
    return this.finished ? null : this.connection.backpressure();
  }

  /** /cancel reached this command: the interrupted trap now, the `!done` after the cancel's own. */
  interrupt(): void {
    if (this.finished) return;
    this.trap(TrapMessage.interrupted, TrapCategory.interrupted);
    this.finished = true;
    this.controller.abort();
  }

  finishInterrupted(): void {
    this.connection.send(this.tagged(["!done"]));
    this.connection.release(this);
  }

  /** The connection is going away: nothing more is sent. */
  abandon(): void {
    this.finished = true;
    this.controller.abort();
  }

  private end(): void {
    this.finished = true;
    this.connection.release(this);
    this.controller.abort();
  }

  private sendTagged(words: string[]): void {
    if (this.finished) return;
    this.connection.send(this.tagged(words));
  }

  private tagged(words: string[]): string[] {
    if (this.tagWord !== undefined) words.push(this.tagWord);
    return words;
  }
}

function parseRequest(words: readonly string[], user: ApiUser | null): ApiRequest {
  const attributes = new Map<string, string>();
  const queries: string[] = [];
  let tag: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    const first = word.charCodeAt(0);
    if (first === 0x3d /* = */) {
      const split = word.indexOf("=", 1);
      if (split < 0) attributes.set(word.slice(1), "");
      else attributes.set(word.slice(1, split), word.slice(split + 1));
    } else if (first === 0x3f /* ? */) {
      queries.push(word.slice(1));
    } else if (word.startsWith(".tag=")) {
      tag = word.slice(5);
    }
    // Other words carry nothing RouterOS acts on; they are ignored.
  }
  return { command: words[0]!, attributes, queries, tag, user: { name: user?.name ?? "", group: user?.group ?? "full" } };
}

/** The pre-6.43 login answer: "00" + md5(0x00, password, challenge) as hex. */
function challengeAnswer(password: string, challenge: Buffer): string {
  return "00" + createHash("md5").update(Buffer.from([0])).update(password, "latin1").update(challenge).digest("hex");
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: net.Server | null): Promise<void> {
  return new Promise((resolve) => (server === null ? resolve() : server.close(() => resolve())));
}

function portOf(server: net.Server | null): number {
  const address = server?.address();
  if (address === null || address === undefined || typeof address === "string") throw new Error("the API server is not listening");
  return address.port;
}
