/**
 * @module
 * Server-side sessions in storage (keys documented in the README):
 * - `sessions:<id>`: who is signed in and the timestamps that end the session. No tokens: this is the
 *   record every protected request reads, so it stays small.
 * - `session-tokens:<id>`: the sealed Cognito tokens, read only when Cognito is called.
 * - `session-seen:<id>`: when the session was last used (the sliding idle expiry): the only key a
 *   request's touch writes, so a touch never writes tokens and never brings a record back.
 * - `session-ended:<id>`: a short-lived tombstone; a refresh that lands after a logout sees it and
 *   removes what it wrote (deletion wins over a late write, SECURITY.md C2).
 * - `user-sessions:<user>:<handle>`: one key per session, listed by prefix (no read-modify-write).
 * - `user-revoked:<user>`: when all of the user's sessions were last ended; a session created at or
 *   before it is dead wherever it is read, whether or not an index lists it (C1).
 * `<id>` is the hex SHA-256 of the cookie token, `<user>` the hex SHA-256 of the Cognito username.
 *
 * The session check is the hot path of every protected request: one synchronous SHA-256 of the cookie,
 * one read of the record, then one round of two reads (last seen, the user's revocation time).
 */

import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import type { Tokens } from "../cognito/auth.ts";
import { emit } from "../events.ts";
import type { SessionConfig } from "../options.ts";
import { sha256Hex } from "../sha256.ts";
import type { Store } from "../storage.ts";
import type { Keyring, Sealed } from "./crypto.ts";

/** The signed-in user as a session carries it: the local record, extra mapped fields and groups. */
export interface SessionUser {
  username: string;
  sub: string;
  groups: string[];
  [field: string]: unknown;
}

/** What is stored at `sessions:<id>`. */
export interface SessionRecord {
  v: 2;
  username: string;
  /** Hex SHA-256 of the username: the `<user>` of its index and revocation keys. */
  owner: string;
  user: SessionUser;
  /** The non-secret name of this session in lists (neither the cookie nor the storage id). */
  handle: string;
  createdAt: number;
  /** When the session was last used, as far as this read knows (the later of record and seen key). */
  lastSeenAt: number;
  /** Absolute end of the session (ms). */
  expiresAt: number;
  /** When the access token expires (ms): read without decrypting. */
  accessExpiresAt: number;
  /** The key id the tokens at `session-tokens:<id>` are sealed under. */
  k: string;
  /** The browser the session started in, coarse ("Firefox on macOS"). */
  agent?: string;
  /** The extension that started the session (e.g. `"managed-login"`); absent for the library's own logins. */
  via?: string;
}

/** A live session, as `getSession` returns it; `U` is the warrant's user type (see `WarrantUser`). */
export interface Session<U = SessionUser> {
  /** The storage id (hash of the cookie token; not the token). */
  readonly id: string;
  /** The session's name in {@link SessionInfo} lists (`listSessions`, `endSession`). */
  readonly handle: string;
  readonly user: U;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** When the session ends unless used again: the earlier of the idle and absolute limits (ms). */
  readonly expiresAt: number;
  readonly accessExpiresAt: number;
  /** The browser the session started in, coarse. */
  readonly userAgent?: string;
  /** The extension that started the session (e.g. `"managed-login"`); absent for the library's own logins. */
  readonly via?: string;
  /** Decrypts the Cognito tokens (async; only when Cognito is to be called). */
  tokens(): Promise<Tokens>;
}

/** One of a user's live sessions, as `listSessions` returns it: no token, no storage id. */
export interface SessionInfo {
  /** An opaque, non-secret handle: pass it to `endSession`. Not the cookie value. */
  id: string;
  createdAt: number;
  lastSeenAt: number;
  /** When it ends unless used again (ms). */
  expiresAt: number;
  /** The browser it started in, coarse ("Firefox on macOS"), when known. */
  userAgent?: string;
  /** The extension that started it, if one did. */
  via?: string;
  /** True for the session of the request `listSessions` was given. */
  current?: boolean;
}

/** The storage id of a cookie token. */
export function sessionId(token: string): string {
  return sha256Hex(token);
}

/** The `<user>` part of a user's keys: no raw identifier in a key (C7). */
export const ownerOf = (username: string): string => sha256Hex(username);

