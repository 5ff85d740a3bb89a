import { describe, expect, test } from "vitest";
import { RouteTable, filterProblem, prefixKey, prefixText, type RouteUpdate } from "../../src/core/route-table.js";

const ISP1 = "10.255.0.1";
const ISP2 = "10.255.0.5";

function route(id: number, prefix: string, extra: Partial<RouteUpdate> = {}): RouteUpdate {
  return { id: `*${id.toString(16).toUpperCase()}`, prefix, gateway: ISP1, active: true, localPref: 200, asPath: "64513", link: "wg-isp1", ...extra };
}

const prefixes = (table: RouteTable) => table.window(0, table.size).map((r) => `${r.prefix} ${r.gateway}`);

describe("ordering", () => {
  test("by prefix numerically (address, then length), then gateway, whatever order they came in", () => {
    const table = new RouteTable();
    table.upsert([
      route(1, "192.168.42.0/24"),
      route(2, "10.0.0.0/24", { gateway: ISP2 }),
      route(3, "9.255.255.0/24"),
      route(4, "10.0.0.0/24"),
    ]);
    table.upsert([route(5, "10.0.0.0/8"), route(6, "100.64.0.0/10"), route(7, "10.0.0.128/25")]);
    expect(prefixes(table)).toEqual([
      `9.255.255.0/24 ${ISP1}`,
      `10.0.0.0/8 ${ISP1}`,
      `10.0.0.0/24 ${ISP1}`,
      `10.0.0.0/24 ${ISP2}`,
      `10.0.0.128/25 ${ISP1}`,
      `100.64.0.0/10 ${ISP1}`,
      `192.168.42.0/24 ${ISP1}`,
    ]);
  });

  test("prefixes that are not IPv4 come last, by text", () => {
    expect(prefixKey("10.0.0.0/8")).toBeLessThan(prefixKey("10.0.0.0/24"));
    expect(prefixKey("9.0.0.0/8")).toBeLessThan(prefixKey("10.0.0.0/8"));
    const table = new RouteTable();
    table.upsert([route(1, "2001:db8::/32"), route(2, "fd00::/8"), route(3, "1.2.3.4"), route(4, "300.1.1.1/32")]);
    expect(table.window(0, 10).map((r) => r.prefix)).toEqual(["1.2.3.4", "2001:db8::/32", "300.1.1.1/32", "fd00::/8"]);
  });

  test("every prefix reads back as it came, though an IPv4 one is kept as a number", () => {
    const given = ["0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8", "192.168.100.128/25", "1.2.3.0/24", "1.2.3.4", "01.2.3.0/24", "010.001.1.1", "10.0.0.0/08", "2001:db8::/32", "blackhole"];
    for (const prefix of given.filter((p) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(p) && !/(^|[./])0\d/.test(p))) expect(prefixText(prefixKey(prefix))).toBe(prefix);
    const table = new RouteTable();
    table.upsert(given.map((prefix, i) => route(i + 1, prefix)));
    const shown = table.window(0, table.size);
    expect(shown.map((r) => r.prefix).sort()).toEqual([...given].sort());
    for (const row of shown) expect(table.get(row.id)!.prefix).toBe(row.prefix);
    // The same address and length in another spelling: each found by its own text.
    expect(table.routesTo("1.2.3.4").map((r) => r.prefix)).toEqual(["1.2.3.4"]);
    expect(table.routesTo("10.0.0.0/8").map((r) => r.prefix).sort()).toEqual(["10.0.0.0/08", "10.0.0.0/8"]);
    // A route whose prefix text changes (same key) is updated, not kept as it was.
    table.upsert([route(3, "10.0.0.0/008")]);
    expect(table.get("*3")!.prefix).toBe("10.0.0.0/008");
    table.upsert([route(3, "10.0.0.0/8")]);
    expect(table.get("*3")!.prefix).toBe("10.0.0.0/8");
    expect(table.size).toBe(given.length);
    // The filter sees the text too.
    table.setFilter("^1\\.2\\.3\\.");
    expect(table.window(0, 10).map((r) => r.prefix)).toEqual(["1.2.3.0/24", "1.2.3.4"]);
  });

  test("batches merged in any order give the same order as one sorted load", () => {
    const all = Array.from({ length: 5000 }, (_, i) => route(i + 1, `${(i * 7919) % 223}.${(i * 31) % 256}.${i % 256}.0/24`, { gateway: i % 3 === 0 ? ISP2 : ISP1 }));
    const once = new RouteTable();
    once.upsert(all);
    const batched = new RouteTable();
    const shuffled = [...all].sort((a, b) => ((a.id.length * 97 + a.prefix.length * 13 + a.prefix.charCodeAt(2)) % 17) - ((b.id.length * 97 + b.prefix.length * 13 + b.prefix.charCodeAt(2)) % 17));
    for (let i = 0; i < shuffled.length; i += 300) {
      batched.upsert(shuffled.slice(i, i + 300));
      batched.window(0, 5); // settles between batches
    }
    expect(prefixes(batched)).toEqual(prefixes(once));
    const keys = once.window(0, once.size).map((r) => prefixKey(r.prefix));
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });
});

