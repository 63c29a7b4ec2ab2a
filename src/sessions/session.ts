/**
 * @module
 * The session core: what a request's cookie means. `get` finds the request's session (refreshing its
 * tokens when due, sliding its idle expiry), `start` begins one for a login, `replace` begins one and
 * ends the one the browser had (a new id at every login, SECURITY.md S5), `end` logs out (the record
 * deleted, the refresh token revoked at Cognito, the cookie expired) and `endAll` ends every session of
 * a user. `listSessions` and `endSession` are "where you're signed in": a user's sessions by handle.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { Tokens } from "../cognito/auth.ts";
import type { LoadCognito } from "../cognito/load.ts";
import type { WarrantConfig } from "../options.ts";
import { type Cookies, isSecure } from "./cookie.ts";
import { type Refresh, refreshWindow, type TokenServices, tokenServiceOf } from "./refresh.ts";
import { type Session, type SessionRecord, type Sessions, type SessionUser, sessionId } from "./store.ts";

/** One of a user's sessions as "where you're signed in" shows it: never its id, token or tokens. */
export interface SessionSummary {
  /** An opaque handle of the session (not its cookie, not its storage id): pass it to `endSession`. */
  handle: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** The extension that started it (e.g. `"managed-login"`). */
  via?: string;
}

const utf8 = new TextEncoder();
/** The public handle of a session id: 128 bits of its SHA-256, so it names the session without opening it. */
export const sessionHandle = (id: string): string =>
  encodeHexLowerCase(sha256(utf8.encode(`handle:${id}`))).slice(0, 32);

/** How long a request whose access token still works waits for its session's refresh, in ms. */
export const refreshWait = 1000;
/** Below this much validity left (ms), a request waits for the refresh whatever it takes. */
const staleLimit = 10_000;
const stale = Symbol("stale");

/** What `createSession` hands back: the token for the cookie and the Set-Cookie header value. */
export interface NewSession {
  token: string;
  /** A ready `Set-Cookie` header value. */
  cookie: string;
  session: Session;
}

/** A successful login, as a session starts from it. */
export interface Login {
  user: SessionUser;
  tokens: Tokens;
  /** The extension the login came through (e.g. `"managed-login"`): its token service refreshes the session. */
  via?: string;
}

/** The session operations the handler and the application use. */
export interface SessionCore {
  /** The request's session, tokens refreshed when due; `null` when there is none. */
  get(request: Request): Promise<Session | null>;
  /** Starts a session; pass the request so the cookie fits the site (https or not). */
  start(login: Login, request?: Request): Promise<NewSession>;
  /** Starts a session and ends the one the request's browser had, if any (S5). */
  replace(request: Request, login: Login): Promise<NewSession>;
  /** Ends the request's session and revokes its refresh token; the Set-Cookie that clears the cookie. */
  end(request: Request): Promise<{ cookie: string }>;
  /** Ends one session by id without calling Cognito (its tokens no longer work). */
  discard(id: string, username: string): Promise<void>;
  /** Ends every session of a user; how many ended. */
  endAll(username: string): Promise<number>;
  /** Replaces the user a session carries (after a profile update). */
  updateUser(id: string, user: SessionUser): Promise<void>;
  /** How many sessions a user has in this store. */
  count(username: string): Promise<number>;
  /** A user's live sessions, newest first. */
  listSessions(username: string): Promise<SessionSummary[]>;
  /** Ends the user's session with this handle (its refresh token revoked); false when it has none. */
  endSession(username: string, handle: string): Promise<boolean>;
}

/** Builds the session core. */
export function createSessionCore(deps: {
  config: WarrantConfig;
  records: Sessions;
  refresh: Refresh;
  cookies: Cookies;
  cognito: LoadCognito;
  /** The extensions' token services, by name. @default none */
  tokenServices?: TokenServices;
}): SessionCore {
  const { config, records, refresh, cookies } = deps;
  const secureFor = (request?: Request) =>
    request ? isSecure(request, config.origins) : (config.origins?.[0]?.startsWith("https:") ?? false);
  const idOf = (request: Request) => {
    const token = cookies.read(request, "session", secureFor(request));
    return token ? sessionId(token) : null;
  };

  /** Deletes a session and revokes its refresh token at Cognito (best effort: an outage must not keep it alive locally). */
  const endRecord = async (id: string, record: SessionRecord) => {
    await records.destroy(id, record.username);
    try {
      const tokens = await records.openTokens(id, record);
      await (await tokenServiceOf(record, deps.tokenServices, deps.cognito)).revoke(tokens.refreshToken);
    } catch {}
  };

  const core: SessionCore = {
    async get(request) {
      const id = idOf(request);
      if (!id) return null;
      let record = await records.read(id);
      if (!record) return null;
      const left = record.accessExpiresAt - config.now();
      if (left >= refreshWindow) record = await records.touch(id, record);
      else if (left < staleLimit) record = await refresh(id);
      else {
        // The access token still works: wait for the refresh only briefly, so a slow or hung Cognito
        // never holds the request (C5); the refresh goes on (or fails) for the next one.
        const running = refresh(id);
        running.catch(() => {});
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waited = await Promise.race([
          running,
          new Promise<typeof stale>((resolve) => {
            timer = setTimeout(() => resolve(stale), refreshWait);
          }),
        ]).finally(() => clearTimeout(timer));
        if (waited !== stale) record = waited;
      }
      return record ? records.view(id, record) : null;
    },

    async start(login, request) {
      const { token, id, record } = await records.create(login.user, login.tokens, login.via);
      return {
        token,
        cookie: cookies.issue("session", token, secureFor(request)),
        session: records.view(id, record),
      };
    },

    async replace(request, login) {
      const previous = idOf(request);
      if (previous) {
        const old = await records.read(previous);
        if (old) await records.destroy(previous, old.username);
      }
      return core.start(login, request);
    },

    async end(request) {
      const secure = secureFor(request);
      const id = idOf(request);
      if (id) {
        const record = await records.read(id);
        if (record) await endRecord(id, record);
      }
      return { cookie: cookies.expire("session", secure) };
    },

    async listSessions(username) {
      const ids = await records.list(username);
      const found = await Promise.all(ids.map(async (id) => ({ id, record: await records.read(id) })));
      return found
        .filter((f): f is { id: string; record: SessionRecord } => f.record?.username === username)
        .map(({ id, record }) => ({
          handle: sessionHandle(id),
          createdAt: record.createdAt,
          lastSeenAt: record.lastSeenAt,
          expiresAt: Math.min(record.expiresAt, record.lastSeenAt + config.session.idleTimeout * 1000),
          ...(record.via ? { via: record.via } : {}),
        }))
        .sort((a, b) => b.createdAt - a.createdAt);
    },

    async endSession(username, handle) {
      for (const id of await records.list(username)) {
        if (sessionHandle(id) !== handle) continue;
        const record = await records.read(id);
        if (!record || record.username !== username) return false;
        await endRecord(id, record);
        return true;
      }
      return false;
    },

    discard: (id, username) => records.destroy(id, username),
    endAll: (username) => records.destroyAll(username),
    updateUser: (id, user) => records.updateUser(id, user),
    count: async (username) => (await records.list(username)).length,
  };
  return core;
}
