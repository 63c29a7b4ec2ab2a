/**
 * @module
 * `createWarrant`: the options validated once, the Cognito client, the stores, and the operations the
 * handler and the application use (authenticate, respond to challenges, sessions, logout).
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { createStorage } from "unstorage";
import {
  type Challenge,
  getUser,
  type LoginFailure,
  type LoginStep,
  passwordLogin,
  refreshTokens,
  revokeToken,
  type Tokens,
} from "./cognito/auth.ts";
import {
  answerChallenge,
  type ChallengeAnswer,
  challengeAttempts,
  challengeNames,
  challengeTtl,
  type StoredChallenge,
  startTotpSetup,
  type TotpSetup,
  validateAnswer,
} from "./cognito/challenges.ts";
import { type Cognito, createCognito } from "./cognito/client.ts";
import { classify, toWarrantError } from "./cognito/errors.ts";
import { unverifiedClaims } from "./cognito/jwt.ts";
import { srpLogin } from "./cognito/srp-login.ts";
import { createVerifier, type TokenUse, type VerifyResult } from "./cognito/verify.ts";
import { WarrantError } from "./errors.ts";
import { type BearerContext, type BearerOptions, createBearer } from "./http/bearer.ts";
import { createHandler, type ProtectContext } from "./http/handler.ts";
import { limits } from "./limits.ts";
import { resolveConfig, type WarrantConfig, type WarrantOptions } from "./options.ts";
import { cookieName, expireCookie, isSecure, issueCookie, readToken } from "./sessions/cookie.ts";
import { createKeyring, type Sealed } from "./sessions/crypto.ts";
import {
  createSessions,
  type Session,
  SessionInvalid,
  type SessionRecord,
  type Sessions,
  type SessionUser,
  sessionId,
} from "./sessions/store.ts";
import { createStore, type Store } from "./storage.ts";
import { mapAttributes } from "./users/mapping.ts";
import { checkFields, type LocalUser, upsertUser, userKey } from "./users/store.ts";

/** Refresh when the access token expires within this many ms. */
const refreshWindow = 60_000;

// Defined next to the challenge logic so the handler can use them without importing this module back.
export { challengeAttempts, challengeTtl } from "./cognito/challenges.ts";

/** A pending challenge as the caller sees it: answer it with `warrant.respond(challenge.id, ...)`. */
export interface PublicChallenge extends Challenge {
  /** Opaque, single-use handle of the pending challenge (its Cognito session stays in storage). */
  id: string;
  /** MFA_SETUP only: the TOTP secret to show (as a QR code of `uri`, and as text to type). */
  totp?: TotpSetup;
}

/** The result of {@link Warrant.authenticate}. */
export type AuthResult =
  | { ok: true; user: SessionUser; tokens: Tokens }
  | { ok: false; reason: LoginFailure | "unknown_user" }
  | { ok: false; reason: "challenge"; challenge: PublicChallenge };

/**
 * The result of {@link Warrant.respond}: everything {@link AuthResult} can be (tokens, the next
 * challenge with a new id, a login failure), plus:
 * - `challenge_expired`: the id is unknown, already used, older than {@link challengeTtl}, or Cognito no
 *   longer accepts the challenge. Start the login again.
 * - `invalid_answer`: the answer does not fit the challenge (e.g. a code that is not 6 digits). Nothing
 *   was sent to Cognito and the same id stays valid; `issues` say what to fix, without echoing input.
 * - `invalid_code` / `password_rejected`: Cognito refused the code / the new password (its policy).
 *   The old id is used up; answer again with `challenge.id` (a new id) while `attemptsLeft` > 0.
 * - `too_many_attempts`: the last allowed wrong answer; the challenge is gone.
 */
export type RespondResult =
  | AuthResult
  | { ok: false; reason: "challenge_expired" | "too_many_attempts" }
  | { ok: false; reason: "invalid_answer"; issues: string[]; challenge: PublicChallenge }
  | {
      ok: false;
      reason: "invalid_code" | "password_rejected";
      attemptsLeft: number;
      challenge: PublicChallenge;
    };

/** Options of {@link Warrant.authenticate}. */
export interface AuthenticateOptions {
  /**
   * A Cognito device key remembered for this browser (device tracking): sent as DEVICE_KEY with the
   * login and every challenge answer. Omitted when absent.
   */
  deviceKey?: string;
}

/** What a pending challenge carries to its next step. */
interface StepContext {
  /** What the person typed at login. */
  login?: string;
  deviceKey?: string;
}

/** What `createSession` hands back: the token for the cookie and the Set-Cookie header value. */
export interface NewSession {
  token: string;
  /** A ready `Set-Cookie` header value. */
  cookie: string;
  session: Session;
}

