// Hostile bytes at a lab router: random and mutated API streams over raw sockets, while a
// node-routeros client on its own connection keeps getting correct answers. Seeded: a failure
// reproduces with the same seed.
import "../../src/platforms/routeros/api/node-routeros-fix.js";
import net from "node:net";
import { RouterOSAPI } from "node-routeros";
import { expect, test } from "vitest";
import { ApiServer } from "../../src/lab/protocol/server.js";
import { TrapMessage } from "../../src/lab/protocol/traps.js";
import { encodeSentence } from "../../src/lab/protocol/words.js";
import { ConfigStore, createStoreHandler } from "../../src/lab/store/index.js";

const SEED = 0x5eed_b9a1;
const STREAMS = 2000;
const AT_ONCE = 16;
const USER = "admin";
const PASSWORD = "pw";

/** mulberry32: small, fast, good enough to pick mutations reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Sentences a client might send after login; mutations of them reach deep into the store.
const COMMANDS: string[][] = [
  ["/ip/address/print", "?interface=ether1", "=.proplist=address,.id", ".tag=1"],
  ["/ip/address/add", "=address=10.0.0.1/24", "=interface=ether1", ".tag=2"],
  ["/ip/address/set", "=.id=*1", "=comment=x"],
  ["/ip/address/remove", "=numbers=*1,*2"],
  ["/ip/address/unset", "=.id=*1", "=value-name=comment"],
  ["/ip/address/move", "=numbers=*2", "=destination=*1"],
  ["/ip/address/get", "=.id=*1", "=value-name=address"],
  ["/ip/address/print", "=follow=", ".tag=F"],
  ["/interface/listen", ".tag=L"],
  ["/cancel", "=tag=L"],
  ["/cancel"],
  ["/interface/print", "?type=ether", "?type=vlan", "?#|!", "=count-only="],
  ["/interface/print", "?<mtu=1500", "?#0.1&!", "=from=*1,ether2"],
  ["/interface/wireguard/add", "=name=wg", "=listen-port=13231", "=place-before=*1"],
  ["/interface/disable", "=numbers=ether3"],
  ["/system/identity/print"],
  ["/login", `=name=${USER}`, `=password=${PASSWORD}`],
  ["/quit"],
];
const LOGIN = encodeSentence(["/login", `=name=${USER}`, `=password=${PASSWORD}`, ".tag=in"]);

function mutate(bytes: Buffer, random: () => number): Buffer {
  let out = bytes;
  const pick = (n: number): number => Math.floor(random() * n);
  const count = 1 + pick(4);
  for (let i = 0; i < count; i++) {
    const at = pick(out.length + 1);
    switch (pick(7)) {
      case 0: // flip a bit
        if (out.length > 0) out[Math.min(at, out.length - 1)]! ^= 1 << pick(8);
        break;
      case 1: // overwrite a byte
        if (out.length > 0) out[Math.min(at, out.length - 1)] = pick(256);
        break;
      case 2: // insert noise
        out = Buffer.concat([out.subarray(0, at), randomBytes(1 + pick(16), random), out.subarray(at)]);
        break;
      case 3: // cut a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + pick(16))]);
        break;
      case 4: // truncate
        out = out.subarray(0, at);
        break;
      case 5: // repeat a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + 1 + pick(64)), out.subarray(at)]);
        break;
      default: // a length prefix promising far more than will come, or a reserved control byte
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from([[0xf0, 0xe0, 0xc0, 0xf8, 0xff][pick(5)]!, pick(256), pick(256), pick(256), pick(256)]),
          out.subarray(at),
        ]);
    }
  }
  return Buffer.from(out);
}

function randomBytes(length: number, random: () => number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

function commands(random: () => number): Buffer {
  const n = 1 + Math.floor(random() * 5);
  return Buffer.concat(Array.from({ length: n }, () => encodeSentence(COMMANDS[Math.floor(random() * COMMANDS.length)]!)));
}

/**
 * One hostile session: bytes written in random pieces, then the socket is dropped at one of three
 * moments (picked from the stream's length, so the seeded bytes stay the same): as soon as the
 * last piece is sent; at the router's first answer after we stopped sending; or once the router,
 * having read everything, closes.
 */
