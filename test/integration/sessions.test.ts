/**
 * Server-side sessions against cognito-local: storage shape, encryption at rest, expiry, refresh.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RevokeTokenCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createStorage, type Storage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { WarrantError } from "../../src/mod.ts";
import { keys, newToken } from "../../src/sessions/store.ts";
import { freePort } from "../support/cognito-local.ts";
import {
  createEnv,
  dump,
  type Env,
  email,
  fakeClock,
  JWT,
  PASSWORD,
  SECRET,
  warrantFor,
} from "../support/setup.ts";

const request = (cookie?: string, url = "http://localhost/accounts/profile") =>
  new Request(url, { headers: cookie ? { cookie } : {} });
const pair = (setCookie: string) => setCookie.split(";")[0]!;

/** Counts writes to a real memory storage. */
function countingStorage() {
  const storage = createStorage();
  const counts = { set: 0, get: 0 };
  const counted = new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === "setItem") counts.set++;
      if (prop === "getItem") counts.get++;
      return Reflect.get(target, prop, receiver);
    },
  }) as Storage;
  return { storage: counted, raw: storage, counts };
}

describe("sessions", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  async function login(options: Parameters<typeof warrantFor>[1] = {}, label = "s") {
    const name = email(label);
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Sam" },
    });
    // cognito-local's access tokens live 24 h, as long as the default idle timeout: tests that jump to
    // the refresh get a longer idle timeout so the jump does not end the session first.
    const warrant = warrantFor(env, { session: { idleTimeout: 3 * 86_400 }, ...options });
    const result = await warrant.authenticate(name, PASSWORD);
    assert.ok(result.ok);
    const created = await warrant.createSession(result, request());
    return { warrant, name, username, result, created, cookie: pair(created.cookie) };
  }

  it("issues 32-byte random tokens, all unique over 10,000", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(newToken());
    assert.equal(seen.size, 10_000);
    for (const t of [...seen].slice(0, 10)) assert.equal(Buffer.from(t, "base64url").length, 32);
  });

  it("stores only a hash of the token, and no readable Cognito token", async () => {
    const storage = createStorage();
    const { created, username } = await login({ storage });
    const raw = await dump(storage);
    const all = Object.entries(raw).flat().join("\n");
    assert.ok(!all.includes(created.token), "the cookie value appears nowhere in storage");
    assert.doesNotMatch(all, JWT, "no JWT in storage");
    const sessionKeys = Object.keys(raw).filter((k) => k.startsWith("sessions:"));
    assert.equal(sessionKeys.length, 1);
    assert.match(sessionKeys[0]!, /^sessions:[0-9a-f]{64}$/);
    const index = await storage.getKeys(keys.userSessions(username));
    assert.equal(index.length, 1);
    // unstorage's memory driver keeps no TTL: the value is in the store's expiry envelope.
    const entry = JSON.parse(raw[index[0]!]!);
    assert.equal((entry["~v"] ?? entry).id, sessionKeys[0]!.slice("sessions:".length));
  });

  it("sets the cookie HttpOnly, SameSite=Lax, Path=/, no Domain; __Host- and Secure on https", async () => {
    const { created, warrant, result } = await login();
    assert.match(
      created.cookie,
      /^warrant=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=1209600; HttpOnly; SameSite=Lax$/,
    );
    assert.ok(result.ok);
    const secure = await warrant.createSession(result, request(undefined, "https://app.example.com/"));
    assert.match(
      secure.cookie,
      /^__Host-warrant=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=1209600; HttpOnly; SameSite=Lax; Secure$/,
    );
    assert.ok(!/Domain=/i.test(secure.cookie));
    const session = await warrant.getSession(request(pair(secure.cookie), "https://app.example.com/x"));
    assert.ok(session);
    // The plain name is not read on https (a cookie planted over http cannot stand in for __Host-).
    assert.equal(
      await warrant.getSession(request(`warrant=${secure.token}`, "https://app.example.com/x")),
      null,
    );
  });

  it("finds the session from the cookie, with the user", async () => {
    const { warrant, cookie, username } = await login();
    const session = await warrant.getSession(request(cookie));
    assert.ok(session);
    assert.equal(session.user.username, username);
    assert.equal(session.user.first_name, "Sam");
    const tokens = await session.tokens();
    assert.match(tokens.accessToken, /^eyJ/);
  });

  it("treats unknown, malformed, oversized and foreign cookies as no session, without writing", async () => {
    const { storage, counts } = countingStorage();
    const { warrant } = await login({ storage });
    const writes = counts.set;
    const keys = (await storage.getKeys()).length;
    for (const cookie of [
      "warrant=../x",
      `warrant=${"A".repeat(10_000)}`,
      `warrant=${newToken()}`,
      "other=abc",
      "warrant=",
      `warrant=${newToken()}x`,
    ]) {
      assert.equal(await warrant.getSession(request(cookie)), null, cookie.slice(0, 30));
    }
    assert.equal(counts.set, writes);
    assert.equal((await storage.getKeys()).length, keys);
  });

  it("makes a session with a flipped ciphertext byte invalid (no crash) and deletes it", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, created, cookie } = await login({ storage, now: clock.now });
    const key = `sessions:${created.session.id}`;
    // The sealed tokens live apart from the record (in the expiry envelope of a driver without TTL).
    const stored = (await storage.getItem(`session-tokens:${created.session.id}`)) as {
      "~v": { ct: string };
    };
    const ct = Buffer.from(stored["~v"].ct, "base64url");
    ct[5]! ^= 1;
    stored["~v"].ct = ct.toString("base64url");
    await storage.setItem(`session-tokens:${created.session.id}`, stored);
    // The hot path does not decrypt; the first use of the tokens (here, a refresh) finds the damage.
    clock.advance(24 * 3600 * 1000);
    assert.equal(await warrant.getSession(request(cookie)), null);
    assert.equal(await storage.getItem(key), null);
  });

  it("makes a session sealed under a secret that is no longer configured invalid", async () => {
    const storage = createStorage();
    const { cookie } = await login({ storage });
    const other = warrantFor(env, { storage, secret: "another-secret-0123456789-abcdefghijkl" });
    assert.equal(await other.getSession(request(cookie)), null);
  });

  it("reads old sessions after the secret rotates (new first, old second)", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { cookie } = await login({ storage, now: clock.now });
    const rotated = warrantFor(env, {
      storage,
      now: clock.now,
      session: { idleTimeout: 3 * 86_400 },
      secret: ["a-brand-new-secret-0123456789-abcdefgh", SECRET],
    });
    const session = await rotated.getSession(request(cookie));
    assert.ok(session);
    assert.match((await session.tokens()).accessToken, /^eyJ/);
    // A refresh re-seals under the new secret; the old secret can then be dropped.
    clock.advance(24 * 3600 * 1000);
    assert.ok(await rotated.getSession(request(cookie)));
    const newOnly = warrantFor(env, {
      storage,
      now: clock.now,
      session: { idleTimeout: 3 * 86_400 },
      secret: "a-brand-new-secret-0123456789-abcdefgh",
    });
    assert.ok(await newOnly.getSession(request(cookie)));
  });

  it("ends a session after the idle timeout, and deletes the record", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, cookie, created } = await login({
      storage,
      now: clock.now,
      session: { idleTimeout: 600, maxAge: 3600 },
    });
    clock.advance(599_000);
    assert.ok(await warrant.getSession(request(cookie)), "active just before the idle limit");
    clock.advance(601_000);
    assert.equal(await warrant.getSession(request(cookie)), null, "idle + 1 s");
    assert.equal(await storage.getItem(`sessions:${created.session.id}`), null);
  });

  it("ends a session at its absolute lifetime even when active", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, cookie } = await login({
      storage,
      now: clock.now,
      session: { idleTimeout: 600, maxAge: 1800 },
    });
    for (let t = 0; t < 1800 - 300; t += 300) {
      clock.advance(300_000);
      assert.ok(await warrant.getSession(request(cookie)), `active at ${t + 300} s`);
    }
    clock.advance(301_000);
    assert.equal(await warrant.getSession(request(cookie)), null, "absolute + 1 s");
  });

  it("throttles sliding-expiry writes: 100 requests in a minute → one write", async () => {
    const { storage, counts } = countingStorage();
    const clock = fakeClock();
    const { warrant, cookie } = await login({ storage, now: clock.now });
    clock.advance(61_000);
    const writes = counts.set;
    for (let i = 0; i < 100; i++) {
      assert.ok(await warrant.getSession(request(cookie)));
      clock.advance(500);
    }
    assert.equal(counts.set - writes, 1);
  });

  it("refreshes tokens when the access token is about to expire, and writes them back", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, cookie, result } = await login({ storage, now: clock.now });
    assert.ok(result.ok);
    const before = await (await warrant.getSession(request(cookie)))!.tokens();
    env.front.resetCalls();
    clock.advance(result.tokens.expiresAt - clock.now() - 30_000); // 30 s before expiry: inside the 60 s window
    const session = await warrant.getSession(request(cookie));
    assert.ok(session);
    assert.equal(env.front.calls("InitiateAuth"), 1);
    assert.equal(env.front.requests("InitiateAuth")[0].AuthFlow, "REFRESH_TOKEN_AUTH");
    const after = await session.tokens();
    assert.notEqual(after.accessToken, before.accessToken);
    assert.equal(after.refreshToken, before.refreshToken);
    assert.ok(session.accessExpiresAt > clock.now() + 3600_000);
    // Written back: the next request does not refresh again.
    assert.ok(await warrant.getSession(request(cookie)));
    assert.equal(env.front.calls("InitiateAuth"), 1);
    assert.doesNotMatch(JSON.stringify(await dump(storage)), JWT);
  });

  it("refreshes once for 20 concurrent requests with an expiring access token", async () => {
    const clock = fakeClock();
    const { warrant, cookie } = await login({ now: clock.now });
    clock.advance(24 * 3600 * 1000);
    env.front.resetCalls();
    const sessions = await Promise.all(Array.from({ length: 20 }, () => warrant.getSession(request(cookie))));
    assert.ok(sessions.every((s) => s !== null));
    assert.equal(env.front.calls("InitiateAuth"), 1);
  });

  it("refreshes with SECRET_HASH of the Cognito username for a client with a secret", async () => {
    const clock = fakeClock();
    const { warrant, cookie, username } = await login({
      now: clock.now,
      clientId: env.pool.secretClientId,
      clientSecret: env.pool.clientSecret,
    });
    clock.advance(24 * 3600 * 1000);
    env.front.resetCalls();
    assert.ok(await warrant.getSession(request(cookie)));
    const sent = env.front.requests("InitiateAuth")[0];
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", env.pool.clientSecret)
      .update(username + env.pool.secretClientId)
      .digest("base64");
    assert.equal(sent.AuthParameters.SECRET_HASH, expected);
  });

  it("ends the session when Cognito refuses the refresh token", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, cookie, result, created } = await login({ storage, now: clock.now });
    assert.ok(result.ok);
    await env.pool.admin.send(
      new RevokeTokenCommand({ ClientId: env.pool.clientId, Token: result.tokens.refreshToken }),
    );
    clock.advance(24 * 3600 * 1000);
    assert.equal(await warrant.getSession(request(cookie)), null);
    assert.equal(await storage.getItem(`sessions:${created.session.id}`), null);
  });

  it("keeps the session through a transient refresh failure (FAKE 5xx from Cognito)", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, cookie, result, created } = await login({ storage, now: clock.now });
    assert.ok(result.ok);
    // Inside the refresh window but not yet expired: the old access token still serves.
    clock.advance(result.tokens.expiresAt - clock.now() - 30_000);
    env.front.fakeFault("InitiateAuth", { kind: "error", status: 500, type: "InternalErrorException" }, 3);
    assert.ok(await warrant.getSession(request(cookie)));
    // Past expiry with Cognito still failing: an error the handler turns into 503, session intact.
    clock.advance(60_000);
    env.front.fakeFault(
      "InitiateAuth",
      { kind: "error", status: 500, type: "InternalErrorException", message: "arn:aws:cognito-idp:secret" },
      3,
    );
    await assert.rejects(
      warrant.getSession(request(cookie)),
      (e: unknown) =>
        e instanceof WarrantError && e.code === "cognito_unavailable" && !e.message.includes("arn:"),
    );
    assert.ok(await storage.getItem(`sessions:${created.session.id}`));
    // Cognito back: the same cookie works again.
    assert.ok(await warrant.getSession(request(cookie)));
  });

  it("retries a throttled refresh with backoff: two throttles then success → 3 calls (FAKE throttle)", async () => {
    const clock = fakeClock();
    const { warrant, cookie } = await login({ now: clock.now });
    clock.advance(24 * 3600 * 1000);
    env.front.resetCalls();
    env.front.fakeFault("InitiateAuth", { kind: "error", status: 400, type: "TooManyRequestsException" }, 2);
    assert.ok(await warrant.getSession(request(cookie)));
    assert.equal(env.front.calls("InitiateAuth"), 3);
  });

  it("never retries a login (FAKE 5xx): one call, then cognito_unavailable", async () => {
    const warrant = warrantFor(env);
    env.front.resetCalls();
    env.front.fakeFault("InitiateAuth", { kind: "error", status: 500, type: "InternalErrorException" }, 1);
    await assert.rejects(
      warrant.authenticate(email("x"), PASSWORD),
      (e: unknown) => e instanceof WarrantError && e.code === "cognito_unavailable",
    );
    assert.equal(env.front.calls("InitiateAuth"), 1);
  });

  it("logout deletes the session and its index entry and revokes the refresh token", async () => {
    const storage = createStorage();
    const clock = fakeClock();
    const { warrant, cookie, username, result } = await login({ storage, now: clock.now });
    assert.ok(result.ok);
    env.front.resetCalls();
    const { cookie: cleared } = await warrant.logout(request(cookie));
    assert.match(cleared, /^warrant=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
    assert.equal(env.front.calls("RevokeToken"), 1);
    assert.equal(await warrant.getSession(request(cookie)), null);
    assert.deepEqual(await storage.getKeys("sessions"), []);
    assert.deepEqual(await storage.getKeys(keys.userSessions(username)), []);
  });

  it("logs out locally even when Cognito is down (FAKE dropped connection)", async () => {
    const storage = createStorage();
    const { warrant, cookie } = await login({ storage });
    env.front.fakeFault("RevokeToken", { kind: "drop" }, 3);
    await warrant.logout(request(cookie));
    assert.equal(await warrant.getSession(request(cookie)), null);
  });

  it("signs a user out everywhere", async () => {
    const storage = createStorage();
    const { warrant, cookie, result, username } = await login({ storage });
    assert.ok(result.ok);
    const second = await warrant.createSession(result, request());
    assert.ok(await warrant.getSession(request(pair(second.cookie))));
    assert.equal(await warrant.signOutEverywhere(username), 2);
    assert.equal(await warrant.getSession(request(cookie)), null);
    assert.equal(await warrant.getSession(request(pair(second.cookie))), null);
  });

  it("surfaces a store that does not answer as storage_unavailable, never as no session", async () => {
    const port = await freePort();
    const storage = createStorage({
      driver: redisDriver({ url: `redis://127.0.0.1:${port}`, lazyConnect: true, maxRetriesPerRequest: 0 }),
    });
    const warrant = warrantFor(env, { storage, storageTimeout: 300 });
    try {
      await assert.rejects(
        warrant.getSession(request(`warrant=${newToken()}`)),
        (e: unknown) => e instanceof WarrantError && e.code === "storage_unavailable",
      );
    } finally {
      await storage.dispose().catch(() => {});
    }
  });

  it("with refreshTokenRotation, refreshes through GetTokensFromRefreshToken and stores the new refresh token (FAKE: cognito-local lacks the call)", async () => {
    const clock = fakeClock();
    const { warrant, cookie, name } = await login({ now: clock.now, refreshTokenRotation: true });
    env.front.intercept("GetTokensFromRefreshToken", async (body, _forward) => {
      // FAKE GetTokensFromRefreshToken: mints fresh real tokens (a new refresh token) from cognito-local.
      const res = await fetch(env.pool.endpoint, {
        method: "POST",
        headers: {
          "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
          "content-type": "application/x-amz-json-1.1",
        },
        body: JSON.stringify({
          ClientId: body.ClientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: name, PASSWORD },
        }),
      });
      return { status: 200, body: await res.json() };
    });
    try {
      const before = await (await warrant.getSession(request(cookie)))!.tokens();
      clock.advance(24 * 3600 * 1000);
      env.front.resetCalls();
      const session = await warrant.getSession(request(cookie));
      assert.ok(session);
      assert.equal(env.front.calls("GetTokensFromRefreshToken"), 1);
      assert.equal(env.front.calls("InitiateAuth"), 0);
      const after = await session.tokens();
      assert.notEqual(after.refreshToken, before.refreshToken);
    } finally {
      env.front.intercept("GetTokensFromRefreshToken", undefined);
    }
  });
});
