// The config store: menus as data, hooks, queries and the API verbs, checked through node-routeros.
import "../../src/platforms/routeros/api/node-routeros-fix.js";
import { RouterOSAPI } from "node-routeros";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ApiServer } from "../../src/lab/protocol/server.js";
import { TrapError, TrapMessage } from "../../src/lab/protocol/traps.js";
import {
  ABSENT,
  ConfigStore,
  V6_MESSAGES,
  compileQuery,
  createStoreHandler,
  necessaryValues,
  formatId,
  type MenuDescriptor,
  type StoreEvent,
} from "../../src/lab/store/index.js";

const INTERFACES: MenuDescriptor = {
  path: "/interface",
  key: ["name"],
  duplicateMessage: TrapMessage.alreadyHaveInterface,
  readOnly: ["running", "type"],
};
const SEED_INTERFACES: Record<string, string>[] = [
  { name: "ether1", type: "ether", mtu: "1500", running: "true", comment: "isp1" },
  { name: "ether2", type: "ether", mtu: "1500", running: "true", comment: "isp2" },
  { name: "ether3", type: "ether", mtu: "1492", running: "false" },
  { name: "bridge", type: "bridge", mtu: "1500", running: "true" },
  { name: "wg-remi", type: "wg", mtu: "1420", running: "true", disabled: "true" },
];

/** A WireGuard menu whose router makes the key pair, as RouterOS does on add. */
const WIREGUARD: MenuDescriptor = {
  path: "/interface/wireguard",
  key: ["name"],
  duplicateMessage: TrapMessage.alreadyHaveInterface,
  attributes: ["name", "listen-port", "mtu", "private-key", "public-key", "comment"],
  readOnly: ["public-key"],
  defaults: { mtu: "1420" },
  hooks: {
    onAdd(draft) {
      draft["private-key"] ??= `priv-of-${draft["name"]}`;
      draft["public-key"] = `pub-of-${draft["name"]}`;
    },
    validate(change) {
      if (change.kind === "add" && change.after["listen-port"] === "0") throw new TrapError("invalid value for listen-port", 1);
    },
  },
};

function buildStore(): ConfigStore {
  const store = new ConfigStore();
  store.register({ path: "/system/identity", singleton: true, defaults: { name: "MikroTik" } }, [{ name: "alice" }]);
  store.register(INTERFACES, SEED_INTERFACES);
  store.register(WIREGUARD);
  store.register({ path: "/ip/address" });
  store.register(
    { path: "/routing/bgp/session", verbs: ["print", "getall", "listen"], disabledFlag: false },
    [{ name: "remi-1", established: "true" }],
  );
  return store;
}

