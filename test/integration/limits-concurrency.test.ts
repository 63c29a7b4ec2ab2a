/**
 * C3 (SECURITY.md) and issue 9 items 5 and 6: attempt limits hold under bursts, across two warrant
 * instances on one real Redis (each its own storage and client, as two processes have). What reaches
 * Cognito is counted at the front in test/support.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createStorage, type Storage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { challengeAttempts, type Warrant } from "../../src/mod.ts";
import { Client } from "../support/browser-client.ts";
import { enrolTotp, wrongTotp } from "../support/challenges.ts";
import { freePort } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, REDIS_URL, warrantFor } from "../support/setup.ts";

const prefix = `warrant-test-limits:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

describe("attempt limits across two instances on one Redis", () => {
  let env: Env;
  const storages: Storage[] = [];
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });

  /** Two instances: their own storage objects and Redis clients, one Redis, one key prefix. */
  const pair = (options: Parameters<typeof warrantFor>[1] = {}, slowLink = false): [Warrant, Warrant] => {
    const make = (slow: boolean) => {
      const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base: prefix }) });
      storages.push(storage);
      // A slow link to the same Redis: deletes from this instance arrive 100 ms late.
      const linked: Storage = slow
        ? {
            ...storage,
            removeItem: async (key: string, opts?: Parameters<Storage["removeItem"]>[1]) => {
              await new Promise((r) => setTimeout(r, 100));
              return storage.removeItem(key, opts);
            },
          }
        : storage;
      return warrantFor(env, { storage: linked, ...options });
    };
    return [make(slowLink), make(false)];
  };
  // Password logins that reached Cognito (not the library's one-time check of the client secret).
  const logins = () =>
    env.front
      .requests("InitiateAuth")
      .filter((b) => !String(b.AuthParameters?.USERNAME).startsWith("warrant-secret-check")).length;
  const json = (warrant: Warrant, path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Client(warrant.handler).json(path, body, headers);

  before(async () => {
    await redis.connect();
    env = await createEnv();
  });
  after(async () => {
    await env.close();
    await Promise.all(storages.map((s) => s.dispose()));
    // Nothing of ours may stay in a shared Redis.
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  for (const burst of [50, 200]) {
    // Regression: with a limit of 10, all 50 (or 200) concurrent wrong passwords reached Cognito.
    it(`lets at most 10 of ${burst} concurrent wrong passwords reach Cognito, the rest 429`, async () => {
      const name = email(`burst${burst}`);
      await env.pool.createUser({ email: name, password: PASSWORD });
      const [a, b] = pair({ rateLimit: { perAccount: 10, perAddress: 10_000, window: 600 } });
      env.front.resetCalls();
      const statuses = await Promise.all(
        Array.from({ length: burst }, (_, i) =>
          json(i % 2 ? a : b, "/accounts/login", { username: name, password: `Wrong-${i}` }).then(
            (r) => r.status,
          ),
        ),
      );
      assert.ok(logins() <= 10, `${logins()} reached Cognito`);
      assert.equal(statuses.filter((s) => s === 401).length, logins());
      assert.equal(statuses.filter((s) => s === 429).length, burst - logins());
      assert.ok(statuses.every((s) => s === 401 || s === 429));
    });
  }

  it("counts an alias and the Cognito username as one account", async () => {
    const name = email("alias");
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const [a, b] = pair({ rateLimit: { perAccount: 4, perAddress: 10_000, window: 600 } });
    // A login by email shows which Cognito user the email stands for.
    assert.equal((await json(a, "/accounts/login", { username: name, password: PASSWORD })).status, 200);
    env.front.resetCalls();
    const tries = [name, username, name.toUpperCase(), username, name, username];
    const statuses = [];
    for (const [i, login] of tries.entries())
      statuses.push(
        (await json(i % 2 ? a : b, "/accounts/login", { username: login, password: "Wrong" })).status,
      );
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  });

  it("lets at most 10 of 50 concurrent forgot-password requests send a message", async () => {
    const name = email("forgot");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const [a, b] = pair({ rateLimit: { perAccount: 10, perAddress: 10_000, window: 600 } });
    env.front.resetCalls();
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        json(i % 2 ? a : b, "/accounts/password/forgot", { username: name }).then((r) => r.status),
      ),
    );
    assert.ok(env.front.calls("ForgotPassword") <= 10, `${env.front.calls("ForgotPassword")} sent`);
    assert.equal(statuses.filter((s) => s === 429).length, 50 - env.front.calls("ForgotPassword"));
  });

  it("lets at most 10 of 50 concurrent wrong reset codes reach Cognito", async () => {
    const name = email("reset");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const [a, b] = pair({ rateLimit: { perAccount: 10, perAddress: 10_000, window: 600 } });
    env.front.resetCalls();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        json(i % 2 ? a : b, "/accounts/password/reset", {
          username: name,
          code: String(100000 + i),
          newPassword: "N3w-Password!",
        }),
      ),
    );
    assert.ok(env.front.calls("ConfirmForgotPassword") <= 10, `${env.front.calls("ConfirmForgotPassword")}`);
  });

  // Regression: the same XFF-first-entry address was the client's choice, so each request could name a new one.
  it("is not bypassed by spoofed X-Forwarded-For entries behind one trusted proxy", async () => {
    const [a, b] = pair({
      rateLimit: { perAccount: 100, perAddress: 5, window: 600, trustProxy: { hops: 1 } },
    });
    env.front.resetCalls();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        json(
          i % 2 ? a : b,
          "/accounts/login",
          { username: email("spoof"), password: "Wrong" },
          { "x-forwarded-for": `10.${i}.0.1, 203.0.113.77` },
        ).then((r) => r.status),
      ),
    );
    assert.ok(logins() <= 5, `${logins()} reached Cognito`);
    assert.equal(statuses.filter((s) => s === 429).length, 40 - logins());
  });

  it("answers 503 + Retry-After when Redis (store and counters) is unreachable, and never asks Cognito", async () => {
    const port = await freePort();
    const storage = createStorage({
      driver: redisDriver({ url: `redis://127.0.0.1:${port}`, base: prefix, maxRetriesPerRequest: 0 }),
    });
    storages.push(storage);
    const warrant = warrantFor(env, { storage, storageTimeout: 300 });
    env.front.resetCalls();
    const res = await json(warrant, "/accounts/login", { username: email("down"), password: "Wrong" });
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get("retry-after")) > 0);
    assert.equal(logins(), 0);
  });

  describe("MFA codes", () => {
    let name: string;
    let secret: string;
    before(async () => {
      name = email("mfa");
      await env.pool.createUser({ email: name, password: PASSWORD });
      secret = await enrolTotp(env.pool, name, PASSWORD);
    });

    // Regression: two instances each answered every pending id once, and each wrong answer made a new
    // id with one more attempt: 2+4+8+16+32 = 62 wrong codes per password login.
    it(`sends at most ${challengeAttempts} answers per login lineage, whichever instance gets them`, async () => {
      const [a, b] = pair({ rateLimit: false });
      const first = await a.authenticate(name, PASSWORD);
      assert.ok(!first.ok && first.reason === "challenge");
      env.front.resetCalls();
      let frontier = [first.challenge.id];
      for (let round = 0; frontier.length && round < 10; round++) {
        const answers = await Promise.all(
          frontier.flatMap((id) => [a, b].map((w) => w.respond(id, { code: wrongTotp(secret) }))),
        );
        frontier = answers.flatMap((r) => (!r.ok && "challenge" in r && r.challenge ? [r.challenge.id] : []));
      }
      const sent = env.front.calls("RespondToAuthChallenge");
      assert.ok(sent <= challengeAttempts, `${sent} answers reached Cognito`);
      assert.ok(sent >= 1);
    });

    // Regression: the claim was a per-process map; with A's delete still on its way, B sent the same answer too.
    it("claims a challenge id once across instances: of racing answers one is sent, even over a slow link", async () => {
      const [a, b] = pair({ rateLimit: false }, true);
      const first = await a.authenticate(name, PASSWORD);
      assert.ok(!first.ok && first.reason === "challenge");
      env.front.resetCalls();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).respond(first.challenge.id, { code: wrongTotp(secret) }),
        ),
      );
      assert.equal(env.front.calls("RespondToAuthChallenge"), 1);
      assert.equal(results.filter((r) => !r.ok && r.reason === "challenge_expired").length, 9);
    });

    it("lets at most 10 of 20 concurrent wrong codes (20 lineages) reach Cognito with a limit of 10", async () => {
      const [a, b] = pair({ rateLimit: { perAccount: 10, perAddress: 10_000, window: 600 } });
      const clients: Client[] = [];
      for (let i = 0; i < 20; i++) {
        const client = new Client(a.handler);
        const login = await client.json("/accounts/login", { username: name, password: PASSWORD });
        assert.equal(login.status, 200, "a right password gives its reservation back");
        // Answered on the other instance half the time.
        const other = new Client(i % 2 ? a.handler : b.handler);
        for (const [k, v] of client.jar) other.jar.set(k, v);
        clients.push(other);
      }
      env.front.resetCalls();
      const statuses = await Promise.all(
        clients.map((c) =>
          c.json("/accounts/login/challenge", { code: wrongTotp(secret) }).then((r) => r.status),
        ),
      );
      const sent = env.front.calls("RespondToAuthChallenge");
      assert.ok(sent <= 10, `${sent} codes reached Cognito`);
      assert.equal(statuses.filter((s) => s === 429).length, 20 - sent);
    });
  });
});
