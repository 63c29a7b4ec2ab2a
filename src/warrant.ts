/**
 * @module
 * The composition root: `createWarrant` validates the options once and wires config → store → Cognito
 * (loaded on first use) → keyring → session records → session core → login core → handler into the
 * {@link Warrant}, whole when it is made. Only `mod.ts` imports this module.
 */
import type { Tokens } from "./cognito/auth.ts";
import { cognitoLoader, lazyVerifier } from "./cognito/load.ts";
import type { TokenUse, VerifyResult } from "./cognito/verify.ts";
import { countersFor } from "./counters.ts";
import { emit, requestIdOf } from "./events.ts";
import { type BearerContext, type BearerOptions, createBearer } from "./http/bearer.ts";
import { tokenServices, type WarrantExtension } from "./http/extensions.ts";
import { createHandler } from "./http/handler.ts";
import { memoryStoreWarning } from "./http/origin.ts";
import type { ProtectedHandler } from "./http/protect.ts";
import type { ChallengeAnswer } from "./login/answers.ts";
import {
  type AuthenticateOptions,
  type AuthResult,
  createLogin,
  type PublicChallenge,
  type RespondResult,
} from "./login/authenticate.ts";
import { createPendingChallenges } from "./login/pending.ts";
import { memoryStorage } from "./memory.ts";
import {
  type DefaultAttributeMapping,
  type ObjectSchema,
  resolveConfig,
  type WarrantConfig,
  type WarrantOptions,
} from "./options.ts";
import { coarseAgent } from "./sessions/agent.ts";
import { createCookies } from "./sessions/cookie.ts";
import { createKeyring } from "./sessions/crypto.ts";
import { createRefresh } from "./sessions/refresh.ts";
import { createSessionCore, type NewSession } from "./sessions/session.ts";
import { createSessions, type Session, type SessionInfo, type SessionUser } from "./sessions/store.ts";
import { createStore } from "./storage.ts";
import { type LocalUser, userKey } from "./users/store.ts";
import type { StoredUser, WarrantUser } from "./users/types.ts";

/**
 * The warrant: everything `createWarrant` builds. `U` is its user type, inferred from `attributeMapping`
 * and `userSchema` (see {@link WarrantUser}); `L` the local record's (see {@link StoredUser}).
 */
export interface Warrant<U = SessionUser, L = LocalUser> {
  readonly config: WarrantConfig;
  /**
   * Checks a username and password with Cognito (with `config.authFlow`) and mirrors the user locally
   * (django-warrant's backend). A challenge (MFA, a new password) comes back as
   * `{ ok: false, reason: "challenge", challenge }`: answer it with {@link Warrant.respond}. With
   * `authFlow: "USER_AUTH"` the password may be left out: Cognito then asks for the preferred factor or
   * offers the ones this person can use (SELECT_CHALLENGE), each a challenge to answer.
   */
  authenticate(username: string, password?: string, options?: AuthenticateOptions): Promise<AuthResult<U>>;
  /**
   * Answers a pending challenge by its id. The id is single use: it is spent before Cognito sees the
   * answer, and any next step comes with a new id. The answer is validated first; a malformed one never
   * reaches Cognito.
   *
   * @example
   * ```ts
   * let result = await warrant.authenticate(email, password);
   * if (!result.ok && result.reason === "challenge" && result.challenge.name === "SOFTWARE_TOKEN_MFA") {
   *   const next = await warrant.respond(result.challenge.id, { code: "123456" });
   *   if (next.ok) await warrant.createSession(next, request);
   * }
   * ```
   */
  respond(challengeId: string, answer: ChallengeAnswer): Promise<RespondResult<U>>;
  /**
   * Looks at a pending challenge without answering or spending it, so a page can show the right form:
   * the same {@link PublicChallenge} `authenticate` or `respond` returned (never its Cognito session),
   * or `null` when the id is unknown, already answered or past `challengeTtl`. It writes nothing.
   */
  pendingChallenge(challengeId: string): Promise<PublicChallenge | null>;
  /** Starts a session for a successful login; pass the request so the cookie fits the site (https or not). */
  createSession(login: { user: SessionUser; tokens: Tokens }, request?: Request): Promise<NewSession<U>>;
  /** The request's session, tokens refreshed when needed; `null` when there is none. */
  getSession(request: Request): Promise<Session<U> | null>;
  /** Ends the request's session and revokes its refresh token; returns the Set-Cookie that clears it. */
  logout(request: Request): Promise<{ cookie: string }>;
  /**
   * Ends every session of a user ("sign out everywhere") on every instance at once: a per-user
   * revocation time that every read compares with the session's creation, whether or not an index
   * lists the session. Also signs the user out at Cognito (AdminUserGlobalSignOut with the configured
   * credentials, else GlobalSignOut with `options.accessToken` when given), so tokens held anywhere
   * else stop refreshing; that part is best effort. Returns how many sessions were listed.
   *
   * @example
   * ```ts
   * await warrant.signOutEverywhere(session.user.username);
   * ```
   */
  signOutEverywhere(username: string, options?: { accessToken?: string }): Promise<number>;
  /**
   * The user's live sessions, oldest first ("where you're signed in"). Each `id` is an opaque,
   * non-secret handle (neither the cookie value nor the storage id) to pass to {@link Warrant.endSession};
   * `userAgent` is coarse ("Firefox on macOS"); with `request`, its own session has `current: true`.
   * Expired entries are pruned as they are read.
   *
   * @example
   * ```ts
   * const session = await warrant.getSession(request);
   * const list = await warrant.listSessions(session.user.username, request);
   * // [{ id: "mihj5xk0a1b2c3d4e5f60718", createdAt, lastSeenAt, expiresAt, userAgent: "Firefox on macOS", current: true }]
   * ```
   */
  listSessions(username: string, request?: Request): Promise<SessionInfo[]>;
  /**
   * Ends one of the user's sessions by the handle {@link Warrant.listSessions} gave (its refresh token
   * revoked at Cognito, best effort). `false` when the user has no live session with that handle: a
   * handle of another user's session ends nothing.
   *
   * @example
   * ```ts
   * await warrant.endSession(session.user.username, form.get("session"));
   * ```
   */
  endSession(username: string, handle: string): Promise<boolean>;
  /** The local record of a user, or null. */
  getUser(username: string): Promise<L | null>;
  /**
   * The account routes under `basePath` as one `(Request) => Promise<Response>`; bound, so
   * `Bun.serve({ fetch: warrant.handler })` works. Anything it does not own answers 404.
   */
  readonly handler: (request: Request) => Promise<Response>;
  /** Runs `handler` only for a signed-in user; else 303 to the login page (HTML) or 401 (JSON). */
  protect(handler: ProtectedHandler<U>): (request: Request) => Promise<Response>;
  /**
   * Verifies a Cognito token an API caller sent (access by default): RS256, the pool's keys, issuer,
   * token use, client id and expiry.
   */
  verifyToken(token: string, tokenUse?: TokenUse): Promise<VerifyResult>;
  /** Runs `handler` only for callers with a valid `Authorization: Bearer` Cognito access token; else 401. */
  bearer(
    handler: (request: Request, context: BearerContext) => Response | Promise<Response>,
    options?: BearerOptions,
  ): (request: Request) => Promise<Response>;
}

