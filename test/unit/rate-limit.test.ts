import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createStorage } from "unstorage";
import fsDriver from "unstorage/drivers/fs";
import redisDriver from "unstorage/drivers/redis";
import { countersFor, memoryCounters } from "../../src/counters.ts";
import { clientAddress, setClientAddress } from "../../src/http/client-address.ts";
import { createRateLimiter } from "../../src/http/rate-limit.ts";
import { createStore } from "../../src/storage.ts";

const request = (headers: Record<string, string> = {}) =>
  new Request("http://localhost/accounts/login", { method: "POST", headers });

const limiterOf = (options: Parameters<typeof createRateLimiter>[2], now = () => 0) => {
  const storage = createStorage();
  const counters = memoryCounters({ now });
  return {
    storage,
    counters,
    limiter: createRateLimiter(createStore(storage, 1000), counters, options, now),
  };
};

describe("rate limiter", () => {
  it("refuses the attempt after N reservations for an account, with Retry-After, until the window ends", async () => {
    let now = 1_000_000;
    const { limiter } = limiterOf({ perAccount: 3, window: 60 }, () => now);
    for (let i = 0; i < 3; i++) assert.equal((await limiter.reserve(request(), "Ada@example.com")).ok, true);
    assert.deepEqual(await limiter.reserve(request(), "ada@example.com "), { ok: false, retryAfter: 60 });
    now += 30_000;
    assert.deepEqual(await limiter.reserve(request(), "ada@example.com"), { ok: false, retryAfter: 30 });
    now += 30_001;
    assert.equal((await limiter.reserve(request(), "ada@example.com")).ok, true);
  });

  // Regression: the limit was check-then-act, so a burst of 50 all passed the check before one failure was counted.
  it("reserves atomically: of 200 concurrent attempts with a limit of 10, exactly 10 go ahead", async () => {
    const { limiter } = limiterOf({ perAccount: 10 });
    const verdicts = await Promise.all(
      Array.from({ length: 200 }, () => limiter.reserve(request(), "grace")),
    );
    assert.equal(verdicts.filter((v) => v.ok).length, 10);
  });

  it("gives a reservation back for what was not a failure, and clears the account on success", async () => {
    const { limiter } = limiterOf({ perAccount: 2 });
    const first = await limiter.reserve(request(), "grace");
    assert.ok(first.ok);
    await first.attempt.release();
    const second = await limiter.reserve(request(), "grace");
    const third = await limiter.reserve(request(), "grace");
    assert.ok(second.ok && third.ok);
    assert.equal((await limiter.reserve(request(), "grace")).ok, false);
    await second.attempt.succeeded();
    assert.equal((await limiter.reserve(request(), "grace")).ok, true);
  });

  it("counts an alias under the Cognito username once a login has shown which one it is", async () => {
    const { limiter } = limiterOf({ perAccount: 2 });
    await limiter.learn("Ada@Example.com", "7d3c-uuid");
    assert.equal((await limiter.reserve(request(), "ada@example.com")).ok, true);
    assert.equal((await limiter.reserve(request(), "7D3C-UUID")).ok, true);
    assert.equal((await limiter.reserve(request(), "ADA@example.com")).ok, false, "one counter for both");
  });

  it("limits per address through the configured platform header", async () => {
    const { limiter } = limiterOf({ perAccount: 100, perAddress: 2, clientAddressHeader: "x-real-ip" });
    const from = (ip: string) => request({ "x-real-ip": ip });
    assert.equal((await limiter.reserve(from("203.0.113.9"), "a")).ok, true);
    assert.equal((await limiter.reserve(from("203.0.113.9"), "b")).ok, true);
    assert.equal((await limiter.reserve(from("203.0.113.9"), "c")).ok, false, "a third account, one address");
    assert.equal((await limiter.reserve(from("198.51.100.7"), "c")).ok, true);
  });

  // Regression: the first X-Forwarded-For entry, which the client writes itself, was the address.
  it("is not bypassed by a client-chosen X-Forwarded-For entry behind a trusted proxy", async () => {
    const { limiter } = limiterOf({ perAccount: 100, perAddress: 3, trustProxy: { hops: 1 } });
    const verdicts = [];
    for (let i = 0; i < 10; i++) {
      // The client sends a new made-up address each time; the proxy appends the one it saw.
      const spoofed = request({ "x-forwarded-for": `10.0.${i}.1, 203.0.113.9` });
      verdicts.push((await limiter.reserve(spoofed, `user-${i}`)).ok);
    }
    assert.deepEqual(verdicts, [true, true, true, false, false, false, false, false, false, false]);
  });

  it("takes the client address only from what the client cannot choose", () => {
    const xff = (value: string) => request({ "x-forwarded-for": value });
    assert.equal(clientAddress(xff("1.1.1.1, 2.2.2.2, 3.3.3.3"), { trustProxy: { hops: 1 } }), "3.3.3.3");
    assert.equal(clientAddress(xff("1.1.1.1, 2.2.2.2, 3.3.3.3"), { trustProxy: { hops: 2 } }), "2.2.2.2");
    assert.equal(clientAddress(xff("3.3.3.3"), { trustProxy: { hops: 2 } }), "3.3.3.3");
    assert.equal(
      clientAddress(xff("1.1.1.1, 3.3.3.3"), { clientAddressHeader: "x-forwarded-for" }),
      "3.3.3.3",
      "a list in a named header counts only the entry the proxy appended",
    );
    assert.equal(clientAddress(xff("1.1.1.1"), {}), undefined, "no adapter, no option: no address");
    const seen = setClientAddress(xff("1.1.1.1"), "192.0.2.4");
    assert.equal(clientAddress(seen, {}), "192.0.2.4", "the adapter's peer address, not the header");
    assert.equal(
      clientAddress(setClientAddress(request({ "cf-connecting-ip": "192.0.2.8" }), "10.0.0.1"), {
        clientAddressHeader: "CF-Connecting-IP",
      }),
      "192.0.2.8",
    );
  });

  it("stores no account name or address in the clear, and nothing at all for a failed attempt", async () => {
    const { storage, limiter } = limiterOf({ clientAddressHeader: "x-real-ip" });
    await limiter.reserve(request({ "x-real-ip": "203.0.113.9" }), "ada@example.com");
    assert.deepEqual(await storage.getKeys(), [], "counters live in the counter backend");
    await limiter.learn("ada@example.com", "uuid-1");
    const keys = (await storage.getKeys()).join(" ");
    assert.ok(keys.startsWith("aliases:"));
    assert.ok(!keys.includes("ada"));
  });

  it("can be turned off", async () => {
    const { limiter } = limiterOf(false);
    for (let i = 0; i < 100; i++) assert.equal((await limiter.reserve(request(), "x")).ok, true);
  });
});

