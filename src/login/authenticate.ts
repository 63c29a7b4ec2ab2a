/**
 * @module
 * The login core, django-warrant's backend: check a username and password with Cognito (SRP or a
 * password flow), answer the challenges Cognito asks for, and, once Cognito hands out tokens, mirror
 * the user into its local record (`completeLogin`). Expected failures are results; outages throw.
 */
import type {
  LoginFailure,
  LoginStep,
  NewDevice,
  PendingChallenge,
  RememberedDevice,
  Tokens,
} from "../cognito/auth.ts";
import { groupsOf, unverifiedClaims } from "../cognito/jwt.ts";
import type { LoadCognito } from "../cognito/load.ts";
import { WarrantError } from "../errors.ts";
import { challengeAttempts, limits } from "../limits.ts";
import type { FirstFactor, WarrantConfig } from "../options.ts";
import { randomToken } from "../sessions/cookie.ts";
import type { SessionUser } from "../sessions/store.ts";
import type { Store } from "../storage.ts";
import { mapAttributes, verifiedOnly } from "../users/mapping.ts";
import { checkFields, upsertUser, userKey } from "../users/store.ts";
import {
  type ChallengeAnswer,
  challengeNames,
  listParameter,
  type StoredChallenge,
  totpUri,
  validateAnswer,
} from "./answers.ts";
import type { PendingChallenges, PublicChallenge } from "./pending.ts";

export type { PublicChallenge } from "./pending.ts";

/** True for the answer that asks for the other factors of USER_AUTH: `{ anotherWay: true }`, exactly. */
const isAnotherWay = (answer: unknown): boolean =>
  typeof answer === "object" &&
  answer !== null &&
  (answer as { anotherWay?: unknown }).anotherWay === true &&
  Object.keys(answer).length === 1;

/** The result of {@link LoginCore.authenticate}. */
export type AuthResult<U = SessionUser> =
  | {
      ok: true;
      user: U;
      tokens: Tokens;
      /** A device Cognito registered at this login (device tracking): confirm it (the devices extension does). */
      newDevice?: NewDevice;
    }
  | { ok: false; reason: LoginFailure | "unknown_user" }
  | { ok: false; reason: "challenge"; challenge: PublicChallenge };

/**
 * The result of {@link LoginCore.respond}: everything {@link AuthResult} can be (tokens, the next
 * challenge with a new id, a login failure), plus:
 * - `challenge_expired`: the id is unknown, already used, older than `challengeTtl`, or Cognito no
 *   longer accepts the challenge. Start the login again.
 * - `invalid_answer`: the answer does not fit the challenge (e.g. a code that is not 6 digits). Nothing
 *   was sent to Cognito and the same id stays valid; `issues` say what to fix, without echoing input.
 * - `invalid_code` / `password_rejected` / `passkey_rejected`: Cognito refused the code / the new
 *   password (its policy) / the passkey's assertion (a wrong or replayed one).
 *   The old id is used up; answer again with `challenge.id` (a new id) while `attemptsLeft` > 0.
 * - `too_many_attempts`: the last allowed wrong answer; the challenge is gone.
 */
export type RespondResult<U = SessionUser> =
  | AuthResult<U>
  | { ok: false; reason: "challenge_expired" | "too_many_attempts" }
  | { ok: false; reason: "invalid_answer"; issues: string[]; challenge: PublicChallenge }
  | {
      ok: false;
      reason: "invalid_code" | "password_rejected" | "passkey_rejected";
      attemptsLeft: number;
      challenge: PublicChallenge;
    };

/** Options of {@link LoginCore.authenticate}. */
export interface AuthenticateOptions {
  /**
   * A Cognito device key remembered for this browser (device tracking): sent as DEVICE_KEY with the
   * login and every challenge answer. Omitted when absent.
   */
  deviceKey?: string;
  /**
   * The device this browser remembers (its key, group key and device password): sent as DEVICE_KEY, and
   * it answers DEVICE_SRP_AUTH, so a remembered browser skips MFA. Needs a device answerer (the devices
   * extension). A device Cognito refuses is dropped and the login goes on as on a new browser.
   */
  device?: RememberedDevice;
  /**
   * `USER_AUTH` only: the first factor to ask for, in place of `config.preferredChallenge`. With a
   * password, the sign-in uses it (PASSWORD_SRP unless PASSWORD is preferred).
   */
  preferredChallenge?: FirstFactor;
}

