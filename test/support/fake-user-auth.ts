/**
 * @module
 * FAKE: Cognito's choice-based sign-in (`USER_AUTH`) and passkeys, answered on the cognito-front in
 * front of cognito-local. Neither cognito-local nor moto implements USER_AUTH, EMAIL_OTP / SMS_OTP as
 * first factors, WebAuthn or the sign-up Session, so this is the one fake for them, and its name says so.
 * What it checks is real: WebAuthn options are made and assertions and attestations verified by
 * `@simplewebauthn/server` against the relying party id and origins it is given; the SRP proof of
 * PASSWORD_SRP with the same maths as the SRP responder; SECRET_HASH by the front before any of this.
 * Tokens are real cognito-local tokens, minted with a USER_PASSWORD_AUTH login it sends straight to
 * cognito-local once a factor has passed, so GetUser, refresh and revocation behave as elsewhere.
 *
 * It speaks the API reference's shapes: InitiateAuth `USER_AUTH` with USERNAME, PREFERRED_CHALLENGE and
 * the top-level `Session` of ConfirmSignUp; SELECT_CHALLENGE with `AvailableChallenges`; WEB_AUTHN with
 * CREDENTIAL_REQUEST_OPTIONS and CREDENTIAL; EMAIL_OTP / SMS_OTP with EMAIL_OTP_CODE / SMS_OTP_CODE;
 * StartWebAuthnRegistration / CompleteWebAuthnRegistration / ListWebAuthnCredentials /
 * DeleteWebAuthnCredential / GetUserAuthFactors with an AccessToken.
 *
 * Where Cognito's exact behaviour is not documented, the choices (made to fail closed):
 * - a preferred factor the person cannot use is answered with SELECT_CHALLENGE;
 * - a refused assertion is NotAuthorizedException and the challenge session stays for a retry (at most
 *   `maxWrong` wrong answers of any kind end it, as for codes); a used session is gone;
 * - codes are 8 digits, go to `outbox`, and live as long as their session (3 minutes);
 * - an unknown user, or one with no factor the pool allows, is NotAuthorizedException.
 */
import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import type { CognitoFront } from "./cognito-front.ts";
import { parseCognitoTimestamp, srpExpectedSignature, srpServerB, srpVerifier } from "./srp-responder.ts";

type Factor = "PASSWORD" | "PASSWORD_SRP" | "WEB_AUTHN" | "EMAIL_OTP" | "SMS_OTP";
type Answer = { status: number; body: any };

interface Stored extends WebAuthnCredential {
  friendlyName: string;
  createdAt: number;
  attachment?: string;
}

interface User {
  /** What the person signs in with (the email). */
  login: string;
  /** The Cognito username (the sub in cognito-local's email pools). */
  username: string;
  password: string;
  email?: string;
  phone?: string;
  passkeys: Stored[];
  registration?: string;
  salt: string;
  verifier: bigint;
}

interface Pending {
  user: User;
  clientId: string;
  /** The challenge this session answers. */
  name: string;
  expires: number;
  wrong: number;
  available: Factor[];
  code?: string;
  webauthn?: string;
  srp?: { A: bigint; B: bigint; b: bigint; secretBlock: string };
}

export interface FakeUserAuthOptions {
  userPoolId: string;
  /** The relying party id of the pool's WebAuthnConfiguration (`localhost` in the browser tests). */
  rpId: string;
  /** The origins passkeys may be used from. */
  origins: string[];
  /** The pool's SignInPolicy AllowedFirstAuthFactors (PASSWORD covers PASSWORD_SRP). @default PASSWORD, WEB_AUTHN, EMAIL_OTP, SMS_OTP */
  factors?: Factor[];
  /** Wrong answers a challenge session takes. @default 3 */
  maxWrong?: number;
}

export interface FakeUserAuth {
  /** Registers a user the fake did not see sign up (its password mints the tokens). */
  addUser(login: string, password: string): Promise<User>;
  /** Messages with codes the fake "sent", oldest first. */
  readonly outbox: { to: string; medium: "EMAIL" | "SMS"; code: string }[];
  /** The last code sent to `to`. */
  lastCode(to: string): string;
  /** Changes the pool's allowed first factors. */
  setFactors(factors: Factor[]): void;
  /** The passkeys of a user (what a real pool would list). */
  passkeysOf(login: string): Stored[];
  /** Gives a user a passkey no authenticator holds: WEB_AUTHN becomes available, and no assertion verifies. */
  pretendPasskey(login: string): void;
  /** Assertions verified and refused so far. */
  readonly stats: { assertions: number; refused: number; registrations: number };
  detach(): void;
}

