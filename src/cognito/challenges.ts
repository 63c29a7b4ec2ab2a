/**
 * @module
 * The Cognito calls that answer a login challenge (RespondToAuthChallenge, and VerifySoftwareToken for
 * TOTP enrolment) and start TOTP enrolment (AssociateSoftwareToken), and what Cognito's reply means.
 * Which challenges exist and how an answer is checked before it is sent live in `login/answers.ts`.
 *
 * The Cognito `Session` of a challenge only ever lives in storage (SECURITY.md S6); these functions take
 * it from the pending record the caller loaded and hand back the next one.
 */
import type {
  AssociateSoftwareTokenResponse,
  ChallengeNameType,
  RespondToAuthChallengeResponse,
  VerifySoftwareTokenResponse,
} from "@aws-sdk/client-cognito-identity-provider";
import { WarrantError } from "../errors.ts";
import type { WarrantConfig } from "../options.ts";
import { type LoginStep, type PendingChallenge, stepOf } from "./auth.ts";
import type { Cognito } from "./client.ts";
import { classify, cognitoName, toWarrantError } from "./errors.ts";
import {
  AssociateSoftwareTokenCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";
import { srpExchange } from "./srp-login.ts";

/** A validated answer, ready to send. */
export type ValidAnswer =
  | { kind: "responses"; responses: Record<string, string> }
  | { kind: "totp_setup"; code: string }
  /** SELECT_CHALLENGE answered with PASSWORD_SRP: SRP_A with the choice, then the password proof. */
  | { kind: "srp"; password: string };

/** What an answer needs of its pending challenge. */
export interface AnswerTarget extends PendingChallenge {
  /** DEVICE_KEY to send with the answer, when the login had one. */
  deviceKey?: string;
}

/** What Cognito made of an answer. */
export type AnswerOutcome =
  /** Tokens, or the next challenge. */
  | { kind: "step"; step: LoginStep }
  /** A wrong code, a refused new password or passkey; the same Cognito session may be tried again. */
  | { kind: "retry"; reason: "invalid_code" | "password_rejected" | "passkey_rejected" }
  /** Cognito no longer accepts the challenge session (expired, used up, too many wrong codes). */
  | { kind: "expired" };

const wrongCodeNames = new Set([
  "CodeMismatchException",
  // A TOTP code that was already used once: the next code will do.
  "ExpiredCodeException",
  // VerifySoftwareToken's answer to a wrong code during enrolment.
  "EnableSoftwareTokenMFAException",
]);

/** Sorts a Cognito error on an answer into an outcome, or throws it as a `WarrantError`. */
function outcomeOfError(error: unknown, challenge: AnswerTarget): AnswerOutcome {
  const name = cognitoName(error);
  if (name && wrongCodeNames.has(name)) return { kind: "retry", reason: "invalid_code" };
  if (name === "InvalidPasswordException" && challenge.name === "NEW_PASSWORD_REQUIRED")
    return { kind: "retry", reason: "password_rejected" };
  if (classify(error) === "credentials") {
    // Cognito verifies the assertion itself and refuses a wrong or replayed one as NotAuthorized; the
    // retry it may allow is bounded by the challenge's attempts.
    if (challenge.name === "WEB_AUTHN") return { kind: "retry", reason: "passkey_rejected" };
    // A wrong password chosen at SELECT_CHALLENGE is a failed login, answered as every one is (R7).
    if (challenge.name === "SELECT_CHALLENGE")
      return { kind: "step", step: { kind: "failed", reason: "invalid_credentials" } };
    return { kind: "expired" };
  }
  throw toWarrantError(error, "the challenge answer");
}

/**
 * Sends a validated answer to Cognito, once (challenge answers are never retried, SECURITY.md E5),
 * with SECRET_HASH and DEVICE_KEY when they apply.
 */
export async function answerChallenge(
  cognito: Cognito,
  config: WarrantConfig,
  challenge: AnswerTarget,
  answer: ValidAnswer,
): Promise<AnswerOutcome> {
  let session = challenge.session;
  let responses: Record<string, string>;
  const respond = (name: string, values: Record<string, string>) =>
    cognito.send<RespondToAuthChallengeResponse>(
      new RespondToAuthChallengeCommand({
        ChallengeName: name as ChallengeNameType,
        ClientId: config.clientId,
        Session: session,
        ChallengeResponses: withSecretHash(config, challenge.username, {
          ...values,
          USERNAME: challenge.username,
          ...(challenge.deviceKey ? { DEVICE_KEY: challenge.deviceKey } : {}),
        }),
      }),
      { during: "the challenge answer", raw: true },
    );
  try {
    if (answer.kind === "srp") {
      const step = await srpExchange(
        cognito,
        config,
        answer.password,
        (srpA) => respond("SELECT_CHALLENGE", { ANSWER: "PASSWORD_SRP", SRP_A: srpA }),
        {
          otherwise: true,
          username: challenge.username,
          ...(challenge.deviceKey ? { deviceKey: challenge.deviceKey } : {}),
        },
      );
      return { kind: "step", step };
    }
    if (answer.kind === "totp_setup") {
      const verified = await cognito.send<VerifySoftwareTokenResponse>(
        new VerifySoftwareTokenCommand({ Session: session, UserCode: answer.code }),
        { during: "the challenge answer", raw: true },
      );
      if (verified.Status !== "SUCCESS") return { kind: "retry", reason: "invalid_code" };
      session = verified.Session ?? session;
      responses = {};
    } else {
      responses = answer.responses;
    }
    const reply = await respond(challenge.name, responses);
    return { kind: "step", step: stepOf(reply, challenge.username, config.now(), challenge.deviceKey) };
  } catch (error) {
    if (error instanceof WarrantError) throw error;
    return outcomeOfError(error, challenge);
  }
}

/**
 * Starts TOTP enrolment for an MFA_SETUP challenge: AssociateSoftwareToken with the challenge's
 * session gives the secret and a new session, which replaces the old one.
 */
export async function associateSoftwareToken(
  cognito: Cognito,
  session: string,
): Promise<{ secret: string; session: string }> {
  const out = await cognito.send<AssociateSoftwareTokenResponse>(
    new AssociateSoftwareTokenCommand({ Session: session }),
    { during: "the MFA setup" },
  );
  if (!out.SecretCode || !out.Session) {
    throw new WarrantError("cognito_rejected", "Cognito answered AssociateSoftwareToken without a secret");
  }
  return { secret: out.SecretCode, session: out.Session };
}