describe("upsert and remove", () => {
  test("an upsert of a known .id replaces it; a removal drops it; counts follow", () => {
    const table = new RouteTable();
    table.upsert([route(1, "10.1.0.0/24"), route(2, "10.2.0.0/24", { active: false }), route(3, "10.3.0.0/24")]);
    expect(table.counts()).toMatchObject({ total: 3, active: 2, matching: 3 });

    table.upsert([route(2, "10.2.0.0/24", { active: true, localPref: 100 })]);
    expect(table.get("*2")).toMatchObject({ active: true, localPref: 100 });
    expect(table.counts()).toMatchObject({ total: 3, active: 3 });

    // A new AS path or gateway may move the route: it is re-placed.
    table.upsert([route(1, "10.9.0.0/24", { gateway: ISP2, asPath: "64513,64520" })]);
    expect(table.window(0, 5).map((r) => r.id)).toEqual(["*2", "*3", "*1"]);
    expect(table.get("*1")).toMatchObject({ prefix: "10.9.0.0/24", gateway: ISP2, asPath: "64513 64520" });

    table.remove(["*3", "*404"]);
    expect(table.window(0, 5).map((r) => r.id)).toEqual(["*2", "*1"]);
    expect(table.get("*3")).toBeUndefined();
    expect(table.counts()).toMatchObject({ total: 2, active: 2, matching: 2 });
  });

  test("many removals and re-adds keep the index and the order right", () => {
    const table = new RouteTable();
    const n = 20_000;
    table.upsert(Array.from({ length: n }, (_, i) => route(i + 1, `10.${i >> 8}.${i & 255}.0/24`)));
    table.window(0, 1);
    const gone = Array.from({ length: n / 2 }, (_, i) => `*${(2 * i + 1).toString(16).toUpperCase()}`);
    table.remove(gone);
    expect(table.size).toBe(n / 2);
    expect(table.get("*1")).toBeUndefined();
    expect(table.get("*2")?.prefix).toBe("10.0.1.0/24");
    // Back again, with other prefixes: they land in their new places.
    table.upsert(gone.slice(0, 100).map((id, i) => ({ ...route(1, `9.0.${i}.0/24`), id })));
    expect(table.size).toBe(n / 2 + 100);
    const rows = table.window(0, table.size);
    expect(rows[0]?.prefix).toBe("9.0.0.0/24");
    expect(rows[100]?.prefix).toBe("10.0.1.0/24");
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(table.positionOf("*2")).toBe(100);
    expect(table.positionOf("*1")).toBe(0);
  });

  test("ids in long runs, far apart and of every size are all found, also after removals", () => {
    const table = new RouteTable();
    // Runs of neighbours (as a print numbers them), runs that start at the same low bits far
    // apart, and ids up to *FFFFFFFF: the index keeps runs together, and must still find all.
    const ids = [
      ...Array.from({ length: 5000 }, (_, i) => i + 1),
      ...Array.from({ length: 3000 }, (_, i) => 0x100000 * (i + 1)),
      ...Array.from({ length: 3000 }, (_, i) => 0xffffffff - i),
    ];
    table.upsert(ids.map((id, i) => route(id, `10.${(i >> 8) & 255}.${i & 255}.0/24`)));
    expect(table.size).toBe(ids.length);
    const gone = ids.filter((_, i) => i % 3 === 0);
    table.remove(gone.map((id) => `*${id.toString(16).toUpperCase()}`));
    for (const [i, id] of ids.entries()) {
      const found = table.get(`*${id.toString(16).toUpperCase()}`);
      if (i % 3 === 0) expect(found).toBeUndefined();
      else expect(found?.prefix).toBe(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
    }
    expect(table.size).toBe(ids.length - gone.length);
  });

  test("a table nobody reads while tens of thousands of routes come in, out of order, is in order when read", () => {
    const table = new RouteTable();
    const n = 70_000;
    const shuffled = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    for (let i = 0; i < n; i += 10_000) {
      table.upsert(shuffled.slice(i, i + 10_000).map((k, j) => route(i + j + 1, `${10 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}.0/24`)));
    }
    const rows = table.window(0, n);
    expect(rows).toHaveLength(n);
    const keys = rows.map((r) => prefixKey(r.prefix));
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.id)).size).toBe(n);
  });

  test("routes that come in order but for the last one are still put in order", () => {
    const table = new RouteTable();
    table.upsert(Array.from({ length: 50 }, (_, i) => route(i + 1, `10.0.${i + 1}.0/24`)));
    table.window(0, 1);
    // In order, then one that sorts first: the settle must notice and sort.
    table.upsert([...Array.from({ length: 50 }, (_, i) => route(i + 100, `10.1.${i}.0/24`)), route(200, "10.0.0.0/24")]);
    const order = table.window(0, table.size).map((r) => prefixKey(r.prefix));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(table.window(0, 1)[0]?.prefix).toBe("10.0.0.0/24");
  });

  test("ids of another shape work too; clear forgets everything", () => {
    const table = new RouteTable();
    table.upsert([{ ...route(1, "10.0.0.0/24"), id: "route-a" }, route(2, "10.0.1.0/24")]);
    expect(table.get("route-a")?.id).toBe("route-a");
    table.clear();
    expect(table.size).toBe(0);
    expect(table.window(0, 10)).toEqual([]);
    expect(table.counts()).toMatchObject({ total: 0, active: 0, matching: 0, byGateway: [] });
  });
});