describe("memory counters", () => {
  // Regression: 10,000 failed logins with distinct names left 20,000 rate-limit keys forever.
  it("stay bounded: ended windows are dropped, and past maxKeys the oldest go", async () => {
    let now = 0;
    const counters = memoryCounters({ now: () => now, maxKeys: 1000 });
    const size = () => (counters as unknown as { size: number }).size;
    for (let i = 0; i < 10_000; i++) await counters.hit(`ratelimit:account:${i}`, 900_000);
    assert.ok(size() <= 1000, `${size()} counters`);
    now += 900_001;
    for (let i = 0; i < 100; i++) await counters.hit(`ratelimit:address:${i}`, 1000);
    assert.ok(size() <= 1000);
    now += 2000;
    for (let i = 0; i < 2000; i++) await counters.hit(`late:${i}`, 60_000);
    assert.ok(size() <= 1000);
    assert.equal((await counters.hit("late:1999", 60_000)).count, 2, "a live counter is kept");
  });

  it("start a new window when the old one ends, and release never goes below zero", async () => {
    let now = 0;
    const counters = memoryCounters({ now: () => now });
    assert.deepEqual(await counters.hit("k", 100), { count: 1, resetAt: 100 });
    await counters.release("k");
    await counters.release("k");
    assert.deepEqual(await counters.hit("k", 100), { count: 1, resetAt: 100 });
    now = 100;
    assert.deepEqual(await counters.hit("k", 100), { count: 1, resetAt: 200 });
    await counters.release("missing");
    assert.deepEqual(await counters.hit("missing", 100), { count: 1, resetAt: 200 });
  });
});

describe("the counters a warrant picks", () => {
  it("uses the storage's own where it has them, else warns once and counts in this process", async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(" "));
    try {
      const memory = createStorage();
      await countersFor(memory, undefined, Date.now).hit("shared", 60_000);
      const again = await countersFor(memory, undefined, Date.now).hit("shared", 60_000);
      assert.equal(again.count, 2, "warrants on one memory storage share its counters");
      const redis = createStorage({ driver: redisDriver({ url: "redis://127.0.0.1:1", lazyConnect: true }) });
      assert.ok(countersFor(redis, undefined, Date.now));
      assert.deepEqual(warnings, [], "memory and redis count atomically");
      const dir = mkdtempSync(join(tmpdir(), "warrant-counters-"));
      try {
        const fs = createStorage({ driver: fsDriver({ base: dir }) });
        await countersFor(fs, undefined, Date.now).hit("k", 60_000);
        const b = await countersFor(fs, undefined, Date.now).hit("k", 60_000);
        assert.equal(b.count, 2, "warrants on one storage object share the counters of this process");
        assert.equal(warnings.length, 1, "warned once");
        assert.match(warnings[0]!, /cannot count atomically.*options\.counters/);
        const given = memoryCounters();
        await countersFor(fs, given, Date.now).hit("mine", 60_000);
        assert.equal((await given.hit("mine", 60_000)).count, 2, "the option wins");
        assert.equal(warnings.length, 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      await redis.dispose();
    } finally {
      console.warn = original;
    }
  });

  it("turns a counter backend that fails or hangs into storage_unavailable, within the deadline", async () => {
    const broken = {
      hit: () => Promise.reject(new Error("ECONNREFUSED")),
      release: async () => {},
      reset: async () => {},
    };
    const hung = { hit: () => new Promise<never>(() => {}), release: async () => {}, reset: async () => {} };
    for (const counters of [broken, hung]) {
      await assert.rejects(countersFor(createStorage(), counters, Date.now, 50).hit("k", 1000), {
        name: "WarrantError",
        code: "storage_unavailable",
      });
    }
  });
});
