// A router that logs in like RouterOS and then misbehaves, one way per server: what a broken or
// hostile peer could send bgpals. It speaks just enough of the API (words, sentences, `/login`),
// writes only as fast as the client reads, and never holds what it sends in memory: a 100 MB word
// is a length prefix and then filler, made as the socket drains.
import net from "node:net";
import { encodeSentence, SentenceDecoder, writePrefix } from "../../../src/lab/protocol/words.js";

export type Misbehaviour =
  /** Answers every command with `!weird`. */
  | "unknown-word"
  /** Answers the login with `!weird`. */
  | "unknown-word-at-login"
  /** Answers every command with a row whose `=comment=` is `hugeBytes` long (100 MB). */
  | "huge-word"
  /** Answers every command with rows, forever, never `!done`, whatever the client cancels. */
  | "endless-rows"
  /** Rows without a `.tag`, forever. */
  | "untagged-rows"
  /** One `!re` whose words never end. */
  | "endless-sentence"
  /** Answers every command correctly, one byte every `dripMs`. */
  | "drip"
  /** Answers the login one byte every `dripMs`. */
  | "drip-at-login";

export interface HostileOptions {
  readonly misbehaviour: Misbehaviour;
  /** Between two bytes of a drip; default 60 s (a byte a minute). */
  readonly dripMs?: number;
  /** Length of the huge word; default 100 MB. */
  readonly hugeBytes?: number;
}

const FILLER = Buffer.alloc(64 * 1024, "x");

export class HostileRouter {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #dripping = new Set<net.Socket>();
  /** Bytes written to clients, and the commands they sent (login included). */
  bytesSent = 0;
  readonly commands: string[] = [];

  private constructor(readonly options: HostileOptions) {
    this.#server = net.createServer((socket) => this.#serve(socket));
  }

  static async start(options: HostileOptions): Promise<HostileRouter> {
    const router = new HostileRouter(options);
    await new Promise<void>((resolve) => router.#server.listen(0, "127.0.0.1", resolve));
    return router;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Clients still connected. */
  get connections(): number {
    return this.#sockets.size;
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #serve(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => {});
    const decoder = new SentenceDecoder();
    socket.on("data", (chunk: Buffer) => {
      for (const words of decoder.push(chunk)) {
        const command = words[0] ?? "";
        this.commands.push(command);
        const tag = words.find((word) => word.startsWith(".tag="));
        if (command === "/login") this.#login(socket, tag);
        else if (command !== "/cancel") this.#answer(socket, tag);
        // A cancel is ignored: the hostile router goes on.
      }
    });
  }

  #login(socket: net.Socket, tag: string | undefined): void {
    const tagged = (words: string[]) => encodeSentence(tag === undefined ? words : [...words, tag]);
    if (this.options.misbehaviour === "unknown-word-at-login") this.#send(socket, tagged(["!weird"]));
    else if (this.options.misbehaviour === "drip-at-login") this.#drip(socket, tagged(["!done"]));
    else this.#send(socket, tagged(["!done"]));
  }

  #answer(socket: net.Socket, tag: string | undefined): void {
    const tagged = (words: string[]) => encodeSentence(tag === undefined ? words : [...words, tag]);
    switch (this.options.misbehaviour) {
      case "unknown-word":
        return void this.#send(socket, tagged(["!weird", "=message=hello"]));
      case "huge-word": {
        const length = this.options.hugeBytes ?? 100_000_000;
        // `!re`, then the huge word's length prefix: "=comment=" and filler make up its bytes.
        const prefix = Buffer.alloc(5);
        const prefixEnd = writePrefix(prefix, 0, length);
        this.#send(socket, Buffer.concat([encodeSentence(["!re"]).subarray(0, 4), prefix.subarray(0, prefixEnd), Buffer.from("=comment=")]));
        return this.#stream(socket, length - "=comment=".length);
      }
      case "endless-rows":
        return this.#endless(socket, (i) => tagged(["!re", `=.id=*${i.toString(16)}`, `=dst-address=10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`]));
      case "untagged-rows":
        return this.#endless(socket, (i) => encodeSentence(["!re", `=.id=*${i.toString(16)}`, "=name=x"]));
      case "endless-sentence": {
        this.#send(socket, encodeSentence(["!re"]).subarray(0, 4));
        const word = encodeSentence(["=a=b"]).subarray(0, 5);
        return this.#endless(socket, () => word);
      }
      case "drip":
        // One answer at a time: the client's keepalives would otherwise interleave their bytes.
        if (this.#dripping.has(socket)) return;
        return this.#drip(socket, Buffer.concat([tagged(["!re", "=name=alice"]), tagged(["!done"])]));
      case "unknown-word-at-login":
      case "drip-at-login":
        return void this.#send(socket, tagged(["!done"]));
    }
  }

  #send(socket: net.Socket, bytes: Buffer): boolean {
    if (socket.destroyed) return false;
    this.bytesSent += bytes.length;
    return socket.write(bytes);
  }

  /** `length` filler bytes, as fast as the client reads them. */
  #stream(socket: net.Socket, length: number): void {
    let left = length;
    const more = (): void => {
      for (let turn = 0; left > 0 && !socket.destroyed; turn++) {
        // The test's own timers get their turn too.
        if (turn === 16) return void setImmediate(more);
        const chunk = FILLER.subarray(0, Math.min(left, FILLER.length));
        left -= chunk.length;
        if (!this.#send(socket, chunk)) return void socket.once("drain", more);
      }
    };
    more();
  }

  /** The sentences `make` builds, numbered, until the client goes. */
  #endless(socket: net.Socket, make: (i: number) => Buffer): void {
    let i = 0;
    const more = (): void => {
      for (let turn = 0; !socket.destroyed; turn++) {
        if (turn === 16) return void setImmediate(more);
        const batch: Buffer[] = [];
        for (let k = 0; k < 256; k++) batch.push(make(i++));
        if (!this.#send(socket, Buffer.concat(batch))) return void socket.once("drain", more);
      }
    };
    more();
  }

  #drip(socket: net.Socket, bytes: Buffer): void {
    let at = 0;
    this.#dripping.add(socket);
    const next = (): void => {
      if (at >= bytes.length || socket.destroyed) return void this.#dripping.delete(socket);
      this.#send(socket, bytes.subarray(at, ++at));
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        next();
      }, this.options.dripMs ?? 60_000);
      this.#timers.add(timer);
    };
    next();
  }
}