describe("filter", () => {
  const table = new RouteTable();
  table.upsert([
    route(1, "10.1.0.0/24", { asPath: "64513" }),
    route(2, "10.1.1.0/24", { gateway: ISP2, link: "wg-isp2", asPath: "64513,64520", active: false, localPref: 100 }),
    route(3, "192.168.42.0/24", { asPath: "64513,65001" }),
    route(4, "172.16.0.0/12", { gateway: "pppoe-out1", link: "", asPath: "", localPref: null }),
  ]);

  test("by prefix substring, gateway, link and AS path (with spaces or commas)", () => {
    const shown = (text: string) => {
      table.setFilter(text);
      return table.window(0, 10).map((r) => r.id);
    };
    expect(shown("10.1.")).toEqual(["*1", "*2"]);
    expect(shown(ISP2)).toEqual(["*2"]);
    expect(shown("WG-ISP2")).toEqual(["*2"]);
    expect(shown("pppoe")).toEqual(["*4"]);
    expect(shown("64513 64520")).toEqual(["*2"]);
    expect(shown("64513,65001")).toEqual(["*3"]);
    expect(shown("nothing")).toEqual([]);
    expect(table.counts()).toMatchObject({ total: 4, matching: 0 });
    expect(shown("")).toEqual(["*1", "*2", "*4", "*3"]);
  });

  test("a regular expression, case-insensitive, on each field", () => {
    const shown = (text: string) => {
      table.setFilter(text);
      return table.window(0, 10).map((r) => r.id);
    };
    expect(shown("^10\\.1\\.1\\.")).toEqual(["*2"]);
    expect(shown("^(172|192)\\.")).toEqual(["*4", "*3"]);
    expect(shown("65001$")).toEqual(["*3"]);
    expect(shown("^PPPOE-")).toEqual(["*4"]);
    // Not across fields: a prefix followed by its gateway is no one field's text.
    expect(shown("/24 .*pppoe")).toEqual([]);
    table.setFilter("");
  });

  test("filterProblem names what is wrong with an expression, and nothing for a valid one", () => {
    expect(filterProblem("10.0.")).toBeNull();
    expect(filterProblem("")).toBeNull();
    expect(filterProblem("10.(")).toBe("Unterminated group");
    expect(filterProblem("[10")).toMatch(/character class/i);
    expect(() => table.setFilter("10.(")).toThrow(SyntaxError);
  });

  test("routes added while a filter is on are filtered as they come", () => {
    table.setFilter("64520");
    expect(table.matching).toBe(1);
    table.upsert([route(5, "10.0.0.0/16", { asPath: "64520" }), route(6, "10.0.0.0/24", { asPath: "64999" })]);
    expect(table.window(0, 10).map((r) => r.id)).toEqual(["*5", "*2"]);
    table.remove(["*2"]);
    expect(table.window(0, 10).map((r) => r.id)).toEqual(["*5"]);
    table.setFilter("");
  });
});

