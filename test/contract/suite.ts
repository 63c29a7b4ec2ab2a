/**
 * @module
 * The storage contract: one definition of what the library needs from a store, run against every
 * driver (unstorage's own test/drivers/utils.ts pattern) through the library's own stores (createStore,
 * createSessions, upsertUser), not through unstorage alone.
 *
 * It imports only `node:test` and `node:assert/strict`, which Node, Bun and Deno provide; inside workerd
 * `node:test` is replaced by ./workerd-test.ts when the suite is bundled (test/contract/cloudflare-kv.workerd.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Storage } from "unstorage";
import type { CognitoApi } from "../../src/cognito/api.ts";
import type { RefreshResult } from "../../src/cognito/auth.ts";
import { WarrantError } from "../../src/errors.ts";
import { resolveConfig } from "../../src/options.ts";
import { coarseAgent } from "../../src/sessions/agent.ts";
import { createCookies } from "../../src/sessions/cookie.ts";
import { createKeyring } from "../../src/sessions/crypto.ts";
import { createRefresh } from "../../src/sessions/refresh.ts";
import { createSessionCore } from "../../src/sessions/session.ts";
import { createSessions, keys, type SessionUser } from "../../src/sessions/store.ts";
import { createStore, type Store } from "../../src/storage.ts";
import { upsertUser, userKey } from "../../src/users/store.ts";

/** A store under test, opened for one suite run. */
export interface OpenedStore {
  storage: Storage;
  /**
   * Seconds until `key` expires as the backend itself reports it (Redis `TTL`, KV `expiration`); `null`
   * when the key has no expiry. Absent for drivers that keep no TTL (memory, fs) or cannot report it.
   */
  ttl?(key: string): Promise<number | null>;
  cleanup(): Promise<void>;
}

/** A driver the contract runs against. */
export interface ContractTarget {
  name: string;
  /** The backend reports key expiry, and `open()` returns a `ttl` reader for it. */
  reportsTtl?: boolean;
  /** The driver expires keys by its own clock (the bounded memory store; its own unit test covers it). */
  ownClock?: boolean;
  open(): OpenedStore | Promise<OpenedStore>;
  /**
   * The same driver pointed at a store that is missing or unreachable. Absent only where nothing can
   * be missing (memory).
   */
  broken?():
    | { storage: Storage; cleanup(): Promise<void> }
    | Promise<{ storage: Storage; cleanup(): Promise<void> }>;
}

const SECRET = "contract-secret-0123456789-abcdefghijkl";
const idleTimeout = 600;
const maxAge = 3600;

function setup(storage: Storage, timeout = 3000, maxPerUser?: number, wrap?: (store: Store) => Store) {
  let now = Date.now();
  const config = resolveConfig({
    userPoolId: "eu-west-1_Contract",
    clientId: "contract-client",
    secret: SECRET,
    session: { idleTimeout, maxAge, ...(maxPerUser ? { maxPerUser } : {}) },
    now: () => now,
  });
  const plain = createStore(storage, timeout, () => now);
  const store = wrap ? wrap(plain) : plain;
  const sessions = createSessions(config, store, createKeyring(config.secrets));
  // FAKE Cognito for the session core: the contract is about the store, so refresh and revoke answer
  // from here (they run against cognito-local in test/integration/sessions.test.ts).
  const cognito = {
    refreshes: 0,
    revoked: [] as string[],
    refreshWith: (async () => ({ ok: true, tokens: tokens("fresh") })) as () => Promise<RefreshResult>,
  };
  const api = {
    refresh: () => {
      cognito.refreshes++;
      return cognito.refreshWith();
    },
    revoke: async (token: string) => {
      cognito.revoked.push(token);
    },
  } as unknown as CognitoApi;
  const load = async () => api;
  const cookies = createCookies(config);
  const core = createSessionCore({
    config,
    records: sessions,
    refresh: createRefresh({ config, store, records: sessions, cognito: load }),
    cookies,
    cognito: load,
    agentOf: coarseAgent,
  });
  return {
    store,
    sessions,
    core,
    cognito,
    /** A request carrying the session cookie out of a Set-Cookie value. */
    request: (setCookie: string) =>
      new Request("http://localhost/x", { headers: { cookie: setCookie.split(";")[0]! } }),
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
  };
}

