/**
 * The store's direct read (src/storage.ts): on an in-process driver alone at the root, a key already in
 * unstorage's normal form is read from the driver itself, skipping unstorage's key normalisation. Every
 * read here is checked against what `storage.getItem` gives for the same key, on real unstorage storages
 * (its memory driver and the library's own `memoryStorage`), including the cases the direct read must hand
 * back to unstorage: keys it would rewrite, string values, `__proto__` keys, expired envelopes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStorage } from "unstorage";
import memoryDriver from "unstorage/drivers/memory";
import { memoryStorage } from "../../src/memory.ts";
import { createStore } from "../../src/storage.ts";

const values: [string, unknown][] = [
  ["sessions:abc123", { username: "ada", createdAt: 1, nested: { a: [1, 2, "x"] } }],
  ["session-seen:abc123", 1_764_000_000_000],
  ["user-revoked:0f0f", 0],
  ["plain:string", "just words"],
  ["json:looking", '{"a":1}'],
  ["proto:key", JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}')],
  ["ctor:key", { constructor: { prototype: { polluted: true } }, ok: 2 }],
  ["empty:object", {}],
  ["nothing:here", null],
];
// Keys unstorage rewrites before its driver sees them: the direct read must not miss them.
const rewritten = ["a/b/c", "a.b", "::colons::", "with space", "x?y", "trailing:"];

for (const [name, make] of [
  // Without TTLs of its own: the store keeps values in an expiry envelope, read by its clock.
  ["unstorage's memory driver", (_now?: () => number) => createStorage({ driver: memoryDriver() })],
  // With TTLs of its own, by its own clock.
  ["the library's memoryStorage", (now?: () => number) => memoryStorage(now ? { now } : {})],
] as const) {
  describe(`store reads on ${name}`, () => {
    it("give what storage.getItem gives, for every kind of value the library or an app may write", async () => {
      const storage = make();
      const store = createStore(storage, 1000);
      for (const [key, value] of values) {
        if (value !== null) await store.set(key, value);
        const read = await store.get(key);
        assert.deepEqual(read, await storage.getItem(key), key);
        assert.equal(({} as Record<string, unknown>).polluted, undefined, `${key} polluted Object.prototype`);
      }
      assert.deepEqual(await store.get("sessions:abc123"), values[0]![1]);
      assert.equal(await store.get("session-seen:abc123"), 1_764_000_000_000);
    });

    it("find values under keys unstorage rewrites", async () => {
      const storage = make();
      const store = createStore(storage, 1000);
      for (const key of rewritten) {
        await store.set(key, { key });
        assert.deepEqual(await store.get(key), { key }, key);
      }
    });

    it("see a write, an overwrite and a removal at once", async () => {
      const store = createStore(make(), 1000);
      await store.set("sessions:x", { v: 1 });
      assert.deepEqual(await store.get("sessions:x"), { v: 1 });
      await store.set("sessions:x", { v: 2 });
      assert.deepEqual(await store.get("sessions:x"), { v: 2 });
      await store.remove("sessions:x");
      assert.equal(await store.get("sessions:x"), null);
    });

    it("end a value at its TTL by the store's clock", async () => {
      let t = 1_000_000;
      const clock = () => t;
      const store = createStore(make(clock), 1000, clock);
      await store.set("sessions:ttl", { v: 1 }, 60);
      t += 59_000;
      assert.deepEqual(await store.get("sessions:ttl"), { v: 1 });
      t += 2_000;
      assert.equal(await store.get("sessions:ttl"), null);
    });
  });
}