/** Storage key helpers (stable: documented in the README). */
export const keys = {
  session: (id: string): string => `sessions:${id}`,
  tokens: (id: string): string => `session-tokens:${id}`,
  seen: (id: string): string => `session-seen:${id}`,
  ended: (id: string): string => `session-ended:${id}`,
  refreshLock: (id: string): string => `session-refresh:${id}`,
  /** The prefix of a user's index keys. */
  userSessions: (username: string): string => `user-sessions:${ownerOf(username)}`,
  userSession: (owner: string, handle: string): string => `user-sessions:${owner}:${handle}`,
  revoked: (owner: string): string => `user-revoked:${owner}`,
};

/** A new session token: 32 bytes from the platform CSPRNG, base64url. */
export function newToken(): string {
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}

/** A handle: creation time (base36, fixed width, so handles sort by age) and 64 random bits. */
const newHandle = (createdAt: number) =>
  createdAt.toString(36).padStart(9, "0") + encodeHexLowerCase(crypto.getRandomValues(new Uint8Array(8)));
/** What a handle looks like; anything else is no session's. */
export const handlePattern: RegExp = /^[0-9a-z]{9}[0-9a-f]{16}$/;

/** Sliding-expiry writes happen at most this often per session. */
export const touchInterval = 60_000;
/** How long a logout's tombstone outlives it (s): longer than any refresh can be in flight. */
export const tombstoneTtl = 900;

function isRecord(value: unknown): value is SessionRecord {
  const r = value as SessionRecord;
  return (
    typeof r === "object" &&
    r !== null &&
    r.v === 2 &&
    typeof r.username === "string" &&
    typeof r.owner === "string" &&
    typeof r.handle === "string" &&
    typeof r.createdAt === "number" &&
    typeof r.expiresAt === "number" &&
    typeof r.lastSeenAt === "number" &&
    typeof r.accessExpiresAt === "number" &&
    typeof r.k === "string" &&
    typeof r.user === "object" &&
    r.user !== null &&
    (r.via === undefined || typeof r.via === "string")
  );
}
const isSealed = (value: unknown): value is Sealed =>
  typeof value === "object" && value !== null && typeof (value as Sealed).k === "string";

/** Thrown inside the manager when sealed tokens no longer open (wrong key, tampering, gone). */
export class SessionInvalid extends Error {}

/** Session operations over a store. */
export interface Sessions {
  /** A new session; `via` names the extension that started it, `agent` the coarse browser. */
  create(
    user: SessionUser,
    tokens: Tokens,
    extra?: { via?: string | undefined; agent?: string | undefined },
  ): Promise<{ token: string; id: string; record: SessionRecord }>;
  /** Reads and checks a session by id; `null` when absent, malformed, expired or revoked (then deleted). */
  read(id: string): Promise<SessionRecord | null>;
  /** The public view of a record. */
  view(id: string, record: SessionRecord): Session;
  /** Writes `session-seen:<id>` when the last use is older than {@link touchInterval}; nothing else. */
  touch(id: string, record: SessionRecord): Promise<SessionRecord>;
  openTokens(id: string, record: SessionRecord): Promise<Tokens>;
  /** Writes new tokens, unless the session was deleted meanwhile (never resurrects a logged-out session). */
  replaceTokens(id: string, tokens: Tokens, user?: SessionUser): Promise<SessionRecord | null>;
  updateUser(id: string, user: SessionUser): Promise<void>;
  /** Ends one session: a tombstone first, then its keys. Pass the record when it is at hand. */
  destroy(id: string, known?: Pick<SessionRecord, "owner" | "handle">): Promise<void>;
  /** Ends every session of a user ("sign out everywhere"): the revocation time, then each listed one. */
  destroyAll(username: string): Promise<number>;
  /** The user's live sessions, oldest first, with their ids; dead index entries are pruned. */
  list(username: string): Promise<{ id: string; record: SessionRecord }[]>;
  /** The user's live session with this handle, or `null`. */
  find(username: string, handle: string): Promise<{ id: string; record: SessionRecord } | null>;
}