const SESSION_MS = 180_000;
const fault = (type: string, message: string, status = 400): Answer => ({
  status,
  body: { __type: type, message },
});
const notAuthorized = (message = "Incorrect username or password.") =>
  fault("NotAuthorizedException", message);
const mask = (email: string) => email.replace(/^(.).*(@.*)$/, "$1***$2");

/** Attaches the FAKE to `front`; other requests go on to whoever else answers them (the emulator). */
export function attachFakeUserAuth(front: CognitoFront, options: FakeUserAuthOptions): FakeUserAuth {
  const poolName = options.userPoolId.split("_")[1] ?? "";
  let allowed: Factor[] = options.factors ?? ["PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"];
  const maxWrong = options.maxWrong ?? 3;
  const users = new Map<string, User>();
  const sessions = new Map<string, Pending>();
  const signUps = new Map<string, { login: string; expires: number }>();
  const confirmed = new Map<string, { login: string; expires: number }>();
  const outbox: FakeUserAuth["outbox"] = [];
  const stats = { assertions: 0, refused: 0, registrations: 0 };

  const remember = async (login: string, password: string): Promise<User> => {
    const found = await front.forward("AdminGetUser", { UserPoolId: options.userPoolId, Username: login });
    if (found.status !== 200)
      throw new Error(`fake-user-auth: AdminGetUser(${login}) answered ${found.status}`);
    const attribute = (name: string) =>
      (found.body.UserAttributes as { Name: string; Value: string }[] | undefined)?.find(
        (a) => a.Name === name,
      )?.Value;
    const username = found.body.Username as string;
    const salt = randomBytes(16).toString("hex");
    const previous = users.get(login);
    const user: User = {
      login,
      username,
      password,
      passkeys: previous?.passkeys ?? [],
      salt,
      verifier: srpVerifier(poolName, username, password, salt),
      ...(attribute("email") ? { email: attribute("email")! } : {}),
      ...(attribute("phone_number") ? { phone: attribute("phone_number")! } : {}),
    };
    users.set(login, user);
    users.set(username, user);
    return user;
  };

  const availableTo = (user: User): Factor[] => {
    const out: Factor[] = [];
    for (const factor of allowed) {
      if (factor === "PASSWORD") out.push("PASSWORD_SRP", "PASSWORD");
      if (factor === "WEB_AUTHN" && user.passkeys.length) out.push("WEB_AUTHN");
      if (factor === "EMAIL_OTP" && user.email) out.push("EMAIL_OTP");
      if (factor === "SMS_OTP" && user.phone) out.push("SMS_OTP");
    }
    return out;
  };

  /** Real cognito-local tokens for a user whose factor passed. */
  const mint = (user: User, clientId: string) =>
    front.forward("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: clientId,
      AuthParameters: { USERNAME: user.login, PASSWORD: user.password },
    });

  const open = (user: User, clientId: string, name: string, available: Factor[], parameters = {}): Answer => {
    const session = `fake-user-auth-${randomBytes(24).toString("base64url")}`;
    sessions.set(session, { user, clientId, name, expires: Date.now() + SESSION_MS, wrong: 0, available });
    return {
      status: 200,
      body: {
        ChallengeName: name,
        Session: session,
        ChallengeParameters: { USERNAME: user.username, ...parameters },
        ...(name === "SELECT_CHALLENGE" ? { AvailableChallenges: available } : {}),
      },
    };
  };

  /** The first step of a chosen factor. */
  const begin = async (
    user: User,
    clientId: string,
    factor: Factor,
    available: Factor[],
    params: Record<string, string>,
  ): Promise<Answer> => {
    if (factor === "PASSWORD") {
      if (typeof params.PASSWORD !== "string") return fault("InvalidParameterException", "Missing PASSWORD");
      return params.PASSWORD === user.password ? mint(user, clientId) : notAuthorized();
    }
    if (factor === "PASSWORD_SRP") {
      const srpA = params.SRP_A;
      if (typeof srpA !== "string" || !/^[0-9a-fA-F]+$/.test(srpA))
        return fault("InvalidParameterException", "Missing SRP_A");
      const { b, B } = srpServerB(user.verifier);
      const secretBlock = randomBytes(96).toString("base64");
      const answer = open(user, clientId, "PASSWORD_VERIFIER", available, {
        SALT: user.salt,
        SECRET_BLOCK: secretBlock,
        SRP_B: B.toString(16),
        USER_ID_FOR_SRP: user.username,
      });
      sessions.get(answer.body.Session)!.srp = { A: BigInt(`0x${srpA}`), B, b, secretBlock };
      return answer;
    }
    if (factor === "WEB_AUTHN") {
      const request = await generateAuthenticationOptions({
        rpID: options.rpId,
        allowCredentials: user.passkeys.map((p) => ({
          id: p.id,
          ...(p.transports ? { transports: p.transports } : {}),
        })),
        userVerification: "required",
      });
      const answer = open(user, clientId, "WEB_AUTHN", available, {
        CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(request),
      });
      sessions.get(answer.body.Session)!.webauthn = request.challenge;
      return answer;
    }
    const sms = factor === "SMS_OTP";
    const to = sms ? user.phone! : user.email!;
    const code = String(randomInt(0, 100_000_000)).padStart(8, "0");
    outbox.push({ to, medium: sms ? "SMS" : "EMAIL", code });
    const answer = open(user, clientId, factor, available, {
      CODE_DELIVERY_DELIVERY_MEDIUM: sms ? "SMS" : "EMAIL",
      CODE_DELIVERY_DESTINATION: sms ? `+*******${to.slice(-4)}` : mask(to),
    });
    sessions.get(answer.body.Session)!.code = code;
    return answer;
  };

  const initiate = async (body: any): Promise<Answer | undefined> => {
    if (body.AuthFlow !== "USER_AUTH") return undefined;
    const params: Record<string, string> = body.AuthParameters ?? {};
    if (typeof params.USERNAME !== "string" || !params.USERNAME)
      return fault("InvalidParameterException", "Missing required parameter USERNAME");
    const user = users.get(params.USERNAME);
    if (!user) return notAuthorized();
    if (body.Session !== undefined) {
      // The sign-up's Session: the confirmation code was the first factor. Once, for this user, in time.
      const held = confirmed.get(body.Session);
      confirmed.delete(body.Session);
      if (!held || held.expires < Date.now() || users.get(held.login) !== user)
        return notAuthorized("Invalid session");
      return mint(user, body.ClientId);
    }
    const available = availableTo(user);
    if (available.length === 0) return notAuthorized();
    const preferred = params.PREFERRED_CHALLENGE as Factor | undefined;
    if (preferred && available.includes(preferred))
      return begin(user, body.ClientId, preferred, available, params);
    return open(user, body.ClientId, "SELECT_CHALLENGE", available);
  };

  const respond = async (body: any): Promise<Answer | undefined> => {
    const state = sessions.get(body.Session);
    if (!state) {
      // Not one of ours: the emulator's (or an expired one of ours, which Cognito refuses).
      return typeof body.Session === "string" && body.Session.startsWith("fake-user-auth-")
        ? notAuthorized("Invalid session for the user, session is expired.")
        : undefined;
    }
    const r: Record<string, string> = body.ChallengeResponses ?? {};
    const { user } = state;
    if (state.expires < Date.now() || state.clientId !== body.ClientId) {
      sessions.delete(body.Session);
      return notAuthorized("Invalid session for the user, session is expired.");
    }
    if (body.ChallengeName !== state.name) return fault("InvalidParameterException", "Wrong challenge name");
    if (r.USERNAME !== user.username && r.USERNAME !== user.login)
      return fault("InvalidParameterException", "USERNAME does not match the session");
    const used = () => sessions.delete(body.Session);
    const wrong = (answer: Answer): Answer => {
      if (++state.wrong >= maxWrong) used();
      return answer;
    };
    switch (state.name) {
      case "SELECT_CHALLENGE": {
        const choice = r.ANSWER as Factor;
        if (!state.available.includes(choice))
          return fault("InvalidParameterException", "ANSWER is not available");
        used();
        return begin(user, state.clientId, choice, state.available, r);
      }
      case "PASSWORD_VERIFIER": {
        used();
        const srp = state.srp!;
        if (r.PASSWORD_CLAIM_SECRET_BLOCK !== srp.secretBlock || !parseCognitoTimestamp(r.TIMESTAMP ?? ""))
          return notAuthorized();
        const expected = srpExpectedSignature({
          poolName,
          userIdForSrp: user.username,
          v: user.verifier,
          b: srp.b,
          A: srp.A,
          B: srp.B,
          secretBlock: Buffer.from(srp.secretBlock, "base64"),
          timestamp: r.TIMESTAMP!,
        });
        const given = Buffer.from(r.PASSWORD_CLAIM_SIGNATURE ?? "", "base64");
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return notAuthorized();
        return mint(user, state.clientId);
      }
      case "WEB_AUTHN": {
        let credential: any;
        try {
          credential = JSON.parse(r.CREDENTIAL ?? "");
        } catch {
          return fault("InvalidParameterException", "CREDENTIAL is not JSON");
        }
        const stored = user.passkeys.find((p) => p.id === credential?.id);
        stats.assertions++;
        let verified = false;
        try {
          const result = stored
            ? await verifyAuthenticationResponse({
                response: credential,
                expectedChallenge: state.webauthn!,
                expectedOrigin: options.origins,
                expectedRPID: options.rpId,
                credential: stored,
                requireUserVerification: true,
              })
            : undefined;
          if (result?.verified && stored) {
            stored.counter = result.authenticationInfo.newCounter;
            verified = true;
          }
        } catch {
          verified = false;
        }
        if (!verified) {
          stats.refused++;
          return wrong(notAuthorized());
        }
        used();
        return mint(user, state.clientId);
      }
      case "EMAIL_OTP":
      case "SMS_OTP": {
        const given = r[`${state.name}_CODE`];
        if (given !== state.code)
          return wrong(fault("CodeMismatchException", "Invalid code received for user"));
        used();
        return mint(user, state.clientId);
      }
      default:
        return undefined;
    }
  };

  /** The user an access token belongs to, checked by cognito-local's GetUser. */
  const owner = async (accessToken: unknown): Promise<User | Answer> => {
    const found = await front.forward("GetUser", { AccessToken: accessToken });
    if (found.status !== 200) return notAuthorized("Invalid Access Token");
    const user = users.get(found.body.Username);
    return user ?? fault("ResourceNotFoundException", "User has no sign-in record in the fake");
  };
  const isAnswer = (x: User | Answer): x is Answer => "status" in x;

  const webauthn: Record<string, (body: any) => Promise<Answer>> = {
    async StartWebAuthnRegistration(body) {
      const user = await owner(body.AccessToken);
      if (isAnswer(user)) return user;
      const creation = await generateRegistrationOptions({
        rpName: "warrant test pool",
        rpID: options.rpId,
        userName: user.login,
        userID: new TextEncoder().encode(user.username),
        attestationType: "none",
        excludeCredentials: user.passkeys.map((p) => ({ id: p.id })),
        authenticatorSelection: { residentKey: "required", userVerification: "required" },
      });
      user.registration = creation.challenge;
      return { status: 200, body: { CredentialCreationOptions: creation } };
    },
    async CompleteWebAuthnRegistration(body) {
      const user = await owner(body.AccessToken);
      if (isAnswer(user)) return user;
      const challenge = user.registration;
      if (!challenge) return fault("WebAuthnChallengeNotFoundException", "No registration in progress");
      user.registration = undefined;
      try {
        const result = await verifyRegistrationResponse({
          response: body.Credential,
          expectedChallenge: challenge,
          expectedOrigin: options.origins,
          expectedRPID: options.rpId,
          requireUserVerification: true,
        });
        if (!result.verified)
          return fault("WebAuthnClientMismatchException", "The credential did not verify");
        stats.registrations++;
        user.passkeys.push({
          ...result.registrationInfo.credential,
          friendlyName: `Passkey ${user.passkeys.length + 1}`,
          createdAt: Date.now(),
          ...(body.Credential?.authenticatorAttachment
            ? { attachment: body.Credential.authenticatorAttachment }
            : {}),
        });
        return { status: 200, body: {} };
      } catch {
        return fault("WebAuthnClientMismatchException", "The credential did not verify");
      }
    },
    async ListWebAuthnCredentials(body) {
      const user = await owner(body.AccessToken);
      if (isAnswer(user)) return user;
      const start = Number(body.NextToken ?? 0);
      const size = Math.min(Number(body.MaxResults ?? 20), 20);
      const page = user.passkeys.slice(start, start + size);
      return {
        status: 200,
        body: {
          Credentials: page.map((p) => ({
            CredentialId: p.id,
            FriendlyCredentialName: p.friendlyName,
            RelyingPartyId: options.rpId,
            AuthenticatorTransports: p.transports ?? [],
            ...(p.attachment ? { AuthenticatorAttachment: p.attachment } : {}),
            CreatedAt: Math.floor(p.createdAt / 1000),
          })),
          ...(start + size < user.passkeys.length ? { NextToken: String(start + size) } : {}),
        },
      };
    },
    async DeleteWebAuthnCredential(body) {
      const user = await owner(body.AccessToken);
      if (isAnswer(user)) return user;
      const index = user.passkeys.findIndex((p) => p.id === body.CredentialId);
      if (index < 0) return fault("ResourceNotFoundException", "Credential not found");
      user.passkeys.splice(index, 1);
      return { status: 200, body: {} };
    },
    async GetUserAuthFactors(body) {
      const user = await owner(body.AccessToken);
      if (isAnswer(user)) return user;
      const factors = [
        "PASSWORD",
        ...(user.passkeys.length ? ["WEB_AUTHN"] : []),
        ...(user.email ? ["EMAIL_OTP"] : []),
      ];
      return {
        status: 200,
        body: { Username: user.username, ConfiguredUserAuthFactors: factors, UserMFASettingList: [] },
      };
    },
  };

  front.intercept("InitiateAuth", initiate);
  front.intercept("RespondToAuthChallenge", respond);
  for (const [target, fn] of Object.entries(webauthn)) front.intercept(target, (body) => fn(body));
  front.intercept("SignUp", async (body, forward) => {
    const answer = await forward(body);
    if (answer.status !== 200) return answer;
    await remember(body.Username, body.Password);
    const session = `fake-signup-${randomBytes(24).toString("base64url")}`;
    signUps.set(session, { login: body.Username, expires: Date.now() + SESSION_MS });
    return { status: 200, body: { ...answer.body, Session: session } };
  });
  front.intercept("ConfirmSignUp", async (body, forward) => {
    const { Session: session, ...rest } = body;
    const held = session === undefined ? undefined : signUps.get(session);
    if (session !== undefined && (!held || held.login !== body.Username || held.expires < Date.now()))
      return notAuthorized("Invalid session provided");
    const answer = await forward(rest);
    if (answer.status !== 200 || !held) return answer;
    signUps.delete(session);
    const next = `fake-confirmed-${randomBytes(24).toString("base64url")}`;
    confirmed.set(next, { login: held.login, expires: Date.now() + SESSION_MS });
    return { status: 200, body: { ...answer.body, Session: next } };
  });

  return {
    addUser: remember,
    outbox,
    lastCode(to) {
      const found = outbox.filter((m) => m.to === to).at(-1);
      if (!found) throw new Error(`fake-user-auth: no code was sent to ${to}`);
      return found.code;
    },
    setFactors(factors) {
      allowed = factors;
    },
    passkeysOf: (login) => users.get(login)?.passkeys ?? [],
    pretendPasskey(login) {
      const user = users.get(login);
      if (!user) throw new Error(`fake-user-auth: no user ${login}`);
      user.passkeys.push({
        id: randomBytes(16).toString("base64url"),
        publicKey: new Uint8Array(randomBytes(77)),
        counter: 0,
        friendlyName: "Lost key",
        createdAt: Date.now(),
      });
    },
    stats,
    detach() {
      for (const target of [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        ...Object.keys(webauthn),
      ])
        front.intercept(target, undefined);
    },
  };
}