describe("a filter in slices (filterSlice)", () => {
  const SLICE = 100;
  const ROUTES = 2_000;
  // Every third route matches "64520": matches spread over the whole table.
  const load = (first: number, count: number, step = 1) =>
    Array.from({ length: count }, (_, i) => {
      const n = first + i * step;
      return route(n, `10.${(n >> 8) & 255}.${n & 255}.0/24`, { asPath: n % 3 === 0 ? "64513,64520" : "64513" });
    });
  const ids = (table: RouteTable) => table.window(0, table.size).map((r) => r.id);

  test("a new filter looks at a slice per window: the matches found so far are in order from the top, and all of them at the end", () => {
    const whole = new RouteTable();
    const sliced = new RouteTable({ filterSlice: SLICE });
    for (const table of [whole, sliced]) {
      table.upsert(load(1, ROUTES));
      table.window(0, 1);
      table.setFilter("64520");
    }
    const expected = ids(whole);
    expect(expected.length).toBe(Math.floor(ROUTES / 3));
    let settles = 0;
    let revision = sliced.revision;
    for (;;) {
      // One read, one settle: what it shows is what has been found.
      const found = ids(sliced);
      settles++;
      expect(found).toEqual(expected.slice(0, found.length));
      if (!sliced.filtering) break;
      // Still looking: the revision moved, so a view drawn per revision comes back.
      expect(sliced.revision).toBeGreaterThan(revision);
      revision = sliced.revision;
      expect(found.length).toBeLessThan(expected.length);
    }
    expect(settles).toBe(ROUTES / SLICE);
    expect(ids(sliced)).toEqual(expected);
    expect(sliced.counts().matching).toBe(expected.length);
  });

  test("routes added and removed while the filter is still looking, before and past where it got, all end up right", () => {
    const whole = new RouteTable();
    const sliced = new RouteTable({ filterSlice: SLICE });
    const both = (change: (table: RouteTable) => void) => [whole, sliced].forEach(change);
    // Odd ids now; even ids come while the filter looks, some before where it got, some after.
    both((table) => table.upsert(load(1, ROUTES / 2, 2)));
    both((table) => table.setFilter("64520"));
    sliced.matching;
    expect(sliced.filtering).toBe(true);
    for (let round = 0; round < 12; round++) {
      both((table) => {
        table.upsert(load(2 + round * 160, 80, 2));
        table.upsert(load(ROUTES - round * 40, 20, 2));
        table.remove([`*${(1 + round * 150).toString(16).toUpperCase()}`, `*${(ROUTES - 1 - round * 40).toString(16).toUpperCase()}`]);
        // A route changed in place, and one moved (a new AS path: out of the filter or into it).
        table.upsert([route(3 + round * 6, `10.0.${(3 + round * 6) & 255}.0/24`, { asPath: "64513,64520", active: false })]);
        table.upsert([route(9 + round * 6, `10.0.${(9 + round * 6) & 255}.0/24`, { asPath: round % 2 ? "64520" : "64513" })]);
      });
      const found = sliced.matching;
      expect(sliced.window(0, found).map((r) => r.id)).toEqual(ids(whole).slice(0, found));
    }
    while (sliced.filtering) sliced.window(0, 1);
    expect(ids(sliced)).toEqual(ids(whole));
    expect(sliced.counts()).toEqual(whole.counts());
    // Back to no filter, and to another filter: complete again.
    both((table) => table.setFilter(""));
    expect(ids(sliced)).toEqual(ids(whole));
    expect(sliced.filtering).toBe(false);
  });

  test("only a window looks further: counts, positions and routes by prefix read what was found so far", () => {
    const sliced = new RouteTable({ filterSlice: SLICE });
    sliced.upsert(load(1, ROUTES));
    sliced.window(0, 1);
    sliced.setFilter("64520");
    // The first read of a new filter looks at a slice, whoever reads.
    const first = sliced.matching;
    expect(first).toBeGreaterThan(0);
    const revision = sliced.revision;
    for (let n = 1; n <= ROUTES; n += 7) {
      sliced.routesTo(`10.${(n >> 8) & 255}.${n & 255}.0/24`);
      sliced.positionOf(`*${n.toString(16).toUpperCase()}`);
      sliced.counts();
    }
    expect(sliced.matching).toBe(first);
    expect(sliced.revision).toBe(revision);
    expect(sliced.filtering).toBe(true);
    sliced.window(0, 1);
    expect(sliced.matching).toBeGreaterThan(first);
    expect(sliced.revision).toBeGreaterThan(revision);
  });

  test("without a slice a filter is complete at the first read", () => {
    const table = new RouteTable();
    table.upsert(load(1, ROUTES));
    table.setFilter("64520");
    expect(table.matching).toBe(Math.floor(ROUTES / 3));
    expect(table.filtering).toBe(false);
  });
});