function attack(port: number, random: () => number): Promise<void> {
  const kind = random();
  const bytes =
    kind < 0.2
      ? randomBytes(1 + Math.floor(random() * 512), random)
      : kind < 0.6
        ? mutate(Buffer.concat([LOGIN, commands(random)]), random)
        : Buffer.concat([LOGIN, mutate(commands(random), random)]);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 64);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const finish = (): void => {
      socket.destroy();
      resolve();
    };
    const moment = bytes.length % 3;
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("data", () => {
      if (moment === 1) finish();
    });
    socket.on("connect", () => {
      pieces.forEach((piece, i) => socket.write(piece, i === pieces.length - 1 && moment === 0 ? finish : undefined));
      if (pieces.length === 0) finish();
      else if (moment !== 0) socket.end();
    });
  });
}

test(`the router survives ${STREAMS} hostile streams and keeps answering a real client`, async () => {
  const handlerErrors: unknown[] = [];
  const store = new ConfigStore();
  store.register({ path: "/system/identity", singleton: true }, [{ name: "alice" }]);
  store.register(
    { path: "/interface", key: ["name"], duplicateMessage: TrapMessage.alreadyHaveInterface },
    ["ether1", "ether2", "ether3"].map((name) => ({ name, type: "ether", mtu: "1500" })),
  );
  store.register({ path: "/interface/wireguard", key: ["name"], attributes: ["name", "listen-port", "mtu"] });
  store.register({ path: "/ip/address" });
  store.register({ path: "/ip/route" }, [{ "dst-address": "0.0.0.0/0", gateway: "192.0.2.1" }]);
  const server = await new ApiServer({
    handler: createStoreHandler(store),
    users: [{ name: USER, password: PASSWORD }],
    tlsPort: null,
    emptyReplies: true,
    onHandlerError: (error) => handlerErrors.push(error),
  }).start();

  const api = new RouterOSAPI({ host: "127.0.0.1", port: server.port, user: USER, password: PASSWORD, timeout: 10 });
  const apiErrors: unknown[] = [];
  api.on("error", (error: unknown) => apiErrors.push(error));
  await api.connect();

  // The honest client: the fuzz sentences never touch /ip/route, so its answers are exact.
  let fuzzing = true;
  let rounds = 0;
  const honest = (async () => {
    while (fuzzing) {
      expect(await api.write("/system/identity/print")).toEqual([{ name: "alice" }]);
      const [{ ret: id }] = (await api.write("/ip/route/add", [`=dst-address=10.${rounds & 255}.0.0/16`, "=gateway=192.0.2.2"])) as [
        { ret: string },
      ];
      expect(await api.write("/ip/route/print", [`?.id=${id}`, "=.proplist=gateway"])).toEqual([{ gateway: "192.0.2.2" }]);
      await api.write("/ip/route/remove", [`=.id=${id}`]);
      expect(await api.write("/ip/route/print", ["=count-only="])).toEqual([{ ret: "1" }]);
      expect(await api.write("/ip/route/print", ["?gateway=nowhere"])).toEqual([]);
      rounds++;
    }
  })();

  const random = prng(SEED);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < STREAMS) {
      next++;
      await attack(server.port, random);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  fuzzing = false;
  await honest;

  expect(rounds).toBeGreaterThan(0);
  // Mutated sessions got past login and changed things: the fuzz reached the store's verbs.
  expect(store.at("/ip/address").size + store.at("/interface/wireguard").size).toBeGreaterThan(0);
  expect(handlerErrors).toEqual([]);
  expect(apiErrors).toEqual([]);
  // Every hostile session is gone; the honest one remains.
  await expect.poll(() => server.connectionCount, { timeout: 5000 }).toBe(1);
  expect(await api.write("/interface/print", ["=count-only=", "?name=ether1"])).toEqual([{ ret: "1" }]);
  await api.close();
  await server.stop();
}, 60_000);
