import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStorage } from "unstorage";
import { createRateLimiter } from "../../src/http/rate-limit.ts";
import { createStore } from "../../src/storage.ts";

const request = (headers: Record<string, string> = {}) =>
  new Request("http://localhost/accounts/login", { method: "POST", headers });

describe("rate limiter", () => {
  it("refuses the attempt after N failures for an account, with Retry-After, until the window ends", async () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(
      createStore(createStorage(), 1000),
      { perAccount: 3, window: 60 },
      () => now,
    );
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await limiter.check(request(), "Ada@example.com"), { ok: true });
      await limiter.fail(request(), "Ada@example.com");
    }
    assert.deepEqual(await limiter.check(request(), "ada@example.com "), { ok: false, retryAfter: 60 });
    now += 30_000;
    assert.deepEqual(await limiter.check(request(), "ada@example.com"), { ok: false, retryAfter: 30 });
    now += 30_001;
    assert.deepEqual(await limiter.check(request(), "ada@example.com"), { ok: true });
  });

  it("shares counters between instances through the store", async () => {
    const storage = createStorage();
    const a = createRateLimiter(createStore(storage, 1000), { perAccount: 2 }, () => 0);
    const b = createRateLimiter(createStore(storage, 1000), { perAccount: 2 }, () => 0);
    await a.fail(request(), "grace");
    await b.fail(request(), "grace");
    assert.equal((await a.check(request(), "grace")).ok, false);
    assert.equal((await b.check(request(), "grace")).ok, false);
    await a.succeed("grace");
    assert.equal((await b.check(request(), "grace")).ok, true);
  });

  it("limits per address only through the configured trusted header", async () => {
    const limiter = createRateLimiter(
      createStore(createStorage(), 1000),
      { perAccount: 100, perAddress: 2, clientAddressHeader: "X-Forwarded-For" },
      () => 0,
    );
    const from = (ip: string) => request({ "x-forwarded-for": `${ip}, 10.0.0.1` });
    await limiter.fail(from("203.0.113.9"), "a");
    await limiter.fail(from("203.0.113.9"), "b");
    assert.equal(
      (await limiter.check(from("203.0.113.9"), "c")).ok,
      false,
      "a third account from the same address",
    );
    assert.equal((await limiter.check(from("198.51.100.7"), "c")).ok, true);
    const untrusted = createRateLimiter(
      createStore(createStorage(), 1000),
      { perAccount: 100, perAddress: 1 },
      () => 0,
    );
    await untrusted.fail(from("203.0.113.9"), "a");
    assert.equal(
      (await untrusted.check(from("203.0.113.9"), "b")).ok,
      true,
      "no header configured: no address limit",
    );
  });

  it("stores no account name or address in the clear", async () => {
    const storage = createStorage();
    const limiter = createRateLimiter(
      createStore(storage, 1000),
      { clientAddressHeader: "x-real-ip" },
      () => 0,
    );
    await limiter.fail(request({ "x-real-ip": "203.0.113.9" }), "ada@example.com");
    const keys = (await storage.getKeys()).join(" ");
    assert.ok(!keys.includes("ada"));
    assert.ok(!keys.includes("203.0.113.9"));
    assert.equal((await storage.getKeys("ratelimit")).length, 2);
  });

  it("can be turned off", async () => {
    const limiter = createRateLimiter(createStore(createStorage(), 1000), false, () => 0);
    for (let i = 0; i < 100; i++) await limiter.fail(request(), "x");
    assert.equal((await limiter.check(request(), "x")).ok, true);
  });
});