describe("reserve", () => {
  test("room made before the routes come changes nothing they show, and routes already there stay", () => {
    const grown = new RouteTable();
    const reserved = new RouteTable();
    const first = Array.from({ length: 300 }, (_, i) => route(i + 1, `10.1.${i & 255}.${i >> 8}/32`));
    const rest = Array.from({ length: 5_000 }, (_, i) => route(i + 301, `10.${2 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`, { active: i % 2 === 0 }));
    grown.upsert(first);
    reserved.upsert(first);
    reserved.window(0, 1);
    reserved.reserve(5_300);
    for (const table of [grown, reserved]) for (let i = 0; i < rest.length; i += 700) table.upsert(rest.slice(i, i + 700));
    expect(reserved.all()).toEqual(grown.all());
    expect(reserved.counts()).toEqual(grown.counts());
    for (const id of ["*1", "*12C", "*12D", "*14B4"]) {
      expect(reserved.get(id)).toEqual(grown.get(id));
      expect(reserved.positionOf(id)).toBe(grown.positionOf(id));
    }
  });
});

describe("window and counts", () => {
  test("a window is the slice of the order, clipped at the end", () => {
    const table = new RouteTable();
    table.upsert(Array.from({ length: 100 }, (_, i) => route(i + 1, `10.0.${i}.0/24`, { active: i % 4 === 0, gateway: i % 2 ? ISP2 : ISP1, link: i % 2 ? "wg-isp2" : "wg-isp1" })));
    expect(table.window(10, 3).map((r) => r.prefix)).toEqual(["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"]);
    expect(table.window(98, 10).map((r) => r.prefix)).toEqual(["10.0.98.0/24", "10.0.99.0/24"]);
    expect(table.window(200, 10)).toEqual([]);
    const counts = table.counts();
    expect(counts).toMatchObject({ total: 100, active: 25, matching: 100 });
    expect(counts.byGateway).toEqual([
      { name: ISP1, total: 50, active: 25 },
      { name: ISP2, total: 50, active: 0 },
    ]);
    expect(counts.byLink.map((g) => g.name)).toEqual(["wg-isp1", "wg-isp2"]);
  });

  test("the revision moves on every change and only then", () => {
    const table = new RouteTable();
    const start = table.revision;
    table.upsert([route(1, "10.0.0.0/24")]);
    const afterAdd = table.revision;
    expect(afterAdd).toBeGreaterThan(start);
    table.window(0, 10);
    table.upsert([]);
    table.remove(["*99"]);
    table.setFilter("");
    expect(table.revision).toBe(afterAdd);
    table.setFilter("10.");
    expect(table.revision).toBeGreaterThan(afterAdd);
  });
});