/** The warrant: everything `createWarrant` builds. */
export interface Warrant {
  readonly config: WarrantConfig;
  /**
   * Checks a username and password with Cognito (with `config.authFlow`) and mirrors the user locally
   * (django-warrant's backend). A challenge (MFA, a new password) comes back as
   * `{ ok: false, reason: "challenge", challenge }`: answer it with {@link Warrant.respond}.
   */
  authenticate(username: string, password: string, options?: AuthenticateOptions): Promise<AuthResult>;
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
  respond(challengeId: string, answer: ChallengeAnswer): Promise<RespondResult>;
  /**
   * Looks at a pending challenge without answering or spending it, so a page can show the right form:
   * the same {@link PublicChallenge} `authenticate` or `respond` returned (never its Cognito session),
   * or `null` when the id is unknown, already answered or past {@link challengeTtl}. It writes nothing.
   */
  pendingChallenge(challengeId: string): Promise<PublicChallenge | null>;
  /** Starts a session for a successful login; pass the request so the cookie fits the site (https or not). */
  createSession(login: { user: SessionUser; tokens: Tokens }, request?: Request): Promise<NewSession>;
  /** The request's session, tokens refreshed when needed; `null` when there is none. */
  getSession(request: Request): Promise<Session | null>;
  /** Ends the request's session and revokes its refresh token; returns the Set-Cookie that clears it. */
  logout(request: Request): Promise<{ cookie: string }>;
  /** Ends every session of a user ("sign out everywhere"); returns how many ended. */
  signOutEverywhere(username: string): Promise<number>;
  /** The local record of a user, or null. */
  getUser(username: string): Promise<LocalUser | null>;
  /**
   * The account routes under `basePath` as one `(Request) => Promise<Response>`; bound, so
   * `Bun.serve({ fetch: warrant.handler })` works. Anything it does not own answers 404.
   */
  readonly handler: (request: Request) => Promise<Response>;
  /** Runs `handler` only for a signed-in user; else 303 to the login page (HTML) or 401 (JSON). */
  protect(
    handler: (request: Request, context: ProtectContext) => Response | Promise<Response>,
  ): (request: Request) => Promise<Response>;
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
  /** Internal parts for the handler and tests. */
  readonly internals: { store: Store; sessions: Sessions; cognito: Cognito };
}

/**
 * Builds a warrant. Options are checked here and a bad one throws, naming its path. Never touches the network.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * const warrant = createWarrant({
 *   userPoolId: "eu-west-1_AbC123", clientId: "...", secret: env.WARRANT_SECRET,
 * });
 * const result = await warrant.authenticate("alice@example.com", "correct horse");
 * if (result.ok) console.log(result.user.first_name);
 * ```
 */
