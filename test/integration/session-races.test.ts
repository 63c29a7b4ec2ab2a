/**
 * Many requests at once, two warrant instances on one real Redis (each with its own connection and its
 * own in-process state), against moto: moto implements GlobalSignOut, AdminUserGlobalSignOut,
 * AdminDisableUser and the group calls, which cognito-local does not. Each test pins a bug of issue 9:
 * - the per-user index lost ids under parallel logins, so "end all" left most sessions alive (C1);
 * - a refresh or a touch that wrote after a logout brought the session back (C2);
 * - staff removed from the staff group kept the admin pages until their next refresh.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { Redis } from "ioredis";
import { createStorage, type Driver, type Storage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { createWarrant, type Warrant, type WarrantOptions } from "../../src/mod.ts";
import { sessionId } from "../../src/sessions/store.ts";
import {
  createMotoPool,
  MOTO_CREDENTIALS,
  type Moto,
  type MotoPool,
  motoInstalled,
  startMoto,
} from "../support/moto.ts";
import { fakeClock, REDIS_URL, SECRET } from "../support/setup.ts";

const PASSWORD = "Moto-Passw0rd!";
const N = 50;

/** A driver that holds some writes until the test lets them go: a slowed store link, on demand. */
function heldDriver(inner: Driver, hold: (key: string) => Promise<void> | undefined): Driver {
  return {
    ...inner,
    async setItem(key, value, opts) {
      await hold(key);
      return inner.setItem!(key, value, opts);
    },
  };
}