describe("filtered routes (rejected by an input filter, listed beside the others)", () => {
  const OWN = "your own network 192.168.0.0/24";
  test("are listed in order and found by the filter, but counted apart and in no link's counts or local-pref", () => {
    const table = new RouteTable();
    table.upsert([route(1, "192.168.42.0/24"), route(2, "10.0.0.0/24", { active: false, localPref: 100 })]);
    table.upsert([{ id: "filtered *A", prefix: "192.168.0.0/24", gateway: ISP1, active: true, localPref: null, asPath: "64513", link: "wg-isp1", filtered: OWN }]);
    expect(table.window(0, 3).map((r) => [r.prefix, r.filtered, r.active])).toEqual([
      ["10.0.0.0/24", null, false],
      ["192.168.0.0/24", OWN, false],
      ["192.168.42.0/24", null, true],
    ]);
    const counts = table.counts();
    expect([counts.total, counts.active, counts.filtered, counts.matching]).toEqual([2, 1, 1, 3]);
    expect(counts.byLink).toEqual([{ name: "wg-isp1", total: 2, active: 1 }]);
    // The link's local-pref is that of the routes it carries, not the filtered route's none.
    expect(table.localPrefOf("wg-isp1")).toBe(100);

    table.setFilter("own network");
    expect(table.window(0, 3).map((r) => r.prefix)).toEqual(["192.168.0.0/24"]);
    table.setFilter("");

    // Taken after all (the rules changed): the same id as an ordinary route.
    table.upsert([{ id: "filtered *A", prefix: "192.168.0.0/24", gateway: ISP1, active: true, localPref: 200, asPath: "64513", link: "wg-isp1" }]);
    expect([table.counts().total, table.counts().active, table.counts().filtered]).toEqual([3, 2, 0]);
    table.upsert([{ id: "filtered *A", prefix: "192.168.0.0/24", gateway: ISP1, active: false, localPref: null, asPath: "64513", link: "wg-isp1", filtered: OWN }]);
    table.remove(["filtered *A"]);
    expect([table.counts().total, table.counts().active, table.counts().filtered, table.size]).toEqual([2, 1, 0, 2]);
    expect(table.counts().byLink).toEqual([{ name: "wg-isp1", total: 2, active: 1 }]);
  });
});