/** What a pending challenge carries to its next step. */
interface StepContext {
  /** What the person typed at login. */
  login?: string;
  deviceKey?: string;
  device?: RememberedDevice;
  /** The step is a first factor of USER_AUTH (Cognito's answer to InitiateAuth or to SELECT_CHALLENGE). */
  firstFactor?: boolean;
  /** The factors SELECT_CHALLENGE offered, carried to the chosen one so its page can offer the others. */
  available?: string[];
  /** The login lineage and step of the challenge answered, when a challenge led here. */
  lineage?: { id: string; step: number };
}

/**
 * Answers DEVICE_SRP_AUTH (then DEVICE_PASSWORD_VERIFIER) with a remembered device: the next step, or
 * `null` when Cognito refused the device. The devices extension brings one.
 */
export type DeviceAnswer = (
  challenge: PendingChallenge,
  device: RememberedDevice,
) => Promise<LoginStep | null>;

/** The device option when it is one (three non-empty strings), else undefined. */
function deviceIn(device: unknown): RememberedDevice | undefined {
  const d = device as RememberedDevice | undefined;
  const ok = (x: unknown) => typeof x === "string" && x.length > 0 && x.length <= 256;
  return d && ok(d.key) && ok(d.groupKey) && ok(d.password) ? d : undefined;
}

/** Thrown inside the login core when Cognito refused the remembered device; the login starts again without it. */
class DeviceRefused extends Error {}

/** The login operations. */
export interface LoginCore {
  authenticate(username: string, password?: string, options?: AuthenticateOptions): Promise<AuthResult>;
  respond(challengeId: string, answer: ChallengeAnswer): Promise<RespondResult>;
  pendingChallenge(challengeId: string): Promise<PublicChallenge | null>;
  /**
   * After Cognito handed out tokens: read the user, mirror it locally, build the session user. `keep`:
   * fields stored on the local record beside the mapped ones (managed login keeps `identities` there).
   */
  completeLogin(tokens: Tokens, keep?: Record<string, unknown>): Promise<AuthResult>;
  /**
   * Keeps the `Session` SignUp returned, sealed, for the sign-in after the confirmation; returns the id
   * for the browser that signed up (its sign-up cookie).
   */
  holdSignUp(username: string, session: string): Promise<string | null>;
  /** The held SignUp `Session` of `id` when it was held for `username`; it stays until {@link dropSignUp}. */
  signUpSession(id: string, username: string): Promise<string | null>;
  dropSignUp(id: string): Promise<void>;
  /** Signs a just-confirmed person in with the `Session` ConfirmSignUp returned (USER_AUTH), as `authenticate` does. */
  signInAfterSignUp(username: string, session: string): Promise<AuthResult>;
}