/** Builds the session operations. */
export function createSessions(config: SessionConfig, store: Store, keyring: Keyring): Sessions {
  const { idleTimeout, maxAge, maxPerUser } = config.session;
  const idleMs = idleTimeout * 1000;
  // Storage TTLs are hints for drivers that expire keys; read() checks the timestamps regardless.
  const lifeOf = (record: Pick<SessionRecord, "expiresAt">, now: number) =>
    Math.max(1, (record.expiresAt - now) / 1000);
  // The cap is checked on one login in maxPerUser/10 (every login for caps up to 20), which keeps a
  // login O(1) in the user's session count; between checks a user may go up to ~10% over it.
  const checkEvery = Math.max(1, Math.floor(maxPerUser / 10));

  const indexEntry = async (owner: string, handle: string) => {
    const entry = await store.get<{ id?: unknown }>(keys.userSession(owner, handle));
    return typeof entry?.id === "string" ? entry.id : null;
  };
  const handlesOf = async (owner: string) => {
    const prefix = `user-sessions:${owner}:`;
    return (await store.keys(`user-sessions:${owner}`))
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length))
      .filter((handle) => handlePattern.test(handle))
      .sort();
  };
  const removeKeys = (id: string, known?: Pick<SessionRecord, "owner" | "handle">) =>
    Promise.all([
      store.remove(keys.session(id)),
      store.remove(keys.tokens(id)),
      store.remove(keys.seen(id)),
      known ? store.remove(keys.userSession(known.owner, known.handle)) : undefined,
    ]);
  /** After a write: if a logout or a revocation landed meanwhile, take the write back (C2). */
  const stillAlive = async (id: string, record: SessionRecord) => {
    const [ended, revoked] = await Promise.all([
      store.get(keys.ended(id)),
      store.get<number>(keys.revoked(record.owner)),
    ]);
    if (ended === null && !(typeof revoked === "number" && record.createdAt <= revoked)) return true;
    await removeKeys(id, record);
    return false;
  };
  const enforceCap = async (owner: string) => {
    const handles = await handlesOf(owner);
    const over = handles.slice(0, Math.max(0, handles.length - maxPerUser));
    await Promise.all(
      over.map(async (handle) => {
        const id = await indexEntry(owner, handle);
        if (id) await sessions.destroy(id, { owner, handle });
        else await store.remove(keys.userSession(owner, handle));
      }),
    );
  };

  const sessions: Sessions = {
    async create(user, tokens, extra = {}) {
      const owner = ownerOf(user.username);
      const revoked = await store.get<number>(keys.revoked(owner));
      // A session started right after "sign out everywhere" (a password change) must outlive it.
      const now = Math.max(config.now(), typeof revoked === "number" ? revoked + 1 : 0);
      const token = newToken();
      const id = sessionId(token);
      const sealed = await keyring.seal(JSON.stringify(tokens), keys.session(id));
      const record: SessionRecord = {
        v: 2,
        username: user.username,
        owner,
        user,
        handle: newHandle(now),
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + maxAge * 1000,
        accessExpiresAt: tokens.expiresAt,
        k: sealed.k,
        ...(extra.agent ? { agent: extra.agent } : {}),
        ...(extra.via ? { via: extra.via } : {}),
      };
      const life = lifeOf(record, now);
      await Promise.all([
        store.set(keys.tokens(id), sealed, life),
        store.set(keys.session(id), record, life),
        store.set(keys.userSession(owner, record.handle), { id }, life),
      ]);
      if (checkEvery === 1 || Number.parseInt(id.slice(0, 8), 16) % checkEvery === 0) await enforceCap(owner);
      return { token, id, record };
    },

    async read(id) {
      const record = await store.get<unknown>(keys.session(id));
      // A record sealed under a secret no longer configured cannot be used; it is left for its TTL.
      if (!isRecord(record) || !keyring.knows(record.k)) return null;
      const [seen, revoked] = await Promise.all([
        store.get<number>(keys.seen(id)),
        store.get<number>(keys.revoked(record.owner)),
      ]);
      const now = config.now();
      const lastSeenAt = typeof seen === "number" && seen > record.lastSeenAt ? seen : record.lastSeenAt;
      const revokedNow = typeof revoked === "number" && record.createdAt <= revoked;
      if (now >= record.expiresAt || now >= lastSeenAt + idleMs || revokedNow) {
        await removeKeys(id, record);
        // A revoked one was announced by whoever ended them all (sessionEnd with its reason).
        if (!revokedNow) await emit(config, "sessionEnd", { username: record.username, reason: "expired" });
        return null;
      }
      return lastSeenAt === record.lastSeenAt ? record : { ...record, lastSeenAt };
    },

    view(id, record) {
      return {
        id,
        handle: record.handle,
        user: record.user,
        createdAt: record.createdAt,
        lastSeenAt: record.lastSeenAt,
        expiresAt: Math.min(record.expiresAt, record.lastSeenAt + idleMs),
        accessExpiresAt: record.accessExpiresAt,
        ...(record.agent ? { userAgent: record.agent } : {}),
        ...(record.via ? { via: record.via } : {}),
        tokens: () => sessions.openTokens(id, record),
      };
    },

    async touch(id, record) {
      const now = config.now();
      if (now - record.lastSeenAt < touchInterval) return record;
      // Only the small seen key: written after a logout it is an orphan that no read follows.
      await store.set(keys.seen(id), now, Math.min(idleTimeout, lifeOf(record, now)));
      return { ...record, lastSeenAt: now };
    },

    async openTokens(id) {
      const sealed = await store.get<unknown>(keys.tokens(id));
      const plain = isSealed(sealed) ? await keyring.open(sealed, keys.session(id)) : null;
      if (plain === null) throw new SessionInvalid();
      return JSON.parse(plain) as Tokens;
    },

    async replaceTokens(id, tokens, user) {
      const current = await sessions.read(id);
      if (!current) return null;
      const now = config.now();
      const sealed = await keyring.seal(JSON.stringify(tokens), keys.session(id));
      const next: SessionRecord = {
        ...current,
        ...(user ? { user } : {}),
        lastSeenAt: now,
        accessExpiresAt: tokens.expiresAt,
        k: sealed.k,
      };
      const life = lifeOf(next, now);
      await Promise.all([store.set(keys.tokens(id), sealed, life), store.set(keys.session(id), next, life)]);
      return (await stillAlive(id, next)) ? next : null;
    },

    async updateUser(id, user) {
      const current = await sessions.read(id);
      // A profile view mirrors the same user again and again: only a change is written.
      if (!current || JSON.stringify(current.user) === JSON.stringify(user)) return;
      const next = { ...current, user };
      await store.set(keys.session(id), next, lifeOf(next, config.now()));
      await stillAlive(id, next);
    },

    async destroy(id, known) {
      await store.set(keys.ended(id), config.now(), tombstoneTtl);
      let found = known;
      if (!found) {
        const record = await store.get<unknown>(keys.session(id));
        if (isRecord(record)) found = record;
      }
      await removeKeys(id, found);
    },

    async destroyAll(username) {
      const owner = ownerOf(username);
      // Kept as long as any session it ends could live; compared with createdAt on every read.
      await store.set(keys.revoked(owner), config.now(), maxAge + 60);
      const handles = await handlesOf(owner);
      await Promise.all(
        handles.map(async (handle) => {
          const id = await indexEntry(owner, handle);
          if (id) await sessions.destroy(id, { owner, handle });
          else await store.remove(keys.userSession(owner, handle));
        }),
      );
      return handles.length;
    },

    async list(username) {
      const owner = ownerOf(username);
      const found = await Promise.all(
        (await handlesOf(owner)).map(async (handle) => {
          const id = await indexEntry(owner, handle);
          const record = id ? await sessions.read(id) : null;
          if (id && record) return { id, record };
          // Expired, ended or torn: the entry goes too (stores without TTL keep it otherwise).
          await store.remove(keys.userSession(owner, handle));
          return null;
        }),
      );
      return found.filter((x) => x !== null);
    },

    async find(username, handle) {
      if (!handlePattern.test(handle)) return null;
      const owner = ownerOf(username);
      const id = await indexEntry(owner, handle);
      const record = id ? await sessions.read(id) : null;
      // The entry must point at a live session of this user: an index is never trusted alone.
      if (!id || !record || record.owner !== owner || record.handle !== handle) return null;
      return { id, record };
    },
  };
  return sessions;
}