describe("store", () => {
  test("ids are RouterOS hex: *1 ... *A ... *1F", () => {
    expect([1, 10, 31, 255].map(formatId)).toEqual(["*1", "*A", "*1F", "*FF"]);
    const store = buildStore();
    const ids = Array.from({ length: 12 }, (_, i) => store.add("/ip/address", { address: `10.0.${i}.1/24` }));
    expect(ids.slice(8, 11)).toEqual(["*9", "*A", "*B"]);
  });

  test("defaults are filled on add, the disabled flag prints true/false, yes/no are accepted", () => {
    const store = buildStore();
    const id = store.add("/interface/wireguard", { name: "wg-alice", "listen-port": "13231" });
    expect(store.get("/interface/wireguard", id)).toEqual({
      ".id": id,
      name: "wg-alice",
      "listen-port": "13231",
      mtu: "1420",
      "private-key": "priv-of-wg-alice",
      "public-key": "pub-of-wg-alice",
      disabled: "false",
    });
    store.set("/interface/wireguard", "wg-alice", { disabled: "yes" });
    expect(store.get("/interface/wireguard", id)?.["disabled"]).toBe("true");
  });

  test("hooks refuse changes, and refused changes leave nothing behind", () => {
    const store = buildStore();
    expect(() => store.add("/interface/wireguard", { name: "wg-x", "listen-port": "0" })).toThrow(
      "invalid value for listen-port",
    );
    expect(store.list("/interface/wireguard")).toEqual([]);
    store.register({
      path: "/ip/pool",
      hooks: {
        onRemove(item) {
          if (item["name"] === "default") throw new TrapError("pool is in use");
        },
      },
    }, [{ name: "default", ranges: "192.168.88.10-192.168.88.254" }]);
    expect(() => store.remove("/ip/pool", "*1")).toThrow("pool is in use");
    expect(store.list("/ip/pool")).toHaveLength(1);
  });

  test("subscribers see every change after it is stored, per menu if they ask", () => {
    const store = buildStore();
    const all: StoreEvent[] = [];
    const addresses: StoreEvent[] = [];
    store.subscribe((event) => all.push(event));
    const stop = store.subscribe((event) => addresses.push(event), "/ip/address");
    const id = store.add("/ip/address", { address: "10.0.0.1/30", interface: "ether1" });
    store.set("/system/identity", null, { name: "carol" });
    store.remove("/ip/address", id);
    stop();
    store.add("/ip/address", { address: "10.0.0.5/30" });
    expect(all.map((e) => [e.kind, e.path, e.id])).toEqual([
      ["add", "/ip/address", id],
      ["set", "/system/identity", null],
      ["remove", "/ip/address", id],
      ["add", "/ip/address", "*2"],
    ]);
    expect(addresses).toHaveLength(2);
    expect(all[1]).toMatchObject({ before: { name: "alice" }, after: { name: "carol" } });
  });

  test("snapshots are deterministic and show exactly what changed", () => {
    const a = buildStore();
    const b = buildStore();
    expect(a.exportJson()).toBe(b.exportJson());
    const before = a.snapshot();
    const id = a.add("/ip/address", { interface: "ether2", address: "10.9.0.1/30", comment: "bgpals:remi:isp2" });
    expect(a.snapshot()["/ip/address"]).toEqual([
      { ".id": id, address: "10.9.0.1/30", comment: "bgpals:remi:isp2", disabled: "false", interface: "ether2" },
    ]);
    a.remove("/ip/address", id);
    expect(a.snapshot()).toEqual(before);
    expect(Object.keys(JSON.parse(a.exportJson()))).toEqual([...a.paths]);
    expect(Object.keys(a.snapshot()["/system/identity"]!)).toEqual(["name"]);
  });

  test("place-before, move and unset", () => {
    const store = buildStore();
    const menu = store.at("/ip/address");
    const first = menu.add({ address: "10.0.0.1/24" });
    const second = menu.add({ address: "10.0.1.1/24" });
    const early = menu.add({ address: "10.0.2.1/24" }, "system", first);
    expect(menu.list().map((i) => i[".id"])).toEqual([early, first, second]);
    menu.move([early]);
    expect(menu.list().map((i) => i[".id"])).toEqual([first, second, early]);
    menu.move([second], first);
    expect(menu.list().map((i) => i[".id"])).toEqual([second, first, early]);
    menu.set([first], { comment: "x" });
    menu.unset([first], ["comment"]);
    expect(menu.get(first)).not.toHaveProperty("comment");
  });

  test("a v6 store words unknown parameters as RouterOS 6 does", () => {
    const store = new ConfigStore({ messages: V6_MESSAGES });
    store.register(WIREGUARD);
    expect(() => store.at("/interface/wireguard").add({ name: "wg1", colour: "red" }, "api")).toThrow(/^unknown parameter$/);
  });
});

