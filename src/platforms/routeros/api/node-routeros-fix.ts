// Two fixes to node-routeros 1.6.9 (its last release), applied once on import.
//
// `!empty`: it throws "Tried to process unknown reply: !empty" from a socket callback, which kills
// the process, whenever RouterOS 7.18+ answers a print that found nothing. RouterOS sends `!empty`
// and then `!done`, so the fix is to consume `!empty` and let the `!done` resolve the command with [].
//
// A stream's idle timer: a listen calls back with [] after ~2.3 s without news, from a timer that
// re-arms itself while `!stopped || !stopping || !paused || !pausing` (always), so it ticks on after
// the stream is stopped (a packet that arrives while its /cancel is on the way arms it again), and
// after the connection is closed: a process that quit from the monitor just after it opened stayed
// alive on that timer alone. The timer here ticks only while the stream is live, is stopped for
// good by `endIdleTimer` (the client's close), and never keeps the process alive by itself (the
// socket does, while the listen lasts).
import { Channel, RStream } from "node-routeros";

const PATCHED = Symbol.for("bgpals.node-routeros.empty-reply-fix");
const IDLE_PATCHED = Symbol.for("bgpals.node-routeros.idle-timer-fix");
const ENDED = Symbol.for("bgpals.node-routeros.stream-ended");

interface PacketProcessor {
  processPacket(packet: string[]): void;
  [PATCHED]?: true;
}

interface Debounce {
  run(): void;
  cancel(): void;
}

interface IdleStream {
  params: string[];
  stopped: boolean;
  stopping: boolean;
  paused: boolean;
  pausing: boolean;
  shouldDebounceEmptyData: boolean;
  debounceSendingEmptyData?: Debounce;
  onStream(packet: unknown[]): void;
  prepareDebounceEmptyData(): void;
  [ENDED]?: true;
  [IDLE_PATCHED]?: true;
}

/** The idle interval a listen asked for (`=interval=N`, seconds), else RouterOS's 2 s, plus node-routeros's 300 ms. */
function idleMs(params: readonly string[]): number {
  const param = params.find((p) => /=interval=/.test(p));
  const seconds = param === undefined ? NaN : Number.parseInt(param.split("=")[2] ?? "", 10);
  return (Number.isFinite(seconds) ? seconds * 1000 : 2000) + 300;
}

export function applyNodeRouterosFix(): void {
  const prototype = Channel.prototype as unknown as PacketProcessor;
  if (!prototype[PATCHED]) {
    const processPacket = prototype.processPacket;
    if (typeof processPacket !== "function") {
      throw new Error("node-routeros changed: Channel.prototype.processPacket is gone, review the !empty fix");
    }
    prototype.processPacket = function (this: PacketProcessor, packet: string[]): void {
      if (packet[0] === "!empty") return;
      processPacket.call(this, packet);
    };
    prototype[PATCHED] = true;
  }
  const stream = RStream.prototype as unknown as IdleStream;
  if (stream[IDLE_PATCHED]) return;
  if (typeof stream.prepareDebounceEmptyData !== "function" || typeof stream.onStream !== "function") {
    throw new Error("node-routeros changed: RStream's idle timer is gone, review its fix");
  }
  stream.prepareDebounceEmptyData = function (this: IdleStream): void {
    this.shouldDebounceEmptyData = true;
    const interval = idleMs(this.params);
    const live = () => this[ENDED] !== true && !this.stopped && !this.stopping && !this.paused && !this.pausing;
    let timer: NodeJS.Timeout | undefined;
    const debounce: Debounce = {
      run: () => {
        clearTimeout(timer);
        if (!live()) return;
        timer = setTimeout(() => {
          if (!live()) return;
          this.onStream([]);
          debounce.run();
        }, interval);
        timer.unref();
      },
      cancel: () => clearTimeout(timer),
    };
    this.debounceSendingEmptyData = debounce;
  };
  stream[IDLE_PATCHED] = true;
}

/** Ends a stream's idle timer for good: its connection is closed, and nothing will stop the stream. */
export function endIdleTimer(stream: object): void {
  const idle = stream as IdleStream;
  idle[ENDED] = true;
  idle.debounceSendingEmptyData?.cancel();
}

applyNodeRouterosFix();
