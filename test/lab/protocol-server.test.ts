// The lab's API server through the real client (node-routeros) and, where the wire itself is the
// point, through a raw socket.
import { applyNodeRouterosFix } from "../../src/platforms/routeros/api/node-routeros-fix.js";
import { Channel, RouterOSAPI } from "node-routeros";
import { afterEach, describe, expect, test } from "vitest";
import { ApiServer, type ApiServerOptions } from "../../src/lab/protocol/server.js";
import { RawApiClient } from "../../src/lab/protocol/raw-client.js";
import { TrapMessage } from "../../src/lab/protocol/traps.js";
import { encodeSentence } from "../../src/lab/protocol/words.js";
import { ConfigStore, createStoreHandler } from "../../src/lab/store/index.js";

const USER = "admin";
const PASSWORD = "s3cret";
const INTERFACES = ["ether1", "ether2", "ether3", "bridge"];

const servers: ApiServer[] = [];
const clients: RouterOSAPI[] = [];
const raws: RawApiClient[] = [];

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.close();
  await Promise.all(clients.splice(0).map((api) => api.close().catch(() => {})));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function startRouter(options: Partial<ApiServerOptions> = {}): Promise<{ server: ApiServer; store: ConfigStore }> {
  const store = new ConfigStore();
  store.register({ path: "/system/identity", singleton: true, defaults: { name: "alice" } });
  store.register(
    { path: "/interface", key: ["name"], duplicateMessage: TrapMessage.alreadyHaveInterface },
    INTERFACES.map((name) => ({ name, type: name.startsWith("ether") ? "ether" : "bridge", mtu: "1500" })),
  );
  store.register({ path: "/ip/address" }, [{ address: "192.168.0.1/24", interface: "bridge" }]);
  store.register({ path: "/ip/route" });
  const server = await new ApiServer({
    handler: createStoreHandler(store),
    users: [
      { name: USER, password: PASSWORD },
      { name: "friend", password: "ro", group: "read" },
    ],
    tlsPort: null,
    ...options,
  }).start();
  servers.push(server);
  return { server, store };
}

async function connect(port: number, extra: Partial<ConstructorParameters<typeof RouterOSAPI>[0]> = {}): Promise<RouterOSAPI> {
  const api = new RouterOSAPI({ host: "127.0.0.1", port, user: USER, password: PASSWORD, timeout: 5, ...extra });
  // Socket errors after connect are emitted; unhandled they would crash the test process.
  api.on("error", () => {});
  clients.push(api);
  await api.connect();
  return api;
}

async function raw(port: number, options: { tls?: boolean } = {}): Promise<RawApiClient> {
  const client = await RawApiClient.connect(port, options);
  raws.push(client);
  return client;
}

