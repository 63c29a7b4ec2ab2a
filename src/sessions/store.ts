/**
 * @module
 * Server-side sessions: `sessions:<hex sha-256 of the cookie token>` holds who is signed in, the
 * encrypted Cognito tokens and the timestamps that end the session; `user-sessions:<username>` lists a
 * user's sessions so all of them can be ended at once.
 *
 * The session check is the hot path of every protected request: one synchronous SHA-256 of the cookie
 * and one storage read. Tokens are decrypted only when Cognito is called (refresh, profile, logout).
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import type { Tokens } from "../cognito/auth.ts";
import { emit } from "../events.ts";
import type { WarrantConfig } from "../options.ts";
import type { Store } from "../storage.ts";
import type { Keyring, Sealed } from "./crypto.ts";

/** The signed-in user as a session carries it: the local record, extra mapped fields and groups. */
export interface SessionUser {
  username: string;
  sub: string;
  groups: string[];
  [field: string]: unknown;
}

/** What is stored for a session. */
export interface SessionRecord {
  v: 1;
  username: string;
  user: SessionUser;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end of the session (ms). */
  expiresAt: number;
  /** When the access token expires (ms): read without decrypting. */
  accessExpiresAt: number;
  tokens: Sealed;
  /** The extension that started the session (e.g. `"managed-login"`); absent for the library's own logins. */
  via?: string;
}

/** A live session, as `getSession` returns it; `U` is the warrant's user type (see `WarrantUser`). */
export interface Session<U = SessionUser> {
  /** The storage id (hash of the cookie token; not the token). */
  readonly id: string;
  readonly user: U;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** When the session ends unless used again: the earlier of the idle and absolute limits (ms). */
  readonly expiresAt: number;
  readonly accessExpiresAt: number;
  /** The extension that started the session (e.g. `"managed-login"`); absent for the library's own logins. */
  readonly via?: string;
  /** Decrypts the Cognito tokens (async; only when Cognito is to be called). */
  tokens(): Promise<Tokens>;
}

const utf8 = new TextEncoder();

/** The storage id of a cookie token. */
export function sessionId(token: string): string {
  return encodeHexLowerCase(sha256(utf8.encode(token)));
}

/** Storage key helpers (stable: documented in the README). */
export const keys = {
  session: (id: string): string => `sessions:${id}`,
  userSessions: (username: string): string => `user-sessions:${username}`,
};

/** A new session token: 32 bytes from the platform CSPRNG, base64url. */
export function newToken(): string {
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}

/** Sliding-expiry writes happen at most this often per session. */
export const touchInterval = 60_000;

function isRecord(value: unknown): value is SessionRecord {
  const r = value as SessionRecord;
  return (
    typeof r === "object" &&
    r !== null &&
    r.v === 1 &&
    typeof r.username === "string" &&
    typeof r.expiresAt === "number" &&
    typeof r.lastSeenAt === "number" &&
    typeof r.accessExpiresAt === "number" &&
    typeof r.tokens === "object" &&
    r.tokens !== null &&
    (r.via === undefined || typeof r.via === "string")
  );
}

/** Thrown inside the manager when sealed tokens no longer open (wrong key, tampering). */
export class SessionInvalid extends Error {}

/** Session operations over a store. */
export interface Sessions {
  /** A new session; `via` names the extension that started it, if one did. */
  create(
    user: SessionUser,
    tokens: Tokens,
    via?: string,
  ): Promise<{ token: string; id: string; record: SessionRecord }>;
  /** Reads and checks a session by id; `null` when absent, malformed or expired (expired ones are deleted). */
  read(id: string): Promise<SessionRecord | null>;
  /** The public view of a record. */
  view(id: string, record: SessionRecord): Session;
  /** Writes `lastSeenAt` when the last write is older than {@link touchInterval}. */
  touch(id: string, record: SessionRecord): Promise<SessionRecord>;
  openTokens(id: string, record: SessionRecord): Promise<Tokens>;
  /** Writes new tokens, unless the session was deleted meanwhile (never resurrects a logged-out session). */
  replaceTokens(id: string, tokens: Tokens, user?: SessionUser): Promise<SessionRecord | null>;
  updateUser(id: string, user: SessionUser): Promise<void>;
  destroy(id: string, username?: string): Promise<void>;
  /** Ends every session of a user ("sign out everywhere"). Returns how many. */
  destroyAll(username: string): Promise<number>;
  list(username: string): Promise<string[]>;
}

