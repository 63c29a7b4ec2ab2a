/**
 * Refresh-token rotation across two instances on one real Redis (C4). Regression: both instances
 * refreshed at once, the loser's spent refresh token was refused, and it ended a valid session (8 of 10).
 *
 * Cognito's refresh with rotation (GetTokensFromRefreshToken) is in neither cognito-local nor moto, so
 * the token service is a FAKE that rotates as Cognito does with no grace period: each refresh token
 * works once, and the refresh answers with a new one.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createStorage, type Storage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import type { CognitoApi } from "../../src/cognito/api.ts";
import type { RefreshResult } from "../../src/cognito/auth.ts";
import { resolveConfig } from "../../src/options.ts";
import { createCookies } from "../../src/sessions/cookie.ts";
import { createKeyring } from "../../src/sessions/crypto.ts";
import { createRefresh } from "../../src/sessions/refresh.ts";
import { createSessionCore } from "../../src/sessions/session.ts";
import { createSessions } from "../../src/sessions/store.ts";
import { createStore } from "../../src/storage.ts";
import { REDIS_URL, SECRET } from "../support/setup.ts";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const idToken = (username: string) =>
  `${b64({ alg: "none" })}.${b64({ "cognito:username": username, "cognito:groups": [] })}.x`;

/** FAKE rotating Cognito: a refresh token is good for one refresh. */
function rotatingCognito(now: () => number) {
  const valid = new Set<string>();
  const state = {
    calls: 0,
    refused: 0,
    issue(username: string) {
      const refreshToken = `refresh-${crypto.randomUUID()}`;
      valid.add(refreshToken);
      return {
        accessToken: `access-${crypto.randomUUID()}`,
        idToken: idToken(username),
        refreshToken,
        expiresAt: now() + 3600_000,
      };
    },
    api: {
      async refresh(username: string, token: string): Promise<RefreshResult> {
        state.calls++;
        await new Promise((r) => setTimeout(r, 40));
        if (!valid.delete(token)) {
          state.refused++;
          return { ok: false, reason: "refused" } as RefreshResult;
        }
        return { ok: true, tokens: state.issue(username) };
      },
      async revoke() {},
    } as unknown as CognitoApi,
  };
  return state;
}

describe("refresh-token rotation: two instances, one Redis, 25 + 25 requests per session", () => {
  const base = `warrant-test-rotation:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const storages: Storage[] = [];
  after(async () => {
    await Promise.all(storages.map((s) => s.dispose()));
    const redis = new Redis(REDIS_URL);
    const left = await redis.keys(`${base}:*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
  });

  const instance = (cognito: ReturnType<typeof rotatingCognito>, now: () => number, withLock: boolean) => {
    const config = resolveConfig({
      userPoolId: "eu-west-1_Rotation",
      clientId: "rotation-client",
      secret: SECRET,
      refreshTokenRotation: true,
      now,
    });
    const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
    storages.push(storage);
    const store = createStore(storage, 3000);
    // Without the lock: what every store without one (KV, Deno KV, fs) has to live with.
    if (!withLock) {
      delete store.lock;
      delete store.unlock;
    }
    const records = createSessions(config, store, createKeyring(config.secrets));
    const load = async () => cognito.api;
    return createSessionCore({
      config,
      records,
      refresh: createRefresh({ config, store, records, cognito: load }),
      cookies: createCookies(config),
      cognito: load,
    });
  };

  for (const withLock of [true, false]) {
    it(`ends 0 of 10 sessions ${withLock ? "with Redis's refresh lock" : "without a lock (re-read on refusal)"}`, async () => {
      let t = Date.now();
      const now = () => t;
      const cognito = rotatingCognito(now);
      const a = instance(cognito, now, withLock);
      const b = instance(cognito, now, withLock);
      const sessions = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          a.start({
            user: { username: `rot-${i}`, sub: `sub-${i}`, groups: [] },
            tokens: { ...cognito.issue(`rot-${i}`), expiresAt: now() + 3600_000 },
          }),
        ),
      );
      // Every access token is about to expire: each request waits for the refresh.
      t += 3600_000 - 5_000;
      const request = (cookie: string) =>
        new Request("http://localhost/x", { headers: { cookie: cookie.split(";")[0]! } });
      const answers = await Promise.all(
        sessions.flatMap((s) =>
          Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a).get(request(s.cookie)).catch(() => "error")),
        ),
      );
      assert.equal(answers.filter((x) => x === null).length, 0, "requests found their session ended");
      assert.equal(answers.filter((x) => x === "error").length, 0);
      const after = await Promise.all(sessions.map((s) => b.get(request(s.cookie))));
      assert.equal(after.filter((x) => x === null).length, 0, "sessions ended by the race");
      if (withLock) assert.equal(cognito.calls, 10, "one refresh per session across both instances");
      // Without a lock both instances refresh, and one of them is refused: the race this pins.
      else assert.ok(cognito.refused > 0, "the instances did not race");
    });
  }
});