describe("login", () => {
  test("good credentials log in; the identity is readable", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port);
    expect(await api.write("/system/identity/print")).toEqual([{ name: "alice" }]);
  });

  test("bad credentials are refused as RouterOS refuses them", async () => {
    const { server } = await startRouter();
    const api = new RouterOSAPI({ host: "127.0.0.1", port: server.port, user: USER, password: "nope", timeout: 5 });
    api.on("error", () => {});
    await expect(api.connect()).rejects.toMatchObject({ errno: "CANTLOGIN" });

    const client = await raw(server.port);
    expect(await client.login(USER, "nope")).toEqual([
      ["!trap", "=message=invalid user name or password (6)"],
      ["!done"],
    ]);
    // The session stays usable for another attempt.
    expect(await client.login(USER, PASSWORD)).toEqual([["!done"]]);
  });

  test("commands before login trap, and too many of them end the session", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    expect(await client.call(["/ip/address/print", ".tag=x"])).toEqual([
      ["!trap", "=message=not logged in", ".tag=x"],
      ["!done", ".tag=x"],
    ]);
    for (let i = 0; i < 20; i++) await client.send(["/ip/address/print"]);
    await client.closed;
    expect(client.received.at(-1)).toEqual(["!fatal", "too many commands before login"]);
  });

  test("the pre-6.43 challenge login works too", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    const [[done, ret]] = (await client.call(["/login"])) as [[string, string]];
    expect(done).toBe("!done");
    const challenge = Buffer.from(ret.slice("=ret=".length), "hex");
    const { createHash } = await import("node:crypto");
    const answer = "00" + createHash("md5").update(Buffer.from([0])).update(PASSWORD).update(challenge).digest("hex");
    expect(await client.call(["/login", `=name=${USER}`, `=response=${answer}`])).toEqual([["!done"]]);
  });

  test("API-SSL logs in with a self-signed certificate", async () => {
    const { server } = await startRouter({ tlsPort: 0 });
    expect(server.tlsPort).not.toBeNull();
    expect(server.tlsCertificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const api = await connect(server.tlsPort!, { tls: { rejectUnauthorized: false } });
    expect(await api.write("/interface/print", ["?name=ether2", "=.proplist=name,type"])).toEqual([
      { name: "ether2", type: "ether" },
    ]);
  });

  test("a read-only user reads but may not write", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port, { user: "friend", password: "ro" });
    expect(await api.write("/interface/print", ["=count-only="])).toEqual([{ ret: "4" }]);
    await expect(api.write("/ip/address/add", ["=address=10.0.0.1/24", "=interface=ether1"])).rejects.toThrow(
      "not enough permissions (9)",
    );
  });
});

describe("commands and traps", () => {
  test("an unknown verb of a known menu: no such command", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port);
    await expect(api.write("/interface/frobnicate")).rejects.toThrow(/^no such command$/);
  });

  test("an unknown path: the segment named, then no such command prefix", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    expect(await client.call(["/ip/adress/print"])).toEqual([
      ["!trap", "=category=0", "=message=no such command or directory (adress)"],
      ["!trap", "=message=no such command prefix"],
      ["!done"],
    ]);
    const api = await connect(server.port);
    await expect(api.write("/ip/adress/print")).rejects.toThrow("no such command or directory (adress)");
  });

  test("50 concurrent tagged commands on one connection all resolve to their own answers", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port);
    const work = Array.from({ length: 50 }, (_, i) => {
      const name = INTERFACES[i % INTERFACES.length]!;
      return i % 5 === 4
        ? api.write("/ip/route/add", [`=dst-address=10.${i}.0.0/16`, "=gateway=192.168.0.254"]).then((r) => ["add", r])
        : api.write("/interface/print", [`?name=${name}`, "=.proplist=name"]).then((r) => [name, r]);
    });
    const results = await Promise.all(work);
    for (const [what, reply] of results) {
      if (what === "add") expect(reply).toEqual([{ ret: expect.stringMatching(/^\*[0-9A-F]+$/) }]);
      else expect(reply).toEqual([{ name: what }]);
    }
    expect(await api.write("/ip/route/print", ["=count-only="])).toEqual([{ ret: "10" }]);
  });

  test("a long print does not hold up the other commands of its connection", async () => {
    const { server, store } = await startRouter();
    store.at("/ip/route").load(
      Array.from({ length: 60_000 }, (_, i) => ({
        "dst-address": `10.${i >> 8}.${i & 255}.0/24`,
        gateway: "192.168.0.254",
        comment: "x".repeat(60),
      })),
    );
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    await client.write(
      Buffer.concat([encodeSentence(["/ip/route/print", ".tag=big"]), encodeSentence(["/system/identity/print", ".tag=small"])]),
    );
    const order: string[] = [];
    for (;;) {
      const sentence = await client.next();
      if (sentence[0] === "!done") order.push(sentence.at(-1)!);
      if (order.length === 2) break;
    }
    expect(order).toEqual([".tag=small", ".tag=big"]);
    expect(client.received.filter((s) => s[0] === "!re" && s.at(-1) === ".tag=big")).toHaveLength(60_000);
  });

  test("a 1 MB attribute value round-trips", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port);
    const comment = "0123456789abcdef".repeat(65_536);
    const [{ ret: id }] = (await api.write("/ip/address/add", [
      "=address=10.9.9.9/32",
      "=interface=ether3",
      `=comment=${comment}`,
    ])) as [{ ret: string }];
    const [item] = await api.write("/ip/address/print", [`?.id=${id}`]);
    expect(item?.comment).toHaveLength(comment.length);
    expect(item?.comment === comment).toBe(true);
  });

  test("a sentence written one byte at a time is answered", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    const bytes = Buffer.concat([
      encodeSentence(["/login", `=name=${USER}`, `=password=${PASSWORD}`, ".tag=l"]),
      encodeSentence(["/interface/print", "?type=bridge", "=.proplist=name", ".tag=p"]),
    ]);
    for (const byte of bytes) await client.write(Buffer.from([byte]));
    expect(await client.reply()).toEqual([["!done", ".tag=l"]]);
    expect(await client.reply()).toEqual([
      ["!re", "=name=bridge", ".tag=p"],
      ["!done", ".tag=p"],
    ]);
  });

  test("several sentences in one write are all answered, in order", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    await client.write(
      Buffer.concat([
        encodeSentence(["/login", `=name=${USER}`, `=password=${PASSWORD}`]),
        encodeSentence(["/system/identity/set", "=name=remi"]),
        encodeSentence(["/system/identity/print"]),
        encodeSentence(["/interface/print", "=count-only="]),
      ]),
    );
    expect(await client.reply()).toEqual([["!done"]]);
    expect(await client.reply()).toEqual([["!done"]]);
    expect(await client.reply()).toEqual([["!re", "=name=remi"], ["!done"]]);
    expect(await client.reply()).toEqual([["!done", "=ret=4"]]);
  });
});

