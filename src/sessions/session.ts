/**
 * @module
 * The session core: what a request's cookie means. `get` finds the request's session (refreshing its
 * tokens when due, sliding its idle expiry), `start` begins one for a login, `replace` begins one and
 * ends the one the browser had (a new id at every login, SECURITY.md S5), `end` logs out (the record
 * deleted, the refresh token revoked at Cognito, the cookie expired), `endAll` ends every session of
 * a user (here and at Cognito: a global sign-out), `list` and `endOne` serve "where you're signed in".
 */
import type { Tokens } from "../cognito/auth.ts";
import type { LoadCognito } from "../cognito/load.ts";
import { emit, requestIdOf, type SessionEndReason } from "../events.ts";
import type { SessionConfig } from "../options.ts";
import { type Cookies, isSecure } from "./cookie.ts";
import { type Refresh, refreshWindow, type TokenServices, tokenServiceOf } from "./refresh.ts";
import type { Session, SessionInfo, SessionRecord, Sessions, SessionUser } from "./store.ts";

/** How long a request whose access token still works waits for its session's refresh, in ms. */
export const refreshWait = 1000;
/** Below this much validity left (ms), a request waits for the refresh whatever it takes. */
const staleLimit = 10_000;
const stale = Symbol("stale");

/** What `createSession` hands back: the token for the cookie and the Set-Cookie header value. */
export interface NewSession<U = SessionUser> {
  token: string;
  /** A ready `Set-Cookie` header value. */
  cookie: string;
  session: Session<U>;
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
  /**
   * Ends every session of a user, in this store (at once, whether or not an index lists them) and at
   * Cognito (AdminUserGlobalSignOut with the configured credentials, else GlobalSignOut with
   * `accessToken` when given; best effort: an outage there still ends them here). How many were listed.
   */
  endAll(
    username: string,
    options?: { accessToken?: string | undefined; reason?: SessionEndReason; request?: Request },
  ): Promise<number>;
  /** The user's live sessions, oldest first; `current` marks the request's own. */
  list(username: string, request?: Request): Promise<SessionInfo[]>;
  /** Ends one of the user's sessions by its handle (its refresh token revoked); false when none has it. */
  endOne(username: string, handle: string): Promise<boolean>;
  /** Replaces the user a session carries (after a profile update). */
  updateUser(id: string, user: SessionUser): Promise<void>;
  /** How many sessions a user has in this store. */
  count(username: string): Promise<number>;
}

/** The request id of `request`, as an event field. */
const tag = (request: Request | undefined) => {
  const requestId = requestIdOf(request);
  return requestId ? { requestId } : {};
};

/** Builds the session core. */
export function createSessionCore(deps: {
  config: SessionConfig;
  records: Sessions;
  refresh: Refresh;
  cookies: Cookies;
  cognito: LoadCognito;
  /** The extensions' token services, by name. @default none */
  tokenServices?: TokenServices;
  /** Names the browser a session starts in, for lists of sessions (`coarseAgent`). @default none */
  agentOf?: (userAgent: string | null) => string | undefined;
}): SessionCore {
  const { config, records, refresh, cookies } = deps;
  const secureFor = (request?: Request) =>
    request ? isSecure(request, config.origins) : (config.origins?.[0]?.startsWith("https:") ?? false);
  const idOf = (request: Request) => {
    const token = cookies.read(request, "session", secureFor(request));
    return token ? config.sha256Hex(token) : null;
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
      const { token, id, record } = await records.create(login.user, login.tokens, {
        via: login.via,
        agent: request ? deps.agentOf?.(request.headers.get("user-agent")) : undefined,
      });
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
        if (old) {
          await records.destroy(previous, old);
          await emit(config, "sessionEnd", { username: old.username, reason: "replaced", ...tag(request) });
        }
      }
      return core.start(login, request);
    },

    async end(request) {
      const secure = secureFor(request);
      const id = idOf(request);
      if (id) {
        const record = await records.read(id);
        if (record) {
          await endAndRevoke(id, record);
          await emit(config, "logout", { username: record.username, ...tag(request) });
          await emit(config, "sessionEnd", { username: record.username, reason: "logout", ...tag(request) });
        }
      }
      return { cookie: cookies.expire("session", secure) };
    },

    async discard(id, username) {
      await records.destroy(id);
      await emit(config, "sessionEnd", { username, reason: "revoked" });
    },
    async endAll(username, options = {}) {
      const ended = await records.destroyAll(username);
      const reason = options.reason ?? "signed_out_everywhere";
      if (ended > 0)
        await emit(config, "sessionEnd", { username, reason, count: ended, ...tag(options.request) });
      // Best effort: the local end above already holds on every instance; this ends what the store
      // never saw (tokens held elsewhere) at their next refresh.
      try {
        const api = await deps.cognito();
        const token = options.accessToken;
        if (token && !config.credentials) await api.globalSignOut(token);
        else if (!(await api.adminGlobalSignOut(username)) && token) await api.globalSignOut(token);
      } catch {}
      return ended;
    },
    async list(username, request) {
      const current = request ? idOf(request) : null;
      return (await records.list(username)).map(({ id, record }) => {
        const view = records.view(id, record);
        return {
          id: record.handle,
          createdAt: view.createdAt,
          lastSeenAt: view.lastSeenAt,
          expiresAt: view.expiresAt,
          ...(view.userAgent ? { userAgent: view.userAgent } : {}),
          ...(view.via ? { via: view.via } : {}),
          ...(current === id ? { current: true } : {}),
        };
      });
    },
    async endOne(username, handle) {
      const found = await records.find(username, handle);
      if (!found) return false;
      await endAndRevoke(found.id, found.record);
      await emit(config, "sessionEnd", { username, reason: "end_session" });
      return true;
    },
    updateUser: (id, user) => records.updateUser(id, user),
    count: async (username) => (await records.list(username)).length,
  };
  /** Deletes a session, then revokes its refresh token (best effort: an outage must not keep it alive). */
  async function endAndRevoke(id: string, record: SessionRecord) {
    let refreshToken: string | undefined;
    try {
      refreshToken = (await records.openTokens(id, record)).refreshToken;
    } catch {}
    await records.destroy(id, record);
    if (!refreshToken) return;
    try {
      await (await tokenServiceOf(record, deps.tokenServices, deps.cognito)).revoke(refreshToken);
    } catch {}
  }
  return core;
}
