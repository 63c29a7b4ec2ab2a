/**
 * Two instances, one store: the demo on Bun (A) and on Deno (B), two processes sharing one Redis under a
 * key prefix of their own. A session made on A is good on B, and a logout on B ends it on A too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { csrfOf } from "../support/browser-client.ts";
import { createTestPool } from "../support/cognito-local.ts";
import { email, PASSWORD, REDIS_URL } from "../support/setup.ts";
import { type DemoServer, startDemo } from "./servers.ts";
import { demoEnv, httpClient } from "./suite.ts";

describe("two instances, one Redis", () => {
  const prefix = `warrant-test-shared:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let a: DemoServer | undefined;
  let b: DemoServer | undefined;
  let name: string;

  before(async () => {
    await redis.connect();
    const pool = await createTestPool();
    name = email("shared");
    await pool.createUser({ email: name, password: PASSWORD, attributes: { given_name: "Shared" } });
    const env = { ...demoEnv(pool), REDIS_URL, REDIS_PREFIX: prefix };
    [a, b] = await Promise.all([startDemo("bun", env), startDemo("deno", env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    // Nothing of ours may stay in a shared Redis.
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it("logs in on A, reads the profile on B, logs out on B, and A answers 401 for the old cookie", async () => {
    const onA = httpClient(a!.url);
    assert.equal((await onA.login(name, PASSWORD)).status, 303);
    const cookie = onA.jar.get("warrant")!;
    assert.ok(
      (await redis.keys(`${prefix}:sessions:*`)).length > 0,
      "the session is in Redis under the prefix",
    );

    const onB = httpClient(b!.url);
    onB.jar.set("warrant", cookie);
    const profile = await onB.get("/accounts/profile");
    assert.equal(profile.status, 200);
    const page = await profile.text();
    assert.ok(page.includes(name));
    assert.match(page, /Shared/);

    const logout = await onB.form("/accounts/logout", { csrf: csrfOf(page) });
    assert.equal(logout.status, 303);

    const old = await httpClient(a!.url).get("/accounts/session", {
      accept: "application/json",
      cookie: `warrant=${cookie}`,
    });
    assert.equal(old.status, 401);
    assert.deepEqual(await redis.keys(`${prefix}:sessions:*`), []);
  });
});