describe("listen and /cancel", () => {
  test("node-routeros streams changes of a menu until it stops the stream", async () => {
    const { server } = await startRouter();
    const watcher = await connect(server.port);
    const writer = await connect(server.port);
    const seen: Record<string, string>[] = [];
    let notify: () => void = () => {};
    const stream = watcher.stream("/ip/address/listen", (error: Error | null, item: unknown) => {
      // Idle streams get [] every ~2.3 s from node-routeros itself.
      if (error === null && item !== null && !Array.isArray(item)) {
        seen.push(item as Record<string, string>);
        notify();
      }
    });
    const arrived = (count: number): Promise<void> =>
      new Promise((resolve) => {
        notify = () => seen.length >= count && resolve();
        notify();
      });
    // The watcher's connection answers in order: once this returns, its listen is running.
    await watcher.write("/system/identity/print");
    const [{ ret: id }] = (await writer.write("/ip/address/add", ["=address=10.1.1.1/30", "=interface=ether1"])) as [
      { ret: string },
    ];
    await arrived(1);
    await writer.write("/ip/address/set", [`=.id=${id}`, "=comment=link1"]);
    await arrived(2);
    await writer.write("/ip/address/remove", [`=numbers=${id}`]);
    await arrived(3);
    expect(seen).toEqual([
      { ".id": id, address: "10.1.1.1/30", interface: "ether1", disabled: "false" },
      { ".id": id, address: "10.1.1.1/30", interface: "ether1", disabled: "false", comment: "link1" },
      { ".id": id, ".dead": "yes" },
    ]);
    await stream.stop();
    // After the stop nothing more arrives, and the connection still answers.
    await writer.write("/ip/address/add", ["=address=10.2.2.2/30", "=interface=ether2"]);
    expect(await watcher.write("/ip/address/print", ["=count-only="])).toEqual([{ ret: "2" }]);
    expect(seen).toHaveLength(3);
  });

  test("on the wire: the trap of the cancelled command, the cancel's done, then its done", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    await client.send(["/interface/listen", ".tag=watch"]);
    expect(await client.call(["/cancel", "=tag=watch", ".tag=stop"])).toEqual([
      ["!trap", "=category=2", "=message=interrupted", ".tag=watch"],
      ["!done", ".tag=stop"],
    ]);
    expect(await client.next()).toEqual(["!done", ".tag=watch"]);
  });
});