const unique = (label: string) => `${label}-${crypto.randomUUID()}`;
const userOf = (username: string): SessionUser => ({ username, sub: crypto.randomUUID(), groups: ["staff"] });
const tokens = (label: string) => ({
  accessToken: `access.${label}`,
  idToken: `id.${label}`,
  refreshToken: `refresh.${label}`,
  expiresAt: 4_000_000_000_000,
});
const isUnavailable = (error: unknown) =>
  error instanceof WarrantError && error.code === "storage_unavailable";

/** Registers the contract for one driver. */
export function storageContract(target: ContractTarget): void {
  describe(`storage contract: ${target.name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    before(async () => {
      opened = await target.open();
      store = createStore(opened.storage, 3000);
    });
    after(async () => {
      await opened?.cleanup();
    });

    it("round-trips a local user at users:<username>; a later login keeps createdAt", async () => {
      const username = unique("user");
      const first = await upsertUser(store, {
        username,
        sub: "sub-1",
        stored: { email: "a@example.com", first_name: "Ada" },
        create: true,
        now: 1000,
        login: true,
      });
      assert.deepEqual(await store.get(userKey(username)), first);
      assert.deepEqual(await opened.storage.getItem(`users:${username}`), first);
      const second = await upsertUser(store, {
        username,
        sub: "sub-1",
        stored: { email: "b@example.com", first_name: "Ada" },
        create: false,
        now: 2000,
        login: true,
      });
      assert.deepEqual(await store.get(userKey(username)), second);
      assert.equal(second?.createdAt, 1000);
      assert.equal(second?.updatedAt, 2000);
      assert.equal(second?.email, "b@example.com");
    });

    it("does not create an unknown user when creation is off", async () => {
      const username = unique("nobody");
      const result = await upsertUser(store, {
        username,
        sub: "s",
        stored: {},
        create: false,
        now: 1,
        login: true,
      });
      assert.equal(result, null);
      assert.equal(await opened.storage.hasItem(`users:${username}`), false);
    });

    it("round-trips a session at sessions:<id>: same record, tokens open, the cookie token stored nowhere", async () => {
      const t = setup(opened.storage);
      const username = unique("session");
      const { token, id, record } = await t.sessions.create(userOf(username), tokens(username));
      assert.match(id, /^[0-9a-f]{64}$/);
      const read = await t.sessions.read(id);
      assert.deepEqual(read, record);
      assert.deepEqual(await t.sessions.openTokens(id, read!), tokens(username));
      const raw = JSON.stringify(await opened.storage.getItem(keys.session(id)));
      assert.ok(!raw.includes(token), "the cookie token is in storage");
      assert.ok(!raw.includes(`refresh.${username}`), "a Cognito token is readable in storage");
      // The record the hot path reads carries no tokens at all, sealed or not (issue 12.4).
      assert.ok(!raw.includes('"ct"'), "the session record carries the sealed tokens");
      const sealed = JSON.stringify(await opened.storage.getItem(keys.tokens(id)));
      assert.ok(!sealed.includes(token) && !sealed.includes(`refresh.${username}`));
      assert.deepEqual(
        (await t.sessions.list(username)).map((s) => s.id),
        [id],
      );
    });

    // Drivers that keep no TTL (memory, fs) do without this one: the next test shows expiry is enforced
    // on read for every driver.
    if (target.reportsTtl) {
      it("gives the backend a TTL hint: the session key expires no later than the idle timeout", async () => {
        const t = setup(opened.storage);
        const username = unique("ttl");
        const { id } = await t.sessions.create(userOf(username), tokens(username));
        assert.ok(opened.ttl, `${target.name} says it reports TTLs but gave no reader`);
        const sessionTtl = await opened.ttl(keys.session(id));
        assert.ok(sessionTtl !== null && sessionTtl > 0, `session key TTL is ${sessionTtl}`);
        assert.ok(sessionTtl <= maxAge, `session key TTL ${sessionTtl} > max age ${maxAge}`);
        const record = (await t.sessions.read(id))!;
        const indexTtl = await opened.ttl(keys.userSession(record.owner, record.handle));
        assert.ok(indexTtl !== null && indexTtl > 0 && indexTtl <= maxAge + 60, `index TTL is ${indexTtl}`);
        t.advance(120_000);
        await t.sessions.touch(id, record);
        const seenTtl = await opened.ttl(keys.seen(id));
        assert.ok(seenTtl !== null && seenTtl > 0 && seenTtl <= idleTimeout, `seen key TTL is ${seenTtl}`);
      });
    }

    it("enforces expiry on read whatever the driver's TTL: an idle session is gone, with its index entry", async () => {
      const t = setup(opened.storage);
      const username = unique("idle");
      const { id } = await t.sessions.create(userOf(username), tokens(username));
      t.advance(idleTimeout * 1000);
      assert.equal(await t.sessions.read(id), null);
      assert.equal(await opened.storage.hasItem(keys.session(id)), false);
      assert.deepEqual(await t.sessions.list(username), []);
      assert.deepEqual(await opened.storage.getKeys(keys.userSessions(username)), [], "index entry pruned");
    });

    it("keeps the user index consistent: two sessions, destroy one, one left; destroyAll empties it", async () => {
      const t = setup(opened.storage);
      const username = unique("index");
      const a = await t.sessions.create(userOf(username), tokens("a"));
      const b = await t.sessions.create(userOf(username), tokens("b"));
      const ids = async () => (await t.sessions.list(username)).map((s) => s.id).sort();
      assert.deepEqual(await ids(), [a.id, b.id].sort());
      await t.sessions.destroy(a.id);
      assert.deepEqual(await ids(), [b.id]);
      assert.equal(await t.sessions.read(a.id), null);
      assert.notEqual(await t.sessions.read(b.id), null);
      const c = await t.sessions.create(userOf(username), tokens("c"));
      assert.equal(await t.sessions.destroyAll(username), 2);
      for (const id of [a.id, b.id, c.id])
        assert.equal(await opened.storage.hasItem(keys.session(id)), false);
      assert.deepEqual(await opened.storage.getKeys(keys.userSessions(username)), []);
      assert.deepEqual(await t.sessions.list(username), []);
    });

    it("never resurrects a destroyed session when new tokens arrive late", async () => {
      const t = setup(opened.storage);
      const username = unique("late");
      const { id } = await t.sessions.create(userOf(username), tokens("old"));
      await t.sessions.destroy(id);
      assert.equal(await t.sessions.replaceTokens(id, tokens("new")), null);
      assert.equal(await opened.storage.hasItem(keys.session(id)), false);
    });

    it("writes replaced tokens and a touch back through the driver", async () => {
      const t = setup(opened.storage);
      const username = unique("replace");
      const { id, record } = await t.sessions.create(userOf(username), tokens("old"));
      t.advance(120_000);
      const touched = await t.sessions.touch(id, record);
      assert.equal((await t.sessions.read(id))?.lastSeenAt, touched.lastSeenAt);
      const next = await t.sessions.replaceTokens(id, tokens("new"));
      assert.ok(next);
      const stored = await t.sessions.read(id);
      assert.equal((await t.sessions.openTokens(id, stored!)).refreshToken, "refresh.new");
    });

    it("session core: start, get by cookie, replace (the old id ends, S5), end (revoked, cookie expired)", async () => {
      const t = setup(opened.storage);
      const username = unique("core");
      const first = await t.core.start({ user: userOf(username), tokens: tokens("one") });
      const seen = await t.core.get(t.request(first.cookie));
      assert.equal(seen?.user.username, username);
      assert.equal(seen?.id, first.session.id);
      const second = await t.core.replace(t.request(first.cookie), {
        user: userOf(username),
        tokens: tokens("two"),
      });
      assert.notEqual(second.token, first.token);
      assert.equal(await t.core.get(t.request(first.cookie)), null, "the replaced session is gone");
      assert.equal(await t.core.count(username), 1);
      const { cookie } = await t.core.end(t.request(second.cookie));
      assert.match(cookie, /^warrant=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
      assert.equal(await t.core.get(t.request(second.cookie)), null);
      assert.deepEqual(t.cognito.revoked, ["refresh.two"]);
      assert.equal(await opened.storage.hasItem(keys.session(second.session.id)), false);
    });

    it("session core: endAll ends every session of the user and no other", async () => {
      const t = setup(opened.storage);
      const username = unique("all");
      const other = unique("other");
      // One after another: parallel logins on one user are the concurrency suite's (C1).
      const mine = [];
      for (const i of [1, 2, 3])
        mine.push(await t.core.start({ user: userOf(username), tokens: tokens(`m${i}`) }));
      const theirs = await t.core.start({ user: userOf(other), tokens: tokens("o") });
      assert.equal(await t.core.endAll(username), 3);
      for (const s of mine) assert.equal(await t.core.get(t.request(s.cookie)), null);
      assert.equal((await t.core.get(t.request(theirs.cookie)))?.user.username, other);
    });

    it("session core: a due refresh runs once for parallel requests and is written back (S13)", async () => {
      const t = setup(opened.storage);
      const username = unique("refresh");
      const started = await t.core.start({
        user: userOf(username),
        tokens: { ...tokens("due"), expiresAt: t.now() + 30_000 },
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.core.get(t.request(started.cookie))),
      );
      assert.ok(results.every((r) => r?.user.username === username));
      assert.equal(t.cognito.refreshes, 1);
      const after = await t.core.get(t.request(started.cookie));
      assert.equal((await after!.tokens()).refreshToken, "refresh.fresh");
    });

    it("session core: a refused refresh ends the session (S10); an outage keeps it while the token works", async () => {
      const t = setup(opened.storage);
      const due = { ...tokens("due"), expiresAt: t.now() + 30_000 };
      const kept = await t.core.start({ user: userOf(unique("kept")), tokens: due });
      t.cognito.refreshWith = async () => {
        throw new WarrantError("cognito_unavailable", "FAKE outage");
      };
      assert.notEqual(await t.core.get(t.request(kept.cookie)), null);
      assert.notEqual(await t.core.get(t.request(kept.cookie)), null, "the outage did not end it");
      t.cognito.refreshWith = async () => ({ ok: false, reason: "refused" });
      assert.equal(await t.core.get(t.request(kept.cookie)), null);
      assert.equal(await opened.storage.hasItem(keys.session(kept.session.id)), false);
    });

    it("ends every session at destroyAll, also one no index lists (the per-user revocation time, C1)", async () => {
      const t = setup(opened.storage);
      const username = unique("unlisted");
      const listed = await t.core.start({ user: userOf(username), tokens: tokens("listed") });
      const lost = await t.core.start({ user: userOf(username), tokens: tokens("lost") });
      // What a lost read-modify-write of an index did: a live session nobody lists.
      const record = (await t.sessions.read(lost.session.id))!;
      await opened.storage.removeItem(keys.userSession(record.owner, record.handle));
      assert.equal(await t.core.count(username), 1);
      await t.core.endAll(username);
      assert.equal(await t.core.get(t.request(listed.cookie)), null);
      assert.equal(await t.core.get(t.request(lost.cookie)), null, "an unlisted session survived");
      // A session started after it (a password change's new one) lives.
      const after = await t.core.start({ user: userOf(username), tokens: tokens("after") });
      assert.equal((await t.core.get(t.request(after.cookie)))?.user.username, username);
    });

    it("deletion wins over a refresh whose write lands after the logout (C2)", async () => {
      let armed = false;
      let gate: (() => void) | undefined;
      let reached: (() => void) | undefined;
      const writing = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const t = setup(opened.storage, 3000, undefined, (store) => ({
        ...store,
        async set(key, value, ttl) {
          // The refresh has read the live record and is about to write: hold it there.
          if (armed && key.startsWith("sessions:")) {
            armed = false;
            const held = new Promise<void>((resolve) => {
              gate = resolve;
            });
            reached!();
            await held;
          }
          return store.set(key, value, ttl);
        },
      }));
      const username = unique("race");
      const { id, record } = await t.sessions.create(userOf(username), tokens("old"));
      armed = true;
      const late = t.sessions.replaceTokens(id, tokens("new"));
      await writing;
      await t.sessions.destroy(id, record);
      gate!();
      assert.equal(await late, null);
      assert.equal(await t.sessions.read(id), null);
      for (const key of [keys.session(id), keys.tokens(id)])
        assert.equal(await opened.storage.hasItem(key), false, `${key} came back`);
    });

    it("a touch writes only the last-seen key and never brings a logged-out session back (C2)", async () => {
      const t = setup(opened.storage);
      const username = unique("touch");
      const { id, record } = await t.sessions.create(userOf(username), tokens("t"));
      const before = JSON.stringify(await opened.storage.getItem(keys.session(id)));
      t.advance(120_000);
      await t.sessions.touch(id, record);
      assert.equal(JSON.stringify(await opened.storage.getItem(keys.session(id))), before);
      await t.sessions.destroy(id, record);
      t.advance(120_000);
      await t.sessions.touch(id, record);
      assert.equal(await t.sessions.read(id), null);
      assert.equal(await opened.storage.hasItem(keys.session(id)), false);
    });

    it("caps a user's live sessions: past maxPerUser the oldest end", async () => {
      const t = setup(opened.storage, 3000, 3);
      const username = unique("cap");
      const started = [];
      for (const i of [1, 2, 3, 4, 5]) {
        started.push(await t.core.start({ user: userOf(username), tokens: tokens(`c${i}`) }));
        t.advance(5);
      }
      assert.equal(await t.core.count(username), 3);
      for (const s of started.slice(0, 2)) assert.equal(await t.core.get(t.request(s.cookie)), null);
      for (const s of started.slice(2)) assert.notEqual(await t.core.get(t.request(s.cookie)), null);
    });

    it("lists a user's sessions by handle and ends one by handle, never another user's", async () => {
      const t = setup(opened.storage);
      const username = unique("list");
      const other = unique("list-other");
      const request = new Request("http://localhost/", {
        headers: {
          "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
        },
      });
      const a = await t.core.start({ user: userOf(username), tokens: tokens("a") }, request);
      t.advance(5);
      const b = await t.core.start({ user: userOf(username), tokens: tokens("b") });
      const theirs = await t.core.start({ user: userOf(other), tokens: tokens("o") });
      const list = await t.core.list(username, t.request(b.cookie));
      assert.deepEqual(
        list.map((s) => s.id),
        [a.session.handle, b.session.handle],
      );
      assert.equal(list[0]!.userAgent, "Firefox on macOS");
      assert.deepEqual(
        list.map((s) => s.current ?? false),
        [false, true],
      );
      for (const s of list) {
        assert.ok(!a.token.includes(s.id) && !b.token.includes(s.id) && s.id !== a.session.id);
      }
      assert.equal(await t.core.endOne(username, theirs.session.handle), false);
      assert.notEqual(await t.core.get(t.request(theirs.cookie)), null);
      assert.equal(await t.core.endOne(username, "../x"), false);
      assert.equal(await t.core.endOne(username, a.session.handle), true);
      assert.equal(await t.core.get(t.request(a.cookie)), null);
      assert.deepEqual(t.cognito.revoked, ["refresh.a"]);
      assert.equal((await t.core.list(username)).length, 1);
    });

    it("a value written with a TTL is gone once it has passed, on every driver", async () => {
      let now = Date.now();
      const store = createStore(opened.storage, 3000, () => now);
      const key = `contract-ttl:${crypto.randomUUID()}`;
      await store.set(key, { n: 1 }, 60);
      assert.deepEqual(await store.get(key), { n: 1 });
      now += 61_000;
      if (!target.reportsTtl && !target.ownClock) {
        assert.equal(await store.get(key), null);
        assert.equal(await opened.storage.hasItem(key), false, "the expired value is still stored");
      }
      await store.remove(key);
    });

    if (target.broken) {
      // Regression: unstorage's fs driver resolved a failed read (ENOTDIR) as an Error *value*.
      it("fails closed when the store is missing or unreachable: storage_unavailable, never null", async () => {
        const broken = await target.broken!();
        try {
          const t = setup(broken.storage, 1000);
          await assert.rejects(t.sessions.read("0".repeat(64)), isUnavailable);
          await assert.rejects(t.sessions.create(userOf(unique("x")), tokens("x")), isUnavailable);
          await assert.rejects(createStore(broken.storage, 1000).get(userKey("x")), isUnavailable);
        } finally {
          await broken.cleanup();
        }
      });
    }
  });
}
