/**
 * @module
 * The session core: what a request's cookie means. `get` finds the request's session (refreshing its
 * tokens when due, sliding its idle expiry), `start` begins one for a login, `replace` begins one and
 * ends the one the browser had (a new id at every login, SECURITY.md S5), `end` logs out (the record
 * deleted, the refresh token revoked at Cognito, the cookie expired) and `endAll` ends every session of
 * a user.
 */
import type { Tokens } from "../cognito/auth.ts";
import type { LoadCognito } from "../cognito/load.ts";
import { emit, requestIdOf, type SessionEndReason } from "../events.ts";
import type { WarrantConfig } from "../options.ts";
import { type Cookies, isSecure } from "./cookie.ts";
import { type Refresh, refreshWindow, type TokenServices, tokenServiceOf } from "./refresh.ts";
import { type Session, type Sessions, type SessionUser, sessionId } from "./store.ts";

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
  /** Ends every session of a user; how many ended. `reason` goes to the `sessionEnd` event. */
  endAll(username: string, reason?: SessionEndReason, request?: Request): Promise<number>;
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
        if (old) {
          await records.destroy(previous, old.username);
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
          await records.destroy(id, record.username);
          await emit(config, "logout", { username: record.username, ...tag(request) });
          await emit(config, "sessionEnd", { username: record.username, reason: "logout", ...tag(request) });
          // Revocation is best effort: a Cognito outage must not keep anyone logged in locally.
          try {
            const tokens = await records.openTokens(id, record);
            await (await tokenServiceOf(record, deps.tokenServices, deps.cognito)).revoke(
              tokens.refreshToken,
            );
          } catch {}
        }
      }
      return { cookie: cookies.expire("session", secure) };
    },

    async discard(id, username) {
      await records.destroy(id, username);
      await emit(config, "sessionEnd", { username, reason: "revoked" });
    },
    async endAll(username, reason = "signed_out_everywhere", request) {
      const count = await records.destroyAll(username);
      if (count > 0) await emit(config, "sessionEnd", { username, reason, count, ...tag(request) });
      return count;
    },
    updateUser: (id, user) => records.updateUser(id, user),
    count: async (username) => (await records.list(username)).length,
  };
  return core;
}