describe("queries", () => {
  const columns = ["name", "type", "mtu", "comment"];
  const rows: (string | undefined)[][] = [
    ["ether1", "ether", "1500", "isp1"],
    ["ether2", "ether", "1492", undefined],
    ["vlan7", "vlan", "1500", undefined],
    ["bridge", "bridge", "1500", "lan"],
  ];
  const names = (words: string[]): (string | undefined)[] => {
    const predicate = compileQuery(words, (name) => columns.indexOf(name));
    return rows.filter((row) => predicate === null || predicate(row)).map((row) => row[0]);
  };

  test.each([
    [["type=ether"], ["ether1", "ether2"]],
    [["=type=ether"], ["ether1", "ether2"]],
    [["comment"], ["ether1", "bridge"]],
    [["-comment"], ["ether2", "vlan7"]],
    [["<mtu=1500"], ["ether2"]],
    [[">mtu=1492"], ["ether1", "vlan7", "bridge"]],
    [["type=ether", "type=vlan", "#|"], ["ether1", "ether2", "vlan7"]],
    [["type=ether", "type=vlan", "#|!"], ["bridge"]],
    [["type=ether", "mtu=1500", "#&"], ["ether1"]],
    [["type=ether", "#!"], ["vlan7", "bridge"]],
    [["type=ether", "comment", "#1"], ["ether1", "ether2"]],
    [["type=vlan", "comment", "type=ether", "#1|0"], ["ether1", "ether2", "bridge"]],
    [["type=ether", "#!."], ["vlan7", "bridge"]],
    [["-comment", "type=ether", "#1&"], ["ether2"]],
    [["nosuch=1", "#!"], ["ether1", "ether2", "vlan7", "bridge"]],
    [[], ["ether1", "ether2", "vlan7", "bridge"]],
  ])("?%j matches %j", (words, expected) => {
    expect(names(words)).toEqual(expected);
  });

  test.each([
    [["type=ether"], "type", ["ether"]],
    [["type=ether", "type=vlan", "#|"], "type", ["ether", "vlan"]],
    [["type=ether", "mtu=1500", "#&"], "type", ["ether"]],
    [["type=ether", "mtu=1500"], "mtu", ["1500"]],
    [["type=ether", "type=vlan", "#|!"], "type", null],
    [["type=ether", "#!"], "type", null],
    [["type=ether", "comment", "#|"], "type", null],
    [["type=vlan", "comment", "type=ether", "#1|0"], "type", null],
    [["type=ether", "#."], "type", ["ether"]],
    [["type=ether", "type=vlan", "#&"], "type", []],
    [["<mtu=1500"], "mtu", null],
    // What lacks the attribute is kept under ABSENT: discovery's "not BGP's" query.
    [["-bgp", "bgp=false", "#|"], "bgp", [ABSENT, "false"]],
    [["-comment"], "type", null],
  ])("?%j pins %s to %j", (words, name, expected) => {
    const values = necessaryValues(words, name);
    expect(values === null ? null : [...values].sort()).toEqual(expected);
  });

  test("what a query pins an attribute to holds for every item it matches", () => {
    const cases = [
      ["type=ether", "type=vlan", "#|"], ["type=ether", "mtu=1500", "#&"], ["type=ether", "#!"], ["-comment", "type=ether", "#1&"],
      ["type=vlan", "comment", "type=ether", "#1|0"], ["type=ether", "#!."], ["type=ether", "comment", "#1"], ["mtu=1500", "type=bridge", "#|", "comment"],
    ];
    let pinned = 0;
    for (const words of cases) {
      const predicate = compileQuery(words, (name) => columns.indexOf(name))!;
      for (const [column, name] of columns.entries()) {
        const values = necessaryValues(words, name);
        if (values === null) continue;
        pinned++;
        // An item without the attribute is under ABSENT (`?-name` pins it there).
        for (const row of rows.filter((r) => predicate(r))) expect(values.has(row[column] ?? ABSENT), `${JSON.stringify(words)} matches ${row[0]} with ${name}=${row[column]}`).toBe(true);
      }
    }
    expect(pinned).toBeGreaterThan(4);
  });

  test("malformed words trap", () => {
    expect(() => compileQuery(["#x"], () => 0)).toThrow(TrapError);
    expect(() => compileQuery(["<mtu"], () => 0)).toThrow(TrapError);
  });
});