/** Builds the session operations. */
export function createSessions(config: WarrantConfig, store: Store, keyring: Keyring): Sessions {
  const { idleTimeout, maxAge } = config.session;
  // The storage TTL is a hint for drivers that expire keys; read() checks the timestamps regardless.
  const ttlOf = (record: SessionRecord, now: number) =>
    Math.max(1, Math.min(record.expiresAt - now, idleTimeout * 1000) / 1000);

  const write = (id: string, record: SessionRecord, now: number) =>
    store.set(keys.session(id), record, ttlOf(record, now));

  const index = {
    async add(username: string, id: string) {
      const key = keys.userSessions(username);
      const current = (await store.get<string[]>(key)) ?? [];
      // Drop ids whose records are gone so the index does not grow without bound.
      const alive = await Promise.all(
        current.map(async (other) => ((await store.get(keys.session(other))) ? other : null)),
      );
      const next = [...alive.filter((x): x is string => x !== null && x !== id), id];
      await store.set(key, next, maxAge + 60);
    },
    async remove(username: string, id: string) {
      const key = keys.userSessions(username);
      const current = (await store.get<string[]>(key)) ?? [];
      if (!current.includes(id)) return;
      const next = current.filter((x) => x !== id);
      if (next.length) await store.set(key, next, maxAge + 60);
      else await store.remove(key);
    },
  };

  const sessions: Sessions = {
    async create(user, tokens, via) {
      const now = config.now();
      const token = newToken();
      const id = sessionId(token);
      const record: SessionRecord = {
        v: 1,
        username: user.username,
        user,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + maxAge * 1000,
        accessExpiresAt: tokens.expiresAt,
        tokens: await keyring.seal(JSON.stringify(tokens), keys.session(id)),
        ...(via ? { via } : {}),
      };
      await write(id, record, now);
      await index.add(user.username, id);
      return { token, id, record };
    },

    async read(id) {
      const record = await store.get<unknown>(keys.session(id));
      // A record sealed under a secret no longer configured cannot be used; it is left for its TTL.
      if (!isRecord(record) || !keyring.knows(record.tokens.k)) return null;
      const now = config.now();
      if (now >= record.expiresAt || now >= record.lastSeenAt + idleTimeout * 1000) {
        await sessions.destroy(id, record.username);
        await emit(config, "sessionEnd", { username: record.username, reason: "expired" });
        return null;
      }
      return record;
    },

    view(id, record) {
      return {
        id,
        user: record.user,
        createdAt: record.createdAt,
        lastSeenAt: record.lastSeenAt,
        expiresAt: Math.min(record.expiresAt, record.lastSeenAt + idleTimeout * 1000),
        accessExpiresAt: record.accessExpiresAt,
        ...(record.via ? { via: record.via } : {}),
        tokens: () => sessions.openTokens(id, record),
      };
    },

    async touch(id, record) {
      const now = config.now();
      if (now - record.lastSeenAt < touchInterval) return record;
      const next = { ...record, lastSeenAt: now };
      await write(id, next, now);
      return next;
    },

    async openTokens(id, record) {
      const plain = await keyring.open(record.tokens, keys.session(id));
      if (plain === null) throw new SessionInvalid();
      return JSON.parse(plain) as Tokens;
    },

    async replaceTokens(id, tokens, user) {
      const current = await sessions.read(id);
      if (!current) return null;
      const now = config.now();
      const next: SessionRecord = {
        ...current,
        ...(user ? { user } : {}),
        lastSeenAt: now,
        accessExpiresAt: tokens.expiresAt,
        tokens: await keyring.seal(JSON.stringify(tokens), keys.session(id)),
      };
      await write(id, next, now);
      return next;
    },

    async updateUser(id, user) {
      const current = await sessions.read(id);
      if (!current) return;
      await write(id, { ...current, user }, config.now());
    },

    async destroy(id, username) {
      await store.remove(keys.session(id));
      if (username) await index.remove(username, id);
    },

    async destroyAll(username) {
      const ids = (await store.get<string[]>(keys.userSessions(username))) ?? [];
      await Promise.all(ids.map((id) => store.remove(keys.session(id))));
      await store.remove(keys.userSessions(username));
      return ids.length;
    },

    async list(username) {
      return (await store.get<string[]>(keys.userSessions(username))) ?? [];
    },
  };
  return sessions;
}
