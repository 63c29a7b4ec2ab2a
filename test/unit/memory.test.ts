/**
 * The default store (memoryStorage). Regression: on unstorage's memory driver, 10,000 failed logins with
 * distinct names left 20,000 rate-limit keys forever (issue 9, item 7).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultMaxKeys, memoryStorage } from "../../src/memory.ts";
import { createStore } from "../../src/storage.ts";

describe("memoryStorage", () => {
  it("stays bounded under 10,000 failed logins with distinct names (two counters each)", async () => {
    let now = 1_000_000;
    const storage = memoryStorage({ now: () => now });
    const store = createStore(storage, 3000, () => now);
    for (let i = 0; i < 10_000; i++) {
      // What a failed login leaves: a counter per account and one per client address, for the window.
      await store.set(`ratelimit:account:${i}`, { count: 1, resetAt: now + 900_000 }, 900);
      await store.set(`ratelimit:ip:10.0.${i >> 8}.${i & 255}`, { count: 1, resetAt: now + 900_000 }, 900);
      now += 10;
    }
    const keys = await storage.getKeys();
    assert.ok(keys.length <= defaultMaxKeys, `${keys.length} keys`);
    // The most recent writes are the ones kept.
    assert.notEqual(await store.get("ratelimit:account:9999"), null);
    assert.equal(await store.get("ratelimit:account:0"), null);
  });

  it("forgets a value once its TTL has passed: on read, on listing, and when full", async () => {
    let now = 0;
    const storage = memoryStorage({ maxKeys: 100, now: () => now });
    await storage.setItem("short", "x", { ttl: 60 });
    await storage.setItem("forever", "y");
    now += 59_000;
    assert.equal(await storage.getItem("short"), "x");
    now += 2_000;
    assert.equal(await storage.getItem("short"), null);
    assert.equal(await storage.hasItem("short"), false);
    for (let i = 0; i < 50; i++) await storage.setItem(`t${i}`, i, { ttl: 60 });
    now += 61_000;
    assert.deepEqual(await storage.getKeys(), ["forever"]);
    // Full of expired keys: the sweep makes room before anything live is dropped.
    for (let i = 0; i < 99; i++) await storage.setItem(`e${i}`, i, { ttl: 60 });
    now += 61_000;
    for (let i = 0; i < 99; i++) await storage.setItem(`n${i}`, i, { ttl: 600 });
    assert.equal(await storage.getItem("forever"), "y", "a live key was dropped while expired ones stayed");
    assert.ok((await storage.getKeys()).length <= 100);
  });

  it("drops the least recently written key when every key is live", async () => {
    const storage = memoryStorage({ maxKeys: 3 });
    for (const key of ["a", "b", "c"]) await storage.setItem(key, key);
    await storage.setItem("a", "again");
    await storage.setItem("d", "d");
    assert.deepEqual((await storage.getKeys()).sort(), ["a", "c", "d"]);
  });
});