describe("!empty (RouterOS 7.18+)", () => {
  test("a 7.18+ router sends !empty before !done; node-routeros with the fix resolves []", async () => {
    const { server } = await startRouter({ emptyReplies: true });
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    expect(await client.call(["/ip/route/print", ".tag=r"])).toEqual([["!empty", ".tag=r"], ["!done", ".tag=r"]]);
    // count-only answers with a number, not !empty.
    expect(await client.call(["/ip/route/print", "=count-only="])).toEqual([["!done", "=ret=0"]]);

    const api = await connect(server.port);
    expect(await api.write("/ip/route/print")).toEqual([]);
    expect(await api.write("/interface/print", ["?name=wlan1"])).toEqual([]);
    expect(await api.write("/system/identity/print")).toEqual([{ name: "alice" }]);
  });

  test("older routers (7.15, 6.49) send no !empty", async () => {
    const { server } = await startRouter({ emptyReplies: false });
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    expect(await client.call(["/ip/route/print"])).toEqual([["!done"]]);
    const api = await connect(server.port);
    expect(await api.write("/ip/route/print")).toEqual([]);
  });

  test("the fix patches node-routeros once, however often it is applied", () => {
    const patched = (Channel.prototype as unknown as { processPacket: unknown }).processPacket;
    applyNodeRouterosFix();
    applyNodeRouterosFix();
    expect((Channel.prototype as unknown as { processPacket: unknown }).processPacket).toBe(patched);
  });
});

describe("faults", () => {
  test("dropped connections get !fatal; node-routeros reports close and does not crash", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port);
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    const closed = new Promise<void>((resolve) => api.once("close", () => resolve()));
    expect(server.dropConnections("router rebooting")).toBe(2);
    await closed;
    await client.closed;
    expect(client.received.at(-1)).toEqual(["!fatal", "router rebooting"]);
    // The router still accepts new sessions.
    const again = await connect(server.port);
    expect(await again.write("/system/identity/print")).toEqual([{ name: "alice" }]);
  });

  test("/quit ends the session with RouterOS's words", async () => {
    const { server } = await startRouter();
    const client = await raw(server.port);
    await client.login(USER, PASSWORD);
    expect(await client.call(["/quit"])).toEqual([["!fatal", "session terminated on request"]]);
    await client.closed;
  });

  test("a broken byte stream closes that connection only", async () => {
    const { server } = await startRouter();
    const api = await connect(server.port);
    const client = await raw(server.port);
    await client.write(Buffer.from([0xf8, 0x00]));
    await client.closed;
    expect(client.received).toEqual([["!fatal", "reserved control byte 0xf8"]]);
    expect(await api.write("/interface/print", ["=count-only="])).toEqual([{ ret: "4" }]);
  });

  test("latency delays every reply, and can be changed on a running router", async () => {
    const { server } = await startRouter({ latencyMs: 1500 });
    const api = await connect(server.port);
    let started = Date.now();
    await api.write("/system/identity/print");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1490);
    server.latencyMs = 0;
    started = Date.now();
    await api.write("/system/identity/print");
    // Well under the 1.5 s it was, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(750);
  });

  test("an unavailable router closes new connections at once", async () => {
    const { server } = await startRouter();
    server.available = false;
    const api = new RouterOSAPI({ host: "127.0.0.1", port: server.port, user: USER, password: PASSWORD, timeout: 2 });
    api.on("error", () => {});
    await expect(api.connect()).rejects.toBeDefined();
    server.available = true;
    await connect(server.port);
  });
});