/**
 * Builds a warrant. Options are checked here and a bad one throws, naming its path. Never touches the network.
 * Its users are typed from the options: the fields `attributeMapping` names (write it inline, or
 * `as const`, so the names are literal), with the types `userSchema` gives them.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * const warrant = createWarrant({
 *   userPoolId: "eu-west-1_AbC123", clientId: "...", secret: env.WARRANT_SECRET,
 * });
 * const result = await warrant.authenticate("alice@example.com", "correct horse");
 * if (result.ok) console.log(result.user.first_name); // string | undefined
 * ```
 */
export function createWarrant<
  const M extends Readonly<Record<string, string>> = DefaultAttributeMapping,
  S extends ObjectSchema | undefined = undefined,
>(options: WarrantOptions<M, S>): Warrant<WarrantUser<M, S>, StoredUser<M, S>> {
  return build(options) as unknown as Warrant<WarrantUser<M, S>, StoredUser<M, S>>;
}

const requestOf = (request: Request | undefined) => {
  const requestId = requestIdOf(request);
  return requestId ? { requestId } : {};
};

/**
 * The untyped warrant. The typed one above is a view of it: every user it hands out was built from the
 * mapping and checked by `userSchema` before it was stored (users/store.ts), which is what the types say.
 */
function build(options: WarrantOptions): Warrant {
  const config = resolveConfig(options);
  const storage = options.storage ?? memoryStorage({ now: config.now });
  const store = createStore(storage, config.storageTimeout, config.now);
  const cognito = cognitoLoader(config);
  const keyring = createKeyring(config.secrets);
  const records = createSessions(config, store, keyring);
  const cookies = createCookies(config);
  const services = tokenServices(config.extensions as readonly WarrantExtension[], config);
  const refresh = createRefresh({ config, store, records, cognito, tokenServices: services });
  const sessions = createSessionCore({
    config,
    records,
    refresh,
    cookies,
    cognito,
    tokenServices: services,
    agentOf: coarseAgent,
  });
  const counters = countersFor(storage, config.counters, config.now, config.storageTimeout, (m) =>
    config.logger.warn(m),
  );
  const pending = createPendingChallenges({ store, keyring, now: config.now, counters });
  const signups = createPendingChallenges({ store, keyring, now: config.now, counters, prefix: "signups" });
  const answerer = (config.extensions as readonly WarrantExtension[]).find((e) => e.deviceAnswer);
  const deviceAnswer = answerer?.deviceAnswer?.(config, cognito);
  const login = createLogin({
    config,
    store,
    cognito,
    pending,
    signups,
    ...(deviceAnswer ? { deviceAnswer } : {}),
  });
  const verifier = lazyVerifier(config);
  const http = createHandler({
    config,
    store,
    counters,
    cookies,
    sessions,
    login,
    cognito,
    keyring,
    verifier,
  });
  let handler = http.handler;
  const driver = storage.getMount?.("")?.driver?.name;
  if (driver === "memory" || driver === "warrant-memory") {
    // E6: warned once, at construction for a configured origin or at the first request from another.
    let warned = false;
    const check = memoryStoreWarning((message) => {
      warned = true;
      config.logger.warn(message.replace(/^warrant: /, ""));
    });
    for (const origin of config.origins ?? []) check(origin);
    handler = (request) => {
      if (!warned) check(new URL(request.url).origin);
      return http.handler(request);
    };
  }
  return {
    config,
    authenticate: login.authenticate,
    respond: login.respond,
    pendingChallenge: login.pendingChallenge,
    async createSession(login, request) {
      const created = await sessions.start(login, request);
      await emit(config, "login", { username: login.user.username, user: login.user, ...requestOf(request) });
      return created;
    },
    getSession: sessions.get,
    logout: sessions.end,
    signOutEverywhere: (username, options) => sessions.endAll(username, options),
    listSessions: (username, request) => sessions.list(username, request),
    endSession: (username, handle) => sessions.endOne(username, handle),
    getUser: (username) => store.get<LocalUser>(userKey(username)),
    handler,
    protect: http.protect,
    verifyToken: (token, tokenUse) => verifier.verify(token, tokenUse),
    bearer: createBearer(verifier),
  };
}