describe("sessions under concurrency: two instances, one Redis, moto", { skip: !motoInstalled }, () => {
  const base = `warrant-test-races:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const storages: Storage[] = [];
  let moto: Moto;
  let pool: MotoPool;
  let counter = 0;

  const storage = (hold?: (key: string) => Promise<void> | undefined) => {
    const inner = redisDriver({ url: REDIS_URL, base });
    const s = createStorage({ driver: hold ? heldDriver(inner, hold) : inner });
    storages.push(s);
    return s;
  };
  const instance = (options: Partial<WarrantOptions> = {}): Warrant =>
    createWarrant({
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      authFlow: "USER_PASSWORD_AUTH",
      secret: SECRET,
      storage: storage(),
      ...options,
    });
  const cookieOf = (setCookie: string) => setCookie.split(";")[0]!;
  const get = (warrant: Warrant, cookie: string, path = "/x") =>
    warrant.getSession(new Request(`http://localhost${path}`, { headers: { cookie } }));
  const post = (warrant: Warrant, path: string, cookie: string, body: unknown) =>
    warrant.handler(
      new Request(`http://localhost/accounts${path}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      }),
    );
  /** `n` sessions of one user, logged in in parallel, alternately on `a` and `b`. */
  const loginMany = async (a: Warrant, b: Warrant, username: string, n = N) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const on = i % 2 ? b : a;
        const result = await on.authenticate(username, PASSWORD);
        assert.ok(result.ok, "login");
        const created = await on.createSession(result, new Request("http://localhost/"));
        return { cookie: cookieOf(created.cookie), refreshToken: result.tokens.refreshToken };
      }),
    );
  /** How many of the sessions still answer, on either instance. */
  const alive = async (a: Warrant, b: Warrant, sessions: { cookie: string }[]) =>
    (await Promise.all(sessions.map((s, i) => get(i % 2 ? a : b, s.cookie)))).filter(Boolean).length;
  /** How many refresh tokens Cognito still accepts: the next refresh of a session the store missed. */
  const refreshable = async (tokens: string[]) =>
    (
      await Promise.all(
        tokens.map((token) =>
          pool.cognito
            .send(
              new InitiateAuthCommand({
                ClientId: pool.clientId,
                AuthFlow: "REFRESH_TOKEN_AUTH",
                AuthParameters: { REFRESH_TOKEN: token },
              }),
            )
            .then(
              () => true,
              () => false,
            ),
        ),
      )
    ).filter(Boolean).length;
  const newUser = (groups: string[] = []) =>
    pool.createUser(`user${++counter}x${Date.now()}`, PASSWORD, groups);

  before(async () => {
    await redis.connect();
    moto = await startMoto();
    pool = await createMotoPool(moto, ["admin"]);
  });
  after(async () => {
    await Promise.all(storages.map((s) => s.dispose()));
    pool?.cognito.destroy();
    await moto?.stop();
    const left = await redis.keys(`${base}:*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
  });

  it("sign-out everywhere after 50 parallel logins: 0 sessions answer, and none refreshes at Cognito", async () => {
    const [a, b] = [instance(), instance()];
    const username = await newUser();
    const sessions = await loginMany(a, b, username);
    assert.equal(await alive(a, b, sessions), N);
    await a.signOutEverywhere(username);
    assert.equal(await alive(a, b, sessions), 0);
    assert.equal(await refreshable(sessions.map((s) => s.refreshToken)), 0);
  });

  for (const how of ["AdminUserGlobalSignOut", "GlobalSignOut"] as const) {
    it(`a password change after 50 parallel logins (${how}): only the changing browser's new session answers`, async () => {
      // Without configured credentials the sign-out at Cognito uses the user's own access token.
      const options: Partial<WarrantOptions> = how === "GlobalSignOut" ? { credentials: undefined } : {};
      const [a, b] = [instance(options), instance(options)];
      const username = await newUser();
      const sessions = await loginMany(a, b, username);
      const changed = await post(b, "/password/change", sessions[0]!.cookie, {
        currentPassword: PASSWORD,
        newPassword: `${PASSWORD}2`,
      });
      assert.equal(changed.status, 200);
      const fresh = changed.headers
        .getSetCookie()
        .find((c) => c.startsWith("warrant=") && !c.includes("Max-Age=0"));
      assert.ok(fresh, "the browser that changed it gets a new session");
      assert.equal(await alive(a, b, sessions), 0);
      assert.equal(await refreshable(sessions.map((s) => s.refreshToken)), 0);
      assert.notEqual(await get(a, cookieOf(fresh)), null);
    });
  }

  it("admin disable after 50 parallel logins: 0 sessions answer, and none refreshes at Cognito", async () => {
    const [a, b] = [instance(), instance()];
    const staff = await newUser(["admin"]);
    const username = await newUser();
    const sessions = await loginMany(a, b, username);
    const [staffSession] = await loginMany(a, b, staff, 1);
    const disabled = await post(b, `/admin/users/${encodeURIComponent(username)}`, staffSession!.cookie, {
      action: "disable",
    });
    assert.equal(disabled.status, 200);
    assert.equal(await alive(a, b, sessions), 0);
    assert.equal(await refreshable(sessions.map((s) => s.refreshToken)), 0);
  });

  it("staff taken out of the staff group lose the admin pages at once", async () => {
    const a = instance();
    const staff = await newUser(["admin"]);
    const [session] = await loginMany(a, a, staff, 1);
    const page = () =>
      a.handler(
        new Request("http://localhost/accounts/admin/users", {
          headers: { cookie: session!.cookie, accept: "application/json" },
        }),
      );
    assert.equal((await page()).status, 200);
    await pool.removeFromGroup(staff, "admin");
    assert.equal((await page()).status, 403);
  });

  /**
   * 20 races of one kind: instance A reads a live session and is about to write it (a refresh, a touch)
   * when instance B logs it out; A's write is held until B's logout is done, then let go.
   */
  async function race(kind: "refresh" | "touch") {
    const clock = fakeClock();
    const gates = new Map<string, { reached: () => void; release: Promise<void> }>();
    const writes = kind === "refresh" ? /^sessions:|^session-tokens:/ : /^sessions:|^session-seen:/;
    const hold = (key: string) => {
      const id = key.split(":")[1] ?? "";
      const gate = gates.get(id);
      if (!gate || !writes.test(key)) return undefined;
      gate.reached();
      return gate.release;
    };
    const a = createWarrant({
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      authFlow: "USER_PASSWORD_AUTH",
      secret: SECRET,
      now: clock.now,
      storage: storage(hold),
    });
    const b = instance({ now: clock.now });
    const username = await newUser();
    const sessions = await loginMany(b, b, username, 20);
    // Refresh: the access token is about to expire; touch: the last write is over a minute old.
    clock.advance(kind === "refresh" ? 3600_000 - 5_000 : 120_000);
    const ids = sessions.map((s) => sessionId(s.cookie.slice("warrant=".length)));
    await Promise.all(
      sessions.map(async (s, i) => {
        let release!: () => void;
        let reached!: () => void;
        const released = new Promise<void>((r) => {
          release = r;
        });
        const arrived = new Promise<void>((r) => {
          reached = r;
        });
        gates.set(ids[i]!, { reached, release: released });
        const reading = get(a, s.cookie);
        await Promise.race([arrived, reading]);
        await b.logout(new Request("http://localhost/", { headers: { cookie: s.cookie } }));
        release();
        await reading;
        gates.delete(ids[i]!);
      }),
    );
    assert.equal(await alive(a, b, sessions), 0, `sessions came back after a logout raced by a ${kind}`);
    for (const id of ids) assert.equal(await redis.exists(`${base}:sessions:${id}`), 0);
  }

  it("0 of 20 sessions come back after a logout raced by a refresh", () => race("refresh"));
  it("0 of 20 sessions come back after a logout raced by a sliding-expiry touch", () => race("touch"));
});
