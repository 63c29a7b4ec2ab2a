/**
 * @module
 * Test support for login challenges: TOTP enrolment of a cognito-local user through the real API,
 * codes from `@oslojs/otp`, and FAKE Cognito answers for the challenges cognito-local lacks
 * (EMAIL_OTP, MFA_SETUP), each named as such.
 */
import { randomBytes } from "node:crypto";
import {
  AssociateSoftwareTokenCommand,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { generateTOTP, verifyTOTPWithGracePeriod } from "@oslojs/otp";
import type { CognitoFront } from "./cognito-front.ts";
import type { TestPool } from "./cognito-local.ts";

/** The current TOTP code for a base32 secret (SHA-1, 6 digits, 30 s, as Cognito). */
export const totp = (secret: string) => generateTOTP(decodeBase32IgnorePadding(secret), 30, 6);

/** A 6-digit code that no window near now accepts for `secret`. */
export function wrongTotp(secret: string): string {
  const key = decodeBase32IgnorePadding(secret);
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!verifyTOTPWithGracePeriod(key, 30, 6, code, 120)) return code;
  }
}

/**
 * Enrols a cognito-local user in TOTP the way an app would after a login: AssociateSoftwareToken and
 * VerifySoftwareToken with the access token, then SetUserMFAPreference. Straight to cognito-local, so
 * no front counts it. Returns the base32 secret.
 */
export async function enrolTotp(
  pool: TestPool,
  login: string,
  password: string,
  preference: { sms?: boolean } = {},
): Promise<string> {
  const auth = await pool.admin.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: pool.clientId,
      AuthParameters: { USERNAME: login, PASSWORD: password },
    }),
  );
  const AccessToken = auth.AuthenticationResult!.AccessToken!;
  const { SecretCode } = await pool.admin.send(new AssociateSoftwareTokenCommand({ AccessToken }));
  await pool.admin.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(SecretCode!) }));
  await pool.admin.send(
    new SetUserMFAPreferenceCommand({
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: !preference.sms },
      ...(preference.sms ? { SMSMfaSettings: { Enabled: true } } : {}),
    }),
  );
  return SecretCode!;
}

const fakeError = (type: string) => ({ status: 400, body: { __type: type, message: `FAKE ${type}` } });

/** What a FAKE challenge helper lets a test see. */
export interface FakeChallenge {
  /** The Cognito Sessions the fake handed out, to check that none leaks. */
  sessions: string[];
  /** MFA_SETUP: the TOTP secret the fake issued. */
  secret: string;
  detach(): void;
}

/**
 * FAKE Cognito: a password login that cognito-local answers with tokens is answered with `name`
 * (EMAIL_OTP or MFA_SETUP) instead, the tokens held back until the challenge is answered right. The
 * password itself is still checked by cognito-local. Sessions are single use, as in Cognito, except
 * that a wrong code leaves the session usable (as Cognito does for a few retries).
 */
export function fakeChallengeAfterPassword(
  front: CognitoFront,
  name: "EMAIL_OTP" | "MFA_SETUP",
  options: { emailCode?: string } = {},
): FakeChallenge {
  const held = new Map<string, { tokens: unknown; username: string; stage: string }>();
  const sessions: string[] = [];
  const secret = encodeBase32UpperCaseNoPadding(randomBytes(20));
  const newSession = (tokens: unknown, username: string, stage: string) => {
    const session = `FAKE-session-${randomBytes(24).toString("base64url")}`;
    sessions.push(session);
    held.set(session, { tokens, username, stage });
    return session;
  };
  const take = (session: unknown, stage: string) => {
    const entry = typeof session === "string" ? held.get(session) : undefined;
    return entry && entry.stage === stage ? entry : undefined;
  };

  front.intercept("InitiateAuth", async (body, forward) => {
    const real = await forward(body);
    if (real.status !== 200 || !real.body.AuthenticationResult) return real;
    const sub = JSON.parse(
      Buffer.from(real.body.AuthenticationResult.AccessToken.split(".")[1], "base64url").toString(),
    ).sub as string;
    const Session = newSession(real.body.AuthenticationResult, sub, name === "EMAIL_OTP" ? "otp" : "setup");
    const ChallengeParameters =
      name === "EMAIL_OTP"
        ? {
            CODE_DELIVERY_DELIVERY_MEDIUM: "EMAIL",
            CODE_DELIVERY_DESTINATION: "a***@e***",
            USER_ID_FOR_SRP: sub,
          }
        : { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]', USER_ID_FOR_SRP: sub };
    return { status: 200, body: { ChallengeName: name, ChallengeParameters, Session } };
  });
  front.intercept("AssociateSoftwareToken", async (body) => {
    const entry = take(body.Session, "setup");
    if (!entry) return fakeError("NotAuthorizedException");
    held.delete(body.Session);
    return {
      status: 200,
      body: { SecretCode: secret, Session: newSession(entry.tokens, entry.username, "verify") },
    };
  });
  front.intercept("VerifySoftwareToken", async (body) => {
    const entry = take(body.Session, "verify");
    if (!entry) return fakeError("NotAuthorizedException");
    if (!verifyTOTPWithGracePeriod(decodeBase32IgnorePadding(secret), 30, 6, String(body.UserCode), 30))
      return fakeError("CodeMismatchException");
    held.delete(body.Session);
    return {
      status: 200,
      body: { Status: "SUCCESS", Session: newSession(entry.tokens, entry.username, "finish") },
    };
  });
  front.intercept("RespondToAuthChallenge", async (body) => {
    if (body.ChallengeName !== name) return fakeError("InvalidParameterException");
    const entry = take(body.Session, name === "EMAIL_OTP" ? "otp" : "finish");
    if (!entry || body.ChallengeResponses?.USERNAME !== entry.username)
      return fakeError("NotAuthorizedException");
    if (name === "EMAIL_OTP" && body.ChallengeResponses.EMAIL_OTP_CODE !== options.emailCode)
      return fakeError("CodeMismatchException");
    held.delete(body.Session);
    return { status: 200, body: { ChallengeParameters: {}, AuthenticationResult: entry.tokens } };
  });
  return {
    sessions,
    secret,
    detach() {
      for (const target of [
        "InitiateAuth",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "RespondToAuthChallenge",
      ])
        front.intercept(target, undefined);
    },
  };
}
