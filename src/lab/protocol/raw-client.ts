// A bare RouterOS API client that shows the wire as it is: raw bytes out, every reply sentence in.
// Tests use it where node-routeros hides what they check (fragmented writes, !empty, !fatal).
import net from "node:net";
import tls from "node:tls";
import { encodeSentence, SentenceDecoder } from "./words.js";

export interface RawConnectOptions {
  host?: string;
  tls?: boolean;
}

export class RawApiClient {
  /** Every reply sentence received, in order. */
  readonly received: string[][] = [];
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
  private readonly decoder = new SentenceDecoder();
  private read = 0;
  private wake: (() => void) | null = null;
  private ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.received.push(...this.decoder.push(chunk));
      this.notify();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.ended = true;
        this.notify();
        resolve();
      }),
    );
  }

  static connect(port: number, options: RawConnectOptions = {}): Promise<RawApiClient> {
    const host = options.host ?? "127.0.0.1";
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ port, host, rejectUnauthorized: false }, () => resolve(new RawApiClient(socket)))
        : net.connect({ port, host }, () => resolve(new RawApiClient(socket)));
      socket.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Writes bytes as they are (possibly a fragment of a sentence, or several sentences). */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  send(words: readonly string[]): Promise<void> {
    return this.write(encodeSentence(words));
  }

  /** The next sentence not read yet; rejects when the connection closes first or time runs out. */
  async next(timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sentence = this.received[this.read];
      if (sentence !== undefined) {
        this.read++;
        return sentence;
      }
      if (this.ended) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no reply in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Reads sentences up to and including the `!done` (or `!fatal`) that ends a command. */
  async reply(timeoutMs = 5000): Promise<string[][]> {
    const out: string[][] = [];
    for (;;) {
      const sentence = await this.next(timeoutMs);
      out.push(sentence);
      if (sentence[0] === "!done" || sentence[0] === "!fatal") return out;
    }
  }

  async call(words: readonly string[], timeoutMs = 5000): Promise<string[][]> {
    await this.send(words);
    return this.reply(timeoutMs);
  }

  async login(name: string, password: string): Promise<string[][]> {
    return this.call(["/login", `=name=${name}`, `=password=${password}`]);
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