/** Builds the login core. */
export function createLogin(deps: {
  config: WarrantConfig;
  store: Store;
  cognito: LoadCognito;
  pending: PendingChallenges;
  /** Where SignUp sessions wait for the confirmation (a store of their own, so no challenge id opens one). */
  signups: PendingChallenges;
  /** Answers DEVICE_SRP_AUTH; without one that challenge is `unsupported_challenge`. */
  deviceAnswer?: DeviceAnswer;
}): LoginCore {
  const { config, store, pending, signups } = deps;

  const completeLogin = async (tokens: Tokens, keep: Record<string, unknown> = {}): Promise<AuthResult> => {
    const cognito = await deps.cognito();
    const refuse = (): AuthResult => {
      // The person is valid in Cognito but not allowed here: do not leave a live refresh token behind.
      // Revoked on the side, so a right password for a refused account answers as fast as a wrong one.
      cognito.revoke(tokens.refreshToken).catch(() => {});
      return { ok: false, reason: "unknown_user" };
    };
    if (!config.createUnknownUsers) {
      // The access token (fresh from Cognito) names the Cognito username: an account with no local
      // record is refused before GetUser, with no more calls than a wrong password costs.
      const named = unverifiedClaims(tokens.accessToken).username;
      if (typeof named === "string" && !(await store.get(userKey(named)))) return refuse();
    }
    const { username, attributes } = await cognito.getUser(tokens.accessToken);
    const { stored, extra } = checkFields(
      config.userSchema,
      mapAttributes(verifiedOnly(attributes), config.attributeMapping),
    );
    const sub =
      attributes.find((a) => a.Name === "sub")?.Value ??
      String(unverifiedClaims(tokens.accessToken).sub ?? "");
    const record = await upsertUser(store, {
      username,
      sub,
      stored: { ...stored, ...keep },
      create: config.createUnknownUsers,
      now: config.now(),
      login: true,
    });
    if (!record) return refuse();
    return {
      ok: true,
      user: { ...extra, ...record, groups: groupsOf(unverifiedClaims(tokens.idToken)) },
      tokens,
    };
  };

  /** Starts TOTP enrolment: the secret Cognito issues, and the new session that replaces the old one. */
  const withTotpSetup = async (challenge: StoredChallenge, account: string): Promise<StoredChallenge> => {
    const canSetUp = listParameter(challenge.parameters, "MFAS_CAN_SETUP");
    if (canSetUp.length > 0 && !canSetUp.includes("SOFTWARE_TOKEN_MFA")) {
      throw new WarrantError(
        "unsupported_challenge",
        "MFA_SETUP without SOFTWARE_TOKEN_MFA is not supported",
      );
    }
    const { secret, session } = await (await deps.cognito()).associateSoftwareToken(challenge.session);
    return { ...challenge, session, totp: { secret, uri: totpUri(config.totpIssuer, account, secret) } };
  };

  const afterStep = async (step: LoginStep, context: StepContext): Promise<AuthResult> => {
    if (step.kind === "failed") return { ok: false, reason: step.reason };
    if (step.kind === "tokens") {
      const done = await completeLogin(step.tokens);
      return done.ok && step.newDevice ? { ...done, newDevice: step.newDevice } : done;
    }
    const next = step.challenge;
    if (next.name === "DEVICE_SRP_AUTH" && context.device && deps.deviceAnswer) {
      const answered = await deps.deviceAnswer(next, context.device);
      if (!answered) throw new DeviceRefused();
      const { device: _spent, ...rest } = context;
      return afterStep(answered, rest);
    }
    if (!(challengeNames as readonly string[]).includes(next.name)) {
      throw new WarrantError(
        "unsupported_challenge",
        `Cognito asked for ${next.name}, which is not supported`,
      );
    }
    const available = next.availableChallenges ?? context.available;
    let record: StoredChallenge = {
      ...next,
      createdAt: config.now(),
      attempts: 0,
      // A new lineage for a fresh login; the next step of the same one after a right answer.
      lineage: context.lineage?.id ?? randomToken(),
      step: context.lineage ? context.lineage.step + 1 : 0,
      ...(context.login ? { login: context.login } : {}),
      ...(context.deviceKey ? { deviceKey: context.deviceKey } : {}),
      ...(context.device ? { device: context.device } : {}),
      ...(context.firstFactor ? { firstFactor: true } : {}),
      ...(context.firstFactor && available ? { availableChallenges: available } : {}),
    };
    if (record.name === "MFA_SETUP") record = await withTotpSetup(record, context.login ?? record.username);
    // Fresh from Cognito, so its whole TTL is left and put cannot refuse it.
    const challenge = (await pending.put(record)) as PublicChallenge;
    return { ok: false, reason: "challenge", challenge };
  };

  /** USER_AUTH from the username (and a password, when one is given up front). */
  const userAuth = async (
    username: string,
    input: { password?: string; preferred?: FirstFactor; session?: string; deviceKey?: string | undefined },
    device?: RememberedDevice,
  ): Promise<AuthResult> => {
    const step = await (await deps.cognito()).userAuthLogin({ username, ...input });
    return afterStep(step, {
      login: username,
      firstFactor: true,
      ...(input.deviceKey ? { deviceKey: input.deviceKey } : {}),
      ...(device ? { device } : {}),
    });
  };

  /** One login, with or without the remembered device. */
  const login = async (
    username: string,
    password: string,
    deviceKey: string | undefined,
    device: RememberedDevice | undefined,
    options: AuthenticateOptions | undefined,
  ): Promise<AuthResult> => {
    if (config.authFlow === "USER_AUTH") {
      const preferred = options?.preferredChallenge ?? config.preferredChallenge;
      return userAuth(
        username,
        { ...(password ? { password } : {}), ...(preferred ? { preferred } : {}), deviceKey },
        device,
      );
    }
    const cognito = await deps.cognito();
    const step =
      config.authFlow === "USER_SRP_AUTH"
        ? await cognito.srpLogin(username, password, deviceKey ? { deviceKey } : {})
        : await cognito.passwordLogin(username, password, deviceKey);
    return afterStep(step, {
      login: username,
      ...(deviceKey ? { deviceKey } : {}),
      ...(device ? { device } : {}),
    });
  };

  return {
    completeLogin,

    async authenticate(username, password = "", options) {
      const passwordless = config.authFlow === "USER_AUTH";
      if (
        typeof username !== "string" ||
        typeof password !== "string" ||
        username.length === 0 ||
        (password.length === 0 && !passwordless) ||
        username.length > limits.username ||
        password.length > limits.password
      ) {
        return { ok: false, reason: "invalid_credentials" };
      }
      const device = deviceIn(options?.device);
      const given =
        typeof options?.deviceKey === "string" && options.deviceKey ? options.deviceKey : undefined;
      const deviceKey = device?.key ?? given;
      try {
        return await login(username, password, deviceKey, device, options);
      } catch (error) {
        if (!(error instanceof DeviceRefused)) throw error;
        // The remembered device no longer opens (forgotten, or its secret altered): a normal login.
        return login(username, password, undefined, undefined, options);
      }
    },

    async holdSignUp(username, session) {
      const held = await signups.put({
        name: "SIGN_UP",
        parameters: {},
        username,
        session,
        createdAt: config.now(),
        attempts: 0,
      });
      return held?.id ?? null;
    },

    async signUpSession(id, username) {
      const record = await signups.read(id);
      if (!record || signups.expired(record) || record.username !== username) return null;
      return record.session;
    },

    dropSignUp: (id) => signups.remove(id),

    signInAfterSignUp: (username, session) => userAuth(username, { session }),

    async pendingChallenge(challengeId) {
      // Claimed here means an answer is on its way to Cognito: no longer pending, whatever storage says.
      if (typeof challengeId !== "string" || pending.claimed(challengeId)) return null;
      const record = await pending.read(challengeId);
      if (!record || pending.expired(record)) return null;
      return pending.view(record, challengeId);
    },

    async respond(challengeId, answer) {
      const expired = { ok: false, reason: "challenge_expired" } as const;
      const record = await pending.read(challengeId);
      if (!record) return expired;
      if (pending.expired(record)) {
        await pending.remove(challengeId);
        return expired;
      }
      if (isAnotherWay(answer)) {
        // Only a chosen factor has another way; SELECT_CHALLENGE is already the list of them.
        if (!record.firstFactor || record.name === "SELECT_CHALLENGE") {
          const issues = ["this challenge cannot be answered another way"];
          return {
            ok: false,
            reason: "invalid_answer",
            issues,
            challenge: pending.view(record, challengeId),
          };
        }
        if (!(await pending.claim(challengeId))) return expired;
        await pending.remove(challengeId);
        // The choice starts again for the same person, without a preference, so Cognito lists every factor.
        return userAuth(record.login ?? record.username, { deviceKey: record.deviceKey }, record.device);
      }
      const checked = validateAnswer(record, answer);
      if (!checked.ok) {
        return {
          ok: false,
          reason: "invalid_answer",
          issues: checked.issues,
          challenge: pending.view(record, challengeId),
        };
      }
      // Claimed on every instance at once: two answers racing anywhere cannot both pass.
      if (!(await pending.claim(challengeId))) return expired;
      // Spent before Cognito sees the answer: a replay finds nothing, whatever Cognito says.
      await pending.remove(challengeId);
      // Reserved before it is sent, per login lineage: the retries of this step, on whichever
      // instance, never send more than challengeAttempts answers.
      const attempts = await pending.attempt(record);
      if (attempts > challengeAttempts) return { ok: false, reason: "too_many_attempts" };
      const outcome = await (await deps.cognito()).answerChallenge(record, checked.answer);
      if (outcome.kind === "expired") return expired;
      if (outcome.kind === "retry") {
        if (attempts >= challengeAttempts) return { ok: false, reason: "too_many_attempts" };
        // Cognito sends no new session with an error; the one it issued stays usable for a retry.
        const challenge = await pending.put({ ...record, attempts });
        if (!challenge) return expired;
        return { ok: false, reason: outcome.reason, attemptsLeft: challengeAttempts - attempts, challenge };
      }
      try {
        return await afterStep(outcome.step, {
          lineage: { id: record.lineage ?? randomToken(), step: record.step ?? 0 },
          ...(record.login ? { login: record.login } : {}),
          ...(record.deviceKey ? { deviceKey: record.deviceKey } : {}),
          ...(record.device ? { device: record.device } : {}),
          // The factor chosen at SELECT_CHALLENGE is still a first factor; what comes after one is not.
          ...(record.name === "SELECT_CHALLENGE"
            ? {
                firstFactor: true,
                ...(record.availableChallenges ? { available: record.availableChallenges } : {}),
              }
            : {}),
        });
      } catch (error) {
        // The remembered device was refused after the answer: this login cannot go on; sign in again.
        if (error instanceof DeviceRefused) return expired;
        throw error;
      }
    },
  };
}