describe("API verbs through node-routeros", () => {
  let store: ConfigStore;
  let server: ApiServer;
  let api: RouterOSAPI;

  beforeAll(async () => {
    server = await new ApiServer({ handler: (request, reply) => handler(request, reply), tlsPort: null }).start();
    api = new RouterOSAPI({ host: "127.0.0.1", port: server.port, user: "admin", password: "", timeout: 5 });
    api.on("error", () => {});
    await api.connect();
  });
  afterAll(async () => {
    await api.close();
    await server.stop();
  });
  let handler: ReturnType<typeof createStoreHandler>;
  beforeEach(() => {
    store = buildStore();
    handler = createStoreHandler(store);
  });

  test("print with queries, .proplist and count-only", async () => {
    expect(await api.write("/interface/print", ["?type=ether", "?-comment", "=.proplist=name,mtu"])).toEqual([
      { name: "ether3", mtu: "1492" },
    ]);
    expect(await api.write("/interface/print", ["?type=ether", "?type=bridge", "?#|!", "=.proplist=.id,name"])).toEqual([
      { ".id": "*5", name: "wg-remi" },
    ]);
    expect(await api.write("/interface/print", ["?disabled=false", "=count-only="])).toEqual([{ ret: "4" }]);
    expect(await api.write("/interface/getall", ["?name=bridge", "=.proplist=type", "=detail=", "=without-paging="])).toEqual([
      { type: "bridge" },
    ]);
    expect(await api.write("/interface/print", ["=from=*2,ether3", "=.proplist=name"])).toEqual([
      { name: "ether2" },
      { name: "ether3" },
    ]);
  });

  test("add answers the new id; duplicates and unknown attributes trap", async () => {
    expect(await api.write("/interface/wireguard/add", ["=name=wg-remi", "=listen-port=13231"])).toEqual([{ ret: "*1" }]);
    const [item] = await api.write("/interface/wireguard/print");
    expect(item).toMatchObject({ name: "wg-remi", "public-key": "pub-of-wg-remi", mtu: "1420" });
    await expect(api.write("/interface/wireguard/add", ["=name=wg-remi"])).rejects.toThrow(
      "failure: already have interface with such name",
    );
    await expect(api.write("/interface/wireguard/add", ["=name=wg2", "=colour=red"])).rejects.toThrow(
      "unknown parameter colour",
    );
    await expect(api.write("/interface/wireguard/set", ["=.id=*1", "=public-key=forged"])).rejects.toThrow(
      "unknown parameter public-key",
    );
    await expect(api.write("/interface/wireguard/add", ["=name=wg3", "=listen-port=0"])).rejects.toThrow(
      "invalid value for listen-port",
    );
  });

  test("set, enable, disable and remove by .id, by numbers, by name, and by lists", async () => {
    await api.write("/interface/set", ["=.id=*1", "=comment=primary"]);
    await api.write("/interface/set", ["=numbers=ether2,*3", "=mtu=1480"]);
    await api.write("/interface/disable", ["=numbers=*1,*2"]);
    await api.write("/interface/enable", ["=.id=*2"]);
    expect(await api.write("/interface/print", ["?type=ether", "=.proplist=name,mtu,disabled,comment"])).toEqual([
      { name: "ether1", mtu: "1500", disabled: "true", comment: "primary" },
      { name: "ether2", mtu: "1480", disabled: "false", comment: "isp2" },
      { name: "ether3", mtu: "1480", disabled: "false" },
    ]);
    await api.write("/interface/remove", ["=numbers=*3,bridge"]);
    expect(await api.write("/interface/print", ["=.proplist=name"])).toEqual([
      { name: "ether1" },
      { name: "ether2" },
      { name: "wg-remi" },
    ]);
    expect(await api.write("/interface/get", ["=.id=ether1", "=value-name=comment"])).toEqual([{ ret: "primary" }]);
  });

  test("unknown ids trap and change nothing, even in a list with good ones", async () => {
    await expect(api.write("/interface/remove", ["=.id=*99"])).rejects.toThrow(/^no such item$/);
    await expect(api.write("/interface/set", ["=numbers=*1,*99", "=mtu=9000"])).rejects.toThrow("no such item");
    await expect(api.write("/interface/disable", ["=.id=nonsense"])).rejects.toThrow("no such item");
    expect(await api.write("/interface/print", ["?mtu=9000", "=count-only="])).toEqual([{ ret: "0" }]);
  });

  test("renaming onto an existing name traps", async () => {
    await expect(api.write("/interface/set", ["=.id=ether1", "=name=ether2"])).rejects.toThrow(
      "failure: already have interface with such name",
    );
  });

  test("singletons print without .id and are set without one", async () => {
    await api.write("/system/identity/set", ["=name=remi"]);
    expect(await api.write("/system/identity/print")).toEqual([{ name: "remi" }]);
    await expect(api.write("/system/identity/add", ["=name=x"])).rejects.toThrow(/^no such command$/);
  });

  test("read-only state menus answer print but not writes", async () => {
    expect(await api.write("/routing/bgp/session/print")).toEqual([{ ".id": "*1", name: "remi-1", established: "true" }]);
    await expect(api.write("/routing/bgp/session/remove", ["=.id=*1"])).rejects.toThrow(/^no such command$/);
  });

  test("print =follow-only= streams changes like listen", async () => {
    const seen: unknown[] = [];
    const stream = api.stream("/ip/address/print", "=follow-only=", "?interface=ether1", (error: unknown, item: unknown) => {
      if (error === null && item !== null && !Array.isArray(item)) seen.push(item);
    });
    await api.write("/system/identity/print"); // the stream is running once this returns
    store.add("/ip/address", { address: "10.0.0.9/24", interface: "ether2" });
    store.add("/ip/address", { address: "10.0.0.1/24", interface: "ether1" });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ address: "10.0.0.1/24" });
    await stream.stop();
  });
});
