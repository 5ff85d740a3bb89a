// node-routeros 1.6.9 (its last release) throws "Tried to process unknown reply: !empty" from a
// socket callback, which kills the process, whenever RouterOS 7.18+ answers a print that found
// nothing. RouterOS sends `!empty` and then `!done`, so the fix is to consume `!empty` and let the
// `!done` resolve the command with []. Importing this module patches the library once.
import { Channel } from "node-routeros";

const PATCHED = Symbol.for("bgpals.node-routeros.empty-reply-fix");

interface PacketProcessor {
  processPacket(packet: string[]): void;
  [PATCHED]?: true;
}

export function applyNodeRouterosFix(): void {
  const prototype = Channel.prototype as unknown as PacketProcessor;
  if (prototype[PATCHED]) return;
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

applyNodeRouterosFix();