export function createWarrant(options: WarrantOptions): Warrant {
  const config = resolveConfig(options);
  const store = createStore(options.storage ?? createStorage(), config.storageTimeout);
  const cognito = createCognito(config);
  const keyring = createKeyring(config.secrets);
  const sessions = createSessions(config, store, keyring);
  const inflight = new Map<string, Promise<SessionRecord | null>>();

  const groupsOf = (tokens: Tokens): string[] => {
    const groups = unverifiedClaims(tokens.idToken)["cognito:groups"];
    return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
  };

  /** After Cognito handed out tokens: read the user, mirror it locally, build the session user. */
  const completeLogin = async (tokens: Tokens): Promise<AuthResult> => {
    const { username, attributes } = await getUser(cognito, tokens.accessToken);
    const { stored, extra } = checkFields(
      config.userSchema,
      mapAttributes(attributes, config.attributeMapping),
    );
    const sub =
      attributes.find((a) => a.Name === "sub")?.Value ??
      String(unverifiedClaims(tokens.accessToken).sub ?? "");
    const record = await upsertUser(store, {
      username,
      sub,
      stored,
      create: config.createUnknownUsers,
      now: config.now(),
      login: true,
    });
    if (!record) {
      // The person is valid in Cognito but not allowed here: do not leave a live refresh token behind.
      await revokeToken(cognito, config, tokens.refreshToken).catch(() => {});
      return { ok: false, reason: "unknown_user" };
    }
    return { ok: true, user: { ...extra, ...record, groups: groupsOf(tokens) }, tokens };
  };

  const validChallengeId = (id: unknown): id is string =>
    typeof id === "string" && /^[A-Za-z0-9_-]{20,64}$/.test(id);
  const challengeKey = (id: string) =>
    `challenges:${encodeHexLowerCase(sha256(new TextEncoder().encode(id)))}`;

  const publicOf = (record: StoredChallenge, id: string): PublicChallenge => ({
    name: record.name,
    parameters: record.parameters,
    username: record.username,
    ...(record.totp ? { totp: record.totp } : {}),
    id,
  });

  /** Stores a pending challenge under a fresh id for what is left of its TTL; `null` when none is left. */
  const putChallenge = async (record: StoredChallenge): Promise<PublicChallenge | null> => {
    const left = challengeTtl * 1000 - (config.now() - record.createdAt);
    if (left <= 0) return null;
    const id = encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
    const key = challengeKey(id);
    // Sealed like session tokens: Cognito's challenge session and a TOTP secret are credentials too.
    await store.set(key, await keyring.seal(JSON.stringify(record), key), left / 1000);
    return publicOf(record, id);
  };

  /** The pending challenge at `key`; `null` when absent or when it does not open (wrong key, altered). */
  const readChallenge = async (key: string): Promise<StoredChallenge | null> => {
    const sealed = await store.get<Sealed>(key);
    if (!sealed) return null;
    const plain = await keyring.open(sealed, key);
    return plain === null ? null : (JSON.parse(plain) as StoredChallenge);
  };

  const afterStep = async (step: LoginStep, context: StepContext): Promise<AuthResult> => {
    if (step.kind === "failed") return { ok: false, reason: step.reason };
    if (step.kind === "tokens") return completeLogin(step.tokens);
    let pending = step.challenge;
    if (!(challengeNames as readonly string[]).includes(pending.name)) {
      throw new WarrantError(
        "unsupported_challenge",
        `Cognito asked for ${pending.name}, which is not supported`,
      );
    }
    if (pending.name === "MFA_SETUP") {
      pending = await startTotpSetup(cognito, config, pending, context.login ?? pending.username);
    }
    const record: StoredChallenge = {
      ...pending,
      createdAt: config.now(),
      attempts: 0,
      ...(context.login ? { login: context.login } : {}),
      ...(context.deviceKey ? { deviceKey: context.deviceKey } : {}),
    };
    // Fresh from Cognito, so its whole TTL is left and putChallenge cannot refuse it.
    const challenge = (await putChallenge(record)) as PublicChallenge;
    return { ok: false, reason: "challenge", challenge };
  };

  // Challenge keys answered in this instance, until their TTL would have ended: a second answer that
  // read the record before the first one deleted it is still a replay. (Storage has no atomic take, so
  // across instances the delete-before-send below is what keeps an id single use.)
  const spent = new Map<string, number>();
  const claim = (key: string): boolean => {
    const now = config.now();
    for (const [k, until] of spent) if (until <= now) spent.delete(k);
    if (spent.has(key)) return false;
    spent.set(key, now + challengeTtl * 1000);
    return true;
  };

  const refresh = (id: string): Promise<SessionRecord | null> => {
    let running = inflight.get(id);
    if (!running) {
      running = runRefresh(id).finally(() => inflight.delete(id));
      inflight.set(id, running);
    }
    return running;
  };

  const runRefresh = async (id: string): Promise<SessionRecord | null> => {
    // Re-read after winning: another instance may have refreshed, or the user may have logged out.
    const current = await sessions.read(id);
    if (!current) return null;
    const now = config.now();
    if (current.accessExpiresAt - now >= refreshWindow) return current;
    let tokens: Tokens;
    try {
      tokens = await sessions.openTokens(id, current);
    } catch (error) {
      if (!(error instanceof SessionInvalid)) throw error;
      await sessions.destroy(id, current.username);
      return null;
    }
    let fresh: Tokens;
    try {
      fresh = await refreshTokens(cognito, config, current.username, tokens.refreshToken);
    } catch (error) {
      const kind = classify(error);
      if (kind === "credentials") {
        await sessions.destroy(id, current.username);
        return null;
      }
      // An outage keeps the session: while the access token still works, carry on with it.
      if ((kind === "unavailable" || kind === "throttled") && current.accessExpiresAt > now) return current;
      throw toWarrantError(error, "the token refresh");
    }
    const local = await store.get<LocalUser>(userKey(current.username));
    const user: SessionUser = { ...current.user, ...(local ?? {}), groups: groupsOf(fresh) };
    return sessions.replaceTokens(id, fresh, user);
  };

  const warrant = {
    config,
    internals: { store, sessions, cognito },

    async authenticate(username, password, extra) {
      if (
        typeof username !== "string" ||
        typeof password !== "string" ||
        username.length === 0 ||
        password.length === 0 ||
        username.length > limits.username ||
        password.length > limits.password
      ) {
        return { ok: false, reason: "invalid_credentials" };
      }
      const deviceKey = typeof extra?.deviceKey === "string" && extra.deviceKey ? extra.deviceKey : undefined;
      const step =
        config.authFlow === "USER_SRP_AUTH"
          ? await srpLogin(cognito, config, username, password, deviceKey ? { deviceKey } : {})
          : await passwordLogin(cognito, config, username, password);
      return afterStep(step, { login: username, ...(deviceKey ? { deviceKey } : {}) });
    },

    async pendingChallenge(challengeId) {
      if (!validChallengeId(challengeId)) return null;
      const key = challengeKey(challengeId);
      // Claimed here means an answer is on its way to Cognito: no longer pending, whatever storage says.
      if (spent.has(key)) return null;
      const record = await readChallenge(key);
      if (!record || config.now() - record.createdAt >= challengeTtl * 1000) return null;
      return publicOf(record, challengeId);
    },

    async respond(challengeId, answer) {
      const expired = { ok: false, reason: "challenge_expired" } as const;
      if (!validChallengeId(challengeId)) return expired;
      const key = challengeKey(challengeId);
      const record = await readChallenge(key);
      if (!record) return expired;
      if (config.now() - record.createdAt >= challengeTtl * 1000) {
        await store.remove(key);
        return expired;
      }
      const checked = validateAnswer(record, answer);
      if (!checked.ok) {
        return {
          ok: false,
          reason: "invalid_answer",
          issues: checked.issues,
          challenge: publicOf(record, challengeId),
        };
      }
      // Checked and claimed with no await in between, so two answers racing in this instance cannot both pass.
      if (!claim(key)) return expired;
      // Spent before Cognito sees the answer: a replay finds nothing, whatever Cognito says.
      await store.remove(key);
      const outcome = await answerChallenge(cognito, config, record, checked.answer);
      if (outcome.kind === "expired") return expired;
      if (outcome.kind === "retry") {
        const attempts = record.attempts + 1;
        if (attempts >= challengeAttempts) return { ok: false, reason: "too_many_attempts" };
        // Cognito sends no new session with an error; the one it issued stays usable for a retry.
        const challenge = await putChallenge({ ...record, attempts });
        if (!challenge) return expired;
        return { ok: false, reason: outcome.reason, attemptsLeft: challengeAttempts - attempts, challenge };
      }
      return afterStep(outcome.step, {
        ...(record.login ? { login: record.login } : {}),
        ...(record.deviceKey ? { deviceKey: record.deviceKey } : {}),
      });
    },

    async createSession(login, request) {
      const secure = request
        ? isSecure(request, config.origins)
        : (config.origins?.[0]?.startsWith("https:") ?? false);
      const { token, id, record } = await sessions.create(login.user, login.tokens);
      return {
        token,
        cookie: issueCookie(
          cookieName(config.session.cookieName, secure),
          token,
          config.session.maxAge,
          secure,
        ),
        session: sessions.view(id, record),
      };
    },

    async getSession(request) {
      const token = readToken(
        request,
        cookieName(config.session.cookieName, isSecure(request, config.origins)),
      );
      if (!token) return null;
      const id = sessionId(token);
      let record = await sessions.read(id);
      if (!record) return null;
      record =
        record.accessExpiresAt - config.now() < refreshWindow
          ? await refresh(id)
          : await sessions.touch(id, record);
      return record ? sessions.view(id, record) : null;
    },

    async logout(request) {
      const secure = isSecure(request, config.origins);
      const name = cookieName(config.session.cookieName, secure);
      const token = readToken(request, name);
      if (token) {
        const id = sessionId(token);
        const record = await sessions.read(id);
        if (record) {
          await sessions.destroy(id, record.username);
          // Revocation is best effort: a Cognito outage must not keep anyone logged in locally.
          try {
            const tokens = await sessions.openTokens(id, record);
            await revokeToken(cognito, config, tokens.refreshToken);
          } catch {}
        }
      }
      return { cookie: expireCookie(name, secure) };
    },

    signOutEverywhere: (username) => sessions.destroyAll(username),
    getUser: (username) => store.get<LocalUser>(userKey(username)),
  } as Warrant;
  const http = createHandler(warrant, {
    pages: config.pages,
    text: config.text,
    ...(config.onError ? { onError: config.onError } : {}),
  });
  const verifier = createVerifier(config);
  Object.assign(warrant, {
    handler: http.handler,
    protect: http.protect,
    verifyToken: (token: string, tokenUse?: TokenUse) => verifier.verify(token, tokenUse),
    bearer: createBearer(verifier),
  });
  return warrant;
}

export { limits };
